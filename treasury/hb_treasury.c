/*  hb_treasury: see hb_treasury.h. */
#include "hb_treasury.h"
#include "hb_treasury_plan.h"

#include "hb_heartbeat.h"
#include "hb_log.h"
#include "hb_metrics.h"
#include "hb_pub.h"
#include "hb_roles.h"
#include "hb_sub.h"
#include "hb_time.h"

#include <errno.h>
#include <string.h>

#define S_HEARTBEAT_MS      1000
#define S_DRAIN_MAX         256     //  messages per wake-up before timers get a turn

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
    hb_complain_t c_unknown;
    hb_complain_t c_bad;
    hb_metric_t *m_bad;
    hb_metric_t *m_plans;
    hb_metric_t *m_short;
    hb_metric_t *m_uncovered;
};

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
                 "transfer(s), first %s from %s (plan only, nothing is sent)", plan->venue,
                 -plan->surplus_usd, plan->liq_s, plan->n_transfers,
                 plan->n_transfers ? plan->transfers [0].route : "-",
                 plan->n_transfers ? plan->transfers [0].from : "-");
    else
        hb_warn ("treasury: %s: short %.0f USD under the stress, liquidated in %.0f s; not covered: %s",
                 plan->venue, -plan->surplus_usd, plan->liq_s, hb_plan_reason_name (plan->reason));
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
    return 0;
}

static int
s_on_heartbeat (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_treasury_t *self = (hb_treasury_t *) arg;
    hb_msg_t msg;
    hb_heartbeat_begin (&msg, "treasury", self->started_mono, self->pub, self->sub);
    msg.u.heartbeat.msgs_in = self->msgs_in;
    //  1: a venue is short under the stress and no transfer covers it in time
    msg.u.heartbeat.status = self->uncovered > 0 ? 1 : 0;
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
    self->pub = hb_pub_new (cfg->treasury.endpoint, "treasury", 0);
    self->sub = hb_sub_new (0);
    if (!self->pub || !self->sub)
        goto fail;
    hb_sub_role_t aggregator;
    hb_roles_aggregator (&aggregator);
    if (hb_sub_connect_role (self->sub, cfg->aggregator.endpoint, &aggregator) != 0
    ||  hb_sub_subscribe (self->sub, "margin.") != 0 || hb_sub_subscribe (self->sub, "pos.") != 0
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
        free (self->pos_usd);
        free (self);
        *self_p = NULL;
    }
}
