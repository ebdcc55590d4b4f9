/*  hb_msg funding tests: a funding payment (funding.<venue>.<symbol>)
    round-trips field for field with the longest names and id, the encoder
    refuses what the decoder would refuse, every truncation and many bit
    flips fail cleanly, and the topic and JSON are as docs/PROTOCOL.md
    says.                                                                   */
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
s_funding (hb_msg_t *msg)
{
    hb_msg_testing_env (msg, HB_MSG_FUNDING, "feed.hl", 4);
    msg->env.ts_venue = 1700000000000000000ll;
    hb_funding_t *f = &msg->u.funding;
    strcpy (f->venue, "hl");
    strcpy (f->symbol, "BTC-PERP");
    strcpy (f->id, "BTC:1700000000000");
    f->usd = 0.2603;
    f->rate = 0.0000125;
    f->qty = 4;
}

static void
test_roundtrip (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_funding (&msg);
    hb_msg_testing_roundtrip (&msg);
    //  received (a short paid by longs), the longest names and id
    hb_funding_t *f = &msg.u.funding;
    f->usd = -1.25;
    f->rate = 0.0001;
    f->qty = -2;
    memset (f->venue, 'v', HB_NAME_MAX - 1);
    memset (f->symbol, 's', HB_NAME_MAX - 1);
    memset (f->id, 'i', HB_ID_MAX - 1);
    hb_msg_testing_roundtrip (&msg);
}

//  Each field made invalid in turn: the encoder refuses the message
#define S_REFUSED(change) do { \
    hb_msg_t m; s_funding (&m); change; hb_msg_testing_expect_refused (&m, __LINE__); \
} while (0)

static void
test_refused (void **state)
{
    (void) state;
    S_REFUSED (m.u.funding.venue [0] = 0);
    S_REFUSED (strcpy (m.u.funding.symbol, "BTC PERP"));
    S_REFUSED (m.u.funding.id [0] = 0);
    S_REFUSED (strcpy (m.u.funding.id, "a b"));
    S_REFUSED (m.u.funding.usd = NAN);
    S_REFUSED (m.u.funding.rate = INFINITY);
    S_REFUSED (m.u.funding.qty = NAN);
}

static void
test_topic_json (void **state)
{
    (void) state;
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    s_funding (&msg);
    assert_int_equal (hb_msg_topic (&msg, topic), (int) strlen ("funding.hl.BTC-PERP"));
    assert_string_equal (topic, "funding.hl.BTC-PERP");
    assert_string_equal (hb_msg_type_name (HB_MSG_FUNDING), "funding");
    char out [2048];
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"topic\":\"funding.hl.BTC-PERP\""));
    assert_non_null (strstr (out, "\"funding\":{\"venue\":\"hl\",\"symbol\":\"BTC-PERP\","
                                  "\"id\":\"BTC:1700000000000\",\"usd\":0.2603,\"rate\":1.25e-05,\"qty\":4}"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_roundtrip),
        cmocka_unit_test (test_refused),
        cmocka_unit_test (test_topic_json),
    };
    return cmocka_run_group_tests_name ("hb_msg_funding", tests, NULL, NULL);
}
