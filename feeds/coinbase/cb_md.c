/*  cb_md: see cb_md.h.

    Message layout (Advanced Trade WebSocket, docs.cdp.coinbase.com):
        { "channel": "l2_data", "client_id": "", "timestamp": "...Z",
          "sequence_num": 12, "events": [
            { "type": "snapshot" | "update", "product_id": "BTC-USD",
              "updates": [ { "side": "bid" | "offer", "event_time": "...Z",
                             "price_level": "21921.73", "new_quantity": "0.06" } ] } ] }
        { "channel": "ticker", ..., "events": [ { "type": "snapshot" | "update",
              "tickers": [ { "product_id", "price", "best_bid", "best_bid_quantity",
                             "best_ask", "best_ask_quantity", ... } ] } ] }
        { "channel": "market_trades", ..., "events": [ { "type": "snapshot" | "update",
              "trades": [ { "trade_id", "product_id", "price", "size", "side", "time" } ] } ] }
        { "channel": "subscriptions" | "heartbeats", ... }
        { "type": "error", "message": "..." }
    Prices and sizes are decimal strings; a new_quantity of "0" removes the
    level.                                                                  */
#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cb_md.h"
#include "hb_json.h"
#include "hb_lbook.h"
#include "hb_vpub.h"
#include "hb_vsyms.h"

//  Coinbase snapshots carry the whole book (thousands of levels on a busy
//  product); levels beyond this are counted as dropped by hb_lbook.
#define CB_MD_MAX_LEVELS 8192

typedef struct {
    const char                *product;    //  Coinbase product id (self->syms')
    const hb_instrument_cfg_t *inst;
    hb_lbook_t                *book;
    bool                       has_snapshot;    //  the book is usable
    bool                       ever_snapshot;   //  level2 is on for it at all
    bool                       dirty;           //  changed since the last tick
} s_product_t;

struct cb_md_s {
    const hb_venue_cfg_t *venue;
    hb_vpub_t            *pub;          //  ticks, trades and status onto the bus
    hb_vsyms_t           *syms;         //  product ids <-> symbols
    int                   n_products;
    s_product_t          *products;     //  one per instrument of the venue
    bool                  have_seq;
    int64_t               last_seq;
    hb_json_t            *json;         //  parser arena: no heap per message
    char                  error [HB_JSON_ERR_MAX + 64];    //  why the last bad message was
    cb_md_stats_t         stats;
    cb_user_fn           *user;         //  the user channel's consumer
    void                 *user_arg;
};

cb_md_t *
cb_md_new (const hb_venue_cfg_t *venue, cb_emit_fn *emit, cb_status_fn *status, void *arg,
           char *err, size_t errsize)
{
    cb_md_t *self = (cb_md_t *) calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, errsize, "out of memory");
        return NULL;
    }
    self->venue = venue;
    self->json = hb_json_new (0, 0);
    self->pub = hb_vpub_new (venue->name, emit, status, arg);
    if (!self->json || !self->pub) {
        snprintf (err, errsize, "out of memory");
        cb_md_destroy (&self);
        return NULL;
    }
    self->syms = hb_vsyms_new (venue, "a Coinbase product id", "product", err, errsize);
    if (!self->syms) {
        cb_md_destroy (&self);
        return NULL;
    }
    int count = hb_vsyms_count (self->syms);
    self->products = (s_product_t *) calloc ((size_t) (count > 0? count: 1), sizeof *self->products);
    if (!self->products) {
        snprintf (err, errsize, "out of memory");
        cb_md_destroy (&self);
        return NULL;
    }
    for (int i = 0; i < count; i++) {
        s_product_t *p = &self->products [self->n_products++];
        p->product = hb_vsyms_id (self->syms, i);
        p->inst = hb_vsyms_inst (self->syms, i);
        p->book = hb_lbook_new (CB_MD_MAX_LEVELS);
        if (!p->book) {
            snprintf (err, errsize, "out of memory");
            cb_md_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
cb_md_destroy (cb_md_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cb_md_t *self = *self_p;
    for (int i = 0; i < self->n_products; i++)
        hb_lbook_destroy (&self->products [i].book);
    free (self->products);
    hb_json_destroy (&self->json);
    hb_vsyms_destroy (&self->syms);
    hb_vpub_destroy (&self->pub);
    free (self);
    *self_p = NULL;
}

static s_product_t *
s_product (cb_md_t *self, const char *product_id)
{
    int i = hb_vsyms_find_id (self->syms, product_id);
    return i >= 0? &self->products [i]: NULL;
}

static void
s_report (cb_md_t *self)
{
    hb_vpub_status (self->pub, cb_md_stale (self));
}

//  The levels of product p into tick: Coinbase sizes are base units; a bus
//  quantity is contracts of multiplier base units (1 for spot).
static void
s_levels (const s_product_t *p, hb_tick_t *tick)
{
    double mult = p->inst->multiplier > 0? p->inst->multiplier: 1;
    hb_lbook_export (p->book, tick, HB_BOOK_DEPTH, 1.0 / mult);
}

static void
s_emit (cb_md_t *self)
{
    if (hb_vpub_emit (self->pub))
        self->stats.emit_refused++;
}

static void
s_emit_tick (cb_md_t *self, s_product_t *p, int64_t ts_venue)
{
    s_levels (p, hb_vpub_tick (self->pub, p->inst->symbol, p->has_snapshot, ts_venue));
    p->dirty = false;
    self->stats.ticks++;
    s_emit (self);
}

void
cb_md_reset (cb_md_t *self)
{
    self->have_seq = false;
    for (int i = 0; i < self->n_products; i++) {
        self->products [i].has_snapshot = false;
        hb_lbook_clear (self->products [i].book);
    }
    s_report (self);
}

//  A strictly positive finite decimal string (or zero when zero_ok).
static bool
s_number (json_t *value, bool zero_ok, double *out)
{
    const char *text = json_string_value (value);
    if (!text || !*text)
        return false;
    char *end = NULL;
    double x = strtod (text, &end);
    if (*end || !isfinite (x) || x < 0 || (!zero_ok && x == 0))
        return false;
    *out = x;
    return true;
}

int64_t
cb_md_parse_time (const char *text)
{
    if (!text)
        return 0;
    struct tm tm;
    memset (&tm, 0, sizeof tm);
    const char *rest = strptime (text, "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest)
        return 0;
    int64_t frac = 0;
    if (*rest == '.') {
        int digits = 0;
        for (rest++; isdigit ((unsigned char) *rest); rest++, digits++)
            if (digits < 9)
                frac = frac * 10 + (*rest - '0');
        if (digits == 0)
            return 0;
        for (; digits < 9; digits++)
            frac *= 10;
    }
    if (strcmp (rest, "Z"))
        return 0;
    time_t secs = timegm (&tm);
    //  past 2262 the time does not fit int64 ns: as unreadable as a bad one
    if (secs <= 0 || secs >= INT64_MAX / 1000000000 - 1)
        return 0;
    return (int64_t) secs * 1000000000 + frac;
}

//  One l2_data event. Returns -1 on a malformed level (the book is then
//  not trusted: it waits for a new snapshot).
static int
s_on_l2_event (cb_md_t *self, json_t *event, int64_t *ts)
{
    const char *type = json_string_value (json_object_get (event, "type"));
    json_t *updates = json_object_get (event, "updates");
    if (!type || !json_is_array (updates))
        return -1;
    bool snapshot = !strcmp (type, "snapshot");
    if (!snapshot && strcmp (type, "update")) {
        self->stats.unknown++;
        return 0;
    }
    s_product_t *p = s_product (self, json_string_value (json_object_get (event, "product_id")));
    if (!p) {
        self->stats.unknown++;
        return 0;
    }
    if (!snapshot && !p->has_snapshot)
        return 0;           //  updates before the (re)snapshot describe a book we do not have
    if (snapshot) {
        hb_lbook_clear (p->book);
        self->stats.snapshots++;
    }
    size_t i;
    json_t *level;
    json_array_foreach (updates, i, level) {
        const char *side = json_string_value (json_object_get (level, "side"));
        double px = 0, qty = 0;
        int hb_side = side && !strcmp (side, "bid")? HB_SIDE_BUY
                    : side && (!strcmp (side, "offer") || !strcmp (side, "ask"))? HB_SIDE_SELL: 0;
        if (!hb_side || !s_number (json_object_get (level, "price_level"), false, &px)
        ||  !s_number (json_object_get (level, "new_quantity"), true, &qty)
        ||  hb_lbook_set (p->book, hb_side, px, qty)) {
            //  half a book is worse than none
            p->has_snapshot = false;
            hb_lbook_clear (p->book);
            return -1;
        }
        int64_t t = cb_md_parse_time (json_string_value (json_object_get (level, "event_time")));
        if (t > *ts)
            *ts = t;
        self->stats.updates++;
    }
    if (snapshot) {
        p->has_snapshot = true;
        p->ever_snapshot = true;
    }
    p->dirty = true;
    return 0;
}

static int
s_on_ticker_event (cb_md_t *self, json_t *event, int64_t ts)
{
    json_t *tickers = json_object_get (event, "tickers");
    if (!json_is_array (tickers))
        return -1;
    size_t i;
    json_t *t;
    json_array_foreach (tickers, i, t) {
        s_product_t *p = s_product (self, json_string_value (json_object_get (t, "product_id")));
        if (!p) {
            self->stats.unknown++;
            continue;
        }
        double bid = 0, bid_qty = 0, ask = 0, ask_qty = 0;
        if (!s_number (json_object_get (t, "best_bid"), true, &bid)
        ||  !s_number (json_object_get (t, "best_bid_quantity"), true, &bid_qty)
        ||  !s_number (json_object_get (t, "best_ask"), true, &ask)
        ||  !s_number (json_object_get (t, "best_ask_quantity"), true, &ask_qty))
            return -1;
        //  With level2 on, the book is the better source and the ticker
        //  would only publish an older top; without it, the ticker is the book.
        if (p->ever_snapshot)
            continue;
        hb_lbook_clear (p->book);
        if ((bid > 0 && bid_qty > 0 && hb_lbook_set (p->book, HB_SIDE_BUY, bid, bid_qty))
        ||  (ask > 0 && ask_qty > 0 && hb_lbook_set (p->book, HB_SIDE_SELL, ask, ask_qty)))
            return -1;
        p->has_snapshot = true;
        s_emit_tick (self, p, ts);
    }
    return 0;
}

static int
s_on_trades_event (cb_md_t *self, json_t *event)
{
    json_t *trades = json_object_get (event, "trades");
    const char *type = json_string_value (json_object_get (event, "type"));
    if (!json_is_array (trades) || !type)
        return -1;
    //  a snapshot replays recent trades already published before a
    //  reconnect: publishing them again would count them twice downstream
    if (!strcmp (type, "snapshot"))
        return 0;
    size_t i;
    json_t *t;
    json_array_foreach (trades, i, t) {
        s_product_t *p = s_product (self, json_string_value (json_object_get (t, "product_id")));
        if (!p) {
            self->stats.unknown++;
            continue;
        }
        const char *id = json_string_value (json_object_get (t, "trade_id"));
        const char *side = json_string_value (json_object_get (t, "side"));
        double px = 0, qty = 0;
        if (!id || !*id || strlen (id) >= HB_ID_MAX || !side
        ||  (strcmp (side, "BUY") && strcmp (side, "SELL"))
        ||  !s_number (json_object_get (t, "price"), false, &px)
        ||  !s_number (json_object_get (t, "size"), false, &qty))
            return -1;
        hb_trade_t *trade = hb_vpub_trade (self->pub, p->inst->symbol,
            cb_md_parse_time (json_string_value (json_object_get (t, "time"))));
        snprintf (trade->trade_id, sizeof trade->trade_id, "%s", id);
        trade->side = side [0] == 'B'? HB_SIDE_BUY: HB_SIDE_SELL;
        trade->px = px;
        trade->qty = qty / (p->inst->multiplier > 0? p->inst->multiplier: 1);
        self->stats.trades++;
        s_emit (self);
    }
    return 0;
}

//  A hole in sequence_num: every book is suspect.
static void
s_gap (cb_md_t *self, int64_t ts)
{
    self->stats.gaps++;
    for (int i = 0; i < self->n_products; i++) {
        s_product_t *p = &self->products [i];
        if (!p->ever_snapshot)
            continue;
        p->has_snapshot = false;
        s_emit_tick (self, p, ts);      //  consumers see the stale flag now
        hb_lbook_clear (p->book);
    }
    s_report (self);
}

cb_md_result_t
cb_md_on_message (cb_md_t *self, const char *data, size_t size, int64_t now_ns)
{
    self->stats.messages++;
    self->error [0] = 0;
    json_t *root = hb_json_parse (self->json, data, size, self->error, sizeof self->error);
    if (!json_is_object (root)) {
        if (root)
            snprintf (self->error, sizeof self->error, "not a JSON object");
        self->stats.malformed++;
        return CB_MD_BAD;
    }
    cb_md_result_t result = CB_MD_OK;
    const char *channel = json_string_value (json_object_get (root, "channel"));
    const char *type = json_string_value (json_object_get (root, "type"));
    if (!channel) {
        if (type && !strcmp (type, "error")) {
            self->stats.errors++;
            snprintf (self->error, sizeof self->error, "venue error: %.120s",
                      json_string_value (json_object_get (root, "message"))?: "(no message)");
        }
        else {
            self->stats.unknown++;
            snprintf (self->error, sizeof self->error, "unknown message type '%.40s'",
                      type? type: "(none)");
            result = CB_MD_BAD;
        }
        return result;
    }
    json_t *seq_j = json_object_get (root, "sequence_num");
    json_t *events = json_object_get (root, "events");
    if (!json_is_integer (seq_j) || json_integer_value (seq_j) < 0) {
        snprintf (self->error, sizeof self->error, "channel %.40s: sequence_num missing or not "
                  "an integer >= 0", channel);
        self->stats.malformed++;
        return CB_MD_BAD;
    }
    int64_t seq = json_integer_value (seq_j);
    int64_t ts = cb_md_parse_time (json_string_value (json_object_get (root, "timestamp")));
    (void) now_ns;
    //  The sequence is checked before the content: a message we cannot
    //  read still takes its number.
    if (self->have_seq && seq != self->last_seq + 1) {
        if (seq <= self->last_seq) {
            //  a replay of something seen: applying it again would double it
            snprintf (self->error, sizeof self->error, "sequence_num %lld replayed (last %lld)",
                      (long long) seq, (long long) self->last_seq);
            self->stats.unknown++;
            return CB_MD_BAD;
        }
        s_gap (self, ts);
        result = CB_MD_RESYNC;
    }
    self->have_seq = true;
    self->last_seq = seq;

    int bad = 0;
    if (!strcmp (channel, "l2_data") || !strcmp (channel, "ticker")
    ||  !strcmp (channel, "market_trades")) {
        if (!json_is_array (events))
            bad = 1;
        size_t i;
        json_t *event;
        json_array_foreach (events, i, event) {
            if (!json_is_object (event))
                bad = 1;
            else if (channel [0] == 'l') {
                int64_t t = ts;
                if (s_on_l2_event (self, event, &t))
                    bad = 1;
            }
            else if (channel [0] == 't') {
                if (s_on_ticker_event (self, event, ts))
                    bad = 1;
            }
            else if (s_on_trades_event (self, event))
                bad = 1;
        }
        for (int k = 0; k < self->n_products; k++)
            if (self->products [k].dirty && self->products [k].has_snapshot)
                s_emit_tick (self, &self->products [k], ts);
    }
    else if (!strcmp (channel, "user")) {
        if (!json_is_array (events) || (self->user && self->user (self->user_arg, events, ts)))
            bad = 1;
    }
    else if (strcmp (channel, "subscriptions") && strcmp (channel, "heartbeats")) {
        self->stats.unknown++;
        snprintf (self->error, sizeof self->error, "unknown channel '%.40s'", channel);
        if (result == CB_MD_OK)
            result = CB_MD_BAD;
    }
    if (bad) {
        if (!self->error [0])
            snprintf (self->error, sizeof self->error, "channel %.40s: an event or level has a "
                      "field missing or of the wrong type", channel);
        self->stats.malformed++;
        //  a book dropped for a bad level needs a snapshot just like a gap
        if (cb_md_stale (self))
            result = CB_MD_RESYNC;
        else if (result == CB_MD_OK)
            result = CB_MD_BAD;
    }
    s_report (self);
    return result;
}

int
cb_md_products (const cb_md_t *self)
{
    return self->n_products;
}

const char *
cb_md_product (const cb_md_t *self, int index)
{
    return hb_vsyms_id (self->syms, index);
}

const char *
cb_md_symbol_of (const cb_md_t *self, const char *product_id)
{
    return hb_vsyms_symbol_of (self->syms, product_id);
}

const char *
cb_md_product_of (const cb_md_t *self, const char *symbol)
{
    return hb_vsyms_id_of (self->syms, symbol);
}

static const s_product_t *
s_product_by_symbol (const cb_md_t *self, const char *symbol)
{
    int i = hb_vsyms_find_symbol (self->syms, symbol);
    return i >= 0? &self->products [i]: NULL;
}

int
cb_md_book (const cb_md_t *self, const char *symbol, hb_tick_t *tick)
{
    const s_product_t *p = s_product_by_symbol (self, symbol);
    if (!p)
        return -1;
    hb_vpub_fill_tick (self->pub, p->inst->symbol, p->has_snapshot, tick);
    s_levels (p, tick);
    return 0;
}

int
cb_md_depth (const cb_md_t *self, const char *symbol, int *bids, int *asks)
{
    const s_product_t *p = s_product_by_symbol (self, symbol);
    if (!p)
        return -1;
    *bids = (int) hb_lbook_depth (p->book, HB_SIDE_BUY);
    *asks = (int) hb_lbook_depth (p->book, HB_SIDE_SELL);
    return 0;
}

bool
cb_md_stale (const cb_md_t *self)
{
    for (int i = 0; i < self->n_products; i++)
        if (!self->products [i].has_snapshot)
            return true;
    return false;
}

const cb_md_stats_t *
cb_md_stats (const cb_md_t *self)
{
    return &self->stats;
}

void
cb_md_set_user (cb_md_t *self, cb_user_fn *fn, void *arg)
{
    self->user = fn;
    self->user_arg = arg;
}

const char *
cb_md_error (const cb_md_t *self)
{
    return self->error;
}
