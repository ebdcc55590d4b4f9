/*  okx_book: an OKX order book that keeps each level's price and size
    exactly as the venue wrote them, for the books channel's checksum.

    Why not hb_lbook (feeds/lib): OKX's CRC32 is computed over the decimal
    strings it sent ("8476.98:415"); a double printed back does not always
    give the same text ("0.10" comes back as "0.1"), and hb_lbook keeps
    doubles only. Otherwise the same structure: sorted arrays, best first,
    bounded at max_levels per side (a new level beyond the worst one of a
    full side is dropped and counted), allocation-free after new.          */
#ifndef OKX_BOOK_H
#define OKX_BOOK_H

#include <stddef.h>
#include <stdint.h>
#include "hb_msg.h"

#define OKX_BOOK_TEXT_MAX   24      //  longest price / size text kept (incl. NUL)
#define OKX_CHECKSUM_LEVELS 25      //  levels per side in the checksum

typedef struct okx_book_s okx_book_t;

//  An empty book of at most max_levels (>= 1) per side; NULL when out of memory.
okx_book_t *okx_book_new (size_t max_levels);
void okx_book_destroy (okx_book_t **self_p);
void okx_book_clear (okx_book_t *self);

//  Sets the level at price (text px, parsed value px_v) on side
//  (HB_SIDE_BUY / HB_SIDE_SELL) to size (text qty, value qty_v); a size of
//  0 deletes it (a delete of an absent level is fine). Returns -1 (book
//  unchanged) for a bad side, a price not > 0, a size < 0, or a text too
//  long to keep.
int okx_book_set (okx_book_t *self, int side, const char *px, double px_v,
                  const char *qty, double qty_v);

size_t okx_book_depth (const okx_book_t *self, int side);

//  The OKX checksum of the top 25 levels: "bid:size:ask:size:..."
//  interleaved level by level (a side that runs out is skipped), CRC-32
//  (IEEE, as zlib's crc32) of that text as a signed 32-bit integer.
int32_t okx_book_checksum (const okx_book_t *self);

//  Top min (depth, HB_BOOK_DEPTH) levels per side into tick (sizes times
//  qty_scale); other members untouched.
void okx_book_export (const okx_book_t *self, hb_tick_t *tick, int depth, double qty_scale);

//  Levels dropped because a side was full.
uint64_t okx_book_dropped (const okx_book_t *self);

//  CRC-32 (IEEE 802.3, reflected, as zlib) of len bytes.
uint32_t okx_crc32 (const void *data, size_t len);

#endif
