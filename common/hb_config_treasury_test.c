/*  treasury: the defaults, every key read from a good file, the component
    given its endpoint, and the refusals (tests/configs/bad/treasury_routes.yaml
    is also checked line by line by hb_config_test with the other bad files). */
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
    const hb_treasury_cfg_t *t = &cfg->treasury;
    assert_false (t->present);
    assert_float_equal (t->stress_move [0], 0.25, 0);
    assert_float_equal (t->stress_minutes, 20, 0);
    assert_int_equal (t->plan_ms, 1000);
    assert_int_equal (t->stale_ms, 10000);
    assert_string_equal (t->journal, "/run/user/4242/hedgebus/treasury.journal");
    assert_float_equal (t->timeout_s, 3600, 0);
    assert_float_equal (t->suggest_s, 60, 0);
    assert_float_equal (t->topup_buffer, 0.05, 0);
    assert_int_equal (t->n_routes, 0);
    assert_int_equal (t->cpu, -1);
    assert_string_equal (t->endpoint, "ipc:///run/user/4242/hedgebus/treasury.pub");
    //  not a process of this deployment
    assert_null (hb_config_component (cfg, "treasury"));
    hb_config_destroy (&cfg);
}

static void
test_keys (void **state)
{
    (void) state;
    hb_config_t *cfg = s_load ("tests/configs/good/treasury.yaml");
    const hb_treasury_cfg_t *t = &cfg->treasury;
    assert_true (t->present);
    assert_float_equal (t->stress_move [hb_config_asset_index (cfg, "BTC")], 0.25, 0);
    assert_float_equal (t->stress_move [hb_config_asset_index (cfg, "ETH")], 0.3, 0);
    assert_float_equal (t->stress_minutes, 20, 0);
    assert_int_equal (t->plan_ms, 500);
    assert_int_equal (t->stale_ms, 4000);
    assert_string_equal (t->journal, "/tmp/hedgebus-good-treasury/transfers.journal");
    assert_float_equal (t->timeout_s, 900, 0);
    assert_float_equal (t->suggest_s, 30, 0);
    assert_float_equal (t->topup_buffer, 0.1, 0);
    assert_int_equal (t->cpu, 1);
    assert_int_equal (t->n_routes, 2);
    const hb_route_cfg_t *r = &t->routes [0];
    assert_string_equal (r->name, "alpha-beta-usdc");
    assert_string_equal (cfg->venues [r->from].name, "alpha");
    assert_string_equal (cfg->venues [r->to].name, "beta");
    assert_string_equal (r->asset, "USDC");
    assert_string_equal (r->network, "arbitrum");
    assert_float_equal (r->delay_s, 300, 0);
    assert_float_equal (r->spread_s, 60, 0);
    assert_float_equal (r->fee, 1, 0);
    assert_float_equal (r->min, 100, 0);
    assert_float_equal (r->max, 5000000, 0);
    assert_float_equal (r->daily_limit, 20000000, 0);
    assert_true (r->automatic);
    r = &t->routes [1];
    assert_string_equal (r->name, "alpha-beta-btc");
    assert_float_equal (r->fee, 0, 0);
    assert_float_equal (r->max, 0, 0);
    assert_float_equal (r->daily_limit, 0, 0);
    assert_false (r->automatic);            //  suggestions only by default
    //  the component publishes on the treasury endpoint, and hb-run starts hb-treasury
    const hb_component_cfg_t *component = hb_config_component (cfg, "treasury");
    assert_non_null (component);
    assert_string_equal (t->endpoint, "ipc:///tmp/hedgebus-good-treasury/treasury.pub");
    assert_string_equal (component->endpoint, t->endpoint);
    assert_string_equal (component->program, "hb-treasury");
    hb_config_destroy (&cfg);
}

static void
test_refused (void **state)
{
    (void) state;
    char errbuf [8192] = "";
    assert_null (hb_config_load_quiet ("tests/configs/bad/treasury_routes.yaml", errbuf, sizeof errbuf));
    assert_non_null (strstr (errbuf, "treasury.stress_moves.DOGE: unknown asset 'DOGE'"));
    assert_non_null (strstr (errbuf, "treasury.routes.a-b.to: unknown venue 'delta'"));
    assert_non_null (strstr (errbuf, "treasury.routes.a-a: from and to are the same venue (alpha)"));
    assert_non_null (strstr (errbuf, "treasury.routes.tight: max (10) is below min (100)"));
}

int
main (void)
{
    setenv ("XDG_RUNTIME_DIR", "/run/user/4242", 1);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_defaults),
        cmocka_unit_test (test_keys),
        cmocka_unit_test (test_refused),
    };
    return cmocka_run_group_tests_name ("hb_config_treasury", tests, NULL, NULL);
}
