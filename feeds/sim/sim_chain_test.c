/*  sim_chain tests: the Deribit-like calendar (dailies, Fridays, last
    Fridays of a month and of a quarter) from a known anchor, the strike
    grid and its names, the day roll (the expired series delisted, the next
    daily listed, nothing else touched), a sim day of a minute, and a list
    refused by the host reported.                                          */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim_chain.h"

#define S_HOUR_NS   3600000000000ll
#define S_DAY_NS    (24 * S_HOUR_NS)
//  2026-03-01 00:00:00 UTC, a Sunday
#define S_ANCHOR    1772323200000000000ll

typedef struct {
    int     listed, delisted, calls, refuse;
    char    first [HB_NAME_MAX];        //  first symbol listed
    char    gone [HB_NAME_MAX];         //  last symbol delisted
    double  index;
} s_host_t;

static double
s_index (void *arg, int asset)
{
    (void) asset;
    return ((s_host_t *) arg)->index;
}

static int
s_list (void *arg, const hb_instrument_t *items, size_t count)
{
    s_host_t *host = (s_host_t *) arg;
    host->calls++;
    if (host->refuse)
        return -1;
    for (size_t i = 0; i < count; i++) {
        hb_instrument_t ins = items [i];
        snprintf (ins.venue, sizeof ins.venue, "v");
        const char *why = hb_instrument_check (&ins);
        if (why)
            fail_msg ("%s: %s", ins.symbol, why);
    }
    if (host->listed == 0 && count > 0)
        snprintf (host->first, sizeof host->first, "%s", items [0].symbol);
    host->listed += (int) count;
    return (int) count;
}

static int
s_delist (void *arg, const char *symbol)
{
    s_host_t *host = (s_host_t *) arg;
    host->delisted++;
    snprintf (host->gone, sizeof host->gone, "%s", symbol);
    return 0;
}

static hb_config_t *
s_config (void)
{
    hb_config_t *config = (hb_config_t *) calloc (1, sizeof *config);
    assert_non_null (config);
    config->n_assets = 2;
    snprintf (config->assets [0].name, HB_NAME_MAX, "BTC");
    config->assets [0].price = 65000;
    snprintf (config->assets [1].name, HB_NAME_MAX, "ETH");
    config->assets [1].price = 3400;
    return config;
}

static sim_chain_cfg_t
s_cfg (void)
{
    sim_chain_cfg_t cfg;
    memset (&cfg, 0, sizeof cfg);
    cfg.present = true;
    cfg.assets [0] = true;
    cfg.dailies = cfg.weeklies = cfg.monthlies = cfg.quarterlies = 2;
    cfg.strikes = 10;
    cfg.step_pct = 2.5;
    cfg.roll_s = 86400;
    cfg.coin_settled = true;
    return cfg;
}

static void
test_calendar (void **state)
{
    (void) state;
    hb_config_t *config = s_config ();
    sim_chain_cfg_t cfg = s_cfg ();
    sim_chain_t *chain = sim_chain_new (&cfg, config, S_ANCHOR);
    assert_non_null (chain);
    int64_t got [SIM_CHAIN_EXPIRIES];
    //  Mar 1 and 2 (dailies), Fridays Mar 6 and 13, last Fridays Mar 27
    //  and Apr 24, quarterlies Mar 27 and Jun 26; all at 08:00
    int days [] = { 0, 1, 5, 12, 26, 54, 117 };
    assert_int_equal (sim_chain_expiries (chain, S_ANCHOR + S_HOUR_NS, got, SIM_CHAIN_EXPIRIES), 7);
    for (int i = 0; i < 7; i++)
        assert_int_equal (got [i], S_ANCHOR + days [i] * S_DAY_NS + 8 * S_HOUR_NS);
    //  after 08:00 the first daily is gone and Mar 3 comes
    assert_int_equal (sim_chain_expiries (chain, S_ANCHOR + 9 * S_HOUR_NS, got, SIM_CHAIN_EXPIRIES), 7);
    assert_int_equal (got [0], S_ANCHOR + 1 * S_DAY_NS + 8 * S_HOUR_NS);
    assert_int_equal (got [1], S_ANCHOR + 2 * S_DAY_NS + 8 * S_HOUR_NS);
    sim_chain_destroy (&chain);
    assert_null (chain);
    sim_chain_destroy (&chain);
    free (config);
}

static void
test_step (void **state)
{
    (void) state;
    assert_true (sim_chain_step (65000, 2.5) == 2000);
    assert_true (sim_chain_step (3400, 2.5) == 100);
    assert_true (fabs (sim_chain_step (0.25, 2.5) - 0.005) < 1e-15);
    assert_true (sim_chain_step (100, 10) == 10);
    assert_true (sim_chain_step (0, 10) == 1);
}

static void
test_roll (void **state)
{
    (void) state;
    hb_config_t *config = s_config ();
    sim_chain_cfg_t cfg = s_cfg ();
    sim_chain_t *chain = sim_chain_new (&cfg, config, S_ANCHOR);
    s_host_t host = { .index = 65000 };
    assert_int_equal (sim_chain_roll (chain, S_ANCHOR + S_HOUR_NS, s_index, s_list, s_delist, &host), 0);
    //  7 expiries x 21 strikes (46,000 .. 86,000 by 2,000) x call and put
    assert_int_equal (host.listed, 7 * 21 * 2);
    assert_int_equal (host.calls, 7);
    assert_int_equal (sim_chain_size (chain), 7 * 21 * 2);
    assert_string_equal (host.first, "BTC-1MAR26-46000-C");
    //  nothing new an hour on
    assert_int_equal (sim_chain_roll (chain, S_ANCHOR + 2 * S_HOUR_NS, s_index, s_list, s_delist, &host), 0);
    assert_int_equal (host.listed, 7 * 21 * 2);
    assert_int_equal (host.delisted, 0);
    //  the roll: Mar 1 expires, Mar 3 is listed around the index then
    host = (s_host_t) { .index = 70000 };
    assert_int_equal (sim_chain_roll (chain, S_ANCHOR + 9 * S_HOUR_NS, s_index, s_list, s_delist, &host), 0);
    assert_int_equal (host.delisted, 42);
    assert_string_equal (host.gone, "BTC-1MAR26-86000-P");
    assert_int_equal (host.listed, 42);
    assert_string_equal (host.first, "BTC-3MAR26-50000-C");
    assert_int_equal (sim_chain_size (chain), 7 * 21 * 2);
    //  a refused listing is reported, and not asked again
    host = (s_host_t) { .index = 70000, .refuse = 1 };
    assert_int_equal (sim_chain_roll (chain, S_ANCHOR + 33 * S_HOUR_NS, s_index, s_list, s_delist, &host), -1);
    assert_int_equal (host.calls, 1);
    assert_int_equal (sim_chain_roll (chain, S_ANCHOR + 34 * S_HOUR_NS, s_index, s_list, s_delist, &host), 0);
    assert_int_equal (host.calls, 1);
    sim_chain_destroy (&chain);
    free (config);
}

//  A sim day of a minute: expiries a minute apart, strikes never below 0
static void
test_short_day (void **state)
{
    (void) state;
    hb_config_t *config = s_config ();
    sim_chain_cfg_t cfg = s_cfg ();
    cfg.roll_s = 60;
    cfg.weeklies = cfg.monthlies = cfg.quarterlies = 0;
    cfg.dailies = 3;
    cfg.strikes = 50;
    cfg.step_pct = 5;
    cfg.assets [1] = true;
    cfg.coin_settled = false;
    sim_chain_t *chain = sim_chain_new (&cfg, config, S_ANCHOR);
    int64_t got [SIM_CHAIN_EXPIRIES];
    assert_int_equal (sim_chain_expiries (chain, S_ANCHOR, got, SIM_CHAIN_EXPIRIES), 3);
    assert_int_equal (got [0], S_ANCHOR + 20000000000ll);
    assert_int_equal (got [2], S_ANCHOR + 140000000000ll);
    s_host_t host = { .index = 3400 };
    assert_int_equal (sim_chain_roll (chain, S_ANCHOR, s_index, s_list, s_delist, &host), 0);
    //  3,400 by 200 (5 % is 170: 200): 16 strikes below, 50 above, both assets
    assert_int_equal (host.listed, 2 * 3 * (16 + 1 + 50) * 2);
    assert_int_equal (sim_chain_roll (chain, S_ANCHOR + 61000000000ll, s_index, s_list, s_delist, &host), 0);
    assert_int_equal (host.delisted, 2 * (16 + 1 + 50) * 2);
    sim_chain_destroy (&chain);
    free (config);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_calendar),
        cmocka_unit_test (test_step),
        cmocka_unit_test (test_roll),
        cmocka_unit_test (test_short_day),
    };
    return cmocka_run_group_tests_name ("sim_chain", tests, NULL, NULL);
}
