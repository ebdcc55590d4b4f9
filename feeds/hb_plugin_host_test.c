/*  hb_plugin_host tests: every kind of broken plugin is refused with a
    message that says what is wrong, good plugins are accepted, and the
    example plugin does what docs/PLUGINS.md says, against a stub host.

    Plugins are found next to this binary: <build>/tests/hb_plugin_host_test
    looks in <build>/tests/plugins and <build>/lib/hedgebus, so the plain
    build tests plain plugins and the ASan build ASan ones.                   */
#include "hb_plugin_host.h"
#include "hb_plugin_cfg.h"

#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

static char s_build [PATH_MAX];         //  <build>, from /proc/self/exe

static void
s_find_build (void)
{
    char exe [PATH_MAX];
    ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    assert_true (n > 0);
    exe [n] = 0;
    char *slash = strrchr (exe, '/');  //  .../<build>/tests/<name>
    assert_non_null (slash);
    *slash = 0;
    slash = strrchr (exe, '/');
    assert_non_null (slash);
    *slash = 0;
    snprintf (s_build, sizeof s_build, "%s", exe);
}

static void
s_test_plugin (char *path, size_t size, const char *name)
{
    if (!s_build [0])
        s_find_build ();
    int n = snprintf (path, size, "%s/tests/plugins/hb_venue_%s.so", s_build, name);
    assert_true (n > 0 && (size_t) n < size);
}

static void
s_venue_plugin (char *path, size_t size, const char *name)
{
    if (!s_build [0])
        s_find_build ();
    int n = snprintf (path, size, "%s/lib/hedgebus/hb_venue_%s.so", s_build, name);
    assert_true (n > 0 && (size_t) n < size);
}

//  Loads a plugin that must be refused, and checks the message names the
//  file and contains want.
static void
s_refused (const char *path, const char *want)
{
    char err [1024] = "untouched";
    hb_plugin_host_t *plugin = hb_plugin_host_new (path, err, sizeof err);
    if (plugin)
        fail_msg ("%s was accepted", path);
    print_message ("refused: %s\n", err);
    if (!strstr (err, path))
        fail_msg ("message does not name the file: %s", err);
    if (!strstr (err, want))
        fail_msg ("message lacks '%s': %s", want, err);
}

static void
test_bad_abi_refused (void **state)
{
    (void) state;
    char path [PATH_MAX];
    s_test_plugin (path, sizeof path, "bad_abi");
    s_refused (path, "built for ABI v999, this host speaks v5: rebuild it");
}

static void
test_small_struct_refused (void **state)
{
    (void) state;
    char path [PATH_MAX], want [128];
    s_test_plugin (path, sizeof path, "small_struct");
    snprintf (want, sizeof want, "struct too small: 8 bytes, need at least %u",
              (unsigned) HB_VENUE_OPS_MIN_SIZE);
    s_refused (path, want);
}

static void
test_missing_symbol_refused (void **state)
{
    (void) state;
    char path [PATH_MAX];
    s_test_plugin (path, sizeof path, "no_symbol");
    s_refused (path, "does not export 'hb_venue_plugin'");
}

static void
test_null_op_refused (void **state)
{
    (void) state;
    char path [PATH_MAX];
    s_test_plugin (path, sizeof path, "null_op");
    s_refused (path, "required operation 'order' is NULL");
}

static void
test_lying_size_refused (void **state)
{
    (void) state;
    char path [PATH_MAX], want [128];
    s_test_plugin (path, sizeof path, "lying_size");
    snprintf (want, sizeof want, "declares %zu bytes but the symbol is only %u bytes",
              sizeof (hb_venue_ops_t), (unsigned) HB_VENUE_OPS_MIN_SIZE);
    s_refused (path, want);
}

static void
test_missing_file_refused (void **state)
{
    (void) state;
    s_refused ("/nonexistent/dir/hb_venue_nothing.so", "No such file");
}

static void
test_not_a_shared_object_refused (void **state)
{
    (void) state;
    //  Tests run from the repo root: a C source is no ELF file.
    char path [PATH_MAX];
    assert_non_null (realpath ("feeds/hb_plugin_host.c", path));
    s_refused (path, "cannot load plugin");
}

//  ---------------------------------------------------------------------------
//  A stub host that records what the plugin does.

#define S_MAX_CAPTURED 64

typedef struct {
    hb_msg_t     msgs [S_MAX_CAPTURED];
    int          n_msgs;
    hb_timer_fn *timer_fn;
    void        *timer_arg;
    int          timers;
    int          cancels;
    uint32_t     status;
} s_stub_t;

//  The signature is the host API's: the host may stamp msg.
static int
// cppcheck-suppress constParameter
s_stub_publish (void *ctx, hb_msg_t *msg)
{
    s_stub_t *stub = (s_stub_t *) ctx;
    assert_true (stub->n_msgs < S_MAX_CAPTURED);
    stub->msgs [stub->n_msgs++] = *msg;
    return 0;
}

static void
s_stub_log (void *ctx, int level, const char *format, ...)
{
    (void) ctx;
    va_list args;
    va_start (args, format);
    printf ("plugin log %d: ", level);
    vprintf (format, args);
    printf ("\n");
    va_end (args);
}

static int64_t
s_stub_now (void *ctx)
{
    (void) ctx;
    return INT64_C(1790000000) * 1000000000;
}

static int
s_stub_timer_add (void *ctx, uint64_t interval_ms, size_t times, hb_timer_fn *fn, void *arg)
{
    (void) interval_ms;
    (void) times;
    s_stub_t *stub = (s_stub_t *) ctx;
    stub->timer_fn = fn;
    stub->timer_arg = arg;
    return stub->timers++;
}

static int
s_stub_timer_cancel (void *ctx, int id)
{
    (void) id;
    ((s_stub_t *) ctx)->cancels++;
    return 0;
}

static int
s_stub_fd_add (void *ctx, int fd, int events, hb_fd_fn *fn, void *arg)
{
    (void) ctx; (void) fd; (void) events; (void) fn; (void) arg;
    return -1;
}

static int
s_stub_fd_remove (void *ctx, int fd)
{
    (void) ctx; (void) fd;
    return -1;
}

static void
s_stub_set_status (void *ctx, uint32_t status)
{
    ((s_stub_t *) ctx)->status = status;
}

//  One asset (BTC at 50,000) and one venue "ex" with a spot instrument.
static hb_config_t *
s_config (void)
{
    hb_config_t *config = (hb_config_t *) calloc (1, sizeof *config);
    assert_non_null (config);
    config->n_assets = 1;
    snprintf (config->assets [0].name, HB_NAME_MAX, "BTC");
    config->assets [0].price = 50000;
    config->n_venues = 1;
    hb_venue_cfg_t *venue = &config->venues [0];
    snprintf (venue->name, HB_NAME_MAX, "ex");
    venue->enabled = true;
    venue->cpu = -1;
    venue->fee_taker = 0.001;
    hb_venue_cfg_alloc (venue, 1, 1);
    venue->n_instruments = 1;
    hb_instrument_cfg_t *inst = &venue->instruments [0];
    snprintf (inst->symbol, HB_NAME_MAX, "BTC-USD");
    inst->asset = 0;
    inst->kind = HB_KIND_SPOT;
    inst->multiplier = 1;
    inst->tick_size = 0.5;
    inst->lot_size = 0.001;
    inst->min_qty = 0.001;
    return config;
}

//  The plugin's own config: none unless a test writes a file (s_cfg_file).
static hb_plugin_cfg_t *s_pcfg;

static int
s_stub_section (void *ctx, const char *name, hb_cfg_node_t *out)
{
    (void) ctx;
    if (s_pcfg)
        return hb_plugin_cfg_section (s_pcfg, name, out);
    memset (out, 0, sizeof *out);
    return -1;
}

static int
s_stub_errors (void *ctx)
{
    (void) ctx;
    return s_pcfg ? hb_plugin_cfg_errors (s_pcfg) : 0;
}

//  Writes text as config's file and opens it for the venue's plugin.
static void
s_cfg_file (hb_config_t *config, const char *text)
{
    snprintf (config->path, sizeof config->path, "/tmp/hb_plugin_host_test.%d.yaml", (int) getpid ());
    FILE *file = fopen (config->path, "w");
    assert_non_null (file);
    fputs (text, file);
    fclose (file);
    s_pcfg = hb_plugin_cfg_new (config, &config->venues [0], NULL);
    assert_non_null (s_pcfg);
}

static hb_host_api_t
s_api (s_stub_t *stub, const hb_config_t *config)
{
    hb_host_api_t api = {
        .abi_version = HB_PLUGIN_ABI_VERSION, .size = sizeof (hb_host_api_t), .ctx = stub,
        .config = config, .venue = &config->venues [0],
        .publish = s_stub_publish, .log = s_stub_log, .now_ns = s_stub_now,
        .timer_add = s_stub_timer_add, .timer_cancel = s_stub_timer_cancel,
        .fd_add = s_stub_fd_add, .fd_remove = s_stub_fd_remove,
        .set_status = s_stub_set_status,
        .cfg_section = s_stub_section, .cfg_errors = s_stub_errors
    };
    hb_plugin_cfg_fill (&api);
    return api;
}

static hb_order_t
s_order (const char *symbol, int side, int type, double qty, double px, const char *id)
{
    hb_order_t order = { .side = (uint8_t) side, .ord_type = (uint8_t) type,
                         .tif = HB_TIF_IOC, .qty = qty, .px = px };
    snprintf (order.venue, HB_NAME_MAX, "ex");
    snprintf (order.symbol, HB_NAME_MAX, "%s", symbol);
    snprintf (order.client_id, HB_ID_MAX, "%s", id);
    return order;
}

static void
test_example_accepted_and_works (void **state)
{
    (void) state;
    char path [PATH_MAX], err [512];
    s_venue_plugin (path, sizeof path, "example");
    hb_plugin_host_t *plugin = hb_plugin_host_new (path, err, sizeof err);
    if (!plugin)
        fail_msg ("example refused: %s", err);
    assert_string_equal (hb_plugin_host_name (plugin), "example");
    assert_int_equal (hb_plugin_host_declared_size (plugin), sizeof (hb_venue_ops_t));
    assert_string_equal (hb_plugin_host_path (plugin), path);
    //  No instance yet: operations are refused, not crashed into.
    hb_order_t order = s_order ("BTC-USD", HB_SIDE_BUY, HB_ORD_MARKET, 0.01, 0, "c1");
    assert_int_equal (hb_plugin_host_order (plugin, &order), -1);

    hb_config_t *config = s_config ();
    s_stub_t *stub = (s_stub_t *) calloc (1, sizeof *stub);
    assert_non_null (stub);
    stub->status = 99;
    hb_host_api_t api = s_api (stub, config);
    assert_int_equal (hb_plugin_host_create (plugin, &api), 0);
    assert_int_equal (hb_plugin_host_create (plugin, &api), -1);       //  only one
    assert_int_equal (hb_plugin_host_start (plugin), 0);
    assert_int_equal (stub->timers, 1);
    assert_int_equal (stub->status, 0);

    //  start quotes at once: one tick, uncrossed, around the reference price
    assert_int_equal (stub->n_msgs, 1);
    const hb_tick_t *tick = &stub->msgs [0].u.tick;
    assert_int_equal (stub->msgs [0].env.type, HB_MSG_TICK);
    assert_string_equal (tick->symbol, "BTC-USD");
    assert_string_equal (tick->venue, "ex");
    assert_int_equal (tick->n_bids, 5);
    assert_int_equal (tick->n_asks, 5);
    assert_true (tick->bids [0].px < tick->asks [0].px);
    assert_true (fabs ((tick->bids [0].px + tick->asks [0].px) / 2 - 50000) < 50000 * 0.002);
    for (int i = 1; i < 5; i++) {
        assert_true (tick->bids [i].px < tick->bids [i - 1].px);
        assert_true (tick->asks [i].px > tick->asks [i - 1].px);
    }
    double best_ask = tick->asks [0].px;
    double best_bid = tick->bids [0].px;

    //  the timer quotes again
    assert_int_equal (stub->timer_fn (stub->timer_arg), 0);
    assert_int_equal (stub->n_msgs, 2);

    //  a market buy fills in full at the ask, taker fee on the notional
    stub->n_msgs = 0;
    assert_int_equal (hb_plugin_host_order (plugin, &order), 0);
    assert_int_equal (stub->n_msgs, 3);
    assert_int_equal (stub->msgs [0].env.type, HB_MSG_ACK);
    assert_int_equal (stub->msgs [0].u.ack.status, HB_ACK_ACCEPTED);
    assert_int_equal (stub->msgs [1].env.type, HB_MSG_FILL);
    const hb_fill_t *fill = &stub->msgs [1].u.fill;
    assert_string_equal (fill->client_id, "c1");
    assert_true (fill->px == best_ask);
    assert_true (fill->qty == 0.01);
    assert_true (fabs (fill->fee - 0.001 * 0.01 * best_ask) < 1e-9);
    assert_string_equal (fill->fee_asset, "USD");
    assert_int_equal (stub->msgs [2].u.ack.status, HB_ACK_DONE);
    assert_true (stub->msgs [2].u.ack.filled_qty == 0.01);

    //  a market sell at the bid
    stub->n_msgs = 0;
    order = s_order ("BTC-USD", HB_SIDE_SELL, HB_ORD_MARKET, 0.002, 0, "c2");
    assert_int_equal (hb_plugin_host_order (plugin, &order), 0);
    assert_int_equal (stub->n_msgs, 3);
    assert_true (stub->msgs [1].u.fill.px == best_bid);

    //  rejects, each with its reason
    struct { hb_order_t order; int reason; } cases [] = {
        { s_order ("ETH-USD", HB_SIDE_BUY, HB_ORD_MARKET, 0.01, 0, "r1"), HB_REJ_UNKNOWN_INSTRUMENT },
        { s_order ("BTC-USD", HB_SIDE_BUY, HB_ORD_LIMIT, 0.01, 49000, "r2"), HB_REJ_BAD_ORDER },
        { s_order ("BTC-USD", HB_SIDE_BUY, HB_ORD_MARKET, 0.0001, 0, "r3"), HB_REJ_BELOW_MIN_SIZE },
        { s_order ("BTC-USD", HB_SIDE_BUY, HB_ORD_MARKET, 0.0125, 0, "r4"), HB_REJ_OFF_LOT },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        stub->n_msgs = 0;
        assert_int_equal (hb_plugin_host_order (plugin, &cases [i].order), 0);
        assert_int_equal (stub->n_msgs, 1);
        assert_int_equal (stub->msgs [0].u.ack.status, HB_ACK_REJECTED);
        assert_int_equal (stub->msgs [0].u.ack.reason, cases [i].reason);
        assert_string_equal (stub->msgs [0].u.ack.client_id, cases [i].order.client_id);
    }
    hb_cancel_t cancel = { .venue = "ex", .symbol = "BTC-USD", .client_id = "c1" };
    stub->n_msgs = 0;
    assert_int_equal (hb_plugin_host_cancel (plugin, &cancel), 0);
    assert_int_equal (stub->msgs [0].u.ack.reason, HB_REJ_UNKNOWN_ORDER);

    hb_plugin_host_destroy (&plugin);
    assert_null (plugin);
    assert_int_equal (stub->cancels, 1);           //  destroy cancelled its timer
    hb_plugin_host_destroy (&plugin);              //  NULL-safe
    free (stub);
    hb_config_destroy (&config);
}

static void
test_example_refuses_bad_params (void **state)
{
    (void) state;
    char path [PATH_MAX], err [512];
    s_venue_plugin (path, sizeof path, "example");
    hb_plugin_host_t *plugin = hb_plugin_host_new (path, err, sizeof err);
    if (!plugin)
        fail_msg ("example refused: %s", err);
    hb_config_t *config = s_config ();
    //  its own section, venues.ex.example: refused with FILE:LINE: KEY.PATH
    snprintf (config->venues [0].plugin, HB_NAME_MAX, "example");
    s_cfg_file (config, "venues:\n  ex:\n    plugin: example\n    example: { interval_ms: soon, intervall: 1 }\n");
    s_stub_t *stub = (s_stub_t *) calloc (1, sizeof *stub);
    assert_non_null (stub);
    hb_host_api_t api = s_api (stub, config);
    assert_int_equal (hb_plugin_host_create (plugin, &api), -1);
    assert_int_equal (hb_plugin_host_start (plugin), -1);          //  no instance
    char errbuf [1024] = "", want [512];
    hb_plugin_cfg_report (s_pcfg, errbuf, sizeof errbuf);
    snprintf (want, sizeof want, "%s:4: venues.ex.example.interval_ms: ", config->path);
    if (!strstr (errbuf, want))
        print_error ("want '%s' in:\n%s", want, errbuf);
    assert_non_null (strstr (errbuf, want));
    snprintf (want, sizeof want, "%s:4: venues.ex.example.intervall: unknown key", config->path);
    assert_non_null (strstr (errbuf, want));
    hb_plugin_cfg_destroy (&s_pcfg);
    unlink (config->path);
    //  a good section is taken
    s_cfg_file (config, "venues:\n  ex:\n    plugin: example\n    example: { interval_ms: 250 }\n");
    assert_int_equal (hb_plugin_host_create (plugin, &api), 0);
    assert_int_equal (hb_plugin_host_start (plugin), 0);
    assert_int_equal (stub->timers, 1);
    hb_plugin_cfg_destroy (&s_pcfg);
    unlink (config->path);
    hb_plugin_host_destroy (&plugin);
    free (stub);
    hb_config_destroy (&config);
}

static void
s_accepted (const char *path, const char *name)
{
    char err [512];
    if (access (path, F_OK) != 0)
        skip ();                        //  not built (yet)
    hb_plugin_host_t *plugin = hb_plugin_host_new (path, err, sizeof err);
    if (!plugin)
        fail_msg ("%s refused: %s", path, err);
    assert_string_equal (hb_plugin_host_name (plugin), name);
    const hb_venue_ops_t *ops = hb_plugin_host_ops (plugin);
    assert_non_null (ops->create);
    assert_non_null (ops->destroy);
    hb_plugin_host_destroy (&plugin);
}

static void
test_sim_accepted (void **state)
{
    (void) state;
    char path [PATH_MAX];
    s_venue_plugin (path, sizeof path, "sim");
    s_accepted (path, "sim");
}

static void
test_flood_accepted (void **state)
{
    (void) state;
    char path [PATH_MAX];
    s_test_plugin (path, sizeof path, "flood");
    s_accepted (path, "flood");
}

static void
test_newer_plugin_accepted (void **state)
{
    (void) state;
    //  A larger struct from a newer header: accepted, extra members unread.
    char path [PATH_MAX], err [512];
    s_test_plugin (path, sizeof path, "newer");
    hb_plugin_host_t *plugin = hb_plugin_host_new (path, err, sizeof err);
    if (!plugin)
        fail_msg ("newer plugin refused: %s", err);
    assert_int_equal (hb_plugin_host_declared_size (plugin),
                      sizeof (hb_venue_ops_t) + sizeof (void (*) (void)));
    assert_string_equal (hb_plugin_host_name (plugin), "newer");
    hb_plugin_host_destroy (&plugin);
}

static void
test_abi_v3_accepted (void **state)
{
    (void) state;
    //  ABI v4 only appended optional operations: a v3 plugin loads, says
    //  v3, and has no transfer (the host refuses them in its place)
    char path [PATH_MAX], err [512];
    s_test_plugin (path, sizeof path, "abi_v3");
    hb_plugin_host_t *plugin = hb_plugin_host_new (path, err, sizeof err);
    if (!plugin)
        fail_msg ("v3 plugin refused: %s", err);
    assert_int_equal (hb_plugin_host_abi (plugin), 3);
    hb_transfer_t request;
    memset (&request, 0, sizeof request);
    errno = 0;
    assert_int_equal (hb_plugin_host_transfer (plugin, &request), -1);
    assert_int_equal (errno, ENOTSUP);
    assert_int_equal (hb_plugin_host_credit (plugin, &request), 0);
    hb_plugin_host_destroy (&plugin);
    //  ABI v5 only appended host functions (discovery): a v4 plugin loads
    s_test_plugin (path, sizeof path, "abi_v4");
    plugin = hb_plugin_host_new (path, err, sizeof err);
    if (!plugin)
        fail_msg ("v4 plugin refused: %s", err);
    assert_int_equal (hb_plugin_host_abi (plugin), 4);
    hb_plugin_host_destroy (&plugin);
    //  the sim is of this ABI and moves money
    s_venue_plugin (path, sizeof path, "sim");
    plugin = hb_plugin_host_new (path, err, sizeof err);
    assert_non_null (plugin);
    assert_int_equal (hb_plugin_host_abi (plugin), HB_PLUGIN_ABI_VERSION);
    assert_non_null (hb_plugin_host_ops (plugin)->transfer);
    assert_non_null (hb_plugin_host_ops (plugin)->credit);
    hb_plugin_host_destroy (&plugin);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_bad_abi_refused),
        cmocka_unit_test (test_small_struct_refused),
        cmocka_unit_test (test_missing_symbol_refused),
        cmocka_unit_test (test_null_op_refused),
        cmocka_unit_test (test_lying_size_refused),
        cmocka_unit_test (test_missing_file_refused),
        cmocka_unit_test (test_not_a_shared_object_refused),
        cmocka_unit_test (test_example_accepted_and_works),
        cmocka_unit_test (test_example_refuses_bad_params),
        cmocka_unit_test (test_sim_accepted),
        cmocka_unit_test (test_flood_accepted),
        cmocka_unit_test (test_newer_plugin_accepted),
        cmocka_unit_test (test_abi_v3_accepted),
    };
    return cmocka_run_group_tests_name ("hb_plugin_host", tests, NULL, NULL);
}
