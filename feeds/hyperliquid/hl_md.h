/*  hl_md: Hyperliquid market data, from /info and WebSocket text to
    normalized bus messages. No transport here: the plugin hands every
    frame and the /info answer in, so the logic is tested from JSON
    strings as well as through the plugin.

    Coins. One coin per instrument of the venue, named by the param
    coin.<symbol>. Perpetuals (kind linear_perp; default coin: the symbol
    up to its first '-', "BTC-PERP" -> "BTC"): USDC-margined and quoted in
    USDC per coin, taken at par with USD. /info {"type":"meta"} gives each
    its asset index (its place in "universe": what an order names),
    szDecimals (the size and price rules) and maxLeverage. Spot pairs
    (kind spot; default coin: the symbol with its first '-' as '/',
    "PURR-USDC" -> "PURR/USDC", or the venue's "@<index>" name as the
    param): /info {"type":"spotMeta"} gives each its pair index (asset
    10000 + index, matched by name or "@<index>") and its base token's
    szDecimals; asked only when the venue lists a spot pair. A coin
    missing from its universe is unknown: never subscribed, its orders
    refused. Books, trades and the wire rules (8 - szDecimals price
    decimals for spot, 6 for perps) are the same code for both.

    Top of book only (hl_md_set_bbo, the plugin's param book: bbo): the
    bbo channel instead of l2Book, {"coin","time","bbo":[bid|null,
    ask|null]}, each message the whole top: a tick of one level a side.
    Lighter for a venue whose depth nobody reads.

    Books. Hyperliquid's l2Book channel sends the whole top of the book
    (up to 20 levels a side, best first) in every message, not diffs: no
    sequence to keep, each message replaces the book. A book is stale
    until its first message on a connection (hl_md_reset at every open
    and close) and again when none came for stale_ns (hl_md_stale_due:
    the plugin resubscribes it); the status callback gets HB_TICK_STALE
    while any known coin is stale, 0 once every one has its book.

    Units: prices USDC per coin as USD; a bus quantity is coins / the
    instrument's multiplier.                                              */
#ifndef HL_MD_H
#define HL_MD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "hb_config.h"
#include "hb_msg.h"

#define HL_COIN_MAX     32
//  Coins one venue serves: Hyperliquid lists a few hundred perpetuals, so
//  the plugin keeps its fixed tables (a state on the stack holds one
//  position per coin) and refuses a venue with more (hl_md_new), well
//  under HB_MAX_INSTRUMENTS.
#define HL_MD_COINS     1024

typedef struct hl_md_s hl_md_t;

//  Where ticks and trades go; returns what host->publish returns (counted).
typedef int (hl_emit_fn) (void *arg, hb_msg_t *msg);
//  Venue health: 0 or HB_TICK_STALE.
typedef void (hl_status_fn) (void *arg, uint32_t status);
//  A message of a user channel (orderUpdates, userFills, ...): its channel
//  name and data (jansson, valid during the call). 0, or -1 when
//  something in it was malformed (counted as malformed here too).
typedef int (hl_user_fn) (void *arg, const char *channel, const json_t *data, int64_t now_ns);

//  What /info meta says about one coin, and its instrument.
typedef struct {
    char                       coin [HL_COIN_MAX];
    const hb_instrument_cfg_t *inst;
    int                        asset;           //  index in the universe; -1: unknown
    int                        sz_decimals;
    int                        max_leverage;
    bool                       spot;            //  a spot pair (asset 10000 + its index)
} hl_coin_t;

typedef struct {
    uint64_t messages;      //  frames handed in
    uint64_t malformed;     //  not JSON, or a field missing / of the wrong type
    uint64_t unknown;       //  well-formed, of a channel or coin we do not serve
    uint64_t books;         //  l2Book (or bbo) messages applied
    uint64_t ticks;         //  ticks emitted
    uint64_t trades;        //  trades emitted
    uint64_t errors;        //  "error" channel messages from the venue
    uint64_t stale;         //  books gone stale for lack of messages
    uint64_t emit_refused;  //  emit returned -1
} hl_md_stats_t;

//  The state for venue's instruments. NULL (err says why) when an
//  instrument is neither a linear perp nor spot, or a coin is empty, too
//  long or repeated.
hl_md_t *hl_md_new (const hb_venue_cfg_t *venue, hl_emit_fn *emit, hl_status_fn *status,
                    void *arg, char *err, size_t errsize);
void hl_md_destroy (hl_md_t **self_p);

//  The /info {"type":"meta"} answer: sets each coin's asset, szDecimals
//  and maxLeverage. 0, or -1 (err says why, nothing changed) when it is
//  not such an answer. Coins not in the universe stay unknown
//  (hl_md_coin (..)->asset < 0); the caller says so.
int hl_md_on_meta (hl_md_t *self, const char *text, size_t len, char *err, size_t errsize);
//  True when it has every meta it needs (meta, and spotMeta when a spot
//  pair is listed).
bool hl_md_has_meta (const hl_md_t *self);

//  The /info {"type":"spotMeta"} answer ({"universe": [{"name",
//  "tokens": [base, quote], "index"}, ..], "tokens": [{"name",
//  "szDecimals", "index"}, ..]}): sets each spot pair's asset and
//  szDecimals. 0, or -1 (err says why, nothing changed).
int hl_md_on_spot_meta (hl_md_t *self, const char *text, size_t len, char *err, size_t errsize);
//  True when the venue lists a spot pair (spotMeta is needed).
bool hl_md_has_spot (const hl_md_t *self);

//  Books from the bbo channel (the top only) instead of l2Book.
void hl_md_set_bbo (hl_md_t *self, bool bbo);
//  The book channel subscribed: "l2Book" or "bbo".
const char *hl_md_book_channel (const hl_md_t *self);

//  A new connection or a lost one: every book waits for its next message.
void hl_md_reset (hl_md_t *self, int64_t now_ns);

//  One WebSocket frame (need not be NUL-terminated), received at now_ns.
//  0, or -1 when refused (hl_md_error says why). Never crashes on input.
int hl_md_on_message (hl_md_t *self, const char *data, size_t len, int64_t now_ns);

//  Books of known coins that had their message and none since stale_ns
//  before now_ns: each is marked stale (a stale tick is published) and its
//  index written to out (at most max); returns how many.
int hl_md_stale_due (hl_md_t *self, int64_t now_ns, int64_t stale_ns, int *out, int max);

//  Coins, by index 0 .. hl_md_coins () - 1.
int hl_md_coins (const hl_md_t *self);
const hl_coin_t *hl_md_coin (const hl_md_t *self, int index);
//  The coin of a config symbol, NULL when not ours.
const hl_coin_t *hl_md_find (const hl_md_t *self, const char *symbol);

//  The coin named coin (Hyperliquid's name, "BTC"), NULL when not ours.
const hl_coin_t *hl_md_find_coin (const hl_md_t *self, const char *coin);

//  The current best bid and ask of symbol (0 when a side is empty or the
//  book is stale). -1 when the symbol is not ours.
int hl_md_touch (const hl_md_t *self, const char *symbol, double *bid, double *ask);

//  True while a known coin waits for its book.
bool hl_md_stale (const hl_md_t *self);

void hl_md_set_user (hl_md_t *self, hl_user_fn *fn, void *arg);
const hl_md_stats_t *hl_md_stats (const hl_md_t *self);

//  Why the last message was refused, "" when it was not.
const char *hl_md_error (const hl_md_t *self);

#endif
