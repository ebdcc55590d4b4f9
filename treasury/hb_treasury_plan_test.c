/*  hb_treasury_plan: the planning rule on hand-built margin states. A short
    venue is covered by the cheapest route that arrives before the stressed
    liquidation; a route too slow is passed over even when cheaper; no
    route in time, no route, a breach, no surplus each give their reason;
    max, min and the daily limit (with what was sent today) hold; a stale
    source gives nothing; a state with NaN equity is counted and ignored.
    Every plan made encodes (the wire's rules hold).                      */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "hb_treasury_plan.h"

enum { ALPHA, BETA, GAMMA };
enum { R_SLOW, R_PRICEY, R_CHEAP, R_GAMMA };

//  BTC at 50000; a 25 % stress over 20 minutes; three venues; routes into
//  beta: a free one too slow, a fast one at 5, a timely one at 1; and one
//  from gamma
static hb_config_t s_cfg;       //  large: static rather than on a test's stack

static hb_config_t *
s_config (void)
{
    hb_config_t *cfg = &s_cfg;
    memset (cfg, 0, sizeof *cfg);
    cfg->n_assets = 1;
    strcpy (cfg->assets [0].name, "BTC");
    cfg->assets [0].price = 50000;
    cfg->n_venues = 3;
    strcpy (cfg->venues [ALPHA].name, "alpha");
    strcpy (cfg->venues [BETA].name, "beta");
    strcpy (cfg->venues [GAMMA].name, "gamma");
    hb_treasury_cfg_t *t = &cfg->treasury;
    for (int a = 0; a < HB_MAX_ASSETS; a++)
        t->stress_move [a] = 0.25;
    t->stress_minutes = 20;
    t->n_routes = 4;
    const struct { const char *name; int from, to; const char *asset, *network; double delay, spread, fee; } r [] = {
        { "slow", ALPHA, BETA, "USDC", "ethereum", 600, 0, 0 },
        { "pricey", ALPHA, BETA, "USDC", "internal", 10, 0, 5 },
        { "cheap", ALPHA, BETA, "USDC", "arbitrum", 120, 30, 1 },
        { "from-gamma", GAMMA, BETA, "BTC", "bitcoin", 300, 60, 0.0002 },
    };
    for (int i = 0; i < 4; i++) {
        hb_route_cfg_t *route = &t->routes [i];
        strcpy (route->name, r [i].name);
        route->from = r [i].from;
        route->to = r [i].to;
        strcpy (route->asset, r [i].asset);
        strcpy (route->network, r [i].network);
        route->delay_s = r [i].delay;
        route->spread_s = r [i].spread;
        route->fee = r [i].fee;
    }
    return cfg;
}

static void
s_margin (hb_margin_t *m, const char *venue, double equity, double maintenance, double initial,
          double btc_usd)
{
    memset (m, 0, sizeof *m);
    strcpy (m->venue, venue);
    m->equity_usd = equity;
    m->collateral_usd = equity;
    m->maintenance_usd = maintenance;
    m->initial_usd = initial;
    m->n_assets = 1;
    strcpy (m->assets [0].asset, "BTC");
    m->assets [0].exposure_usd = btc_usd;
}

typedef struct {
    hb_config_t *cfg;
    hb_margin_t margins [3];
    hb_treasury_input_t in;
    hb_capital_plan_t plans [HB_MAX_VENUES];
    bool planned [HB_MAX_VENUES];
    hb_treasury_result_t result;
} s_case_t;

//  alpha: 2M equity, long 500k BTC; beta: 150k equity, short 1M BTC
//  (needs 50k x 1.25 + 250k = 312.5k: short 162.5k, liquidated after
//  1200 x 100k / 262.5k = 457 s at the stress speed); gamma: none
static void
s_case (s_case_t *c)
{
    memset (c, 0, sizeof *c);
    c->cfg = s_config ();
    s_margin (&c->margins [ALPHA], "alpha", 2e6, 25000, 50000, 500000);
    s_margin (&c->margins [BETA], "beta", 150000, 50000, 100000, -1e6);
    s_margin (&c->margins [GAMMA], "gamma", 1e6, 0, 0, 0);
    c->in.margin [ALPHA] = &c->margins [ALPHA];
    c->in.margin [BETA] = &c->margins [BETA];
    c->in.now_ns = 1000000000000;
    c->in.plan = 7;
}

//  Plans, and checks every plan made is one the wire accepts
static void
s_plan (s_case_t *c)
{
    hb_treasury_plan (c->cfg, &c->in, c->plans, c->planned, &c->result);
    for (int v = 0; v < c->cfg->n_venues; v++) {
        if (!c->planned [v])
            continue;
        hb_msg_t msg;
        memset (&msg, 0, sizeof msg);
        msg.env.type = HB_MSG_CAPITAL_PLAN;
        strcpy (msg.env.publisher, "treasury");
        msg.env.seq = 1;
        msg.u.capital_plan = c->plans [v];
        hb_buf_t buf;
        assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    }
}

static double
s_into (const hb_capital_plan_t *plan, const char *route)
{
    double sum = 0;
    for (int i = 0; i < plan->n_transfers; i++)
        if (!route || strcmp (plan->transfers [i].route, route) == 0)
            sum += plan->transfers [i].amount;
    return sum;
}

static void
test_stress_figures (void **state)
{
    (void) state;
    s_case_t c;
    s_case (&c);
    s_plan (&c);
    assert_int_equal (c.result.planned, 2);
    assert_false (c.planned [GAMMA]);      //  no state
    const hb_capital_plan_t *beta = &c.plans [BETA];
    assert_string_equal (beta->venue, "beta");
    assert_int_equal (beta->plan, 7);
    assert_int_equal (beta->direction, 1);                 //  a short loses on the way up
    assert_float_equal (beta->stress_loss_usd, 250000, 1e-6);
    assert_float_equal (beta->required_usd, 312500, 1e-6);
    assert_float_equal (beta->surplus_usd, -162500, 1e-6);
    assert_float_equal (beta->liq_s, 1200.0 * 100000 / 262500, 1e-6);
    assert_true (beta->flags & HB_PLAN_SHORT);
    const hb_capital_plan_t *alpha = &c.plans [ALPHA];
    assert_int_equal (alpha->direction, -1);
    assert_float_equal (alpha->required_usd, 25000 * 1.25 + 125000, 1e-6);
    assert_float_equal (alpha->liq_s, -1, 0);
    assert_false (alpha->flags & HB_PLAN_SHORT);
    //  the stress is worst over up and down: flip beta to long, same need
    c.margins [BETA].assets [0].exposure_usd = 1e6;
    s_plan (&c);
    assert_int_equal (c.plans [BETA].direction, -1);
    assert_float_equal (c.plans [BETA].required_usd, 312500, 1e-6);
}

//  Money in flight to a short venue covers its shortfall first: only what
//  it leaves is planned, and when it covers it all nothing is planned
static void
test_pending_counts (void **state)
{
    (void) state;
    s_case_t c;
    s_case (&c);
    s_plan (&c);
    double whole = s_into (&c.plans [BETA], NULL);
    assert_float_equal (whole, 162500, 1e-6);
    c.in.pending_usd [BETA] = 100000;
    s_plan (&c);
    assert_float_equal (s_into (&c.plans [BETA], NULL), 62500, 1e-6);
    assert_float_equal (c.plans [BETA].covered_usd, 162500, 1e-6);
    assert_true (c.plans [BETA].flags & HB_PLAN_COVERED);
    c.in.pending_usd [BETA] = 200000;              //  more than the need
    s_plan (&c);
    assert_int_equal (c.plans [BETA].n_transfers, 0);
    assert_int_equal (c.result.transfers, 0);
    assert_float_equal (c.plans [BETA].covered_usd, 162500, 1e-6);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_NONE);
    assert_true (c.plans [BETA].flags & HB_PLAN_COVERED);
    assert_int_equal (c.result.uncovered, 0);
    //  in flight to a venue with no shortfall: nothing to cover, nothing counted
    c.in.pending_usd [ALPHA] = 5000;
    s_plan (&c);
    assert_float_equal (c.plans [ALPHA].covered_usd, 0, 0);
    //  a buffer: what is planned aims above the need; what is in flight
    //  that covers the need (not the buffer) is enough: no new transfer
    c.cfg->treasury.topup_buffer = 0.1;
    c.in.pending_usd [BETA] = 0;
    s_plan (&c);
    assert_float_equal (s_into (&c.plans [BETA], NULL), 162500 + 31250, 1e-6);
    c.in.pending_usd [BETA] = 100000;
    s_plan (&c);
    assert_float_equal (s_into (&c.plans [BETA], NULL), 62500 + 31250, 1e-6);
    c.in.pending_usd [BETA] = 162500;
    s_plan (&c);
    assert_int_equal (c.plans [BETA].n_transfers, 0);
    assert_true (c.plans [BETA].flags & HB_PLAN_COVERED);
    c.cfg->treasury.topup_buffer = 0;
    //  a breached venue is covered by what is in flight to it, not planned
    c.margins [BETA].equity_usd = 40000;
    c.in.pending_usd [BETA] = 1e6;
    s_plan (&c);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_NONE);
    assert_int_equal (c.plans [BETA].n_transfers, 0);
}

//  A margin state that lists only its 8 largest assets: the others come
//  from the positions and the configured coins
static void
test_truncated_margin (void **state)
{
    (void) state;
    s_case_t c;
    s_case (&c);
    c.cfg->n_assets = 2;
    strcpy (c.cfg->assets [1].name, "ETH");
    c.cfg->assets [1].price = 3000;
    c.cfg->treasury.stress_move [1] = 0.5;
    c.cfg->venues [BETA].balances [1] = 10;            //  30,000 USD of ETH coins
    c.in.position_usd [BETA][1] = -430000;             //  short 430,000 USD of ETH perps
    c.in.position_usd [BETA][0] = -1e6;                //  listed: not counted twice
    s_plan (&c);
    assert_float_equal (c.plans [BETA].required_usd, 312500, 1e-6);  //  not truncated: as listed
    c.margins [BETA].flags |= HB_MARGIN_TRUNCATED;
    s_plan (&c);
    //  BTC 0.25 x -1M + ETH 0.5 x (-430k + 30k): 450k lost going up, maintenance x 1.5
    assert_float_equal (c.plans [BETA].stress_loss_usd, 450000, 1e-6);
    assert_float_equal (c.plans [BETA].required_usd, 50000 * 1.5 + 450000, 1e-6);
    assert_int_equal (c.plans [BETA].direction, 1);
}

static void
test_cheapest_timely_route (void **state)
{
    (void) state;
    s_case_t c;
    s_case (&c);
    s_plan (&c);
    const hb_capital_plan_t *beta = &c.plans [BETA];
    assert_int_equal (beta->reason, HB_PLAN_REASON_NONE);
    assert_true (beta->flags & HB_PLAN_COVERED);
    //  "slow" is free but arrives after 600 s > 457 s; "cheap" (fee 1) beats "pricey" (fee 5)
    assert_int_equal (beta->n_transfers, 1);
    const hb_capital_transfer_t *t = &beta->transfers [0];
    assert_string_equal (t->route, "cheap");
    assert_string_equal (t->from, "alpha");
    assert_string_equal (t->to, "beta");
    assert_string_equal (t->asset, "USDC");
    assert_string_equal (t->network, "arbitrum");
    assert_float_equal (t->amount, 162500, 1e-6);
    assert_float_equal (t->fee, 1, 0);
    assert_int_equal (t->eta_ns, c.in.now_ns + 120 * 1000000000LL);
    assert_float_equal (beta->covered_usd, 162500, 1e-6);
    //  the source lists it too, and has that much (and the fee) less to spare
    assert_int_equal (c.plans [ALPHA].n_transfers, 1);
    assert_string_equal (c.plans [ALPHA].transfers [0].route, "cheap");
    assert_float_equal (c.plans [ALPHA].available_usd, 2e6 - 156250 - 162501, 1e-6);
    assert_int_equal (c.result.transfers, 1);
    assert_int_equal (c.result.uncovered, 0);
    //  with the spread counted, "cheap" (120 + 30 s) is too late for a venue
    //  liquidated within 140 s: "pricey" it is
    c.margins [BETA].equity_usd = 50000 + 262500 * 140.0 / 1200;
    s_plan (&c);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_NONE);
    assert_string_equal (c.plans [BETA].transfers [0].route, "pricey");
}

//  No route in time: beta is asked to move part of its BTC short off.
//  Required 312.5k x 1.05 (the buffer) against 150k of equity: f = 1 -
//  150 / 328.125 = 0.5429 of the 1M short, 10.857 BTC bought back at
//  50000; what the reduce says encodes; a covered, a stale or a surviving
//  venue asks nothing
static void
test_reduce (void **state)
{
    (void) state;
    s_case_t c;
    s_case (&c);
    c.cfg->treasury.topup_buffer = 0.05;
    for (int r = 0; r < c.cfg->treasury.n_routes; r++)
        c.cfg->treasury.routes [r].delay_s = 900;
    s_plan (&c);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_TOO_SLOW);
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    hb_reduce_t *r = &msg.u.reduce;
    assert_int_equal (hb_treasury_reduce (c.cfg, &c.margins [BETA], &c.plans [BETA], c.in.price, r), 1);
    double f = 1 - 150000 / (312500 * 1.05);
    assert_float_equal (r->reduce_usd, f * 1e6, 1e-6);
    assert_float_equal (r->qty, f * 1e6 / 50000, 1e-9);
    assert_float_equal (r->exposure_usd, -1e6, 0);
    assert_string_equal (r->venue, "beta");
    assert_string_equal (r->asset, "BTC");
    assert_int_equal (r->reason, HB_PLAN_REASON_TOO_SLOW);
    assert_int_equal (r->plan, 7);
    assert_float_equal (r->shortfall_usd, 162500, 1e-6);
    assert_float_equal (r->liq_s, c.plans [BETA].liq_s, 0);
    msg.env.type = HB_MSG_CAPITAL_REDUCE;
    strcpy (msg.env.publisher, "treasury");
    msg.env.seq = 1;
    strcpy (r->id, "beta.r1.1");
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    //  at the aggregator's price: fewer BTC for the same USD
    c.in.price [0] = 62500;
    assert_int_equal (hb_treasury_reduce (c.cfg, &c.margins [BETA], &c.plans [BETA], c.in.price, r), 1);
    assert_float_equal (r->qty, f * 1e6 / 62500, 1e-9);
    //  below zero equity: all of it
    c.margins [BETA].equity_usd = -10;
    assert_int_equal (hb_treasury_reduce (c.cfg, &c.margins [BETA], &c.plans [BETA], c.in.price, r), 1);
    assert_float_equal (r->reduce_usd, 1e6, 1e-6);
    //  alpha survives; a covered venue and a stale one ask nothing
    assert_int_equal (hb_treasury_reduce (c.cfg, &c.margins [ALPHA], &c.plans [ALPHA], c.in.price, r), 0);
    c.plans [BETA].flags |= HB_PLAN_COVERED;
    assert_int_equal (hb_treasury_reduce (c.cfg, &c.margins [BETA], &c.plans [BETA], c.in.price, r), 0);
    c.plans [BETA].flags &= ~HB_PLAN_COVERED;
    c.plans [BETA].flags |= HB_PLAN_STALE;
    assert_int_equal (hb_treasury_reduce (c.cfg, &c.margins [BETA], &c.plans [BETA], c.in.price, r), 0);
    assert_string_equal (r->venue, "");
}

static void
test_no_route_in_time (void **state)
{
    (void) state;
    s_case_t c;
    s_case (&c);
    c.cfg->treasury.routes [R_PRICEY].delay_s = 500;
    c.cfg->treasury.routes [R_CHEAP].delay_s = 450;         //  + 30 s of spread: 480 > 457
    c.cfg->treasury.routes [R_GAMMA].delay_s = 900;
    s_plan (&c);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_TOO_SLOW);
    assert_int_equal (c.plans [BETA].n_transfers, 0);
    assert_false (c.plans [BETA].flags & HB_PLAN_COVERED);
    assert_int_equal (c.result.uncovered, 1);
    //  a faster stress leaves even less time
    s_case (&c);
    c.cfg->treasury.stress_minutes = 2;     //  liquidated after 46 s
    s_plan (&c);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_NONE);
    assert_string_equal (c.plans [BETA].transfers [0].route, "pricey");
    c.cfg->treasury.stress_minutes = 0.1;   //  2.3 s: nothing is that fast
    s_plan (&c);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_TOO_SLOW);
    //  no route ends at beta at all
    s_case (&c);
    for (int r = 0; r < c.cfg->treasury.n_routes; r++)
        c.cfg->treasury.routes [r].to = GAMMA;
    c.cfg->treasury.routes [R_GAMMA].from = BETA;
    s_plan (&c);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_NO_ROUTE);
    //  at or below maintenance already
    s_case (&c);
    c.margins [BETA].equity_usd = 50000;
    s_plan (&c);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_BREACH);
    assert_true (c.plans [BETA].flags & HB_PLAN_BREACH);
    assert_float_equal (c.plans [BETA].liq_s, 0, 0);
}

static void
test_max_and_min (void **state)
{
    (void) state;
    s_case_t c;
    s_case (&c);
    c.cfg->treasury.routes [R_CHEAP].max = 50000;
    c.cfg->treasury.routes [R_CHEAP].min = 20000;
    s_plan (&c);
    const hb_capital_plan_t *beta = &c.plans [BETA];
    assert_int_equal (beta->reason, HB_PLAN_REASON_NONE);
    //  50k three times, then 12.5k raised to the 20k minimum
    assert_int_equal (beta->n_transfers, 4);
    for (int i = 0; i < beta->n_transfers; i++) {
        assert_string_equal (beta->transfers [i].route, "cheap");
        assert_true (beta->transfers [i].amount <= 50000);
        assert_true (beta->transfers [i].amount >= 20000);
    }
    assert_float_equal (s_into (beta, NULL), 170000, 1e-6);
    //  a minimum the source cannot pay passes the route over for the next
    s_case (&c);
    c.cfg->treasury.routes [R_CHEAP].min = 3e6;
    s_plan (&c);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_NONE);
    assert_string_equal (c.plans [BETA].transfers [0].route, "pricey");
    //  and when every timely route asks more than the source has, the
    //  route's limit is the reason (the source could cover the need)
    c.cfg->treasury.routes [R_PRICEY].min = 3e6;
    s_plan (&c);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_LIMIT);
    assert_int_equal (c.plans [BETA].n_transfers, 0);
}

static void
test_daily_limit (void **state)
{
    (void) state;
    s_case_t c;
    s_case (&c);
    c.cfg->treasury.routes [R_CHEAP].daily_limit = 100000;
    c.in.used [R_CHEAP] = 30000;            //  already sent today
    s_plan (&c);
    const hb_capital_plan_t *beta = &c.plans [BETA];
    assert_int_equal (beta->reason, HB_PLAN_REASON_NONE);
    assert_float_equal (s_into (beta, "cheap"), 70000, 1e-6);
    assert_float_equal (s_into (beta, "pricey"), 92500, 1e-6);
    //  a limit in BTC on the one route to a second short venue (served
    //  first: more urgent): it gets what the limit allows, and says limit
    s_case (&c);
    c.cfg->n_venues = 3;
    c.cfg->treasury.routes [R_GAMMA].from = ALPHA;
    c.cfg->treasury.routes [R_GAMMA].to = GAMMA;
    c.cfg->treasury.routes [R_GAMMA].daily_limit = 2;          //  BTC
    c.cfg->treasury.routes [R_GAMMA].delay_s = 10;
    c.cfg->treasury.routes [R_GAMMA].spread_s = 0;
    s_margin (&c.margins [GAMMA], "gamma", 100000, 50000, 60000, -1e6);
    c.in.margin [GAMMA] = &c.margins [GAMMA];
    s_plan (&c);
    assert_int_equal (c.plans [GAMMA].reason, HB_PLAN_REASON_LIMIT);
    assert_float_equal (s_into (&c.plans [GAMMA], "from-gamma"), 2, 1e-9);
    assert_float_equal (c.plans [GAMMA].covered_usd, 100000, 1e-6);
    //  a limit already used up
    c.in.used [R_GAMMA] = 2;
    s_plan (&c);
    assert_int_equal (c.plans [GAMMA].reason, HB_PLAN_REASON_LIMIT);
    assert_int_equal (c.plans [GAMMA].n_transfers, 0);
}

static void
test_no_surplus_and_stale (void **state)
{
    (void) state;
    s_case_t c;
    s_case (&c);
    c.margins [ALPHA].equity_usd = 200000;         //  44k to spare, 162.5k needed
    s_plan (&c);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_NO_SURPLUS);
    assert_true (c.plans [BETA].covered_usd > 40000 && c.plans [BETA].covered_usd < 43750);
    assert_float_equal (c.plans [ALPHA].available_usd, 0, 1e-6);
    //  a stale source gives nothing, and says it is stale
    s_case (&c);
    c.in.stale [ALPHA] = true;
    s_plan (&c);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_NO_SURPLUS);
    assert_true (c.plans [ALPHA].flags & HB_PLAN_STALE);
    assert_int_equal (c.plans [ALPHA].n_transfers, 0);
}

static void
test_bad_input (void **state)
{
    (void) state;
    s_case_t c;
    s_case (&c);
    c.margins [ALPHA].equity_usd = NAN;
    s_plan (&c);
    assert_int_equal (c.result.bad, 1);
    assert_false (c.planned [ALPHA]);
    assert_true (c.planned [BETA]);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_NO_SURPLUS);
    //  an exposure that is not finite, a negative margin, a state of another venue
    s_case (&c);
    c.margins [ALPHA].assets [0].exposure_usd = INFINITY;
    c.margins [BETA].maintenance_usd = -1;
    c.in.margin [GAMMA] = &c.margins [ALPHA];
    s_plan (&c);
    assert_int_equal (c.result.bad, 3);
    assert_int_equal (c.result.planned, 0);
    //  finite figures whose stress overflows a double
    s_case (&c);
    c.cfg->treasury.stress_move [0] = 4;
    c.margins [ALPHA].assets [0].exposure_usd = 1000;
    c.margins [BETA].assets [0].exposure_usd = 1e308;
    s_plan (&c);
    assert_int_equal (c.result.bad, 1);
    assert_false (c.planned [BETA]);
    assert_true (c.planned [ALPHA]);
    //  a price that is not usable falls back to the config's
    s_case (&c);
    c.cfg->treasury.routes [R_CHEAP].delay_s = 1000;
    c.cfg->treasury.routes [R_PRICEY].delay_s = 1000;
    c.in.margin [GAMMA] = &c.margins [GAMMA];
    c.in.price [0] = NAN;
    s_plan (&c);
    assert_int_equal (c.plans [BETA].reason, HB_PLAN_REASON_NONE);
    assert_string_equal (c.plans [BETA].transfers [0].route, "from-gamma");
    assert_float_equal (c.plans [BETA].transfers [0].amount, 162500.0 / 50000, 1e-9);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_stress_figures),
        cmocka_unit_test (test_pending_counts),
        cmocka_unit_test (test_truncated_margin),
        cmocka_unit_test (test_cheapest_timely_route),
        cmocka_unit_test (test_no_route_in_time),
        cmocka_unit_test (test_reduce),
        cmocka_unit_test (test_max_and_min),
        cmocka_unit_test (test_daily_limit),
        cmocka_unit_test (test_no_surplus_and_stale),
        cmocka_unit_test (test_bad_input),
    };
    return cmocka_run_group_tests_name ("hb_treasury_plan", tests, NULL, NULL);
}
