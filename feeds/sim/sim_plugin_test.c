/*  sim plugin glue tests: the plugin's ops against a fake host that records
    what is published and fires timers by hand (no reactor, no bus): start
    with its fast-forward, the publish timer, order latency, expiry, outage
    status, the bound on orders in flight, the account report (starting
    positions plus trades, positions only, silent in an outage), and a
    clean destroy.                                                          */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_plugin.h"
#include "sim_test_config.h"
#include "hb_plugin_cfg.h"
#include <unistd.h>

static hb_order_t
s_order (const char *symbol, const char *client_id, int side, int type, double qty, double px)
{
    hb_order_t order;
    memset (&order, 0, sizeof order);
    snprintf (order.venue, HB_NAME_MAX, "alpha");
    snprintf (order.symbol, HB_NAME_MAX, "%s", symbol);
    snprintf (order.client_id, HB_ID_MAX, "%s", client_id);
    order.side = (uint8_t) side;
    order.ord_type = (uint8_t) type;
    order.tif = HB_TIF_IOC;
    order.qty = qty;
    order.px = px;
    return order;
}

#define FAKE_TIMERS 512

//  the symbol the host dlsyms; linked in directly here
extern const hb_venue_ops_t hb_venue_plugin;

typedef struct {
    int64_t      now_ns;
    int          published [HB_MSG_TYPE_COUNT];
    hb_msg_t     last_ack;
    hb_msg_t     last_fill;
    hb_msg_t     last_account;
    hb_msg_t     last_funding;
    int64_t      last_ts_venue;
    uint32_t     status;
    int          status_calls;
    char         warning [512];     //  the last warning logged
    int          n_timers;
    struct {
        bool         active;
        uint64_t     interval_ms;
        size_t       times;
        hb_timer_fn *fn;
        void        *arg;
    } timers [FAKE_TIMERS];
} s_fake_t;

static int
s_fake_publish (void *ctx, hb_msg_t *msg)
{
    s_fake_t *fake = (s_fake_t *) ctx;
    assert_true (msg->env.type > 0 && msg->env.type < HB_MSG_TYPE_COUNT);
    fake->published [msg->env.type]++;
    fake->last_ts_venue = msg->env.ts_venue;
    if (msg->env.type == HB_MSG_ACK)
        fake->last_ack = *msg;
    if (msg->env.type == HB_MSG_FILL)
        fake->last_fill = *msg;
    if (msg->env.type == HB_MSG_ACCOUNT)
        fake->last_account = *msg;
    if (msg->env.type == HB_MSG_FUNDING)
        fake->last_funding = *msg;
    return 0;
}

static void
s_fake_log (void *ctx, int level, const char *format, ...)
{
    s_fake_t *fake = (s_fake_t *) ctx;
    if (level != HB_LOG_WARN)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (fake->warning, sizeof fake->warning, format, args);
    va_end (args);
}

static int64_t
s_fake_now (void *ctx)
{
    return ((s_fake_t *) ctx)->now_ns;
}

static int
s_fake_timer_add (void *ctx, uint64_t interval_ms, size_t times, hb_timer_fn *fn, void *arg)
{
    s_fake_t *fake = (s_fake_t *) ctx;
    if (fake->n_timers == FAKE_TIMERS)
        return -1;
    int id = fake->n_timers++;
    fake->timers [id].active = true;
    fake->timers [id].interval_ms = interval_ms;
    fake->timers [id].times = times;
    fake->timers [id].fn = fn;
    fake->timers [id].arg = arg;
    return id;
}

static int
s_fake_timer_cancel (void *ctx, int id)
{
    s_fake_t *fake = (s_fake_t *) ctx;
    assert_true (id >= 0 && id < fake->n_timers);
    fake->timers [id].active = false;
    return 0;
}

static void
s_fake_status (void *ctx, uint32_t status)
{
    s_fake_t *fake = (s_fake_t *) ctx;
    fake->status = status;
    fake->status_calls++;
}

//  Fires timer id as the host would (one-shot timers end).
static void
s_fire (s_fake_t *fake, int id)
{
    assert_true (fake->timers [id].active);
    if (fake->timers [id].times == 1)
        fake->timers [id].active = false;
    assert_int_equal (fake->timers [id].fn (fake->timers [id].arg), 0);
}

//  The sim's own sections of sim_test_config (3), as the file a host reads
//  them from (hb_plugin_cfg): the plugin reads its config itself.
static const char *s_sections =
    "market:\n"
    "  seed: 3\n"
    "  step_ms: 100\n"
    "  anchor: 1700000000\n"
    "  correlation: [[1, 0.6, 0.6, 0.6], [0.6, 1, 0.6, 0.6], [0.6, 0.6, 1, 0.6], [0.6, 0.6, 0.6, 1]]\n"
    "  jumps: { per_day: 10, std: 0.02 }\n"
    "venues:\n"
    "  alpha:\n"
    "    plugin: sim\n"
    "    sim: { seed: 7, basis_bps: 0, noise_bps: 2, spread_bps: 2, level_bps: 1, depth: 5,\n"
    "           level_usd: 50000, publish_ms: 250, latency_ms: 20,\n"
    "           outages: [ { at: 1000, duration: 60 } ] }\n";

static hb_plugin_cfg_t *s_pcfg;

static int
s_fake_section (void *ctx, const char *name, hb_cfg_node_t *out)
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

//  Writes text as the config's file.
static void
s_write_config (hb_config_t *config, const char *text)
{
    snprintf (config->path, sizeof config->path, "/tmp/sim_plugin_test.%d.yaml", (int) getpid ());
    FILE *file = fopen (config->path, "w");
    assert_non_null (file);
    fputs (text, file);
    fclose (file);
}

//  The fake host of fake for venue of config, its cfg_* filled
static hb_host_api_t
s_fake_host (s_fake_t *fake, hb_config_t *config, const hb_venue_cfg_t *venue)
{
    hb_host_api_t host = {
        .abi_version = HB_PLUGIN_ABI_VERSION, .size = sizeof (hb_host_api_t), .ctx = fake,
        .config = config, .venue = venue,
        .publish = s_fake_publish, .log = s_fake_log, .now_ns = s_fake_now,
        .timer_add = s_fake_timer_add, .timer_cancel = s_fake_timer_cancel,
        .set_status = s_fake_status, .cfg_section = s_fake_section, .cfg_errors = s_cfg_errors,
    };
    hb_plugin_cfg_fill (&host);
    return host;
}

static void
test_plugin (void **state)
{
    (void) state;
    hb_config_t *config = sim_test_config (3);
    s_write_config (config, s_sections);
    s_pcfg = hb_plugin_cfg_new (config, &config->venues [0], hb_venue_plugin.sections);
    assert_non_null (s_pcfg);
    s_fake_t *fake = (s_fake_t *) calloc (1, sizeof *fake);
    assert_non_null (fake);
    hb_host_api_t host = s_fake_host (fake, config, &config->venues [0]);
    const hb_venue_ops_t *ops = &hb_venue_plugin;
    assert_int_equal (ops->abi_version, HB_PLUGIN_ABI_VERSION);
    assert_true (ops->size >= HB_VENUE_OPS_MIN_SIZE);
    assert_string_equal (ops->name, "sim");

    //  one hour after the anchor: a fast-forward of 36,000 steps
    fake->now_ns = ANCHOR_NS + 3600 * INT64_C (1000000000) - 1;
    void *self = ops->create (&host);
    assert_non_null (self);
    assert_int_equal (ops->start (self), 0);
    assert_int_equal (fake->n_timers, 1);
    assert_int_equal (fake->timers [0].interval_ms, 250);
    assert_int_equal (fake->published [HB_MSG_TICK], N_INSTR);
    //  stamped with the sim time of the step (35,999), not the wall clock
    assert_int_equal (fake->last_ts_venue, ANCHOR_NS + 35999 * INT64_C (100000000));
    fake->now_ns += INT64_C (250000000);             //  the put has expired now
    s_fire (fake, 0);
    assert_int_equal (fake->published [HB_MSG_TICK], 2 * N_INSTR - 1);

    //  an order waits out its latency on a one-shot timer
    hb_order_t order = s_order ("BTC-PERP", "p1", HB_SIDE_BUY, HB_ORD_MARKET, 0.01, 0);
    assert_int_equal (ops->order (self, &order), 0);
    assert_int_equal (fake->n_timers, 2);
    assert_int_equal (fake->timers [1].interval_ms, 20);
    assert_int_equal (fake->timers [1].times, 1);
    assert_int_equal (fake->published [HB_MSG_ACK], 0);
    fake->now_ns += INT64_C (20000000);
    s_fire (fake, 1);
    assert_int_equal (fake->published [HB_MSG_FILL], 1);
    assert_int_equal (fake->last_ack.u.ack.status, HB_ACK_DONE);
    hb_cancel_t cancel;
    memset (&cancel, 0, sizeof cancel);
    snprintf (cancel.client_id, HB_ID_MAX, "p1");
    assert_int_equal (ops->cancel (self, &cancel), 0);
    assert_int_equal (fake->last_ack.u.ack.reason, HB_REJ_UNKNOWN_ORDER);

    //  the plugin follows the wall clock: set it inside the outage window
    //  (t = 1000 .. 1060 s) and out again
    fake->now_ns = ANCHOR_NS + 1010 * INT64_C (1000000000);
    int ticks = fake->published [HB_MSG_TICK];
    s_fire (fake, 0);
    assert_int_equal (fake->status, HB_TICK_OUTAGE);
    assert_int_equal (fake->published [HB_MSG_TICK], ticks);
    fake->now_ns = ANCHOR_NS + 1061 * INT64_C (1000000000);
    s_fire (fake, 0);
    assert_int_equal (fake->status, 0);
    assert_int_equal (fake->status_calls, 2);
    assert_true (fake->published [HB_MSG_TICK] > ticks);

    //  orders in flight are bounded: the 129th is refused at once
    for (int i = 0; i < 128; i++) {
        snprintf (order.client_id, HB_ID_MAX, "q%d", i);
        assert_int_equal (ops->order (self, &order), 0);
    }
    assert_int_equal (fake->published [HB_MSG_ACK], 2);
    snprintf (order.client_id, HB_ID_MAX, "q-over");
    assert_int_equal (ops->order (self, &order), 0);
    assert_int_equal (fake->published [HB_MSG_ACK], 3);
    assert_int_equal (fake->last_ack.u.ack.reason, HB_REJ_RATE_LIMIT);
    //  destroy cancels the publish timer and the 128 pending ones
    ops->destroy (&self);
    assert_null (self);
    for (int i = 0; i < fake->n_timers; i++)
        assert_false (fake->timers [i].active);
    ops->destroy (&self);

    assert_int_equal (hb_plugin_cfg_errors (s_pcfg), 0);
    hb_plugin_cfg_destroy (&s_pcfg);

    //  a venue without a sim section is refused, with FILE:LINE: KEY.PATH
    //  at its plugin: key
    s_write_config (config, "market: { seed: 3 }\nvenues:\n  alpha:\n    plugin: sim\n");
    s_pcfg = hb_plugin_cfg_new (config, &config->venues [0], hb_venue_plugin.sections);
    assert_null (ops->create (&host));
    char errbuf [1024] = "";
    hb_plugin_cfg_report (s_pcfg, errbuf, sizeof errbuf);
    char want [512];
    snprintf (want, sizeof want, "%s:4: venues.alpha.sim: missing", config->path);
    if (!strstr (errbuf, want))
        print_error ("want '%s' in:\n%s", want, errbuf);
    assert_non_null (strstr (errbuf, want));
    hb_plugin_cfg_destroy (&s_pcfg);
    unlink (config->path);
    free (fake);
    hb_config_destroy (&config);
}

//  Manual trades (venues.X.sim.manual_trades): at their time after the
//  start, executed on the account like a market order, their fills
//  published marked external, no ack (it answers nothing we sent); one the
//  venue refuses is only logged. Our own fills carry no flag.
static void
test_manual_trades (void **state)
{
    (void) state;
    hb_config_t *config = sim_test_config (3);
    s_write_config (config,
        "market: { seed: 3, step_ms: 100, anchor: 1700000000 }\n"
        "venues:\n"
        "  alpha:\n"
        "    plugin: sim\n"
        "    sim: { seed: 7, depth: 5, level_usd: 50000, publish_ms: 250,\n"
        "           manual_trades: [ { after: 20, symbol: BTC-PERP, side: sell, qty: 0.05 },\n"
        "                            { after: 30, symbol: BTC-PERP, side: buy, qty: 0.0000001 } ] }\n");
    s_pcfg = hb_plugin_cfg_new (config, &config->venues [0], hb_venue_plugin.sections);
    assert_non_null (s_pcfg);
    s_fake_t *fake = (s_fake_t *) calloc (1, sizeof *fake);
    assert_non_null (fake);
    hb_host_api_t host = s_fake_host (fake, config, &config->venues [0]);
    const hb_venue_ops_t *ops = &hb_venue_plugin;
    assert_true (ops->features & HB_VENUE_FEAT_FILL_FLAGS);
    fake->now_ns = ANCHOR_NS + 600 * INT64_C (1000000000);
    void *self = ops->create (&host);
    assert_non_null (self);
    assert_int_equal (hb_plugin_cfg_errors (s_pcfg), 0);
    assert_int_equal (ops->start (self), 0);
    //  the publish timer, then one one-shot timer per manual trade
    assert_int_equal (fake->n_timers, 3);
    assert_int_equal (fake->timers [1].interval_ms, 20000);
    assert_int_equal (fake->timers [1].times, 1);
    assert_int_equal (fake->timers [2].interval_ms, 30000);
    assert_int_equal (fake->published [HB_MSG_FILL], 0);

    //  one of ours first: no flag
    hb_order_t order = s_order ("BTC-PERP", "p1", HB_SIDE_BUY, HB_ORD_MARKET, 0.01, 0);
    assert_int_equal (ops->order (self, &order), 0);        //  no latency: at once
    assert_int_equal (fake->published [HB_MSG_FILL], 1);
    assert_int_equal (fake->last_fill.u.fill.flags, 0);
    int acks = fake->published [HB_MSG_ACK];

    fake->now_ns += INT64_C (20000000000);
    s_fire (fake, 1);
    assert_int_equal (fake->published [HB_MSG_FILL], 2);
    const hb_fill_t *fill = &fake->last_fill.u.fill;
    assert_int_equal (fill->flags, HB_FILL_EXTERNAL);
    assert_string_equal (fill->symbol, "BTC-PERP");
    assert_int_equal (fill->side, HB_SIDE_SELL);
    assert_true (fill->qty == 0.05);
    assert_non_null (strstr (fill->client_id, "sim-manual-"));
    assert_int_equal (fake->published [HB_MSG_ACK], acks);
    //  below the venue's minimum size: refused by the venue, nothing published
    fake->now_ns += INT64_C (10000000000);
    s_fire (fake, 2);
    assert_int_equal (fake->published [HB_MSG_FILL], 2);
    assert_int_equal (fake->published [HB_MSG_ACK], acks);

    ops->destroy (&self);
    hb_plugin_cfg_destroy (&s_pcfg);

    //  a manual trade on an instrument the venue does not have, or a side
    //  that is no side: refused at its line
    s_write_config (config,
        "market: { seed: 3 }\n"
        "venues:\n"
        "  alpha:\n"
        "    plugin: sim\n"
        "    sim: { manual_trades: [ { after: 1, symbol: DOGE-PERP, side: sell, qty: 1 },\n"
        "                            { after: 1, symbol: BTC-PERP, side: short, qty: 1 } ] }\n");
    s_pcfg = hb_plugin_cfg_new (config, &config->venues [0], hb_venue_plugin.sections);
    assert_null (ops->create (&host));
    char errbuf [2048] = "";
    hb_plugin_cfg_report (s_pcfg, errbuf, sizeof errbuf);
    assert_non_null (strstr (errbuf, "no instrument 'DOGE-PERP' on venue alpha"));
    assert_non_null (strstr (errbuf, "expected buy or sell"));
    hb_plugin_cfg_destroy (&s_pcfg);
    unlink (config->path);
    free (fake);
    hb_config_destroy (&config);
}

//  Liquidation (venues.X.sim.liquidation) through the plugin: a 10x long
//  made by a manual trade, publish timers fired until the price puts it
//  under maintenance; the fills are marked liquidation, the warning says
//  equity and maintenance, and it happens once.
static void
test_liquidation (void **state)
{
    (void) state;
    hb_config_t *config = sim_test_config (3);
    hb_venue_cfg_t *alpha = &config->venues [0];
    alpha->collateral_usd = 20000;
    alpha->balances [0] = alpha->balances [1] = 0;
    alpha->maintenance_margin = alpha->initial_margin;
    s_write_config (config,
        "market: { seed: 3, step_ms: 100, anchor: 1700000000 }\n"
        "venues:\n"
        "  alpha:\n"
        "    plugin: sim\n"
        "    sim: { seed: 7, level_usd: 500000, publish_ms: 250,\n"
        "           liquidation: { enabled: true, penalty_bps: 100 },\n"
        "           manual_trades: [ { after: 1, symbol: BTC-PERP, side: buy, qty: 3.2 } ] }\n");
    s_pcfg = hb_plugin_cfg_new (config, alpha, hb_venue_plugin.sections);
    assert_non_null (s_pcfg);
    s_fake_t *fake = (s_fake_t *) calloc (1, sizeof *fake);
    assert_non_null (fake);
    hb_host_api_t host = s_fake_host (fake, config, alpha);
    const hb_venue_ops_t *ops = &hb_venue_plugin;
    fake->now_ns = ANCHOR_NS + 600 * INT64_C (1000000000);
    void *self = ops->create (&host);
    assert_non_null (self);
    assert_int_equal (ops->start (self), 0);
    fake->now_ns += INT64_C (1000000000);
    s_fire (fake, 1);
    assert_int_equal (fake->published [HB_MSG_FILL], 1);
    assert_int_equal (fake->last_fill.u.fill.flags, HB_FILL_EXTERNAL);
    int fires = 0;
    while (fake->published [HB_MSG_FILL] == 1 && fires < 400000) {
        fake->now_ns += INT64_C (250000000);
        s_fire (fake, 0);
        fires++;
    }
    assert_int_equal (fake->published [HB_MSG_FILL], 2);    //  one level held it all
    const hb_fill_t *fill = &fake->last_fill.u.fill;
    assert_int_equal (fill->flags, HB_FILL_EXTERNAL | HB_FILL_LIQUIDATION);
    assert_int_equal (fill->side, HB_SIDE_SELL);
    assert_true (fill->qty == 3.2);
    assert_non_null (strstr (fake->warning, "LIQUIDATION 1 at step"));
    assert_non_null (strstr (fake->warning, "USD <= maintenance"));
    assert_non_null (strstr (fake->warning, "at a 100 bp penalty"));
    //  flat now: nothing more however the price goes
    for (int i = 0; i < 1000; i++) {
        fake->now_ns += INT64_C (250000000);
        s_fire (fake, 0);
    }
    assert_int_equal (fake->published [HB_MSG_FILL], 2);
    ops->destroy (&self);
    hb_plugin_cfg_destroy (&s_pcfg);
    unlink (config->path);
    free (fake);
    hb_config_destroy (&config);
}

//  The account tests' venue: sim_test_config (3) with a starting position
//  of 2 perps at 60000 and the sim section sim (one flow mapping's body),
//  created and started at 600 s; the caller ends it with s_account_end.
typedef struct {
    hb_config_t *config;
    s_fake_t    *fake;
    hb_host_api_t host;
    void        *self;
} s_account_fix_t;

static void
s_account_start (s_account_fix_t *fix, const char *sim)
{
    fix->config = sim_test_config (3);
    hb_position_cfg_t *start = hb_venue_cfg_add_position (&fix->config->venues [0]);
    assert_non_null (start);
    start->instrument = I_PERP;
    start->qty = 2;
    start->entry = 60000;
    char text [512];
    snprintf (text, sizeof text, "market: { seed: 3, step_ms: 100, anchor: 1700000000 }\n"
              "venues:\n  alpha:\n    plugin: sim\n    sim: { %s }\n", sim);
    s_write_config (fix->config, text);
    s_pcfg = hb_plugin_cfg_new (fix->config, &fix->config->venues [0], hb_venue_plugin.sections);
    assert_non_null (s_pcfg);
    fix->fake = (s_fake_t *) calloc (1, sizeof *fix->fake);
    assert_non_null (fix->fake);
    fix->host = s_fake_host (fix->fake, fix->config, &fix->config->venues [0]);
    fix->fake->now_ns = ANCHOR_NS + 600 * INT64_C (1000000000);
    fix->self = hb_venue_plugin.create (&fix->host);
    assert_non_null (fix->self);
    assert_int_equal (hb_venue_plugin.start (fix->self), 0);
}

static void
s_account_end (s_account_fix_t *fix)
{
    hb_venue_plugin.destroy (&fix->self);
    hb_plugin_cfg_destroy (&s_pcfg);
    unlink (fix->config->path);
    free (fix->fake);
    hb_config_destroy (&fix->config);
}

//  account_ms: the venue's positions as account.<venue>, the starting
//  position plus what traded, a position back to 0 left out; no report
//  without account_ms; none in an outage.
static void
test_account (void **state)
{
    (void) state;
    s_account_fix_t fix;
    s_account_start (&fix, "seed: 7, publish_ms: 250, account_ms: 1000, outages: [ { at: 1200, duration: 60 } ]");
    hb_config_t *config = fix.config;
    s_fake_t *fake = fix.fake;
    const hb_venue_ops_t *ops = &hb_venue_plugin;
    void *self = fix.self;
    assert_int_equal (fake->n_timers, 2);               //  publish, account
    assert_int_equal (fake->timers [1].interval_ms, 1000);
    s_fire (fake, 1);
    assert_int_equal (fake->published [HB_MSG_ACCOUNT], 1);
    const hb_account_t *a = &fake->last_account.u.account;
    assert_string_equal (a->venue, "alpha");
    assert_int_equal (a->flags, HB_ACCOUNT_NO_MARGIN | HB_ACCOUNT_NO_SPOT);
    assert_int_equal (a->n_positions, 1);
    assert_string_equal (a->positions [0].symbol, config->venues [0].instruments [I_PERP].symbol);
    assert_true (a->positions [0].qty == 2);

    //  a trade on another instrument, one in spot (a balance: not
    //  listed), and the starting one sold back
    const char *perp = config->venues [0].instruments [I_PERP].symbol;
    const char *eth = config->venues [0].instruments [I_ETH_PERP].symbol;
    const char *spot = config->venues [0].instruments [I_SPOT].symbol;
    hb_order_t order = s_order (eth, "a1", HB_SIDE_BUY, HB_ORD_MARKET, 0.5, 0);
    assert_int_equal (ops->order (self, &order), 0);
    order = s_order (spot, "a3", HB_SIDE_BUY, HB_ORD_MARKET, 0.5, 0);
    assert_int_equal (ops->order (self, &order), 0);
    order = s_order (perp, "a2", HB_SIDE_SELL, HB_ORD_MARKET, 2, 0);
    assert_int_equal (ops->order (self, &order), 0);
    s_fire (fake, 1);
    assert_int_equal (fake->published [HB_MSG_ACCOUNT], 2);
    assert_int_equal (a->n_positions, 1);
    assert_string_equal (a->positions [0].symbol, eth);
    assert_true (a->positions [0].qty == 0.5);
    //  the message is one the bus takes
    hb_msg_t msg = fake->last_account;
    strcpy (msg.env.publisher, "feed.alpha");
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);

    //  in an outage the venue says nothing
    fake->now_ns = ANCHOR_NS + 1210 * INT64_C (1000000000);
    s_fire (fake, 0);
    s_fire (fake, 1);
    assert_int_equal (fake->published [HB_MSG_ACCOUNT], 2);
    s_account_end (&fix);
}

//  account_margin: the report carries the venue's equity and margin, the
//  starting position included (margin on its notional); funding_ms: each
//  payment on the perpetual's position (longs pay at a positive rate)
//  leaves the account (the equity falls by it at the same prices), is
//  published as funding.<venue>.<symbol> and summed in funding_usd.
static void
test_account_margin_funding (void **state)
{
    (void) state;
    s_account_fix_t fix;
    s_account_start (&fix, "seed: 7, publish_ms: 250, account_ms: 1000, account_margin: true, "
                           "funding_ms: 500, funding_rate: 0.0002");
    hb_config_t *config = fix.config;
    s_fake_t *fake = fix.fake;
    assert_int_equal (fake->n_timers, 3);               //  publish, account, funding
    assert_int_equal (fake->timers [2].interval_ms, 500);
    s_fire (fake, 1);
    hb_account_t before = fake->last_account.u.account;
    const hb_instrument_cfg_t *perp = &config->venues [0].instruments [I_PERP];
    assert_int_equal (before.flags, HB_ACCOUNT_NO_SPOT);
    assert_true (before.equity_usd > 0);
    //  margin on the starting position's notional: 2 contracts near 60000
    double notional = before.initial_usd / config->venues [0].initial_margin;
    assert_true (notional > 2 * perp->multiplier * 50000 && notional < 2 * perp->multiplier * 80000);
    assert_true (fabs (before.maintenance_usd - notional * config->venues [0].maintenance_margin) < 1e-6);
    assert_true (fabs (before.withdrawable_usd - (before.equity_usd - before.initial_usd)) < 1e-6);
    assert_true (before.funding_usd == 0);

    s_fire (fake, 2);
    assert_int_equal (fake->published [HB_MSG_FUNDING], 1);
    const hb_funding_t *f = &fake->last_funding.u.funding;
    assert_string_equal (f->venue, "alpha");
    assert_string_equal (f->symbol, perp->symbol);
    char id [HB_ID_MAX];
    snprintf (id, sizeof id, "%s:%lld", perp->symbol, (long long) (fake->now_ns / 1000000));
    assert_string_equal (f->id, id);
    assert_true (f->qty == 2 && f->rate == 0.0002);
    assert_true (fabs (f->usd - notional * 0.0002) < 1e-6);
    hb_msg_t msg = fake->last_funding;
    strcpy (msg.env.publisher, "feed.alpha");
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);

    s_fire (fake, 1);
    const hb_account_t *after = &fake->last_account.u.account;
    assert_true (fabs (before.equity_usd - after->equity_usd - f->usd) < 1e-6);
    assert_true (fabs (after->funding_usd - f->usd) < 1e-12);
    msg = fake->last_account;
    strcpy (msg.env.publisher, "feed.alpha");
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    s_account_end (&fix);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_plugin),
        cmocka_unit_test (test_manual_trades),
        cmocka_unit_test (test_liquidation),
        cmocka_unit_test (test_account),
        cmocka_unit_test (test_account_margin_funding),
    };
    return cmocka_run_group_tests_name ("sim_plugin", tests, NULL, NULL);
}
