/*  binance_user: the user data stream.

    The REST answer to an order only tells what happened at once; a resting
    (GTC) order fills later, and Binance tells on the user data stream: a
    listenKey made over REST (spot POST /api/v3/userDataStream, USDⓈ-M POST
    /fapi/v1/listenKey, API key in X-MBX-APIKEY, unsigned), a WebSocket on
    <ws_url>/ws/<listenKey>, kept alive by a PUT every keepalive_s (Binance:
    the key lapses after 60 minutes without one; 30 minutes by default).
    A listenKeyExpired event, a refused keepalive or a lost connection gets
    a new key (POST again; the stream reconnects on it).

    Events: executionReport (spot) and ORDER_TRADE_UPDATE (USDⓈ-M) become
    acks and fills with the venue's commission and maker flag, through the
    per-order record that the REST answers share (binance_live.c), so
    nothing is published twice. While the stream was down nothing is
    replayed: when it is back, every order still working is looked up over
    REST (binance_order.c).                                              */
#include "binance.h"
#include "hb_log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define s_log(self, level, ...) (self)->host->log ((self)->host->ctx, level, __VA_ARGS__)

#define S_RETRY_MAX_MS  60000

//  ---------------------------------------------------------------------------
//  Life

void
binance_user_init (binance_t *self)
{
    self->listen_timer = -1;
    self->keepalive_timer = -1;
}

void
binance_user_fini (binance_t *self)
{
    hb_ws_destroy (&self->user_ws);
    if (self->listen_timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->listen_timer);
    if (self->keepalive_timer >= 0)
        self->host->timer_cancel (self->host->ctx, self->keepalive_timer);
    self->listen_timer = self->keepalive_timer = -1;
}

//  ---------------------------------------------------------------------------
//  Events

static void
s_bad (binance_t *self, const char *what)
{
    self->stats.malformed++;
    if (self->stats.malformed <= 5 || self->stats.malformed % 1000 == 0)
        s_log (self, HB_LOG_WARN, "user stream: malformed event: %s", what);
}

static void s_listen_request (binance_t *self, bool reconnect);

//  What the bus takes as an id: 1..HB_ID_MAX-1 printable ASCII bytes.
static bool
s_id_ok (const char *id)
{
    size_t len = strlen (id);
    for (size_t i = 0; i < len; i++)
        if (id [i] < 0x21 || id [i] > 0x7e)
            return false;
    return len > 0 && len < HB_ID_MAX;
}

//  An executionReport (spot, flat) or the "o" of ORDER_TRADE_UPDATE (usdm):
//  the same letters for the same things.
static void
s_on_execution (binance_t *self, const json_t *o, int64_t ts_ms)
{
    const char *vsym, *cid, *orig = "", *side, *exec, *status, *reject = "";
    int64_t order_id, trade_id = -1;
    double qty, last_qty = 0, last_px = 0, cum;
    char *err = self->err;
    size_t es = sizeof self->err;
    if (hb_json_str (o, "s", &vsym, err, es) || hb_json_str (o, "c", &cid, err, es)
    ||  hb_json_str (o, "S", &side, err, es) || hb_json_str (o, "x", &exec, err, es)
    ||  hb_json_str (o, "X", &status, err, es) || hb_json_int (o, "i", &order_id, err, es)
    ||  hb_json_num (o, "q", &qty, err, es) || hb_json_num (o, "z", &cum, err, es)) {
        s_bad (self, err);
        return;
    }
    binance_inst_t *bi = binance_inst_by_vsym (self, vsym);
    if (!bi) {
        self->stats.unknown_symbol++;
        return;
    }
    //  a cancel reports under the cancel request's id; C is the order's
    if (hb_json_has (o, "C") && hb_json_str (o, "C", &orig, NULL, 0) == 0 && *orig)
        cid = orig;
    if (!s_id_ok (cid) || !(qty >= 0 && cum >= 0)) {
        s_bad (self, "c/C not a client id, or q/z negative");
        return;
    }
    self->stats.user_events++;
    binance_live_t *live = binance_live_get (self, bi, cid, strcmp (side, "SELL") ? HB_SIDE_BUY : HB_SIDE_SELL,
                                             qty * bi->qty_scale, true);
    live->order_id = order_id;
    if (hb_json_has (o, "T"))
        hb_json_int (o, "T", &ts_ms, NULL, 0);
    bool trade = strcmp (exec, "TRADE") == 0 || strcmp (exec, "CALCULATED") == 0;
    if (trade && (hb_json_int (o, "t", &trade_id, err, es) || hb_json_num (o, "l", &last_qty, err, es)
                  || hb_json_num (o, "L", &last_px, err, es))) {
        s_bad (self, err);
        return;
    }
    if (trade && trade_id >= 0 && last_qty > 0 && last_px > 0) {
        //  once per trade id; and never past what an aggregate fill (a
        //  REST answer without a per-trade list) already published
        double uncovered = cum - live->filled;
        double eps = 1e-9 * (cum > 1 ? cum : 1);
        if (binance_trade_seen (self, bi, trade_id) || uncovered <= eps)
            self->stats.duplicate_fills++;
        else {
            double fq = last_qty < uncovered ? last_qty : uncovered;
            double commission = 0;
            const char *asset = NULL, *fee_asset;
            if (hb_json_has (o, "n"))
                hb_json_num (o, "n", &commission, NULL, 0);
            if (hb_json_has (o, "N"))
                hb_json_str (o, "N", &asset, NULL, 0);     //  null when none
            if (asset && *asset && !hb_name_valid (asset)) {
                s_bad (self, "N: not an asset name");
                return;
            }
            double fee = binance_fee (self, bi, commission, asset, last_px, &fee_asset);
            bool maker = false;
            if (hb_json_has (o, "m"))
                hb_json_bool (o, "m", &maker, NULL, 0);
            char fid [128];
            snprintf (fid, sizeof fid, "%s-t%lld", bi->vsym, (long long) trade_id);
            binance_live_fill (self, live, fid, last_px, fq, fee, fee_asset, maker ? 1 : 2, ts_ms);
        }
    }
    if (strcmp (status, "FILLED") == 0)
        binance_live_ack (self, live, HB_ACK_DONE, HB_REJ_NONE, "", cum);
    else
    if (strcmp (status, "NEW") == 0 || strcmp (status, "PARTIALLY_FILLED") == 0)
        binance_live_ack (self, live, HB_ACK_ACCEPTED, HB_REJ_NONE, cum > 0 ? status : "", cum);
    else
    if (strcmp (status, "REJECTED") == 0) {
        char text [HB_TEXT_MAX];
        if (hb_json_has (o, "r"))
            hb_json_str (o, "r", &reject, NULL, 0);
        snprintf (text, sizeof text, "binance: REJECTED %.60s", reject);
        binance_live_ack (self, live, HB_ACK_REJECTED, HB_REJ_VENUE, text, 0);
    }
    else        //  CANCELED, EXPIRED, EXPIRED_IN_MATCH (self-trade prevention)
        binance_live_ack (self, live, HB_ACK_CANCELED, HB_REJ_NONE, status, cum);
}

void
binance_user_on_message (binance_t *self, const char *text, size_t len)
{
    self->stats.user_msgs++;
    json_t *root = hb_json_parse (self->json, text, len, self->err, sizeof self->err);
    if (!root) {
        s_bad (self, self->err);
        return;
    }
    json_t *data = root;
    if (hb_json_has (root, "stream") && hb_json_has (root, "data"))
        data = json_object_get (root, "data");
    const char *type;
    int64_t ts_ms = 0;
    if (!json_is_object (data) || hb_json_str (data, "e", &type, self->err, sizeof self->err)) {
        s_bad (self, json_is_object (data) ? self->err : "not a JSON object");
        return;
    }
    if (hb_json_has (data, "E"))
        hb_json_int (data, "E", &ts_ms, NULL, 0);
    if (strcmp (type, "executionReport") == 0)
        s_on_execution (self, data, ts_ms);
    else
    if (strcmp (type, "ORDER_TRADE_UPDATE") == 0) {
        json_t *o;
        if (hb_json_obj (data, "o", &o, self->err, sizeof self->err))
            s_bad (self, self->err);
        else
            s_on_execution (self, o, ts_ms);
    }
    else
    if (strcmp (type, "listenKeyExpired") == 0) {
        s_log (self, HB_LOG_WARN, "user stream: listenKey expired: asking for a new one");
        self->listen_key [0] = 0;
        s_listen_request (self, true);
    }
    else
        self->stats.user_ignored++;     //  balances, positions, account config
}

//  ---------------------------------------------------------------------------
//  listenKey

static const char *
s_listen_path (binance_t *self)
{
    return self->market == BINANCE_SPOT ? "/api/v3/userDataStream" : "/fapi/v1/listenKey";
}

static int
s_listen_send (binance_t *self, const char *method, hb_rest_done_fn *done)
{
    char url [HB_PATH_MAX + BINANCE_KEY_MAX + 64];
    char key_header [HB_SECRET_MAX + 16];
    //  spot names the key it extends; usdm's key is the API key's one
    if (strcmp (method, "PUT") == 0 && self->market == BINANCE_SPOT)
        snprintf (url, sizeof url, "%s%s?listenKey=%s", self->rest_url, s_listen_path (self), self->listen_key);
    else
        snprintf (url, sizeof url, "%s%s", self->rest_url, s_listen_path (self));
    snprintf (key_header, sizeof key_header, "X-MBX-APIKEY: %s", hb_secret_value (self->api_key));
    const char *headers [] = { key_header, NULL };
    int64_t now = self->host->now_ns (self->host->ctx);
    if (!hb_ratelimit_take (&self->weight, 2, now))
        return -1;
    return hb_rest_request (self->rest, method, url, headers, NULL, done, self);
}

static int
s_on_listen_timer (void *arg)
{
    binance_t *self = (binance_t *) arg;
    self->listen_timer = -1;
    s_listen_request (self, self->listen_reconnect);
    return 0;
}

static void
s_listen_retry (binance_t *self, const char *why)
{
    uint64_t ms = 500ull << (self->listen_tries < 7 ? self->listen_tries : 7);
    if (ms > S_RETRY_MAX_MS)
        ms = S_RETRY_MAX_MS;
    self->listen_tries++;
    s_log (self, HB_LOG_WARN, "user stream: no listenKey (%s): again in %llu ms", why,
           (unsigned long long) ms);
    if (self->listen_timer < 0)
        self->listen_timer = self->host->timer_add (self->host->ctx, ms, 1, s_on_listen_timer, self);
}

static void
s_on_listen_key (void *arg, const hb_rest_resp_t *resp)
{
    binance_t *self = (binance_t *) arg;
    self->listen_inflight = false;
    json_t *root = resp->status == 200 ? hb_json_parse (self->json_rest, resp->body, resp->len, NULL, 0) : NULL;
    const char *key = NULL;
    if (!root || hb_json_str (root, "listenKey", &key, NULL, 0) || !*key || strlen (key) >= BINANCE_KEY_MAX
    ||  strspn (key, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != strlen (key)) {
        char why [96];
        if (resp->status)
            snprintf (why, sizeof why, "HTTP %ld%s", resp->status, resp->status == 200 ? ", unreadable" : "");
        else
            snprintf (why, sizeof why, "%.80s", resp->error ? resp->error : "no answer");
        s_listen_retry (self, why);
        return;
    }
    self->listen_tries = 0;
    self->stats.listen_keys++;
    bool changed = strcmp (key, self->listen_key) != 0;
    snprintf (self->listen_key, sizeof self->listen_key, "%s", key);
    char url [HB_PATH_MAX + BINANCE_KEY_MAX + 8];
    snprintf (url, sizeof url, "%s/ws/%s", self->ws_url, key);
    if (hb_ws_set_url (self->user_ws, url)) {
        s_log (self, HB_LOG_ERROR, "user stream: bad URL from the listenKey");
        return;
    }
    s_log (self, HB_LOG_INFO, "user stream: listenKey %s", changed ? "new" : "unchanged");
    if (!self->user_started) {
        self->user_started = hb_ws_start (self->user_ws) == 0;
        if (!self->user_started)
            s_log (self, HB_LOG_ERROR, "user stream: cannot start");
    }
    else
    if (self->listen_reconnect && (changed || hb_ws_connected (self->user_ws)))
        hb_ws_reconnect (self->user_ws, "new listenKey");
    self->listen_reconnect = false;
}

//  POST: a key (the same one while it lives, on spot). reconnect: the
//  stream moves to it even when connected (the old key is dead).
static void
s_listen_request (binance_t *self, bool reconnect)
{
    self->listen_reconnect |= reconnect;
    if (!self->user_ws || !self->rest || self->listen_inflight || self->listen_timer >= 0)
        return;                     //  no user stream (no keys, or the fuzz target)
    if (s_listen_send (self, "POST", s_on_listen_key)) {
        s_listen_retry (self, "request not sent");
        return;
    }
    self->listen_inflight = true;
}

static void
s_on_keepalive (void *arg, const hb_rest_resp_t *resp)
{
    binance_t *self = (binance_t *) arg;
    if (resp->status == 200) {
        self->stats.keepalives++;
        return;
    }
    //  -1125: the key is gone; anything else: a new key costs nothing more
    s_log (self, HB_LOG_WARN, "user stream: keepalive refused (HTTP %ld): new listenKey", resp->status);
    self->listen_key [0] = 0;
    s_listen_request (self, true);
}

static int
s_on_keepalive_timer (void *arg)
{
    binance_t *self = (binance_t *) arg;
    if (*self->listen_key && !self->listen_inflight && s_listen_send (self, "PUT", s_on_keepalive))
        s_log (self, HB_LOG_WARN, "user stream: keepalive not sent (request limits)");
    return 0;
}

//  ---------------------------------------------------------------------------
//  Connection

static void
s_on_user_msg (void *arg, const char *data, size_t len)
{
    binance_user_on_message ((binance_t *) arg, data, len);
}

static void
s_on_user_open (void *arg, const char *url)
{
    (void) url;
    binance_t *self = (binance_t *) arg;
    s_log (self, HB_LOG_INFO, "user stream up");
    if (!self->user_opened) {
        self->user_opened = true;
        return;
    }
    //  events while the stream was down are not replayed: ask
    for (int i = 0; i < BINANCE_LIVE; i++) {
        binance_live_t *live = &self->live [i];
        if (live->used && !live->final && live->status && binance_order_lookup (self, live) == 0)
            self->stats.lookups++;
    }
}

static void
s_on_user_close (void *arg, const char *reason)
{
    binance_t *self = (binance_t *) arg;
    s_log (self, HB_LOG_WARN, "user stream down (%s): renewing the listenKey", reason ? reason : "?");
    //  the stream reconnects by itself; on the key the POST gives back
    s_listen_request (self, false);
}

int
binance_user_create (binance_t *self, const hb_ws_cfg_t *market)
{
    double keepalive_s;
    const char *text = hb_venue_param (self->venue, "listen_keepalive_s");
    keepalive_s = text ? atof (text) : 1800;
    if (!(keepalive_s >= 1 && keepalive_s <= 3000)) {
        s_log (self, HB_LOG_ERROR, "params.listen_keepalive_s: '%s' is not in 1..3000 (Binance: "
               "the key lapses after 60 minutes)", text);
        return -1;
    }
    self->keepalive_ms = (uint64_t) (keepalive_s * 1000);
    if (!self->api_key)
        return 0;                   //  market data only: no user stream
    char name [64], url [HB_PATH_MAX + 16];
    snprintf (name, sizeof name, "%s.user", self->venue->name);
    snprintf (url, sizeof url, "%s/ws/none", self->ws_url);
    hb_ws_cfg_t cfg = *market;
    cfg.name = name;
    cfg.url = url;
    cfg.idle_s = 0;                 //  a quiet account sends nothing for hours
    cfg.on_msg = s_on_user_msg;
    cfg.on_open = s_on_user_open;
    cfg.on_close = s_on_user_close;
    cfg.arg = self;
    self->user_ws = hb_ws_new (self->host, &cfg);
    return self->user_ws ? 0 : -1;
}

int
binance_user_start (binance_t *self)
{
    if (!self->user_ws)
        return 0;
    self->keepalive_timer = self->host->timer_add (self->host->ctx, self->keepalive_ms, 0,
                                                   s_on_keepalive_timer, self);
    if (self->keepalive_timer < 0)
        return -1;
    s_listen_request (self, false);
    return 0;
}
