/*  hb_risk_sample: cutting a risk sample into parts and joining them
    (hb_risk_sample.h).                                                     */
#include "hb_risk_sample.h"

#include <assert.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

//  One joining in progress: the next part expected of which sample
typedef struct {
    bool     open;                  //  a part 0 was taken and no part refused since
    uint64_t epoch;                 //  the publisher's
    uint64_t sample;
    uint16_t next;                  //  the part expected next
    uint16_t parts;
    uint16_t n_assets;
} s_join_t;

struct _hb_risk_sample_t {
    hb_risk_report_t *building;     //  exposures being joined
    hb_risk_report_t *done;         //  the latest complete sample
    float   *corr;                  //  correlations being joined (HB_RISK_CORR_MAX)
    s_join_t exposures;
    s_join_t corrs;
    bool     have;                  //  done holds a complete sample
    uint64_t refused [HB_RISK_SAMPLE_REASON_COUNT];
};

static int
s_pairs (int n)
{
    return n * (n - 1) / 2;
}

static int
s_exposure_parts (const hb_risk_report_t *report)
{
    return (report->n_assets + HB_RISK_PART_ASSETS - 1) / HB_RISK_PART_ASSETS;
}

int
hb_risk_sample_parts (const hb_risk_report_t *report)
{
    assert (report);
    return s_exposure_parts (report) + (s_pairs (report->n_assets) + HB_RISK_PART_CORR - 1) / HB_RISK_PART_CORR;
}

void
hb_risk_sample_part (const hb_risk_report_t *report, int i, hb_msg_t *msg)
{
    assert (report);
    assert (msg);
    assert (i >= 0 && i < hb_risk_sample_parts (report));
    memset (&msg->u, 0, sizeof msg->u);
    int exposure_parts = s_exposure_parts (report);
    if (i < exposure_parts) {
        msg->env.type = HB_MSG_RISK_EXPOSURE;
        hb_risk_exposure_t *x = &msg->u.risk_exposure;
        x->sample = report->sample;
        x->part = (uint16_t) i;
        x->parts = (uint16_t) exposure_parts;
        x->n_assets = report->n_assets;
        x->first = (uint16_t) (i * HB_RISK_PART_ASSETS);
        x->flags = report->flags;
        x->samples = report->samples;
        x->sample_s = report->sample_s;
        x->horizon_s = report->horizon_s;
        x->confidence = report->confidence;
        x->var_usd = report->var_usd;
        x->stress_var_usd = report->stress_var_usd;
        x->stress_corr = report->stress_corr;
        x->unhedged_sigma = report->unhedged_sigma;
        x->residual_sigma = report->residual_sigma;
        x->effectiveness = report->effectiveness;
        x->n_vega_edges = report->n_vega_edges;
        memcpy (x->vega_edges, report->vega_edges, sizeof x->vega_edges);
        int left = report->n_assets - x->first;
        x->count = (uint8_t) (left < HB_RISK_PART_ASSETS ? left : HB_RISK_PART_ASSETS);
        memcpy (x->assets, &report->assets [x->first], x->count * sizeof x->assets [0]);
        if (i == 0) {
            x->n_regimes = report->n_regimes;
            x->n_regimes_omitted = report->n_regimes_omitted;
            memcpy (x->regimes, report->regimes, sizeof x->regimes);
        }
        return;
    }
    int k = i - exposure_parts;
    int pairs = s_pairs (report->n_assets);
    msg->env.type = HB_MSG_RISK_CORR;
    hb_risk_corr_t *c = &msg->u.risk_corr;
    c->sample = report->sample;
    c->part = (uint16_t) k;
    c->parts = (uint16_t) ((pairs + HB_RISK_PART_CORR - 1) / HB_RISK_PART_CORR);
    c->n_assets = report->n_assets;
    c->first = (uint32_t) k * HB_RISK_PART_CORR;
    int left = pairs - (int) c->first;
    c->count = (uint16_t) (left < HB_RISK_PART_CORR ? left : HB_RISK_PART_CORR);
    memcpy (c->corr, &report->corr [c->first], c->count * sizeof c->corr [0]);
}

//  ---------------------------------------------------------------------------

hb_risk_sample_t *
hb_risk_sample_new (void)
{
    hb_risk_sample_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->building = calloc (1, sizeof *self->building);
    self->done = calloc (1, sizeof *self->done);
    self->corr = calloc (HB_RISK_CORR_MAX, sizeof *self->corr);
    if (!self->building || !self->done || !self->corr)
        hb_risk_sample_destroy (&self);
    return self;
}

void
hb_risk_sample_destroy (hb_risk_sample_t **self_p)
{
    assert (self_p);
    hb_risk_sample_t *self = *self_p;
    if (!self)
        return;
    free (self->building);
    free (self->done);
    free (self->corr);
    free (self);
    *self_p = NULL;
}

static int
s_refuse (hb_risk_sample_t *self, s_join_t *join, hb_risk_sample_reason_t why,
          hb_risk_sample_reason_t *reason)
{
    join->open = false;
    self->refused [why]++;
    if (reason)
        *reason = why;
    return -1;
}

//  Where a part fits the joining in progress: 1 it opens one (part 0), 0
//  it continues it, -1 refused
static int
s_place (hb_risk_sample_t *self, s_join_t *join, const hb_env_t *env, uint64_t sample,
         uint16_t part, uint16_t parts, uint16_t n_assets, hb_risk_sample_reason_t *reason)
{
    if (part == 0) {
        bool unfinished = join->open;
        join->open = true;
        join->epoch = env->epoch;
        join->sample = sample;
        join->next = 1;
        join->parts = parts;
        join->n_assets = n_assets;
        if (unfinished) {
            self->refused [HB_RISK_SAMPLE_INCOMPLETE]++;
            if (reason)
                *reason = HB_RISK_SAMPLE_INCOMPLETE;
        }
        return 1;
    }
    if (!join->open || part != join->next)
        return s_refuse (self, join, HB_RISK_SAMPLE_GAP, reason);
    if (env->epoch != join->epoch || sample != join->sample || parts != join->parts
    ||  n_assets != join->n_assets)
        return s_refuse (self, join, HB_RISK_SAMPLE_MISMATCH, reason);
    join->next++;
    return 0;
}

//  The portfolio fields of part 0 must be those of every later part
static bool
s_same_portfolio (const hb_risk_report_t *r, const hb_risk_exposure_t *x)
{
    return r->flags == x->flags && r->samples == x->samples && r->sample_s == x->sample_s
        && r->horizon_s == x->horizon_s && r->confidence == x->confidence
        && r->var_usd == x->var_usd && r->stress_var_usd == x->stress_var_usd
        && r->stress_corr == x->stress_corr && r->unhedged_sigma == x->unhedged_sigma
        && r->residual_sigma == x->residual_sigma && r->effectiveness == x->effectiveness
        && r->n_vega_edges == x->n_vega_edges
        && memcmp (r->vega_edges, x->vega_edges, sizeof r->vega_edges) == 0;
}

static int
s_add_exposure (hb_risk_sample_t *self, const hb_msg_t *msg, hb_risk_sample_reason_t *reason)
{
    const hb_risk_exposure_t *x = &msg->u.risk_exposure;
    hb_risk_report_t *b = self->building;
    int placed = s_place (self, &self->exposures, &msg->env, x->sample, x->part, x->parts,
                          x->n_assets, reason);
    if (placed < 0)
        return -1;
    if (placed == 1) {
        b->sample = x->sample;
        b->flags = x->flags;
        b->samples = x->samples;
        b->sample_s = x->sample_s;
        b->horizon_s = x->horizon_s;
        b->confidence = x->confidence;
        b->var_usd = x->var_usd;
        b->stress_var_usd = x->stress_var_usd;
        b->stress_corr = x->stress_corr;
        b->unhedged_sigma = x->unhedged_sigma;
        b->residual_sigma = x->residual_sigma;
        b->effectiveness = x->effectiveness;
        b->n_vega_edges = x->n_vega_edges;
        memcpy (b->vega_edges, x->vega_edges, sizeof b->vega_edges);
        b->n_assets = x->n_assets;
        b->n_regimes = x->n_regimes;
        b->n_regimes_omitted = x->n_regimes_omitted;
        memcpy (b->regimes, x->regimes, sizeof b->regimes);
    }
    else
    if (!s_same_portfolio (b, x))
        return s_refuse (self, &self->exposures, HB_RISK_SAMPLE_MISMATCH, reason);
    //  the decoder has proved first + count <= n_assets
    memcpy (&b->assets [x->first], x->assets, x->count * sizeof x->assets [0]);
    if (self->exposures.next < self->exposures.parts)
        return 0;
    self->exposures.open = false;
    hb_risk_report_t *d = self->done;
    uint64_t corr_sample = self->have && d->n_assets == b->n_assets ? d->corr_sample : 0;
    //  what a reader uses: the fixed fields, the assets, the regimes; the
    //  matrix stays (of the same size) or goes
    size_t head = offsetof (hb_risk_report_t, assets);
    memcpy (d, b, head);
    memcpy (d->assets, b->assets, b->n_assets * sizeof d->assets [0]);
    d->n_regimes = b->n_regimes;
    d->n_regimes_omitted = b->n_regimes_omitted;
    memcpy (d->regimes, b->regimes, sizeof d->regimes);
    d->corr_sample = corr_sample;
    self->have = true;
    return HB_RISK_SAMPLE_EXPOSURES;
}

static int
s_add_corr (hb_risk_sample_t *self, const hb_msg_t *msg, hb_risk_sample_reason_t *reason)
{
    const hb_risk_corr_t *c = &msg->u.risk_corr;
    if (s_place (self, &self->corrs, &msg->env, c->sample, c->part, c->parts, c->n_assets,
                 reason) < 0)
        return -1;
    memcpy (&self->corr [c->first], c->corr, c->count * sizeof c->corr [0]);
    if (self->corrs.next < self->corrs.parts)
        return 0;
    self->corrs.open = false;
    //  a matrix goes with exposures of its size only: it waits for them
    //  otherwise (the exposures of its sample come first on the wire)
    hb_risk_report_t *d = self->done;
    if (!self->have || d->n_assets != c->n_assets)
        return 0;
    memcpy (d->corr, self->corr, (size_t) s_pairs (c->n_assets) * sizeof d->corr [0]);
    d->corr_sample = c->sample;
    return HB_RISK_SAMPLE_CORR;
}

int
hb_risk_sample_add (hb_risk_sample_t *self, const hb_msg_t *msg, hb_risk_sample_reason_t *reason)
{
    assert (self);
    assert (msg);
    if (reason)
        *reason = HB_RISK_SAMPLE_OK;
    switch (msg->env.type) {
        case HB_MSG_RISK_EXPOSURE: return s_add_exposure (self, msg, reason);
        case HB_MSG_RISK_CORR:     return s_add_corr (self, msg, reason);
        default:                   return 0;
    }
}

const hb_risk_report_t *
hb_risk_sample_report (const hb_risk_sample_t *self)
{
    assert (self);
    return self->have ? self->done : NULL;
}

uint64_t
hb_risk_sample_refused (const hb_risk_sample_t *self, hb_risk_sample_reason_t reason)
{
    assert (self);
    return reason > HB_RISK_SAMPLE_OK && reason < HB_RISK_SAMPLE_REASON_COUNT ? self->refused [reason] : 0;
}

const char *
hb_risk_sample_reason_name (hb_risk_sample_reason_t reason)
{
    static const char *const names [HB_RISK_SAMPLE_REASON_COUNT] = {
        "ok", "gap", "mismatch", "incomplete"
    };
    return reason >= 0 && reason < HB_RISK_SAMPLE_REASON_COUNT ? names [reason] : "unknown";
}
