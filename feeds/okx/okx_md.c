/*  okx_md: see okx_md.h.

    Message layout (OKX API v5, WebSocket public channels):
        {"event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"},"connId":"a4d3ae55"}
        {"event":"error","code":"60012","msg":"Invalid request: ...","connId":"..."}
        {"arg":{"channel":"books","instId":"BTC-USDT"},"action":"snapshot"|"update",
         "data":[{"asks":[["8476.98","415","0","13"],...],"bids":[...],
                  "ts":"1597026383085","checksum":-855196043,"prevSeqId":-1,"seqId":123456}]}
        {"arg":{"channel":"tickers","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT",
                  "last":"9999.99","askPx":"9999.99","askSz":"11","bidPx":"8888.88",
                  "bidSz":"5","ts":"1597026383085",...}]}
        {"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT",
                  "tradeId":"130639474","px":"42219.9","sz":"0.1206","side":"buy",
                  "ts":"1630048897897"}]}
        pong                                    (the answer to our text "ping")
    Continuity: an update's prevSeqId equals the seqId of the message before
    it on that book, whatever the seqId itself does (OKX may reset seqId
    lower after maintenance; prevSeqId still links).                        */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_json.h"
#include "hb_vpub.h"
#include "hb_vsyms.h"
#include "okx_book.h"
#include "okx_md.h"

//  The books channel keeps 400 levels a side; room for a burst beyond.
#define S_MAX_LEVELS 1024

typedef struct {
    const char                *inst_id;    //  self->syms'
    const hb_instrument_cfg_t *inst;
    double                     qty_scale;   //  venue size -> bus quantity
    okx_book_t                *book;
    bool                       has_snapshot;
    bool                       ever_snapshot;
    bool                       resync;      //  queued for a resubscribe
    int64_t                    seq_id;      //  of the last books message applied
} s_inst_t;

struct okx_md_s {
    const hb_venue_cfg_t *venue;
    hb_vpub_t            *pub;          //  ticks, trades and status onto the bus
    hb_vsyms_t           *syms;         //  instIds <-> symbols
    int                   n_insts;
    s_inst_t             *insts;        //  one per instrument of the venue
    hb_json_t            *json;
    char                  error [HB_JSON_ERR_MAX + 64];
    okx_md_stats_t        stats;
};

okx_md_t *
okx_md_new (const hb_venue_cfg_t *venue, okx_emit_fn *emit, okx_status_fn *status, void *arg,
            char *err, size_t errsize)
{
    okx_md_t *self = (okx_md_t *) calloc (1, sizeof *self);
    if (!self || !(self->json = hb_json_new (0, 0))
    ||  !(self->pub = hb_vpub_new (venue->name, emit, status, arg))) {
        snprintf (err, errsize, "out of memory");
        okx_md_destroy (&self);
        return NULL;
    }
    self->venue = venue;
    self->syms = hb_vsyms_new (venue, "an OKX instId", "instId", err, errsize);
    if (!self->syms) {
        okx_md_destroy (&self);
        return NULL;
    }
    int count = hb_vsyms_count (self->syms);
    self->insts = (s_inst_t *) calloc ((size_t) (count > 0? count: 1), sizeof *self->insts);
    if (!self->insts) {
        snprintf (err, errsize, "out of memory");
        okx_md_destroy (&self);
        return NULL;
    }
    for (int i = 0; i < count; i++) {
        const hb_instrument_cfg_t *inst = hb_vsyms_inst (self->syms, i);
        char key [HB_NAME_MAX + 8];
        double mult = inst->multiplier > 0? inst->multiplier: 1;
        double ctval = inst->kind == HB_KIND_SPOT? 1: mult;
        snprintf (key, sizeof key, "ctval.%s", inst->symbol);
        const char *text = hb_venue_param (venue, key);
        if (text && (hb_json_decimal (text, strlen (text), &ctval) || !(ctval > 0))) {
            snprintf (err, errsize, "params.%s: '%s' is not a contract value > 0", key, text);
            okx_md_destroy (&self);
            return NULL;
        }
        s_inst_t *p = &self->insts [self->n_insts++];
        p->inst_id = hb_vsyms_id (self->syms, i);
        p->inst = inst;
        p->qty_scale = ctval / mult;
        p->book = okx_book_new (S_MAX_LEVELS);
        if (!p->book) {
            snprintf (err, errsize, "out of memory");
            okx_md_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
okx_md_destroy (okx_md_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    okx_md_t *self = *self_p;
    for (int i = 0; i < self->n_insts; i++)
        okx_book_destroy (&self->insts [i].book);
    free (self->insts);
    hb_json_destroy (&self->json);
    hb_vsyms_destroy (&self->syms);
    hb_vpub_destroy (&self->pub);
    free (self);
    *self_p = NULL;
}

static s_inst_t *
s_inst (okx_md_t *self, const char *inst_id)
{
    int i = hb_vsyms_find_id (self->syms, inst_id);
    return i >= 0? &self->insts [i]: NULL;
}

static const s_inst_t *
s_inst_by_symbol (const okx_md_t *self, const char *symbol)
{
    int i = hb_vsyms_find_symbol (self->syms, symbol);
    return i >= 0? &self->insts [i]: NULL;
}

bool
okx_md_stale (const okx_md_t *self)
{
    for (int i = 0; i < self->n_insts; i++)
        if (!self->insts [i].has_snapshot)
            return true;
    return false;
}

static void
s_report (okx_md_t *self)
{
    hb_vpub_status (self->pub, okx_md_stale (self));
}

static void
s_emit (okx_md_t *self)
{
    if (hb_vpub_emit (self->pub))
        self->stats.emit_refused++;
}

static void
s_emit_tick (okx_md_t *self, const s_inst_t *p, int64_t ts)
{
    hb_tick_t *tick = hb_vpub_tick (self->pub, p->inst->symbol, p->has_snapshot, ts);
    okx_book_export (p->book, tick, HB_BOOK_DEPTH, p->qty_scale);
    self->stats.ticks++;
    s_emit (self);
}

//  The book of p can no longer be trusted: tell consumers, queue a resync.
static void
s_drop (okx_md_t *self, s_inst_t *p, int64_t ts)
{
    p->has_snapshot = false;
    p->resync = true;
    s_emit_tick (self, p, ts);
    okx_book_clear (p->book);
}

void
okx_md_reset (okx_md_t *self)
{
    for (int i = 0; i < self->n_insts; i++) {
        s_inst_t *p = &self->insts [i];
        p->has_snapshot = false;
        p->resync = false;
        okx_book_clear (p->book);
    }
    s_report (self);
}

int
okx_md_take_resync (okx_md_t *self)
{
    for (int i = 0; i < self->n_insts; i++)
        if (self->insts [i].resync) {
            self->insts [i].resync = false;
            return i;
        }
    return -1;
}

//  OKX millisecond timestamps come as strings of digits.
static int64_t
s_ts (const json_t *obj)
{
    int64_t ms = 0;
    if (hb_json_int (obj, "ts", &ms, NULL, 0) || ms < 0 || ms > INT64_MAX / 1000000)
        return 0;
    return ms * 1000000;
}

//  One side of a books message: [["px","sz","0","orders"], ...].
static int
s_apply_levels (okx_md_t *self, s_inst_t *p, const json_t *levels, int side)
{
    size_t i;
    json_t *level;
    json_array_foreach (levels, i, level) {
        const char *px = json_string_value (json_array_get (level, 0));
        const char *sz = json_string_value (json_array_get (level, 1));
        double px_v = 0, sz_v = 0;
        if (!px || !sz || hb_json_decimal (px, strlen (px), &px_v)
        ||  hb_json_decimal (sz, strlen (sz), &sz_v)
        ||  okx_book_set (p->book, side, px, px_v, sz, sz_v)) {
            snprintf (self->error, sizeof self->error, "books %s: %s level %zu is not "
                      "[\"price\", \"size\", ...] with price > 0 and size >= 0",
                      p->inst_id, side == HB_SIDE_BUY? "bids": "asks", i);
            return -1;
        }
        self->stats.updates++;
    }
    return 0;
}

static okx_md_result_t
s_on_books (okx_md_t *self, s_inst_t *p, const char *action, const json_t *data)
{
    const json_t *d = json_array_get (data, 0);
    json_t *bids = NULL, *asks = NULL;
    int64_t seq = 0, prev = 0, checksum = 0;
    char err [HB_JSON_ERR_MAX];
    if (json_array_size (data) != 1 || hb_json_arr (d, "bids", &bids, err, sizeof err)
    ||  hb_json_arr (d, "asks", &asks, err, sizeof err)
    ||  hb_json_int (d, "seqId", &seq, err, sizeof err)
    ||  hb_json_int (d, "prevSeqId", &prev, err, sizeof err)
    ||  (hb_json_has (d, "checksum") && hb_json_int (d, "checksum", &checksum, err, sizeof err))) {
        if (json_array_size (data) != 1)
            snprintf (err, sizeof err, "data: expected one element");
        snprintf (self->error, sizeof self->error, "books %s: %s", p->inst_id, err);
        return OKX_MD_BAD;
    }
    int64_t ts = s_ts (d);
    bool snapshot = !strcmp (action, "snapshot");
    if (!snapshot && strcmp (action, "update")) {
        snprintf (self->error, sizeof self->error, "books %s: unknown action '%.20s'",
                  p->inst_id, action);
        self->stats.unknown++;
        return OKX_MD_BAD;
    }
    if (!snapshot) {
        if (!p->has_snapshot)
            return OKX_MD_OK;       //  waiting for the resubscribe's snapshot
        if (prev != p->seq_id) {
            snprintf (self->error, sizeof self->error, "books %s: prevSeqId %lld after seqId "
                      "%lld: gap", p->inst_id, (long long) prev, (long long) p->seq_id);
            self->stats.gaps++;
            s_drop (self, p, ts);
            return OKX_MD_RESYNC;
        }
    }
    else {
        okx_book_clear (p->book);
        self->stats.snapshots++;
    }
    if (s_apply_levels (self, p, bids, HB_SIDE_BUY)
    ||  s_apply_levels (self, p, asks, HB_SIDE_SELL)) {
        //  half a book is worse than none
        self->stats.malformed++;
        s_drop (self, p, ts);
        return OKX_MD_RESYNC;
    }
    //  OKX deprecates the checksum for seqId/prevSeqId: a book without one,
    //  or with 0, is sequenced by seqId alone (above)
    int32_t ours = checksum? okx_book_checksum (p->book): 0;
    if (checksum && ours != (int32_t) checksum) {
        snprintf (self->error, sizeof self->error, "books %s: checksum %d, venue says %lld "
                  "(seqId %lld)", p->inst_id, ours, (long long) checksum, (long long) seq);
        self->stats.checksum_errors++;
        s_drop (self, p, ts);
        return OKX_MD_RESYNC;
    }
    p->seq_id = seq;
    p->has_snapshot = true;
    p->ever_snapshot = true;
    s_emit_tick (self, p, ts);
    return OKX_MD_OK;
}

static int
s_on_tickers (okx_md_t *self, s_inst_t *p, const json_t *data)
{
    size_t i;
    json_t *d;
    json_array_foreach (data, i, d) {
        double bid = 0, bid_sz = 0, ask = 0, ask_sz = 0;
        char err [HB_JSON_ERR_MAX];
        //  an empty side comes as "" from OKX: no level
        const char *bs = NULL, *as = NULL;
        if (hb_json_str (d, "bidPx", &bs, err, sizeof err)
        ||  hb_json_str (d, "askPx", &as, err, sizeof err)
        ||  (*bs && (hb_json_num (d, "bidPx", &bid, err, sizeof err)
                     || hb_json_num (d, "bidSz", &bid_sz, err, sizeof err)))
        ||  (*as && (hb_json_num (d, "askPx", &ask, err, sizeof err)
                     || hb_json_num (d, "askSz", &ask_sz, err, sizeof err)))) {
            snprintf (self->error, sizeof self->error, "tickers %s: %s", p->inst_id, err);
            return -1;
        }
        //  with books on, the book is the better source
        if (p->ever_snapshot)
            continue;
        okx_book_clear (p->book);
        if ((bid > 0 && bid_sz > 0 && okx_book_set (p->book, HB_SIDE_BUY, bs, bid, "", bid_sz))
        ||  (ask > 0 && ask_sz > 0 && okx_book_set (p->book, HB_SIDE_SELL, as, ask, "", ask_sz))) {
            snprintf (self->error, sizeof self->error, "tickers %s: bad bid or ask", p->inst_id);
            return -1;
        }
        p->has_snapshot = true;
        s_emit_tick (self, p, s_ts (d));
    }
    return 0;
}

static int
s_on_trades (okx_md_t *self, s_inst_t *p, const json_t *data)
{
    size_t i;
    json_t *d;
    json_array_foreach (data, i, d) {
        char err [HB_JSON_ERR_MAX] = "";
        const char *side = NULL;
        double px = 0, sz = 0;
        hb_trade_t *trade = hb_vpub_trade (self->pub, p->inst->symbol, s_ts (d));
        if (hb_json_strcpy (d, "tradeId", trade->trade_id, sizeof trade->trade_id, err, sizeof err)
        ||  hb_json_str (d, "side", &side, err, sizeof err)
        ||  hb_json_num (d, "px", &px, err, sizeof err)
        ||  hb_json_num (d, "sz", &sz, err, sizeof err)
        ||  (strcmp (side, "buy") && strcmp (side, "sell")) || !(px > 0) || !(sz > 0)
        ||  !trade->trade_id [0]) {
            snprintf (self->error, sizeof self->error, "trades %s: %s", p->inst_id,
                      err [0]? err: "side, px or sz out of range");
            return -1;
        }
        trade->side = side [0] == 'b'? HB_SIDE_BUY: HB_SIDE_SELL;
        trade->px = px;
        trade->qty = sz * p->qty_scale;
        self->stats.trades++;
        s_emit (self);
    }
    return 0;
}

okx_md_result_t
okx_md_on_message (okx_md_t *self, const char *data, size_t size, int64_t now_ns)
{
    (void) now_ns;
    self->stats.messages++;
    self->error [0] = 0;
    if (size == 4 && !memcmp (data, "pong", 4)) {
        self->stats.pongs++;
        return OKX_MD_OK;
    }
    json_t *root = hb_json_parse (self->json, data, size, self->error, sizeof self->error);
    if (!json_is_object (root)) {
        if (root)
            snprintf (self->error, sizeof self->error, "not a JSON object");
        self->stats.malformed++;
        return OKX_MD_BAD;
    }
    const char *event = json_string_value (json_object_get (root, "event"));
    if (event) {
        if (!strcmp (event, "error")) {
            self->stats.errors++;
            snprintf (self->error, sizeof self->error, "venue error %.12s: %.120s",
                      json_string_value (json_object_get (root, "code"))?: "?",
                      json_string_value (json_object_get (root, "msg"))?: "");
            return OKX_MD_OK;
        }
        if (!strcmp (event, "subscribe") || !strcmp (event, "unsubscribe")
        ||  !strcmp (event, "notice") || !strcmp (event, "channel-conn-count"))
            return OKX_MD_OK;
        snprintf (self->error, sizeof self->error, "unknown event '%.40s'", event);
        self->stats.unknown++;
        return OKX_MD_BAD;
    }
    json_t *arg = json_object_get (root, "arg");
    json_t *payload = json_object_get (root, "data");
    const char *channel = json_string_value (json_object_get (arg, "channel"));
    const char *inst_id = json_string_value (json_object_get (arg, "instId"));
    if (!channel || !inst_id || !json_is_array (payload)) {
        snprintf (self->error, sizeof self->error, "neither an event nor arg.channel, "
                  "arg.instId and a data array");
        self->stats.unknown++;
        return OKX_MD_BAD;
    }
    s_inst_t *p = s_inst (self, inst_id);
    if (!p) {
        snprintf (self->error, sizeof self->error, "instId '%.40s' is not ours", inst_id);
        self->stats.unknown++;
        return OKX_MD_BAD;
    }
    okx_md_result_t result = OKX_MD_OK;
    if (!strcmp (channel, "books")) {
        const char *action = json_string_value (json_object_get (root, "action"));
        if (!action) {
            snprintf (self->error, sizeof self->error, "books %s: action missing", p->inst_id);
            result = OKX_MD_BAD;
        }
        else
            result = s_on_books (self, p, action, payload);
        if (result == OKX_MD_BAD && !strstr (self->error, "unknown action"))
            self->stats.malformed++;
    }
    else if (!strcmp (channel, "tickers") || !strcmp (channel, "trades")) {
        int rc = channel [1] == 'i'? s_on_tickers (self, p, payload): s_on_trades (self, p, payload);
        if (rc) {
            self->stats.malformed++;
            result = OKX_MD_BAD;
        }
    }
    else {
        snprintf (self->error, sizeof self->error, "unknown channel '%.40s'", channel);
        self->stats.unknown++;
        result = OKX_MD_BAD;
    }
    s_report (self);
    return result;
}

int
okx_md_instruments (const okx_md_t *self)
{
    return self->n_insts;
}

const char *
okx_md_inst_id (const okx_md_t *self, int index)
{
    return hb_vsyms_id (self->syms, index);
}

const char *
okx_md_symbol_of (const okx_md_t *self, const char *inst_id)
{
    return hb_vsyms_symbol_of (self->syms, inst_id);
}

const char *
okx_md_inst_id_of (const okx_md_t *self, const char *symbol)
{
    return hb_vsyms_id_of (self->syms, symbol);
}

double
okx_md_qty_scale (const okx_md_t *self, const char *symbol)
{
    const s_inst_t *p = s_inst_by_symbol (self, symbol);
    return p? p->qty_scale: 0;
}

int
okx_md_book (const okx_md_t *self, const char *symbol, hb_tick_t *tick)
{
    const s_inst_t *p = s_inst_by_symbol (self, symbol);
    if (!p)
        return -1;
    hb_vpub_fill_tick (self->pub, p->inst->symbol, p->has_snapshot, tick);
    okx_book_export (p->book, tick, HB_BOOK_DEPTH, p->qty_scale);
    return 0;
}

int
okx_md_depth (const okx_md_t *self, const char *symbol, int *bids, int *asks)
{
    const s_inst_t *p = s_inst_by_symbol (self, symbol);
    if (!p)
        return -1;
    *bids = (int) okx_book_depth (p->book, HB_SIDE_BUY);
    *asks = (int) okx_book_depth (p->book, HB_SIDE_SELL);
    return 0;
}

const okx_md_stats_t *
okx_md_stats (const okx_md_t *self)
{
    return &self->stats;
}

const char *
okx_md_error (const okx_md_t *self)
{
    return self->error;
}
