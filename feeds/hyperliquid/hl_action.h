/*  hl_action: Hyperliquid L1 actions, msgpack-encoded byte for byte as the
    official Python SDK encodes them (msgpack.packb of a dict: maps in
    insertion order, the smallest integer encodings, str not bin), since
    the venue hashes that encoding and a different key order or integer
    width is a different action hash, hence a signature for someone else.

      order:  {"type":"order",
               "orders":[{"a":asset,"b":isBuy,"p":"px","s":"sz","r":reduceOnly,
                          "t":{"limit":{"tif":"Gtc"|"Ioc"|"Alo"}},
                          "c":"0x<32 hex>" (only with a cloid)}, ...],
               "grouping":"na"}
      cancel: {"type":"cancel","cancels":[{"a":asset,"o":oid}, ...]}
      cancelByCloid:
              {"type":"cancelByCloid","cancels":[{"asset":asset,"cloid":"0x.."}, ...]}

    (SDK: hyperliquid/utils/signing.py order_request_to_order_wire,
    order_wires_to_order_action; exchange.py bulk_cancel,
    bulk_cancel_by_cloid.) Prices and sizes pass hl_wire's rules first: an
    order that breaks one is refused here, with the reason, and nothing is
    encoded. The JSON body sent beside the signature must carry the same
    values (the venue re-encodes what it parses).                          */
#ifndef HL_ACTION_H
#define HL_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#define HL_CLOID_SIZE       16                  //  a client order id: 128 bits
#define HL_CLOID_HEX_SIZE   (2 + 2 * HL_CLOID_SIZE + 1)     //  "0x" + hex + NUL
#define HL_ACTION_MAX_ITEMS 1000                //  orders or cancels per action

typedef enum { HL_TIF_GTC, HL_TIF_IOC, HL_TIF_ALO } hl_tif_t;

typedef struct {
    uint32_t asset;             //  index in meta's universe (perps), 10000 + index (spot)
    bool     is_buy;
    double   px;                //  limit price
    double   sz;                //  size in the coin
    bool     reduce_only;
    hl_tif_t tif;
    bool     has_cloid;
    uint8_t  cloid [HL_CLOID_SIZE];
    int      sz_decimals;       //  the asset's szDecimals (meta)
    bool     spot;              //  spot price rules (8 - szDecimals decimals)
} hl_order_t;

typedef struct {
    uint32_t asset;
    uint64_t oid;               //  the venue's order id
} hl_cancel_t;

typedef struct {
    uint32_t asset;
    uint8_t  cloid [HL_CLOID_SIZE];
} hl_cancel_cloid_t;

//  Each encoder empties out, then writes the action's msgpack into it:
//  0, or -1 with the reason in err (errsize bytes, may be NULL) when n is
//  0 or over HL_ACTION_MAX_ITEMS, or an order breaks a wire rule ("order
//  2: price 1234.56 has 6 significant figures, ..."); out is then empty.
int hl_action_order (const hl_order_t *orders, size_t n, msgpack_sbuffer *out,
                     char *err, size_t errsize);
int hl_action_cancel (const hl_cancel_t *cancels, size_t n, msgpack_sbuffer *out,
                      char *err, size_t errsize);
int hl_action_cancel_by_cloid (const hl_cancel_cloid_t *cancels, size_t n, msgpack_sbuffer *out,
                               char *err, size_t errsize);

//  The SDK's text of a cloid: "0x" and 32 lowercase hex digits.
void hl_cloid_hex (const uint8_t cloid [HL_CLOID_SIZE], char out [HL_CLOID_HEX_SIZE]);

//  Parses that text (either case, "0x" required): 0, or -1 when malformed.
int hl_cloid_parse (const char *text, uint8_t cloid [HL_CLOID_SIZE]);

//  The TIF's wire name: "Gtc", "Ioc", "Alo"; NULL when out of range.
const char *hl_tif_name (hl_tif_t tif);

#endif
