/*  Every pre-trade control through the whole hedger and onto the bus: a
    request whose one order sits one unit inside a control's limit is sent
    (an order.* reaches a subscriber), one unit outside it is refused and a
    hedger.reject with the control's reason, and a detail naming the
    limit, reaches a subscriber. The hedger publishes with a real hb_pub;
    the test reads what arrives with hb_sub, as any operator tool would.

    The order: sell 10 BTC on beta (bid 65000, deep), limit price 64935
    (the 10 bp slippage allowance): notional 649,350 USD.                  */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hb_hedger.h"
#include "hb_log.h"
#include "hb_pub.h"
#include "hb_sub.h"
#include "hb_journal_testing.h"

#define S_MS    1000000LL
#define T0      (1800000000LL * 1000 * S_MS)
#define S_PX    64935.0                 //  the leg's limit price
#define S_USD   (10 * S_PX)             //  its notional

typedef struct {
    hb_config_t *cfg;
    char         dir [64];
    hb_pub_t    *pub;
    hb_sub_t    *sub;
    hb_hedger_t *hedger;
    hb_msg_t     in;
    int          serial;                //  request ids
} s_fx_t;

static int
s_send (const char *topic, hb_msg_t *msg, void *arg)
{
    return hb_pub_send (((s_fx_t *) arg)->pub, topic, msg);
}

static void
s_defaults (hb_config_t *cfg)
{
    hb_hedger_cfg_t *h = &cfg->hedger;
    h->max_order_usd = 1e7;
    memset (h->max_order_qty, 0, sizeof h->max_order_qty);
    h->collar_bps = 100;
    h->orders_per_s [0] = h->orders_per_s [1] = 100;
    h->burst = 100;
    h->max_net_usd [0] = 1e8;
    h->max_gross_usd = 0;
    h->max_day_usd = 1e9;
    h->max_request_age_ms = 2000;
    h->order_timeout_ms = 5000;
    h->max_utilization = 0.8;
}

static int
s_setup (void **state)
{
    s_fx_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    strcpy (fx->dir, "/tmp/hb_hedger_bus_test.XXXXXX");
    assert_non_null (mkdtemp (fx->dir));
    hb_config_t *cfg = calloc (1, sizeof *cfg);
    assert_non_null (cfg);
    cfg->n_assets = 1;
    strcpy (cfg->assets [0].name, "BTC");
    cfg->n_venues = 2;
    const char *names [] = { "alpha", "beta" };
    for (int v = 0; v < 2; v++) {
        hb_venue_cfg_t *venue = &cfg->venues [v];
        strcpy (venue->name, names [v]);
        venue->enabled = true;
        venue->fee_taker = 0.0002;
        hb_venue_cfg_alloc (venue, 1, 1);
        venue->n_instruments = 1;
        hb_instrument_cfg_t *ins = &venue->instruments [0];
        strcpy (ins->symbol, "BTC-PERP");
        ins->kind = HB_KIND_LINEAR_PERP;
        ins->multiplier = 1;
        ins->tick_size = 0.1;
        ins->lot_size = 0.001;
        ins->min_qty = 0.001;
    }
    cfg->risk.quote_stale_ms = 1000;
    s_defaults (cfg);
    snprintf (cfg->hedger.journal, sizeof cfg->hedger.journal, "%s/hedger.journal", fx->dir);
    snprintf (cfg->hedger.kill_file, sizeof cfg->hedger.kill_file, "%s/hedger.kill", fx->dir);
    snprintf (cfg->hedger.endpoint, sizeof cfg->hedger.endpoint, "ipc://%s/hedger.pub", fx->dir);
    fx->cfg = cfg;
    fx->pub = hb_pub_new (cfg->hedger.endpoint, "hedger", 0);
    fx->sub = hb_sub_new (0);
    assert_non_null (fx->pub);
    assert_non_null (fx->sub);
    assert_int_equal (hb_sub_connect (fx->sub, cfg->hedger.endpoint), 0);
    assert_int_equal (hb_sub_subscribe (fx->sub, "hedger.reject"), 0);
    assert_int_equal (hb_sub_subscribe (fx->sub, "order."), 0);
    assert_int_equal (hb_pub_wait_subscriber (fx->pub, "hedger.reject", 5000), 0);
    assert_int_equal (hb_pub_wait_subscriber (fx->pub, "order.beta.BTC-PERP", 5000), 0);
    *state = fx;
    return 0;
}

//  The hedger's journal and its day totals (<journal>.totals), markers too
static void
s_unlink_journals (const hb_config_t *cfg)
{
    hb_journal_testing_unlink (cfg->hedger.journal);
    char totals [sizeof cfg->hedger.journal + 8];
    snprintf (totals, sizeof totals, "%s.totals", cfg->hedger.journal);
    hb_journal_testing_unlink (totals);
}

static int
s_teardown (void **state)
{
    s_fx_t *fx = *state;
    hb_hedger_destroy (&fx->hedger);
    hb_sub_destroy (&fx->sub);
    hb_pub_destroy (&fx->pub);
    s_unlink_journals (fx->cfg);
    unlink (fx->cfg->hedger.kill_file);
    rmdir (fx->dir);
    hb_config_destroy (&fx->cfg);
    free (fx);
    return 0;
}

//  A fresh hedger (journal, day total and token buckets empty) with a
//  deep book on beta only
static void
s_fresh (s_fx_t *fx)
{
    hb_hedger_destroy (&fx->hedger);
    s_unlink_journals (fx->cfg);
    fx->hedger = hb_hedger_new (fx->cfg, s_send, fx, T0);
    assert_non_null (fx->hedger);
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    strcpy (msg.u.tick.venue, "beta");
    strcpy (msg.u.tick.symbol, "BTC-PERP");
    msg.u.tick.n_bids = msg.u.tick.n_asks = 1;
    msg.u.tick.bids [0] = (hb_level_t) { 65000, 100 };
    msg.u.tick.asks [0] = (hb_level_t) { 65001, 100 };
    assert_int_equal (hb_hedger_on_msg (fx->hedger, &msg, T0), 0);
}

//  A request to sell qty BTC, index at index, the exposure before it
//  exposure_usd. Returns its id (static).
static const char *
s_request (s_fx_t *fx, double qty, double index, double exposure_usd)
{
    static char id [32];
    snprintf (id, sizeof id, "r%d", ++fx->serial);
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_RISK_HEDGE;
    strcpy (msg.env.publisher, "risk");
    msg.env.ts_recv = T0;
    hb_risk_hedge_t *r = &msg.u.risk_hedge;
    strcpy (r->id, id);
    r->reasons = HB_RISK_REASON_BAND;
    r->n_targets = 1;
    strcpy (r->targets [0].asset, "BTC");
    r->targets [0].index = index;
    r->targets [0].exposure_usd = exposure_usd;
    r->targets [0].target_qty = -qty;
    r->targets [0].target_usd = -qty * index;
    hb_hedger_on_request (fx->hedger, &msg, HB_SEQ_OK, T0);
    return id;
}

//  What reached the bus for request id: "order", or the reason of its
//  hedger.reject (detail copied into detail)
static const char *
s_outcome (s_fx_t *fx, const char *id, char *detail)
{
    static char what [HB_NAME_MAX];
    char topic [HB_TOPIC_MAX];
    size_t len = strlen (id);
    while (hb_sub_recv (fx->sub, topic, sizeof topic, &fx->in, NULL, 3000) == 0) {
        if (fx->in.env.type == HB_MSG_ORDER
        &&  strncmp (fx->in.u.order.client_id, id, len) == 0 && fx->in.u.order.client_id [len] == '.')
            return "order";
        if (fx->in.env.type == HB_MSG_HEDGE_REJECT
        &&  strcmp (fx->in.u.hedge_reject.request_id, id) == 0) {
            snprintf (what, sizeof what, "%s", fx->in.u.hedge_reject.reason);
            snprintf (detail, HB_TEXT_MAX, "%s", fx->in.u.hedge_reject.detail);
            return what;
        }
    }
    return "nothing";
}

//  One control at limit - 1 unit and limit + 1 unit: the order, then the
//  reason with the limit's name in its detail
static void
s_pair (s_fx_t *fx, const char *name, double *limit, double inside, double outside, double index,
        double exposure_usd, const char *reason)
{
    char detail [HB_TEXT_MAX] = "";
    *limit = inside;
    s_fresh (fx);
    const char *got = s_outcome (fx, s_request (fx, 10, index, exposure_usd), detail);
    if (strcmp (got, "order") != 0)
        print_error ("%s at limit - 1: %s (%s)\n", name, got, detail);
    assert_string_equal (got, "order");
    *limit = outside;
    s_fresh (fx);
    got = s_outcome (fx, s_request (fx, 10, index, exposure_usd), detail);
    if (strcmp (got, reason) != 0)
        print_error ("%s at limit + 1: %s (%s)\n", name, got, detail);
    assert_string_equal (got, reason);
    assert_non_null (strstr (detail, name));
    s_defaults (fx->cfg);
}

static void
test_controls_on_the_bus (void **state)
{
    s_fx_t *fx = *state;
    hb_hedger_cfg_t *h = &fx->cfg->hedger;
    //  a unit: 1 USD of notional or exposure, one lot of quantity
    s_pair (fx, "max_order_usd", &h->max_order_usd, S_USD + 1, S_USD - 1, 65000, 650000,
            "max_order_usd");
    s_pair (fx, "max_order_qty", &h->max_order_qty [0], 10.001, 9.999, 65000, 650000,
            "max_order_qty");
    s_pair (fx, "max_day_usd", &h->max_day_usd, S_USD + 1, S_USD - 1, 65000, 650000,
            "max_day_usd");
    //  a sell that opens a short: net after = -10 x 65000
    s_pair (fx, "max_net_usd", &h->max_net_usd [0], 650001, 649999, 65000, 0, "max_net_usd");
    //  gross after = 0 + 10 x 65000 (no pos.BTC seen: gross 0)
    s_pair (fx, "max_gross_usd", &h->max_gross_usd, 650001, 649999, 65000, 650000,
            "max_gross_usd");
    //  collar, a unit of one cent: with the index at 65200, the sell's
    //  floor index x (1 - collar) one cent below the limit price, then above
    double below = (1 - (S_PX - 0.01) / 65200) * 1e4, above = (1 - (S_PX + 0.01) / 65200) * 1e4;
    s_pair (fx, "collar", &h->collar_bps, below, above, 65200, 650000, "collar");
}

//  The rate throttle, a unit of one order: burst 2, no refill to speak
//  of; the exposure grows by 1 BTC a request so each wants a new order
static void
test_rate_on_the_bus (void **state)
{
    s_fx_t *fx = *state;
    char detail [HB_TEXT_MAX] = "";
    fx->cfg->hedger.burst = 2;
    fx->cfg->hedger.orders_per_s [1] = 0.001;
    s_fresh (fx);
    for (int n = 1; n <= 2; n++)
        assert_string_equal (s_outcome (fx, s_request (fx, n, 65000, n * 65000.0), detail), "order");
    assert_string_equal (s_outcome (fx, s_request (fx, 3, 65000, 3 * 65000.0), detail),
                         "orders_per_s");
    assert_non_null (strstr (detail, "beta"));
    s_defaults (fx->cfg);
}

//  The kill switch: refused as killed, naming who; after a reset, sent
static void
test_kill_on_the_bus (void **state)
{
    s_fx_t *fx = *state;
    char detail [HB_TEXT_MAX] = "";
    s_fresh (fx);
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_HEDGER_CONTROL;
    msg.env.ts_pub = T0;
    hb_hedger_control_t *c = &msg.u.hedger_control;
    c->command = HB_CONTROL_KILL;
    strcpy (c->id, "k1");
    strcpy (c->by, "ops.alice");
    assert_int_equal (hb_hedger_on_control (fx->hedger, &msg, T0), 0);
    assert_string_equal (s_outcome (fx, s_request (fx, 10, 65000, 650000), detail), "killed");
    assert_non_null (strstr (detail, "ops.alice"));
    c->command = HB_CONTROL_RESET;
    strcpy (c->id, "k2");
    assert_int_equal (hb_hedger_on_control (fx->hedger, &msg, T0), 0);
    assert_string_equal (s_outcome (fx, s_request (fx, 10, 65000, 650000), detail), "order");
}

int
main (void)
{
    hb_log_init ("hedger_bus_test", HB_LOG_ERROR);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_controls_on_the_bus, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_rate_on_the_bus, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_kill_on_the_bus, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("hb_hedger_bus", tests, NULL, NULL);
}
