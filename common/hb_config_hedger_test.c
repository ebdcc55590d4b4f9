/*  components.hedger: the defaults, every key read from a good file, and
    the refusals (tests/configs/bad/hedger_limits.yaml is checked by
    hb_config_test with the other bad files).                               */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hb_config.h"

static hb_config_t *
s_load (const char *path)
{
    char errbuf [4096] = "";
    hb_config_t *cfg = hb_config_load_quiet (path, errbuf, sizeof errbuf);
    if (!cfg)
        print_error ("%s", errbuf);
    assert_non_null (cfg);
    return cfg;
}

static void
test_defaults (void **state)
{
    (void) state;
    hb_config_t *cfg = s_load ("tests/configs/good/minimal.yaml");
    const hb_hedger_cfg_t *h = &cfg->hedger;
    assert_float_equal (h->max_order_usd, 10000, 0);
    assert_float_equal (h->max_order_qty [0], 0, 0);
    assert_float_equal (h->collar_bps, 50, 0);
    assert_float_equal (h->orders_per_s [0], 2, 0);
    assert_float_equal (h->burst, 4, 0);
    assert_float_equal (h->max_net_usd [0], 100000, 0);
    assert_float_equal (h->max_gross_usd, 0, 0);
    assert_float_equal (h->max_day_usd, 100000, 0);
    assert_int_equal (h->max_request_age_ms, 2000);
    assert_int_equal (h->order_timeout_ms, 5000);
    assert_float_equal (h->max_utilization, 0.8, 0);
    assert_string_equal (h->journal, "/run/user/4242/hedgebus/hedger.journal");
    assert_string_equal (h->kill_file, "/run/user/4242/hedgebus/hedger.kill");
    assert_int_equal (h->fsync, HB_JOURNAL_FSYNC_ALWAYS);
    assert_string_equal (h->endpoint, "ipc:///run/user/4242/hedgebus/hedger.pub");
    //  no carry unless the file gives it
    assert_float_equal (h->hold_hours, 8, 0);
    for (int v = 0; v < cfg->n_venues; v++)
        for (int i = 0; i < cfg->venues [v].n_instruments; i++)
            assert_true (hb_config_funding_bps (cfg, v, i) == 0 && hb_config_basis_bps (cfg, v, i) == 0);
    hb_config_destroy (&cfg);
}

static void
test_keys (void **state)
{
    (void) state;
    hb_config_t *cfg = s_load ("tests/configs/good/hedger.yaml");
    const hb_hedger_cfg_t *h = &cfg->hedger;
    int btc = hb_config_asset_index (cfg, "BTC");
    int eth = hb_config_asset_index (cfg, "ETH");
    int alpha = (int) (hb_config_venue (cfg, "alpha") - cfg->venues);
    int beta = (int) (hb_config_venue (cfg, "beta") - cfg->venues);
    assert_float_equal (h->max_order_usd, 250000, 0);
    assert_float_equal (h->max_order_qty [btc], 4, 0);
    assert_float_equal (h->max_order_qty [eth], 0, 0);
    assert_float_equal (h->collar_bps, 25, 0);
    assert_float_equal (h->orders_per_s [alpha], 3, 0);
    assert_float_equal (h->orders_per_s [beta], 10, 0);
    assert_float_equal (h->burst, 6, 0);
    assert_float_equal (h->max_net_usd [btc], 2000000, 0);
    assert_float_equal (h->max_net_usd [eth], 500000, 0);
    assert_float_equal (h->max_gross_usd, 5000000, 0);
    assert_float_equal (h->max_day_usd, 10000000, 0);
    assert_int_equal (h->max_request_age_ms, 1500);
    assert_int_equal (h->order_timeout_ms, 3000);
    assert_float_equal (h->max_utilization, 0.7, 0);
    assert_string_equal (h->journal, "/var/lib/hedgebus/hedger.journal");
    assert_string_equal (h->kill_file, "/var/lib/hedgebus/hedger.kill");
    //  funding per perp, basis per future, by [venue][instrument]
    const hb_venue_cfg_t *va = &cfg->venues [alpha], *vb = &cfg->venues [beta];
    int perp = (int) (hb_venue_instrument (va, "BTC-PERP") - va->instruments);
    int fut = (int) (hb_venue_instrument (va, "BTC-DEC27") - va->instruments);
    int eth_perp = (int) (hb_venue_instrument (vb, "ETH-PERP") - vb->instruments);
    assert_float_equal (h->hold_hours, 24, 0);
    assert_float_equal (h->funding_bps [alpha][perp], 1.5, 0);
    assert_float_equal (h->funding_bps [beta][eth_perp], -0.75, 0);
    assert_float_equal (h->basis_bps [alpha][fut], 800, 0);
    assert_float_equal (h->funding_bps [alpha][fut], 0, 0);
    assert_float_equal (h->basis_bps [alpha][perp], 0, 0);
    //  the publishing endpoint defaults under run_dir, and tools find it
    assert_string_equal (h->endpoint, "ipc:///tmp/hedgebus-good-hedger/hedger.pub");
    const hb_component_cfg_t *component = hb_config_component (cfg, "hedger");
    assert_non_null (component);
    assert_string_equal (component->endpoint, h->endpoint);
    assert_true (component->sends_orders);
    hb_config_destroy (&cfg);
}

static void
test_refused (void **state)
{
    (void) state;
    char errbuf [4096] = "";
    assert_null (hb_config_load_quiet ("tests/configs/bad/hedger_limits.yaml", errbuf, sizeof errbuf));
    assert_non_null (strstr (errbuf, "components.hedger.fsync: must be always"));
    assert_non_null (strstr (errbuf, "components.hedger.venue_orders_per_s.gamma: unknown venue"));
    errbuf [0] = '\0';
    assert_null (hb_config_load_quiet ("tests/configs/bad/hedger_carry.yaml", errbuf, sizeof errbuf));
    assert_non_null (strstr (errbuf, "funding_bps.alpha.BTC-USD: BTC-USD is a spot: funding_bps is "
                                     "for perpetuals only"));
    assert_non_null (strstr (errbuf, "basis_bps.alpha.BTC-PERP: BTC-PERP is a linear_perp: "
                                     "basis_bps is for futures only"));
    assert_non_null (strstr (errbuf, "funding_bps.alpha.BTC-PERP: must be in [-10000, 10000]"));
}

int
main (void)
{
    //  a fixed per-user runtime directory: the default run_dir is made from it
    setenv ("XDG_RUNTIME_DIR", "/run/user/4242", 1);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_defaults),
        cmocka_unit_test (test_keys),
        cmocka_unit_test (test_refused),
    };
    return cmocka_run_group_tests_name ("hb_config_hedger", tests, NULL, NULL);
}
