/*  binance_depth: local order books from Binance's diff depth stream, by
    the procedure Binance documents ("How to manage a local order book
    correctly"):

      1. open the stream and buffer its diff events;
      2. get a snapshot: GET /api/v3/depth (spot) or /fapi/v1/depth (usdm);
      3. drop buffered events older than the snapshot: u <= lastUpdateId
         (spot), u < lastUpdateId (usdm);
      4. the first event applied must bridge the snapshot:
            spot: U <= lastUpdateId + 1 <= u
            usdm: U <= lastUpdateId     <= u
      5. then every event must follow the previous one:
            spot: U == previous u + 1
            usdm: pu == previous u
         and a size of 0 deletes a level.

    Anything else is a gap: the instrument goes back to buffering, a new
    snapshot is requested, a tick flagged HB_TICK_STALE is published and
    the venue's status is stale until every book is rebuilt. A diff that
    leaves the book crossed, or that cannot be read, is treated the same
    way: the book can no longer be trusted.

    The books are what the venue publishes: a tick per book change (with
    the latest bookTicker laid over the touch), and the venue status, stale
    while any book is out of sync or the stream is down. binance.c (the
    stream) calls in here; nothing here calls back.                      */
#include "binance.h"
#include "hb_log.h"
#include "hb_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define s_log(self, level, ...) (self)->host->log ((self)->host->ctx, level, __VA_ARGS__)

typedef enum { S_APPLIED = 0, S_OLD = 1, S_GAP = -1, S_BAD = -2 } s_result_t;

int
binance_depth_init (binance_t *self, binance_inst_t *bi)
{
    bi->book = hb_lbook_new ((size_t) self->depth_limit);
    bi->pending = (char *) malloc (BINANCE_PENDING_BYTES);
    bi->snapshot_timer = -1;
    if (!bi->book || !bi->pending) {
        s_log (self, HB_LOG_ERROR, "out of memory for the book of %s", bi->inst->symbol);
        return -1;
    }
    return 0;
}

void
binance_depth_fini (binance_t *self, binance_inst_t *bi)
{
    if (bi->snapshot_timer >= 0)
        self->host->timer_cancel (self->host->ctx, bi->snapshot_timer);
    bi->snapshot_timer = -1;
    hb_lbook_destroy (&bi->book);
    free (bi->pending);
    bi->pending = NULL;
}

//  Sets every [price, size] level of the array key of data on side.
static int
s_levels (binance_t *self, binance_inst_t *bi, const json_t *data, const char *key, int side)
{
    json_t *levels;
    if (hb_json_arr (data, key, &levels, self->err, sizeof self->err))
        return -1;
    size_t i;
    json_t *level;
    json_array_foreach (levels, i, level) {
        double px, qty;
        if (!json_is_array (level) || json_array_size (level) < 2) {
            snprintf (self->err, sizeof self->err, "%s[%zu]: not a [price, size] pair", key, i);
            return -1;
        }
        if (hb_json_value_num (json_array_get (level, 0), "price", &px, self->err, sizeof self->err)
        ||  hb_json_value_num (json_array_get (level, 1), "size", &qty, self->err, sizeof self->err))
            return -1;
        if (hb_lbook_set (bi->book, side, px, qty)) {
            snprintf (self->err, sizeof self->err, "%s[%zu]: price %g size %g out of range", key, i, px, qty);
            return -1;
        }
    }
    return 0;
}

//  Applies one diff event to a synced book, checking the sequence.
static s_result_t
s_apply (binance_t *self, binance_inst_t *bi, const json_t *data, int64_t *ts_ms)
{
    int64_t first, last, prev = 0;
    if (hb_json_int (data, "U", &first, self->err, sizeof self->err)
    ||  hb_json_int (data, "u", &last, self->err, sizeof self->err)
    ||  (self->market == BINANCE_USDM && hb_json_int (data, "pu", &prev, self->err, sizeof self->err)))
        return S_BAD;
    if (first > last) {
        snprintf (self->err, sizeof self->err, "U %lld > u %lld", (long long) first, (long long) last);
        return S_BAD;
    }
    *ts_ms = 0;
    if (hb_json_has (data, "E"))
        hb_json_int (data, "E", ts_ms, NULL, 0);
    bool spot = self->market == BINANCE_SPOT;
    if (spot ? last <= bi->last_u : last < bi->last_u)
        return S_OLD;
    bool follows;
    if (bi->first_pending)
        follows = spot ? first <= bi->last_u + 1 && bi->last_u + 1 <= last
                       : first <= bi->last_u && bi->last_u <= last;
    else
        follows = spot ? first == bi->last_u + 1 : prev == bi->last_u;
    if (!follows) {
        snprintf (self->err, sizeof self->err, "%s: expected %s %lld, got U %lld u %lld pu %lld",
                  bi->inst->symbol, bi->first_pending ? "a bridge of" : spot ? "U =" : "pu =",
                  (long long) (bi->last_u + (spot ? 1 : 0)), (long long) first, (long long) last,
                  (long long) prev);
        return S_GAP;
    }
    if (s_levels (self, bi, data, "b", HB_SIDE_BUY) || s_levels (self, bi, data, "a", HB_SIDE_SELL))
        return S_BAD;
    bi->last_u = last;
    bi->first_pending = false;
    if (hb_lbook_crossed (bi->book)) {
        self->stats.crossed++;
        snprintf (self->err, sizeof self->err, "%s: book crossed after u %lld", bi->inst->symbol,
                  (long long) last);
        return S_BAD;
    }
    return S_APPLIED;
}

static void
s_buffer (binance_t *self, binance_inst_t *bi, const char *raw, size_t len)
{
    if (bi->pending_len + len + 1 > BINANCE_PENDING_BYTES) {
        //  The snapshot is slow to come: what we buffered can no longer
        //  be bridged completely. Start the buffer over; the snapshot
        //  that comes will be found too old and asked again.
        s_log (self, HB_LOG_WARN, "%s: diff buffer full while waiting for the snapshot", bi->inst->symbol);
        bi->pending_len = 0;
        if (len + 1 > BINANCE_PENDING_BYTES)
            return;
    }
    memcpy (bi->pending + bi->pending_len, raw, len);
    bi->pending [bi->pending_len + len] = 0;
    bi->pending_len += len + 1;
}

static void
s_request (binance_t *self, binance_inst_t *bi)
{
    if (!bi->snapshot_inflight && bi->snapshot_timer < 0)
        self->snapshot_fn (self, bi);
}

//  Back to buffering: the book cannot be trusted any more.
static void
s_resync (binance_t *self, binance_inst_t *bi, const char *why)
{
    bool was_synced = bi->state == BINANCE_BOOK_SYNCED;
    bi->state = BINANCE_BOOK_WAIT;
    bi->pending_len = 0;
    s_log (self, HB_LOG_WARN, "%s: resnapshot: %s", bi->inst->symbol, why);
    if (was_synced)
        binance_publish_tick (self, bi, 0);     //  flagged stale
    binance_update_status (self);
}

void
binance_depth_event (binance_t *self, binance_inst_t *bi, const json_t *data,
                     const char *raw, size_t len)
{
    if (bi->state != BINANCE_BOOK_SYNCED) {
        if (bi->state == BINANCE_BOOK_IDLE) {
            bi->state = BINANCE_BOOK_WAIT;
            bi->pending_len = 0;
        }
        s_buffer (self, bi, raw, len);
        s_request (self, bi);
        return;
    }
    int64_t ts_ms;
    s_result_t rc = s_apply (self, bi, data, &ts_ms);
    if (rc == S_APPLIED)
        binance_publish_tick (self, bi, ts_ms);
    else
    if (rc == S_OLD)
        self->stats.dropped_stale++;
    else {
        if (rc == S_GAP)
            self->stats.gaps++;
        else
            self->stats.malformed++;
        char why [BINANCE_ERR_MAX];
        snprintf (why, sizeof why, "%s", self->err);
        s_resync (self, bi, why);
        if (rc == S_GAP)
            s_buffer (self, bi, raw, len);  //  this event may bridge the next snapshot
        s_request (self, bi);
    }
}

void
binance_depth_reset_all (binance_t *self, const char *why)
{
    for (int i = 0; i < self->n_inst; i++) {
        binance_inst_t *bi = &self->inst [i];
        bi->state = BINANCE_BOOK_WAIT;
        bi->pending_len = 0;
        bi->bbo_valid = false;
        s_log (self, HB_LOG_INFO, "%s: snapshot: %s", bi->inst->symbol, why);
        s_request (self, bi);
    }
    binance_update_status (self);
}

//  The data object of a buffered message (combined envelope or bare).
static const json_t *
s_data (const json_t *root)
{
    const json_t *data = json_object_get (root, "data");
    return json_is_object (data) ? data : root;
}

static int
s_on_retry (void *arg)
{
    binance_inst_t *bi = (binance_inst_t *) arg;
    binance_t *self = (binance_t *) bi->owner;
    bi->snapshot_timer = -1;
    if (bi->state == BINANCE_BOOK_WAIT)
        s_request (self, bi);
    return 0;
}

static void
s_retry_later (binance_t *self, binance_inst_t *bi, int64_t delay_ms)
{
    if (bi->snapshot_timer >= 0)
        return;
    bi->snapshot_timer = self->host->timer_add (self->host->ctx, (uint64_t) (delay_ms > 0 ? delay_ms : 1),
                                                1, s_on_retry, bi);
}

void
binance_depth_snapshot (binance_t *self, binance_inst_t *bi, long status, const char *body, size_t len)
{
    bi->snapshot_inflight = false;
    if (bi->state == BINANCE_BOOK_IDLE)
        return;                     //  the connection went away meanwhile
    json_t *root = NULL;
    int64_t lid = 0;
    json_t *bids, *asks;
    if (status != 200)
        snprintf (self->err, sizeof self->err, "HTTP %ld: %.100s", status, body ? body : "");
    else
    if (!(root = hb_json_parse (self->json_rest, body, len, self->err, sizeof self->err))
    ||  hb_json_int (root, "lastUpdateId", &lid, self->err, sizeof self->err)
    ||  hb_json_arr (root, "bids", &bids, self->err, sizeof self->err)
    ||  hb_json_arr (root, "asks", &asks, self->err, sizeof self->err))
        root = NULL;
    if (root) {
        hb_lbook_clear (bi->book);
        if (s_levels (self, bi, root, "bids", HB_SIDE_BUY) || s_levels (self, bi, root, "asks", HB_SIDE_SELL))
            root = NULL;
    }
    if (!root) {
        self->stats.snapshot_errors++;
        s_log (self, HB_LOG_WARN, "%s: snapshot failed: %s", bi->inst->symbol, self->err);
        hb_lbook_clear (bi->book);
        s_retry_later (self, bi, 1000);
        return;
    }
    bi->last_u = lid;
    bi->first_pending = true;
    bi->state = BINANCE_BOOK_SYNCED;
    //  The snapshot's own venue time: USD-M's carries T (transaction) and
    //  E (event); spot's neither (0: unknown). A replayed event is newer.
    int64_t ts_ms = 0;
    if (hb_json_has (root, "T"))
        hb_json_int (root, "T", &ts_ms, NULL, 0);
    else
    if (hb_json_has (root, "E"))
        hb_json_int (root, "E", &ts_ms, NULL, 0);
    //  Replay what was buffered while the snapshot was on its way
    size_t at = 0;
    while (at < bi->pending_len) {
        const char *raw = bi->pending + at;
        size_t raw_len = strlen (raw);
        json_t *msg = hb_json_parse (self->json_replay, raw, raw_len, self->err, sizeof self->err);
        int64_t event_ms = 0;
        s_result_t rc = msg ? s_apply (self, bi, s_data (msg), &event_ms) : S_BAD;
        if (rc != S_OLD && event_ms > ts_ms)
            ts_ms = event_ms;
        if (rc == S_GAP || rc == S_BAD) {
            //  The snapshot is older than the stream we hold (spot: U >
            //  lastUpdateId + 1), or the buffer is unusable: keep the
            //  events from here and ask again.
            if (rc == S_GAP)
                self->stats.gaps++;
            else
                self->stats.malformed++;
            s_log (self, HB_LOG_WARN, "%s: snapshot %lld does not bridge the stream: %s",
                   bi->inst->symbol, (long long) lid, self->err);
            bi->state = BINANCE_BOOK_WAIT;
            if (rc == S_GAP) {
                memmove (bi->pending, bi->pending + at, bi->pending_len - at);
                bi->pending_len -= at;
            }
            else
                bi->pending_len = 0;
            binance_update_status (self);
            s_retry_later (self, bi, 100);
            return;
        }
        if (rc == S_OLD)
            self->stats.dropped_stale++;
        at += raw_len + 1;
    }
    bi->pending_len = 0;
    self->stats.snapshots++;
    s_log (self, HB_LOG_INFO, "%s: book rebuilt from snapshot %lld (%zu bids, %zu asks)",
           bi->inst->symbol, (long long) lid, hb_lbook_depth (bi->book, HB_SIDE_BUY),
           hb_lbook_depth (bi->book, HB_SIDE_SELL));
    binance_publish_tick (self, bi, ts_ms);
    binance_update_status (self);
}

static void
s_on_snapshot (void *arg, const hb_rest_resp_t *resp)
{
    binance_inst_t *bi = (binance_inst_t *) arg;
    binance_t *self = (binance_t *) bi->owner;
    if (resp->status == 429 || resp->status == 418) {
        int64_t now = self->host->now_ns (self->host->ctx);
        int64_t wait_s = resp->retry_after_s > 0 ? resp->retry_after_s : 60;
        hb_ratelimit_pause (&self->weight, now + wait_s * 1000000000LL);
    }
    if (resp->status == 0) {
        snprintf (self->err, sizeof self->err, "%s", resp->error ? resp->error : "transport error");
        bi->snapshot_inflight = false;
        self->stats.snapshot_errors++;
        s_log (self, HB_LOG_WARN, "%s: snapshot request failed: %s", bi->inst->symbol, self->err);
        s_retry_later (self, bi, 1000);
        return;
    }
    binance_depth_snapshot (self, bi, resp->status, resp->body, resp->len);
}

void
binance_depth_request (void *arg, binance_inst_t *bi)
{
    binance_t *self = (binance_t *) arg;
    int64_t now = self->host->now_ns (self->host->ctx);
    if (!hb_ratelimit_take (&self->weight, self->snapshot_weight, now)) {
        int64_t wait = hb_ratelimit_wait_ns (&self->weight, self->snapshot_weight, now);
        s_retry_later (self, bi, wait > 0 ? wait / 1000000 + 1 : 1000);
        return;
    }
    char url [HB_PATH_MAX + 128];
    snprintf (url, sizeof url, "%s%s?symbol=%s&limit=%d", self->rest_url,
              self->market == BINANCE_SPOT ? "/api/v3/depth" : "/fapi/v1/depth", bi->vsym,
              self->depth_limit);
    if (!self->rest || hb_rest_request (self->rest, "GET", url, NULL, NULL, s_on_snapshot, bi)) {
        s_retry_later (self, bi, 1000);
        return;
    }
    bi->snapshot_inflight = true;
}

//  ---------------------------------------------------------------------------
//  Publishing

void
binance_update_status (binance_t *self)
{
    uint32_t status = 0;
    if (!self->ws || !hb_ws_connected (self->ws))
        status = HB_TICK_STALE;
    for (int i = 0; i < self->n_inst; i++)
        if (self->inst [i].state != BINANCE_BOOK_SYNCED)
            status = HB_TICK_STALE;
    if (status != self->status) {
        s_log (self, status ? HB_LOG_WARN : HB_LOG_INFO, "venue %s",
               status ? "stale: books being rebuilt" : "in sync");
        self->status = status;
        self->host->set_status (self->host->ctx, status);
    }
}

void
binance_publish_tick (binance_t *self, binance_inst_t *bi, int64_t ts_ms)
{
    hb_msg_t *msg = &self->msg;
    memset (&msg->env, 0, sizeof msg->env);
    memset (&msg->u.tick, 0, sizeof msg->u.tick);
    msg->env.type = HB_MSG_TICK;
    msg->env.ts_venue = hb_ms_to_ns (ts_ms);
    hb_tick_t *tick = &msg->u.tick;
    snprintf (tick->venue, sizeof tick->venue, "%s", self->venue->name);
    snprintf (tick->symbol, sizeof tick->symbol, "%s", bi->inst->symbol);
    hb_lbook_export (bi->book, tick, HB_BOOK_DEPTH, bi->qty_scale);
    if (bi->state != BINANCE_BOOK_SYNCED)
        tick->flags |= HB_TICK_STALE;
    //  A book ticker newer than the last diff is the truth about the touch:
    //  levels better than it are gone, and its sizes replace the book's.
    else
    if (bi->bbo_valid && bi->bbo_u > bi->last_u) {
        hb_level_t *side [2] = { tick->bids, tick->asks };
        uint8_t *count [2] = { &tick->n_bids, &tick->n_asks };
        double px [2] = { bi->bbo_bid, bi->bbo_ask };
        double qty [2] = { bi->bbo_bid_qty * bi->qty_scale, bi->bbo_ask_qty * bi->qty_scale };
        for (int s = 0; s < 2; s++) {
            int skip = 0;
            while (skip < *count [s] && (s == 0 ? side [s][skip].px >= px [s] : side [s][skip].px <= px [s]))
                skip++;
            hb_level_t levels [HB_BOOK_DEPTH];
            int n = 0;
            if (qty [s] > 0)
                levels [n++] = (hb_level_t) { px [s], qty [s] };
            for (int i = skip; i < *count [s] && n < HB_BOOK_DEPTH; i++)
                levels [n++] = side [s][i];
            memcpy (side [s], levels, (size_t) n * sizeof (hb_level_t));
            *count [s] = (uint8_t) n;
        }
    }
    for (int i = 0; i < tick->n_bids; i++)
        tick->bids [i].px *= self->px_scale;
    for (int i = 0; i < tick->n_asks; i++)
        tick->asks [i].px *= self->px_scale;
    self->host->publish (self->host->ctx, msg);
}
