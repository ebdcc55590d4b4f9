/*  hl_md: Hyperliquid market data (hl_md.h).                             */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_json.h"
#include "hb_lbook.h"
#include "hb_vpub.h"
#include "hl_md.h"
#include "hl_wire.h"

//  l2Book sends at most 20 levels a side; a little room for a venue that
//  sends more
#define S_LEVELS    64

typedef struct {
    hl_coin_t   info;
    hb_lbook_t *book;
    bool        has_book;           //  a message since the last reset / stale
    int64_t     last_ns;            //  receive time of its last message (or reset)
} s_coin_t;

struct hl_md_s {
    const hb_venue_cfg_t *venue;
    hb_vpub_t    *pub;              //  ticks, trades and status onto the bus
    hl_user_fn   *user;
    void         *user_arg;
    hb_json_t    *json;
    s_coin_t      coins [HL_MD_COINS];
    int           n_coins;
    bool          has_meta;         //  perps' meta applied
    bool          has_spot;         //  a spot pair is listed
    bool          has_spot_meta;
    bool          bbo;              //  books from bbo, not l2Book
    hl_md_stats_t stats;
    char          error [HB_JSON_ERR_MAX + 64];
};

static void
s_set_error (hl_md_t *self, const char *what, const char *detail)
{
    snprintf (self->error, sizeof self->error, "%s%s%s", what, detail && *detail? ": ": "",
              detail? detail: "");
}

hl_md_t *
hl_md_new (const hb_venue_cfg_t *venue, hl_emit_fn *emit, hl_status_fn *status,
           void *arg, char *err, size_t errsize)
{
    hl_md_t *self = (hl_md_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->venue = venue;
    self->json = hb_json_new (0, 0);
    self->pub = hb_vpub_new (venue->name, emit, status, arg);
    if (!self->json || !self->pub)
        goto fail;
    if (venue->n_instruments > HL_MD_COINS) {
        snprintf (err, errsize, "instruments: %d, the hyperliquid plugin serves at most %d (HL_MD_COINS)",
                  venue->n_instruments, HL_MD_COINS);
        goto fail;
    }
    for (int i = 0; i < venue->n_instruments; i++) {
        const hb_instrument_cfg_t *inst = &venue->instruments [i];
        bool spot = inst->kind == HB_KIND_SPOT;
        if (inst->kind != HB_KIND_LINEAR_PERP && !spot) {
            snprintf (err, errsize, "instrument %s: kind %s: the hyperliquid plugin serves "
                      "perpetuals (linear_perp) and spot pairs only", inst->symbol, hb_kind_name (inst->kind));
            goto fail;
        }
        char key [HB_NAME_MAX + 8];
        snprintf (key, sizeof key, "coin.%s", inst->symbol);
        const char *coin = hb_venue_param (venue, key);
        //  a perp's coin is the symbol's base, a spot pair's the symbol as BASE/QUOTE
        size_t len = coin? strlen (coin): spot? strlen (inst->symbol): strcspn (inst->symbol, "-");
        if (!coin)
            coin = inst->symbol;
        if (len == 0 || len >= HL_COIN_MAX) {
            snprintf (err, errsize, "params.coin.%s: the coin must be 1 to %d characters",
                      inst->symbol, HL_COIN_MAX - 1);
            goto fail;
        }
        s_coin_t *c = &self->coins [self->n_coins];
        memcpy (c->info.coin, coin, len);
        c->info.coin [len] = 0;
        char *dash = spot && !hb_venue_param (venue, key)? strchr (c->info.coin, '-'): NULL;
        if (dash)
            *dash = '/';
        c->info.spot = spot;
        self->has_spot |= spot;
        for (int j = 0; j < self->n_coins; j++)
            if (!strcmp (self->coins [j].info.coin, c->info.coin)) {
                snprintf (err, errsize, "instruments %s and %s: both are coin %s (params.coin.<symbol>)",
                          self->coins [j].info.inst->symbol, inst->symbol, c->info.coin);
                goto fail;
            }
        c->info.inst = inst;
        c->info.asset = -1;
        c->book = hb_lbook_new (S_LEVELS);
        if (!c->book)
            goto fail;
        self->n_coins++;
    }
    return self;
fail:
    hl_md_destroy (&self);
    return NULL;
}

void
hl_md_destroy (hl_md_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hl_md_t *self = *self_p;
    for (int i = 0; i < self->n_coins; i++)
        hb_lbook_destroy (&self->coins [i].book);
    hb_json_destroy (&self->json);
    hb_vpub_destroy (&self->pub);
    free (self);
    *self_p = NULL;
}

static s_coin_t *
s_coin (hl_md_t *self, const char *coin)
{
    for (int i = 0; coin && i < self->n_coins; i++)
        if (!strcmp (self->coins [i].info.coin, coin))
            return &self->coins [i];
    return NULL;
}

//  Reports the venue's status when it changed: stale while a known coin
//  (or, before meta, any coin) has no book.
static void
s_report (hl_md_t *self)
{
    hb_vpub_status (self->pub, hl_md_stale (self));
}

bool
hl_md_stale (const hl_md_t *self)
{
    if (!hl_md_has_meta (self))
        return true;
    for (int i = 0; i < self->n_coins; i++)
        if (self->coins [i].info.asset >= 0 && !self->coins [i].has_book)
            return true;
    return false;
}

int
hl_md_on_meta (hl_md_t *self, const char *text, size_t len, char *err, size_t errsize)
{
    char why [HB_JSON_ERR_MAX];
    json_t *root = hb_json_parse (self->json, text, len, why, sizeof why);
    json_t *universe = NULL;
    if (!root || hb_json_arr (root, "universe", &universe, why, sizeof why)) {
        snprintf (err, errsize, "meta: %s", why);
        return -1;
    }
    int asset [HL_MD_COINS], szd [HL_MD_COINS], lev [HL_MD_COINS];
    for (int i = 0; i < self->n_coins; i++)
        asset [i] = -1, szd [i] = lev [i] = 0;
    size_t index;
    json_t *entry;
    json_array_foreach (universe, index, entry) {
        const char *name;
        int64_t sz_decimals, max_leverage = 0;
        if (hb_json_str (entry, "name", &name, why, sizeof why)
        ||  hb_json_int (entry, "szDecimals", &sz_decimals, why, sizeof why)
        ||  (hb_json_has (entry, "maxLeverage")
             && hb_json_int (entry, "maxLeverage", &max_leverage, why, sizeof why))) {
            snprintf (err, errsize, "meta: universe[%zu]: %s", index, why);
            return -1;
        }
        if (sz_decimals < 0 || sz_decimals > 6) {
            snprintf (err, errsize, "meta: universe[%zu] (%s): szDecimals %lld is not in 0..6",
                      index, name, (long long) sz_decimals);
            return -1;
        }
        for (int i = 0; i < self->n_coins; i++)
            if (!self->coins [i].info.spot && !strcmp (self->coins [i].info.coin, name) && index < 10000) {
                asset [i] = (int) index;
                szd [i] = (int) sz_decimals;
                lev [i] = (int) max_leverage;
            }
    }
    for (int i = 0; i < self->n_coins; i++) {
        if (self->coins [i].info.spot)
            continue;
        self->coins [i].info.asset = asset [i];
        self->coins [i].info.sz_decimals = szd [i];
        self->coins [i].info.max_leverage = lev [i];
    }
    self->has_meta = true;
    s_report (self);
    return 0;
}

//  A spot pair's szDecimals: its base token's (tokens [pair.tokens [0]]),
//  -1 when the answer does not say.
static int
s_base_decimals (const json_t *tokens, const json_t *pair)
{
    json_t *ids = json_object_get (pair, "tokens");
    int64_t base, index, sz_decimals;
    if (!json_is_array (ids) || hb_json_value_int (json_array_get (ids, 0), "tokens[0]", &base, NULL, 0))
        return -1;
    size_t i;
    json_t *token;
    json_array_foreach (tokens, i, token)
        if (!hb_json_int (token, "index", &index, NULL, 0) && index == base
        &&  !hb_json_int (token, "szDecimals", &sz_decimals, NULL, 0))
            return sz_decimals >= 0 && sz_decimals <= 8? (int) sz_decimals: -1;
    return -1;
}

int
hl_md_on_spot_meta (hl_md_t *self, const char *text, size_t len, char *err, size_t errsize)
{
    char why [HB_JSON_ERR_MAX];
    json_t *root = hb_json_parse (self->json, text, len, why, sizeof why);
    json_t *universe = NULL, *tokens = NULL;
    if (!root || hb_json_arr (root, "universe", &universe, why, sizeof why)
    ||  hb_json_arr (root, "tokens", &tokens, why, sizeof why)) {
        snprintf (err, errsize, "spotMeta: %s", why);
        return -1;
    }
    int asset [HL_MD_COINS], szd [HL_MD_COINS];
    for (int i = 0; i < self->n_coins; i++)
        asset [i] = -1, szd [i] = 0;
    size_t k;
    json_t *pair;
    json_array_foreach (universe, k, pair) {
        const char *name;
        int64_t index;
        if (hb_json_str (pair, "name", &name, why, sizeof why)
        ||  hb_json_int (pair, "index", &index, why, sizeof why)) {
            snprintf (err, errsize, "spotMeta: universe[%zu]: %s", k, why);
            return -1;
        }
        if (index < 0 || index >= 10000) {
            snprintf (err, errsize, "spotMeta: universe[%zu] (%s): index %lld is not in 0..9999",
                      k, name, (long long) index);
            return -1;
        }
        char alias [24];
        snprintf (alias, sizeof alias, "@%lld", (long long) index);
        for (int i = 0; i < self->n_coins; i++) {
            const hl_coin_t *c = &self->coins [i].info;
            if (!c->spot || (strcmp (c->coin, name) && strcmp (c->coin, alias)))
                continue;
            int d = s_base_decimals (tokens, pair);
            if (d < 0) {
                snprintf (err, errsize, "spotMeta: universe[%zu] (%s): no szDecimals for its base token",
                          k, name);
                return -1;
            }
            asset [i] = 10000 + (int) index;
            szd [i] = d;
        }
    }
    for (int i = 0; i < self->n_coins; i++)
        if (self->coins [i].info.spot) {
            self->coins [i].info.asset = asset [i];
            self->coins [i].info.sz_decimals = szd [i];
            self->coins [i].info.max_leverage = 0;
        }
    self->has_spot_meta = true;
    s_report (self);
    return 0;
}

bool
hl_md_has_meta (const hl_md_t *self)
{
    return self->has_meta && (!self->has_spot || self->has_spot_meta);
}

bool
hl_md_has_spot (const hl_md_t *self)
{
    return self->has_spot;
}

void
hl_md_set_bbo (hl_md_t *self, bool bbo)
{
    self->bbo = bbo;
}

const char *
hl_md_book_channel (const hl_md_t *self)
{
    return self->bbo? "bbo": "l2Book";
}

static void
s_emit (hl_md_t *self)
{
    if (hb_vpub_emit (self->pub))
        self->stats.emit_refused++;
}

static void
s_emit_tick (hl_md_t *self, s_coin_t *c, int64_t ts_venue)
{
    hb_tick_t *tick = hb_vpub_tick (self->pub, c->info.inst->symbol, c->has_book, ts_venue);
    //  sizes are coins; a bus quantity is contracts of multiplier coins
    double mult = c->info.inst->multiplier > 0? c->info.inst->multiplier: 1;
    hb_lbook_export (c->book, tick, HB_BOOK_DEPTH, 1.0 / mult);
    self->stats.ticks++;
    s_emit (self);
}

void
hl_md_reset (hl_md_t *self, int64_t now_ns)
{
    for (int i = 0; i < self->n_coins; i++) {
        self->coins [i].has_book = false;
        self->coins [i].last_ns = now_ns;
        hb_lbook_clear (self->coins [i].book);
    }
    s_report (self);
}

//  A decimal string > 0 (>= 0 when zero_ok).
static bool
s_decimal (const json_t *value, bool zero_ok, double *out)
{
    const char *text = json_string_value (value);
    double x;
    if (!text || hb_json_decimal (text, strlen (text), &x) || x < 0 || (!zero_ok && x == 0))
        return false;
    *out = x;
    return true;
}

//  The coin of a book message, NULL (counted, error set) when not ours
static s_coin_t *
s_book_coin (hl_md_t *self, const char *channel, const char *coin)
{
    s_coin_t *c = s_coin (self, coin);
    if (c && c->info.asset >= 0)
        return c;
    self->stats.unknown++;
    snprintf (self->error, sizeof self->error, "%s: coin not ours: %s", channel, coin);
    return NULL;
}

//  A level that is not decimals > 0: half a book is worse than none, so
//  the coin is stale (published so) until its next message. -1.
static int
s_book_refused (hl_md_t *self, s_coin_t *c, int64_t time_ms)
{
    hb_lbook_clear (c->book);
    c->has_book = false;
    s_emit_tick (self, c, hl_wire_time_ns (time_ms));
    s_report (self);
    return -1;
}

//  A whole book in: the coin's tick published. 0.
static int
s_book_taken (hl_md_t *self, s_coin_t *c, int64_t time_ms, int64_t now_ns)
{
    c->has_book = true;
    c->last_ns = now_ns;
    self->stats.books++;
    s_emit_tick (self, c, hl_wire_time_ns (time_ms));
    s_report (self);
    return 0;
}

//  {"coin":"BTC","time":ms,"levels":[[{"px":"..","sz":"..","n":k},..],[..]]}
static int
s_on_book (hl_md_t *self, const json_t *data, int64_t now_ns)
{
    char why [HB_JSON_ERR_MAX];
    const char *coin;
    json_t *levels;
    int64_t time_ms = 0;
    if (hb_json_str (data, "coin", &coin, why, sizeof why)
    ||  hb_json_arr (data, "levels", &levels, why, sizeof why)
    ||  (hb_json_has (data, "time") && hb_json_int (data, "time", &time_ms, why, sizeof why))) {
        s_set_error (self, "l2Book", why);
        return -1;
    }
    if (json_array_size (levels) != 2) {
        s_set_error (self, "l2Book", "levels: expected [bids, asks]");
        return -1;
    }
    s_coin_t *c = s_book_coin (self, "l2Book", coin);
    if (!c)
        return -1;
    hb_lbook_clear (c->book);
    for (int side = 0; side < 2; side++) {
        size_t i;
        json_t *level;
        json_array_foreach (json_array_get (levels, (size_t) side), i, level) {
            double px, sz;
            if (!s_decimal (json_object_get (level, "px"), false, &px)
            ||  !s_decimal (json_object_get (level, "sz"), false, &sz)
            ||  hb_lbook_set (c->book, side == 0? HB_SIDE_BUY: HB_SIDE_SELL, px, sz)) {
                snprintf (self->error, sizeof self->error, "l2Book %s: %s level %zu: px and sz "
                          "must be decimal strings > 0", coin, side? "ask": "bid", i);
                return s_book_refused (self, c, time_ms);
            }
        }
    }
    return s_book_taken (self, c, time_ms, now_ns);
}

//  {"coin":"BTC","time":ms,"bbo":[{"px","sz","n"}|null, {..}|null]}: the
//  whole top, each message; a null side is empty
static int
s_on_bbo (hl_md_t *self, const json_t *data, int64_t now_ns)
{
    char why [HB_JSON_ERR_MAX];
    const char *coin;
    json_t *bbo;
    int64_t time_ms = 0;
    if (hb_json_str (data, "coin", &coin, why, sizeof why)
    ||  hb_json_arr (data, "bbo", &bbo, why, sizeof why)
    ||  (hb_json_has (data, "time") && hb_json_int (data, "time", &time_ms, why, sizeof why))) {
        s_set_error (self, "bbo", why);
        return -1;
    }
    if (json_array_size (bbo) != 2) {
        s_set_error (self, "bbo", "bbo: expected [bid, ask]");
        return -1;
    }
    s_coin_t *c = s_book_coin (self, "bbo", coin);
    if (!c)
        return -1;
    hb_lbook_clear (c->book);
    for (int side = 0; side < 2; side++) {
        json_t *level = json_array_get (bbo, (size_t) side);
        double px, sz;
        if (json_is_null (level))
            continue;
        if (!s_decimal (json_object_get (level, "px"), false, &px)
        ||  !s_decimal (json_object_get (level, "sz"), false, &sz)
        ||  hb_lbook_set (c->book, side == 0? HB_SIDE_BUY: HB_SIDE_SELL, px, sz)) {
            snprintf (self->error, sizeof self->error, "bbo %s: %s: px and sz must be decimal "
                      "strings > 0", coin, side? "ask": "bid");
            return s_book_refused (self, c, time_ms);
        }
    }
    return s_book_taken (self, c, time_ms, now_ns);
}

//  [{"coin","side":"A"|"B","px","sz","time","hash","tid"}, ..]
static int
s_on_trades (hl_md_t *self, const json_t *data)
{
    if (!json_is_array (data)) {
        s_set_error (self, "trades", "data: expected an array");
        return -1;
    }
    size_t i;
    json_t *t;
    json_array_foreach (data, i, t) {
        char why [HB_JSON_ERR_MAX];
        const char *coin, *side;
        double px, sz;
        int64_t tid, time_ms = 0;
        if (hb_json_str (t, "coin", &coin, why, sizeof why)
        ||  hb_json_str (t, "side", &side, why, sizeof why)
        ||  hb_json_num (t, "px", &px, why, sizeof why)
        ||  hb_json_num (t, "sz", &sz, why, sizeof why)
        ||  hb_json_int (t, "tid", &tid, why, sizeof why)
        ||  (hb_json_has (t, "time") && hb_json_int (t, "time", &time_ms, why, sizeof why))) {
            s_set_error (self, "trades", why);
            return -1;
        }
        //  "B": the buyer took liquidity, "A": the seller did
        int hb_side = !strcmp (side, "B")? HB_SIDE_BUY: !strcmp (side, "A")? HB_SIDE_SELL: 0;
        if (!hb_side || !(px > 0) || !(sz > 0)) {
            s_set_error (self, "trades", "side must be A or B, px and sz > 0");
            return -1;
        }
        s_coin_t *c = s_coin (self, coin);
        if (!c) {
            self->stats.unknown++;
            continue;
        }
        hb_trade_t *trade = hb_vpub_trade (self->pub, c->info.inst->symbol, hl_wire_time_ns (time_ms));
        snprintf (trade->trade_id, sizeof trade->trade_id, "%lld", (long long) tid);
        trade->side = (uint8_t) hb_side;
        trade->px = px;
        double mult = c->info.inst->multiplier > 0? c->info.inst->multiplier: 1;
        trade->qty = sz / mult;
        self->stats.trades++;
        s_emit (self);
    }
    return 0;
}

int
hl_md_on_message (hl_md_t *self, const char *data, size_t len, int64_t now_ns)
{
    self->stats.messages++;
    self->error [0] = 0;
    char why [HB_JSON_ERR_MAX];
    json_t *root = hb_json_parse (self->json, data, len, why, sizeof why);
    const char *channel = root? json_string_value (json_object_get (root, "channel")): NULL;
    if (!root || !channel) {
        self->stats.malformed++;
        s_set_error (self, root? "no channel": "not JSON", root? "": why);
        return -1;
    }
    json_t *body = json_object_get (root, "data");
    uint64_t unknown = self->stats.unknown;
    int rc = 0;
    if (!strcmp (channel, "pong") || !strcmp (channel, "subscriptionResponse"))
        return 0;
    if (!strcmp (channel, "l2Book"))
        rc = body? s_on_book (self, body, now_ns): -1;
    else
    if (!strcmp (channel, "bbo"))
        rc = body? s_on_bbo (self, body, now_ns): -1;
    else
    if (!strcmp (channel, "trades"))
        rc = s_on_trades (self, body);
    else
    if (!strcmp (channel, "error")) {
        self->stats.errors++;
        s_set_error (self, "venue error", json_is_string (body)? json_string_value (body): "?");
        return -1;
    }
    else
    if (self->user && (!strcmp (channel, "orderUpdates") || !strcmp (channel, "userFills")
                       || !strcmp (channel, "userFundings") || !strcmp (channel, "user"))) {
        rc = self->user (self->user_arg, channel, body, now_ns);
        if (rc)
            s_set_error (self, channel, "malformed");
    }
    else {
        self->stats.unknown++;
        s_set_error (self, "unknown channel", channel);
        return -1;
    }
    if (rc && !self->error [0])
        s_set_error (self, channel, "no data");
    if (rc && self->stats.unknown == unknown)
        self->stats.malformed++;
    return rc;
}

int
hl_md_stale_due (hl_md_t *self, int64_t now_ns, int64_t stale_ns, int *out, int max)
{
    int n = 0;
    for (int i = 0; i < self->n_coins && n < max; i++) {
        s_coin_t *c = &self->coins [i];
        if (c->info.asset < 0 || now_ns - c->last_ns < stale_ns)
            continue;
        //  resubscribed: give the venue stale_ns again before the next try
        c->last_ns = now_ns;
        if (c->has_book) {
            c->has_book = false;
            self->stats.stale++;
            s_emit_tick (self, c, 0);
        }
        out [n++] = i;
    }
    if (n)
        s_report (self);
    return n;
}

int
hl_md_coins (const hl_md_t *self)
{
    return self->n_coins;
}

const hl_coin_t *
hl_md_coin (const hl_md_t *self, int index)
{
    return index >= 0 && index < self->n_coins? &self->coins [index].info: NULL;
}

const hl_coin_t *
hl_md_find (const hl_md_t *self, const char *symbol)
{
    for (int i = 0; symbol && i < self->n_coins; i++)
        if (!strcmp (self->coins [i].info.inst->symbol, symbol))
            return &self->coins [i].info;
    return NULL;
}

const hl_coin_t *
hl_md_find_coin (const hl_md_t *self, const char *coin)
{
    for (int i = 0; coin && i < self->n_coins; i++)
        if (!strcmp (self->coins [i].info.coin, coin))
            return &self->coins [i].info;
    return NULL;
}

int
hl_md_touch (const hl_md_t *self, const char *symbol, double *bid, double *ask)
{
    *bid = *ask = 0;
    for (int i = 0; symbol && i < self->n_coins; i++) {
        const s_coin_t *c = &self->coins [i];
        if (strcmp (c->info.inst->symbol, symbol))
            continue;
        hb_level_t level;
        if (c->has_book && !hb_lbook_level (c->book, HB_SIDE_BUY, 0, &level))
            *bid = level.px;
        if (c->has_book && !hb_lbook_level (c->book, HB_SIDE_SELL, 0, &level))
            *ask = level.px;
        return 0;
    }
    return -1;
}

void
hl_md_set_user (hl_md_t *self, hl_user_fn *fn, void *arg)
{
    self->user = fn;
    self->user_arg = arg;
}

const hl_md_stats_t *
hl_md_stats (const hl_md_t *self)
{
    return &self->stats;
}

const char *
hl_md_error (const hl_md_t *self)
{
    return self->error;
}
