/*  hb_book: see hb_book.h for the conventions; this file follows them. */
#include "hb_book.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_FLAT_EPS      1e-12       //  |qty| below this (relative to the fill) is flat
#define S_LIQ_STEPS     400         //  grid per direction before bisection
#define S_LIQ_BISECT    50

typedef struct {
    double  qty;
    double  entry;
    double  realized;               //  settle units
    double  fees;                   //  settle units
    double  mark;                   //  latest mid, 0: none
    int64_t mark_ts;
    uint64_t fills;
    char    last_fill [HB_ID_MAX];  //  fill id of the last fill applied
    uint64_t last_epoch, last_seq;  //  its message's feed epoch and seq (0: not known)
    bool    active;
} s_slot_t;

struct _hb_book_t {
    const hb_config_t *cfg;
    s_slot_t   *slots;              //  instrument i of venue v at first [v] + i
    size_t      first [HB_MAX_VENUES];
    double      price [HB_MAX_ASSETS];      //  reference price
    int64_t     price_ts [HB_MAX_ASSETS];
    //  the (venue, instrument) rows of each asset, venue by venue: of
    //  asset a, own [k] for own_at [a] <= k < own_at [a + 1]. An exposure
    //  (once a tick) walks its asset's rows, not every venue's every row.
    int         own_at [HB_MAX_ASSETS + 1];
    struct { int v, i; } *own;
    //  collateral moved by transfers since start: USD per venue, and coins
    //  at [v * HB_MAX_ASSETS + a]
    double      moved_usd [HB_MAX_VENUES];
    int         inbound [HB_MAX_VENUES];      //  transfers sent to the venue, not credited yet
    double     *moved_coin;
};

hb_book_t *
hb_book_new (const hb_config_t *cfg)
{
    assert (cfg);
    hb_book_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    size_t n = hb_config_instrument_slots (cfg, self->first);
    self->slots = calloc (n ? n : 1, sizeof *self->slots);
    self->own = calloc (n ? n : 1, sizeof *self->own);
    self->moved_coin = calloc ((size_t) (cfg->n_venues ? cfg->n_venues : 1) * HB_MAX_ASSETS,
                               sizeof *self->moved_coin);
    if (!self->slots || !self->own || !self->moved_coin) {
        free (self->slots);
        free (self->own);
        free (self->moved_coin);
        free (self);
        return NULL;
    }
    int k = 0;
    for (int a = 0; a < cfg->n_assets; a++) {
        self->own_at [a] = k;
        for (int v = 0; v < cfg->n_venues; v++)
            for (int i = 0; i < cfg->venues [v].n_instruments; i++)
                if (cfg->venues [v].instruments [i].asset == a) {
                    self->own [k].v = v;
                    self->own [k++].i = i;
                }
    }
    self->own_at [cfg->n_assets] = k;
    for (int a = 0; a < cfg->n_assets; a++)
        self->price [a] = cfg->assets [a].price;
    for (int v = 0; v < cfg->n_venues; v++) {
        const hb_venue_cfg_t *venue = &cfg->venues [v];
        for (int p = 0; p < venue->n_positions; p++) {
            s_slot_t *slot = &self->slots [self->first [v] + (size_t) venue->positions [p].instrument];
            slot->qty = venue->positions [p].qty;
            slot->entry = venue->positions [p].entry;
            slot->active = true;
        }
    }
    return self;
}

void
hb_book_destroy (hb_book_t **self_p)
{
    if (self_p && *self_p) {
        free ((*self_p)->slots);
        free ((*self_p)->own);
        free ((*self_p)->moved_coin);
        free (*self_p);
        *self_p = NULL;
    }
}

int
hb_book_transfer (hb_book_t *self, const hb_transfer_t *transfer)
{
    bool sent = transfer->status == HB_TRANSFER_SENT;
    if ((!sent && transfer->status != HB_TRANSFER_CREDITED) || !isfinite (transfer->amount)
    ||  !isfinite (transfer->fee))
        return 0;
    int v = hb_book_venue_index (self, sent ? transfer->from : transfer->to);
    if (v < 0)
        return 0;
    //  the ledger takes each status of an id once, sent before credited
    //  (a credit without its sent, a journal cut, must not go below 0)
    int to = hb_book_venue_index (self, transfer->to);
    if (to >= 0 && sent)
        self->inbound [to]++;
    else
    if (to >= 0 && self->inbound [to] > 0)
        self->inbound [to]--;
    double amount = sent ? -(transfer->amount + transfer->fee) : transfer->amount;
    int a = hb_config_asset_index (self->cfg, transfer->asset);
    if (a >= 0)
        self->moved_coin [(size_t) v * HB_MAX_ASSETS + (size_t) a] += amount;
    else
        self->moved_usd [v] += amount;
    return 1;
}

int
hb_book_venue_index (const hb_book_t *self, const char *venue)
{
    for (int v = 0; v < self->cfg->n_venues; v++)
        if (strcmp (self->cfg->venues [v].name, venue) == 0)
            return v;
    return -1;
}

static int
s_instrument_index (const hb_venue_cfg_t *venue, const char *symbol)
{
    const hb_instrument_cfg_t *ins = hb_venue_instrument (venue, symbol);
    return ins ? (int) (ins - venue->instruments) : -1;
}

static bool
s_inverse (const hb_instrument_cfg_t *ins)
{
    return ins->kind == HB_KIND_INVERSE_PERP;
}

//  Settled in the coin: an inverse perp, and a coin-settled option (priced
//  and paid in the coin, Deribit style): their P&L, fees and premium are
//  coin amounts, held in the coin (hb_book.h)
static bool
s_coin_settle (const hb_instrument_cfg_t *ins)
{
    return s_inverse (ins) || (ins->kind == HB_KIND_OPTION && ins->coin_settled);
}

//  P&L of qty contracts (signed) from entry to exit, in settle units.
static double
s_pnl (const hb_instrument_cfg_t *ins, double qty, double entry, double exit)
{
    if (qty == 0 || entry <= 0 || exit <= 0)
        return 0;
    if (s_inverse (ins))
        return qty * ins->multiplier * (1 / entry - 1 / exit);
    return qty * ins->multiplier * (exit - entry);
}

int
hb_book_fill (hb_book_t *self, const hb_fill_t *fill, uint64_t epoch, uint64_t seq)
{
    int v = hb_book_venue_index (self, fill->venue);
    if (v < 0)
        return -1;
    const hb_venue_cfg_t *venue = &self->cfg->venues [v];
    int i = s_instrument_index (venue, fill->symbol);
    if (i < 0 || !(fill->qty > 0) || !(fill->px > 0))
        return -1;
    const hb_instrument_cfg_t *ins = &venue->instruments [i];
    s_slot_t *slot = &self->slots [self->first [v] + (size_t) i];
    double q = fill->side == HB_SIDE_BUY ? fill->qty : -fill->qty;

    if (slot->qty == 0 || (slot->qty > 0) == (q > 0)) {
        //  opening or adding: the entry moves to the (harmonic, for
        //  inverse) size-weighted mean
        double held = fabs (slot->qty), add = fabs (q);
        if (s_inverse (ins))
            slot->entry = (held + add) / (held / (slot->entry > 0 ? slot->entry : fill->px) + add / fill->px);
        else
            slot->entry = (held * slot->entry + add * fill->px) / (held + add);
        slot->qty += q;
    }
    else {
        double closed = fmin (fabs (q), fabs (slot->qty));
        double sign = slot->qty > 0 ? 1 : -1;
        slot->realized += s_pnl (ins, sign * closed, slot->entry, fill->px);
        double left = slot->qty + q;
        if (fabs (left) <= S_FLAT_EPS * fmax (1, fabs (q))) {
            slot->qty = 0;
            slot->entry = 0;
        }
        else {
            //  what is left of the old position keeps its entry; a flip
            //  opens the remainder at the fill price
            if ((left > 0) != (slot->qty > 0))
                slot->entry = fill->px;
            slot->qty = left;
        }
    }
    //  fees in the settle currency
    const char *asset = self->cfg->assets [ins->asset].name;
    double fee = fill->fee;
    if (s_inverse (ins)) {
        if (strcmp (fill->fee_asset, asset) != 0)
            fee /= fill->px;            //  paid in USD
    }
    else
    if (s_coin_settle (ins)) {
        //  a coin option's price is in coin: a USD fee at the asset's price
        if (strcmp (fill->fee_asset, asset) != 0 && self->price [ins->asset] > 0)
            fee /= self->price [ins->asset];
    }
    else
    if (strcmp (fill->fee_asset, "USD") != 0) {
        int fa = hb_config_asset_index (self->cfg, fill->fee_asset);
        fee *= fa == ins->asset || fa < 0 ? fill->px : self->price [fa];
    }
    slot->fees += fee;
    slot->fills++;
    snprintf (slot->last_fill, sizeof slot->last_fill, "%s", fill->fill_id);
    slot->last_epoch = epoch;
    slot->last_seq = seq;
    slot->active = true;
    return ins->asset;
}

int
hb_book_funding (hb_book_t *self, const hb_funding_t *funding)
{
    int v = hb_book_venue_index (self, funding->venue);
    int i = v >= 0 ? s_instrument_index (&self->cfg->venues [v], funding->symbol) : -1;
    if (i < 0 || !isfinite (funding->usd))
        return -1;
    const hb_instrument_cfg_t *ins = &self->cfg->venues [v].instruments [i];
    s_slot_t *slot = &self->slots [self->first [v] + (size_t) i];
    double settle = funding->usd;
    if (s_inverse (ins)) {
        double px = self->price [ins->asset];
        if (!(px > 0))
            return -1;
        settle /= px;
    }
    slot->realized -= settle;
    slot->active = true;
    return ins->asset;
}

int
hb_book_mark (hb_book_t *self, const char *venue, const char *symbol, double mid, int64_t ts_ns)
{
    int v = hb_book_venue_index (self, venue);
    if (v < 0 || !isfinite (mid) || mid <= 0)
        return -1;
    const hb_venue_cfg_t *vc = &self->cfg->venues [v];
    int i = s_instrument_index (vc, symbol);
    if (i < 0)
        return -1;
    s_slot_t *slot = &self->slots [self->first [v] + (size_t) i];
    slot->mark = mid;
    slot->mark_ts = ts_ns;
    const hb_instrument_cfg_t *ins = &vc->instruments [i];
    if (ins->kind != HB_KIND_OPTION && ts_ns >= self->price_ts [ins->asset]) {
        self->price [ins->asset] = mid;
        self->price_ts [ins->asset] = ts_ns;
    }
    return ins->asset;
}

bool
hb_book_active (const hb_book_t *self, int venue, int instrument)
{
    return self->slots [self->first [venue] + (size_t) instrument].active;
}

double
hb_book_price (const hb_book_t *self, int asset)
{
    return self->price [asset];
}

//  ---------------------------------------------------------------------------
//  Valuation, with the prices of one asset scaled by factor (1: as marked)

typedef struct {
    double mark;            //  instrument price used
    double spot;            //  the asset's reference price used
    bool   has_mark;
} s_prices_t;

static s_prices_t
s_prices (const hb_book_t *self, const hb_instrument_cfg_t *ins, const s_slot_t *slot,
          int shocked, double factor)
{
    s_prices_t p;
    double scale = ins->asset == shocked ? factor : 1;
    p.spot = self->price [ins->asset] * scale;
    p.has_mark = slot->mark > 0;
    double mark = p.has_mark ? slot->mark : slot->entry;
    if (ins->kind == HB_KIND_OPTION && ins->coin_settled)
        //  a price in coin: the placeholder keeps the coin value, the
        //  coin it is worth moves with the asset (in USD, at p.spot)
        p.mark = mark;
    else
    if (ins->kind == HB_KIND_OPTION)
        //  delta 1 on the underlying, see hb_book.h
        p.mark = mark + self->price [ins->asset] * (scale - 1);
    else
        p.mark = mark * scale;
    return p;
}

//  A coin-settled option's unrealized P&L at its mark, in coin: held in
//  the coin like its realized P&L (its premium paid or received, against
//  what the option is worth now); 0 for anything else. hb-risk's USD delta
//  of the option (Delta - V/S, docs/RISK.md) counts the premium at the
//  mark; this is the rest, from the entry, so that together they count
//  the premium actually paid.
static double
s_coin_option_pnl (const hb_instrument_cfg_t *ins, const s_slot_t *slot)
{
    if (ins->kind != HB_KIND_OPTION || !ins->coin_settled || slot->qty == 0 || !(slot->mark > 0))
        return 0;
    return s_pnl (ins, slot->qty, slot->entry, slot->mark);
}

static double
s_exposure_usd (const hb_instrument_cfg_t *ins, const s_slot_t *slot, const s_prices_t *p)
{
    if (slot->qty == 0)
        return 0;
    switch (ins->kind) {
        case HB_KIND_INVERSE_PERP:
            return slot->qty * ins->multiplier * p->mark / slot->entry;
        case HB_KIND_OPTION:
            return slot->qty * ins->multiplier * p->spot;
        default:
            return slot->qty * ins->multiplier * p->mark;
    }
}

//  |USD notional| that margin is charged on (0 for a long spot holding)
static double
s_margined_usd (const hb_instrument_cfg_t *ins, const s_slot_t *slot, const s_prices_t *p)
{
    switch (ins->kind) {
        case HB_KIND_SPOT:
            return slot->qty < 0 ? -slot->qty * p->mark : 0;
        case HB_KIND_INVERSE_PERP:
            return fabs (slot->qty) * ins->multiplier;
        case HB_KIND_OPTION:
            return fabs (slot->qty) * ins->multiplier * p->spot;
        default:
            return fabs (slot->qty) * ins->multiplier * p->mark;
    }
}

typedef struct {
    double collateral;
    double pnl;             //  realized - fees + unrealized, USD
    double initial;
    double maintenance;
    bool   stale;
} s_venue_value_t;

static s_venue_value_t
s_venue_value (const hb_book_t *self, int v, int shocked, double factor, int64_t now_ns)
{
    const hb_config_t *cfg = self->cfg;
    const hb_venue_cfg_t *venue = &cfg->venues [v];
    s_venue_value_t out = { venue->collateral_usd + self->moved_usd [v], 0, 0, 0, false };
    const double *moved = self->moved_coin + (size_t) v * HB_MAX_ASSETS;
    for (int a = 0; a < cfg->n_assets; a++)
        out.collateral += (venue->balances [a] + moved [a]) * self->price [a] * (a == shocked ? factor : 1);
    int64_t limit_ns = (int64_t) ((venue->mark_stale_ms > 0 ? venue->mark_stale_ms
                                                             : cfg->aggregator.stale_ms) * 1e6);
    double notional = 0;
    for (int i = 0; i < venue->n_instruments; i++) {
        const s_slot_t *slot = &self->slots [self->first [v] + (size_t) i];
        if (!slot->active)
            continue;
        const hb_instrument_cfg_t *ins = &venue->instruments [i];
        s_prices_t p = s_prices (self, ins, slot, shocked, factor);
        double settle = slot->realized - slot->fees + s_pnl (ins, slot->qty, slot->entry, p.mark);
        out.pnl += s_coin_settle (ins) ? settle * p.spot : settle;
        notional += s_margined_usd (ins, slot, &p);
        if (slot->qty != 0 && (!p.has_mark || now_ns - slot->mark_ts > limit_ns))
            out.stale = true;
    }
    out.initial = notional * venue->initial_margin;
    out.maintenance = notional * venue->maintenance_margin;
    return out;
}

static double
s_cushion (const hb_book_t *self, int v, int asset, double move)
{
    s_venue_value_t value = s_venue_value (self, v, asset, 1 + move, 0);
    return value.collateral + value.pnl - value.maintenance;
}

//  The move nearest 0 in direction dir (-1 / +1) where the cushion hits 0;
//  returns false when there is none within bounds.
static bool
s_liq_search (const hb_book_t *self, int v, int asset, int dir, double *move)
{
    double limit = dir < 0 ? -0.999999 : 10.0;
    double prev = 0;
    for (int k = 1; k <= S_LIQ_STEPS; k++) {
        double x = limit * k / S_LIQ_STEPS;
        if (s_cushion (self, v, asset, x) <= 0) {
            double lo = prev;
            double hi = x;
            for (int n = 0; n < S_LIQ_BISECT; n++) {
                double mid = (lo + hi) / 2;
                if (s_cushion (self, v, asset, mid) <= 0)
                    hi = mid;
                else
                    lo = mid;
            }
            *move = hi;
            return true;
        }
        prev = x;
    }
    return false;
}

//  ---------------------------------------------------------------------------

void
hb_book_position (const hb_book_t *self, int venue, int instrument, int64_t now_ns, hb_position_t *out)
{
    const hb_venue_cfg_t *vc = &self->cfg->venues [venue];
    const hb_instrument_cfg_t *ins = &vc->instruments [instrument];
    const s_slot_t *slot = &self->slots [self->first [venue] + (size_t) instrument];
    memset (out, 0, sizeof *out);
    strcpy (out->venue, vc->name);
    strcpy (out->symbol, ins->symbol);
    strcpy (out->asset, self->cfg->assets [ins->asset].name);
    strcpy (out->settle, s_coin_settle (ins) ? out->asset : "USD");
    out->kind = (uint8_t) ins->kind;
    out->qty = slot->qty;
    out->entry_px = slot->entry;
    out->mark_px = slot->mark;
    out->realized = slot->realized;
    out->fees = slot->fees;
    out->fills = slot->fills;
    memcpy (out->last_fill, slot->last_fill, sizeof out->last_fill);
    out->last_fill_epoch = slot->last_epoch;
    out->last_fill_seq = slot->last_seq;
    out->mark_ts = slot->mark_ts;
    s_prices_t p = s_prices (self, ins, slot, -1, 1);
    out->unrealized = s_pnl (ins, slot->qty, slot->entry, p.mark);
    out->exposure_usd = s_exposure_usd (ins, slot, &p);
    double limit_ms = vc->mark_stale_ms > 0 ? vc->mark_stale_ms : self->cfg->aggregator.stale_ms;
    if (!p.has_mark)
        out->flags |= HB_POS_NO_MARK | HB_POS_STALE;
    else
    if (now_ns - slot->mark_ts > (int64_t) (limit_ms * 1e6))
        out->flags |= HB_POS_STALE;
}

void
hb_book_exposure (const hb_book_t *self, int asset, int64_t now_ns, hb_exposure_t *out)
{
    const hb_config_t *cfg = self->cfg;
    memset (out, 0, sizeof *out);
    strcpy (out->asset, cfg->assets [asset].name);
    out->price = self->price [asset];
    //  the coins first, then the rows: the sum's order is the venues' and
    //  each venue's coins before its rows, as it has always been
    double coins = 0;
    int k = self->own_at [asset], end = self->own_at [asset + 1];
    for (int v = 0; v < cfg->n_venues; v++) {
        const hb_venue_cfg_t *venue = &cfg->venues [v];
        coins += venue->balances [asset];
        for (; k < end && self->own [k].v == v; k++) {
            int i = self->own [k].i;
            const hb_instrument_cfg_t *ins = &venue->instruments [i];
            const s_slot_t *slot = &self->slots [self->first [v] + (size_t) i];
            if (!slot->active)
                continue;
            if (s_coin_settle (ins))
                coins += slot->realized - slot->fees;
            if (slot->qty == 0)
                continue;
            coins += s_coin_option_pnl (ins, slot);
            hb_position_t pos;
            hb_book_position (self, v, i, now_ns, &pos);
            out->net_usd += pos.exposure_usd;
            out->gross_usd += fabs (pos.exposure_usd);
            out->flags |= pos.flags;
            out->positions++;
        }
    }
    out->net_usd += coins * self->price [asset];
    out->net_qty = out->price > 0 ? out->net_usd / out->price : 0;
}

static int
s_by_exposure (const void *a, const void *b)
{
    double x = fabs (((const hb_margin_asset_t *) a)->exposure_usd);
    double y = fabs (((const hb_margin_asset_t *) b)->exposure_usd);
    return x < y ? 1 : x > y ? -1 : 0;
}

void
hb_book_margin (const hb_book_t *self, int venue, int64_t now_ns, hb_margin_t *out)
{
    const hb_config_t *cfg = self->cfg;
    const hb_venue_cfg_t *vc = &cfg->venues [venue];
    memset (out, 0, sizeof *out);
    strcpy (out->venue, vc->name);
    s_venue_value_t value = s_venue_value (self, venue, -1, 1, now_ns);
    out->collateral_usd = value.collateral;
    out->unrealized_usd = value.pnl;
    out->equity_usd = value.collateral + value.pnl;
    out->initial_usd = value.initial;
    out->maintenance_usd = value.maintenance;
    out->utilization = out->equity_usd > 0 ? value.initial / out->equity_usd
                     : value.initial > 0 ? 1e9 : 0;
    if (value.stale)
        out->flags |= HB_POS_STALE;
    if (value.maintenance > 0 && out->equity_usd <= value.maintenance)
        out->flags |= HB_MARGIN_BREACH;
    if (self->inbound [venue] > 0)
        out->flags |= HB_MARGIN_TOPUP;

    //  every asset this venue is exposed to, coins included
    hb_margin_asset_t assets [HB_MAX_ASSETS] = { 0 };
    int n = 0;
    for (int a = 0; a < cfg->n_assets; a++) {
        double exposure = vc->balances [a] * self->price [a];
        bool touched = vc->balances [a] != 0;
        for (int k = self->own_at [a]; k < self->own_at [a + 1]; k++) {
            if (self->own [k].v != venue)
                continue;
            int i = self->own [k].i;
            const hb_instrument_cfg_t *ins = &vc->instruments [i];
            const s_slot_t *slot = &self->slots [self->first [venue] + (size_t) i];
            if (!slot->active)
                continue;
            s_prices_t p = s_prices (self, ins, slot, -1, 1);
            exposure += s_exposure_usd (ins, slot, &p);
            if (s_coin_settle (ins))
                exposure += (slot->realized - slot->fees + s_coin_option_pnl (ins, slot)) * p.spot;
            touched |= slot->qty != 0;
        }
        if (!touched)
            continue;
        hb_margin_asset_t *entry = &assets [n++];
        memset (entry, 0, sizeof *entry);
        strcpy (entry->asset, cfg->assets [a].name);
        entry->exposure_usd = exposure;
        if (s_cushion (self, venue, a, 0) <= 0) {
            entry->has_liq = 1;
            entry->liq_move = 0;
            continue;
        }
        double down = 0, up = 0;
        bool has_down = s_liq_search (self, venue, a, -1, &down);
        bool has_up = s_liq_search (self, venue, a, +1, &up);
        if (has_down || has_up) {
            entry->has_liq = 1;
            entry->liq_move = !has_up || (has_down && -down <= up) ? down : up;
        }
    }
    qsort (assets, (size_t) n, sizeof assets [0], s_by_exposure);
    if (n > HB_MARGIN_ASSETS) {
        out->flags |= HB_MARGIN_TRUNCATED;
        n = HB_MARGIN_ASSETS;
    }
    out->n_assets = (uint8_t) n;
    memcpy (out->assets, assets, (size_t) n * sizeof assets [0]);
}
