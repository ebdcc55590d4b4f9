/*  deribit_venue: connection life, market data, and the dispatch of every
    frame (see the header). Orders, acks and fills are in deribit_order.c;
    requests, logging and the clock, which both use, in deribit_rpc.c.     */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "deribit_venue_int.h"
#include "hb_sign.h"
#include "hb_time.h"

#define S_REQ_TIMEOUT_NS    (30 * INT64_C (1000000000))
#define S_AUTH_RETRY_NS     (10 * INT64_C (1000000000))
#define S_NS_PER_MS         INT64_C (1000000)

//  ---------------------------------------------------------------------------
//  Status and ticks

static void
s_update_status (deribit_venue_t *self)
{
    uint32_t status = 0;
    if (!self->connected)
        status = HB_TICK_OUTAGE;
    else
        for (int i = 0; i < self->n_inst; i++)
            if (!deribit_book_valid (self->inst [i].book))
                status = HB_TICK_STALE;
    if (self->status_set && status == self->status)
        return;
    self->status = status;
    self->status_set = true;
    self->host->set_status (self->host->ctx, status);
    deribit_venue_log (self, status ? HB_LOG_WARN : HB_LOG_INFO, "venue %s: %s", self->venue->name,
                       status == HB_TICK_OUTAGE ? "outage (not connected)"
                       : status ? "stale (rebuilding books)" : "healthy, every book in sync");
}

//  The tick of instrument i: the whole top of its book in hb units, with
//  the ticker's mark, underlying and iv. A stale tick carries no levels.
static void
s_publish_tick (deribit_venue_t *self, int i, int64_t ts_ms, bool stale)
{
    deribit_inst_t *inst = &self->inst [i];
    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_TICK;
    msg->env.ts_venue = hb_ms_to_ns (ts_ms);
    hb_tick_t *tick = &msg->u.tick;
    snprintf (tick->venue, sizeof tick->venue, "%s", self->venue->name);
    snprintf (tick->symbol, sizeof tick->symbol, "%s", inst->cfg->symbol);
    if (stale)
        tick->flags |= HB_TICK_STALE;
    else {
        if (!deribit_book_valid (inst->book))
            return;
        if (inst->coin_quoted && !(inst->index > 0))
            return;             //  cannot say it in USD yet: the first ticker will
        hb_lbook_export (deribit_book_levels (inst->book), tick, self->depth,
                         1.0 / inst->cfg->multiplier);
        for (int k = 0; inst->coin_quoted && k < tick->n_bids; k++)
            tick->bids [k].px *= inst->index;
        for (int k = 0; inst->coin_quoted && k < tick->n_asks; k++)
            tick->asks [k].px *= inst->index;
    }
    tick->mark = deribit_venue_usd (inst, inst->mark, 0);
    tick->underlying = inst->underlying > 0 ? inst->underlying : inst->index;
    if (inst->has_iv) {
        tick->flags |= HB_TICK_HAS_IV;
        tick->mark_iv = inst->mark_iv;
    }
    self->stats.ticks++;
    self->host->publish (self->host->ctx, msg);
}

//  ---------------------------------------------------------------------------
//  Subscriptions and authentication

//  book/ticker/trades channel names of instrument i into array.
static void
s_channels (deribit_venue_t *self, int i, json_t *array, bool book_only)
{
    char channel [128];
    snprintf (channel, sizeof channel, "book.%s.%s", self->inst [i].name, self->interval);
    json_array_append_new (array, json_string (channel));
    if (book_only)
        return;
    snprintf (channel, sizeof channel, "ticker.%s.%s", self->inst [i].name, self->interval);
    json_array_append_new (array, json_string (channel));
    snprintf (channel, sizeof channel, "trades.%s.%s", self->inst [i].name, self->interval);
    json_array_append_new (array, json_string (channel));
}

//  Unsubscribes and subscribes the book channel of i again: Deribit starts
//  a new subscription with a snapshot. Held back (poll retries) when the
//  credit budget is spent.
static void
s_resnapshot (deribit_venue_t *self, int i)
{
    deribit_inst_t *inst = &self->inst [i];
    if (!self->connected || !inst->resnap_pending)
        return;
    if (!hb_ratelimit_take (&self->credits, 2 * DERIBIT_CREDIT_COST, deribit_venue_now (self))) {
        self->stats.rate_limited++;
        return;
    }
    json_t *channels = json_array ();
    s_channels (self, i, channels, true);
    json_incref (channels);
    deribit_venue_rpc (self, DERIBIT_REQ_UNSUBSCRIBE, "public/unsubscribe",
                       json_pack ("{s:o}", "channels", channels), i, -1);
    if (deribit_venue_rpc (self, DERIBIT_REQ_RESUBSCRIBE, "public/subscribe",
                           json_pack ("{s:o}", "channels", channels), i, -1) > 0) {
        inst->resnap_pending = false;
        self->stats.resnapshots++;
        deribit_venue_log (self, HB_LOG_INFO, "%s: resubscribed for a new snapshot", inst->name);
    }
}

//  The book of i cannot be trusted: tell consumers, ask for a new one.
static void
s_book_broken (deribit_venue_t *self, int i, int64_t ts_ms)
{
    deribit_inst_t *inst = &self->inst [i];
    if (!inst->stale_sent) {
        s_publish_tick (self, i, ts_ms, true);
        inst->stale_sent = true;
    }
    s_update_status (self);
    inst->resnap_pending = true;
    s_resnapshot (self, i);
}

static void
s_auth (deribit_venue_t *self)
{
    if (!self->key || !self->connected || self->auth_in_flight)
        return;
    int64_t ts_ms = deribit_venue_now (self) / S_NS_PER_MS;
    uint8_t random [8];
    if (getentropy (random, sizeof random))
        memcpy (random, &ts_ms, sizeof random);     //  a nonce only has to be fresh
    char nonce [2 * sizeof random + 1];
    hb_sign_hex (random, sizeof random, nonce, sizeof nonce);
    //  Deribit's client_signature: HMAC-SHA256 (secret, timestamp "\n" nonce "\n" data)
    char payload [64];
    int n = snprintf (payload, sizeof payload, "%lld\n%s\n", (long long) ts_ms, nonce);
    char signature [HB_SIGN_HEX_SIZE];
    if (hb_sign_hmac_hex (hb_secret_value (self->secret), hb_secret_len (self->secret),
                          payload, (size_t) n, signature, sizeof signature)) {
        deribit_venue_log (self, HB_LOG_ERROR, "public/auth: cannot compute the signature");
        return;
    }
    json_t *params = json_pack ("{s:s, s:s, s:I, s:s, s:s, s:s}", "grant_type", "client_signature",
                                "client_id", hb_secret_value (self->key), "timestamp", (json_int_t) ts_ms,
                                "signature", signature, "nonce", nonce, "data", "");
    if (deribit_venue_rpc (self, DERIBIT_REQ_AUTH, "public/auth", params, -1, -1) > 0)
        self->auth_in_flight = true;
}

static void
s_on_auth (deribit_venue_t *self, const deribit_response_t *r)
{
    self->auth_in_flight = false;
    int64_t now = deribit_venue_now (self);
    if (r->is_error) {
        self->authenticated = false;
        self->auth_retry_ns = now + S_AUTH_RETRY_NS;
        deribit_venue_log (self, HB_LOG_ERROR, "public/auth refused: %d %s (credentials from %s)",
                           r->error_code, r->error_message, hb_secret_origin (self->key));
        return;
    }
    int64_t expires_s = 0;
    json_t *expires = json_object_get (r->result, "expires_in");
    if (json_is_integer (expires))
        expires_s = (int64_t) json_integer_value (expires);
    //  a token without a usable lifetime is renewed every 10 minutes
    if (expires_s <= 0 || expires_s > 86400 * 365)
        expires_s = 750;
    self->auth_refresh_ns = now + expires_s * 800 * S_NS_PER_MS;
    self->authenticated = true;
    self->stats.auths++;
    deribit_venue_log (self, HB_LOG_INFO, "authenticated (%s), token renewed in %lld s",
                       hb_secret_origin (self->key), (long long) (expires_s * 8 / 10));
    if (!self->private_subscribed) {
        json_t *params = json_pack ("{s:[s,s]}", "channels", "user.orders.any.any.raw",
                                    "user.trades.any.any.raw");
        if (deribit_venue_rpc (self, DERIBIT_REQ_PRIVATE_SUBSCRIBE, "private/subscribe",
                               params, -1, -1) > 0)
            self->private_subscribed = true;
    }
    //  orders whose fate the last connection took with it
    deribit_order_query_due (self);
}

//  ---------------------------------------------------------------------------
//  Frames

static void
s_on_book (deribit_venue_t *self)
{
    int i = deribit_venue_find_inst (self, self->msg.instrument);
    if (i < 0) {
        self->stats.unknown++;
        deribit_venue_complain (self, self->stats.unknown, "book of %s: not configured",
                                self->msg.instrument);
        return;
    }
    deribit_inst_t *inst = &self->inst [i];
    const deribit_book_msg_t *book = &self->msg.book;
    char err [DERIBIT_ERR_MAX];
    switch (deribit_book_apply (inst->book, book, err, sizeof err)) {
        case DERIBIT_BOOK_OK:
            if (book->snapshot) {
                self->stats.snapshots++;
                inst->stale_sent = false;
                s_update_status (self);
            }
            else
                self->stats.changes++;
            s_publish_tick (self, i, book->timestamp_ms, false);
            break;
        case DERIBIT_BOOK_IGNORED:
            self->stats.ignored++;
            break;
        case DERIBIT_BOOK_GAP:
            self->stats.gaps++;
            deribit_venue_log (self, HB_LOG_WARN, "%s: book gap (%s): resnapshot", inst->name, err);
            s_book_broken (self, i, book->timestamp_ms);
            break;
        default:
            self->stats.bad_levels++;
            self->stats.malformed++;
            deribit_venue_complain (self, self->stats.bad_levels, "%s: bad book change (%s): resnapshot",
                                    inst->name, err);
            s_book_broken (self, i, book->timestamp_ms);
            break;
    }
}

static void
s_on_ticker (deribit_venue_t *self)
{
    int i = deribit_venue_find_inst (self, self->msg.instrument);
    if (i < 0) {
        self->stats.unknown++;
        return;
    }
    deribit_inst_t *inst = &self->inst [i];
    const deribit_ticker_t *t = &self->msg.ticker;
    inst->mark = t->mark_price;
    if (t->index_price > 0)
        inst->index = t->index_price;
    inst->underlying = t->underlying_price;
    //  Deribit gives iv in percent; the bus carries a fraction
    inst->has_iv = t->has_iv && inst->cfg->kind == HB_KIND_OPTION;
    inst->mark_iv = t->mark_iv / 100.0;
    if (t->has_greeks) {
        inst->delta = t->delta;
        inst->gamma = t->gamma;
        inst->vega = t->vega;
        inst->theta = t->theta;
    }
    s_publish_tick (self, i, t->timestamp_ms, false);
}

static void
s_on_trades (deribit_venue_t *self)
{
    json_t *trades = self->msg.trades;
    for (size_t k = 0; k < json_array_size (trades); k++) {
        deribit_trade_t trade;
        char err [DERIBIT_ERR_MAX];
        if (deribit_trade_at (trades, k, &trade, err, sizeof err)) {
            self->stats.malformed++;
            deribit_venue_complain (self, self->stats.malformed, "%s: %s", self->msg.channel, err);
            continue;
        }
        int i = deribit_venue_find_inst (self, trade.instrument);
        if (i < 0) {
            self->stats.unknown++;
            continue;
        }
        deribit_inst_t *inst = &self->inst [i];
        if (trade.index_price > 0)
            inst->index = trade.index_price;
        double px = deribit_venue_usd (inst, trade.price, trade.index_price);
        if (!(px > 0))
            continue;
        hb_msg_t *msg = &self->out;
        memset (msg, 0, sizeof *msg);
        msg->env.type = HB_MSG_TRADE;
        msg->env.ts_venue = hb_ms_to_ns (trade.timestamp_ms);
        hb_trade_t *out = &msg->u.trade;
        snprintf (out->venue, sizeof out->venue, "%s", self->venue->name);
        snprintf (out->symbol, sizeof out->symbol, "%s", inst->cfg->symbol);
        snprintf (out->trade_id, sizeof out->trade_id, "%s", trade.trade_id);
        out->side = (uint8_t) trade.side;
        out->px = px;
        out->qty = trade.amount / inst->cfg->multiplier;
        self->stats.trades++;
        self->host->publish (self->host->ctx, msg);
    }
}

static void
s_on_response (deribit_venue_t *self)
{
    const deribit_response_t *r = &self->msg.response;
    deribit_req_t *slot = &self->reqs [((uint64_t) r->id) % DERIBIT_REQS];
    if (r->id <= 0 || slot->id != r->id) {
        self->stats.unknown++;
        deribit_venue_complain (self, self->stats.unknown, "response to unknown request %lld",
                                (long long) r->id);
        return;
    }
    deribit_req_t req = *slot;
    slot->id = 0;
    if (r->is_error) {
        self->stats.rpc_errors++;
        if (r->error_code == 10028) {
            //  the venue's count is the truth: stop sending for a second
            int64_t until = deribit_venue_now (self) + 1000 * S_NS_PER_MS;
            hb_ratelimit_pause (&self->credits, until);
            hb_ratelimit_pause (&self->matching, until);
        }
    }
    switch (req.kind) {
        case DERIBIT_REQ_AUTH:
            s_on_auth (self, r);
            break;
        case DERIBIT_REQ_SUBSCRIBE:
            if (r->is_error) {
                deribit_venue_log (self, HB_LOG_ERROR, "public/subscribe refused: %d %s",
                                   r->error_code, r->error_message);
                self->link.reconnect (self->link.arg, "public/subscribe refused");
            }
            else
            if ((int) json_array_size (r->result) < 3 * self->n_inst)
                deribit_venue_log (self, HB_LOG_WARN, "public/subscribe: %zu of %d channels "
                                   "subscribed (unknown instrument names?)",
                                   json_array_size (r->result), 3 * self->n_inst);
            break;
        case DERIBIT_REQ_RESUBSCRIBE:
            if (r->is_error && req.inst >= 0 && req.inst < self->n_inst) {
                self->inst [req.inst].resnap_pending = true;
                deribit_venue_log (self, HB_LOG_WARN, "%s: resubscription refused: %d %s",
                                   self->inst [req.inst].name, r->error_code, r->error_message);
            }
            break;
        case DERIBIT_REQ_SET_HEARTBEAT:
        case DERIBIT_REQ_PRIVATE_SUBSCRIBE:
            if (r->is_error)
                deribit_venue_log (self, HB_LOG_ERROR, "%s refused: %d %s",
                                   req.kind == DERIBIT_REQ_SET_HEARTBEAT ? "public/set_heartbeat"
                                                                         : "private/subscribe",
                                   r->error_code, r->error_message);
            break;
        case DERIBIT_REQ_ORDER:
        case DERIBIT_REQ_CANCEL:
        case DERIBIT_REQ_CANCEL_LABEL:
        case DERIBIT_REQ_ORDER_STATE:
        case DERIBIT_REQ_ORDER_STATE_LABEL:
        case DERIBIT_REQ_ORDER_TRADES:
            deribit_order_on_response (self, &req);
            break;
        case DERIBIT_REQ_INSTRUMENTS:
            deribit_list_on_response (self, &req);
            break;
        default:
            break;
    }
}

void
deribit_venue_on_msg (deribit_venue_t *self, const char *text, size_t len)
{
    self->stats.frames++;
    switch (deribit_msg_parse (&self->msg, self->parser, text, len)) {
        case DERIBIT_MSG_MALFORMED:
            self->stats.malformed++;
            deribit_venue_complain (self, self->stats.malformed, "malformed frame: %s", self->msg.error);
            break;
        case DERIBIT_MSG_UNKNOWN:
            self->stats.unknown++;
            deribit_venue_complain (self, self->stats.unknown, "ignored frame: %s", self->msg.error);
            break;
        case DERIBIT_MSG_RESPONSE:
            s_on_response (self);
            break;
        case DERIBIT_MSG_HEARTBEAT:
            if (self->msg.test_request) {
                self->stats.test_requests++;
                deribit_venue_rpc (self, DERIBIT_REQ_TEST, "public/test", NULL, -1, -1);
            }
            break;
        case DERIBIT_MSG_BOOK:
            s_on_book (self);
            break;
        case DERIBIT_MSG_TICKER:
            s_on_ticker (self);
            break;
        case DERIBIT_MSG_TRADES:
            s_on_trades (self);
            break;
        case DERIBIT_MSG_USER_ORDER:
            deribit_order_on_user_order (self);
            break;
        case DERIBIT_MSG_USER_TRADES:
            deribit_order_on_user_trades (self);
            break;
        default:
            break;
    }
    deribit_msg_reset (&self->msg);
}

//  ---------------------------------------------------------------------------
//  Connection

void
deribit_venue_on_open (deribit_venue_t *self)
{
    self->connected = true;
    self->authenticated = false;
    self->auth_in_flight = false;
    self->private_subscribed = false;
    self->auth_refresh_ns = 0;
    self->auth_retry_ns = 0;
    int64_t now = deribit_venue_now (self);
    //  the connection's first requests are due whatever the budget says,
    //  but they count against it
    hb_ratelimit_take (&self->credits, 3 * DERIBIT_CREDIT_COST, now);
    deribit_venue_rpc (self, DERIBIT_REQ_SET_HEARTBEAT, "public/set_heartbeat",
                       json_pack ("{s:i}", "interval", self->heartbeat_s), -1, -1);
    json_t *channels = json_array ();
    for (int i = 0; i < self->n_inst; i++) {
        deribit_book_invalidate (self->inst [i].book);
        self->inst [i].resnap_pending = false;
        s_channels (self, i, channels, false);
    }
    deribit_venue_rpc (self, DERIBIT_REQ_SUBSCRIBE, "public/subscribe",
                       json_pack ("{s:o}", "channels", channels), -1, -1);
    s_auth (self);
    deribit_list_request (self);
    s_update_status (self);
}

void
deribit_venue_on_close (deribit_venue_t *self, const char *reason)
{
    bool was = self->connected;
    self->connected = false;
    self->authenticated = false;
    self->auth_in_flight = false;
    deribit_order_on_close (self);
    memset (self->reqs, 0, sizeof self->reqs);
    int64_t now_ms = deribit_venue_now (self) / S_NS_PER_MS;
    for (int i = 0; i < self->n_inst; i++) {
        deribit_inst_t *inst = &self->inst [i];
        deribit_book_invalidate (inst->book);
        inst->resnap_pending = false;
        if (was && !inst->stale_sent) {
            s_publish_tick (self, i, now_ms, true);
            inst->stale_sent = true;
        }
    }
    if (was)
        deribit_venue_log (self, HB_LOG_WARN, "connection lost: %s", reason ? reason : "?");
    s_update_status (self);
}

void
deribit_venue_poll (deribit_venue_t *self)
{
    int64_t now = deribit_venue_now (self);
    for (int i = 0; i < self->n_inst; i++)
        if (self->inst [i].resnap_pending)
            s_resnapshot (self, i);
    if (self->key && self->connected && !self->auth_in_flight
    &&  ((!self->authenticated && now >= self->auth_retry_ns)
         || (self->authenticated && self->auth_refresh_ns && now >= self->auth_refresh_ns)))
        s_auth (self);
    if (self->authenticated)
        deribit_order_query_due (self);
    for (int k = 0; k < DERIBIT_REQS; k++) {
        deribit_req_t *req = &self->reqs [k];
        if (!req->id || now - req->sent_ns < S_REQ_TIMEOUT_NS)
            continue;
        deribit_venue_log (self, HB_LOG_WARN, "request %lld unanswered after 30 s, forgotten",
                           (long long) req->id);
        if (req->kind == DERIBIT_REQ_AUTH)
            self->auth_in_flight = false;
        if (req->kind == DERIBIT_REQ_RESUBSCRIBE && req->inst >= 0)
            self->inst [req->inst].resnap_pending = true;
        //  an order never answered: its slot goes, or it would be held
        //  forever (a late user.orders update is then ignored; executions
        //  still become fills, they need no slot)
        if (req->kind == DERIBIT_REQ_ORDER && req->order >= 0 && req->order < DERIBIT_ORDERS
        &&  self->orders [req->order].used && self->orders [req->order].gen == req->gen)
            memset (&self->orders [req->order], 0, sizeof self->orders [req->order]);
        //  a query never answered is asked again (the tries are counted)
        if ((req->kind == DERIBIT_REQ_ORDER_STATE || req->kind == DERIBIT_REQ_ORDER_STATE_LABEL
             || req->kind == DERIBIT_REQ_ORDER_TRADES)
        &&  req->order >= 0 && req->order < DERIBIT_ORDERS
        &&  self->orders [req->order].used && self->orders [req->order].gen == req->gen)
            self->orders [req->order].query_due = true;
        req->id = 0;
    }
}

//  ---------------------------------------------------------------------------
//  Construction

//  A positive integer param in [lo, hi], or def when absent. -1 when bad.
static int
s_int_param (const hb_venue_cfg_t *venue, const char *key, int def, int lo, int hi,
             int *out, char *err, size_t err_size)
{
    const char *text = hb_venue_param (venue, key);
    *out = def;
    if (!text)
        return 0;
    char *end;
    long value = strtol (text, &end, 10);
    if (*text == 0 || *end || value < lo || value > hi) {
        snprintf (err, err_size, "params.%s: '%s' is not an integer in %d..%d", key, text, lo, hi);
        return -1;
    }
    *out = (int) value;
    return 0;
}

static int
s_double_param (const hb_venue_cfg_t *venue, const char *key, double def, double *out,
                char *err, size_t err_size)
{
    const char *text = hb_venue_param (venue, key);
    *out = def;
    if (!text)
        return 0;
    char *end;
    double value = strtod (text, &end);
    if (*text == 0 || *end || !isfinite (value) || value <= 0 || value > 1e6) {
        snprintf (err, err_size, "params.%s: '%s' is not a number in (0, 1e6]", key, text);
        return -1;
    }
    *out = value;
    return 0;
}

//  Deribit name of a configured instrument: params map.<symbol>, else the
//  symbol itself, with hb's "-PERP" spelled "-PERPETUAL". Then checks that
//  the kind fits what the name says about the contract.
static int
s_map_instrument (deribit_venue_t *self, const hb_instrument_cfg_t *cfg, deribit_inst_t *inst,
                  char *err, size_t err_size)
{
    char key [HB_NAME_MAX + 8];
    snprintf (key, sizeof key, "map.%s", cfg->symbol);
    const char *mapped = hb_venue_param (self->venue, key);
    size_t len = strlen (cfg->symbol);
    if (mapped)
        snprintf (inst->name, sizeof inst->name, "%s", mapped);
    else
    if (len > 5 && strcmp (cfg->symbol + len - 5, "-PERP") == 0)
        snprintf (inst->name, sizeof inst->name, "%.*s-PERPETUAL", (int) (len - 5), cfg->symbol);
    else
        snprintf (inst->name, sizeof inst->name, "%s", cfg->symbol);
    for (const char *c = inst->name; *c; c++)
        if (!(c [0] >= 0x21 && c [0] <= 0x7e) || *c == '"' || *c == '\\' || *c == '.') {
            snprintf (err, err_size, "params.%s: '%s' is not a Deribit instrument name", key, inst->name);
            return -1;
        }
    //  Deribit's naming: a '_' names the settlement currency of a linear
    //  (USDC) contract; without one the contract is inverse (settled in
    //  the coin). Options end in -C or -P.
    bool linear = strchr (inst->name, '_') != NULL;
    len = strlen (inst->name);
    bool option = len > 2 && inst->name [len - 2] == '-'
               && (inst->name [len - 1] == 'C' || inst->name [len - 1] == 'P');
    const char *want = NULL;
    if (option && cfg->kind != HB_KIND_OPTION)
        want = "option";
    else
    if (!option && !linear && cfg->kind != HB_KIND_INVERSE_PERP)
        want = "inverse_perp (Deribit futures and perpetuals are inverse)";
    else
    if (!option && linear && cfg->kind == HB_KIND_INVERSE_PERP)
        want = "linear_perp, future or spot (a USDC contract is linear)";
    if (want) {
        snprintf (err, err_size, "instrument %s (Deribit %s): kind must be %s", cfg->symbol,
                  inst->name, want);
        return -1;
    }
    inst->coin_quoted = option && !linear;
    inst->usd_sized = cfg->kind == HB_KIND_INVERSE_PERP;
    return 0;
}

deribit_venue_t *
deribit_venue_new (const hb_host_api_t *host, const deribit_link_t *link,
                   const hb_secret_t *key, const hb_secret_t *secret, char *err, size_t err_size)
{
    if (!key != !secret) {
        snprintf (err, err_size, "API key and secret go together: give both or neither");
        return NULL;
    }
    deribit_venue_t *self = (deribit_venue_t *) calloc (1, sizeof *self);
    if (!self) {
        snprintf (err, err_size, "out of memory");
        return NULL;
    }
    self->host = host;
    self->venue = host->venue;
    self->link = *link;
    self->key = key;
    self->secret = secret;
    int max_levels;
    double order_rate, order_burst;
    const char *interval = hb_venue_param (self->venue, "interval");
    snprintf (self->interval, sizeof self->interval, "%s", interval ? interval : "100ms");
    if (strcmp (self->interval, "100ms") && strcmp (self->interval, "raw")) {
        snprintf (err, err_size, "params.interval: '%s' is not 100ms or raw", interval);
        goto fail;
    }
    if (s_int_param (self->venue, "heartbeat_s", 10, 10, 3600, &self->heartbeat_s, err, err_size)
    ||  s_int_param (self->venue, "depth", HB_BOOK_DEPTH, 1, HB_BOOK_DEPTH, &self->depth, err, err_size)
    ||  s_int_param (self->venue, "max_levels", 5000, 1, 1000000, &max_levels, err, err_size)
    ||  s_double_param (self->venue, "order_rate", 5, &order_rate, err, err_size)
    ||  s_double_param (self->venue, "order_burst", 20, &order_burst, err, err_size))
        goto fail;
    int64_t now = deribit_venue_now (self);
    hb_ratelimit_init (&self->credits, DERIBIT_CREDIT_REFILL, DERIBIT_CREDIT_POOL, now);
    hb_ratelimit_init (&self->matching, order_rate, order_burst, now);
    self->parser = hb_json_new (0, 0);
    if (!self->parser) {
        snprintf (err, err_size, "out of memory");
        goto fail;
    }
    self->inst = (deribit_inst_t *) calloc ((size_t) (self->venue->n_instruments > 0
                                                      ? self->venue->n_instruments : 1), sizeof *self->inst);
    if (!self->inst) {
        snprintf (err, err_size, "out of memory");
        goto fail;
    }
    self->n_inst = self->venue->n_instruments;
    for (int i = 0; i < self->n_inst; i++) {
        deribit_inst_t *inst = &self->inst [i];
        inst->cfg = &self->venue->instruments [i];
        if (s_map_instrument (self, inst->cfg, inst, err, err_size))
            goto fail;
        if (deribit_venue_find_inst (self, inst->name) != i) {
            snprintf (err, err_size, "instrument %s: Deribit %s is mapped twice", inst->cfg->symbol,
                      inst->name);
            goto fail;
        }
        inst->book = deribit_book_new ((size_t) max_levels);
        if (!inst->book) {
            snprintf (err, err_size, "out of memory");
            goto fail;
        }
    }
    return self;
fail:
    deribit_venue_destroy (&self);
    return NULL;
}

void
deribit_venue_destroy (deribit_venue_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    deribit_venue_t *self = *self_p;
    for (int i = 0; self->inst && i < self->n_inst; i++)
        deribit_book_destroy (&self->inst [i].book);
    free (self->inst);
    deribit_list_destroy (self);
    deribit_msg_reset (&self->msg);
    hb_json_destroy (&self->parser);
    free (self);
    *self_p = NULL;
}

void
deribit_venue_stats (const deribit_venue_t *self, deribit_stats_t *stats)
{
    *stats = self->stats;
}

const deribit_book_t *
deribit_venue_book (const deribit_venue_t *self, const char *symbol)
{
    for (int i = 0; i < self->n_inst; i++)
        if (strcmp (self->inst [i].cfg->symbol, symbol) == 0)
            return self->inst [i].book;
    return NULL;
}

const char *
deribit_venue_instrument (const deribit_venue_t *self, const char *symbol)
{
    for (int i = 0; i < self->n_inst; i++)
        if (strcmp (self->inst [i].cfg->symbol, symbol) == 0)
            return self->inst [i].name;
    return NULL;
}

uint32_t
deribit_venue_status (const deribit_venue_t *self)
{
    return self->status;
}
