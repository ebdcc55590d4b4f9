/*  sim_venue: see sim_venue.h; feeds/sim/README.md states the model.

    Orders are matched in two phases: a dry run walks the book and applies
    the fills to a copy of the account, the collateral rules look at that
    copy, and only then are fills emitted, the book consumed and the copy
    kept. So a rejected order leaves no trace, and the collateral check sees
    the exact prices and fees the order would get.                           */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_bs.h"
#include "sim_rng.h"
#include "sim_venue.h"

#define S_YEAR_S        (365.0 * 86400.0)
#define S_ID_RING       4096            //  client ids remembered for duplicates
#define S_TRADE_P       0.25            //  chance of a public trade per instrument and step
#define S_OPT_SPREAD    0.02            //  minimum option spread, fraction of its price
#define S_OPT_LEVEL     0.01            //  minimum option level step, fraction of its price
#define S_OPT_USD_DIV   10.0            //  option levels hold level_usd / 10 of underlying
#define S_QTY_REL       1e-9            //  "whole multiple" slack, relative

//  Salts that keep the counter-hash streams of one venue seed apart.
#define S_SALT_NOISE    UINT64_C (0x6e6f697365)
#define S_SALT_BOOK     UINT64_C (0x626f6f6b)
#define S_SALT_TRADE    UINT64_C (0x7472616465)

//  A fill id is the order id plus one digit for the level.
_Static_assert (HB_BOOK_DEPTH <= 10, "fill ids carry the level as one digit");

struct sim_venue_s {
    const hb_config_t    *config;
    const hb_venue_cfg_t *cfg;
    const sim_venue_cfg_t   *sim;
    sim_market_t         *market;
    int64_t               anchor_ns;
    double                step_ns;
    int                   n;                            //  instruments
    bool                  built;                        //  books hold step book_k
    uint64_t              book_k;
    double                mid [HB_MAX_ASSETS];
    //  per instrument of the venue (n), allocated by sim_venue_new
    double               *fair;
    bool                 *quoted;
    sim_book_t           *books;
    sim_account_t         account;
    sim_account_t         after;                        //  an order's account, before it commits
    bool                  traded;                       //  trades of trade_k are out
    uint64_t              trade_k;
    uint64_t              n_orders;
    bool                  liq_latched;                  //  liquidated in the breach still on
    uint64_t              n_liquidations;
    uint64_t              id_hash [S_ID_RING];
    char                  ids [S_ID_RING][HB_ID_MAX];
    int                   id_next;
    int                   id_count;
    hb_msg_t              msg;
};

//  An option's implied vol at step k: the market's surface (sim_vol.h) on
//  the venue's mid as the forward, or the instrument's iv without one
static double
s_option_iv (const sim_venue_t *self, const hb_instrument_cfg_t *ins, uint64_t k)
{
    double t_days = ((double) ins->expiry_ns - (double) sim_venue_time_ns (self, k)) * 1e-9 / 86400.0;
    return sim_market_iv (self->market, ins->asset, ins->strike, self->mid [ins->asset], t_days, ins->iv);
}

sim_venue_t *
sim_venue_new (const hb_config_t *config, const hb_venue_cfg_t *venue,
               const sim_market_cfg_t *market, const sim_venue_cfg_t *sim,
               int64_t anchor_ns, char *err, size_t errsize)
{
    if (!(sim->publish_ms > 0) || sim->depth < 1 || sim->depth > HB_BOOK_DEPTH
    ||  !(sim->level_usd > 0) || sim->spread_bps < 0 || sim->level_bps < 0
    ||  sim->noise_bps < 0 || sim->latency_ms < 0) {
        snprintf (err, errsize, "venues.%s.sim: publish_ms, depth (1..%d), level_usd, "
                  "spread_bps, level_bps, noise_bps or latency_ms out of range",
                  venue->name, HB_BOOK_DEPTH);
        return NULL;
    }
    if (venue->n_instruments < 0 || venue->n_instruments > HB_MAX_INSTRUMENTS) {
        snprintf (err, errsize, "venues.%s.instruments: bad count %d", venue->name,
                  venue->n_instruments);
        return NULL;
    }
    for (int i = 0; i < venue->n_instruments; i++) {
        const hb_instrument_cfg_t *ins = &venue->instruments [i];
        bool ok = ins->asset >= 0 && ins->asset < config->n_assets
               && ins->tick_size > 0 && ins->lot_size > 0 && ins->multiplier > 0
               && ins->kind >= HB_KIND_SPOT && ins->kind <= HB_KIND_OPTION;
        if (ins->kind == HB_KIND_OPTION)
            ok = ok && ins->strike > 0 && ins->iv > 0;
        if (!ok) {
            snprintf (err, errsize, "venues.%s.instruments.%s: unusable (asset, kind, "
                      "tick_size, lot_size, multiplier, strike or iv)", venue->name, ins->symbol);
            return NULL;
        }
    }
    sim_venue_t *self = (sim_venue_t *) calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, errsize, "out of memory");
        return NULL;
    }
    //  per instrument of this venue, not per possible one
    size_t n = venue->n_instruments > 0 ? (size_t) venue->n_instruments : 1;
    self->fair = (double *) calloc (n, sizeof (double));
    self->quoted = (bool *) calloc (n, sizeof (bool));
    self->books = (sim_book_t *) calloc (n, sizeof (sim_book_t));
    self->account.pos = (double *) calloc (n, sizeof (double));
    self->account.cash = (double *) calloc (n, sizeof (double));
    self->after.pos = (double *) calloc (n, sizeof (double));
    self->after.cash = (double *) calloc (n, sizeof (double));
    if (!self->fair || !self->quoted || !self->books || !self->account.pos || !self->account.cash
    ||  !self->after.pos || !self->after.cash) {
        snprintf (err, errsize, "out of memory for %d instruments", venue->n_instruments);
        sim_venue_destroy (&self);
        return NULL;
    }
    self->market = sim_market_new (config, market, err, errsize);
    if (!self->market) {
        sim_venue_destroy (&self);
        return NULL;
    }
    self->config = config;
    self->cfg = venue;
    self->sim = sim;
    self->anchor_ns = anchor_ns;
    self->step_ns = market->step_ms * 1e6;
    self->n = venue->n_instruments;
    self->account.usd = venue->collateral_usd;
    for (int a = 0; a < config->n_assets; a++)
        self->account.coin [a] = venue->balances [a];
    return self;
}

void
sim_venue_destroy (sim_venue_t **self_p)
{
    if (self_p && *self_p) {
        sim_venue_t *self = *self_p;
        sim_market_destroy (&self->market);
        free (self->fair);
        free (self->quoted);
        free (self->books);
        free (self->account.pos);
        free (self->account.cash);
        free (self->after.pos);
        free (self->after.cash);
        free (self);
        *self_p = NULL;
    }
}

uint64_t
sim_venue_step_at (const sim_venue_t *self, int64_t wall_ns)
{
    if (wall_ns <= self->anchor_ns)
        return 0;
    return (uint64_t) floor ((double) (wall_ns - self->anchor_ns) / self->step_ns);
}

int64_t
sim_venue_time_ns (const sim_venue_t *self, uint64_t k)
{
    return self->anchor_ns + (int64_t) llround ((double) k * self->step_ns);
}

bool
sim_venue_outage (const sim_venue_t *self, uint64_t k)
{
    double t_s = (double) k * self->step_ns * 1e-9;
    for (int i = 0; i < self->sim->n_outages && i < SIM_MAX_WINDOWS; i++)
        if (sim_window_active (&self->sim->outages [i], t_s))
            return true;
    return false;
}

void
sim_venue_seek (sim_venue_t *self, uint64_t k)
{
    sim_market_seek (self->market, k);
}

//  Book parameters of instrument i at its fair price, per kind: sizes are
//  level_usd of underlying (level_usd / 10 for options) in the instrument's
//  unit; options get a spread of at least 2 % of their price.
static void
s_book_params (const sim_venue_t *self, int i, uint64_t k, sim_book_params_t *p)
{
    const hb_instrument_cfg_t *ins = &self->cfg->instruments [i];
    const sim_venue_cfg_t *sim = self->sim;
    double fair = self->fair [i];
    double under = self->mid [ins->asset];
    memset (p, 0, sizeof *p);
    p->fair = fair;
    p->half_spread = 0.5 * sim->spread_bps * 1e-4 * fair;
    p->level_step = sim->level_bps * 1e-4 * fair;
    switch (ins->kind) {
        case HB_KIND_INVERSE_PERP:
            p->touch_qty = sim->level_usd / ins->multiplier;
            break;
        case HB_KIND_OPTION:
            p->half_spread = 0.5 * fmax (sim->spread_bps * 1e-4 * fair, S_OPT_SPREAD * fair);
            p->level_step = fmax (p->level_step, S_OPT_LEVEL * fair);
            p->touch_qty = sim->level_usd / S_OPT_USD_DIV / (under * ins->multiplier);
            break;
        default:
            p->touch_qty = sim->level_usd / (fair * ins->multiplier);
            break;
    }
    p->tick = ins->tick_size;
    p->lot = ins->lot_size;
    p->min_qty = ins->min_qty;
    p->depth = sim->depth;
    p->seed = sim_rng_hash (sim->seed ^ S_SALT_BOOK, k, (uint64_t) i);
}

//  Makes mids, fair prices and books current for step k.
static void
s_refresh (sim_venue_t *self, uint64_t k)
{
    if (self->built && self->book_k == k)
        return;
    sim_market_seek (self->market, k);
    const sim_venue_cfg_t *sim = self->sim;
    for (int a = 0; a < self->config->n_assets; a++) {
        double e = sim_rng_hash_normal (sim->seed ^ S_SALT_NOISE, k, (uint64_t) a);
        self->mid [a] = sim_market_price (self->market, a)
                      * exp (sim->basis_bps * 1e-4 + sim->noise_bps * 1e-4 * e);
    }
    double now_ns = (double) sim_venue_time_ns (self, k);
    for (int i = 0; i < self->n; i++) {
        const hb_instrument_cfg_t *ins = &self->cfg->instruments [i];
        double under = self->mid [ins->asset];
        self->quoted [i] = true;
        if (ins->kind == HB_KIND_OPTION) {
            double t = ((double) ins->expiry_ns - now_ns) * 1e-9 / S_YEAR_S;
            //  past expiry hb_bs returns -1 with the intrinsic value,
            //  which is what the position is worth from then on
            hb_greeks_t greeks;
            self->quoted [i] = hb_bs (ins->is_call, under, ins->strike, t, 0, 0,
                                      s_option_iv (self, ins, k), &greeks) == 0;
            self->fair [i] = greeks.price;
        }
        else
            self->fair [i] = under;
        if (self->quoted [i] && self->fair [i] > 0) {
            sim_book_params_t params;
            s_book_params (self, i, k, &params);
            sim_book_build (&self->books [i], &params);
        }
        else
            memset (&self->books [i], 0, sizeof self->books [i]);
    }
    self->built = true;
    self->book_k = k;
}

static hb_msg_t *
s_msg (sim_venue_t *self, int type, uint64_t k)
{
    memset (&self->msg, 0, sizeof self->msg);
    self->msg.env.type = (uint8_t) type;
    self->msg.env.ts_venue = sim_venue_time_ns (self, k);
    return &self->msg;
}

static int
s_publish_trades (sim_venue_t *self, uint64_t k, sim_emit_fn *emit, void *arg)
{
    int emitted = 0;
    for (int i = 0; i < self->n; i++) {
        const sim_book_t *book = &self->books [i];
        if (!self->quoted [i])
            continue;
        uint64_t h = sim_rng_hash (self->sim->seed ^ S_SALT_TRADE, k, (uint64_t) i);
        if (sim_rng_unit (h) >= S_TRADE_P)
            continue;
        int side = (sim_rng_mix (h) & 1)? HB_SIDE_BUY: HB_SIDE_SELL;
        const hb_level_t *touch = side == HB_SIDE_BUY? book->asks: book->bids;
        if ((side == HB_SIDE_BUY? book->n_asks: book->n_bids) == 0)
            continue;
        //  between one lot and the touch size, on the lot grid
        const hb_instrument_cfg_t *ins = &self->cfg->instruments [i];
        double lots = floor (touch->qty / ins->lot_size * sim_rng_unit (sim_rng_mix (h ^ 1)));
        hb_msg_t *msg = s_msg (self, HB_MSG_TRADE, k);
        hb_trade_t *trade = &msg->u.trade;
        snprintf (trade->venue, sizeof trade->venue, "%s", self->cfg->name);
        snprintf (trade->symbol, sizeof trade->symbol, "%s", ins->symbol);
        snprintf (trade->trade_id, sizeof trade->trade_id, "t%" PRIu64 "-%d", k, i);
        trade->side = (uint8_t) side;
        trade->px = touch->px;
        trade->qty = fmax (1, lots) * ins->lot_size;
        emit (arg, msg);
        emitted++;
    }
    return emitted;
}

int
sim_venue_publish (sim_venue_t *self, uint64_t k, sim_emit_fn *emit, void *arg)
{
    if (sim_venue_outage (self, k))
        return 0;
    s_refresh (self, k);
    int emitted = 0;
    for (int i = 0; i < self->n; i++) {
        if (!self->quoted [i])
            continue;
        const hb_instrument_cfg_t *ins = &self->cfg->instruments [i];
        const sim_book_t *book = &self->books [i];
        hb_msg_t *msg = s_msg (self, HB_MSG_TICK, k);
        hb_tick_t *tick = &msg->u.tick;
        snprintf (tick->venue, sizeof tick->venue, "%s", self->cfg->name);
        snprintf (tick->symbol, sizeof tick->symbol, "%s", ins->symbol);
        tick->mark = self->fair [i];
        if (ins->kind != HB_KIND_SPOT)
            tick->underlying = self->mid [ins->asset];
        if (ins->kind == HB_KIND_OPTION) {
            tick->flags |= HB_TICK_HAS_IV;
            tick->mark_iv = s_option_iv (self, ins, k);
        }
        tick->n_bids = (uint8_t) book->n_bids;
        tick->n_asks = (uint8_t) book->n_asks;
        memcpy (tick->bids, book->bids, sizeof tick->bids);
        memcpy (tick->asks, book->asks, sizeof tick->asks);
        emit (arg, msg);
        emitted++;
    }
    if (!self->traded || self->trade_k != k) {
        self->traded = true;
        self->trade_k = k;
        emitted += s_publish_trades (self, k, emit, arg);
    }
    return emitted;
}

//  ---------------------------------------------------------------------------
//  Account

//  dst = src, the per-instrument arrays copied (not shared)
static void
s_account_copy (const sim_venue_t *self, sim_account_t *dst, const sim_account_t *src)
{
    dst->usd = src->usd;
    memcpy (dst->coin, src->coin, sizeof dst->coin);
    memcpy (dst->pos, src->pos, (size_t) self->n * sizeof *dst->pos);
    memcpy (dst->cash, src->cash, (size_t) self->n * sizeof *dst->cash);
}

static void
s_apply_fill (const sim_venue_t *self, sim_account_t *acct, int i, int side,
              double qty, double px, double fee)
{
    const hb_instrument_cfg_t *ins = &self->cfg->instruments [i];
    double sq = side == HB_SIDE_BUY? qty: -qty;
    double m = ins->multiplier;
    switch (ins->kind) {
        case HB_KIND_SPOT:
            acct->coin [ins->asset] += sq * m;
            acct->usd -= sq * m * px + fee;
            break;
        case HB_KIND_LINEAR_PERP:
        case HB_KIND_FUTURE:
            acct->pos [i] += sq;
            acct->cash [i] -= sq * m * px;
            acct->usd -= fee;
            break;
        case HB_KIND_INVERSE_PERP:
            acct->pos [i] += sq;
            acct->cash [i] += sq * m / px;
            acct->coin [ins->asset] -= fee;
            break;
        case HB_KIND_OPTION:
            acct->pos [i] += sq;
            acct->usd -= sq * m * px + fee;
            break;
    }
}

//  Fee of one fill: taker rate on the USD notional, or, for an inverse
//  contract, on its value in coin.
static double
s_fee (const sim_venue_t *self, const hb_instrument_cfg_t *ins, double qty, double px)
{
    if (ins->kind == HB_KIND_INVERSE_PERP)
        return qty * ins->multiplier / px * self->cfg->fee_taker;
    return qty * ins->multiplier * px * self->cfg->fee_taker;
}

static double
s_equity (const sim_venue_t *self, const sim_account_t *acct)
{
    double equity = acct->usd;
    for (int a = 0; a < self->config->n_assets; a++)
        equity += acct->coin [a] * self->mid [a];
    for (int i = 0; i < self->n; i++) {
        const hb_instrument_cfg_t *ins = &self->cfg->instruments [i];
        double m = ins->multiplier, px = self->fair [i];
        switch (ins->kind) {
            case HB_KIND_LINEAR_PERP:
            case HB_KIND_FUTURE:
                equity += acct->cash [i] + acct->pos [i] * m * px;
                break;
            case HB_KIND_INVERSE_PERP:
                equity += (acct->cash [i] - acct->pos [i] * m / px) * px;
                break;
            case HB_KIND_OPTION:
                equity += acct->pos [i] * m * px;
                break;
            default:
                break;
        }
    }
    return equity;
}

//  USD notional that margin is charged on: linear and futures at the fair
//  price, inverse contracts at their face, short options on the
//  underlying they may have to deliver (long options are paid for)
static double
s_margined_notional (const sim_venue_t *self, const sim_account_t *acct)
{
    double notional = 0;
    for (int i = 0; i < self->n; i++) {
        const hb_instrument_cfg_t *ins = &self->cfg->instruments [i];
        double m = ins->multiplier, pos = fabs (acct->pos [i]);
        switch (ins->kind) {
            case HB_KIND_LINEAR_PERP:
            case HB_KIND_FUTURE:
                notional += pos * m * self->fair [i];
                break;
            case HB_KIND_INVERSE_PERP:
                notional += pos * m;
                break;
            case HB_KIND_OPTION:
                //  a long option is paid for; a short one is margined on
                //  the underlying it may have to deliver
                if (acct->pos [i] < 0)
                    notional += pos * m * self->mid [ins->asset];
                break;
            default:
                break;
        }
    }
    return notional;
}

static double
s_margin (const sim_venue_t *self, const sim_account_t *acct)
{
    return s_margined_notional (self, acct) * self->cfg->initial_margin;
}

static double
s_maintenance (const sim_venue_t *self, const sim_account_t *acct)
{
    return s_margined_notional (self, acct) * self->cfg->maintenance_margin;
}

//  ---------------------------------------------------------------------------
//  Orders

static uint64_t
s_id_hash (const char *id)
{
    //  FNV-1a
    uint64_t h = UINT64_C (0xcbf29ce484222325);
    for (const char *c = id; *c; c++)
        h = (h ^ (uint8_t) *c) * UINT64_C (0x100000001b3);
    return h;
}

static bool
s_id_seen (const sim_venue_t *self, const char *id)
{
    uint64_t h = s_id_hash (id);
    for (int j = 0; j < self->id_count; j++)
        if (self->id_hash [j] == h && strcmp (self->ids [j], id) == 0)
            return true;
    return false;
}

static void
s_id_remember (sim_venue_t *self, const char *id)
{
    self->id_hash [self->id_next] = s_id_hash (id);
    snprintf (self->ids [self->id_next], HB_ID_MAX, "%s", id);
    self->id_next = (self->id_next + 1) % S_ID_RING;
    if (self->id_count < S_ID_RING)
        self->id_count++;
}

//  The next order id, <venue>-<tag><k>-<n> (without the venue when that
//  would not fit)
#define S_ORDER_ID_MAX (HB_ID_MAX - 4)
static void
s_order_id (sim_venue_t *self, uint64_t k, const char *tag, char *order_id)
{
    int len = snprintf (order_id, S_ORDER_ID_MAX, "%s-%s%" PRIu64 "-%" PRIu64,
                        self->cfg->name, tag, k, self->n_orders);
    if (len < 0 || len >= S_ORDER_ID_MAX)
        snprintf (order_id, S_ORDER_ID_MAX, "%s%" PRIu64 "-%" PRIu64, tag, k, self->n_orders);
    self->n_orders++;
}

static hb_ack_t *
s_ack (sim_venue_t *self, uint64_t k, const char *symbol, const char *client_id)
{
    hb_msg_t *msg = s_msg (self, HB_MSG_ACK, k);
    hb_ack_t *ack = &msg->u.ack;
    snprintf (ack->venue, sizeof ack->venue, "%s", self->cfg->name);
    snprintf (ack->symbol, sizeof ack->symbol, "%.*s", HB_NAME_MAX - 1, symbol);
    snprintf (ack->client_id, sizeof ack->client_id, "%.*s", HB_ID_MAX - 1, client_id);
    return ack;
}

static int
s_reject (sim_venue_t *self, const hb_order_t *order, uint64_t k, sim_emit_fn *emit,
          void *arg, const char *order_id, hb_reject_t reason, const char *format, ...)
    __attribute__ ((format (printf, 8, 9)));

static int
s_reject (sim_venue_t *self, const hb_order_t *order, uint64_t k, sim_emit_fn *emit,
          void *arg, const char *order_id, hb_reject_t reason, const char *format, ...)
{
    hb_ack_t *ack = s_ack (self, k, order->symbol, order->client_id);
    snprintf (ack->order_id, sizeof ack->order_id, "%s", order_id);
    ack->status = HB_ACK_REJECTED;
    ack->reason = (uint8_t) reason;
    va_list args;
    va_start (args, format);
    vsnprintf (ack->text, sizeof ack->text, format, args);
    va_end (args);
    emit (arg, &self->msg);
    return -1;
}

static int
s_find (const sim_venue_t *self, const char *symbol)
{
    for (int i = 0; i < self->n; i++)
        if (strncmp (self->cfg->instruments [i].symbol, symbol, HB_NAME_MAX) == 0)
            return i;
    return -1;
}

//  One taker fill of instrument i: level j of order order_id
static void
s_emit_fill (sim_venue_t *self, uint64_t k, int i, const char *client_id, const char *order_id,
             int j, int side, const sim_take_t *take, double fee, uint32_t flags,
             sim_emit_fn *emit, void *arg)
{
    const hb_instrument_cfg_t *ins = &self->cfg->instruments [i];
    hb_msg_t *msg = s_msg (self, HB_MSG_FILL, k);
    hb_fill_t *fill = &msg->u.fill;
    snprintf (fill->venue, sizeof fill->venue, "%s", self->cfg->name);
    snprintf (fill->symbol, sizeof fill->symbol, "%s", ins->symbol);
    snprintf (fill->client_id, sizeof fill->client_id, "%s", client_id);
    snprintf (fill->order_id, sizeof fill->order_id, "%s", order_id);
    snprintf (fill->fill_id, sizeof fill->fill_id, "%s-%c", order_id, '0' + j);
    fill->side = (uint8_t) side;
    fill->liquidity = 2;
    fill->px = take->px;
    fill->qty = take->qty;
    fill->fee = fee;
    fill->flags = flags;
    snprintf (fill->fee_asset, sizeof fill->fee_asset, "%s",
              ins->kind == HB_KIND_INVERSE_PERP?
              self->config->assets [ins->asset].name: "USD");
    emit (arg, msg);
}

int
sim_venue_order (sim_venue_t *self, const hb_order_t *order, uint64_t k,
                 sim_emit_fn *emit, void *arg)
{
    //  Strings from the wire are terminated by the decoder; a struct built
    //  by hand may not be, so the copies below are bounded.
    char client_id [HB_ID_MAX];
    snprintf (client_id, sizeof client_id, "%.*s", HB_ID_MAX - 1, order->client_id);
    if (sim_venue_outage (self, k))
        return s_reject (self, order, k, emit, arg, "", HB_REJ_OUTAGE, "venue in outage");
    int i = s_find (self, order->symbol);
    if (i < 0)
        return s_reject (self, order, k, emit, arg, "", HB_REJ_UNKNOWN_INSTRUMENT,
                         "unknown instrument '%.*s'", HB_NAME_MAX - 1, order->symbol);
    const hb_instrument_cfg_t *ins = &self->cfg->instruments [i];
    if (client_id [0] == 0)
        return s_reject (self, order, k, emit, arg, "", HB_REJ_BAD_ORDER, "empty client_id");
    if (s_id_seen (self, client_id))
        return s_reject (self, order, k, emit, arg, "", HB_REJ_DUPLICATE_ID,
                         "duplicate client_id '%s'", client_id);
    if (order->side != HB_SIDE_BUY && order->side != HB_SIDE_SELL)
        return s_reject (self, order, k, emit, arg, "", HB_REJ_BAD_ORDER,
                         "bad side %d", order->side);
    if (order->ord_type != HB_ORD_MARKET && order->ord_type != HB_ORD_LIMIT)
        return s_reject (self, order, k, emit, arg, "", HB_REJ_BAD_ORDER,
                         "bad ord_type %d", order->ord_type);
    if (order->ord_type == HB_ORD_LIMIT && order->tif != HB_TIF_IOC)
        return s_reject (self, order, k, emit, arg, "", HB_REJ_BAD_ORDER,
                         "tif %d not supported: the sim takes IOC limit orders only", order->tif);
    if (!isfinite (order->qty) || order->qty <= 0)
        return s_reject (self, order, k, emit, arg, "", HB_REJ_BAD_ORDER,
                         "qty must be > 0 (value %g)", order->qty);
    if (order->qty < ins->min_qty * (1 - S_QTY_REL))
        return s_reject (self, order, k, emit, arg, "", HB_REJ_BELOW_MIN_SIZE,
                         "qty %g below min_qty %g", order->qty, ins->min_qty);
    if (!sim_book_on_grid (order->qty, ins->lot_size))
        return s_reject (self, order, k, emit, arg, "", HB_REJ_OFF_LOT,
                         "qty %g not a multiple of lot %g", order->qty, ins->lot_size);
    double limit = 0;
    if (order->ord_type == HB_ORD_LIMIT) {
        limit = order->px;
        if (!isfinite (limit) || limit <= 0 || !sim_book_on_grid (limit, ins->tick_size))
            return s_reject (self, order, k, emit, arg, "", HB_REJ_BAD_PRICE,
                             "limit px %g not a positive multiple of tick %g",
                             limit, ins->tick_size);
    }
    s_refresh (self, k);
    if (!self->quoted [i])
        return s_reject (self, order, k, emit, arg, "", HB_REJ_VENUE,
                         "%s is expired", ins->symbol);

    //  Dry run: the walk and its effect on a copy of the account.
    sim_take_t takes [HB_BOOK_DEPTH];
    double fees [HB_BOOK_DEPTH];
    double filled = 0;
    int side = order->side;
    int n_takes = sim_book_walk (&self->books [i], side, order->qty, limit,
                                 ins->lot_size, takes, &filled);
    char order_id [S_ORDER_ID_MAX];
    s_order_id (self, k, "", order_id);
    if (n_takes == 0) {
        s_id_remember (self, client_id);
        if (limit > 0)
            return s_reject (self, order, k, emit, arg, order_id, HB_REJ_NO_LIQUIDITY,
                             "nothing to take at limit %g", limit);
        return s_reject (self, order, k, emit, arg, order_id, HB_REJ_NO_LIQUIDITY,
                         "no liquidity on the %s side", side == HB_SIDE_BUY? "ask": "bid");
    }
    sim_account_t *after = &self->after;
    s_account_copy (self, after, &self->account);
    for (int j = 0; j < n_takes; j++) {
        fees [j] = s_fee (self, ins, takes [j].qty, takes [j].px);
        s_apply_fill (self, after, i, side, takes [j].qty, takes [j].px, fees [j]);
    }
    const sim_account_t *before = &self->account;
    if (ins->kind == HB_KIND_SPOT && side == HB_SIDE_SELL
    &&  before->coin [ins->asset] < order->qty * ins->multiplier * (1 - S_QTY_REL))
        return s_reject (self, order, k, emit, arg, "", HB_REJ_INSUFFICIENT_COLLATERAL,
                         "sell %g needs %g %s, have %g", order->qty,
                         order->qty * ins->multiplier,
                         self->config->assets [ins->asset].name, before->coin [ins->asset]);
    if ((ins->kind == HB_KIND_SPOT || ins->kind == HB_KIND_OPTION) && side == HB_SIDE_BUY
    &&  after->usd < 0)
        return s_reject (self, order, k, emit, arg, "", HB_REJ_INSUFFICIENT_COLLATERAL,
                         "needs %.2f USD incl. fees, have %.2f",
                         before->usd - after->usd, before->usd);
    if (ins->kind != HB_KIND_SPOT) {
        double margin_before = s_margin (self, before);
        double margin_after = s_margin (self, after);
        double equity_after = s_equity (self, after);
        //  an order that lowers margin use is always let through: refusing
        //  to reduce a position would make the account worse
        if (margin_after > equity_after && margin_after > margin_before)
            return s_reject (self, order, k, emit, arg, "", HB_REJ_INSUFFICIENT_COLLATERAL,
                             "margin %.2f USD would exceed equity %.2f USD",
                             margin_after, equity_after);
    }

    //  Commit.
    s_id_remember (self, client_id);
    for (int j = 0; j < n_takes; j++)
        s_emit_fill (self, k, i, client_id, order_id, j, side, &takes [j], fees [j], 0, emit, arg);
    sim_book_consume (&self->books [i], side, takes, n_takes, ins->lot_size);
    s_account_copy (self, &self->account, after);

    hb_ack_t *ack = s_ack (self, k, ins->symbol, client_id);
    snprintf (ack->order_id, sizeof ack->order_id, "%s", order_id);
    ack->filled_qty = filled;
    ack->leaves_qty = 0;
    if (filled >= order->qty * (1 - S_QTY_REL)) {
        ack->status = HB_ACK_DONE;
        ack->filled_qty = order->qty;
    }
    else {
        ack->status = HB_ACK_CANCELED;
        snprintf (ack->text, sizeof ack->text, "IOC remainder %g canceled",
                  order->qty - filled);
    }
    emit (arg, &self->msg);
    return 0;
}

//  Closes position i whole: the book walked for |pos|, what the book lacks
//  taken at its last level (or at the fair price when that side is empty),
//  every price worse by the penalty. Returns the fills emitted.
static int
s_liquidate_position (sim_venue_t *self, uint64_t k, int i, sim_emit_fn *emit, void *arg)
{
    const hb_instrument_cfg_t *ins = &self->cfg->instruments [i];
    double qty = fabs (self->account.pos [i]);
    int side = self->account.pos [i] > 0 ? HB_SIDE_SELL : HB_SIDE_BUY;
    sim_take_t takes [HB_BOOK_DEPTH];
    double filled = 0;
    int n_takes = sim_book_walk (&self->books [i], side, qty, 0, ins->lot_size, takes, &filled);
    sim_book_consume (&self->books [i], side, takes, n_takes, ins->lot_size);
    if (n_takes == 0)
        takes [n_takes++] = (sim_take_t) { .px = self->fair [i], .qty = 0 };
    //  the venue's engine takes the rest at the worst price it reached, so
    //  the fills add up to the position exactly and nothing is left open
    double rest = qty;
    for (int j = 0; j < n_takes - 1; j++)
        rest -= takes [j].qty;
    takes [n_takes - 1].qty = rest;
    double worse = side == HB_SIDE_SELL ? 1 - self->sim->liq_penalty_bps * 1e-4
                                        : 1 + self->sim->liq_penalty_bps * 1e-4;
    char order_id [S_ORDER_ID_MAX];
    s_order_id (self, k, "liq", order_id);
    char client_id [HB_ID_MAX];
    snprintf (client_id, sizeof client_id, "sim-%s", order_id);
    for (int j = 0; j < n_takes; j++) {
        takes [j].px *= worse;
        double fee = s_fee (self, ins, takes [j].qty, takes [j].px);
        s_apply_fill (self, &self->account, i, side, takes [j].qty, takes [j].px, fee);
        s_emit_fill (self, k, i, client_id, order_id, j, side, &takes [j], fee,
                     HB_FILL_EXTERNAL | HB_FILL_LIQUIDATION, emit, arg);
    }
    self->account.pos [i] = 0;      //  not a rounding residue of the sum
    return n_takes;
}

int
sim_venue_liquidate (sim_venue_t *self, uint64_t k, sim_emit_fn *emit, void *arg,
                     sim_liquidation_t *out)
{
    memset (out, 0, sizeof *out);
    if (!self->sim->liq_enabled || sim_venue_outage (self, k))
        return 0;
    s_refresh (self, k);
    out->equity = s_equity (self, &self->account);
    out->maintenance = s_maintenance (self, &self->account);
    if (!(out->maintenance > 0 && out->equity <= out->maintenance)) {
        self->liq_latched = false;
        return 0;
    }
    if (self->liq_latched)
        return 0;
    //  all margined positions at once, in the venue's instrument order:
    //  after it the account holds no margin, so the breach is over
    for (int i = 0; i < self->n; i++) {
        const hb_instrument_cfg_t *ins = &self->cfg->instruments [i];
        bool margined = ins->kind == HB_KIND_LINEAR_PERP || ins->kind == HB_KIND_FUTURE
                     || ins->kind == HB_KIND_INVERSE_PERP
                     || (ins->kind == HB_KIND_OPTION && self->account.pos [i] < 0);
        //  an expired option cannot be traded: it stays, and the latch
        //  keeps the venue from trying again while the breach lasts
        if (!margined || self->account.pos [i] == 0 || !self->quoted [i])
            continue;
        out->fills += s_liquidate_position (self, k, i, emit, arg);
        out->positions++;
    }
    self->liq_latched = true;
    self->n_liquidations++;
    out->equity_after = s_equity (self, &self->account);
    out->maintenance_after = s_maintenance (self, &self->account);
    return out->positions;
}

uint64_t
sim_venue_liquidations (const sim_venue_t *self)
{
    return self->n_liquidations;
}

double
sim_venue_maintenance (sim_venue_t *self, uint64_t k)
{
    s_refresh (self, k);
    return s_maintenance (self, &self->account);
}

int
sim_venue_cancel (sim_venue_t *self, const hb_cancel_t *cancel, uint64_t k,
                  sim_emit_fn *emit, void *arg)
{
    hb_ack_t *ack = s_ack (self, k, cancel->symbol, cancel->client_id);
    ack->status = HB_ACK_REJECTED;
    ack->reason = HB_REJ_UNKNOWN_ORDER;
    snprintf (ack->text, sizeof ack->text, "no working order '%.*s' (the sim is IOC only)",
              HB_ID_MAX - 1, cancel->client_id);
    emit (arg, &self->msg);
    return -1;
}

const sim_book_t *
sim_venue_book (sim_venue_t *self, int instrument, uint64_t k)
{
    s_refresh (self, k);
    return &self->books [instrument];
}

double
sim_venue_mid (sim_venue_t *self, int asset, uint64_t k)
{
    s_refresh (self, k);
    return self->mid [asset];
}

double
sim_venue_fair (sim_venue_t *self, int instrument, uint64_t k)
{
    s_refresh (self, k);
    return self->fair [instrument];
}

bool
sim_venue_quoted (sim_venue_t *self, int instrument, uint64_t k)
{
    s_refresh (self, k);
    return self->quoted [instrument];
}

double
sim_venue_equity (sim_venue_t *self, uint64_t k)
{
    s_refresh (self, k);
    return s_equity (self, &self->account);
}

double
sim_venue_margin (sim_venue_t *self, uint64_t k)
{
    s_refresh (self, k);
    return s_margin (self, &self->account);
}

int
sim_venue_withdraw (sim_venue_t *self, int asset, double amount, double fee, uint64_t k,
                    char *why, size_t size)
{
    s_refresh (self, k);
    double price = asset >= 0 ? self->mid [asset] : 1;
    if (!isfinite (amount) || amount <= 0 || !isfinite (fee) || fee < 0 || !(price > 0)) {
        snprintf (why, size, "bad amount %.8g (fee %.8g) or no price", amount, fee);
        return -1;
    }
    double equity = s_equity (self, &self->account);
    double margin = s_margin (self, &self->account);
    double out = (amount + fee) * price;
    if (equity - out < margin) {
        snprintf (why, size, "insufficient free margin: %.2f USD asked, %.2f free (equity %.2f, initial "
                  "margin %.2f)", out, fmax (0, equity - margin), equity, margin);
        return -1;
    }
    if (asset >= 0)
        self->account.coin [asset] -= amount + fee;
    else
        self->account.usd -= amount + fee;
    return 0;
}

void
sim_venue_deposit (sim_venue_t *self, int asset, double amount)
{
    if (!isfinite (amount) || amount <= 0)
        return;
    if (asset >= 0)
        self->account.coin [asset] += amount;
    else
        self->account.usd += amount;
}

double
sim_venue_position (const sim_venue_t *self, int i)
{
    double qty = self->account.pos [i];
    for (int p = 0; p < self->cfg->n_positions; p++)
        if (self->cfg->positions [p].instrument == i)
            qty += self->cfg->positions [p].qty;
    return qty;
}

void
sim_venue_figures (sim_venue_t *self, uint64_t k, sim_figures_t *out)
{
    s_refresh (self, k);
    //  the order scratch account: no order is between its dry run and commit here
    sim_account_t *acct = &self->after;
    s_account_copy (self, acct, &self->account);
    for (int p = 0; p < self->cfg->n_positions; p++) {
        const hb_position_cfg_t *pos = &self->cfg->positions [p];
        if (pos->instrument < 0 || pos->instrument >= self->n || pos->qty == 0)
            continue;
        double px = pos->entry > 0? pos->entry: self->fair [pos->instrument];
        if (px > 0)
            s_apply_fill (self, acct, pos->instrument, pos->qty > 0? HB_SIDE_BUY: HB_SIDE_SELL,
                          fabs (pos->qty), px, 0);
    }
    out->equity = s_equity (self, acct);
    out->initial = s_margin (self, acct);
    out->maintenance = s_maintenance (self, acct);
    out->withdrawable = fmax (0, out->equity - out->initial);
}

int
sim_venue_funding (sim_venue_t *self, uint64_t k, double rate, int64_t time_ms,
                   sim_emit_fn *emit, void *arg)
{
    s_refresh (self, k);
    int paid = 0;
    for (int i = 0; i < self->n; i++) {
        const hb_instrument_cfg_t *ins = &self->cfg->instruments [i];
        bool inverse = ins->kind == HB_KIND_INVERSE_PERP;
        double qty = sim_venue_position (self, i), fair = self->fair [i];
        if ((!inverse && ins->kind != HB_KIND_LINEAR_PERP) || fabs (qty) <= 1e-9 * ins->lot_size
        ||  !(fair > 0))
            continue;
        //  USD paid: the notional (an inverse contract's face) times the rate
        double usd = qty * ins->multiplier * (inverse? 1: fair) * rate;
        if (inverse)
            self->account.coin [ins->asset] -= usd / fair;
        else
            self->account.usd -= usd;
        hb_msg_t *msg = &self->msg;
        memset (msg, 0, sizeof *msg);
        msg->env.type = HB_MSG_FUNDING;
        msg->env.ts_venue = time_ms * 1000000;
        hb_funding_t *f = &msg->u.funding;
        snprintf (f->venue, sizeof f->venue, "%s", self->cfg->name);
        snprintf (f->symbol, sizeof f->symbol, "%s", ins->symbol);
        snprintf (f->id, sizeof f->id, "%s:%lld", ins->symbol, (long long) time_ms);
        f->usd = usd;
        f->rate = rate;
        f->qty = qty;
        emit (arg, msg);
        paid++;
    }
    return paid;
}

const sim_account_t *
sim_venue_account (const sim_venue_t *self)
{
    return &self->account;
}

const sim_market_t *
sim_venue_market (const sim_venue_t *self)
{
    return self->market;
}
