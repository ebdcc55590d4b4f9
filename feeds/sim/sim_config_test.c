/*  sim_config tests: the sim reads its own sections (market:, venues.X.sim)
    through the host's cfg_* functions, with the values and defaults the
    core config gave before ABI v2, and refuses what is wrong with
    FILE:LINE: KEY.PATH. The host side is the real one (hb_plugin_cfg).  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_plugin_cfg.h"
#include "sim_config.h"

static sim_market_cfg_t s_market;
static sim_venue_cfg_t  s_sims [HB_MAX_VENUES];
static hb_plugin_cfg_t *s_pcfg;

static int
s_section (void *ctx, const char *name, hb_cfg_node_t *out)
{
    (void) ctx;
    return hb_plugin_cfg_section (s_pcfg, name, out);
}

static int
s_cfg_errors (void *ctx)
{
    (void) ctx;
    return hb_plugin_cfg_errors (s_pcfg);
}

//  Loads path and reads the sim sections of venue index through a host.
//  Returns the number of config errors; errbuf gets them.
static int
s_read (const char *path, int index, char *errbuf, size_t errsize)
{
    char core [4096] = "";
    hb_config_t *cfg = hb_config_load_quiet (path, core, sizeof core);
    if (!cfg)
        print_error ("%s", core);
    assert_non_null (cfg);
    assert_true (index < cfg->n_venues);
    s_pcfg = hb_plugin_cfg_new (cfg, &cfg->venues [index], sim_config_sections);
    assert_non_null (s_pcfg);
    hb_host_api_t host = {
        .abi_version = HB_PLUGIN_ABI_VERSION, .size = sizeof (hb_host_api_t),
        .config = cfg, .venue = &cfg->venues [index], .cfg_section = s_section, .cfg_errors = s_cfg_errors,
    };
    hb_plugin_cfg_fill (&host);
    sim_config_read (&host, &s_market, &s_sims [index]);
    int errors = hb_plugin_cfg_errors (s_pcfg);
    if (errbuf) {
        errbuf [0] = 0;
        hb_plugin_cfg_report (s_pcfg, errbuf, errsize);
    }
    hb_plugin_cfg_destroy (&s_pcfg);
    hb_config_destroy (&cfg);
    return errors;
}

static void
test_default (void **state)
{
    (void) state;
    char errbuf [4096];
    assert_int_equal (s_read ("config/default.yaml", 0, errbuf, sizeof errbuf), 0);
    assert_int_equal (s_read ("config/default.yaml", 1, errbuf, sizeof errbuf), 0);
    const sim_market_cfg_t *market = &s_market;
    assert_true (market->present);
    assert_true (market->seed == 20261121);
    assert_true (market->step_ms == 100);
    assert_true (market->anchor_ns == 0);
    assert_true (market->corr [0][1] == 0.85);
    assert_true (market->corr [1][2] == 0.78);
    assert_true (market->corr [2][1] == 0.78);
    assert_true (market->corr [3][3] == 1.0);
    assert_true (market->regime_present);
    assert_true (market->regime.at_s == 600 && market->regime.duration_s == 300);
    assert_true (market->regime.every_s == 1800);
    assert_true (market->regime_corr [0][3] == 0.95);
    assert_true (market->jumps_per_day == 2 && market->jump_std == 0.02);
    assert_true (market->vol_present && market->vol [0].present && market->vol [1].present);
    assert_false (market->vol [2].present);
    assert_true (market->vol [0].level == 0.55 && market->vol [0].spot_corr == -0.5);
    assert_true (market->vol [1].skew == -0.12 && market->vol [1].term == -0.08);
    assert_int_equal (market->n_vol_shocks, 1);
    assert_true (market->vol_shocks [0].at_s == 300 && market->vol_shocks [0].every_s == 600);
    assert_true (market->vol_shocks [0].asset == -1 && market->vol_shocks [0].factor == 1.3);
    assert_true (market->vol_shocks [0].half_life_s == 120);
    assert_int_equal (market->n_script, 0);
        assert_true (s_sims [0].seed == 1);
    assert_true (s_sims [0].noise_bps == 0.1);
    assert_int_equal (s_sims [0].depth, 10);
    assert_true (s_sims [0].level_usd == 250000);
    assert_true (s_sims [0].publish_ms == 100 && s_sims [0].latency_ms == 2);
    assert_int_equal (s_sims [0].n_outages, 0);
    assert_true (s_sims [1].basis_bps == 3);
    assert_int_equal (s_sims [1].n_outages, 1);
    assert_true (s_sims [1].outages [0].at_s == 900 && s_sims [1].outages [0].duration_s == 60);
    assert_true (s_sims [1].outages [0].every_s == 1200);
    //  the default deployment does not liquidate
    assert_false (s_sims [0].liq_enabled || s_sims [1].liq_enabled);
    //  collateral may leave gamma for beta only
    assert_int_equal (s_read ("config/default.yaml", 2, errbuf, sizeof errbuf), 0);
    assert_int_equal (s_sims [2].n_allow, 1);
    assert_string_equal (s_sims [2].allow [0], "beta");
    assert_int_equal (s_sims [0].n_allow, 0);
}

//  Every default documented in docs/CONFIG.md that minimal.yaml leaves out.
static void
test_defaults (void **state)
{
    (void) state;
    assert_int_equal (s_read ("tests/configs/good/minimal.yaml", 0, NULL, 0), 0);
    assert_true (s_market.present);
    assert_true (s_market.seed == 1 && s_market.step_ms == 100);
    assert_true (s_market.anchor_ns == 0);
    assert_true (s_market.corr [0][0] == 1);
    assert_false (s_market.regime_present);
    assert_true (s_market.jumps_per_day == 0);
    assert_true (s_sims [0].seed == 1 && s_sims [0].spread_bps == 2 && s_sims [0].level_bps == 1);
    assert_int_equal (s_sims [0].depth, 10);
    assert_true (s_sims [0].publish_ms == 100 && s_sims [0].latency_ms == 0);
    assert_true (s_sims [0].level_usd == 100000);
    assert_false (s_sims [0].liq_enabled);
    assert_true (s_sims [0].liq_penalty_bps == 50);
    assert_int_equal (s_sims [0].n_allow, 0);       //  no transfer leaves a venue
}

//  The sim errors of tests/configs/bad, each at its line and key.
static void
test_bad (void **state)
{
    (void) state;
    struct { const char *file; const char *want; } cases [] = {
        { "tests/configs/bad/market_missing.yaml", ":10: market: missing section" },
        { "tests/configs/bad/sim_missing.yaml", ":12: venues.alpha.sim: missing" },
        { "tests/configs/bad/outage_window.yaml", ":15: venues.alpha.sim.outages[0].every:" },
        { "tests/configs/bad/corr_not_psd.yaml", ":10: market.correlation: not positive" },
        { "tests/configs/bad/corr_not_symmetric.yaml", ":12: market.correlation[1][0]: not symmetric" },
        { "tests/configs/bad/anchor_bad.yaml", ":9: market.anchor:" },
        { "tests/configs/bad/vol_surface_bad.yaml", ":13: market.vol_surface.assets.DOGE: no asset 'DOGE'" },
        { "tests/configs/bad/vol_surface_bad.yaml", ":12: market.vol_surface.assets.BTC.level:" },
        { "tests/configs/bad/vol_surface_bad.yaml", ":15: market.vol_surface.shocks[0].factor:" },
        { "tests/configs/bad/vol_surface_bad.yaml", ":16: market.vol_surface.shocks[1].asset: asset 'ETH' has no vol surface" },
        { "tests/configs/bad/sim_script.yaml", ":10: market.script[0].move_pct:" },
        { "tests/configs/bad/sim_script.yaml", ":11: market.script[1].asset: no asset 'DOGE'" },
        { "tests/configs/bad/sim_script.yaml", ":12: market.script[2].at:" },
        { "tests/configs/bad/several_plugin_errors.yaml", ":14: venues.alpha.sim.spread_bps:" },
        { "tests/configs/bad/sim_liquidation.yaml", ":15: venues.alpha.sim.liquidation.enabled:" },
        { "tests/configs/bad/sim_liquidation.yaml", ":16: venues.alpha.sim.liquidation.penalty_bps:" },
        { "tests/configs/bad/sim_transfers.yaml", ":16: venues.alpha.sim.transfers.allow[0]: unknown venue 'delta'" },
        { "tests/configs/bad/sim_transfers.yaml", ":17: venues.alpha.sim.transfers.allow[1]: a venue does not transfer to itself" },
    };
    char errbuf [4096];
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        assert_true (s_read (cases [i].file, 0, errbuf, sizeof errbuf) > 0);
        char want [256];
        snprintf (want, sizeof want, "%s%s", cases [i].file, cases [i].want);
        if (!strstr (errbuf, want))
            print_error ("want '%s' in:\n%s", want, errbuf);
        assert_non_null (strstr (errbuf, want));
    }
    //  all of them, not just the first
    assert_int_equal (s_read ("tests/configs/bad/several_plugin_errors.yaml", 0, errbuf, sizeof errbuf), 3);
}

static void
test_window (void **state)
{
    (void) state;
    sim_window_t once = { 100, 10, 0 };
    assert_false (sim_window_active (&once, 99.999));
    assert_true (sim_window_active (&once, 100));
    assert_true (sim_window_active (&once, 109.9));
    assert_false (sim_window_active (&once, 110));
    assert_false (sim_window_active (&once, 1e6));
    sim_window_t every = { 900, 60, 1200 };
    assert_false (sim_window_active (&every, 0));
    assert_true (sim_window_active (&every, 900));
    assert_true (sim_window_active (&every, 959));
    assert_false (sim_window_active (&every, 960));
    assert_false (sim_window_active (&every, 2099));
    assert_true (sim_window_active (&every, 2100));
    assert_true (sim_window_active (&every, 900 + 1200 * 1000 + 30));
    assert_false (sim_window_active (NULL, 1000));
    sim_window_t empty = { 0, 0, 0 };
    assert_false (sim_window_active (&empty, 0));
}

static void
test_anchor (void **state)
{
    (void) state;
    const int64_t day = INT64_C(86400) * 1000000000;
    const int64_t midnight = INT64_C(1795219200) * 1000000000;      //  2026-11-21T00:00:00Z
    sim_market_cfg_t market = { .anchor_ns = 0 };
    assert_true (sim_market_anchor_ns (&market, midnight) == midnight);
    assert_true (sim_market_anchor_ns (&market, midnight + 5 * 3600 * INT64_C(1000000000) + 17) == midnight);
    assert_true (sim_market_anchor_ns (&market, midnight + day - 1) == midnight);
    assert_true (sim_market_anchor_ns (&market, midnight + day) == midnight + day);
    assert_true (sim_market_anchor_ns (&market, -1) == -day);
    market.anchor_ns = midnight + 42;
    assert_true (sim_market_anchor_ns (&market, midnight + 3 * day) == midnight + 42);
}


int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_default),
        cmocka_unit_test (test_defaults),
        cmocka_unit_test (test_bad),
        cmocka_unit_test (test_window),
        cmocka_unit_test (test_anchor),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
