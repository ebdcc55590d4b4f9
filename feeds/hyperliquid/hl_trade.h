/*  hl_trade: Hyperliquid orders, from bus orders to signed /exchange
    bodies and from the venue's answers to acks and fills. No transport:
    the plugin POSTs the bodies and hands the answers and the user
    channels' messages in, so this is tested from JSON strings too.

    An order: its instrument's coin must be known (/info meta); the
    generic checks (hb_vorder_check), then the size in coins (bus qty x
    multiplier) must have at most szDecimals decimals and the price at
    most 5 significant figures and 6 - szDecimals decimals (hl_wire):
    otherwise it is refused with the reason and nothing is signed or sent.
    A limit order is sent as such (GTC or IOC); a market order as an IOC
    limit at the touch moved by market_slippage (0.05 by default), rounded
    to a valid price on the side that does not cost more, as the official
    SDK does (Hyperliquid has no market order type).

    The client order id (cloid, 16 bytes) is the first half of the
    Keccak-256 of "hedgebus:<venue>:<client_id>": the same bus order gives
    the same cloid after a restart, so the venue refuses a resent order as
    a duplicate instead of trading twice, and a cancel finds an order by
    client id alone (cancelByCloid), even one sent before a restart.

    The /exchange body: {"action": <the action as JSON, keys in the order
    they were hashed>, "nonce": N, "signature": {"r","s","v"},
    "vaultAddress": null | "0x.."}; nonces come from hl_nonce (strictly
    increasing ms).

    Answers. The /exchange response's status per order: "resting" or
    "filled" -> accepted (with the venue's oid), "error" -> rejected with
    the venue's text (reasons mapped from it); {"status":"err"} (a bad
    signature: "User or API Wallet ... does not exist", a reused nonce) ->
    rejected. userFills (not the snapshot of past fills sent at
    subscription) -> fills (fee in USDC as USD, crossed = taker); an
    order's fills reaching its size -> done. orderUpdates: "open" accepts
    an order whose answer was lost, "canceled" (and the venue's other
    *Canceled) -> canceled with what was filled, "rejected" -> rejected.
    A fill of an order this process did not send is published external
    (HB_FILL_EXTERNAL, client id "ext-<oid>").                           */
#ifndef HL_TRADE_H
#define HL_TRADE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "hb_config.h"
#include "hb_msg.h"
#include "hl_md.h"
#include "hl_signer.h"

#define HL_TRADE_MAX_ORDERS 256
#define HL_TRADE_BODY_MAX   2048

typedef struct hl_trade_s hl_trade_t;

typedef struct {
    uint64_t orders;        //  signed and handed out to send
    uint64_t refused;       //  refused before anything was sent
    uint64_t rejected;      //  rejected by the venue
    uint64_t fills;
    uint64_t external;      //  fills of orders not ours
    uint64_t malformed;     //  answers or user messages not understood
} hl_trade_stats_t;

//  signer: the agent key (not owned; NULL: every order is refused, no
//  key); vault: 20 address bytes or NULL; slippage for market orders.
hl_trade_t *hl_trade_new (const hb_venue_cfg_t *venue, const hl_md_t *md, hl_signer_t *signer,
                          bool mainnet, const uint8_t *vault, double slippage,
                          hl_emit_fn *emit, void *arg);
void hl_trade_destroy (hl_trade_t **self_p);

//  An order at nonce: its /exchange body into body (size bytes) and a
//  handle >= 0 for the answer; or -1 when it was answered already (a
//  rejected ack published: a refusal, a duplicate client id, no key).
int hl_trade_order (hl_trade_t *self, const hb_order_t *order, uint64_t nonce,
                    char *body, size_t size);

//  The order of handle could not be sent (rate limit, too many in flight):
//  rejected with reason and text.
void hl_trade_fail (hl_trade_t *self, int handle, int reason, const char *text);

//  The /exchange answer of handle's order: HTTP status (0: transport
//  failure) and body (or the error text). 0 when the order was answered;
//  1 when it is in doubt (no answer, HTTP 5xx, not understood): it may be
//  live, and orderUpdates or its fills will tell.
int hl_trade_on_response (hl_trade_t *self, int handle, long status, const char *body);

//  Orders in doubt whose venue has not told for after_ns (since the first
//  call that saw them, or since they were last asked about): their handles
//  into out (at most max), each marked asked at now_ns; how many. The
//  plugin asks /info orderStatus for each (hl_trade_status_query) and hands
//  the answer to hl_trade_on_status.
int hl_trade_doubt_due (hl_trade_t *self, int64_t now_ns, int64_t after_ns, int *out, int max);
//  The /info {"type":"orderStatus","user":user,"oid":<cloid>} body of
//  handle's order: 0, or -1 (unknown handle, too small).
int hl_trade_status_query (hl_trade_t *self, int handle, const char *user, char *body, size_t size);
//  Its answer: "order" is taken as an orderUpdates entry (open: accepted;
//  canceled, rejected: final; filled: the fills complete it); "unknownOid"
//  rejects the order: the venue never had it. 0 resolved, 1 still in doubt
//  (asked again after after_ns), -1 malformed (counted).
int hl_trade_on_status (hl_trade_t *self, int handle, long status, const char *body);

//  A cancel at nonce: its body (cancelByCloid), 0; or -1 (logged reason
//  in *why) when the symbol is not ours, its coin unknown, or no key.
int hl_trade_cancel (hl_trade_t *self, const hb_cancel_t *cancel, uint64_t nonce,
                     char *body, size_t size, const char **why);
//  Its answer: 0, or -1 with the venue's text in why (why_size bytes).
int hl_trade_on_cancel_response (hl_trade_t *self, const hb_cancel_t *cancel, long status,
                                 const char *body, char *why, size_t why_size);

//  A user channel message (hl_md's hl_user_fn): 0, or -1 when malformed.
int hl_trade_on_user (hl_trade_t *self, const char *channel, const json_t *data, int64_t now_ns);

//  The cloid of a client id on venue.
void hl_trade_cloid (const char *venue, const char *client_id, uint8_t cloid [16]);

const hl_trade_stats_t *hl_trade_stats (const hl_trade_t *self);

#endif
