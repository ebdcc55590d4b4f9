/*  hb_treasury: see hb_treasury.h. */
#include "hb_treasury.h"
#include "hb_treasury_plan.h"
#include "hb_transfers.h"

#include "hb_heartbeat.h"
#include "hb_log.h"
#include "hb_metrics.h"
#include "hb_pub.h"
#include "hb_roles.h"
#include "hb_sub.h"
#include "hb_time.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#define S_HEARTBEAT_MS      1000
#define S_DRAIN_MAX         256     //  messages per wake-up before timers get a turn
#define S_EXPIRED_MAX       16      //  transfers timed out per heartbeat (the rest the next one)

struct _hb_treasury_t {
    const hb_config_t *cfg;
    zloop_t     *loop;
    hb_pub_t    *pub;
    hb_sub_t    *sub;
    int64_t      started_mono;
    hb_msg_t     in;
    uint64_t     msgs_in;
    uint64_t     plans_made;        //  decisions (the plan number)
    hb_margin_t  margins [HB_MAX_VENUES];
    bool         known [HB_MAX_VENUES];
    int64_t      seen_mono [HB_MAX_VENUES];     //  when each margin state arrived
    bool         fresh [HB_MAX_VENUES];         //  not planned from yet (a refusal counts once)
    double       prices [HB_MAX_ASSETS];
    double      *pos_usd;       //  each position's USD exposure: instrument i of venue v at first [v] + i
    size_t       first [HB_MAX_VENUES];
    uint8_t      last_reason [HB_MAX_VENUES];   //  what was logged last, per venue
    uint32_t     last_short [HB_MAX_VENUES];
    hb_capital_plan_t plans [HB_MAX_VENUES];
    int          uncovered;         //  venues short and not covered, in the last plan
    hb_transfers_t *book;           //  money in flight (journaled)
    double       suggested [HB_MAX_ROUTES];     //  amount of the route's last suggestion
    int64_t      suggested_mono [HB_MAX_ROUTES];
    //  an auto route refused: suggestions only until then (wall ns: a
    //  restart rebuilds it from the refused transfers of the journal)
    int64_t      held_ns [HB_MAX_ROUTES];
    bool         broken;            //  the journal failed: no more requests
    //  this run's part of the ids it makes up (suggestions, reductions):
    //  its start in wall ms, base 36, so that no restart repeats one
    char         run [16];
    uint64_t     n_reduce;
    int64_t      reduced_mono [HB_MAX_VENUES];  //  the venue's last capital.reduce (0: none)
    hb_complain_t c_unknown;
    hb_complain_t c_bad;
    hb_complain_t c_status;
    hb_metric_t *m_requested;
    hb_metric_t *m_suggested;
    hb_metric_t *m_in_flight;
    hb_metric_t *m_bad;
    hb_metric_t *m_plans;
    hb_metric_t *m_short;
    hb_metric_t *m_uncovered;
    hb_metric_t *m_reduce;
};

//  The run's id part: n in base 36
static void
s_base36 (uint64_t n, char *out, size_t size)
{
    char digits [16];
    int len = 0;
    do {
        digits [len++] = "0123456789abcdefghijklmnopqrstuvwxyz" [n % 36];
        n /= 36;
    } while (n > 0 && len < (int) sizeof digits);
    size_t i = 0;
    for (; len > 0 && i + 1 < size; i++)
        out [i] = digits [--len];
    out [i] = 0;
}

//  A refused transfer holds its route to suggestions for timeout_s from
//  when the refusal was applied (at_ns); from the journal at start, from
//  its request (the refusal's time is not journaled: a source refuses at
//  once), so a restart does not ask a refusing venue again at once
static void
s_hold (hb_treasury_t *self, const hb_transfer_t *refused, int64_t at_ns)
{
    const hb_treasury_cfg_t *t = &self->cfg->treasury;
    int64_t until = at_ns + (int64_t) (t->timeout_s * 1e9);
    for (int r = 0; r < t->n_routes; r++)
        if (strcmp (t->routes [r].name, refused->route) == 0 && until > self->held_ns [r])
            self->held_ns [r] = until;
}

static void
s_apply (hb_treasury_t *self, const char *topic)
{
    const hb_msg_t *msg = &self->in;
    if (msg->env.type == HB_MSG_MARGIN) {
        const hb_venue_cfg_t *venue = hb_config_venue (self->cfg, msg->u.margin.venue);
        if (!venue) {
            hb_metric_inc (self->m_bad);
            hb_complain (&self->c_unknown, HB_LOG_WARN, "treasury: %s: venue %s is not in the config: ignored",
                         topic, msg->u.margin.venue);
            return;
        }
        int v = (int) (venue - self->cfg->venues);
        self->margins [v] = msg->u.margin;
        self->known [v] = true;
        self->fresh [v] = true;
        self->seen_mono [v] = hb_mono_ns ();
    }
    else
    if (msg->env.type == HB_MSG_POSITION) {
        //  for the assets a truncated margin state leaves out
        const hb_venue_cfg_t *venue = hb_config_venue (self->cfg, msg->u.position.venue);
        const hb_instrument_cfg_t *ins = venue ? hb_venue_instrument (venue, msg->u.position.symbol) : NULL;
        if (ins)
            self->pos_usd [self->first [venue - self->cfg->venues] + (size_t) (ins - venue->instruments)] = msg->u.position.exposure_usd;
    }
    else
    if (msg->env.type == HB_MSG_CAPITAL_TRANSFER) {
        //  our own suggestions and requests come back on no connection of
        //  ours: these are the source feeds' statuses
        hb_transfer_t now;
        int rc = hb_transfers_apply (self->book, &msg->u.transfer, &now);
        if (rc == 1 && now.status == HB_TRANSFER_REFUSED) {
            //  asking again at once would be refused again: the route
            //  suggests only for a while (treasury.timeout_s)
            const hb_treasury_cfg_t *t = &self->cfg->treasury;
            s_hold (self, &now, hb_wall_ns ());
            hb_warn ("treasury: transfer %s %s -> %s %.8g %s refused: %s; route %s suggests only for %.0f s",
                     now.id, now.from, now.to, now.amount, now.asset, now.reason, now.route, t->timeout_s);
        }
        else
        if (rc == 1)
            hb_info ("treasury: transfer %s %s -> %s %.8g %s: %s%s%s", now.id, now.from, now.to, now.amount,
                     now.asset, hb_transfer_status_name (now.status), now.reason [0] ? ": " : "", now.reason);
        else
        if (rc < 0)
            self->broken = true;
        else
            hb_complain (&self->c_status, HB_LOG_INFO, "treasury: %s: %s %s of no transfer in flight of "
                         "ours (or already applied): ignored", topic, msg->u.transfer.id,
                         hb_transfer_status_name (msg->u.transfer.status));
    }
    else
    if (msg->env.type == HB_MSG_EXPOSURE) {
        int a = hb_config_asset_index (self->cfg, msg->u.exposure.asset);
        if (a >= 0 && msg->u.exposure.price > 0)
            self->prices [a] = msg->u.exposure.price;
    }
}

static int
s_on_bus (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    hb_treasury_t *self = (hb_treasury_t *) arg;
    char topic [HB_TOPIC_MAX];
    for (int n = 0; n < S_DRAIN_MAX; n++) {
        hb_seq_status_t status;
        if (hb_sub_recv (self->sub, topic, sizeof topic, &self->in, &status, 0) != 0) {
            if (errno == EPROTO)
                continue;               //  counted by hb_sub
            break;
        }
        if (status == HB_SEQ_STALE)
            continue;
        self->msgs_in++;
        s_apply (self, topic);
    }
    return 0;
}

//  What covers the plan's venue from transfers already in flight (USD)
static double
s_arriving (const hb_capital_plan_t *plan)
{
    double planned = 0;
    for (int i = 0; i < plan->n_transfers; i++)
        if (strcmp (plan->transfers [i].to, plan->venue) == 0)
            planned += plan->transfers [i].amount_usd;
    return plan->covered_usd > planned ? plan->covered_usd - planned : 0;
}

//  One line when a venue's situation changes (short, covered, reason), not
//  one per plan
static void
s_log_change (hb_treasury_t *self, int v, const hb_capital_plan_t *plan)
{
    uint32_t state = plan->flags & (HB_PLAN_SHORT | HB_PLAN_COVERED);
    if (state == self->last_short [v] && plan->reason == self->last_reason [v])
        return;
    self->last_short [v] = state;
    self->last_reason [v] = plan->reason;
    if (!(plan->flags & HB_PLAN_SHORT))
        hb_info ("treasury: %s: survives the stress (surplus %.0f USD)", plan->venue, plan->surplus_usd);
    else
    if (plan->flags & HB_PLAN_COVERED)
        hb_info ("treasury: %s: short %.0f USD under the stress, liquidated in %.0f s; covered by %d "
                 "transfer(s) planned, first %s from %s, and %.0f USD in flight", plan->venue,
                 -plan->surplus_usd, plan->liq_s, plan->n_transfers,
                 plan->n_transfers ? plan->transfers [0].route : "-",
                 plan->n_transfers ? plan->transfers [0].from : "-", s_arriving (plan));
    else
        hb_warn ("treasury: %s: short %.0f USD under the stress, liquidated in %.0f s; not covered: %s",
                 plan->venue, -plan->surplus_usd, plan->liq_s, hb_plan_reason_name (plan->reason));
}

static void
s_publish_transfer (hb_treasury_t *self, const hb_transfer_t *transfer)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_CAPITAL_TRANSFER;
    msg.env.ts_recv = hb_wall_ns ();
    msg.u.transfer = *transfer;
    if (hb_pub_send (self->pub, NULL, &msg) != 0)
        hb_error ("treasury: transfer %s (%s) not published: %s", transfer->id,
                  hb_transfer_status_name (transfer->status),
                  transfer->status == HB_TRANSFER_REQUESTED ? "journaled, in doubt until it times out"
                                                            : "dropped");
}

//  The plan's transfer into its venue over an auto route: journaled, then
//  asked of the source's feed. A need is requested once: from the next plan
//  on it is in flight (pending_usd) and planned no more.
static void
s_request (hb_treasury_t *self, int r, const hb_capital_transfer_t *planned, int64_t now_ns)
{
    if (self->broken)
        return;
    hb_transfer_t transfer;
    if (hb_transfers_request (self->book, r, planned->amount, planned->amount_usd, now_ns, &transfer) != 0) {
        hb_error ("treasury: cannot journal a transfer over %s: no transfer is requested any more "
                  "(restart once the journal is writable)", planned->route);
        self->broken = true;
        return;
    }
    hb_metric_inc (self->m_requested);
    hb_info ("treasury: transfer %s requested: %.8g %s %s -> %s over %s, fee %.8g, eta in %.0f s",
             transfer.id, transfer.amount, transfer.asset, transfer.from, transfer.to, transfer.network,
             transfer.fee, planned->delay_s);
    s_publish_transfer (self, &transfer);
}

//  A suggestion for the desk (route without auto): published when its
//  amount changes by more than 1 %, else again every treasury.suggest_s
static void
s_suggest (hb_treasury_t *self, int r, const hb_capital_transfer_t *planned, int64_t now_ns)
{
    int64_t mono = hb_mono_ns ();
    double last = self->suggested [r];
    if (last > 0 && fabs (planned->amount - last) <= 0.01 * last
    &&  mono - self->suggested_mono [r] < (int64_t) (self->cfg->treasury.suggest_s * 1e9))
        return;
    self->suggested [r] = planned->amount;
    self->suggested_mono [r] = mono;
    hb_transfer_t transfer;
    memset (&transfer, 0, sizeof transfer);
    //  the run's part: a restarted treasury counts its plans from 1 again
    if (snprintf (transfer.id, sizeof transfer.id, "%s.s%s.%llu", planned->route, self->run,
                  (unsigned long long) self->plans_made) >= (int) sizeof transfer.id)
        snprintf (transfer.id, sizeof transfer.id, "s%s.%d.%llu", self->run, r,
                  (unsigned long long) self->plans_made);
    strcpy (transfer.route, planned->route);
    strcpy (transfer.from, planned->from);
    strcpy (transfer.to, planned->to);
    strcpy (transfer.asset, planned->asset);
    strcpy (transfer.network, planned->network);
    transfer.status = HB_TRANSFER_SUGGESTED;
    transfer.amount = planned->amount;
    transfer.amount_usd = planned->amount_usd;
    transfer.fee = planned->fee;
    transfer.requested_ns = now_ns;
    transfer.eta_ns = planned->eta_ns > now_ns ? planned->eta_ns : now_ns;
    snprintf (transfer.reason, sizeof transfer.reason, "suggestion: route %s %s, the desk moves it",
              planned->route, self->cfg->treasury.routes [r].automatic ? "held after a refusal" : "is not auto");
    hb_metric_inc (self->m_suggested);
    s_publish_transfer (self, &transfer);
}

//  Every transfer planned into a venue: requested (auto route) or suggested
static void
s_act (hb_treasury_t *self, const hb_capital_plan_t *plan, int64_t now_ns)
{
    const hb_treasury_cfg_t *t = &self->cfg->treasury;
    for (int i = 0; i < plan->n_transfers; i++) {
        const hb_capital_transfer_t *planned = &plan->transfers [i];
        if (strcmp (planned->to, plan->venue) != 0)
            continue;               //  listed on its destination's plan too: act once
        int r = 0;
        while (r < t->n_routes && strcmp (t->routes [r].name, planned->route) != 0)
            r++;
        if (r == t->n_routes)
            continue;
        if (t->routes [r].automatic && now_ns >= self->held_ns [r])
            s_request (self, r, planned, now_ns);
        else
            s_suggest (self, r, planned, now_ns);
    }
}

//  No transfer covers venue v in time: ask that part of its exposure move
//  to another venue (capital.reduce, hb_treasury_reduce), once per
//  treasury.suggest_s while it lasts (the hedger's IOC orders are done
//  long before; the next plan sees what they did)
static void
s_reduce (hb_treasury_t *self, int v, int64_t now_ns)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    hb_reduce_t *r = &msg.u.reduce;
    if (hb_treasury_reduce (self->cfg, &self->margins [v], &self->plans [v], self->prices, r) != 1) {
        self->reduced_mono [v] = 0;
        return;
    }
    int64_t mono = hb_mono_ns ();
    if (self->reduced_mono [v] && mono - self->reduced_mono [v] < (int64_t) (self->cfg->treasury.suggest_s * 1e9))
        return;
    self->reduced_mono [v] = mono;
    if (snprintf (r->id, sizeof r->id, "%s.r%s.%llu", r->venue, self->run,
                  (unsigned long long) ++self->n_reduce) >= (int) sizeof r->id)
        snprintf (r->id, sizeof r->id, "r%s.%d.%llu", self->run, v, (unsigned long long) self->n_reduce);
    msg.env.type = HB_MSG_CAPITAL_REDUCE;
    msg.env.ts_recv = now_ns;
    hb_metric_inc (self->m_reduce);
    hb_warn ("treasury: %s: no transfer covers it in time (%s): capital.reduce %s asks to move %.0f USD of "
             "its %.0f USD %s off it (trade %+.8g %s there, the opposite elsewhere)", r->venue,
             hb_plan_reason_name (r->reason), r->id, r->reduce_usd, r->exposure_usd, r->asset, r->qty, r->asset);
    if (hb_pub_send (self->pub, NULL, &msg) != 0)
        hb_error ("treasury: capital.reduce %s not published", r->id);
}

static int
s_on_plan (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_treasury_t *self = (hb_treasury_t *) arg;
    const hb_config_t *cfg = self->cfg;
    hb_treasury_input_t in;
    memset (&in, 0, sizeof in);
    int64_t now_mono = hb_mono_ns ();
    bool any = false;
    for (int v = 0; v < cfg->n_venues; v++) {
        if (!self->known [v])
            continue;
        in.margin [v] = &self->margins [v];
        in.stale [v] = (self->margins [v].flags & HB_POS_STALE)
                    || now_mono - self->seen_mono [v] > (int64_t) cfg->treasury.stale_ms * 1000000;
        any = true;
    }
    if (!any)
        return 0;
    memcpy (in.price, self->prices, sizeof in.price);
    for (int v = 0; v < cfg->n_venues; v++)
        for (int i = 0; i < cfg->venues [v].n_instruments; i++)
            in.position_usd [v][cfg->venues [v].instruments [i].asset] += self->pos_usd [self->first [v] + (size_t) i];
    in.now_ns = hb_wall_ns ();
    in.plan = ++self->plans_made;
    hb_transfers_totals (self->book, in.now_ns, in.pending_usd, in.used);
    bool planned [HB_MAX_VENUES];
    hb_treasury_result_t result;
    hb_treasury_plan (cfg, &in, self->plans, planned, &result);
    if (result.bad > 0) {
        //  each refused state counts once, however many plans leave it out
        for (int v = 0; v < cfg->n_venues; v++)
            if (in.margin [v] && !planned [v] && self->fresh [v])
                hb_metric_inc (self->m_bad);
        hb_complain (&self->c_bad, HB_LOG_WARN, "treasury: %d venue margin state(s) not usable "
                     "(not finite or negative): left out of the plan", result.bad);
    }
    else
        hb_complain_release (&self->c_bad, "treasury: every venue margin state usable again");
    memset (self->fresh, 0, sizeof self->fresh);
    hb_metric_set (self->m_short, result.short_venues);
    hb_metric_set (self->m_uncovered, result.uncovered);
    self->uncovered = result.uncovered;
    for (int v = 0; v < cfg->n_venues; v++) {
        if (!planned [v])
            continue;
        hb_msg_t msg;
        memset (&msg, 0, sizeof msg);
        msg.env.type = HB_MSG_CAPITAL_PLAN;
        msg.env.ts_recv = in.now_ns;
        msg.u.capital_plan = self->plans [v];
        if (hb_pub_send (self->pub, NULL, &msg) == 0)
            hb_metric_inc (self->m_plans);
        s_log_change (self, v, &self->plans [v]);
    }
    for (int v = 0; v < cfg->n_venues; v++)
        if (planned [v]) {
            s_act (self, &self->plans [v], in.now_ns);
            s_reduce (self, v, in.now_ns);
        }
    return 0;
}

static int
s_on_heartbeat (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_treasury_t *self = (hb_treasury_t *) arg;
    //  a transfer that never arrives: said once, for a person, still counted
    hb_transfer_t expired [S_EXPIRED_MAX];
    int n = self->broken ? 0 : hb_transfers_expire (self->book, hb_wall_ns (), expired, S_EXPIRED_MAX);
    if (n < 0)
        self->broken = true;
    for (int i = 0; i < n; i++) {
        hb_warn ("treasury: transfer %s %s -> %s %.8g %s timed out: %s", expired [i].id, expired [i].from,
                 expired [i].to, expired [i].amount, expired [i].asset, expired [i].reason);
        s_publish_transfer (self, &expired [i]);
    }
    size_t in_flight = 0;
    for (size_t i = 0; i < hb_transfers_size (self->book); i++)
        in_flight += hb_transfer_in_flight (hb_transfers_at (self->book, i));
    hb_metric_set (self->m_in_flight, (double) in_flight);
    hb_msg_t msg;
    hb_heartbeat_begin (&msg, "treasury", self->started_mono, self->pub, self->sub);
    msg.u.heartbeat.msgs_in = self->msgs_in;
    //  1: a venue is short under the stress and no transfer covers it in
    //  time; 2: the journal failed, no transfer is requested any more
    msg.u.heartbeat.status = self->broken ? 2 : self->uncovered > 0 ? 1 : 0;
    hb_pub_send (self->pub, NULL, &msg);
    return 0;
}

hb_treasury_t *
hb_treasury_new_on (const hb_config_t *cfg, zloop_t *loop)
{
    assert (cfg);
    assert (loop);
    hb_treasury_t *self = (hb_treasury_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->loop = loop;
    self->started_mono = hb_mono_ns ();
    s_base36 ((uint64_t) (hb_wall_ns () / 1000000), self->run, sizeof self->run);
    size_t slots = hb_config_instrument_slots (cfg, self->first);
    self->pos_usd = (double *) calloc (slots ? slots : 1, sizeof *self->pos_usd);
    if (!self->pos_usd) {
        free (self);
        return NULL;
    }
    hb_metrics_t *metrics = hb_metrics_process ();
    self->m_bad = hb_metrics_counter (metrics, "hb_treasury_bad_input_total",
                                      "Margin states left out of the plans: unknown venue, not finite",
                                      NULL, NULL);
    self->m_plans = hb_metrics_counter (metrics, "hb_treasury_plans_total",
                                        "capital.plan messages published", NULL, NULL);
    self->m_short = hb_metrics_gauge (metrics, "hb_treasury_short_venues",
                                      "Venues short of the equity the stress needs, in the last plan",
                                      NULL, NULL);
    self->m_uncovered = hb_metrics_gauge (metrics, "hb_treasury_uncovered_venues",
                                          "Short venues no transfer covers in time, in the last plan",
                                          NULL, NULL);
    self->m_requested = hb_metrics_counter (metrics, "hb_treasury_transfers_requested_total",
                                            "Transfers journaled and requested over auto routes", NULL, NULL);
    self->m_suggested = hb_metrics_counter (metrics, "hb_treasury_transfers_suggested_total",
                                            "Transfer suggestions published (routes without auto)", NULL, NULL);
    self->m_reduce = hb_metrics_counter (metrics, "hb_treasury_reductions_total",
                                         "capital.reduce messages: no transfer in time, the position moves",
                                         NULL, NULL);
    self->m_in_flight = hb_metrics_gauge (metrics, "hb_treasury_transfers_in_flight",
                                          "Transfers requested and not yet credited or refused", NULL, NULL);
    self->book = hb_transfers_open (cfg, cfg->treasury.journal);
    if (!self->book)
        goto fail;
    for (size_t i = 0; i < hb_transfers_size (self->book); i++) {
        const hb_transfer_t *t = hb_transfers_at (self->book, i);
        if (hb_transfer_in_flight (t))
            hb_info ("treasury: journal: transfer %s %s -> %s %.8g %s is %s: in doubt, awaited from %s's "
                     "feed, never requested again", t->id, t->from, t->to, t->amount, t->asset,
                     hb_transfer_status_name (t->status), t->from);
        if (t->status == HB_TRANSFER_REFUSED) {
            s_hold (self, t, t->requested_ns);
            if (t->requested_ns + (int64_t) (cfg->treasury.timeout_s * 1e9) > hb_wall_ns ())
                hb_info ("treasury: journal: transfer %s over %s was refused (%s): the route suggests only "
                         "until %.0f s from now", t->id, t->route, t->reason,
                         (t->requested_ns + cfg->treasury.timeout_s * 1e9 - hb_wall_ns ()) / 1e9);
        }
    }
    self->pub = hb_pub_new (cfg->treasury.endpoint, "treasury", 0);
    self->sub = hb_sub_new (0);
    if (!self->pub || !self->sub)
        goto fail;
    hb_sub_role_t aggregator;
    hb_roles_aggregator (&aggregator);
    if (hb_sub_connect_role (self->sub, cfg->aggregator.endpoint, &aggregator) != 0)
        goto fail;
    //  the source feeds say what became of each transfer
    for (int v = 0; v < cfg->n_venues; v++) {
        hb_sub_role_t feed;
        hb_roles_feed (&cfg->venues [v], &feed);
        if (cfg->venues [v].enabled && cfg->venues [v].endpoint [0]
        &&  hb_sub_connect_role (self->sub, cfg->venues [v].endpoint, &feed) != 0)
            goto fail;
    }
    if (hb_sub_subscribe (self->sub, "margin.") != 0 || hb_sub_subscribe (self->sub, "pos.") != 0
    ||  hb_sub_subscribe (self->sub, "capital.transfer.") != 0
    ||  hb_sub_attach (self->sub, loop, s_on_bus, self) != 0
    ||  zloop_timer (loop, (size_t) cfg->treasury.plan_ms, 0, s_on_plan, self) < 0
    ||  zloop_timer (loop, S_HEARTBEAT_MS, 0, s_on_heartbeat, self) < 0)
        goto fail;
    return self;
fail:
    hb_error ("treasury: cannot start");
    hb_treasury_destroy (&self);
    return NULL;
}

void
hb_treasury_destroy (hb_treasury_t **self_p)
{
    assert (self_p);
    hb_treasury_t *self = *self_p;
    if (self) {
        if (self->sub)
            hb_sub_detach (self->sub);
        hb_sub_destroy (&self->sub);
        hb_pub_destroy (&self->pub);
        hb_transfers_destroy (&self->book);
        free (self->pos_usd);
        free (self);
        *self_p = NULL;
    }
}
