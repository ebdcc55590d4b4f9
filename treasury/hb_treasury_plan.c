/*  hb_treasury_plan: see hb_treasury_plan.h for the rule. */
#include "hb_treasury_plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

//  A shortfall left below a cent is covered: amounts are doubles
#define S_EPS_USD   0.01

//  One venue's figures while planning
typedef struct {
    double   available;         //  USD that may still leave (less what is planned out)
    double   need;              //  USD of shortfall still to cover
    double   liq_s;
} s_venue_t;

//  The largest stress move of the config (for assets not in assets:)
static double
s_max_move (const hb_config_t *cfg)
{
    double max = 0;
    for (int a = 0; a < cfg->n_assets; a++)
        if (cfg->treasury.stress_move [a] > max)
            max = cfg->treasury.stress_move [a];
    return max;
}

static bool
s_margin_usable (const hb_config_t *cfg, int v, const hb_margin_t *m)
{
    if (strcmp (m->venue, cfg->venues [v].name) != 0 || !isfinite (m->equity_usd)
    ||  !isfinite (m->maintenance_usd) || m->maintenance_usd < 0
    ||  !isfinite (m->initial_usd) || m->initial_usd < 0 || m->n_assets > HB_MARGIN_ASSETS)
        return false;
    for (int i = 0; i < m->n_assets; i++)
        if (!isfinite (m->assets [i].exposure_usd))
            return false;
    return true;
}

static double s_price (const hb_config_t *cfg, const hb_treasury_input_t *in, const char *asset);

//  The stress figures of venue v into plan (see the rule)
static void
s_stress (const hb_config_t *cfg, const hb_treasury_input_t *in, int v, hb_capital_plan_t *plan)
{
    const hb_treasury_cfg_t *t = &cfg->treasury;
    const hb_margin_t *m = in->margin [v];
    bool stale = in->stale [v];
    double largest = s_max_move (cfg);
    double m_max = 0, net = 0;
    bool listed [HB_MAX_ASSETS] = { false };
    for (int i = 0; i < m->n_assets; i++) {
        int a = hb_config_asset_index (cfg, m->assets [i].asset);
        double move = a >= 0 ? t->stress_move [a] : largest;
        net += move * m->assets [i].exposure_usd;
        if (m->assets [i].exposure_usd != 0 && move > m_max)
            m_max = move;
        if (a >= 0)
            listed [a] = true;
    }
    //  the assets a truncated state leaves out: positions and coins
    for (int a = 0; (m->flags & HB_MARGIN_TRUNCATED) && a < cfg->n_assets; a++) {
        if (listed [a])
            continue;
        double x = in->position_usd [v][a]
                 + cfg->venues [v].balances [a] * s_price (cfg, in, cfg->assets [a].name);
        net += t->stress_move [a] * x;
        if (x != 0 && t->stress_move [a] > m_max)
            m_max = t->stress_move [a];
    }
    plan->equity_usd = m->equity_usd;
    plan->maintenance_usd = m->maintenance_usd;
    plan->stress_loss_usd = fabs (net);
    plan->direction = (int8_t) (net > 0 ? -1 : net < 0 ? 1 : 0);
    plan->required_usd = m->maintenance_usd * (1 + m_max) + fabs (net);
    plan->surplus_usd = m->equity_usd - plan->required_usd;
    double keep = plan->required_usd > m->initial_usd ? plan->required_usd : m->initial_usd;
    plan->available_usd = stale || m->equity_usd <= keep ? 0 : m->equity_usd - keep;
    if (plan->surplus_usd >= 0)
        plan->liq_s = -1;
    else
    if (m->equity_usd <= m->maintenance_usd)
        plan->liq_s = 0;
    else
        plan->liq_s = t->stress_minutes * 60 * (m->equity_usd - m->maintenance_usd)
                    / (plan->required_usd - m->maintenance_usd);
    plan->flags = (plan->surplus_usd < 0 ? HB_PLAN_SHORT : 0) | (stale ? HB_PLAN_STALE : 0)
                | (m->equity_usd <= m->maintenance_usd ? HB_PLAN_BREACH : 0);
}

static double
s_price (const hb_config_t *cfg, const hb_treasury_input_t *in, const char *asset)
{
    int a = hb_config_asset_index (cfg, asset);
    if (a < 0)
        return 1;                   //  a USD stablecoin
    double price = in->price [a];
    return isfinite (price) && price > 0 ? price : cfg->assets [a].price;
}

//  Appends transfer to plan's list, or marks the list truncated
static void
s_list (hb_capital_plan_t *plan, const hb_capital_transfer_t *transfer)
{
    if (plan->n_transfers < HB_PLAN_TRANSFERS)
        plan->transfers [plan->n_transfers++] = *transfer;
    else
        plan->flags |= HB_PLAN_TRUNCATED;
}

//  Timely routes into d, cheapest first (fee in USD, then the fastest)
typedef struct {
    int    route;
    double fee_usd;
    double arrival_s;
} s_choice_t;

static int
s_cheaper (const void *a, const void *b)
{
    const s_choice_t *x = (const s_choice_t *) a, *y = (const s_choice_t *) b;
    if (x->fee_usd != y->fee_usd)
        return x->fee_usd < y->fee_usd ? -1 : 1;
    if (x->arrival_s != y->arrival_s)
        return x->arrival_s < y->arrival_s ? -1 : 1;
    return x->route - y->route;     //  the config's order: plans are reproducible
}

//  Covers what it can of venue d's shortfall; returns the reason left
static hb_plan_reason_t
s_cover (const hb_config_t *cfg, const hb_treasury_input_t *in, int d, s_venue_t *venues,
         double *sent, hb_capital_plan_t *plans, const bool *planned, hb_treasury_result_t *result)
{
    const hb_treasury_cfg_t *t = &cfg->treasury;
    if (venues [d].need <= S_EPS_USD)
        return HB_PLAN_REASON_NONE;     //  what is in flight covers it
    if (venues [d].liq_s <= 0)
        return HB_PLAN_REASON_BREACH;
    s_choice_t choices [HB_MAX_ROUTES];
    int n = 0, routes = 0;
    for (int r = 0; r < t->n_routes; r++) {
        const hb_route_cfg_t *route = &t->routes [r];
        if (route->to != d)
            continue;
        routes++;
        double arrival = route->delay_s + route->spread_s;
        if (arrival < venues [d].liq_s)
            choices [n++] = (s_choice_t) { r, route->fee * s_price (cfg, in, route->asset), arrival };
    }
    if (routes == 0)
        return HB_PLAN_REASON_NO_ROUTE;
    if (n == 0)
        return HB_PLAN_REASON_TOO_SLOW;
    qsort (choices, (size_t) n, sizeof choices [0], s_cheaper);
    bool limited = false;
    for (int c = 0; c < n && venues [d].need > S_EPS_USD; c++) {
        const hb_route_cfg_t *route = &t->routes [choices [c].route];
        int s = route->from;
        if (!planned [s])
            continue;               //  no state of the source: nothing known to spare
        double price = s_price (cfg, in, route->asset);
        //  the same route again while it can still give (a max per transfer)
        while (venues [d].need > S_EPS_USD) {
            double spare = venues [s].available / price - route->fee;      //  units it can send
            double room = route->daily_limit > 0
                        ? route->daily_limit - in->used [choices [c].route] - sent [choices [c].route]
                        : INFINITY;
            double cap = route->max > 0 ? route->max : INFINITY;
            double bound = fmin (spare, fmin (room, cap));
            double amount = fmin (venues [d].need / price, bound);
            if (amount < route->min) {
                if (route->min <= bound)
                    amount = route->min;
                else {
                    //  the source could pay, but a limit of the route holds it back
                    if (spare >= route->min || spare * price >= venues [d].need)
                        limited = true;
                    break;
                }
            }
            if (!(amount > 0)) {
                limited |= spare > 0;   //  the daily limit is used up, not the source
                break;
            }
            hb_capital_transfer_t transfer = {
                .amount = amount, .amount_usd = amount * price, .fee = route->fee,
                .delay_s = route->delay_s, .spread_s = route->spread_s,
                .eta_ns = in->now_ns + (int64_t) (route->delay_s * 1e9)
            };
            strcpy (transfer.route, route->name);
            strcpy (transfer.from, cfg->venues [s].name);
            strcpy (transfer.to, cfg->venues [d].name);
            strcpy (transfer.asset, route->asset);
            strcpy (transfer.network, route->network);
            s_list (&plans [d], &transfer);
            s_list (&plans [s], &transfer);
            venues [s].available -= (amount + route->fee) * price;
            if (venues [s].available < 0)
                venues [s].available = 0;
            sent [choices [c].route] += amount;
            venues [d].need -= amount * price;
            plans [d].covered_usd += amount * price;
            result->transfers++;
        }
    }
    if (venues [d].need <= S_EPS_USD)
        return HB_PLAN_REASON_NONE;
    return limited ? HB_PLAN_REASON_LIMIT : HB_PLAN_REASON_NO_SURPLUS;
}

int
hb_treasury_reduce (const hb_config_t *cfg, const hb_margin_t *margin, const hb_capital_plan_t *plan,
                    const double *price, hb_reduce_t *out)
{
    memset (out, 0, sizeof *out);
    if (!(plan->flags & HB_PLAN_SHORT) || (plan->flags & (HB_PLAN_COVERED | HB_PLAN_STALE))
    ||  plan->reason == HB_PLAN_REASON_NONE || plan->reason >= HB_PLAN_REASON_COUNT)
        return 0;
    int best = -1, asset = -1;
    double worst = 0;
    for (int i = 0; i < margin->n_assets; i++) {
        int a = hb_config_asset_index (cfg, margin->assets [i].asset);
        double stressed = a >= 0 ? fabs (cfg->treasury.stress_move [a] * margin->assets [i].exposure_usd) : 0;
        if (stressed > worst && isfinite (stressed)) {
            worst = stressed;
            best = i;
            asset = a;
        }
    }
    double need = plan->required_usd * (1 + cfg->treasury.topup_buffer);
    double f = margin->equity_usd > 0 ? 1 - margin->equity_usd / need : 1;
    if (best < 0 || !(need > 0) || !(f > 0))
        return 0;
    double x = margin->assets [best].exposure_usd;
    double px = price [asset] > 0 && isfinite (price [asset]) ? price [asset] : cfg->assets [asset].price;
    out->reduce_usd = fmin (f, 1) * fabs (x);
    out->qty = -copysign (out->reduce_usd / px, x);
    out->exposure_usd = x;
    strcpy (out->venue, plan->venue);
    strcpy (out->asset, cfg->assets [asset].name);
    out->reason = plan->reason;
    out->plan = plan->plan;
    out->shortfall_usd = fmax (0, -plan->surplus_usd - plan->covered_usd);
    out->liq_s = fmax (0, plan->liq_s);
    return 1;
}

int
hb_treasury_plan (const hb_config_t *cfg, const hb_treasury_input_t *in,
                  hb_capital_plan_t *plans, bool *planned, hb_treasury_result_t *result)
{
    memset (result, 0, sizeof *result);
    s_venue_t venues [HB_MAX_VENUES];
    int order [HB_MAX_VENUES], n_short = 0;
    for (int v = 0; v < cfg->n_venues; v++) {
        hb_capital_plan_t *plan = &plans [v];
        memset (plan, 0, sizeof *plan);
        planned [v] = false;
        const hb_margin_t *m = in->margin [v];
        if (!m)
            continue;
        if (!s_margin_usable (cfg, v, m)) {
            result->bad++;
            continue;
        }
        strcpy (plan->venue, cfg->venues [v].name);
        plan->plan = in->plan;
        s_stress (cfg, in, v, plan);
        //  finite inputs can still sum past the largest double
        if (!isfinite (plan->required_usd) || !isfinite (plan->surplus_usd)
        ||  !isfinite (plan->available_usd) || !isfinite (plan->liq_s)) {
            memset (plan, 0, sizeof *plan);
            result->bad++;
            continue;
        }
        planned [v] = true;
        result->planned++;
        //  what is already on its way covers first (neither here nor
        //  there); what it leaves is planned with a buffer over what the
        //  stress needs, so that the next tick's drift makes no new need
        double need = plan->surplus_usd < 0 ? -plan->surplus_usd : 0;
        double pending = isfinite (in->pending_usd [v]) && in->pending_usd [v] > 0 ? in->pending_usd [v] : 0;
        if (need > 0 && pending >= need) {
            plan->covered_usd = need;
            need = 0;
        }
        else
        if (need > 0) {
            plan->covered_usd = pending;
            need += cfg->treasury.topup_buffer * plan->required_usd - pending;
        }
        venues [v] = (s_venue_t) { plan->available_usd, need, plan->liq_s };
        if (plan->surplus_usd < 0) {
            //  most urgent first (insertion: a handful of venues)
            int i = n_short++;
            while (i > 0 && venues [order [i - 1]].liq_s > plan->liq_s) {
                order [i] = order [i - 1];
                i--;
            }
            order [i] = v;
        }
    }
    double sent [HB_MAX_ROUTES] = { 0 };
    for (int i = 0; i < n_short; i++) {
        int d = order [i];
        plans [d].reason = (uint8_t) s_cover (cfg, in, d, venues, sent, plans, planned, result);
        result->short_venues++;
        if (plans [d].reason == HB_PLAN_REASON_NONE)
            plans [d].flags |= HB_PLAN_COVERED;
        else
            result->uncovered++;
    }
    //  what left a source is no longer available there
    for (int v = 0; v < cfg->n_venues; v++)
        if (planned [v])
            plans [v].available_usd = venues [v].available;
    return result->planned;
}
