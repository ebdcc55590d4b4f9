/*  hb_msg_account tests: a venue's account report (account.<venue>)
    round-trips field for field with the most positions, the longest names
    and with none, the encoder refuses what the decoder would refuse, every
    truncation and many bit flips fail cleanly, types 20 and 21 (other
    branches') do not decode here, and the topic and JSON are as
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
s_account (hb_msg_t *msg)
{
    hb_msg_testing_env (msg, HB_MSG_ACCOUNT, "feed.hl", 3);
    msg->env.ts_venue = 1700000003000000000ll;
    hb_account_t *a = &msg->u.account;
    strcpy (a->venue, "hl");
    a->flags = HB_ACCOUNT_TRUNCATED;
    a->equity_usd = 100012.5;
    a->initial_usd = 6.5;
    a->maintenance_usd = 1.62;
    a->withdrawable_usd = 100006;
    a->funding_usd = 1.5;
    a->n_other = 1;
    a->n_positions = HB_ACCOUNT_POSITIONS;
    for (int i = 0; i < HB_ACCOUNT_POSITIONS; i++) {
        hb_account_position_t *p = &a->positions [i];
        snprintf (p->symbol, HB_NAME_MAX, "C%d-PERP", i);
        p->qty = i % 2 ? -2.5 * (i + 1) : 0.001 * (i + 1);
        p->entry_px = 65000.5 + i;
        p->unrealized_usd = -0.1 * i;
        p->liq_px = i % 3 ? 0 : 12000.25;
        p->funding_usd = 0.25 - 0.125 * i;
    }
}

static void
test_roundtrip (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_account (&msg);
    hb_msg_testing_roundtrip (&msg);
    //  the longest names in every position still fit the payload
    memset (msg.u.account.venue, 'v', HB_NAME_MAX - 1);
    for (int i = 0; i < HB_ACCOUNT_POSITIONS; i++) {
        hb_account_position_t *p = &msg.u.account.positions [i];
        memset (p->symbol, 's', HB_NAME_MAX - 1);
        p->symbol [0] = (char) ('a' + i % 26);
        p->symbol [1] = (char) ('a' + i / 26);
    }
    hb_msg_testing_roundtrip (&msg);
    //  flat everywhere, positions only (no margin figures)
    s_account (&msg);
    hb_account_t *a = &msg.u.account;
    a->flags = HB_ACCOUNT_NO_MARGIN | HB_ACCOUNT_NO_SPOT;
    a->equity_usd = a->initial_usd = a->maintenance_usd = a->withdrawable_usd = 0;
    a->funding_usd = -3;
    a->n_positions = 0;
    a->n_other = 0;
    memset (a->positions, 0, sizeof a->positions);
    hb_msg_testing_roundtrip (&msg);
    //  a negative account value is the venue's word (bad debt), not an error
    a->flags = 0;
    a->equity_usd = -50;
    hb_msg_testing_roundtrip (&msg);
}

#define REFUSE(change) do { \
    hb_msg_t m; s_account (&m); change; \
    assert_int_equal (hb_msg_encode (&m, &buf), -1); \
    assert_int_equal (buf.size, 0); \
} while (0)

static void
test_refused (void **state)
{
    (void) state;
    hb_buf_t buf;
    REFUSE (m.u.account.venue [0] = 0);
    REFUSE (m.u.account.flags = 0x100);
    REFUSE (m.u.account.equity_usd = NAN);
    REFUSE (m.u.account.initial_usd = -1);
    REFUSE (m.u.account.maintenance_usd = INFINITY);
    REFUSE (m.u.account.withdrawable_usd = -0.01);
    REFUSE (m.u.account.funding_usd = NAN);
    REFUSE (m.u.account.n_positions = HB_ACCOUNT_POSITIONS + 1);
    REFUSE (m.u.account.positions [1].qty = 0);                 //  flat: not listed
    REFUSE (m.u.account.positions [1].qty = NAN);
    REFUSE (m.u.account.positions [2].entry_px = -1);
    REFUSE (m.u.account.positions [3].liq_px = -1);
    REFUSE (m.u.account.positions [4].unrealized_usd = INFINITY);
    REFUSE (m.u.account.positions [5].funding_usd = NAN);
    REFUSE (strcpy (m.u.account.positions [6].symbol, "BTC PERP"));
    REFUSE (strcpy (m.u.account.positions [7].symbol, "C0-PERP"));     //  listed twice
}

static void
test_other_types (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_account (&msg);
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    //  the type is the envelope's second field: [version, type, ..]
    assert_int_equal (buf.data [2], HB_MSG_ACCOUNT);
    hb_msg_t back;
    hb_decode_reason_t reason;
    //  a type past the last one this build knows is refused as a type
    buf.data [2] = HB_MSG_TYPE_COUNT;
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, &reason), -1);
    assert_int_equal (reason, HB_DECODE_TYPE);
    msg.env.type = HB_MSG_TYPE_COUNT;
    assert_int_equal (hb_msg_encode (&msg, &buf), -1);
}

static void
test_topic_json (void **state)
{
    (void) state;
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    s_account (&msg);
    assert_int_equal (hb_msg_topic (&msg, topic), (int) strlen ("account.hl"));
    assert_string_equal (topic, "account.hl");
    assert_string_equal (hb_msg_type_name (HB_MSG_ACCOUNT), "account");
    assert_string_equal (hb_msg_type_name (HB_MSG_TYPE_COUNT), "unknown");
    char out [8192];
    msg.u.account.n_positions = 2;
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"topic\":\"account.hl\""));
    assert_non_null (strstr (out, "\"account\":{\"venue\":\"hl\",\"flags\":[\"truncated\"],"
                                  "\"equity_usd\":100012.5,\"initial_usd\":6.5,\"maintenance_usd\":1.62,"
                                  "\"withdrawable_usd\":100006,\"funding_usd\":1.5,\"n_other\":1,"
                                  "\"positions\":[{\"symbol\":\"C0-PERP\",\"qty\":0.001,"));
    assert_non_null (strstr (out, "{\"symbol\":\"C1-PERP\",\"qty\":-5,"));
    assert_non_null (strstr (out, "}]}}"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_roundtrip),
        cmocka_unit_test (test_refused),
        cmocka_unit_test (test_other_types),
        cmocka_unit_test (test_topic_json),
    };
    return cmocka_run_group_tests_name ("hb_msg_account", tests, NULL, NULL);
}
