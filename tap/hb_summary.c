/*  hb_summary: see hb_summary.h. */
#include "hb_summary.h"
#include "hb_risk_sample.h"
#include "hb_time.h"
#include "hb_universe.h"

#include <czmq.h>
#include <fnmatch.h>
#include <math.h>
#include <string.h>

#define RECENT_MAX   6          //  fills / rejects kept for display
#define PUB_MAX      64         //  publishers tracked
#define SILENT_NS    (5 * HB_NS_PER_SEC)    //  a row or heartbeat this old is "silent"

typedef struct {
    const hb_venue_cfg_t      *venue;
    const hb_instrument_cfg_t *instrument;
    double   bid, ask, mark_iv;
    uint32_t flags;
    int64_t  last_ns;           //  local receive time of the last tick
    uint64_t ticks;
    bool     crossed;
    bool     filtered;          //  hidden by the filter (rows are the config's: matched once per filter)
} s_row_t;

//  One asset of the config: the aggregator's net exposure and the risk
//  process's view of it.
typedef struct {
    bool     has_pos, has_risk, has_optplan;
    hb_exposure_t   pos;
    hb_risk_asset_t risk;
    hb_risk_optplan_t optplan;      //  the last risk.optplan of the asset
} s_asset_t;

//  One venue of the config: its margin from the aggregator, its capital
//  plan from the treasury.
typedef struct {
    bool        has_margin;
    hb_margin_t margin;
    bool        has_plan;
    hb_capital_plan_t plan;
    bool        has_reduce;         //  the latest capital.reduce of the venue
    hb_reduce_t reduce;
} s_venue_t;

typedef struct {
    char     name [HB_NAME_MAX];
    uint64_t last_seq;
    uint64_t messages;
    uint64_t gaps, missed, restarts;
    int64_t  last_ns;
    int64_t  heartbeat_ns;
    uint32_t status;
} s_pubrow_t;

//  A panel's row in its display order: rank first (0 the most urgent),
//  then key, then key2, then index (the config's or the arrival order).
typedef struct {
    int    index;
    int    rank;
    double key, key2;
} s_order_t;

#define S_TRANSFERS_KEPT    16
#define S_TRANSFERS_SHOWN   6

struct _hb_summary_t {
    const hb_config_t *cfg;
    int64_t  started_ns;
    int      n_rows;
    s_row_t *rows;
    zhashx_t *by_key;           //  "venue/symbol" -> s_row_t *
    int      n_pubs;
    s_pubrow_t pubs [PUB_MAX];
    s_asset_t assets [HB_MAX_ASSETS];
    s_venue_t venues [HB_MAX_VENUES];
    //  the last status of the latest transfers (capital.transfer), by id;
    //  suggestions are shown as the latest per route, in place
    hb_transfer_t transfers [S_TRANSFERS_KEPT];
    int      n_transfers;
    bool     has_risk;
    hb_risk_exposure_t risk;        //  the latest risk.exposure part (its portfolio fields)
    hb_risk_sample_t *samples;      //  the parts joined: the regimes name pairs of the whole sample
    hb_universe_t *universe;        //  the instruments the feeds discovered (instrument.<venue>)
    char     recent [RECENT_MAX][256];
    int      n_recent;          //  total ever; ring index = n % RECENT_MAX
    uint64_t decode_errors;
    uint64_t messages;
    char     filter [64];       //  "" for none
    int      rows_max;          //  row budget per panel; 0: all
    int      first [HB_SUMMARY_PANELS];     //  first row shown, per panel
    s_order_t *order;           //  scratch for one panel's order
};

hb_summary_t *
hb_summary_new (const hb_config_t *cfg)
{
    hb_summary_t *self = (hb_summary_t *) zmalloc (sizeof (hb_summary_t));
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->started_ns = hb_mono_ns ();
    int total = 0;
    for (int v = 0; v < cfg->n_venues; v++)
        if (cfg->venues [v].enabled)
            total += cfg->venues [v].n_instruments;
    self->rows = (s_row_t *) zmalloc (sizeof (s_row_t) * (size_t) (total ? total : 1));
    self->by_key = zhashx_new ();
    self->samples = hb_risk_sample_new ();
    self->universe = hb_universe_new ();
    self->rows_max = HB_SUMMARY_ROWS;
    //  room for the largest panel: the instruments, or assets / publishers
    int most = total > HB_MAX_ASSETS ? total : HB_MAX_ASSETS;
    most = most > PUB_MAX ? most : PUB_MAX;
    self->order = (s_order_t *) zmalloc (sizeof (s_order_t) * (size_t) most);
    if (!self->rows || !self->by_key || !self->samples || !self->order || !self->universe) {
        hb_summary_destroy (&self);
        return NULL;
    }
    for (int v = 0; v < cfg->n_venues; v++) {
        const hb_venue_cfg_t *venue = &cfg->venues [v];
        if (!venue->enabled)
            continue;
        for (int i = 0; i < venue->n_instruments; i++) {
            s_row_t *row = &self->rows [self->n_rows++];
            row->venue = venue;
            row->instrument = &venue->instruments [i];
            char key [2 * HB_NAME_MAX + 2];
            snprintf (key, sizeof key, "%s/%s", venue->name, row->instrument->symbol);
            zhashx_insert (self->by_key, key, row);
        }
    }
    return self;
}

void
hb_summary_destroy (hb_summary_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_summary_t *self = *self_p;
    zhashx_destroy (&self->by_key);
    hb_risk_sample_destroy (&self->samples);
    hb_universe_destroy (&self->universe);
    free (self->rows);
    free (self->order);
    free (self);
    *self_p = NULL;
}

static s_pubrow_t *
s_pub_row (hb_summary_t *self, const char *name)
{
    for (int i = 0; i < self->n_pubs; i++)
        if (strcmp (self->pubs [i].name, name) == 0)
            return &self->pubs [i];
    if (self->n_pubs == PUB_MAX)
        return NULL;
    s_pubrow_t *row = &self->pubs [self->n_pubs++];
    snprintf (row->name, sizeof row->name, "%s", name);
    return row;
}

static void
s_recent (hb_summary_t *self, const char *line)
{
    snprintf (self->recent [self->n_recent % RECENT_MAX], sizeof self->recent [0], "%s", line);
    self->n_recent++;
}

static const char *
s_regime_state (int state)
{
    return state == 0 ? "stable" : state == 1 ? "shifting" : state == 2 ? "SHIFTED" : "?";
}

static const char *
s_regime_kind (int kind)
{
    return kind == 1 ? "corr_down" : kind == 2 ? "corr_up" : "-";
}

void
hb_summary_add (hb_summary_t *self, const char *topic, const hb_msg_t *msg,
                hb_seq_status_t status, int64_t now_ns)
{
    (void) topic;
    self->messages++;
    s_pubrow_t *pub = s_pub_row (self, msg->env.publisher);
    if (pub) {
        pub->messages++;
        pub->last_ns = now_ns;
        if (msg->env.seq > pub->last_seq || status == HB_SEQ_RESTART)
            pub->last_seq = msg->env.seq;
        if (status == HB_SEQ_GAP)
            pub->gaps++;
        if (status == HB_SEQ_RESTART)
            pub->restarts++;
    }
    char line [256];
    switch (msg->env.type) {
        case HB_MSG_TICK: {
            const hb_tick_t *tick = &msg->u.tick;
            char key [2 * HB_NAME_MAX + 2];
            snprintf (key, sizeof key, "%s/%s", tick->venue, tick->symbol);
            s_row_t *row = (s_row_t *) zhashx_lookup (self->by_key, key);
            if (!row)
                break;
            row->bid = tick->n_bids ? tick->bids [0].px : 0;
            row->ask = tick->n_asks ? tick->asks [0].px : 0;
            row->mark_iv = (tick->flags & HB_TICK_HAS_IV) ? tick->mark_iv : 0;
            row->flags = tick->flags;
            row->crossed = hb_tick_crossed (tick);
            row->last_ns = now_ns;
            row->ticks++;
            break;
        }
        case HB_MSG_FILL: {
            const hb_fill_t *fill = &msg->u.fill;
            snprintf (line, sizeof line, "fill   %-8s %-22s %-4s %g @ %.10g fee %.6g %s",
                      fill->venue, fill->symbol, hb_side_name (fill->side),
                      fill->qty, fill->px, fill->fee, fill->fee_asset);
            s_recent (self, line);
            break;
        }
        case HB_MSG_ACK:
            if (msg->u.ack.status == HB_ACK_REJECTED) {
                snprintf (line, sizeof line, "reject %-8s %-22s %s: %s",
                          msg->u.ack.venue, msg->u.ack.symbol,
                          hb_reject_name (msg->u.ack.reason), msg->u.ack.text);
                s_recent (self, line);
            }
            break;
        case HB_MSG_INSTRUMENT:
            hb_universe_apply (self->universe, &msg->u.instrument);
            break;
        case HB_MSG_EXPOSURE: {
            int a = hb_config_asset_index (self->cfg, msg->u.exposure.asset);
            if (a >= 0) {
                self->assets [a].has_pos = true;
                self->assets [a].pos = msg->u.exposure;
            }
            break;
        }
        case HB_MSG_MARGIN:
            for (int v = 0; v < self->cfg->n_venues; v++)
                if (strcmp (self->cfg->venues [v].name, msg->u.margin.venue) == 0) {
                    self->venues [v].has_margin = true;
                    self->venues [v].margin = msg->u.margin;
                }
            break;
        case HB_MSG_CAPITAL_PLAN:
            for (int v = 0; v < self->cfg->n_venues; v++)
                if (strcmp (self->cfg->venues [v].name, msg->u.capital_plan.venue) == 0) {
                    self->venues [v].has_plan = true;
                    self->venues [v].plan = msg->u.capital_plan;
                }
            break;
        case HB_MSG_CAPITAL_REDUCE:
            for (int v = 0; v < self->cfg->n_venues; v++)
                if (strcmp (self->cfg->venues [v].name, msg->u.reduce.venue) == 0) {
                    self->venues [v].has_reduce = true;
                    self->venues [v].reduce = msg->u.reduce;
                }
            break;
        case HB_MSG_RISK_CORR:
            hb_risk_sample_add (self->samples, msg, NULL);
            break;
        case HB_MSG_CAPITAL_TRANSFER: {
            const hb_transfer_t *t = &msg->u.transfer;
            int k = 0;
            while (k < self->n_transfers && strcmp (self->transfers [k].id, t->id) != 0
               &&  !(t->status == HB_TRANSFER_SUGGESTED && self->transfers [k].status == HB_TRANSFER_SUGGESTED
                     && strcmp (self->transfers [k].route, t->route) == 0))
                k++;
            if (k == self->n_transfers) {
                if (k == S_TRANSFERS_KEPT) {
                    //  the oldest goes
                    memmove (self->transfers, self->transfers + 1, (S_TRANSFERS_KEPT - 1) * sizeof *self->transfers);
                    k--;
                }
                else
                    self->n_transfers++;
            }
            self->transfers [k] = *t;
            break;
        }
        case HB_MSG_RISK_EXPOSURE: {
            //  a part's rows are current as they come; the regimes wait
            //  for the whole sample (hb_risk_sample counts what is lost)
            hb_risk_sample_add (self->samples, msg, NULL);
            const hb_risk_exposure_t *risk = &msg->u.risk_exposure;
            for (int i = 0; i < risk->count; i++) {
                int a = hb_config_asset_index (self->cfg, risk->assets [i].asset);
                if (a >= 0) {
                    self->assets [a].has_risk = true;
                    self->assets [a].risk = risk->assets [i];
                }
            }
            self->has_risk = true;
            self->risk = *risk;
            break;
        }
        case HB_MSG_RISK_REGIME: {
            const hb_risk_regime_t *regime = &msg->u.risk_regime;
            snprintf (line, sizeof line, "regime %s:%s %s -> %s %s statistic %.2f corr %.2f ratio %.4g",
                      regime->target, regime->proxy, s_regime_state (regime->previous),
                      s_regime_state (regime->state), s_regime_kind (regime->kind),
                      regime->statistic, regime->corr_fast, regime->ratio);
            s_recent (self, line);
            break;
        }
        case HB_MSG_RISK_OPTPLAN: {
            const hb_risk_optplan_t *plan = &msg->u.risk_optplan;
            int a = hb_config_asset_index (self->cfg, plan->asset);
            if (a >= 0) {
                self->assets [a].has_optplan = true;
                self->assets [a].optplan = *plan;
            }
            snprintf (line, sizeof line, "optplan %s %s %d legs gamma %.0f -> %.0f", plan->id,
                      plan->asset, plan->n_legs, plan->gamma_before, plan->gamma_after);
            s_recent (self, line);
            break;
        }
        case HB_MSG_RISK_HEDGE: {
            const hb_risk_hedge_t *hedge = &msg->u.risk_hedge;
            int n = snprintf (line, sizeof line, "hedge  %s", hedge->id);
            for (int i = 0; i < hedge->n_targets && n > 0 && (size_t) n < sizeof line; i++)
                n += snprintf (line + n, sizeof line - (size_t) n, " %s %+.6g",
                               hedge->targets [i].asset, hedge->targets [i].target_qty);
            s_recent (self, line);
            break;
        }
        case HB_MSG_HEARTBEAT:
            if (pub) {
                pub->heartbeat_ns = now_ns;
                pub->status = msg->u.heartbeat.status;
            }
            break;
        default:
            break;
    }
}

void
hb_summary_decode_error (hb_summary_t *self)
{
    self->decode_errors++;
}

void
hb_summary_coverage (hb_summary_t *self, int *ticked, int *total)
{
    int n = 0;
    for (int i = 0; i < self->n_rows; i++)
        if (self->rows [i].ticks > 0)
            n++;
    *ticked = n;
    *total = self->n_rows;
}

static void
s_age (char *out, size_t size, int64_t now_ns, int64_t then_ns)
{
    if (then_ns == 0)
        snprintf (out, size, "never");
    else {
        double ms = (double) (now_ns - then_ns) / 1e6;
        if (ms < 10000)
            snprintf (out, size, "%.0fms", ms);
        else
            snprintf (out, size, "%.0fs", ms / 1000);
    }
}

static bool s_match_row (hb_summary_t *self, const s_row_t *row);

void
hb_summary_set_filter (hb_summary_t *self, const char *filter)
{
    snprintf (self->filter, sizeof self->filter, "%s", filter ? filter : "");
    for (int i = 0; i < self->n_rows; i++)
        self->rows [i].filtered = !s_match_row (self, &self->rows [i]);
    hb_summary_home (self);         //  another set of rows: from the top
}

const char *
hb_summary_filter (hb_summary_t *self)
{
    return self->filter;
}

void
hb_summary_set_rows (hb_summary_t *self, int rows)
{
    self->rows_max = rows > 0 ? rows : 0;
}

int
hb_summary_rows (hb_summary_t *self)
{
    return self->rows_max;
}

void
hb_summary_scroll (hb_summary_t *self, hb_summary_panel_t panel, int rows)
{
    for (int p = 0; p < HB_SUMMARY_PANELS; p++)
        if (panel == HB_SUMMARY_PANELS || (int) panel == p)
            self->first [p] = self->first [p] + rows < 0 ? 0 : self->first [p] + rows;
}

void
hb_summary_home (hb_summary_t *self)
{
    memset (self->first, 0, sizeof self->first);
}

const char *
hb_summary_panel_name (hb_summary_panel_t panel)
{
    static const char *const names [HB_SUMMARY_PANELS] = {
        "INSTRUMENTS", "ASSETS", "VENUES", "PLANS", "REGIMES", "PUBLISHERS"
    };
    return (int) panel >= 0 && panel < HB_SUMMARY_PANELS ? names [panel] : "?";
}

static bool
s_match (hb_summary_t *self, const char *text)
{
    if (!self->filter [0])
        return true;
    if (strpbrk (self->filter, "*?["))
        return fnmatch (self->filter, text, FNM_CASEFOLD) == 0;
    return strcasestr (text, self->filter) != NULL;
}

static int
s_order_cmp (const void *a_, const void *b_)
{
    const s_order_t *a = (const s_order_t *) a_, *b = (const s_order_t *) b_;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    if (a->key2 != b->key2)
        return a->key2 < b->key2 ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

//  Sorts the first n_sort of the panel's n rows (self->order; the others
//  already follow them in order) and gives the page shown: rows [*from,
//  *to). The first row is clamped so that a page past the end shows the
//  last rows, and remembered clamped (keys pressed past the end do not
//  pile up).
static void
s_page (hb_summary_t *self, hb_summary_panel_t panel, int n_sort, int n, int *from, int *to)
{
    qsort (self->order, (size_t) n_sort, sizeof (s_order_t), s_order_cmp);
    int budget = self->rows_max > 0 ? self->rows_max : n;
    int first = self->first [panel];
    if (first > n - budget)
        first = n - budget;
    if (first < 0)
        first = 0;
    self->first [panel] = first;
    *from = first;
    *to = first + budget < n ? first + budget : n;
}

//  What a panel left out, when it did: rows after the page, the page's
//  place among the rows matching, and the rows the filter hid.
static void
s_more (hb_summary_t *self, FILE *out, const char *what, int total, int n, int from, int to)
{
    if (to - from == total)
        return;
    if (n == 0) {
        fprintf (out, "  ... none of %d %s match \"%s\"\n", total, what, self->filter);
        return;
    }
    fprintf (out, "  ... %d more (%d-%d of %d %s", n - to, from + 1, to, n, what);
    if (self->filter [0])
        fprintf (out, " matching \"%s\", %d filtered out", self->filter, total - n);
    fputs (to - from < n ? "; filter or page)\n" : ")\n", out);
}

//  hb-treasury's plans, one line a venue: what it has to spare under the
//  stress, or its shortfall and the first transfer that covers it (or why
//  none does). Plans only: nothing is sent.
static void
s_render_plans (hb_summary_t *self, FILE *out)
{
    int total = 0, n = 0;
    for (int v = 0; v < self->cfg->n_venues; v++) {
        if (!self->venues [v].has_plan)
            continue;
        total++;
        const hb_capital_plan_t *p = &self->venues [v].plan;
        if (!s_match (self, p->venue))
            continue;
        self->order [n++] = (s_order_t) {
            .index = v, .key = p->surplus_usd,
            .rank = !(p->flags & HB_PLAN_SHORT) ? 2 : (p->flags & HB_PLAN_COVERED) ? 1 : 0 };
    }
    int from, to;
    s_page (self, HB_SUMMARY_PLANS, n, n, &from, &to);
    for (int k = from; k < to; k++) {
        const hb_capital_plan_t *p = &self->venues [self->order [k].index].plan;
        if (!(p->flags & HB_PLAN_SHORT))
            fprintf (out, "PLAN     %-8s survives the stress, %.0f USD to spare%s\n", p->venue,
                     p->available_usd, (p->flags & HB_PLAN_STALE) ? " (stale margin)" : "");
        else
        if (p->n_transfers > 0 && strcmp (p->transfers [0].to, p->venue) == 0)
            fprintf (out, "PLAN     %-8s SHORT %.0f USD (liquidated in %.0f s): %s %.6g %s from %s, "
                     "arrives in %.0f s%s (%d transfer%s, plan only)\n", p->venue, -p->surplus_usd,
                     p->liq_s, p->transfers [0].route, p->transfers [0].amount, p->transfers [0].asset,
                     p->transfers [0].from, p->transfers [0].delay_s + p->transfers [0].spread_s,
                     (p->flags & HB_PLAN_COVERED) ? "" : ", NOT ENOUGH", p->n_transfers,
                     p->n_transfers == 1 ? "" : "s");
        else
            fprintf (out, "PLAN     %-8s SHORT %.0f USD (liquidated in %.0f s): NOT COVERED, %s\n",
                     p->venue, -p->surplus_usd, p->liq_s, hb_plan_reason_name (p->reason));
        const s_venue_t *sv = &self->venues [self->order [k].index];
        if (sv->has_reduce && (p->flags & HB_PLAN_SHORT) && !(p->flags & HB_PLAN_COVERED))
            fprintf (out, "REDUCE   %-8s %s: %+.6g %s there, the opposite elsewhere (%.0f of %.0f USD; %s)\n",
                     p->venue, sv->reduce.id, sv->reduce.qty, sv->reduce.asset, sv->reduce.reduce_usd,
                     sv->reduce.exposure_usd, hb_plan_reason_name (sv->reduce.reason));
    }
    s_more (self, out, "plans", total, n, from, to);
    //  transfers: in flight first (with their ETA), then the latest others
    int64_t wall = hb_wall_ns ();
    int shown = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int k = self->n_transfers - 1; k >= 0 && shown < S_TRANSFERS_SHOWN; k--) {
            const hb_transfer_t *t = &self->transfers [k];
            bool flying = t->status == HB_TRANSFER_REQUESTED || t->status == HB_TRANSFER_SENT
                       || t->status == HB_TRANSFER_TIMED_OUT;
            if (flying != (pass == 0) || (!s_match (self, t->from) && !s_match (self, t->to)))
                continue;
            char when [48];
            if (flying)
                snprintf (when, sizeof when, "ETA in %.0f s", (double) (t->eta_ns - wall) / 1e9);
            else
                snprintf (when, sizeof when, "%s", t->status == HB_TRANSFER_SUGGESTED ? "for the desk" : "");
            fprintf (out, "MOVE     %-20s %s -> %s %.6g %s (%s) %s%s%s%s%s\n", t->id, t->from, t->to, t->amount,
                     t->asset, t->network, hb_transfer_status_name (t->status), when [0] ? " " : "", when,
                     t->reason [0] && t->status != HB_TRANSFER_SUGGESTED ? ": " : "",
                     t->status != HB_TRANSFER_SUGGESTED ? t->reason : "");
            shown++;
        }
}

//  The venue's closest liquidation (a move, 0 for none) and, with text,
//  how it reads: "BTC -12.5%" or "none within -100%..+1000%".
static double
s_closest_liq (const hb_margin_t *m, char *text, size_t size)
{
    double closest = 0;
    if (text)
        snprintf (text, size, "none within -100%%..+1000%%");
    for (int i = 0; i < m->n_assets; i++)
        if (m->assets [i].has_liq
        &&  (closest == 0 || fabs (m->assets [i].liq_move) < fabs (closest))) {
            closest = m->assets [i].liq_move;
            if (text)
                snprintf (text, size, "%s %+.1f%%", m->assets [i].asset, closest * 100);
        }
    return closest;
}

//  Assets, venue margins and the risk figures: shown once the aggregator
//  or the risk process has said something.
//  The last option plan of each asset (risk.optplan): its legs, or why
//  there are none, and gamma and the breached vega buckets before -> after
static void
s_render_optplans (hb_summary_t *self, FILE *out)
{
    for (int a = 0; a < self->cfg->n_assets; a++) {
        const hb_risk_optplan_t *p = &self->assets [a].optplan;
        if (!self->assets [a].has_optplan || !s_match (self, p->asset))
            continue;
        fprintf (out, "OPTPLAN %-6s %s", p->asset, p->n_legs > 0 ? "legs:" : "no option hedge:");
        if (p->n_legs == 0)
            fprintf (out, " %s", p->why);
        for (int k = 0; k < p->n_legs && k < HB_OPTPLAN_MSG_LEGS; k++)
            fprintf (out, "%s %s %.8g %s/%s @ %.8g", k ? "," : "", hb_side_name (p->legs [k].side),
                     p->legs [k].qty, p->legs [k].venue, p->legs [k].symbol, p->legs [k].limit_px);
        fprintf (out, "  gamma$ %.0f -> %.0f (band %.0f)", p->gamma_before, p->gamma_after,
                 p->gamma_band);
        for (int b = 0; b < p->n_buckets && b < HB_RISK_VEGA_BUCKETS; b++)
            if (p->vega_before [b] != 0 || p->vega_after [b] != 0)
                fprintf (out, "  vega[%d] %.0f -> %.0f (band %.0f)", b, p->vega_before [b],
                         p->vega_after [b], p->vega_band [b]);
        fprintf (out, "\n");
    }
}

static void
s_render_book (hb_summary_t *self, FILE *out)
{
    bool any = self->has_risk;
    for (int a = 0; a < self->cfg->n_assets; a++)
        any = any || self->assets [a].has_pos || self->assets [a].has_optplan;
    if (!any)
        return;
    //  POS USD is the aggregator's net delta-1 (options at full notional),
    //  DELTA USD the risk process's (options at their Black-Scholes delta).
    //  GAMMA$ is the dollar gamma per 1 % move, VEGA USD per vol point
    //  over every expiry bucket (the worst bucket decides the vega band);
    //  "!" marks a figure over its band (docs/RISK.md, Greeks in desk units)
    fprintf (out, "%-8s %14s %16s %16s %16s %8s %16s %13s %13s %s\n", "ASSET", "INDEX", "POS USD",
             "DELTA USD", "GROSS USD", "VOL%", "RESIDUAL USD", "GAMMA$ 1%", "VEGA/PT", "STATE");
    int n = 0, from, to;
    for (int a = 0; a < self->cfg->n_assets; a++) {
        s_asset_t *asset = &self->assets [a];
        if (!s_match (self, self->cfg->assets [a].name))
            continue;
        double residual = asset->has_risk ? fabs (asset->risk.residual_usd) : 0;
        double band = self->cfg->risk.band_usd [a];
        //  an exposure no proxy hedges any more is as urgent as one over
        //  its band: nothing will reduce it until a venue can
        bool no_hedge = asset->has_risk && (asset->risk.flags & HB_RISK_ASSET_UNHEDGEABLE) && residual > 0;
        //  before hb-risk speaks, the largest net position first
        self->order [n++] = (s_order_t) {
            .index = a, .key = -residual, .key2 = asset->has_pos ? -fabs (asset->pos.net_usd) : 0,
            .rank = (band > 0 && residual > band) || no_hedge ? 0
                  : asset->has_pos && (asset->pos.flags & HB_POS_STALE) ? 1 : 2 };
    }
    s_page (self, HB_SUMMARY_ASSETS, n, n, &from, &to);
    for (int k = from; k < to; k++) {
        int a = self->order [k].index;
        s_asset_t *asset = &self->assets [a];
        double index = asset->has_risk ? asset->risk.index : asset->pos.price;
        double vega = 0;
        for (int b = 0; b < HB_RISK_VEGA_BUCKETS && asset->has_risk; b++)
            vega += asset->risk.vega_bucket [b];
        uint32_t flags = asset->has_risk ? asset->risk.flags : 0;
        fprintf (out, "%-8s %14.10g %16.2f %16.2f %16.2f %8.1f %16.2f %12.0f%s %12.0f%s %s\n",
                 self->cfg->assets [a].name, index,
                 asset->has_pos ? asset->pos.net_usd : 0,
                 asset->has_risk ? asset->risk.exposure_usd : 0,
                 asset->has_pos ? asset->pos.gross_usd : 0,
                 asset->has_risk ? asset->risk.vol * 100 : 0,
                 asset->has_risk ? asset->risk.residual_usd : 0,
                 asset->has_risk ? asset->risk.gamma_usd : 0,
                 (flags & HB_RISK_ASSET_GAMMA_BAND) ? "!" : " ", vega,
                 (flags & HB_RISK_ASSET_VEGA_BAND) ? "!" : " ",
                 (flags & HB_RISK_ASSET_UNHEDGEABLE) ? "NO HEDGE: every proxy under proxy_floor"
                 : !asset->has_pos ? "no position"
                 : (asset->pos.flags & HB_POS_STALE) ? "stale mark"
                 : (flags & (HB_RISK_ASSET_GAMMA_BAND | HB_RISK_ASSET_VEGA_BAND)) ? "ok, greeks over band"
                 : "ok");
    }
    s_more (self, out, "assets", self->cfg->n_assets, n, from, to);
    int margins = 0;
    n = 0;
    for (int v = 0; v < self->cfg->n_venues; v++) {
        if (!self->venues [v].has_margin)
            continue;
        margins++;
        const hb_margin_t *m = &self->venues [v].margin;
        if (!s_match (self, m->venue))
            continue;
        double closest = s_closest_liq (m, NULL, 0);
        self->order [n++] = (s_order_t) {
            .index = v, .rank = (m->flags & (HB_MARGIN_BREACH | HB_MARGIN_MISMATCH)) ? 0 : 1,
            .key = -m->utilization,
            .key2 = closest != 0 ? fabs (closest) : HUGE_VAL };
    }
    if (margins) {
        fprintf (out, "%-8s %16s %16s %16s %7s %-8s %s\n", "VENUE", "EQUITY USD", "INITIAL USD",
                 "MAINT USD", "UTIL%", "RECON", "CLOSEST LIQUIDATION");
        s_page (self, HB_SUMMARY_VENUES, n, n, &from, &to);
        for (int k = from; k < to; k++) {
            const hb_margin_t *m = &self->venues [self->order [k].index].margin;
            char liq [64];
            s_closest_liq (m, liq, sizeof liq);
            //  RECON: the venue's own account against our fills (hb_recon.h);
            //  "venue": equity and margin are the venue's figures
            const char *recon = (m->flags & HB_MARGIN_MISMATCH) ? "MISMATCH"
                              : !(m->flags & HB_MARGIN_RECONCILED) ? "-"
                              : (m->flags & HB_MARGIN_VENUE) ? "ok,venue" : "ok";
            fprintf (out, "%-8s %16.2f %16.2f %16.2f %7.1f %-8s %s%s%s\n", m->venue, m->equity_usd,
                     m->initial_usd, m->maintenance_usd, m->utilization * 100, recon, liq,
                     (m->flags & HB_MARGIN_BREACH) ? "  BREACH" : "",
                     (m->flags & HB_MARGIN_TOPUP) ? "  TOPUP in flight" : "");
        }
        s_more (self, out, "venues", margins, n, from, to);
    }
    s_render_plans (self, out);
    if (self->has_risk)
        fprintf (out, "RISK  VaR %.0f USD (%.0f%%, %.0fs)  stress VaR %.0f (corr %.2f)  sigma %.0f -> %.0f after plan (effectiveness %.2f)  %llu samples%s\n",
                 self->risk.var_usd, self->risk.confidence * 100, self->risk.horizon_s,
                 self->risk.stress_var_usd, self->risk.stress_corr, self->risk.unhedged_sigma,
                 self->risk.residual_sigma, self->risk.effectiveness,
                 (unsigned long long) self->risk.samples,
                 (self->risk.flags & HB_RISK_NO_POSITIONS) ? "  (no positions yet)" : "");
    s_render_optplans (self, out);
    //  samples whose parts did not all arrive: their figures are not shown
    uint64_t gap = hb_risk_sample_refused (self->samples, HB_RISK_SAMPLE_GAP);
    uint64_t mismatch = hb_risk_sample_refused (self->samples, HB_RISK_SAMPLE_MISMATCH);
    uint64_t incomplete = hb_risk_sample_refused (self->samples, HB_RISK_SAMPLE_INCOMPLETE);
    if (gap + mismatch + incomplete > 0)
        fprintf (out, "RISK  parts refused: %llu gap, %llu mismatch, %llu incomplete sample(s)\n",
                 (unsigned long long) gap, (unsigned long long) mismatch, (unsigned long long) incomplete);
}

//  The first asset of pair (strict upper triangle, row by row) of n assets.
static int
s_pair_first (int n, int pair)
{
    int a = 0, k = pair;
    while (a < n - 1 && k >= n - 1 - a) {
        k -= n - 1 - a;
        a++;
    }
    return a;
}

//  "A:B" for pair of the report's assets; false when out of range.
static bool
s_pair_name (const hb_risk_report_t *risk, int pair, char *text, size_t size)
{
    int n = risk->n_assets, a = s_pair_first (n, pair);
    int b = pair - (a * n - a * (a + 1) / 2) + a + 1;
    if (b >= n)
        return false;
    snprintf (text, size, "%s:%s", risk->assets [a].asset, risk->assets [b].asset);
    return true;
}

//  The correlation regime of each pair hb-risk lists on risk.exposure
//  (those not stable, or with an alarm behind them); the others are stable
static void
s_render_regimes (hb_summary_t *self, FILE *out, int64_t now_ns)
{
    const hb_risk_report_t *risk = hb_risk_sample_report (self->samples);
    int n = risk ? risk->n_assets : 0;
    if (n < 2)
        return;
    int n_pairs = n * (n - 1) / 2;
    if (risk->n_regimes == 0) {
        fprintf (out, "REGIMES  all %d pairs stable\n", n_pairs);
        return;
    }
    fprintf (out, "REGIMES  %d of %d pairs listed%s\n%-22s %-9s %-10s %9s %12s\n", risk->n_regimes,
             n_pairs, risk->n_regimes_omitted ? " (more did not fit)" : "", "PAIR", "STATE", "KIND",
             "STATISTIC", "LAST ALARM");
    int total = 0, shown = 0;
    for (int i = 0; i < risk->n_regimes && i < HB_RISK_REGIMES_MAX; i++) {
        const hb_risk_pair_regime_t *pr = &risk->regimes [i];
        char pair [2 * HB_NAME_MAX + 2];
        if (!s_pair_name (risk, pr->pair, pair, sizeof pair))
            continue;
        total++;
        if (s_match (self, pair) || s_match (self, risk->assets [s_pair_first (n, pr->pair)].asset)
        ||  s_match (self, strchr (pair, ':') + 1))
            self->order [shown++] = (s_order_t) {
                .index = i, .rank = pr->state == 2 ? 0 : pr->state == 1 ? 1 : 2, .key = -pr->statistic };
    }
    int from, to;
    s_page (self, HB_SUMMARY_REGIMES, shown, shown, &from, &to);
    for (int k = from; k < to; k++) {
        const hb_risk_pair_regime_t *pr = &risk->regimes [self->order [k].index];
        char pair [2 * HB_NAME_MAX + 2];
        s_pair_name (risk, pr->pair, pair, sizeof pair);
        char age [16] = "never";
        if (pr->last_alarm_ns > 0)
            s_age (age, sizeof age, now_ns, pr->last_alarm_ns);
        fprintf (out, "%-22s %-9s %-10s %9.2f %12s\n", pair, s_regime_state (pr->state),
                 s_regime_kind (pr->kind), pr->statistic, age);
    }
    s_more (self, out, "pairs", total, shown, from, to);
}

const char *
hb_summary_status_name (const char *component, uint32_t status)
{
    if (status == 0)
        return "ok";
    if (strcmp (component, "hedger") == 0)          //  hb-hedger's bits
        return (status & 2) ? "JOURNAL FAILED" : (status & 1) ? "KILLED"
             : (status & 16) ? "JOURNAL TAIL LOST" : (status & 4) ? "ORDERS IN DOUBT"
             : (status & 8) ? "FILLS UNCONFIRMED" : "degraded";
    if (strncmp (component, "feed.", 5) == 0)
        return (status & HB_TICK_OUTAGE) ? "OUTAGE" : (status & HB_TICK_STALE) ? "stale" : "degraded";
    if (strcmp (component, "risk") == 0)            //  hb-risk's bits: no hedge request meanwhile
        return (status & 1) ? "NO POSITIONS" : (status & 2) ? "POSITIONS PENDING" : "degraded";
    if (strcmp (component, "treasury") == 0)        //  a shortfall no transfer covers in time
        return (status & 1) ? "SHORTFALL NOT COVERED" : "degraded";
    if (strcmp (component, "aggregator") == 0)      //  hb-aggregator's bits (docs/PROTOCOL.md, heartbeat)
        return (status & 4) ? "POSITIONS MISMATCH" : (status & 2) ? "FILLS MISSING"
             : (status & 1) ? "UNKNOWN FILLS" : "degraded";
    return "degraded";
}

//  An instrument row's state, its rank in the panel's order.
enum { S_CROSSED, S_OUTAGE, S_STALE, S_SILENT, S_WAITING, S_LIVE };
static const char *const s_state_names [] = { "CROSSED", "OUTAGE", "stale", "silent", "waiting", "live" };

static int
s_row_rank (const s_row_t *row, int64_t now_ns)
{
    return row->ticks == 0 ? S_WAITING
         : row->crossed ? S_CROSSED
         : (row->flags & HB_TICK_OUTAGE) ? S_OUTAGE
         : (row->flags & HB_TICK_STALE) ? S_STALE
         : now_ns - row->last_ns > SILENT_NS ? S_SILENT : S_LIVE;
}

static bool
s_match_row (hb_summary_t *self, const s_row_t *row)
{
    if (!self->filter [0])
        return true;
    char key [2 * HB_NAME_MAX + 2];
    snprintf (key, sizeof key, "%s/%s", row->venue->name, row->instrument->symbol);
    int asset = row->instrument->asset;
    return s_match (self, row->venue->name) || s_match (self, row->instrument->symbol)
        || s_match (self, key)
        || (asset >= 0 && asset < self->cfg->n_assets && s_match (self, self->cfg->assets [asset].name));
}

int
hb_summary_fetch_instruments (hb_summary_t *self, int timeout_ms)
{
    int answered = 0;
    for (int v = 0; v < self->cfg->n_venues; v++) {
        const hb_venue_cfg_t *venue = &self->cfg->venues [v];
        if (venue->enabled && venue->discover.present && venue->replay_endpoint [0]
        &&  hb_universe_fetch (self->universe, venue->replay_endpoint, timeout_ms) >= 0)
            answered++;
    }
    return answered;
}

size_t
hb_summary_discovered (hb_summary_t *self, const char *venue)
{
    return venue ? hb_universe_count (self->universe, venue) : hb_universe_size (self->universe);
}

//  One line of the venues with discovery: how many each lists now, and
//  how many were listed and delisted while this view ran
static void
s_render_discovered (hb_summary_t *self, FILE *out)
{
    char line [512];
    int n = 0;
    for (int v = 0; v < self->cfg->n_venues && n >= 0 && (size_t) n < sizeof line; v++) {
        const hb_venue_cfg_t *venue = &self->cfg->venues [v];
        if (venue->enabled && venue->discover.present)
            n += snprintf (line + n, sizeof line - (size_t) n, "  %s %zu", venue->name,
                           hb_universe_count (self->universe, venue->name));
    }
    if (n <= 0)
        return;
    hb_universe_stats_t stats;
    hb_universe_stats (self->universe, &stats);
    fprintf (out, "discovered instruments:%s  (listed %llu, delisted %llu)\n", line,
             (unsigned long long) stats.added, (unsigned long long) stats.removed);
}

void
hb_summary_render (hb_summary_t *self, FILE *out, bool tty, int64_t now_ns)
{
    int64_t up_s = (hb_mono_ns () - self->started_ns) / HB_NS_PER_SEC;
    int ticked, total;
    hb_summary_coverage (self, &ticked, &total);
    if (tty)
        fputs ("\033[H\033[2J", out);
    char filter [96] = "";
    if (self->filter [0])
        snprintf (filter, sizeof filter, "  filter \"%s\"", self->filter);
    fprintf (out, "hedgebus %s  up %02lld:%02lld:%02lld  %llu msgs  %d/%d instruments live  %llu decode errors%s%s\n",
             self->cfg->deployment, (long long) (up_s / 3600), (long long) (up_s / 60 % 60),
             (long long) (up_s % 60), (unsigned long long) self->messages, ticked, total,
             (unsigned long long) self->decode_errors, filter, tty ? "   (Ctrl-C stops)" : "");
    s_render_discovered (self, out);
    fprintf (out, "%-8s %-22s %-12s %14s %14s %7s %7s %8s %s\n", "VENUE", "SYMBOL", "KIND",
             "BID", "ASK", "SPRbps", "AGE", "TICKS", "STATE");
    int n = 0, from, to;
    for (int i = 0; i < self->n_rows; i++) {
        s_row_t *row = &self->rows [i];
        int rank = s_row_rank (row, now_ns);
        if (!row->filtered && rank < S_LIVE)
            self->order [n++] = (s_order_t) { .index = i, .rank = rank, .key = (double) row->last_ns };
    }
    //  the live rows after, in config order: nothing to sort for a calm
    //  market of 320,000 instruments
    int urgent = n;
    for (int i = 0; i < self->n_rows; i++)
        if (!self->rows [i].filtered && s_row_rank (&self->rows [i], now_ns) == S_LIVE)
            self->order [n++] = (s_order_t) { .index = i, .rank = S_LIVE };
    s_page (self, HB_SUMMARY_INSTRUMENTS, urgent, n, &from, &to);
    for (int k = from; k < to; k++) {
        s_row_t *row = &self->rows [self->order [k].index];
        char age [16];
        s_age (age, sizeof age, now_ns, row->last_ns);
        double mid = (row->bid + row->ask) / 2;
        double spread = (row->bid > 0 && row->ask > 0 && mid > 0)
                      ? (row->ask - row->bid) / mid * 1e4 : NAN;
        const char *state = s_state_names [s_row_rank (row, now_ns)];
        char iv [24] = "";
        if (row->mark_iv > 0)
            snprintf (iv, sizeof iv, " iv %.1f%%", row->mark_iv * 100);
        fprintf (out, "%-8s %-22s %-12s %14.10g %14.10g %7.2f %7s %8llu %s%s\n",
                 row->venue->name, row->instrument->symbol, hb_kind_name (row->instrument->kind),
                 row->bid, row->ask, spread, age, (unsigned long long) row->ticks, state, iv);
    }
    s_more (self, out, "instruments", self->n_rows, n, from, to);
    s_render_book (self, out);
    s_render_regimes (self, out, now_ns);
    fprintf (out, "%-16s %12s %10s %8s %8s %9s %s\n", "PUBLISHER", "LAST SEQ", "MSGS",
             "GAPS", "RESTARTS", "HEARTBEAT", "STATUS");
    n = 0;
    for (int i = 0; i < self->n_pubs; i++) {
        s_pubrow_t *pub = &self->pubs [i];
        if (s_match (self, pub->name))
            self->order [n++] = (s_order_t) {
                .index = i, .rank = pub->status != 0 ? 0
                                  : pub->heartbeat_ns == 0 || now_ns - pub->heartbeat_ns > SILENT_NS ? 1 : 2 };
    }
    s_page (self, HB_SUMMARY_PUBLISHERS, n, n, &from, &to);
    for (int k = from; k < to; k++) {
        s_pubrow_t *pub = &self->pubs [self->order [k].index];
        char hb_age [16];
        s_age (hb_age, sizeof hb_age, now_ns, pub->heartbeat_ns);
        fprintf (out, "%-16s %12llu %10llu %8llu %8llu %9s %s\n", pub->name,
                 (unsigned long long) pub->last_seq, (unsigned long long) pub->messages,
                 (unsigned long long) pub->gaps, (unsigned long long) pub->restarts, hb_age,
                 hb_summary_status_name (pub->name, pub->status));
    }
    s_more (self, out, "publishers", self->n_pubs, n, from, to);
    if (self->n_recent > 0) {
        fprintf (out, "RECENT\n");
        int first = self->n_recent > RECENT_MAX ? self->n_recent - RECENT_MAX : 0;
        for (int r = first; r < self->n_recent; r++)
            fprintf (out, "  %s\n", self->recent [r % RECENT_MAX]);
    }
    if (!tty)
        fputc ('\n', out);
    fflush (out);
}
