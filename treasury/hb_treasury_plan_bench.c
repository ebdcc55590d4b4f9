/*  hb_treasury_plan bench: the time of one planning decision for 10 venues
    x 20 assets x 50 routes (issue 19's size), half the venues short: the
    margin states list their 8 largest assets (truncated), the other 12 come
    from positions, so every path of the rule runs. Also the time to encode
    the 10 plans that decision publishes. Then the planner's work per
    margin.<venue> update when every update makes a decision (the worst
    case: hb-treasury decides every plan_ms, not per update): decode the
    update, plan, check each venue for a capital.reduce, encode the 10
    plans; against a baseline measured in the same run, decoding the
    update alone. In process (the bus and the clock not included), not
    the process's measured CPU. Usage: hb_treasury_plan_bench (N env:
    decisions, default 200000).                                           */
#include "hb_treasury_plan.h"
#include "hb_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_VENUES    10
#define S_ASSETS    20
#define S_ROUTES    50

static hb_config_t s_cfg;

static void
s_setup (hb_treasury_input_t *in, hb_margin_t *margins)
{
    hb_config_t *cfg = &s_cfg;
    cfg->n_assets = S_ASSETS;
    for (int a = 0; a < S_ASSETS; a++) {
        snprintf (cfg->assets [a].name, HB_NAME_MAX, "A%02d", a);
        cfg->assets [a].price = 10 + a;
        cfg->treasury.stress_move [a] = 0.2 + 0.01 * a;
    }
    cfg->treasury.stress_minutes = 20;
    cfg->n_venues = S_VENUES;
    memset (in, 0, sizeof *in);
    for (int v = 0; v < S_VENUES; v++) {
        snprintf (cfg->venues [v].name, HB_NAME_MAX, "venue%d", v);
        hb_margin_t *m = &margins [v];
        memset (m, 0, sizeof *m);
        strcpy (m->venue, cfg->venues [v].name);
        bool is_short = v % 2 == 1;
        m->equity_usd = is_short ? 300000 : 5e6;
        m->maintenance_usd = 100000;
        m->initial_usd = 200000;
        m->flags = HB_MARGIN_TRUNCATED;
        m->n_assets = HB_MARGIN_ASSETS;
        for (int i = 0; i < HB_MARGIN_ASSETS; i++) {
            strcpy (m->assets [i].asset, cfg->assets [i].name);
            m->assets [i].exposure_usd = (is_short ? -1 : 1) * 150000.0 / (i + 1);
        }
        for (int a = HB_MARGIN_ASSETS; a < S_ASSETS; a++)
            in->position_usd [v][a] = (is_short ? -1 : 1) * 5000.0 * a;
        in->margin [v] = m;
    }
    //  50 routes: every (from, to) pair of a surplus venue into a short one,
    //  with several networks, delays and fees, and limits that bind
    cfg->treasury.n_routes = S_ROUTES;
    for (int r = 0; r < S_ROUTES; r++) {
        hb_route_cfg_t *route = &cfg->treasury.routes [r];
        snprintf (route->name, HB_NAME_MAX, "route%02d", r);
        route->from = (r % 5) * 2;
        route->to = ((r / 5) % 5) * 2 + 1;
        strcpy (route->asset, r % 3 ? "USDC" : cfg->assets [r % S_ASSETS].name);
        strcpy (route->network, r % 3 ? "arbitrum" : "native");
        route->delay_s = 30 + 60 * (r % 7);
        route->spread_s = 10 * (r % 4);
        route->fee = 0.5 + r % 5;
        route->min = 10;
        route->max = r % 2 ? 50000 : 0;
        route->daily_limit = r % 4 == 0 ? 200000 : 0;
    }
}

int
main (void)
{
    const char *env = getenv ("N");
    long n = env ? atol (env) : 200000;
    if (n < 1)
        n = 1;
    static hb_margin_t margins [S_VENUES];
    static hb_treasury_input_t in;
    s_setup (&in, margins);
    hb_capital_plan_t plans [HB_MAX_VENUES];
    bool planned [HB_MAX_VENUES];
    hb_treasury_result_t result;
    //  one decision to check the scenario is what it says
    hb_treasury_plan (&s_cfg, &in, plans, planned, &result);
    printf ("   %d venues x %d assets x %d routes: %d planned, %d short, %d uncovered, %d transfers\n",
            S_VENUES, S_ASSETS, S_ROUTES, result.planned, result.short_venues, result.uncovered,
            result.transfers);
    if (result.planned != S_VENUES || result.short_venues == 0 || result.transfers == 0) {
        fprintf (stderr, "hb_treasury_plan_bench: the scenario does not plan what it should\n");
        return 1;
    }
    int64_t t0 = hb_mono_ns ();
    for (long i = 0; i < n; i++) {
        in.plan = (uint64_t) i;
        hb_treasury_plan (&s_cfg, &in, plans, planned, &result);
    }
    int64_t t1 = hb_mono_ns ();
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_CAPITAL_PLAN;
    strcpy (msg.env.publisher, "treasury");
    msg.env.seq = 1;
    hb_buf_t buf;
    long encoded = 0;
    int64_t t2 = hb_mono_ns ();
    for (long i = 0; i < n / 10 + 1; i++)
        for (int v = 0; v < S_VENUES; v++) {
            msg.u.capital_plan = plans [v];
            encoded += hb_msg_encode (&msg, &buf) == 0;
        }
    int64_t t3 = hb_mono_ns ();
    if (encoded != (n / 10 + 1) * S_VENUES) {
        fprintf (stderr, "hb_treasury_plan_bench: a plan did not encode\n");
        return 1;
    }
    printf ("   planning: %.2f us per decision (%ld decisions)\n", (double) (t1 - t0) / n / 1e3, n);
    printf ("   encoding: %.2f us for the %d plans of a decision\n",
            (double) (t3 - t2) / (n / 10 + 1) / 1e3, S_VENUES);

    //  per margin update: the encoded update of a short venue
    hb_msg_t update;
    memset (&update, 0, sizeof update);
    update.env.type = HB_MSG_MARGIN;
    strcpy (update.env.publisher, "aggregator");
    update.env.seq = 1;
    update.u.margin = margins [1];
    update.u.margin.n_assets = S_ASSETS;        //  the assets of the config, all named
    update.u.margin.flags = 0;
    hb_buf_t wire;
    if (hb_msg_encode (&update, &wire) != 0) {
        fprintf (stderr, "hb_treasury_plan_bench: the margin update does not encode\n");
        return 1;
    }
    long m = n / 4 + 1;
    hb_msg_t in_msg;
    hb_decode_reason_t why;
    long decoded = 0;
    int64_t b0 = hb_mono_ns ();
    for (long i = 0; i < m; i++)
        decoded += hb_msg_decode (&in_msg, wire.data, wire.size, &why) == 0;
    int64_t b1 = hb_mono_ns ();
    long reduces = 0;
    for (long i = 0; i < m; i++) {
        decoded += hb_msg_decode (&in_msg, wire.data, wire.size, &why) == 0;
        margins [1] = in_msg.u.margin;
        in.plan = (uint64_t) i;
        hb_treasury_plan (&s_cfg, &in, plans, planned, &result);
        for (int v = 0; v < S_VENUES; v++) {
            hb_reduce_t reduce;
            reduces += hb_treasury_reduce (&s_cfg, &margins [v], &plans [v], in.price, &reduce);
            msg.u.capital_plan = plans [v];
            encoded += hb_msg_encode (&msg, &buf) == 0;
        }
    }
    int64_t b2 = hb_mono_ns ();
    if (decoded != 2 * m) {
        fprintf (stderr, "hb_treasury_plan_bench: the margin update does not decode\n");
        return 1;
    }
    double base = (double) (b1 - b0) / m / 1e3, whole = (double) (b2 - b1) / m / 1e3;
    printf ("   per margin update: %.2f us (decode, plan, %d reduce checks, %d plans encoded; "
            "%ld reduces asked); baseline decode alone %.3f us: x%.0f\n", whole, S_VENUES, S_VENUES,
            reduces / m, base, whole / base);
    return 0;
}
