/*  hl_funding: userFundings payments -> funding.<venue>.<symbol>, from
    JSON strings.

    - a snapshot's payments: each configured coin's published once, in bus
      units (usd paid > 0 from the venue's usdc received, the position in
      contracts of the multiplier, the time as ts_venue, id coin:time);
      a coin not listed counted apart;
    - the same snapshot again (a reconnect): nothing published, counted
      as repeated; a later payment published;
    - the whole message, through hl_md, reaches the user callback;
    - malformed payments refused and counted, nothing crashes.          */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_json.h"
#include "hl_funding.h"
#include "hl_md.h"
#include "hl_testing.h"
#include "hb_testsink.h"

typedef struct {
    hb_config_t   config;
    hl_md_t      *md;
    hl_funding_t *funding;
    hb_testsink_t sink;             //  what md and funding publish
} s_fix_t;

static int
s_user (void *arg, const char *channel, const json_t *data, int64_t now_ns)
{
    (void) now_ns;
    s_fix_t *f = (s_fix_t *) arg;
    assert_string_equal (channel, "userFundings");
    return hl_funding_on_message (f->funding, data);
}

static int
s_setup (void **state)
{
    s_fix_t *f = (s_fix_t *) calloc (1, sizeof *f);
    if (!f)
        return -1;
    static const char *const syms [] = { "BTC-PERP", "ETH-PERP" };
    static const double mults [] = { 0.001, 1 };
    hb_venue_cfg_t *v = hl_testing_venue (&f->config, syms, mults, 2);
    char err [200];
    f->md = v? hl_md_new (v, hb_testsink_emit, NULL, &f->sink, err, sizeof err): NULL;
    f->funding = f->md? hl_funding_new (f->md, "hlt", hb_testsink_emit, &f->sink): NULL;
    if (!f->md || !f->funding || hl_testing_meta_in (f->md))
        return -1;
    hl_md_set_user (f->md, s_user, f);
    *state = f;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fix_t *f = (s_fix_t *) *state;
    hl_funding_destroy (&f->funding);
    hl_testing_release (&f->config, &f->md);
    free (f);
    return 0;
}

static int
s_frame (s_fix_t *f, const char *text)
{
    return hl_md_on_message (f->md, text, strlen (text), 1);
}

#define S_SNAPSHOT \
    "{\"channel\":\"userFundings\",\"data\":{\"isSnapshot\":true,\"user\":\"0xabc\",\"fundings\":[" \
    "{\"time\":1700000000000,\"coin\":\"BTC\",\"usdc\":\"-0.26\",\"szi\":\"0.004\",\"fundingRate\":\"0.0000125\"}," \
    "{\"time\":1700000000000,\"coin\":\"DOGE\",\"usdc\":\"0.5\",\"szi\":\"-100\",\"fundingRate\":\"0.00001\"}," \
    "{\"time\":1700000000000,\"coin\":\"ETH\",\"usdc\":\"0.034\",\"szi\":\"-2.5\",\"fundingRate\":\"0.000004\"}]}}"

static void
test_snapshot_once (void **state)
{
    s_fix_t *f = (s_fix_t *) *state;
    assert_int_equal (s_frame (f, S_SNAPSHOT), 0);
    assert_int_equal (f->sink.n, 2);
    const hb_msg_t *m = &f->sink.msgs [0];
    assert_int_equal (m->env.type, HB_MSG_FUNDING);
    assert_true (m->env.ts_venue == 1700000000000ll * 1000000);
    assert_string_equal (m->u.funding.venue, "hlt");
    assert_string_equal (m->u.funding.symbol, "BTC-PERP");
    assert_string_equal (m->u.funding.id, "BTC:1700000000000");
    assert_float_equal (m->u.funding.usd, 0.26, 1e-12);        //  received -0.26: paid 0.26
    assert_float_equal (m->u.funding.rate, 0.0000125, 1e-15);
    assert_float_equal (m->u.funding.qty, 4, 1e-9);            //  0.004 BTC in 0.001 contracts
    hb_msg_t wire = *m;                     //  as the host sends it: version, publisher
    wire.env.version = HB_SCHEMA_VERSION;
    strcpy (wire.env.publisher, "feed.hlt");
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&wire, &buf), 0);
    m = &f->sink.msgs [1];
    assert_string_equal (m->u.funding.symbol, "ETH-PERP");
    assert_string_equal (m->u.funding.id, "ETH:1700000000000");
    assert_float_equal (m->u.funding.usd, -0.034, 1e-12);
    assert_float_equal (m->u.funding.qty, -2.5, 1e-12);
    const hl_funding_stats_t *st = hl_funding_stats (f->funding);
    assert_int_equal (st->payments, 3);
    assert_int_equal (st->other, 1);
    assert_int_equal (st->published, 2);

    //  a reconnect's snapshot repeats them: nothing new
    assert_int_equal (s_frame (f, S_SNAPSHOT), 0);
    assert_int_equal (f->sink.n, 2);
    assert_int_equal (st->repeated, 2);
    //  the next hour's payment
    assert_int_equal (s_frame (f, "{\"channel\":\"userFundings\",\"data\":{\"user\":\"0xabc\",\"fundings\":["
                                   "{\"time\":1700003600000,\"coin\":\"BTC\",\"usdc\":\"0.1\",\"szi\":\"-0.002\","
                                   "\"fundingRate\":\"-0.00001\"}]}}"), 0);
    assert_int_equal (f->sink.n, 3);
    assert_string_equal (f->sink.msgs [2].u.funding.id, "BTC:1700003600000");
    assert_float_equal (f->sink.msgs [2].u.funding.usd, -0.1, 1e-12);
    assert_float_equal (f->sink.msgs [2].u.funding.qty, -2, 1e-9);
}

static void
test_malformed (void **state)
{
    s_fix_t *f = (s_fix_t *) *state;
    const char *bad [] = {
        "{\"channel\":\"userFundings\",\"data\":{\"user\":\"0xabc\"}}",
        "{\"channel\":\"userFundings\",\"data\":{\"fundings\":{}}}",
        "{\"channel\":\"userFundings\",\"data\":{\"fundings\":[{\"time\":1,\"coin\":\"BTC\",\"usdc\":\"x\",\"szi\":\"1\",\"fundingRate\":\"0\"}]}}",
        "{\"channel\":\"userFundings\",\"data\":{\"fundings\":[{\"coin\":\"BTC\",\"usdc\":\"1\",\"szi\":\"1\",\"fundingRate\":\"0\"}]}}",
        "{\"channel\":\"userFundings\",\"data\":{\"fundings\":[{\"time\":-5,\"coin\":\"BTC\",\"usdc\":\"1\",\"szi\":\"1\",\"fundingRate\":\"0\"}]}}",
        //  a time no clock reaches: its ns would overflow (found by hl_fuzz)
        "{\"channel\":\"userFundings\",\"data\":{\"fundings\":[{\"time\":170000000000000000,\"coin\":\"BTC\",\"usdc\":\"1\",\"szi\":\"1\",\"fundingRate\":\"0\"}]}}",
        "{\"channel\":\"userFundings\",\"data\":{\"fundings\":[{\"time\":1,\"coin\":7,\"usdc\":\"1\",\"szi\":\"1\",\"fundingRate\":\"0\"}]}}",
        "{\"channel\":\"userFundings\",\"data\":{\"fundings\":[{\"time\":1,\"coin\":\"BTC\",\"usdc\":\"1\",\"szi\":\"1\"}]}}",
        "{\"channel\":\"userFundings\",\"data\":{\"fundings\":[{\"time\":1,\"coin\":\"BTC\",\"usdc\":\"nan\",\"szi\":\"1\",\"fundingRate\":\"0\"}]}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++)
        assert_int_equal (s_frame (f, bad [i]), -1);
    assert_int_equal (f->sink.n, 0);
    assert_int_equal (hl_funding_stats (f->funding)->malformed, sizeof bad / sizeof bad [0]);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_snapshot_once, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_malformed, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("hl_funding", tests, NULL, NULL);
}
