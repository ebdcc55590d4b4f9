/*  hb_mpscan: see hb_mpscan.h. The walk keeps, per depth, the number of
    objects still to read, so it needs no recursion and no allocation.     */
#include "hb_mpscan.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

//  Reads an n-byte big-endian unsigned at data[*pos], or returns false when
//  the input ends first.
static bool
s_read_be (const uint8_t *data, size_t size, size_t *pos, int bytes, uint64_t *value)
{
    if ((size_t) bytes > size - *pos)
        return false;
    uint64_t result = 0;
    for (int i = 0; i < bytes; i++)
        result = (result << 8) | data [(*pos)++];
    *value = result;
    return true;
}

//  Classifies the msgpack header byte at data[*pos] (known to be there) and
//  moves past the header. *skip: payload bytes that follow; *items: child
//  objects (a map entry counts two). MALFORMED for 0xc1 (never used),
//  TRUNCATED for a length field cut short.
static hb_decode_reason_t
s_header (const uint8_t *data, size_t size, size_t *pos, uint64_t *skip, uint64_t *items)
{
    uint8_t b = data [(*pos)++];
    *skip = 0;
    *items = 0;
    if (b <= 0x7f || b >= 0xe0)                 //  fixint
        return HB_DECODE_OK;
    if (b <= 0x8f) {                            //  fixmap
        *items = 2 * (uint64_t) (b & 0x0f);
        return HB_DECODE_OK;
    }
    if (b <= 0x9f) {                            //  fixarray
        *items = b & 0x0f;
        return HB_DECODE_OK;
    }
    if (b <= 0xbf) {                            //  fixstr
        *skip = b & 0x1f;
        return HB_DECODE_OK;
    }
    int len_bytes = 0;                          //  a length field follows
    uint64_t extra = 0;                         //  ext: the type byte
    bool is_items = false;
    uint64_t per_item = 1;
    switch (b) {
        case 0xc0: case 0xc2: case 0xc3: return HB_DECODE_OK;     //  nil, bool
        case 0xc1: return HB_DECODE_MALFORMED;
        case 0xc4: case 0xd9: len_bytes = 1; break;               //  bin8, str8
        case 0xc5: case 0xda: len_bytes = 2; break;
        case 0xc6: case 0xdb: len_bytes = 4; break;
        case 0xc7: len_bytes = 1; extra = 1; break;               //  ext8..32
        case 0xc8: len_bytes = 2; extra = 1; break;
        case 0xc9: len_bytes = 4; extra = 1; break;
        case 0xca: *skip = 4; return HB_DECODE_OK;                //  float32
        case 0xcb: *skip = 8; return HB_DECODE_OK;
        case 0xcc: case 0xd0: *skip = 1; return HB_DECODE_OK;     //  (u)int8..64
        case 0xcd: case 0xd1: *skip = 2; return HB_DECODE_OK;
        case 0xce: case 0xd2: *skip = 4; return HB_DECODE_OK;
        case 0xcf: case 0xd3: *skip = 8; return HB_DECODE_OK;
        case 0xd4: *skip = 2; return HB_DECODE_OK;                //  fixext 1..16
        case 0xd5: *skip = 3; return HB_DECODE_OK;
        case 0xd6: *skip = 5; return HB_DECODE_OK;
        case 0xd7: *skip = 9; return HB_DECODE_OK;
        case 0xd8: *skip = 17; return HB_DECODE_OK;
        case 0xdc: len_bytes = 2; is_items = true; break;         //  array16/32
        case 0xdd: len_bytes = 4; is_items = true; break;
        case 0xde: len_bytes = 2; is_items = true; per_item = 2; break;   //  map16/32
        default:   len_bytes = 4; is_items = true; per_item = 2; break;   //  0xdf
    }
    uint64_t len;
    if (!s_read_be (data, size, pos, len_bytes, &len))
        return HB_DECODE_TRUNCATED;
    if (is_items)
        *items = len * per_item;
    else
        *skip = len + extra;
    return HB_DECODE_OK;
}

//  A count is proven against the bytes left on the assumption that each
//  child takes one byte; the children themselves are proven as the walk
//  reaches them, so nothing is ever claimed beyond the input.
hb_decode_reason_t
hb_mpscan_check (const void *bytes, size_t size)
{
    const uint8_t *data = (const uint8_t *) bytes;
    uint64_t pending [HB_MPSCAN_MAX_DEPTH + 1];     //  objects left per depth
    int depth = 0;
    size_t pos = 0;
    pending [0] = 1;
    if (!data)
        return HB_DECODE_TRUNCATED;
    while (true) {
        while (depth > 0 && pending [depth] == 0)
            depth--;
        if (pending [depth] == 0)
            break;
        pending [depth]--;
        if (pos >= size)
            return HB_DECODE_TRUNCATED;
        uint64_t skip, items;
        hb_decode_reason_t reason = s_header (data, size, &pos, &skip, &items);
        if (reason != HB_DECODE_OK)
            return reason;
        uint64_t claim = skip + items;
        if (claim > HB_MSG_MAX_SIZE)
            return HB_DECODE_OVERSIZED;
        if (claim > size - pos)
            return HB_DECODE_TRUNCATED;
        pos += skip;
        if (items > 0) {
            if (depth == HB_MPSCAN_MAX_DEPTH)
                return HB_DECODE_MALFORMED;
            pending [++depth] = items;
        }
    }
    return pos == size? HB_DECODE_OK: HB_DECODE_MALFORMED;
}


//  The value of an n-byte big-endian field known to be in data
static uint64_t
s_be (const uint8_t *data, int bytes)
{
    uint64_t result = 0;
    for (int i = 0; i < bytes; i++)
        result = (result << 8) | data [i];
    return result;
}

bool
hb_mpscan_read (const uint8_t *data, size_t size, size_t *pos, msgpack_object *out,
                uint64_t *items)
{
    if (*pos >= size)
        return false;
    size_t at = *pos;
    uint8_t b = data [at];
    uint64_t skip, children;
    if (s_header (data, size, &at, &skip, &children) != HB_DECODE_OK || skip > size - at)
        return false;
    //  at: the payload (or the first child); skip: its bytes
    const uint8_t *p = data + at;
    msgpack_object o = { .type = MSGPACK_OBJECT_NIL };
    if (b <= 0x7f) {
        o.type = MSGPACK_OBJECT_POSITIVE_INTEGER;
        o.via.u64 = b;
    }
    else
    if (b >= 0xe0) {
        o.type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
        o.via.i64 = (int8_t) b;
    }
    else
    if (b <= 0x8f || b == 0xde || b == 0xdf) {
        o.type = MSGPACK_OBJECT_MAP;
        o.via.map.size = (uint32_t) (children / 2);
    }
    else
    if (b <= 0x9f || b == 0xdc || b == 0xdd) {
        o.type = MSGPACK_OBJECT_ARRAY;
        o.via.array.size = (uint32_t) children;
    }
    else
    if (b <= 0xbf || (b >= 0xd9 && b <= 0xdb)) {
        o.type = MSGPACK_OBJECT_STR;
        o.via.str.size = (uint32_t) skip;
        o.via.str.ptr = (const char *) p;
    }
    else
    switch (b) {
        case 0xc0: break;
        case 0xc2: case 0xc3:
            o.type = MSGPACK_OBJECT_BOOLEAN;
            o.via.boolean = b == 0xc3;
            break;
        case 0xc4: case 0xc5: case 0xc6:
            o.type = MSGPACK_OBJECT_BIN;
            o.via.bin.size = (uint32_t) skip;
            o.via.bin.ptr = (const char *) p;
            break;
        case 0xca: {
            uint32_t bits = (uint32_t) s_be (p, 4);
            float f;
            memcpy (&f, &bits, sizeof f);
            o.type = MSGPACK_OBJECT_FLOAT32;
            o.via.f64 = f;
            break;
        }
        case 0xcb: {
            uint64_t bits = s_be (p, 8);
            o.type = MSGPACK_OBJECT_FLOAT64;
            memcpy (&o.via.f64, &bits, sizeof o.via.f64);
            break;
        }
        case 0xcc: case 0xcd: case 0xce: case 0xcf:
            o.type = MSGPACK_OBJECT_POSITIVE_INTEGER;
            o.via.u64 = s_be (p, (int) skip);
            break;
        case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
            //  sign-extended from its width; msgpack-c calls a non-negative
            //  value positive whatever its encoding
            uint64_t raw = s_be (p, (int) skip);
            int shift = 64 - 8 * (int) skip;
            int64_t value = (int64_t) (raw << shift) >> shift;
            if (value < 0) {
                o.type = MSGPACK_OBJECT_NEGATIVE_INTEGER;
                o.via.i64 = value;
            }
            else {
                o.type = MSGPACK_OBJECT_POSITIVE_INTEGER;
                o.via.u64 = (uint64_t) value;
            }
            break;
        }
        default:                    //  ext and fixext: the type byte, then the data
            o.type = MSGPACK_OBJECT_EXT;
            o.via.ext.type = (int8_t) p [0];
            o.via.ext.size = (uint32_t) (skip - 1);
            o.via.ext.ptr = (const char *) p + 1;
            break;
    }
    *out = o;
    *items = children;
    *pos = at + skip;
    return true;
}

bool
hb_mpscan_skip (const uint8_t *data, size_t size, size_t *pos, uint64_t n)
{
    //  children still to pass, as one count: a container adds its own
    while (n > 0) {
        if (*pos >= size)
            return false;
        uint64_t skip, items;
        if (s_header (data, size, pos, &skip, &items) != HB_DECODE_OK || skip > size - *pos)
            return false;
        *pos += skip;
        n = n - 1 + items;
    }
    return true;
}
