/*  cb_md: Coinbase Advanced Trade market data, from WebSocket text to
    normalized bus messages. No transport here: the plugin hands every frame
    it receives to cb_md_on_message and acts on the answer, so the whole
    sequencing logic is tested from JSON strings (cb_md_test.c).

    Channels: level2 (channel "l2_data": a snapshot per product, then
    updates), ticker, market_trades; subscriptions, heartbeats and errors
    are understood and counted. sequence_num runs +1 per message over the
    whole connection: a hole means some message is lost and any book may be
    wrong, so every book is marked stale (one tick per product with
    HB_TICK_STALE is emitted, the status callback gets HB_TICK_STALE) and
    the caller must resubscribe level2; each book is used again when its new
    snapshot arrives, and the status returns to 0 when all have one.

    Units: Coinbase prices are quote currency per base unit (USD, or USDC /
    USDT taken at par) and sizes base units; a bus quantity is base units /
    the instrument's multiplier (1 for spot).                               */
#ifndef CB_MD_H
#define CB_MD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "hb_config.h"
#include "hb_msg.h"

typedef struct cb_md_s cb_md_t;

//  Where normalized messages go (ticks and trades); returns what
//  host->publish returns, which cb_md only counts.
typedef int (cb_emit_fn) (void *arg, hb_msg_t *msg);
//  Venue health: 0 or HB_TICK_STALE.
typedef void (cb_status_fn) (void *arg, uint32_t status);

//  What the caller must do after a message.
typedef enum {
    CB_MD_OK = 0,           //  nothing
    CB_MD_RESYNC = 1,       //  sequence gap: resubscribe level2 (books are stale)
    CB_MD_BAD = -1          //  malformed or not understood: counted, ignored
} cb_md_result_t;

typedef struct {
    uint64_t messages;      //  frames handed in
    uint64_t malformed;     //  not JSON, or a field missing / of the wrong type
    uint64_t unknown;       //  well-formed but of a channel or type we do not know
    uint64_t gaps;          //  sequence holes
    uint64_t snapshots;     //  level2 snapshots applied
    uint64_t updates;       //  level2 price levels applied
    uint64_t ticks;         //  ticks emitted
    uint64_t trades;        //  trades emitted
    uint64_t errors;        //  error messages from the venue
    uint64_t emit_refused;  //  emit returned -1
} cb_md_stats_t;

//  Builds the state for venue: one product per instrument, its Coinbase id
//  from the venue's param "sym.<symbol>" (default: the symbol itself).
//  Returns NULL (err says why) when a product id is empty or repeated.
cb_md_t *cb_md_new (const hb_venue_cfg_t *venue, cb_emit_fn *emit, cb_status_fn *status,
                    void *arg, char *err, size_t errsize);
void cb_md_destroy (cb_md_t **self_p);

//  A new connection: sequence numbers start again and every book waits for
//  its snapshot (status HB_TICK_STALE until they all have one).
void cb_md_reset (cb_md_t *self);

//  One frame of size bytes (need not be NUL-terminated). now_ns is the
//  receive time (wall ns). Never crashes on any input; see cb_md_result_t.
cb_md_result_t cb_md_on_message (cb_md_t *self, const char *data, size_t size, int64_t now_ns);

//  The Coinbase product ids, for subscribe messages.
int cb_md_products (const cb_md_t *self);
const char *cb_md_product (const cb_md_t *self, int index);
//  The config symbol of a Coinbase product id, NULL when not ours.
const char *cb_md_symbol_of (const cb_md_t *self, const char *product_id);
//  The Coinbase product id of a config symbol, NULL when not ours.
const char *cb_md_product_of (const cb_md_t *self, const char *symbol);

//  The current normalized top of book of symbol (up to HB_BOOK_DEPTH
//  levels), flagged HB_TICK_STALE while it waits for a snapshot. -1 when
//  the symbol is not ours.
int cb_md_book (const cb_md_t *self, const char *symbol, hb_tick_t *tick);
//  Levels per side held for symbol (the full book, not just the top), -1
//  when not ours.
int cb_md_depth (const cb_md_t *self, const char *symbol, int *bids, int *asks);
//  True while any book waits for a snapshot.
bool cb_md_stale (const cb_md_t *self);

const cb_md_stats_t *cb_md_stats (const cb_md_t *self);

//  Messages of the authenticated "user" channel (order updates) share the
//  connection and its sequence numbers; their events array goes to fn
//  (a jansson array, valid during the call), which returns 0 or -1 when
//  something in it was malformed (then counted as malformed here too).
typedef int (cb_user_fn) (void *arg, const json_t *events, int64_t ts_venue);
void cb_md_set_user (cb_md_t *self, cb_user_fn *fn, void *arg);

//  Why the last message was refused (what and which field), "" when it
//  was not; for the plugin's rate-limited log line.
const char *cb_md_error (const cb_md_t *self);

//  RFC 3339 UTC time ("2023-02-09T20:32:50.714964855Z") to wall ns; 0 when
//  it is not one.
int64_t cb_md_parse_time (const char *text);

#endif
