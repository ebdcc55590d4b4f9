/*  binance: Binance spot and USDⓈ-M perpetual market data and orders.

    Market data comes from one combined-stream WebSocket per venue
    (<ws_url>/stream?streams=<sym>@depth@100ms/<sym>@bookTicker/<sym>@trade
    for every configured instrument; aggTrade on usdm). Books follow
    Binance's documented local-book procedure (binance_depth.c), which also
    publishes the ticks and the venue status; trades and book tickers are
    normalized here. Orders go over the signed REST API
    (binance_order.c), their later fills from the user data stream
    (binance_user.c). Everything runs on the host's reactor: the socket
    through hb_ws, REST through hb_rest.

    Status: HB_TICK_STALE while the stream is down or any book is being
    rebuilt; 0 when every book is in sync. feeds/binance/README.md has the
    params and the normalization.                                          */
#include "binance.h"
#include "hb_log.h"
#include "hb_time.h"
#include "hb_tls.h"
#include "hb_vhost.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define s_log(self, level, ...) (self)->host->log ((self)->host->ctx, level, __VA_ARGS__)

//  ---------------------------------------------------------------------------
//  Config

static const char *
s_param (binance_t *self, const char *key, const char *dflt)
{
    const char *value = hb_venue_param (self->venue, key);
    return value ? value : dflt;
}

//  A number param within [lo, hi]; -1 (logged) when it is not.
static int
s_param_num (binance_t *self, const char *key, double dflt, double lo, double hi, double *out)
{
    const char *text = hb_venue_param (self->venue, key);
    if (!text) {
        *out = dflt;
        return 0;
    }
    if (hb_json_decimal (text, strlen (text), out) || *out < lo || *out > hi) {
        s_log (self, HB_LOG_ERROR, "params.%s: '%s' is not a number in %g..%g", key, text, lo, hi);
        return -1;
    }
    return 0;
}

//  Decimals needed to write multiples of step exactly (0.0001 -> 4).
static int
s_decimals (double step)
{
    for (int dp = 0; dp < 12; dp++) {
        double scaled = step * pow (10, dp);
        if (fabs (scaled - round (scaled)) < 1e-9 * (scaled > 1 ? scaled : 1))
            return dp;
    }
    return 12;
}

//  The venue symbol of inst: from params.venue_symbols ("BTC-USD:BTCUSDT,
//  ETH-PERP:ETHUSDT"), else <ASSET><quote>.
static int
s_venue_symbol (binance_t *self, binance_inst_t *bi, const char *quote)
{
    const char *map = s_param (self, "venue_symbols", "");
    size_t symlen = strlen (bi->inst->symbol);
    for (const char *p = map; *p; ) {
        const char *comma = strchr (p, ',');
        size_t len = comma ? (size_t) (comma - p) : strlen (p);
        const char *colon = memchr (p, ':', len);
        if (colon && (size_t) (colon - p) == symlen && memcmp (p, bi->inst->symbol, symlen) == 0) {
            size_t vlen = len - symlen - 1;
            if (vlen == 0 || vlen >= sizeof bi->vsym)
                return -1;
            memcpy (bi->vsym, colon + 1, vlen);
            bi->vsym [vlen] = 0;
            goto have;
        }
        p += len + (comma ? 1 : 0);
    }
    {
        const char *asset = self->host->config->assets [bi->inst->asset].name;
        int n = snprintf (bi->vsym, sizeof bi->vsym, "%s%s", asset, quote);
        if (n < 0 || (size_t) n >= sizeof bi->vsym)
            return -1;
    }
have:
    for (size_t i = 0; bi->vsym [i]; i++) {
        if (!isalnum ((unsigned char) bi->vsym [i]))
            return -1;
        bi->vsym [i] = (char) toupper ((unsigned char) bi->vsym [i]);
        bi->stream [i] = (char) tolower ((unsigned char) bi->vsym [i]);
        bi->stream [i + 1] = 0;
    }
    return 0;
}

static int
s_configure (binance_t *self)
{
    const char *market = s_param (self, "market", "spot");
    if (strcmp (market, "spot") == 0)
        self->market = BINANCE_SPOT;
    else
    if (strcmp (market, "usdm") == 0)
        self->market = BINANCE_USDM;
    else {
        s_log (self, HB_LOG_ERROR, "params.market: '%s' is not spot or usdm", market);
        return -1;
    }
    bool spot = self->market == BINANCE_SPOT;
    snprintf (self->ws_url, sizeof self->ws_url, "%s",
              s_param (self, "ws_url", spot ? "wss://stream.binance.com:9443" : "wss://fstream.binance.com"));
    snprintf (self->rest_url, sizeof self->rest_url, "%s",
              s_param (self, "rest_url", spot ? "https://api.binance.com" : "https://fapi.binance.com"));
    size_t n = strlen (self->ws_url);
    if (n && self->ws_url [n - 1] == '/')
        self->ws_url [n - 1] = 0;
    n = strlen (self->rest_url);
    if (n && self->rest_url [n - 1] == '/')
        self->rest_url [n - 1] = 0;
    snprintf (self->depth_speed, sizeof self->depth_speed, "%s", s_param (self, "depth_speed", "100ms"));
    if (*self->depth_speed && strcmp (self->depth_speed, "100ms") && strcmp (self->depth_speed, "250ms")
    &&  strcmp (self->depth_speed, "500ms") && strcmp (self->depth_speed, "1000ms")) {
        s_log (self, HB_LOG_ERROR, "params.depth_speed: '%s' is not 100ms, 250ms, 500ms, 1000ms or \"\"",
               self->depth_speed);
        return -1;
    }
    double depth, recv_window, weight_min, orders_10s;
    if (s_param_num (self, "depth_limit", 1000, 5, 5000, &depth)
    ||  s_param_num (self, "recv_window", 5000, 1, 60000, &recv_window)
    ||  s_param_num (self, "quote_usd", 1.0, 1e-6, 1e6, &self->px_scale)
    ||  s_param_num (self, "weight_per_min", spot ? 6000 : 2400, 1, 1e6, &weight_min)
    ||  s_param_num (self, "orders_per_10s", spot ? 100 : 300, 1, 1e6, &orders_10s))
        return -1;
    self->depth_limit = (int) depth;
    self->recv_window = (int64_t) recv_window;
    //  Documented weights of GET depth by limit (spot / usdm)
    int lim = self->depth_limit;
    self->snapshot_weight = spot ? (lim <= 100 ? 5 : lim <= 500 ? 25 : lim <= 1000 ? 50 : 250)
                                 : (lim <= 50 ? 2 : lim <= 100 ? 5 : lim <= 500 ? 10 : 20);
    int64_t now = self->host->now_ns (self->host->ctx);
    hb_ratelimit_init (&self->weight, weight_min / 60.0, weight_min, now);
    hb_ratelimit_init (&self->order_rate, orders_10s / 10.0, orders_10s, now);

    const char *quote = s_param (self, "quote", "USDT");
    self->inst = (binance_inst_t *) calloc ((size_t) (self->venue->n_instruments > 0
                                                      ? self->venue->n_instruments : 1), sizeof *self->inst);
    if (!self->inst) {
        s_log (self, HB_LOG_ERROR, "out of memory for %d instruments", self->venue->n_instruments);
        return -1;
    }
    for (int i = 0; i < self->venue->n_instruments; i++) {
        binance_inst_t *bi = &self->inst [i];
        bi->owner = self;
        bi->inst = &self->venue->instruments [i];
        bi->snapshot_timer = -1;
        hb_kind_t kind = bi->inst->kind;
        if ((spot && kind != HB_KIND_SPOT) || (!spot && kind != HB_KIND_LINEAR_PERP)) {
            s_log (self, HB_LOG_ERROR, "instrument %s: kind %d is not traded on Binance %s "
                   "(spot: spot; usdm: linear_perp)", bi->inst->symbol, (int) kind, market);
            return -1;
        }
        if (s_venue_symbol (self, bi, quote)) {
            s_log (self, HB_LOG_ERROR, "instrument %s: no valid Binance symbol (params.venue_symbols)",
                   bi->inst->symbol);
            return -1;
        }
        bi->price_dp = s_decimals (bi->inst->tick_size);
        bi->qty_dp = s_decimals (bi->inst->lot_size * bi->inst->multiplier);
        bi->qty_scale = 1.0 / (bi->inst->multiplier > 0 ? bi->inst->multiplier : 1);
        if (binance_depth_init (self, bi))
            return -1;
        self->n_inst = i + 1;
    }
    //  Keys are optional: without them the venue is market data only.
    bool want_keys = hb_venue_param (self->venue, "api_key_file") || hb_venue_param (self->venue, "api_key_env")
                  || hb_venue_param (self->venue, "api_key") || hb_venue_param (self->venue, "api_secret")
                  || hb_venue_param (self->venue, "api_secret_file")
                  || hb_venue_param (self->venue, "api_secret_env");
    if (want_keys) {
        self->api_key = hb_secret_load (self->venue, "api_key", self->err, sizeof self->err);
        if (self->api_key)
            self->api_secret = hb_secret_load (self->venue, "api_secret", self->err, sizeof self->err);
        if (!self->api_key || !self->api_secret) {
            s_log (self, HB_LOG_ERROR, "%s", self->err);
            return -1;
        }
        s_log (self, HB_LOG_INFO, "API key from %s, secret from %s",
               hb_secret_origin (self->api_key), hb_secret_origin (self->api_secret));
    }
    else
        s_log (self, HB_LOG_WARN, "no api_key_file/_env and api_secret_file/_env: orders will be rejected");
    return 0;
}

//  ---------------------------------------------------------------------------
//  Stream messages

static void
s_malformed (binance_t *self, const char *what)
{
    self->stats.malformed++;
    //  The first few in full, then one in a thousand: a venue sending
    //  garbage must not flood the log.
    if (self->stats.malformed <= 5 || self->stats.malformed % 1000 == 0)
        s_log (self, HB_LOG_WARN, "malformed message #%llu: %s",
               (unsigned long long) self->stats.malformed, what);
}

static void
s_on_ticker (binance_t *self, binance_inst_t *bi, const json_t *data)
{
    int64_t u, ts_ms = 0;
    double b, bq, a, aq;
    if (hb_json_int (data, "u", &u, self->err, sizeof self->err)
    ||  hb_json_num (data, "b", &b, self->err, sizeof self->err)
    ||  hb_json_num (data, "B", &bq, self->err, sizeof self->err)
    ||  hb_json_num (data, "a", &a, self->err, sizeof self->err)
    ||  hb_json_num (data, "A", &aq, self->err, sizeof self->err)) {
        s_malformed (self, self->err);
        return;
    }
    if (!(b >= 0 && bq >= 0 && a >= 0 && aq >= 0)) {
        s_malformed (self, "bookTicker: negative price or size");
        return;
    }
    if (hb_json_has (data, "E"))
        hb_json_int (data, "E", &ts_ms, NULL, 0);
    self->stats.tickers++;
    if (bi->bbo_valid && u < bi->bbo_u)
        return;                     //  out of order
    bi->bbo_valid = true;
    bi->bbo_u = u;
    bi->bbo_bid = b;
    bi->bbo_bid_qty = b > 0 ? bq : 0;
    bi->bbo_ask = a;
    bi->bbo_ask_qty = a > 0 ? aq : 0;
    if (bi->state == BINANCE_BOOK_SYNCED && u > bi->last_u)
        binance_publish_tick (self, bi, ts_ms);
}

static void
s_on_trade (binance_t *self, binance_inst_t *bi, const json_t *data, const char *id_key)
{
    int64_t id, ts_ms;
    double px, qty;
    bool maker;
    if (hb_json_int (data, id_key, &id, self->err, sizeof self->err)
    ||  hb_json_num (data, "p", &px, self->err, sizeof self->err)
    ||  hb_json_num (data, "q", &qty, self->err, sizeof self->err)
    ||  hb_json_int (data, "T", &ts_ms, self->err, sizeof self->err)
    ||  hb_json_bool (data, "m", &maker, self->err, sizeof self->err)) {
        s_malformed (self, self->err);
        return;
    }
    if (!(px > 0 && qty > 0)) {
        s_malformed (self, "trade: price and size must be > 0");
        return;
    }
    self->stats.trades++;
    hb_msg_t *msg = &self->msg;
    memset (&msg->env, 0, sizeof msg->env);
    memset (&msg->u.trade, 0, sizeof msg->u.trade);
    msg->env.type = HB_MSG_TRADE;
    msg->env.ts_venue = hb_ms_to_ns (ts_ms);
    hb_trade_t *trade = &msg->u.trade;
    snprintf (trade->venue, sizeof trade->venue, "%s", self->venue->name);
    snprintf (trade->symbol, sizeof trade->symbol, "%s", bi->inst->symbol);
    snprintf (trade->trade_id, sizeof trade->trade_id, "%s%lld", id_key [0] == 'a' ? "a" : "",
              (long long) id);
    //  m: the buyer was the maker, so the seller took liquidity
    trade->side = maker ? HB_SIDE_SELL : HB_SIDE_BUY;
    trade->px = px * self->px_scale;
    trade->qty = qty * bi->qty_scale;
    self->host->publish (self->host->ctx, msg);
}

void
binance_on_message (binance_t *self, const char *text, size_t len)
{
    self->stats.msgs++;
    json_t *root = hb_json_parse (self->json, text, len, self->err, sizeof self->err);
    if (!root) {
        s_malformed (self, self->err);
        return;
    }
    //  Combined streams wrap each event: {"stream": "...", "data": {...}}
    const json_t *data = root;
    if (hb_json_has (root, "stream") && hb_json_has (root, "data")) {
        json_t *inner;
        if (hb_json_obj (root, "data", &inner, self->err, sizeof self->err)) {
            s_malformed (self, self->err);
            return;
        }
        data = inner;
    }
    if (!json_is_object (data)) {
        s_malformed (self, "not a JSON object");
        return;
    }
    //  The bookTicker event of spot has no "e"; the usdm one has
    const char *type = NULL;
    if (hb_json_has (data, "e")) {
        if (hb_json_str (data, "e", &type, self->err, sizeof self->err)) {
            s_malformed (self, self->err);
            return;
        }
    }
    else
    if (hb_json_has (data, "u") && hb_json_has (data, "b") && hb_json_has (data, "A"))
        type = "bookTicker";
    else
    if (hb_json_has (data, "id") || hb_json_has (data, "result")) {
        self->stats.control++;      //  an answer to a (un)subscribe
        return;
    }
    if (!type) {
        self->stats.unknown++;
        return;
    }
    bool depth = strcmp (type, "depthUpdate") == 0;
    bool ticker = strcmp (type, "bookTicker") == 0;
    bool trade = strcmp (type, "trade") == 0;
    bool agg = strcmp (type, "aggTrade") == 0;
    if (!depth && !ticker && !trade && !agg) {
        self->stats.unknown++;
        if (self->stats.unknown <= 5)
            s_log (self, HB_LOG_INFO, "ignoring event type '%.40s'", type);
        return;
    }
    const char *vsym;
    if (hb_json_str (data, "s", &vsym, self->err, sizeof self->err)) {
        s_malformed (self, self->err);
        return;
    }
    binance_inst_t *bi = binance_inst_by_vsym (self, vsym);
    if (!bi) {
        self->stats.unknown_symbol++;
        return;
    }
    if (depth) {
        self->stats.depth++;
        binance_depth_event (self, bi, data, text, len);
    }
    else
    if (ticker)
        s_on_ticker (self, bi, data);
    else
        s_on_trade (self, bi, data, agg ? "a" : "t");
}

//  ---------------------------------------------------------------------------
//  Connection

static void
s_on_ws_msg (void *arg, const char *data, size_t len)
{
    binance_on_message ((binance_t *) arg, data, len);
}

static void
s_on_ws_open (void *arg, const char *url)
{
    (void) url;
    binance_t *self = (binance_t *) arg;
    //  A new connection knows nothing of what the last one sent: every
    //  book is rebuilt from a fresh snapshot.
    binance_depth_reset_all (self, "new connection");
}

static void
s_on_ws_close (void *arg, const char *reason)
{
    binance_t *self = (binance_t *) arg;
    (void) reason;
    for (int i = 0; i < self->n_inst; i++)
        if (self->inst [i].state == BINANCE_BOOK_SYNCED) {
            self->inst [i].state = BINANCE_BOOK_IDLE;
            binance_publish_tick (self, &self->inst [i], 0);   //  flagged stale
        }
        else
            self->inst [i].state = BINANCE_BOOK_IDLE;
    binance_update_status (self);
}

static int
s_stream_url (binance_t *self, char *url, size_t size)
{
    bool spot = self->market == BINANCE_SPOT;
    int n = snprintf (url, size, "%s/stream?streams=", self->ws_url);
    for (int i = 0; i < self->n_inst && n > 0 && (size_t) n < size; i++) {
        const char *s = self->inst [i].stream;
        n += snprintf (url + n, size - (size_t) n, "%s%s@depth%s%s/%s@bookTicker/%s@%s",
                       i ? "/" : "", s, *self->depth_speed ? "@" : "", self->depth_speed,
                       s, s, spot ? "trade" : "aggTrade");
    }
    return n > 0 && (size_t) n < size ? 0 : -1;
}

binance_t *
binance_new (const hb_host_api_t *host)
{
    binance_t *self = (binance_t *) hb_vhost_alloc (host, sizeof *self);
    if (!self)
        return NULL;
    self->host = host;
    self->venue = host->venue;
    self->started_ns = host->now_ns (host->ctx);
    self->snapshot_fn = binance_depth_request;
    self->list_timer = -1;
    binance_user_init (self);
    self->json = hb_json_new (256 * 1024, 0);
    self->json_rest = hb_json_new (1024 * 1024, 0);
    self->json_replay = hb_json_new (64 * 1024, 0);
    if (!self->json || !self->json_rest || !self->json_replay || binance_live_init (self)
    ||  s_configure (self) || binance_orders_init (self)) {
        binance_destroy (&self);
        return NULL;
    }
    return self;
}

void
binance_destroy (binance_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    binance_t *self = *self_p;
    hb_ws_destroy (&self->ws);
    binance_user_fini (self);
    hb_rest_destroy (&self->rest);
    binance_orders_fini (self);
    binance_live_fini (self);
    for (int i = 0; i < self->n_inst; i++)
        binance_depth_fini (self, &self->inst [i]);
    free (self->inst);
    hb_json_destroy (&self->json);
    hb_json_destroy (&self->json_rest);
    hb_json_destroy (&self->json_replay);
    hb_secret_destroy (&self->api_key);
    hb_secret_destroy (&self->api_secret);
    free (self);
    *self_p = NULL;
}

//  ---------------------------------------------------------------------------
//  Plugin ops

static void *
s_create (const hb_host_api_t *host)
{
    binance_t *self = binance_new (host);
    if (!self)
        return NULL;
    hb_tls_params_t tls;
    char err [512];
    if (hb_tls_params (self->venue, &tls, err, sizeof err)) {
        s_log (self, HB_LOG_ERROR, "%s", err);
        binance_destroy (&self);
        return NULL;
    }
    bool insecure = tls.insecure;
    const char *ca_file = tls.ca_file;
    double base_ms, max_ms, ping_s, idle_s;
    if (s_param_num (self, "backoff_base_ms", 500, 1, 600000, &base_ms)
    ||  s_param_num (self, "backoff_max_ms", 30000, 1, 3600000, &max_ms)
    ||  s_param_num (self, "ping_s", 20, 1, 600, &ping_s)
    ||  s_param_num (self, "idle_s", 0, 0, 3600, &idle_s)) {
        binance_destroy (&self);
        return NULL;
    }
    char url [4096];
    if (s_stream_url (self, url, sizeof url)) {
        s_log (self, HB_LOG_ERROR, "too many instruments for one stream URL");
        binance_destroy (&self);
        return NULL;
    }
    char name [64];
    snprintf (name, sizeof name, "%s.ws", self->venue->name);
    hb_ws_cfg_t ws_cfg = {
        .name = name, .url = url, .ca_file = ca_file, .insecure = insecure,
        .backoff_base_ms = (uint64_t) base_ms, .backoff_max_ms = (uint64_t) max_ms,
        .ping_s = (uint32_t) ping_s, .idle_s = (uint32_t) idle_s,
        .on_msg = s_on_ws_msg, .on_open = s_on_ws_open, .on_close = s_on_ws_close, .arg = self
    };
    snprintf (name + strlen (self->venue->name), sizeof name - strlen (self->venue->name), ".rest");
    hb_rest_cfg_t rest_cfg = { .name = name, .ca_file = ca_file, .insecure = insecure,
                               .max_inflight = 16 };
    self->rest = hb_rest_new (host, &rest_cfg);
    snprintf (name, sizeof name, "%s.ws", self->venue->name);
    self->ws = self->rest ? hb_ws_new (host, &ws_cfg) : NULL;
    if (!self->ws || binance_user_create (self, &ws_cfg)) {
        binance_destroy (&self);
        return NULL;
    }
    return self;
}

static int
s_start (void *arg)
{
    binance_t *self = (binance_t *) arg;
    self->status = HB_TICK_STALE;
    self->host->set_status (self->host->ctx, HB_TICK_STALE);
    if (binance_user_start (self) || binance_list_start (self))
        return -1;
    return hb_ws_start (self->ws);
}

static int
s_order (void *arg, const hb_order_t *order)
{
    return binance_order ((binance_t *) arg, order);
}

static int
s_cancel (void *arg, const hb_cancel_t *cancel)
{
    return binance_cancel ((binance_t *) arg, cancel);
}

static void
s_destroy (void **self_p)
{
    binance_t *self = (binance_t *) *self_p;
    if (self)
        binance_list_stop (self);
    if (self) {
        s_log (self, HB_LOG_INFO, "stats: msgs %llu depth %llu tickers %llu trades %llu malformed %llu "
               "unknown %llu gaps %llu crossed %llu snapshots %llu orders %llu rejects %llu fills %llu",
               (unsigned long long) self->stats.msgs, (unsigned long long) self->stats.depth,
               (unsigned long long) self->stats.tickers, (unsigned long long) self->stats.trades,
               (unsigned long long) self->stats.malformed, (unsigned long long) self->stats.unknown,
               (unsigned long long) self->stats.gaps, (unsigned long long) self->stats.crossed,
               (unsigned long long) self->stats.snapshots, (unsigned long long) self->stats.orders,
               (unsigned long long) self->stats.rejects, (unsigned long long) self->stats.fills);
        s_log (self, HB_LOG_INFO, "user stream: msgs %llu events %llu duplicate fills %llu listenKeys %llu "
               "keepalives %llu lookups %llu", (unsigned long long) self->stats.user_msgs,
               (unsigned long long) self->stats.user_events, (unsigned long long) self->stats.duplicate_fills,
               (unsigned long long) self->stats.listen_keys, (unsigned long long) self->stats.keepalives,
               (unsigned long long) self->stats.lookups);
    }
    binance_destroy (&self);
    *self_p = NULL;
}

//  fills of orders this host did not send us are marked external
const hb_venue_ops_t hb_venue_plugin = HB_VHOST_OPS ("binance",
    "Binance spot / USDⓈ-M perpetuals: depth, book ticker, trades; signed REST orders, user data stream",
    HB_VENUE_FEAT_FILL_FLAGS);
