/*  cb_trade: Coinbase Advanced Trade order entry, without transport. It
    keeps the orders in flight, builds each REST request (path and JSON
    body, signed with cb_trade_sign by the plugin, which owns the secret)
    and turns the answers into bus acks and fills:
      - POST /api/v3/brokerage/orders: "success": true -> accepted (the
        venue's order_id), false -> rejected with the venue's error
        (error_response.error mapped to an hb_reject_t, message as text);
      - the authenticated "user" WebSocket channel: order updates carry
        cumulative quantity, filled value, fees and status. Each increase
        of cumulative_quantity is one fill (px = delta filled_value / delta
        quantity, fee = delta total_fees), FILLED -> done, CANCELLED /
        EXPIRED -> canceled, FAILED -> rejected.
    Liquidity is not on the user channel: a fill of a market or IOC order
    is taker; of a GTC order, maker once the venue has reported it OPEN
    (it rested), taker before. Fill ids are "<order_id>-<n>", n counting
    the fills of the order, so they are unique per venue and stable across
    a replay of the same updates.                                          */
#ifndef CB_TRADE_H
#define CB_TRADE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "cb_md.h"
#include "hb_config.h"
#include "hb_msg.h"

#define CB_TRADE_MAX_ORDERS 256         //  orders in flight
#define CB_TRADE_ORDERS_PATH "/api/v3/brokerage/orders"
#define CB_TRADE_CANCEL_PATH "/api/v3/brokerage/orders/batch_cancel"

typedef struct cb_trade_s cb_trade_t;

typedef struct {
    uint64_t orders;            //  requests built
    uint64_t rejected_local;    //  refused before reaching the venue
    uint64_t accepted;
    uint64_t rejected;          //  by the venue
    uint64_t fills;
    uint64_t updates;           //  user channel order updates
    uint64_t unknown_updates;   //  for orders we do not hold
    uint64_t bad_updates;       //  malformed
} cb_trade_stats_t;

//  md gives the product map (it must outlive the trade object).
cb_trade_t *cb_trade_new (const hb_venue_cfg_t *venue, const cb_md_t *md, cb_emit_fn *emit,
                          void *arg, int64_t started_ns);
void cb_trade_destroy (cb_trade_t **self_p);

//  An order from the bus. Returns a handle (>= 0) and writes the request
//  body (JSON, NUL-terminated) into body; the caller POSTs it to
//  CB_TRADE_ORDERS_PATH and hands the answer to cb_trade_on_response.
//  Returns -1 when the order was answered at once (a rejected ack was
//  emitted: unknown instrument, bad type or size, duplicate client id,
//  table full).
int cb_trade_order (cb_trade_t *self, const hb_order_t *order, char *body, size_t size);

//  The order of handle could not be sent (rate limit, transport refused):
//  rejects it with reason and text and frees the slot.
void cb_trade_fail (cb_trade_t *self, int slot, int reason, const char *text);

//  The answer to the POST of handle (ignored when the order has
//  already ended, e.g. on the user channel): HTTP status (0: transport failure,
//  then body is the error text) and body.
void cb_trade_on_response (cb_trade_t *self, int slot, long status, const char *body);

//  A cancel. Returns 0 and writes the batch_cancel body when the order is
//  known and has a venue id; -1 when it was answered at once (rejected,
//  unknown_order). The canceled ack comes later, from the user channel.
int cb_trade_cancel (cb_trade_t *self, const hb_cancel_t *cancel, char *body, size_t size);

//  The events array of a "user" channel message (cb_md hands it over).
//  Returns 0, or -1 when something in it was malformed (counted).
int cb_trade_on_user (cb_trade_t *self, const json_t *events, int64_t ts);

int cb_trade_inflight (const cb_trade_t *self);
const cb_trade_stats_t *cb_trade_stats (const cb_trade_t *self);

//  CB-ACCESS-SIGN: lowercase hex HMAC-SHA256 under secret of
//  timestamp + method + request_path + body (body "" for none). The same
//  over timestamp + channel + product ids joined by ',' signs a WebSocket
//  subscribe. 0, or -1 when out (>= 65 bytes) is too small.
int cb_trade_sign (const char *secret, size_t secret_len, const char *prehash,
                   char *out, size_t size);

#endif
