/*  okx_trade: OKX v5 order entry without transport. It keeps the orders in
    flight, builds the REST bodies (the plugin signs and sends them) and
    turns the answers into bus acks and fills:
      - POST /api/v5/trade/order: code "0" and data[0].sCode "0" ->
        accepted (ordId); otherwise rejected, the sCode mapped to an
        hb_reject_t and sMsg as the text;
      - the private WebSocket "orders" channel (after a login): one push
        per fill with fillSz, fillPx, tradeId, fillFee (negative when
        charged), fillFeeCcy and execType (T taker, M maker), and the
        order state: filled -> done, canceled / mmp_canceled -> canceled.
    OKX client order ids are 1..32 letters and digits: the bus client id is
    mapped to "hb" + 16 hex digits of its FNV-1a hash (stable, so a resent
    order keeps its id); fill ids are "<tradeId>-<ordId>", unique even when
    both sides of a trade are ours.                                        */
#ifndef OKX_TRADE_H
#define OKX_TRADE_H

#include <stddef.h>
#include <stdint.h>
#include "hb_config.h"
#include "hb_msg.h"
#include "okx_md.h"

#define OKX_TRADE_MAX_ORDERS 256
#define OKX_TRADE_ORDER_PATH  "/api/v5/trade/order"
#define OKX_TRADE_CANCEL_PATH "/api/v5/trade/cancel-order"

typedef struct okx_trade_s okx_trade_t;

typedef struct {
    uint64_t orders;
    uint64_t rejected_local;
    uint64_t accepted;
    uint64_t rejected;
    uint64_t fills;
    uint64_t pushes;            //  orders channel entries
    uint64_t unknown_pushes;    //  for orders we do not hold
    uint64_t bad_pushes;        //  malformed private messages
    uint64_t logins;            //  successful logins
    uint64_t login_errors;
} okx_trade_stats_t;

typedef enum {
    OKX_PRIV_OK = 0,
    OKX_PRIV_LOGGED_IN = 1,     //  login accepted: subscribe the orders channel now
    OKX_PRIV_BAD = -1           //  malformed, unknown or a venue error (see okx_trade_error)
} okx_priv_result_t;

//  md gives the instrument map and units (it must outlive this object).
//  td_mode is OKX's trade mode for derivatives ("cross" or "isolated");
//  spot always trades "cash".
okx_trade_t *okx_trade_new (const hb_venue_cfg_t *venue, const okx_md_t *md, okx_emit_fn *emit,
                            void *arg, const char *td_mode);
void okx_trade_destroy (okx_trade_t **self_p);

//  An order from the bus: a handle (>= 0) and the JSON body for
//  OKX_TRADE_ORDER_PATH, or -1 when it was rejected at once (ack emitted).
int okx_trade_order (okx_trade_t *self, const hb_order_t *order, char *body, size_t size);
//  The order of handle could not be sent: rejected with reason and text.
void okx_trade_fail (okx_trade_t *self, int handle, int reason, const char *text);
//  The answer to the POST of handle (status 0: transport failure, body
//  the error text). Ignored when the order has already ended.
void okx_trade_on_response (okx_trade_t *self, int handle, long status, const char *body);

//  A cancel: 0 and the body for OKX_TRADE_CANCEL_PATH, or -1 when answered
//  at once (rejected, unknown_order). The canceled ack comes from the
//  orders channel.
int okx_trade_cancel (okx_trade_t *self, const hb_cancel_t *cancel, char *body, size_t size);

//  One frame of the private connection.
okx_priv_result_t okx_trade_on_private (okx_trade_t *self, const char *data, size_t size);
const char *okx_trade_error (const okx_trade_t *self);

//  The OKX client order id of a bus client id (33 bytes incl. NUL).
void okx_trade_cl_ord_id (const char *client_id, char out [33]);

//  base64 HMAC-SHA256 under secret of prehash (OK-ACCESS-SIGN, and the
//  login's sign over timestamp + "GET" + "/users/self/verify"). 0 or -1.
int okx_trade_sign (const char *secret, size_t secret_len, const char *prehash,
                    char *out, size_t size);

int okx_trade_inflight (const okx_trade_t *self);
const okx_trade_stats_t *okx_trade_stats (const okx_trade_t *self);

#endif
