/*  capital.transfer codec tests (hb_msg_capital.c): every status
    round-trips field for field, the encoder refuses what the decoder would
    (times out of order, a credit without its time, an unknown status), every
    truncation and many bit flips fail cleanly, and the topic and JSON are as
    docs/PROTOCOL.md says.                                                  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "hb_msg.h"
#include "hb_msg_testing.h"

static void
s_transfer (hb_msg_t *msg, int status)
{
    hb_msg_testing_env (msg, HB_MSG_CAPITAL_TRANSFER, "treasury", 9);
    hb_transfer_t *t = &msg->u.transfer;
    strcpy (t->id, "T1763700000-alpha-beta-usdc-3");
    strcpy (t->route, "alpha-beta-usdc");
    strcpy (t->from, "alpha");
    strcpy (t->to, "beta");
    strcpy (t->asset, "USDC");
    strcpy (t->network, "arbitrum");
    t->status = (uint8_t) status;
    t->amount = 25000.5;
    t->amount_usd = 25000.5;
    t->fee = 1.25;
    t->requested_ns = 1763700000000000000ll;
    t->eta_ns = t->requested_ns + 300000000000ll;
    t->credited_ns = status == HB_TRANSFER_CREDITED ? t->eta_ns + 5 : 0;
    if (status == HB_TRANSFER_REFUSED)
        strcpy (t->reason, "insufficient balance: 1000 USDC free");
}


static void
test_roundtrip (void **state)
{
    (void) state;
    hb_msg_t msg;
    for (int status = 0; status < HB_TRANSFER_STATUS_COUNT; status++) {
        s_transfer (&msg, status);
        hb_msg_testing_roundtrip (&msg);
    }
    //  the longest id, names and reason still fit
    s_transfer (&msg, HB_TRANSFER_TIMED_OUT);
    hb_transfer_t *t = &msg.u.transfer;
    memset (t->id, 'i', HB_ID_MAX - 1);
    memset (t->route, 'r', HB_NAME_MAX - 1);
    memset (t->from, 'f', HB_NAME_MAX - 1);
    memset (t->to, 't', HB_NAME_MAX - 1);
    memset (t->asset, 'a', HB_NAME_MAX - 1);
    memset (t->network, 'n', HB_NAME_MAX - 1);
    memset (t->reason, 'x', HB_TEXT_MAX - 1);
    hb_msg_testing_roundtrip (&msg);
    //  an internal move arriving at once
    s_transfer (&msg, HB_TRANSFER_REQUESTED);
    msg.u.transfer.eta_ns = msg.u.transfer.requested_ns;
    msg.u.transfer.fee = 0;
    hb_msg_testing_roundtrip (&msg);
}

#define REFUSE(status, change) do { \
    hb_msg_t m; s_transfer (&m, status); change; \
    assert_int_equal (hb_msg_encode (&m, &buf), -1); \
    assert_int_equal (buf.size, 0); \
} while (0)

static void
test_refused (void **state)
{
    (void) state;
    hb_buf_t buf;
    REFUSE (HB_TRANSFER_REQUESTED, m.u.transfer.id [0] = 0);
    REFUSE (HB_TRANSFER_REQUESTED, strcpy (m.u.transfer.id, "has space"));
    REFUSE (HB_TRANSFER_REQUESTED, m.u.transfer.route [0] = 0);
    REFUSE (HB_TRANSFER_REQUESTED, strcpy (m.u.transfer.to, "alpha"));     //  to itself
    REFUSE (HB_TRANSFER_REQUESTED, strcpy (m.u.transfer.network, "arb one"));
    REFUSE (HB_TRANSFER_REQUESTED, m.u.transfer.status = HB_TRANSFER_STATUS_COUNT);
    REFUSE (HB_TRANSFER_REQUESTED, m.u.transfer.amount = 0);
    REFUSE (HB_TRANSFER_REQUESTED, m.u.transfer.amount = -5);
    REFUSE (HB_TRANSFER_REQUESTED, m.u.transfer.amount = NAN);
    REFUSE (HB_TRANSFER_REQUESTED, m.u.transfer.amount_usd = INFINITY);
    REFUSE (HB_TRANSFER_REQUESTED, m.u.transfer.fee = -0.01);
    REFUSE (HB_TRANSFER_REQUESTED, m.u.transfer.requested_ns = -1);
    REFUSE (HB_TRANSFER_REQUESTED, m.u.transfer.eta_ns = m.u.transfer.requested_ns - 1);
    REFUSE (HB_TRANSFER_REQUESTED, m.u.transfer.credited_ns = 5);          //  a time, no credit
    REFUSE (HB_TRANSFER_CREDITED, m.u.transfer.credited_ns = 0);           //  a credit, no time
}

//  An unknown status on the wire is refused, not truncated to a known one
static void
test_decode_refused (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_transfer (&msg, HB_TRANSFER_SENT);
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    //  the status follows the network's string "arbitrum" (0xa8 + 8 bytes)
    size_t at = 0;
    for (size_t i = 0; i + 9 < buf.size; i++)
        if (buf.data [i] == 0xa8 && memcmp (buf.data + i + 1, "arbitrum", 8) == 0)
            at = i + 9;
    assert_true (at > 0);
    assert_int_equal (buf.data [at], HB_TRANSFER_SENT);
    hb_msg_t back;
    hb_decode_reason_t reason;
    buf.data [at] = HB_TRANSFER_STATUS_COUNT;
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, &reason), -1);
    assert_int_equal (reason, HB_DECODE_RANGE);
    buf.data [at] = HB_TRANSFER_CREDITED;   //  a credit without its time
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, &reason), -1);
    assert_int_equal (reason, HB_DECODE_RANGE);
}

static void
test_topic_json (void **state)
{
    (void) state;
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    s_transfer (&msg, HB_TRANSFER_REFUSED);
    assert_int_equal (hb_msg_topic (&msg, topic), (int) strlen ("capital.transfer.alpha.beta"));
    assert_string_equal (topic, "capital.transfer.alpha.beta");
    char out [4096];
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"type\":\"capital_transfer\""));
    assert_non_null (strstr (out, "\"capital_transfer\":{\"id\":\"T1763700000-alpha-beta-usdc-3\","
                                  "\"route\":\"alpha-beta-usdc\",\"from\":\"alpha\",\"to\":\"beta\","
                                  "\"asset\":\"USDC\",\"network\":\"arbitrum\",\"status\":\"refused\","
                                  "\"amount\":25000.5,"));
    assert_non_null (strstr (out, "\"reason\":\"insufficient balance: 1000 USDC free\"}}"));
    for (int s = 0; s < HB_TRANSFER_STATUS_COUNT; s++)
        assert_int_equal (hb_transfer_status_parse (hb_transfer_status_name (s)), s);
    assert_string_equal (hb_transfer_status_name (HB_TRANSFER_STATUS_COUNT), "unknown");
    assert_int_equal (hb_transfer_status_parse ("unknown"), -1);
    assert_int_equal (hb_transfer_status_parse (NULL), -1);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_roundtrip),
        cmocka_unit_test (test_refused),
        cmocka_unit_test (test_decode_refused),
        cmocka_unit_test (test_topic_json),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
