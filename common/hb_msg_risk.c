/*  hb_msg_risk: the wire layout of hb-risk's messages (risk exposure and
    correlation parts, regime change, hedge request); see hb_msg_int.h and docs/PROTOCOL.md, Risk. Same rules
    as hb_msg.c: one array per body, fields in struct order, repeated
    records flat in one array after the fixed fields, the encoder refuses
    what the decoder would refuse.                                          */
#include "hb_msg_int.h"

#include <math.h>
#include <string.h>

#define S_EXPOSURE_FIELDS   23      //  sample, part, parts, n_assets, first, flags .. effectiveness,
                                    //  assets, regimes_omitted, regimes, vega_edges, desk, layout, coin
#define S_COIN_FIELDS       5       //  delta_coin, gamma_coin, vega_coin, theta_coin, value_coin
#define S_DESK_FIELDS       2       //  gamma_usd, theta_day, then one vega per bucket
#define S_CORR_FIELDS       6       //  sample, part, parts, n_assets, first, corr
#define S_PAIR_FIELDS       5       //  pair, state, kind, statistic, last_alarm_ns
#define S_REGIME_FIELDS     11      //  target .. ratio
#define S_ASSET_FIELDS      13
#define S_HEDGE_FIELDS      7       //  id .. effectiveness, targets, inputs
#define S_TARGET_FIELDS     5
#define S_INPUT_FIELDS      4

#define S_ASSET_FLAGS   (HB_RISK_ASSET_STALE | HB_RISK_ASSET_HEDGEABLE | HB_RISK_ASSET_FORWARD_STALE \
                       | HB_RISK_ASSET_GAMMA_BAND | HB_RISK_ASSET_VEGA_BAND | HB_RISK_ASSET_UNHEDGEABLE)
#define S_RISK_FLAGS    (HB_RISK_NO_POSITIONS | HB_RISK_WARMING_UP | HB_RISK_PLAN_FAILED \
                       | HB_RISK_POSITIONS_PENDING)
#define S_REASONS       (HB_RISK_REASON_BAND | HB_RISK_REASON_SIGMA)

//  A topic: 1..HB_TOPIC_MAX-1 bytes of the name alphabet (topics are names
//  joined by dots).
static bool
s_topic_valid (const char *topic)
{
    size_t len = strnlen (topic, HB_TOPIC_MAX);
    if (len == 0 || len >= HB_TOPIC_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char ch = topic [i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
        ||  ch == '.' || ch == '_' || ch == ':' || ch == '-'))
            return false;
    }
    return true;
}

static bool
s_asset_valid (const hb_risk_asset_t *self)
{
    return hb_msgi_name_valid (self->asset) && (self->flags & ~S_ASSET_FLAGS) == 0
        && hb_msgi_not_negative (self->index) && isfinite (self->exposure_usd)
        && isfinite (self->delta1_usd) && isfinite (self->option_delta_usd)
        && isfinite (self->gamma) && isfinite (self->vega) && isfinite (self->theta)
        && isfinite (self->rho)
        && hb_msgi_not_negative (self->vol) && isfinite (self->contribution)
        && isfinite (self->residual_usd) && isfinite (self->gamma_usd)
        && isfinite (self->theta_day);
}

//  The desk block of an asset: its buckets finite, those past n_buckets 0
static bool
s_desk_valid (const hb_risk_asset_t *self, int n_buckets)
{
    for (int b = 0; b < HB_RISK_VEGA_BUCKETS; b++)
        if (!isfinite (self->vega_bucket [b]) || (b >= n_buckets && self->vega_bucket [b] != 0))
            return false;
    return isfinite (self->delta_coin) && isfinite (self->gamma_coin) && isfinite (self->vega_coin)
        && isfinite (self->theta_coin) && isfinite (self->value_coin);
}

//  Bucket edges: at most HB_RISK_VEGA_BUCKETS - 1 days, >= 1, increasing
static bool
s_edges_valid (uint8_t n_edges, const uint16_t *edges)
{
    if (n_edges >= HB_RISK_VEGA_BUCKETS)
        return false;
    for (int i = 0; i < n_edges; i++)
        if (edges [i] < 1 || (i > 0 && edges [i] <= edges [i - 1]))
            return false;
    return true;
}

//  The parts of a sample of `total` records in parts of `per_part`: part
//  `part` starts at part x per_part and holds what is left up to per_part.
static bool
s_part_valid (uint32_t part, uint32_t parts, uint32_t first, uint32_t count, uint32_t total,
              uint32_t per_part)
{
    return total >= 1 && parts == (total + per_part - 1) / per_part && part < parts
        && first == part * per_part
        && count == (total - first < per_part ? total - first : per_part);
}

//  Field rules (RANGE); the part layout is s_exposure_place's (PART)
static bool
s_exposure_valid (const hb_risk_exposure_t *self)
{
    if ((self->flags & ~S_RISK_FLAGS) != 0 || !(self->sample_s > 0 && isfinite (self->sample_s))
    ||  !(self->horizon_s > 0 && isfinite (self->horizon_s))
    ||  !(self->confidence > 0.5 && self->confidence < 1)
    ||  !hb_msgi_not_negative (self->var_usd) || !hb_msgi_not_negative (self->stress_var_usd)
    ||  !(self->stress_corr >= -1 && self->stress_corr <= 1)
    ||  !hb_msgi_not_negative (self->unhedged_sigma) || !hb_msgi_not_negative (self->residual_sigma)
    ||  !(isfinite (self->effectiveness) && self->effectiveness <= 1)
    ||  self->n_assets < 1 || self->n_assets > HB_RISK_MAX_ASSETS
    ||  self->count > HB_RISK_PART_ASSETS || !s_edges_valid (self->n_vega_edges, self->vega_edges))
        return false;
    for (int i = 0; i < self->count; i++)
        if (!s_asset_valid (&self->assets [i]) || !s_desk_valid (&self->assets [i], self->n_vega_edges + 1))
            return false;
    int n_corr = self->n_assets * (self->n_assets - 1) / 2;
    if (self->n_regimes > HB_RISK_REGIMES_MAX)
        return false;
    for (int i = 0; i < self->n_regimes; i++) {
        const hb_risk_pair_regime_t *pr = &self->regimes [i];
        if (pr->pair >= n_corr || pr->state >= HB_RISK_REGIME_STATES || pr->kind >= HB_RISK_REGIME_KINDS
        ||  !hb_msgi_not_negative (pr->statistic) || pr->last_alarm_ns < 0)
            return false;
    }
    return true;
}

//  The regime block rides on part 0 only
static bool
s_exposure_place (const hb_risk_exposure_t *self)
{
    return s_part_valid (self->part, self->parts, self->first, self->count, self->n_assets,
                         HB_RISK_PART_ASSETS)
        && (self->part == 0 || (self->n_regimes == 0 && self->n_regimes_omitted == 0));
}

static bool
s_corr_valid (const hb_risk_corr_t *self)
{
    if (self->n_assets < 2 || self->n_assets > HB_RISK_MAX_ASSETS || self->count > HB_RISK_PART_CORR)
        return false;
    for (int i = 0; i < self->count; i++)
        if (!(self->corr [i] >= -1 && self->corr [i] <= 1))
            return false;
    return true;
}

static bool
s_corr_place (const hb_risk_corr_t *self)
{
    uint32_t n = self->n_assets;
    return s_part_valid (self->part, self->parts, self->first, self->count, n * (n - 1) / 2,
                         HB_RISK_PART_CORR);
}

static bool
s_regime_valid (const hb_risk_regime_t *self)
{
    return hb_msgi_name_valid (self->target) && hb_msgi_name_valid (self->proxy)
        && strcmp (self->target, self->proxy) != 0
        && self->state < HB_RISK_REGIME_STATES && self->previous < HB_RISK_REGIME_STATES
        && self->state != self->previous && self->kind < HB_RISK_REGIME_KINDS
        && self->sample >= 1 && hb_msgi_not_negative (self->statistic) && self->last_alarm_ns >= 0
        && self->corr_ref >= -1 && self->corr_ref <= 1
        && self->corr_fast >= -1 && self->corr_fast <= 1 && isfinite (self->ratio);
}

static bool
s_hedge_valid (const hb_risk_hedge_t *self)
{
    if (!hb_msgi_id_valid (self->id, true) || self->reasons == 0 || (self->reasons & ~S_REASONS) != 0
    ||  !hb_msgi_not_negative (self->residual_sigma)
    ||  !(isfinite (self->effectiveness) && self->effectiveness <= 1)
    ||  self->n_targets < 1 || self->n_targets > HB_RISK_HEDGE_TARGETS
    ||  self->n_inputs > HB_RISK_INPUTS_MAX)
        return false;
    for (int i = 0; i < self->n_targets; i++) {
        const hb_risk_target_t *target = &self->targets [i];
        if (!hb_msgi_name_valid (target->asset) || !(target->index > 0 && isfinite (target->index))
        ||  !isfinite (target->exposure_usd) || !isfinite (target->target_usd)
        ||  !isfinite (target->target_qty))
            return false;
    }
    for (int i = 0; i < self->n_inputs; i++)
        if (!s_topic_valid (self->inputs [i].topic) || !hb_msgi_name_valid (self->inputs [i].publisher))
            return false;
    return true;
}

//  ---------------------------------------------------------------------------

static int
s_exposure_encode (msgpack_packer *pk, const hb_risk_exposure_t *self)
{
    if (!s_exposure_valid (self) || !s_exposure_place (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_EXPOSURE_FIELDS);
    rc |= msgpack_pack_uint64 (pk, self->sample);
    rc |= msgpack_pack_uint16 (pk, self->part);
    rc |= msgpack_pack_uint16 (pk, self->parts);
    rc |= msgpack_pack_uint16 (pk, self->n_assets);
    rc |= msgpack_pack_uint16 (pk, self->first);
    rc |= msgpack_pack_uint32 (pk, self->flags);
    rc |= msgpack_pack_uint64 (pk, self->samples);
    rc |= hb_msgi_pack_double (pk, self->sample_s);
    rc |= hb_msgi_pack_double (pk, self->horizon_s);
    rc |= hb_msgi_pack_double (pk, self->confidence);
    rc |= hb_msgi_pack_double (pk, self->var_usd);
    rc |= hb_msgi_pack_double (pk, self->stress_var_usd);
    rc |= hb_msgi_pack_double (pk, self->stress_corr);
    rc |= hb_msgi_pack_double (pk, self->unhedged_sigma);
    rc |= hb_msgi_pack_double (pk, self->residual_sigma);
    rc |= hb_msgi_pack_double (pk, self->effectiveness);
    rc |= msgpack_pack_array (pk, S_ASSET_FIELDS * self->count);
    for (int i = 0; i < self->count; i++) {
        const hb_risk_asset_t *a = &self->assets [i];
        rc |= hb_msgi_pack_str (pk, a->asset, sizeof a->asset);
        rc |= msgpack_pack_uint32 (pk, a->flags);
        rc |= hb_msgi_pack_double (pk, a->index);
        rc |= hb_msgi_pack_double (pk, a->exposure_usd);
        rc |= hb_msgi_pack_double (pk, a->delta1_usd);
        rc |= hb_msgi_pack_double (pk, a->option_delta_usd);
        rc |= hb_msgi_pack_double (pk, a->gamma);
        rc |= hb_msgi_pack_double (pk, a->vega);
        rc |= hb_msgi_pack_double (pk, a->theta);
        rc |= hb_msgi_pack_double (pk, a->rho);
        rc |= hb_msgi_pack_double (pk, a->vol);
        rc |= hb_msgi_pack_double (pk, a->contribution);
        rc |= hb_msgi_pack_double (pk, a->residual_usd);
    }
    rc |= msgpack_pack_uint16 (pk, self->n_regimes_omitted);
    rc |= msgpack_pack_array (pk, S_PAIR_FIELDS * self->n_regimes);
    for (int i = 0; i < self->n_regimes; i++) {
        const hb_risk_pair_regime_t *pr = &self->regimes [i];
        rc |= msgpack_pack_uint16 (pk, pr->pair);
        rc |= msgpack_pack_uint8 (pk, pr->state);
        rc |= msgpack_pack_uint8 (pk, pr->kind);
        rc |= msgpack_pack_float (pk, pr->statistic);
        rc |= msgpack_pack_int64 (pk, pr->last_alarm_ns);
    }
    //  the desk block (a minor revision): bucket edges, then per asset
    //  gamma_usd, theta_day and one float32 vega per bucket
    rc |= msgpack_pack_array (pk, self->n_vega_edges);
    for (int i = 0; i < self->n_vega_edges; i++)
        rc |= msgpack_pack_uint16 (pk, self->vega_edges [i]);
    int n_buckets = self->n_vega_edges + 1;
    rc |= msgpack_pack_array (pk, (uint32_t) ((S_DESK_FIELDS + n_buckets) * self->count));
    for (int i = 0; i < self->count; i++) {
        const hb_risk_asset_t *a = &self->assets [i];
        rc |= hb_msgi_pack_double (pk, a->gamma_usd);
        rc |= hb_msgi_pack_double (pk, a->theta_day);
        for (int b = 0; b < n_buckets; b++)
            rc |= msgpack_pack_float (pk, a->vega_bucket [b]);
    }
    //  layout 2: the coin greeks of coin-settled options, float32 each
    rc |= msgpack_pack_uint8 (pk, HB_RISK_EXPOSURE_LAYOUT);
    rc |= msgpack_pack_array (pk, (uint32_t) (S_COIN_FIELDS * self->count));
    for (int i = 0; i < self->count; i++) {
        const hb_risk_asset_t *a = &self->assets [i];
        rc |= msgpack_pack_float (pk, a->delta_coin);
        rc |= msgpack_pack_float (pk, a->gamma_coin);
        rc |= msgpack_pack_float (pk, a->vega_coin);
        rc |= msgpack_pack_float (pk, a->theta_coin);
        rc |= msgpack_pack_float (pk, a->value_coin);
    }
    return rc;
}

static int
s_corr_encode (msgpack_packer *pk, const hb_risk_corr_t *self)
{
    if (!s_corr_valid (self) || !s_corr_place (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_CORR_FIELDS);
    rc |= msgpack_pack_uint64 (pk, self->sample);
    rc |= msgpack_pack_uint16 (pk, self->part);
    rc |= msgpack_pack_uint16 (pk, self->parts);
    rc |= msgpack_pack_uint16 (pk, self->n_assets);
    rc |= msgpack_pack_uint32 (pk, self->first);
    rc |= msgpack_pack_array (pk, self->count);
    for (int i = 0; i < self->count; i++)
        rc |= msgpack_pack_float (pk, self->corr [i]);
    return rc;
}

static int
s_regime_encode (msgpack_packer *pk, const hb_risk_regime_t *self)
{
    if (!s_regime_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_REGIME_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->target, sizeof self->target);
    rc |= hb_msgi_pack_str (pk, self->proxy, sizeof self->proxy);
    rc |= msgpack_pack_uint8 (pk, self->state);
    rc |= msgpack_pack_uint8 (pk, self->previous);
    rc |= msgpack_pack_uint8 (pk, self->kind);
    rc |= msgpack_pack_uint64 (pk, self->sample);
    rc |= hb_msgi_pack_double (pk, self->statistic);
    rc |= msgpack_pack_int64 (pk, self->last_alarm_ns);
    rc |= hb_msgi_pack_double (pk, self->corr_ref);
    rc |= hb_msgi_pack_double (pk, self->corr_fast);
    rc |= hb_msgi_pack_double (pk, self->ratio);
    return rc;
}

static int
s_hedge_encode (msgpack_packer *pk, const hb_risk_hedge_t *self)
{
    if (!s_hedge_valid (self))
        return -1;
    int rc = msgpack_pack_array (pk, S_HEDGE_FIELDS);
    rc |= hb_msgi_pack_str (pk, self->id, sizeof self->id);
    rc |= msgpack_pack_uint32 (pk, self->reasons);
    rc |= msgpack_pack_uint64 (pk, self->sample);
    rc |= hb_msgi_pack_double (pk, self->residual_sigma);
    rc |= hb_msgi_pack_double (pk, self->effectiveness);
    rc |= msgpack_pack_array (pk, S_TARGET_FIELDS * self->n_targets);
    for (int i = 0; i < self->n_targets; i++) {
        const hb_risk_target_t *t = &self->targets [i];
        rc |= hb_msgi_pack_str (pk, t->asset, sizeof t->asset);
        rc |= hb_msgi_pack_double (pk, t->index);
        rc |= hb_msgi_pack_double (pk, t->exposure_usd);
        rc |= hb_msgi_pack_double (pk, t->target_usd);
        rc |= hb_msgi_pack_double (pk, t->target_qty);
    }
    rc |= msgpack_pack_array (pk, S_INPUT_FIELDS * self->n_inputs);
    for (int i = 0; i < self->n_inputs; i++) {
        const hb_risk_input_t *in = &self->inputs [i];
        rc |= hb_msgi_pack_str (pk, in->topic, sizeof in->topic);
        rc |= hb_msgi_pack_str (pk, in->publisher, sizeof in->publisher);
        rc |= msgpack_pack_uint64 (pk, in->epoch);
        rc |= msgpack_pack_uint64 (pk, in->seq);
    }
    return rc;
}

int
hb_msgi_risk_encode (msgpack_packer *pk, const hb_msg_t *msg)
{
    switch (msg->env.type) {
        case HB_MSG_RISK_EXPOSURE:
            return s_exposure_encode (pk, &msg->u.risk_exposure);
        case HB_MSG_RISK_HEDGE:
            return s_hedge_encode (pk, &msg->u.risk_hedge);
        case HB_MSG_RISK_REGIME:
            return s_regime_encode (pk, &msg->u.risk_regime);
        case HB_MSG_RISK_CORR:
            return s_corr_encode (pk, &msg->u.risk_corr);
        default:
            return -1;
    }
}

//  ---------------------------------------------------------------------------

static hb_decode_reason_t
s_result (hb_msgi_cursor_t *c, bool valid)
{
    return c->err != HB_DECODE_OK? c->err: valid? HB_DECODE_OK: HB_DECODE_RANGE;
}

#define s_records hb_msgi_records

//  Field rules first (RANGE), then the part's place (PART)
static hb_decode_reason_t
s_placed (hb_msgi_cursor_t *c, bool valid, bool placed)
{
    hb_decode_reason_t reason = s_result (c, valid);
    return reason != HB_DECODE_OK ? reason : placed ? HB_DECODE_OK : HB_DECODE_PART;
}

static hb_decode_reason_t
s_exposure_decode (hb_msgi_cursor_t *c, hb_risk_exposure_t *self)
{
    self->sample = hb_msgi_read_uint (c, UINT64_MAX);
    self->part = (uint16_t) hb_msgi_read_uint (c, UINT16_MAX);
    self->parts = (uint16_t) hb_msgi_read_uint (c, UINT16_MAX);
    self->n_assets = (uint16_t) hb_msgi_read_uint (c, HB_RISK_MAX_ASSETS);
    self->first = (uint16_t) hb_msgi_read_uint (c, UINT16_MAX);
    self->flags = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    self->samples = hb_msgi_read_uint (c, UINT64_MAX);
    self->sample_s = hb_msgi_read_double (c);
    self->horizon_s = hb_msgi_read_double (c);
    self->confidence = hb_msgi_read_double (c);
    self->var_usd = hb_msgi_read_double (c);
    self->stress_var_usd = hb_msgi_read_double (c);
    self->stress_corr = hb_msgi_read_double (c);
    self->unhedged_sigma = hb_msgi_read_double (c);
    self->residual_sigma = hb_msgi_read_double (c);
    self->effectiveness = hb_msgi_read_double (c);
    hb_decode_reason_t err = HB_DECODE_OK;
    hb_msgi_cursor_t items;
    int n = s_records (c, &items, S_ASSET_FIELDS, HB_RISK_PART_ASSETS, &err);
    if (n < 0)
        return err;
    self->count = (uint8_t) n;
    for (int i = 0; i < n; i++) {
        hb_risk_asset_t *a = &self->assets [i];
        hb_msgi_read_str (&items, a->asset, sizeof a->asset);
        a->flags = (uint32_t) hb_msgi_read_uint (&items, UINT32_MAX);
        a->index = hb_msgi_read_double (&items);
        a->exposure_usd = hb_msgi_read_double (&items);
        a->delta1_usd = hb_msgi_read_double (&items);
        a->option_delta_usd = hb_msgi_read_double (&items);
        a->gamma = hb_msgi_read_double (&items);
        a->vega = hb_msgi_read_double (&items);
        a->theta = hb_msgi_read_double (&items);
        a->rho = hb_msgi_read_double (&items);
        a->vol = hb_msgi_read_double (&items);
        a->contribution = hb_msgi_read_double (&items);
        a->residual_usd = hb_msgi_read_double (&items);
    }
    if (items.err != HB_DECODE_OK)
        return items.err;
    self->n_regimes_omitted = (uint16_t) hb_msgi_read_uint (c, UINT16_MAX);
    int n_reg = s_records (c, &items, S_PAIR_FIELDS, HB_RISK_REGIMES_MAX, &err);
    if (n_reg < 0)
        return err;
    self->n_regimes = (uint8_t) n_reg;
    for (int i = 0; i < n_reg; i++) {
        hb_risk_pair_regime_t *pr = &self->regimes [i];
        pr->pair = (uint16_t) hb_msgi_read_uint (&items, UINT16_MAX);
        pr->state = (uint8_t) hb_msgi_read_uint (&items, UINT8_MAX);
        pr->kind = (uint8_t) hb_msgi_read_uint (&items, UINT8_MAX);
        pr->statistic = (float) hb_msgi_read_double (&items);
        pr->last_alarm_ns = hb_msgi_read_int (&items);
    }
    if (items.err != HB_DECODE_OK)
        return items.err;
    //  the desk block, the layout and the coin block: a body without them
    //  is of a layout before 2 (its figures would read as 0: a desk with
    //  coin options would look flat), refused as version
    if (!hb_msgi_more (c))
        return c->err != HB_DECODE_OK ? c->err : HB_DECODE_VERSION;
    {
        int n_edges = s_records (c, &items, 1, HB_RISK_VEGA_BUCKETS - 1, &err);
        if (n_edges < 0)
            return err;
        self->n_vega_edges = (uint8_t) n_edges;
        for (int i = 0; i < n_edges; i++)
            self->vega_edges [i] = (uint16_t) hb_msgi_read_uint (&items, UINT16_MAX);
        if (items.err != HB_DECODE_OK)
            return items.err;
        int n_buckets = n_edges + 1;
        int n_desk = s_records (c, &items, (uint32_t) (S_DESK_FIELDS + n_buckets), HB_RISK_PART_ASSETS, &err);
        if (n_desk < 0)
            return err;
        if (n_desk != self->count)
            return HB_DECODE_RANGE;
        for (int i = 0; i < n_desk; i++) {
            hb_risk_asset_t *a = &self->assets [i];
            a->gamma_usd = hb_msgi_read_double (&items);
            a->theta_day = hb_msgi_read_double (&items);
            for (int b = 0; b < n_buckets; b++)
                a->vega_bucket [b] = (float) hb_msgi_read_double (&items);
        }
        if (items.err != HB_DECODE_OK)
            return items.err;
    }
    if (!hb_msgi_more (c))
        return c->err != HB_DECODE_OK ? c->err : HB_DECODE_VERSION;
    if (hb_msgi_read_uint (c, UINT8_MAX) != HB_RISK_EXPOSURE_LAYOUT)
        return c->err != HB_DECODE_OK ? c->err : HB_DECODE_VERSION;
    int n_coin = s_records (c, &items, S_COIN_FIELDS, HB_RISK_PART_ASSETS, &err);
    if (n_coin < 0)
        return err;
    if (n_coin != self->count)
        return HB_DECODE_RANGE;
    for (int i = 0; i < n_coin; i++) {
        hb_risk_asset_t *a = &self->assets [i];
        a->delta_coin = (float) hb_msgi_read_double (&items);
        a->gamma_coin = (float) hb_msgi_read_double (&items);
        a->vega_coin = (float) hb_msgi_read_double (&items);
        a->theta_coin = (float) hb_msgi_read_double (&items);
        a->value_coin = (float) hb_msgi_read_double (&items);
    }
    if (items.err != HB_DECODE_OK)
        return items.err;
    //  fields past layout 2's: a later layout this decoder cannot read
    if (hb_msgi_more (c))
        return HB_DECODE_OVERSIZED;
    return s_placed (c, s_exposure_valid (self), s_exposure_place (self));
}

static hb_decode_reason_t
s_corr_decode (hb_msgi_cursor_t *c, hb_risk_corr_t *self)
{
    self->sample = hb_msgi_read_uint (c, UINT64_MAX);
    self->part = (uint16_t) hb_msgi_read_uint (c, UINT16_MAX);
    self->parts = (uint16_t) hb_msgi_read_uint (c, UINT16_MAX);
    self->n_assets = (uint16_t) hb_msgi_read_uint (c, HB_RISK_MAX_ASSETS);
    self->first = (uint32_t) hb_msgi_read_uint (c, HB_RISK_CORR_MAX);
    hb_decode_reason_t err = HB_DECODE_OK;
    hb_msgi_cursor_t items;
    int n = s_records (c, &items, 1, HB_RISK_PART_CORR, &err);
    if (n < 0)
        return err;
    self->count = (uint16_t) n;
    for (int i = 0; i < n; i++)
        self->corr [i] = (float) hb_msgi_read_double (&items);
    if (items.err != HB_DECODE_OK)
        return items.err;
    return s_placed (c, s_corr_valid (self), s_corr_place (self));
}

static hb_decode_reason_t
s_hedge_decode (hb_msgi_cursor_t *c, hb_risk_hedge_t *self)
{
    hb_msgi_read_str (c, self->id, sizeof self->id);
    self->reasons = (uint32_t) hb_msgi_read_uint (c, UINT32_MAX);
    self->sample = hb_msgi_read_uint (c, UINT64_MAX);
    self->residual_sigma = hb_msgi_read_double (c);
    self->effectiveness = hb_msgi_read_double (c);
    hb_decode_reason_t err = HB_DECODE_OK;
    hb_msgi_cursor_t items;
    int n = s_records (c, &items, S_TARGET_FIELDS, HB_RISK_HEDGE_TARGETS, &err);
    if (n < 0)
        return err;
    self->n_targets = (uint8_t) n;
    for (int i = 0; i < n; i++) {
        hb_risk_target_t *t = &self->targets [i];
        hb_msgi_read_str (&items, t->asset, sizeof t->asset);
        t->index = hb_msgi_read_double (&items);
        t->exposure_usd = hb_msgi_read_double (&items);
        t->target_usd = hb_msgi_read_double (&items);
        t->target_qty = hb_msgi_read_double (&items);
    }
    if (items.err != HB_DECODE_OK)
        return items.err;
    n = s_records (c, &items, S_INPUT_FIELDS, HB_RISK_INPUTS_MAX, &err);
    if (n < 0)
        return err;
    self->n_inputs = (uint8_t) n;
    for (int i = 0; i < n; i++) {
        hb_risk_input_t *in = &self->inputs [i];
        hb_msgi_read_str (&items, in->topic, sizeof in->topic);
        hb_msgi_read_str (&items, in->publisher, sizeof in->publisher);
        in->epoch = hb_msgi_read_uint (&items, UINT64_MAX);
        in->seq = hb_msgi_read_uint (&items, UINT64_MAX);
    }
    if (items.err != HB_DECODE_OK)
        return items.err;
    return s_result (c, s_hedge_valid (self));
}

static hb_decode_reason_t
s_regime_decode (hb_msgi_cursor_t *c, hb_risk_regime_t *self)
{
    hb_msgi_read_str (c, self->target, sizeof self->target);
    hb_msgi_read_str (c, self->proxy, sizeof self->proxy);
    self->state = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->previous = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->kind = (uint8_t) hb_msgi_read_uint (c, UINT8_MAX);
    self->sample = hb_msgi_read_uint (c, UINT64_MAX);
    self->statistic = hb_msgi_read_double (c);
    self->last_alarm_ns = hb_msgi_read_int (c);
    self->corr_ref = hb_msgi_read_double (c);
    self->corr_fast = hb_msgi_read_double (c);
    self->ratio = hb_msgi_read_double (c);
    return s_result (c, s_regime_valid (self));
}

hb_decode_reason_t
hb_msgi_risk_decode (hb_msgi_cursor_t *c, hb_msg_t *msg)
{
    switch (msg->env.type) {
        case HB_MSG_RISK_EXPOSURE:
            return s_exposure_decode (c, &msg->u.risk_exposure);
        case HB_MSG_RISK_HEDGE:
            return s_hedge_decode (c, &msg->u.risk_hedge);
        case HB_MSG_RISK_REGIME:
            return s_regime_decode (c, &msg->u.risk_regime);
        case HB_MSG_RISK_CORR:
            return s_corr_decode (c, &msg->u.risk_corr);
        default:
            return HB_DECODE_TYPE;
    }
}
