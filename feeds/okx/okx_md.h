/*  okx_md: OKX v5 public market data, from WebSocket text to normalized bus
    messages. No transport here: the plugin hands every frame to
    okx_md_on_message and acts on the answer, so book sequencing and the
    checksum are tested from JSON strings (okx_md_test.c).

    Channels: books (400 levels: a snapshot, then updates carrying seqId and
    prevSeqId, and the CRC32 checksum of the top 25 levels after the
    update), tickers, trades; subscribe / unsubscribe / error events and the
    "pong" keep-alive answer are understood. An update whose prevSeqId is
    not the last seqId of its book (a gap), or after which the checksum
    differs from the venue's, drops that book: one tick with HB_TICK_STALE
    is emitted, the status callback gets HB_TICK_STALE, and the instrument
    is queued for a resubscribe (okx_md_take_resync), whose snapshot makes
    the book usable again; the status returns to 0 when every book is.

    Units: prices are quote currency per base unit (USDT, USDC taken at par
    with USD; inverse contracts are quoted in USD). Sizes are base units for
    SPOT and contracts for SWAP / FUTURES / OPTION; a bus quantity is
    venue size x ctval / multiplier, where ctval (the venue's contract value
    in the instrument's unit) comes from the param "ctval.<symbol>" and
    defaults to the multiplier for contracts (the config mirrors OKX's
    ctVal) and 1 for spot.                                                  */
#ifndef OKX_MD_H
#define OKX_MD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_config.h"
#include "hb_msg.h"

typedef struct okx_md_s okx_md_t;

typedef int (okx_emit_fn) (void *arg, hb_msg_t *msg);
typedef void (okx_status_fn) (void *arg, uint32_t status);

typedef enum {
    OKX_MD_OK = 0,
    OKX_MD_RESYNC = 1,      //  a book was dropped: resubscribe what okx_md_take_resync gives
    OKX_MD_BAD = -1         //  malformed or unknown: counted, ignored
} okx_md_result_t;

typedef struct {
    uint64_t messages;
    uint64_t malformed;
    uint64_t unknown;
    uint64_t gaps;              //  prevSeqId != last seqId
    uint64_t checksum_errors;   //  our CRC32 differs from the venue's
    uint64_t snapshots;
    uint64_t updates;           //  levels applied
    uint64_t ticks;
    uint64_t trades;
    uint64_t errors;            //  error events from the venue
    uint64_t pongs;
    uint64_t emit_refused;
} okx_md_stats_t;

//  One instrument per configured symbol, its OKX instId from the param
//  "sym.<symbol>" (default: the symbol). NULL (err says why) for an empty
//  or repeated instId, or a bad ctval.
okx_md_t *okx_md_new (const hb_venue_cfg_t *venue, okx_emit_fn *emit, okx_status_fn *status,
                      void *arg, char *err, size_t errsize);
void okx_md_destroy (okx_md_t **self_p);

//  A new connection: every book waits for its snapshot, nothing is queued
//  for resync (the new subscriptions bring snapshots).
void okx_md_reset (okx_md_t *self);

//  One frame; never crashes on any input.
okx_md_result_t okx_md_on_message (okx_md_t *self, const char *data, size_t size, int64_t now_ns);

//  The next instrument (index) whose books must be resubscribed, taken off
//  the queue; -1 when none.
int okx_md_take_resync (okx_md_t *self);

int okx_md_instruments (const okx_md_t *self);
const char *okx_md_inst_id (const okx_md_t *self, int index);
const char *okx_md_symbol_of (const okx_md_t *self, const char *inst_id);
const char *okx_md_inst_id_of (const okx_md_t *self, const char *symbol);
//  venue size -> bus quantity factor of symbol (0 when not ours)
double okx_md_qty_scale (const okx_md_t *self, const char *symbol);

//  The normalized top of book of symbol, HB_TICK_STALE while it waits for
//  a snapshot. -1 when not ours.
int okx_md_book (const okx_md_t *self, const char *symbol, hb_tick_t *tick);
int okx_md_depth (const okx_md_t *self, const char *symbol, int *bids, int *asks);
bool okx_md_stale (const okx_md_t *self);

const okx_md_stats_t *okx_md_stats (const okx_md_t *self);
//  Why the last message was refused, "" when it was not.
const char *okx_md_error (const okx_md_t *self);

#endif
