/*  hl_action: Hyperliquid L1 actions as the SDK's msgpack. See hl_action.h. */
#include "hl_action.h"

#include <stdio.h>
#include <string.h>
#include "hl_err.h"
#include "hl_hex.h"
#include "hl_wire.h"

//  msgpack-c packs into a growing sbuffer; it fails only when out of memory
static int
s_str (msgpack_packer *pk, const char *text)
{
    size_t len = strlen (text);
    return msgpack_pack_str (pk, len) || msgpack_pack_str_body (pk, text, len)? -1: 0;
}

static int
s_bool (msgpack_packer *pk, bool value)
{
    return value? msgpack_pack_true (pk): msgpack_pack_false (pk);
}

//  Empties out, checks n, packs {"type": type, list: [ (n items follow)
static int
s_head (msgpack_sbuffer *out, msgpack_packer *pk, size_t n, const char *type, const char *list,
        size_t map_size, char *err, size_t errsize)
{
    msgpack_sbuffer_clear (out);
    msgpack_packer_init (pk, out, msgpack_sbuffer_write);
    if (n == 0 || n > HL_ACTION_MAX_ITEMS) {
        hl_err (err, errsize, "%zu items in one action, 1..%d", n, HL_ACTION_MAX_ITEMS);
        return -1;
    }
    if (msgpack_pack_map (pk, map_size) || s_str (pk, "type") || s_str (pk, type)
    ||  s_str (pk, list) || msgpack_pack_array (pk, n)) {
        msgpack_sbuffer_clear (out);
        hl_err (err, errsize, "out of memory");
        return -1;
    }
    return 0;
}

static int
s_fail (msgpack_sbuffer *out, char *err, size_t errsize)
{
    msgpack_sbuffer_clear (out);
    hl_err (err, errsize, "out of memory");
    return -1;
}

const char *
hl_tif_name (hl_tif_t tif)
{
    switch (tif) {
        case HL_TIF_GTC: return "Gtc";
        case HL_TIF_IOC: return "Ioc";
        case HL_TIF_ALO: return "Alo";
    }
    return NULL;
}

void
hl_cloid_hex (const uint8_t cloid [HL_CLOID_SIZE], char out [HL_CLOID_HEX_SIZE])
{
    hl_hex_encode (cloid, HL_CLOID_SIZE, out);
}

int
hl_cloid_parse (const char *text, uint8_t cloid [HL_CLOID_SIZE])
{
    return hl_hex_decode (text, cloid, HL_CLOID_SIZE);
}

int
hl_action_order (const hl_order_t *orders, size_t n, msgpack_sbuffer *out,
                 char *err, size_t errsize)
{
    msgpack_packer pk;
    if (s_head (out, &pk, n, "order", "orders", 3, err, errsize))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const hl_order_t *o = &orders [i];
        char px [HL_WIRE_MAX], sz [HL_WIRE_MAX], why [200];
        //  a refused order empties out: nothing half-written is ever signed
        if (!hl_tif_name (o->tif)) {
            msgpack_sbuffer_clear (out);
            hl_err (err, errsize, "order %zu: time in force %d unknown", i, (int) o->tif);
            return -1;
        }
        if (hl_wire_price (o->px, o->sz_decimals, o->spot, px, why, sizeof why)
        ||  hl_wire_size (o->sz, o->sz_decimals, sz, why, sizeof why)) {
            msgpack_sbuffer_clear (out);
            hl_err (err, errsize, "order %zu (asset %u): %s", i, o->asset, why);
            return -1;
        }
        rc = msgpack_pack_map (&pk, o->has_cloid? 7: 6)
          || s_str (&pk, "a") || msgpack_pack_uint32 (&pk, o->asset)
          || s_str (&pk, "b") || s_bool (&pk, o->is_buy)
          || s_str (&pk, "p") || s_str (&pk, px)
          || s_str (&pk, "s") || s_str (&pk, sz)
          || s_str (&pk, "r") || s_bool (&pk, o->reduce_only)
          || s_str (&pk, "t") || msgpack_pack_map (&pk, 1)
          || s_str (&pk, "limit") || msgpack_pack_map (&pk, 1)
          || s_str (&pk, "tif") || s_str (&pk, hl_tif_name (o->tif));
        if (!rc && o->has_cloid) {
            char cloid [HL_CLOID_HEX_SIZE];
            hl_cloid_hex (o->cloid, cloid);
            rc = s_str (&pk, "c") || s_str (&pk, cloid);
        }
    }
    rc = rc || s_str (&pk, "grouping") || s_str (&pk, "na");
    return rc? s_fail (out, err, errsize): 0;
}

int
hl_action_cancel (const hl_cancel_t *cancels, size_t n, msgpack_sbuffer *out,
                  char *err, size_t errsize)
{
    msgpack_packer pk;
    if (s_head (out, &pk, n, "cancel", "cancels", 2, err, errsize))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++)
        rc = msgpack_pack_map (&pk, 2)
          || s_str (&pk, "a") || msgpack_pack_uint32 (&pk, cancels [i].asset)
          || s_str (&pk, "o") || msgpack_pack_uint64 (&pk, cancels [i].oid);
    return rc? s_fail (out, err, errsize): 0;
}

int
hl_action_cancel_by_cloid (const hl_cancel_cloid_t *cancels, size_t n, msgpack_sbuffer *out,
                           char *err, size_t errsize)
{
    msgpack_packer pk;
    if (s_head (out, &pk, n, "cancelByCloid", "cancels", 2, err, errsize))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        char cloid [HL_CLOID_HEX_SIZE];
        hl_cloid_hex (cancels [i].cloid, cloid);
        rc = msgpack_pack_map (&pk, 2)
          || s_str (&pk, "asset") || msgpack_pack_uint32 (&pk, cancels [i].asset)
          || s_str (&pk, "cloid") || s_str (&pk, cloid);
    }
    return rc? s_fail (out, err, errsize): 0;
}
