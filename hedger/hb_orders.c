/*  hb_orders: the hedger's order table and the inclusion proof of our
    fills (see hb_orders.h).                                              */
#include "hb_orders.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_log.h"

//  A fill the aggregator named on one instrument (last_fill), kept a while:
//  its naming may come before the fill itself (two publishers, no order
//  between them)
#define S_NAMED_KEEP    8
typedef struct {
    char     fill_id [HB_ID_MAX];
    uint64_t epoch;                 //  the naming state's
    bool     included;              //  by pos.<asset> (in_epoch, seq)
    uint64_t in_epoch, seq;
} s_named_t;

struct _hb_orders_t {
    const hb_config_t *cfg;
    hb_orders_proven_fn *proven;
    void          *proven_arg;
    hb_orders_entry_t    *orders;          //  HB_ORDERS_MAX
    int            hi;              //  slots ever handed out: orders [0, hi)
    uint64_t       fill_rank;       //  fills of ours seen (and replayed), in order
    s_named_t     *named;           //  [venue][instrument][S_NAMED_KEEP], a ring each
    uint8_t       *named_next;      //  per slot: instrument i of venue v at first [v] + i
    size_t         first [HB_MAX_VENUES];
    //  the aggregator's newest pos.<asset> seen
    char           agg_publisher [HB_NAME_MAX];
    bool           pos_known [HB_MAX_ASSETS];
    uint64_t       pos_epoch [HB_MAX_ASSETS], pos_seq [HB_MAX_ASSETS];
    //  a fill of ours on the asset named, not included yet: the table is
    //  walked on pos.<asset> (which comes with every mark change) only then.
    //  All true at first: what the journal left named and not included is
    //  looked at on the first pos.<asset> of each asset.
    bool           to_include [HB_MAX_ASSETS];
};

hb_orders_t *
hb_orders_new (const hb_config_t *cfg, hb_orders_proven_fn *proven, void *arg)
{
    assert (cfg && proven);
    hb_orders_t *self = (hb_orders_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->proven = proven;
    self->proven_arg = arg;
    //  per instrument of the config, not per possible one
    size_t slots = hb_config_instrument_slots (cfg, self->first);
    if (slots == 0)
        slots = 1;
    self->orders = (hb_orders_entry_t *) calloc (HB_ORDERS_MAX, sizeof (hb_orders_entry_t));
    self->named = (s_named_t *) calloc (slots * S_NAMED_KEEP, sizeof (s_named_t));
    self->named_next = (uint8_t *) calloc (slots, 1);
    if (!self->orders || !self->named || !self->named_next) {
        hb_orders_destroy (&self);
        return NULL;
    }
    for (int a = 0; a < HB_MAX_ASSETS; a++)
        self->to_include [a] = true;
    return self;
}

void
hb_orders_destroy (hb_orders_t **self_p)
{
    assert (self_p);
    hb_orders_t *self = *self_p;
    if (self) {
        free (self->orders);
        free (self->named);
        free (self->named_next);
        free (self);
        *self_p = NULL;
    }
}

hb_orders_entry_t *
hb_orders_find (hb_orders_t *self, const char *client_id)
{
    assert (self && client_id);
    for (int i = 0; i < self->hi; i++)
        if (self->orders [i].used && strcmp (self->orders [i].client_id, client_id) == 0)
            return &self->orders [i];
    return NULL;
}

//  How long a finished order is kept after it stopped counting: a request
//  older than max_request_age_ms is refused, one made before may still
//  come with an older picture
static int64_t
s_keep_ns (const hb_orders_t *self)
{
    return (int64_t) self->cfg->hedger.max_request_age_ms * 2 * 1000000 + 10 * 1000000000LL;
}

hb_orders_entry_t *
hb_orders_slot (hb_orders_t *self, int64_t now_ns)
{
    assert (self);
    //  the lowest free slot first: the slots in use stay a prefix
    for (int i = 0; i < self->hi; i++) {
        hb_orders_entry_t *order = &self->orders [i];
        if (!order->used
        ||  (order->final && order->done_ns && now_ns > order->done_ns + s_keep_ns (self)))
            return order;
    }
    return self->hi < HB_ORDERS_MAX ? &self->orders [self->hi++] : NULL;
}

int
hb_orders_count (const hb_orders_t *self)
{
    assert (self);
    return self->hi;
}

hb_orders_entry_t *
hb_orders_at (hb_orders_t *self, int index)
{
    assert (self && index >= 0 && index < self->hi);
    return &self->orders [index];
}

uint64_t
hb_orders_rank (const hb_orders_t *self)
{
    assert (self);
    return self->fill_rank;
}

static s_named_t *
s_named_ring (hb_orders_t *self, int venue, int instrument)
{
    return &self->named [(self->first [venue] + (size_t) instrument) * S_NAMED_KEEP];
}

static s_named_t *
s_named_find (s_named_t *ring, const char *fill_id)
{
    for (int k = 0; k < S_NAMED_KEEP; k++)
        if (ring [k].fill_id [0] && strcmp (ring [k].fill_id, fill_id) == 0)
            return &ring [k];
    return NULL;
}

bool
hb_orders_add_fill (hb_orders_t *self, hb_orders_entry_t *order, const char *fill_id, double qty,
                    const char *publisher, uint64_t epoch, uint64_t seq)
{
    assert (self && order && fill_id);
    for (int f = 0; f < order->n_fills; f++)
        if (strcmp (order->fills [f].fill_id, fill_id) == 0)
            return false;           //  seen before
    if (order->n_fills >= HB_ORDER_FILLS) {
        ++self->fill_rank;          //  more than we keep: its part stays "unseen"
        return true;
    }
    hb_orders_fill_t *fill = &order->fills [order->n_fills++];
    memset (fill, 0, sizeof *fill);
    snprintf (fill->fill_id, sizeof fill->fill_id, "%s", fill_id);
    fill->qty = qty;
    fill->rank = ++self->fill_rank;
    order->seen_qty += qty;
    if (publisher) {
        fill->has_msg = true;
        snprintf (fill->publisher, sizeof fill->publisher, "%s", publisher);
        fill->msg_epoch = epoch;
        fill->msg_seq = seq;
    }
    //  the aggregator may have named it (and included it) before we saw it
    const s_named_t *named = s_named_find (s_named_ring (self, order->venue, order->instrument),
                                           fill_id);
    if (named) {
        fill->named = true;
        fill->named_epoch = named->epoch;
        self->to_include [order->asset] = true;
        if (named->included) {
            fill->included = true;
            fill->epoch = named->in_epoch;
            fill->seq = named->seq;
        }
    }
    return true;
}

//  The larger of two inclusion points
static void
s_later (uint64_t *epoch, uint64_t *seq, uint64_t e, uint64_t s)
{
    if (e > *epoch || (e == *epoch && s > *seq)) {
        *epoch = e;
        *seq = s;
    }
}

static void
s_set_proven (hb_orders_t *self, hb_orders_entry_t *order, uint64_t epoch, uint64_t seq, int64_t now_ns,
              const char *how)
{
    order->proven = true;
    order->p_epoch = epoch;
    order->p_seq = seq;
    order->done_ns = now_ns;
    self->proven (self->proven_arg, order, how);
}

void
hb_orders_check_proven (hb_orders_t *self, hb_orders_entry_t *order, int64_t now_ns)
{
    assert (self && order);
    if (!order->final || order->proven || !(order->filled > 0))
        return;
    if (order->seen_qty < order->filled - HB_ORDERS_QTY_EPS * order->qty)
        return;                     //  a fill we did not see: only a later one can tell
    uint64_t epoch = 0, seq = 0;
    for (int f = 0; f < order->n_fills; f++) {
        if (!order->fills [f].included)
            return;
        s_later (&epoch, &seq, order->fills [f].epoch, order->fills [f].seq);
    }
    s_set_proven (self, order, epoch, seq, now_ns, "named");
}

//  Ordering proof, for what no position state can name any more: an
//  order read back from the journal (its naming may be long gone), or
//  the part of a fill no fill message showed us. The aggregator applies a
//  venue's fills in the order the feed published them, so once it
//  includes a fill of ours that came after such an order ended, the order
//  is in too. Orders whose every fill we saw wait for their own names.
static void
s_prove_earlier (hb_orders_t *self, int venue, int instrument, const hb_orders_fill_t *later,
                 int64_t now_ns)
{
    for (int i = 0; i < self->hi; i++) {
        hb_orders_entry_t *order = &self->orders [i];
        if (!order->used || !order->final || order->proven || !(order->filled > 0)
        ||  order->venue != venue || order->instrument != instrument
        ||  order->final_rank >= later->rank)
            continue;
        bool unseen = order->seen_qty < order->filled - HB_ORDERS_QTY_EPS * order->qty;
        if (order->replayed || unseen)
            s_set_proven (self, order, later->epoch, later->seq, now_ns, "a later fill");
    }
}

void
hb_orders_on_position (hb_orders_t *self, const hb_msg_t *msg)
{
    assert (self && msg);
    const hb_position_t *pos = &msg->u.position;
    const hb_venue_cfg_t *v = hb_config_venue (self->cfg, pos->venue);
    const hb_instrument_cfg_t *ins = v? hb_venue_instrument (v, pos->symbol): NULL;
    if (!ins || !pos->last_fill [0])
        return;
    snprintf (self->agg_publisher, sizeof self->agg_publisher, "%s", msg->env.publisher);
    int venue = (int) (v - self->cfg->venues), instrument = (int) (ins - v->instruments);
    s_named_t *ring = s_named_ring (self, venue, instrument);
    //  a republication (every mark change) names what the ring has: the
    //  fills it names were marked then, or will be by hb_orders_add_fill
    if (s_named_find (ring, pos->last_fill))
        return;
    uint8_t *next = &self->named_next [self->first [venue] + (size_t) instrument];
    s_named_t *slot = &ring [*next];
    *next = (uint8_t) ((*next + 1) % S_NAMED_KEEP);
    memset (slot, 0, sizeof *slot);
    snprintf (slot->fill_id, sizeof slot->fill_id, "%s", pos->last_fill);
    slot->epoch = msg->env.epoch;
    //  the state also names its last fill's message (feed epoch, seq): every
    //  fill of ours from that feed epoch at or before it is in the state,
    //  one read back from the journal too (the aggregator applies a feed's
    //  fills in the order it published them)
    char feed [HB_NAME_MAX + 8];
    snprintf (feed, sizeof feed, "feed.%s", v->name);
    for (int i = 0; i < self->hi; i++) {
        hb_orders_entry_t *order = &self->orders [i];
        if (!order->used || order->proven || order->venue != venue || order->instrument != instrument)
            continue;
        for (int f = 0; f < order->n_fills; f++) {
            hb_orders_fill_t *fill = &order->fills [f];
            bool by_place = fill->has_msg && pos->last_fill_epoch && fill->msg_epoch == pos->last_fill_epoch
                         && fill->msg_seq <= pos->last_fill_seq && strcmp (fill->publisher, feed) == 0;
            if (!fill->named && (by_place || strcmp (fill->fill_id, pos->last_fill) == 0)) {
                fill->named = true;
                fill->named_epoch = msg->env.epoch;
                self->to_include [order->asset] = true;
            }
        }
    }
}

void
hb_orders_on_exposure (hb_orders_t *self, const hb_msg_t *msg, int asset, int64_t now_ns)
{
    assert (self && msg && asset >= 0 && asset < HB_MAX_ASSETS);
    const hb_env_t *env = &msg->env;
    snprintf (self->agg_publisher, sizeof self->agg_publisher, "%s", env->publisher);
    if (!self->pos_known [asset] || env->epoch > self->pos_epoch [asset]
    ||  (env->epoch == self->pos_epoch [asset] && env->seq > self->pos_seq [asset])) {
        self->pos_known [asset] = true;
        self->pos_epoch [asset] = env->epoch;
        self->pos_seq [asset] = env->seq;
    }
    for (int v = 0; v < self->cfg->n_venues; v++)
        for (int n = 0; n < self->cfg->venues [v].n_instruments; n++) {
            if (self->cfg->venues [v].instruments [n].asset != asset)
                continue;
            s_named_t *ring = s_named_ring (self, v, n);
            for (int k = 0; k < S_NAMED_KEEP; k++)
                if (ring [k].fill_id [0] && !ring [k].included && ring [k].epoch <= env->epoch) {
                    ring [k].included = true;
                    ring [k].in_epoch = env->epoch;
                    ring [k].seq = env->seq;
                }
        }
    if (!self->to_include [asset])
        return;
    self->to_include [asset] = false;
    for (int i = 0; i < self->hi; i++) {
        hb_orders_entry_t *order = &self->orders [i];
        if (!order->used || order->asset != asset || order->proven)
            continue;
        for (int f = 0; f < order->n_fills; f++) {
            hb_orders_fill_t *fill = &order->fills [f];
            if (fill->named && !fill->included && fill->named_epoch > env->epoch)
                self->to_include [asset] = true;        //  a later epoch will
            if (!fill->named || fill->included || fill->named_epoch > env->epoch)
                continue;
            fill->included = true;
            fill->epoch = env->epoch;
            fill->seq = env->seq;
            s_prove_earlier (self, order->venue, order->instrument, fill, now_ns);
        }
        hb_orders_check_proven (self, order, now_ns);
    }
}

hb_orders_pos_t
hb_orders_newest (const hb_orders_t *self, int asset)
{
    assert (self);
    hb_orders_pos_t pos = { 0 };
    if (asset >= 0 && asset < HB_MAX_ASSETS && self->pos_known [asset])
        pos = (hb_orders_pos_t) { true, self->pos_epoch [asset], self->pos_seq [asset] };
    return pos;
}

hb_orders_pos_t
hb_orders_request_pos (const hb_orders_t *self, const hb_risk_hedge_t *req, const char *asset)
{
    assert (self && req && asset);
    hb_orders_pos_t pos = { 0 };
    char topic [HB_TOPIC_MAX];
    snprintf (topic, sizeof topic, "pos.%s", asset);
    for (int i = 0; i < req->n_inputs && i < HB_RISK_INPUTS_MAX; i++) {
        const hb_risk_input_t *in = &req->inputs [i];
        if (strcmp (in->topic, topic) == 0
        &&  (!self->agg_publisher [0] || strcmp (in->publisher, self->agg_publisher) == 0))
            pos = (hb_orders_pos_t) { true, in->epoch, in->seq };
    }
    return pos;
}

//  True when the picture pos (a pos.<asset> of the aggregator) is at or
//  after (epoch, seq): a later epoch is a restarted aggregator, which
//  journaled the fill before it published a state naming it and replays
//  its journal at start
static bool
s_includes (const hb_orders_pos_t *pos, uint64_t epoch, uint64_t seq)
{
    return pos && pos->known && (pos->epoch > epoch || (pos->epoch == epoch && pos->seq >= seq));
}

//  True when request req names the fill message of fill (same feed, epoch
//  and topic, at its seq or later): hb-risk applied it before deciding.
//  Exact and the same in a replay (the feeds' envelopes are replayed as
//  they were), where the aggregator's pos.<asset> seq depends on timing.
static bool
s_req_holds (const hb_orders_t *self, const hb_orders_entry_t *order, const hb_orders_fill_t *fill,
             const hb_risk_hedge_t *req)
{
    if (!req || !fill->has_msg)
        return false;
    const hb_venue_cfg_t *venue = &self->cfg->venues [order->venue];
    char topic [HB_TOPIC_MAX];
    snprintf (topic, sizeof topic, "fill.%s.%s", venue->name, venue->instruments [order->instrument].symbol);
    for (int i = 0; i < req->n_inputs && i < HB_RISK_INPUTS_MAX; i++) {
        const hb_risk_input_t *in = &req->inputs [i];
        if (in->epoch == fill->msg_epoch && in->seq >= fill->msg_seq
        &&  strcmp (in->topic, topic) == 0 && strcmp (in->publisher, fill->publisher) == 0)
            return true;
    }
    return false;
}

double
hb_orders_flight (const hb_orders_t *self, const hb_orders_entry_t *order, const hb_orders_pos_t *pos,
                  const hb_risk_hedge_t *req)
{
    assert (self && order);
    if (!order->used)
        return 0;
    double units = (order->side == HB_SIDE_BUY? 1.0: -1.0) * order->mult;
    if (!order->final)
        return units * order->qty;
    //  A fill is held by the request's picture of the aggregator (the
    //  pos.<asset> at or after the one including it), or by the request
    //  naming the fill message itself
    if (!(order->filled > 0) || (order->proven && s_includes (pos, order->p_epoch, order->p_seq)))
        return 0;
    double left = order->filled;
    for (int f = 0; f < order->n_fills; f++) {
        const hb_orders_fill_t *fill = &order->fills [f];
        if ((fill->included && s_includes (pos, fill->epoch, fill->seq))
        ||  s_req_holds (self, order, fill, req))
            left -= fill->qty;
    }
    return left > HB_ORDERS_QTY_EPS * order->qty? units * left: 0;
}

double
hb_orders_asset_flight (const hb_orders_t *self, int asset, const hb_orders_pos_t *pos,
                        const hb_risk_hedge_t *req)
{
    assert (self);
    double sum = 0;
    for (int i = 0; i < self->hi; i++) {
        const hb_orders_entry_t *o = &self->orders [i];
        if (o->used && o->asset == asset
        &&  self->cfg->venues [o->venue].instruments [o->instrument].kind != HB_KIND_OPTION)
            sum += hb_orders_flight (self, o, pos, req);
    }
    return sum;
}
