/*  hb_config tests: the default deployment loads with the right values,
    every broken config under tests/configs/bad/ is refused with the line and
    key path its '# expect:' lines name, and no YAML input crashes the loader.

    Plugins are looked up for real: the test makes its own plugin directory
    with empty hb_venue_sim.so and hb_venue_example.so files and points
    $HB_PLUGIN_PATH at it (behind a directory that does not exist, so the
    ':' search is exercised too).                                           */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hb_config.h"
#include "hb_log.h"

#define ERRBUF_SIZE 16384

static char s_dir [64];             //  temp dir: plugins and written configs
static char s_plugins [128];

static void
s_touch (const char *path)
{
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fclose (file);
}

//  Writes text to <s_dir>/name and returns the path (static buffer).
static const char *
s_write (const char *name, const char *text, size_t size)
{
    static char path [256];
    snprintf (path, sizeof path, "%s/%s", s_dir, name);
    FILE *file = fopen (path, "wb");
    assert_non_null (file);
    assert_int_equal (fwrite (text, 1, size, file), size);
    fclose (file);
    return path;
}

static int
s_setup (void **state)
{
    (void) state;
    strcpy (s_dir, "/tmp/hb_config_test.XXXXXX");
    if (!mkdtemp (s_dir))
        return -1;
    snprintf (s_plugins, sizeof s_plugins, "%s/plugins", s_dir);
    if (mkdir (s_plugins, 0700) != 0)
        return -1;
    char path [256];
    snprintf (path, sizeof path, "%s/hb_venue_sim.so", s_plugins);
    s_touch (path);
    snprintf (path, sizeof path, "%s/hb_venue_example.so", s_plugins);
    s_touch (path);
    //  a name no build directory holds, for the search test
    snprintf (path, sizeof path, "%s/hb_venue_testonly.so", s_plugins);
    s_touch (path);
    char search [256];
    snprintf (search, sizeof search, "%s/nothing-here::%s", s_dir, s_plugins);
    setenv ("HB_PLUGIN_PATH", search, 1);
    return 0;
}

static int
s_teardown (void **state)
{
    (void) state;
    char command [160];
    snprintf (command, sizeof command, "rm -rf '%s'", s_dir);
    return system (command) == 0 ? 0 : -1;
}

static hb_config_t *
s_load_ok (const char *path)
{
    char errbuf [ERRBUF_SIZE] = "";
    hb_config_t *cfg = hb_config_load_quiet (path, errbuf, sizeof errbuf);
    if (!cfg)
        print_message ("%s", errbuf);
    assert_non_null (cfg);
    assert_string_equal (errbuf, "");
    return cfg;
}

static void
test_default (void **state)
{
    (void) state;
    hb_config_t *cfg = s_load_ok ("config/default.yaml");
    assert_string_equal (cfg->path, "config/default.yaml");
    //  the demo names no run_dir: the per-user default (XDG_RUNTIME_DIR set in main)
    assert_string_equal (cfg->run_dir, "/run/user/4242/hedgebus");
    assert_int_equal (cfg->log_level, HB_LOG_INFO);

    //  assets in file order
    assert_int_equal (cfg->n_assets, 5);
    const char *names [] = { "BTC", "ETH", "SOL", "AVAX", "TKN" };
    for (int i = 0; i < 5; i++) {
        assert_string_equal (cfg->assets [i].name, names [i]);
        assert_int_equal (hb_config_asset_index (cfg, names [i]), i);
    }
    assert_true (cfg->assets [0].price == 65000);
    assert_true (cfg->assets [2].vol == 0.90);
    assert_int_equal (hb_config_asset_index (cfg, "DOGE"), -1);


    assert_int_equal (cfg->n_venues, 4);
    const hb_venue_cfg_t *alpha = hb_config_venue (cfg, "alpha");
    assert_non_null (alpha);
    assert_string_equal (alpha->plugin, "sim");
    char plugin [256];
    snprintf (plugin, sizeof plugin, "%s/hb_venue_sim.so", s_plugins);
    assert_string_equal (alpha->plugin_path, plugin);
    assert_string_equal (alpha->endpoint, "ipc:///run/user/4242/hedgebus/feed.alpha.pub");
    assert_true (alpha->enabled);
    assert_int_equal (alpha->cpu, -1);
    assert_true (alpha->fee_maker == 0.0001 && alpha->fee_taker == 0.0004);
    assert_true (alpha->initial_margin == 0.10 && alpha->maintenance_margin == 0.05);
    assert_true (alpha->collateral_usd == 2000000);
    assert_true (alpha->balances [0] == 5 && alpha->balances [1] == 50 && alpha->balances [2] == 0);
    const hb_instrument_cfg_t *perp = hb_venue_instrument (alpha, "ETH-PERP");
    assert_non_null (perp);
    assert_int_equal (perp->asset, 1);
    assert_int_equal (perp->kind, HB_KIND_LINEAR_PERP);
    assert_true (perp->multiplier == 1 && perp->tick_size == 0.01);
    assert_true (perp->lot_size == 0.01 && perp->min_qty == 0.01);
    assert_null (hb_venue_instrument (alpha, "ETH-INV"));

    const hb_venue_cfg_t *beta = hb_config_venue (cfg, "beta");
    assert_non_null (beta);
    const hb_instrument_cfg_t *inverse = hb_venue_instrument (beta, "BTC-INV");
    assert_non_null (inverse);
    assert_int_equal (inverse->kind, HB_KIND_INVERSE_PERP);
    assert_true (inverse->multiplier == 100);

    //  delta: TKN's one venue, in margin breach by design (no collateral)
    const hb_venue_cfg_t *delta = hb_config_venue (cfg, "delta");
    assert_non_null (delta);
    assert_true (delta->collateral_usd == 0 && delta->maintenance_margin == 0.20);
    assert_int_equal (hb_venue_instrument (delta, "TKN-PERP")->asset, 4);
    assert_true (cfg->risk.regime.proxy_floor == 0.45);

    const hb_venue_cfg_t *gamma = hb_config_venue (cfg, "gamma");
    assert_non_null (gamma);
    assert_true (gamma->fee_maker == -0.0001);
    const hb_instrument_cfg_t *call = hb_venue_instrument (gamma, "BTC-25JUN27-80000-C");
    assert_non_null (call);
    assert_int_equal (call->kind, HB_KIND_OPTION);
    assert_true (call->is_call);
    assert_true (call->strike == 80000 && call->iv == 0.55);
    assert_int_equal (call->expiry_ns, INT64_C(1813910400) * 1000000000);   //  2027-06-25T08:00:00Z
    const hb_instrument_cfg_t *put = hb_venue_instrument (gamma, "ETH-26MAR27-3000-P");
    assert_non_null (put);
    assert_false (put->is_call);
    assert_int_equal (put->asset, 1);
    const hb_instrument_cfg_t *future = hb_venue_instrument (gamma, "BTC-26MAR27");
    assert_non_null (future);
    assert_int_equal (future->kind, HB_KIND_FUTURE);
    assert_int_equal (future->expiry_ns, INT64_C(1806048000) * 1000000000);  //  2027-03-26T08:00:00Z

    assert_int_equal (cfg->n_components, 5);
    const hb_component_cfg_t *hedger = hb_config_component (cfg, "hedger");
    assert_non_null (hedger);
    assert_true (hedger->sends_orders);
    assert_string_equal (hedger->endpoint, "ipc:///run/user/4242/hedgebus/hedger.pub");
    assert_false (hb_config_component (cfg, "risk")->sends_orders);
    //  defaults: console (orders: true) on <run_dir>/console.pub; risk's
    //  own endpoint also listed as the component's, for the tools
    assert_string_equal (hb_config_component (cfg, "console")->endpoint,
                         "ipc:///run/user/4242/hedgebus/console.pub");
    assert_string_equal (hb_config_component (cfg, "risk")->endpoint,
                         "ipc:///run/user/4242/hedgebus/risk.pub");
    //  the capital planner, on its default endpoint, started by hb-run
    assert_string_equal (hb_config_component (cfg, "treasury")->endpoint,
                         "ipc:///run/user/4242/hedgebus/treasury.pub");
    assert_string_equal (hb_config_component (cfg, "treasury")->program, "hb-treasury");
    assert_int_equal (cfg->treasury.n_routes, 6);
    assert_null (hb_config_component (cfg, "nobody"));
    hb_config_destroy (&cfg);
    assert_null (cfg);
    hb_config_destroy (&cfg);       //  NULL-safe
}

//  Every default documented in docs/CONFIG.md that minimal.yaml leaves out.
static void
test_defaults (void **state)
{
    (void) state;
    hb_config_t *cfg = s_load_ok ("tests/configs/good/minimal.yaml");
    assert_string_equal (cfg->deployment, "minimal");
    //  the per-user default (hb_rundir.h), from XDG_RUNTIME_DIR set in main
    assert_string_equal (cfg->run_dir, "/run/user/4242/hedgebus");
    assert_int_equal (cfg->log_level, HB_LOG_INFO);
    assert_true (cfg->assets [0].drift == 0);
    const hb_venue_cfg_t *alpha = &cfg->venues [0];
    assert_string_equal (alpha->endpoint, "ipc:///run/user/4242/hedgebus/feed.alpha.pub");
    assert_true (alpha->enabled);
    assert_int_equal (alpha->cpu, -1);
    assert_true (alpha->fee_maker == 0 && alpha->fee_taker == 0);
    assert_true (alpha->initial_margin == 0.10 && alpha->maintenance_margin == 0.05);
    const hb_instrument_cfg_t *spot = &alpha->instruments [0];
    assert_int_equal (spot->line, 13);
    assert_true (spot->multiplier == 1);
    assert_true (spot->min_qty == spot->lot_size);
    assert_int_equal (cfg->n_components, 0);
    hb_config_destroy (&cfg);
}

static void
test_plugin_params (void **state)
{
    (void) state;
    hb_config_t *cfg = s_load_ok ("tests/configs/good/plugin_params.yaml");
    assert_string_equal (cfg->run_dir, "/var/tmp/hb-test");     //  trailing '/' dropped
    assert_int_equal (cfg->log_level, HB_LOG_DEBUG);
    assert_string_equal (cfg->assets [0].name, "ETH");
    const hb_venue_cfg_t *ext = hb_config_venue (cfg, "ext");
    assert_non_null (ext);
    assert_string_equal (ext->plugin, "example");
    assert_string_equal (ext->endpoint, "tcp://127.0.0.1:5601");
    assert_int_equal (ext->cpu, 1);
    assert_string_equal (hb_venue_param (ext, "api_url"), "https://example.invalid/v1");
    assert_string_equal (hb_venue_param (ext, "timeout_ms"), "1500");
    assert_null (hb_venue_param (ext, "nope"));
    assert_true (ext->balances [0] == 2.5 && ext->collateral_usd == 100000);
    assert_true (ext->instruments [0].multiplier == 0.1 && ext->instruments [0].min_qty == 5);
    assert_true (ext->instruments [1].expiry_ns == INT64_C(1806019200) * 1000000000);
    //  the alias shares the anchored fees block
    const hb_venue_cfg_t *spare = hb_config_venue (cfg, "spare");
    assert_false (spare->enabled);
    assert_string_equal (spare->plugin_path, "");
    assert_true (spare->fee_maker == -0.0001 && spare->fee_taker == 0.0003);
    assert_string_equal (spare->endpoint, "ipc:///var/tmp/hb-test/feed.spare.pub");
    assert_string_equal (hb_config_component (cfg, "recorder")->endpoint, "");
    assert_int_equal (hb_config_component (cfg, "hedger")->cpu, 0);
    hb_config_destroy (&cfg);
}

//  Reads the '# expect: LINE: PATH' lines at the top of a bad config.
static int
s_expects (const char *path, int *lines, char paths [][160], int max)
{
    FILE *file = fopen (path, "r");
    assert_non_null (file);
    char text [512];
    int n = 0;
    while (n < max && fgets (text, sizeof text, file)
       &&  sscanf (text, "# expect: %d: %159s", &lines [n], paths [n]) == 2)
        n++;
    fclose (file);
    return n;
}

//  Each error line is FILE:LINE: ... (or FILE: ... for file-level errors).
static void
s_check_format (const char *file, const char *errbuf)
{
    size_t len = strlen (file);
    for (const char *line = errbuf; *line; line = strchr (line, '\n') + 1) {
        assert_non_null (strchr (line, '\n'));
        assert_memory_equal (line, file, len);
        assert_int_equal (line [len], ':');
        const char *p = line + len + 1;
        while (*p >= '0' && *p <= '9')
            p++;
        assert_true (p > line + len + 1);
        assert_true (p [0] == ':' && p [1] == ' ');
    }
}

//  True when the file says its errors are a plugin's ('# plugin-owned').
static bool
s_plugin_owned (const char *path)
{
    FILE *file = fopen (path, "r");
    assert_non_null (file);
    char text [256];
    bool owned = false;
    while (!owned && fgets (text, sizeof text, file) && text [0] == '#')
        owned = strncmp (text, "# plugin-owned", 14) == 0;
    fclose (file);
    return owned;
}

static void
test_bad_configs (void **state)
{
    (void) state;
    glob_t found;
    assert_int_equal (glob ("tests/configs/bad/*.yaml", 0, NULL, &found), 0);
    assert_true (found.gl_pathc >= 20);
    int several = 0;
    for (size_t f = 0; f < found.gl_pathc; f++) {
        const char *file = found.gl_pathv [f];
        int lines [16];
        char paths [16][160];
        int n = s_expects (file, lines, paths, 16);
        if (n == 0)
            print_error ("%s: no '# expect:' line\n", file);
        assert_true (n > 0);
        several += n > 1;
        char errbuf [ERRBUF_SIZE] = "";
        hb_config_t *cfg = hb_config_load_quiet (file, errbuf, sizeof errbuf);
        if (s_plugin_owned (file)) {
            //  the plugin's sections are the plugin's to check (hb-feed,
            //  tests/it_bad_configs.sh): the core hands them over untouched
            if (!cfg)
                print_error ("%s: plugin-owned, but the core refuses it:\n%s", file, errbuf);
            assert_non_null (cfg);
            hb_config_destroy (&cfg);
            continue;
        }
        assert_null (cfg);
        s_check_format (file, errbuf);
        for (int i = 0; i < n; i++) {
            char want [PATH_MAX + 256];
            snprintf (want, sizeof want, "%s:%d: %s:", file, lines [i], paths [i]);
            if (!strstr (errbuf, want))
                print_error ("%s: want '%s' in:\n%s", file, want, errbuf);
            assert_non_null (strstr (errbuf, want));
        }
    }
    assert_true (several >= 1);
    globfree (&found);
}

//  All errors of one file are reported, each once, sorted by line.
static void
test_all_errors (void **state)
{
    (void) state;
    char errbuf [ERRBUF_SIZE] = "";
    assert_null (hb_config_load_quiet ("tests/configs/bad/several_errors.yaml", errbuf, sizeof errbuf));
    int count = 0, last = 0;
    for (const char *line = errbuf; *line; line = strchr (line, '\n') + 1) {
        int number = atoi (strchr (line, ':') + 1);
        assert_true (number >= last);
        last = number;
        count++;
    }
    assert_int_equal (count, 3);
    //  appended after what errbuf held
    strcpy (errbuf, "before\n");
    assert_null (hb_config_load_quiet ("tests/configs/bad/price_zero.yaml", errbuf, sizeof errbuf));
    assert_memory_equal (errbuf, "before\ntests/configs/bad/price_zero.yaml:7: ", 44);
    //  a tiny buffer is truncated, never overrun
    char tiny [24];
    memset (tiny, 0, sizeof tiny);
    assert_null (hb_config_load_quiet ("tests/configs/bad/several_errors.yaml", tiny, sizeof tiny));
    assert_true (strlen (tiny) < sizeof tiny);
}

static void
test_missing_file (void **state)
{
    (void) state;
    char errbuf [ERRBUF_SIZE] = "";
    assert_null (hb_config_load_quiet ("tests/configs/no-such-file.yaml", errbuf, sizeof errbuf));
    assert_non_null (strstr (errbuf, "tests/configs/no-such-file.yaml: No such file"));
    assert_null (hb_config_load_quiet (s_dir, errbuf, sizeof errbuf));      //  a directory
}

//  Whatever the bytes, the loader returns NULL with a message, never
//  crashes, and the message has the FILE:LINE: form.
static void
test_hostile_yaml (void **state)
{
    (void) state;
    static const char *inputs [] = {
        "   \n\n",
        "---\n",
        "~\n",
        "42\n",
        "\"just a string\"\n",
        "[1, 2\n",
        "a: &x [*x, *x]\n",                                     //  an alias inside its own anchor
        "hedgebus: 1\ndeployment: x\nassets: &a { BTC: *a }\nvenues: *a\n",
        "hedgebus: 1\n? [complex, key]\n: 1\n",
        "hedgebus: 1\n\tdeployment: tab\n",
        "hedgebus: 99999999999999999999999999999\n",
        "hedgebus: 1\ndeployment: x\nassets: { BTC: { price: 1e308, vol: 1e-400 } }\nvenues: {}\n",
        "hedgebus: 1\ndeployment: x\nassets: { BTC: { price: 1, vol: 0.1 } }\n"
            "venues: { alpha: { plugin: sim, sim: [], instruments: [] } }\n",
        "hedgebus: 1\ndeployment: x\nassets: { BTC: { price: 1, vol: 0.1 } }\nmarket: { correlation: [[]] }\n"
            "venues: { alpha: { plugin: ../../x, instruments: [ 5, [], { kind: option } ] } }\n",
        "hedgebus: 1\ndeployment: x\nassets: { BTC: { price: 1, vol: 0.1 } }\n"
            "market: { anchor: 2026-13-45T99:00:00Z, correlation: [[1]], regime: { at: -1 } }\n"
            "venues: { alpha: { plugin: sim, sim: { outages: [ 1, { at: 1, duration: 1, every: 2 } ] },"
            " instruments: [ { symbol: '', asset: [], kind: {} } ] } }\n",
        "hedgebus: !!binary aGVsbG8=\n",
        "hedgebus: 1\nhedgebus: 1\nhedgebus: 1\n",
    };
    char errbuf [ERRBUF_SIZE];
    for (size_t i = 0; i < sizeof inputs / sizeof inputs [0]; i++) {
        const char *path = s_write ("hostile.yaml", inputs [i], strlen (inputs [i]));
        errbuf [0] = 0;
        hb_config_t *cfg = hb_config_load_quiet (path, errbuf, sizeof errbuf);
        if (cfg)
            print_error ("loaded: %s\n", inputs [i]);
        assert_null (cfg);
        assert_true (strlen (errbuf) > 0);
        s_check_format (path, errbuf);
    }
    //  binary garbage with a NUL and invalid UTF-8
    static const char garbage [] = "hedgebus: 1\n\xff\xfe\x00\x01 assets: [\x80\n";
    const char *path = s_write ("garbage.yaml", garbage, sizeof garbage - 1);
    errbuf [0] = 0;
    assert_null (hb_config_load_quiet (path, errbuf, sizeof errbuf));
    assert_non_null (strstr (errbuf, "(yaml)"));

    //  deep nesting and the billion laughs: bounded time and memory
    size_t depth = 100000;
    char *deep = malloc (depth * 2 + 1);
    assert_non_null (deep);
    memset (deep, '[', depth);
    memset (deep + depth, ']', depth);
    deep [depth * 2] = 0;
    path = s_write ("deep.yaml", deep, depth * 2);
    free (deep);
    errbuf [0] = 0;
    assert_null (hb_config_load_quiet (path, errbuf, sizeof errbuf));
    assert_non_null (strstr (errbuf, ":1: (yaml): brackets nested deeper than"));
    //  shallower than the bracket guard, deeper than any schema: walked, refused
    char nested [256] = "hedgebus: ";
    for (int i = 0; i < 80; i++)
        strcat (nested, "[");
    for (int i = 0; i < 80; i++)
        strcat (nested, "]");
    path = s_write ("deep.yaml", nested, strlen (nested));
    errbuf [0] = 0;
    assert_null (hb_config_load_quiet (path, errbuf, sizeof errbuf));
    assert_non_null (strstr (errbuf, "nested too deeply"));
    //  block nesting without indentation ("- - - x") costs libyaml nothing
    char *compact = malloc (200001);
    assert_non_null (compact);
    for (int i = 0; i < 100000; i++)
        memcpy (compact + 2 * i, "- ", 2);
    strcpy (compact + 200000 - 2, "x\n");
    path = s_write ("compact.yaml", compact, strlen (compact));
    free (compact);
    errbuf [0] = 0;
    assert_null (hb_config_load_quiet (path, errbuf, sizeof errbuf));
    assert_non_null (strstr (errbuf, "nested too deeply"));

    char laughs [2048] = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int level = 1; level < 20; level++) {
        char line [128];
        snprintf (line, sizeof line, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n",
                  level, level, level - 1, level - 1, level - 1, level - 1, level - 1,
                  level - 1, level - 1, level - 1, level - 1, level - 1);
        strcat (laughs, line);
    }
    path = s_write ("laughs.yaml", laughs, strlen (laughs));
    errbuf [0] = 0;
    assert_null (hb_config_load_quiet (path, errbuf, sizeof errbuf));
    assert_non_null (strstr (errbuf, ":20: a19: unknown key"));
}

//  The plugin search: $HB_PLUGIN_PATH in order, a value with '/' as a path.
static void
test_plugin_search (void **state)
{
    (void) state;
    char text [1024], errbuf [ERRBUF_SIZE] = "";
    const char *format =
        "hedgebus: 1\ndeployment: p\nassets: { BTC: { price: 1, vol: 0.1 } }\n"
        "venues:\n  v:\n    plugin: %s\n"
        "    instruments: [ { symbol: B, asset: BTC, kind: spot, tick: 1, lot: 1 } ]\n";
    char plugin [256];
    snprintf (plugin, sizeof plugin, "%s/hb_venue_example.so", s_plugins);
    snprintf (text, sizeof text, format, plugin);
    const char *path = s_write ("plugin.yaml", text, strlen (text));
    hb_config_t *cfg = s_load_ok (path);
    assert_string_equal (cfg->venues [0].plugin, "example");
    assert_string_equal (cfg->venues [0].plugin_path, plugin);
    hb_config_destroy (&cfg);

    snprintf (text, sizeof text, format, "./hb_venue_nowhere.so");
    path = s_write ("plugin.yaml", text, strlen (text));
    assert_null (hb_config_load_quiet (path, errbuf, sizeof errbuf));
    assert_non_null (strstr (errbuf, ":6: venues.v.plugin: unknown plugin"));

    //  without the test directory on the path, testonly is not found
    char *saved = strdup (getenv ("HB_PLUGIN_PATH"));
    setenv ("HB_PLUGIN_PATH", "/nonexistent", 1);
    snprintf (text, sizeof text, format, "testonly");
    path = s_write ("plugin.yaml", text, strlen (text));
    errbuf [0] = 0;
    assert_null (hb_config_load_quiet (path, errbuf, sizeof errbuf));
    assert_non_null (strstr (errbuf, "unknown plugin"));
    assert_non_null (strstr (errbuf, "(value 'testonly')"));
    setenv ("HB_PLUGIN_PATH", saved, 1);
    free (saved);
    cfg = s_load_ok (path);
    hb_config_destroy (&cfg);
}

//  Starting positions and the aggregator's settings, given and defaulted.
static void
test_aggregator (void **state)
{
    (void) state;
    hb_config_t *cfg = s_load_ok ("config/default.yaml");
    const hb_aggregator_cfg_t *agg = &cfg->aggregator;
    assert_string_equal (agg->endpoint, "ipc:///run/user/4242/hedgebus/aggregator.pub");
    assert_string_equal (agg->snapshot_endpoint, "ipc:///run/user/4242/hedgebus/aggregator.snap");
    assert_string_equal (agg->journal, "/run/user/4242/hedgebus/aggregator.journal");
    assert_true (agg->max_fill_usd == 1e8);
    assert_int_equal (agg->fsync, HB_JOURNAL_FSYNC_ALWAYS);
    assert_int_equal (agg->snapshot_ms, 1000);
    assert_int_equal (agg->stale_ms, 5000);
    //  the demo book: long BTC and SOL perps on alpha, and the long spot leg
    //  of a basis trade whose short leg is on beta
    const hb_venue_cfg_t *alpha = hb_config_venue (cfg, "alpha");
    assert_int_equal (alpha->n_positions, 3);
    assert_string_equal (alpha->instruments [alpha->positions [2].instrument].symbol, "BTC-USD");
    assert_true (alpha->positions [2].qty == 60);
    const hb_venue_cfg_t *beta = hb_config_venue (cfg, "beta");
    assert_int_equal (beta->n_positions, 1);
    assert_true (beta->positions [0].qty == -60);
    assert_string_equal (alpha->instruments [alpha->positions [0].instrument].symbol, "BTC-PERP");
    assert_true (alpha->positions [0].qty == 10 && alpha->positions [0].entry == 64000);
    assert_int_equal (hb_config_venue (cfg, "gamma")->n_positions, 2);
    hb_config_destroy (&cfg);

    static const char text [] =
        "hedgebus: 1\n"
        "deployment: agg\n"
        "run_dir: /tmp/hb-agg-test\n"
        "assets: { BTC: { price: 65000, vol: 0.5 }, ETH: { price: 3400, vol: 0.7 } }\n"
        "venues:\n"
        "  v1:\n"
        "    plugin: example\n"
        "    mark_stale_ms: 1500\n"
        "    positions:\n"
        "      - { symbol: ETH-INV, qty: -300, entry: 3300.5 }\n"
        "      - { symbol: BTC-PERP, qty: 1.5, entry: 60000 }\n"
        "    instruments:\n"
        "      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }\n"
        "      - { symbol: ETH-INV, asset: ETH, kind: inverse_perp, multiplier: 10, tick: 0.05, lot: 1 }\n"
        "components:\n"
        "  aggregator:\n"
        "    journal: /var/tmp/fills.journal\n"
        "    fsync: interval\n"
        "    fsync_ms: 25\n"
        "    snapshot_ms: 250\n"
        "    stale_ms: 700\n"
        "    snapshot_endpoint: tcp://127.0.0.1:7001\n";
    cfg = s_load_ok (s_write ("agg.yaml", text, sizeof text - 1));
    agg = &cfg->aggregator;
    assert_string_equal (agg->endpoint, "ipc:///tmp/hb-agg-test/aggregator.pub");
    assert_string_equal (agg->snapshot_endpoint, "tcp://127.0.0.1:7001");
    assert_string_equal (agg->journal, "/var/tmp/fills.journal");
    assert_int_equal (agg->fsync, HB_JOURNAL_FSYNC_INTERVAL);
    assert_int_equal (agg->fsync_ms, 25);
    assert_int_equal (agg->snapshot_ms, 250);
    assert_int_equal (agg->stale_ms, 700);
    const hb_venue_cfg_t *v1 = hb_config_venue (cfg, "v1");
    assert_true (v1->mark_stale_ms == 1500);
    assert_int_equal (v1->n_positions, 2);
    assert_string_equal (v1->instruments [v1->positions [0].instrument].symbol, "ETH-INV");
    assert_true (v1->positions [0].qty == -300 && v1->positions [0].entry == 3300.5);
    assert_int_equal (v1->positions [1].instrument, 0);
    assert_true (v1->positions [1].qty == 1.5 && v1->positions [1].entry == 60000);
    hb_config_destroy (&cfg);
}

//  metrics: host:port per component and per venue; none by default.
static void
test_metrics (void **state)
{
    (void) state;
    hb_config_t *cfg = s_load_ok ("config/default.yaml");
    assert_string_equal (hb_config_metrics (cfg, "aggregator"), "");
    assert_string_equal (hb_config_metrics (cfg, "nobody"), "");
    hb_config_destroy (&cfg);
    static const char text [] =
        "hedgebus: 1\n"
        "deployment: m\n"
        "assets: { BTC: { price: 65000, vol: 0.5 } }\n"
        "venues:\n"
        "  v1:\n"
        "    plugin: example\n"
        "    metrics: 127.0.0.1:9201\n"
        "    instruments:\n"
        "      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }\n"
        "components:\n"
        "  aggregator: { metrics: \"localhost:9202\" }\n"
        "  risk: { metrics: \"[::1]:9203\" }\n"
        "  hedger: { metrics: \"0.0.0.0:9204\" }\n"
        "  console: { metrics: \"127.0.0.1:9205\" }\n";
    cfg = s_load_ok (s_write ("metrics.yaml", text, sizeof text - 1));
    assert_string_equal (hb_config_metrics (cfg, "v1"), "127.0.0.1:9201");
    assert_string_equal (hb_config_metrics (cfg, "feed.v1"), "127.0.0.1:9201");
    assert_string_equal (hb_config_metrics (cfg, "aggregator"), "localhost:9202");
    assert_string_equal (hb_config_metrics (cfg, "risk"), "[::1]:9203");
    assert_string_equal (hb_config_metrics (cfg, "hedger"), "0.0.0.0:9204");
    assert_string_equal (hb_config_metrics (cfg, "console"), "127.0.0.1:9205");
    hb_config_destroy (&cfg);
}

static void
test_names (void **state)
{
    (void) state;
    assert_string_equal (hb_kind_name (HB_KIND_SPOT), "spot");
    assert_string_equal (hb_kind_name (HB_KIND_INVERSE_PERP), "inverse_perp");
    assert_string_equal (hb_kind_name (HB_KIND_OPTION), "option");
    assert_string_equal (hb_kind_name ((hb_kind_t) 99), "?");
    assert_null (hb_config_venue (NULL, "alpha"));
    assert_null (hb_venue_instrument (NULL, "x"));
    assert_null (hb_venue_param (NULL, "x"));
    assert_int_equal (hb_config_asset_index (NULL, "BTC"), -1);
}

int
main (void)
{
    //  a fixed per-user runtime directory: the default run_dir is made from it
    setenv ("XDG_RUNTIME_DIR", "/run/user/4242", 1);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_default),
        cmocka_unit_test (test_defaults),
        cmocka_unit_test (test_plugin_params),
        cmocka_unit_test (test_bad_configs),
        cmocka_unit_test (test_all_errors),
        cmocka_unit_test (test_missing_file),
        cmocka_unit_test (test_hostile_yaml),
        cmocka_unit_test (test_plugin_search),
        cmocka_unit_test (test_names),
        cmocka_unit_test (test_aggregator),
        cmocka_unit_test (test_metrics),
    };
    return cmocka_run_group_tests_name ("hb_config", tests, s_setup, s_teardown);
}
