/*  binance: the Binance venue plugin (spot and USDⓈ-M perpetuals), shared
    internals of binance.c (plugin glue, stream parsing), binance_depth.c
    (local order book sync, ticks and status), binance_order.c (signed REST
    orders), binance_user.c (the user data stream) and binance_live.c (what
    was published per order). The calls go one way, never in a circle:
    binance.c -> depth, order, user; user -> order (lookups); order and
    user -> live.

    One plugin instance serves one market (params.market: spot or usdm):
    Binance runs them as separate APIs with their own hosts, limits and
    keys. feeds/binance/README.md documents params and normalization.   */
#ifndef BINANCE_H
#define BINANCE_H

#include <stdbool.h>
#include <stdint.h>
#include <strings.h>
#include "hb_plugin.h"
#include "hb_json.h"
#include "hb_lbook.h"
#include "hb_ratelimit.h"
#include "hb_rest.h"
#include "hb_secret.h"
#include "hb_ws.h"

#define BINANCE_VSYM_MAX        24      //  venue symbol, e.g. BTCUSDT
#define BINANCE_PENDING_BYTES   (256 * 1024)    //  diffs buffered per instrument while snapshotting
#define BINANCE_MAX_ORDERS      64      //  orders and cancels in flight
#define BINANCE_ERR_MAX         192
#define BINANCE_LIVE            256     //  orders whose acks and fills are tracked (user stream)
#define BINANCE_SEEN            1024    //  recent trade ids published, for duplicates
#define BINANCE_KEY_MAX         128     //  listenKey

typedef enum { BINANCE_SPOT = 1, BINANCE_USDM = 2 } binance_market_t;

typedef enum {
    BINANCE_BOOK_IDLE = 0,          //  no stream yet
    BINANCE_BOOK_WAIT,              //  buffering diffs, snapshot requested or due
    BINANCE_BOOK_SYNCED             //  snapshot applied, diffs continuous
} binance_book_state_t;

typedef struct {
    void       *owner;              //  the binance_t
    const hb_instrument_cfg_t *inst;
    char        vsym [BINANCE_VSYM_MAX];    //  upper case, as REST wants it
    char        stream [BINANCE_VSYM_MAX];  //  lower case, as streams want it
    int         price_dp;           //  decimals of tick_size / lot_size, for order text
    int         qty_dp;
    double      qty_scale;          //  venue quantity -> instrument unit (1 / multiplier)
    hb_lbook_t *book;
    binance_book_state_t state;
    bool        first_pending;      //  next diff must bridge the snapshot
    int64_t     last_u;             //  last update id applied (or the snapshot's)
    bool        snapshot_inflight;
    int         snapshot_timer;     //  delayed (rate-limited or failed) snapshot, -1: none
    char       *pending;            //  buffered raw diff messages, NUL-separated
    size_t      pending_len;
    //  latest bookTicker, overlaid on the depth book when newer
    bool        bbo_valid;
    int64_t     bbo_u;
    double      bbo_bid, bbo_bid_qty, bbo_ask, bbo_ask_qty;
} binance_inst_t;

typedef struct {
    uint64_t msgs;                  //  stream messages handled
    uint64_t depth, tickers, trades;
    uint64_t malformed;             //  not JSON, or a field missing / wrong
    uint64_t unknown;               //  valid JSON of a type we do not handle
    uint64_t control;               //  subscription answers and the like
    uint64_t unknown_symbol;
    uint64_t gaps;                  //  sequence breaks (resnapshot)
    uint64_t crossed;               //  crossed books after a diff (resnapshot)
    uint64_t snapshots;             //  snapshots applied
    uint64_t snapshot_errors;
    uint64_t dropped_stale;         //  diffs older than the snapshot
    uint64_t orders, cancels, rejects, fills;
    uint64_t user_msgs;             //  user data stream messages
    uint64_t user_events;           //  executionReport / ORDER_TRADE_UPDATE handled
    uint64_t user_ignored;          //  account updates and other events we do not use
    uint64_t duplicate_fills;       //  fills already published (REST answer or stream)
    uint64_t listen_keys;           //  listenKeys obtained
    uint64_t keepalives;            //  listenKey keepalives accepted
    uint64_t lookups;               //  orders looked up after the user stream was down
} binance_stats_t;

typedef struct binance_order_s binance_order_t;

//  What was published about one order (REST answers and the user data
//  stream both report on it): acks only when something changed, fills once.
typedef struct {
    bool     used;
    bool     final;                 //  done / canceled / rejected published
    bool     ours;                  //  sent by this plugin (else a manual trade, a liquidation:
                                    //  its fills go out external, its acks not at all)
    uint8_t  status;                //  last ack status published (0: none)
    uint8_t  side;
    char     client_id [HB_ID_MAX];
    binance_inst_t *bi;
    double   qty;                   //  hb units
    double   filled;                //  venue units in the fills published
    double   acked;                 //  venue units in the last ack
    int64_t  order_id;              //  0 until known
    uint64_t touched;               //  for eviction, oldest first
} binance_live_t;

typedef struct {
    int      inst;                  //  index in inst[]
    int64_t  trade_id;
} binance_seen_t;

typedef struct {
    const hb_host_api_t  *host;
    const hb_venue_cfg_t *venue;
    binance_market_t market;
    char        ws_url [HB_PATH_MAX];
    char        rest_url [HB_PATH_MAX];
    int         depth_limit;        //  snapshot levels (and book capacity)
    char        depth_speed [16];   //  "100ms" or ""
    int64_t     recv_window;
    double      px_scale;           //  quote currency -> USD (1 for USDT)
    hb_ratelimit_t weight;          //  request weight
    hb_ratelimit_t order_rate;      //  orders
    double      snapshot_weight;
    hb_secret_t *api_key;
    hb_secret_t *api_secret;
    hb_ws_t     *ws;
    hb_rest_t   *rest;
    hb_json_t   *json;              //  stream messages
    hb_json_t   *json_rest;         //  REST answers (snapshots, orders)
    hb_json_t   *json_replay;       //  buffered diffs, replayed after a snapshot
    //  Asks for inst's snapshot: the REST request by default; the fuzz
    //  target and the bench answer it themselves, without a network.
    void       (*snapshot_fn) (void *self, binance_inst_t *inst);
    int          n_inst;
    binance_inst_t *inst;           //  one per instrument of the venue (n_inst set up)
    uint32_t     status;            //  last set_status
    int64_t      started_ns;
    binance_order_t *orders;        //  BINANCE_MAX_ORDERS slots
    //  user data stream (binance_user.c)
    hb_ws_t     *user_ws;
    bool         user_started;
    bool         user_opened;       //  the stream was up once (later opens look orders up)
    char         listen_key [BINANCE_KEY_MAX];
    bool         listen_inflight;
    bool         listen_reconnect;  //  reconnect once the new key is there
    int          listen_tries;
    int          listen_timer;      //  retry of a failed POST, -1
    int          keepalive_timer;   //  -1
    uint64_t     keepalive_ms;
    binance_live_t *live;           //  BINANCE_LIVE
    uint64_t     live_clock;
    binance_seen_t seen [BINANCE_SEEN];
    size_t       seen_next;
    binance_stats_t stats;
    hb_msg_t     msg;               //  scratch for publishing
    char         err [BINANCE_ERR_MAX];
    //  discovery (binance_list.c): what the last exchangeInfo listed
    struct hb_vlist_s *listed;
    int          list_timer;        //  the next exchangeInfo, -1
    uint64_t     list_ms;           //  params.instruments_s in ms
} binance_t;

//  binance.c
//  Builds the plugin state without touching the network (the fuzz target
//  and the bench use it with a host of their own). NULL, logged, on a bad
//  config.
binance_t *binance_new (const hb_host_api_t *host);
void binance_destroy (binance_t **self_p);
//  One stream message (combined-stream envelope or bare event). Never
//  fails: malformed and unknown input is counted.
void binance_on_message (binance_t *self, const char *text, size_t len);

//  The configured instrument of a venue symbol (any case), NULL when none.
static inline binance_inst_t *
binance_inst_by_vsym (binance_t *self, const char *vsym)
{
    for (int i = 0; i < self->n_inst; i++)
        if (strcasecmp (self->inst [i].vsym, vsym) == 0)
            return &self->inst [i];
    return NULL;
}

//  binance_list.c: instrument discovery (plugin ABI v5), with the venue's
//  discover: section: GET /api/v3/exchangeInfo (spot) or /fapi/v1/exchangeInfo
//  (usdm) at start and every params.instruments_s (default 3600), the
//  symbols TRADING listed to the host, those a later answer lacks delisted.
int  binance_list_start (binance_t *self);
void binance_list_stop (binance_t *self);
//  One symbol object of exchangeInfo in hb's terms (venue ""): spot, or
//  usdm PERPETUAL (linear_perp) and quarterlies (future); qty in coin
//  (multiplier 1), tick and lot from PRICE_FILTER and LOT_SIZE. Returns 1,
//  0 when not listed (not TRADING, another contract type), -1 with err.
int  binance_instrument_parse (const json_t *symbol, binance_market_t market, hb_instrument_t *out,
                               char *err, size_t err_size);

//  binance_depth.c
//  Publishes inst's tick: its book (the latest bookTicker over the touch),
//  flagged stale while the book is not in sync.
void binance_publish_tick (binance_t *self, binance_inst_t *inst, int64_t ts_ms);
//  Recomputes the venue status from the books and the connection.
void binance_update_status (binance_t *self);
int  binance_depth_init (binance_t *self, binance_inst_t *inst);
void binance_depth_fini (binance_t *self, binance_inst_t *inst);
//  A depthUpdate event (data object) for inst; raw[0..len) is the whole
//  message, kept while buffering.
void binance_depth_event (binance_t *self, binance_inst_t *inst, const json_t *data,
                          const char *raw, size_t len);
//  Every book starts over (a new connection): buffer, snapshot.
void binance_depth_reset_all (binance_t *self, const char *why);
//  A snapshot answer (REST body) for inst; public for tests and the bench.
void binance_depth_snapshot (binance_t *self, binance_inst_t *inst, long status,
                             const char *body, size_t len);
//  The default snapshot_fn: GET /api/v3/depth (spot), /fapi/v1/depth (usdm)
//  when the weight allows, else later on a timer.
void binance_depth_request (void *self, binance_inst_t *inst);

//  binance_order.c
int  binance_orders_init (binance_t *self);
void binance_orders_fini (binance_t *self);
int  binance_order (binance_t *self, const hb_order_t *order);
int  binance_cancel (binance_t *self, const hb_cancel_t *cancel);
//  GET order by client id for live (its fills while the user stream was
//  down): the answer goes through binance_live_*. -1 when not sent.
int  binance_order_lookup (binance_t *self, binance_live_t *live);

//  binance_user.c: the user data stream
//  Sets no timer and cannot fail: called first, so fini is always safe.
void binance_user_init (binance_t *self);
void binance_user_fini (binance_t *self);
//  Creates the user stream client (not connected); 0 or -1. cfg is the
//  market stream's, whose connection settings it shares.
int  binance_user_create (binance_t *self, const hb_ws_cfg_t *cfg);
//  Asks for a listenKey, then opens the stream. 0 or -1.
int  binance_user_start (binance_t *self);
//  One user stream message. Never fails: bad input is counted.
void binance_user_on_message (binance_t *self, const char *text, size_t len);

//  binance_live.c: what was published per order (REST answers and the
//  user stream both report through it)
int  binance_live_init (binance_t *self);
void binance_live_fini (binance_t *self);
//  Publishes an ack; quantities in hb units.
void binance_ack (binance_t *self, const char *symbol, const char *client_id, const char *order_id,
                  int status, int reason, const char *text, double filled, double leaves);
//  The record of client_id (made, evicting the oldest finished one, when
//  create; NULL when not there and !create).
binance_live_t *binance_live_get (binance_t *self, binance_inst_t *bi, const char *client_id,
                                  int side, double qty, bool create);
//  Publishes an ack for live unless it says nothing new (an accepted with
//  no more filled than the last, anything after a final one). filled in
//  venue units.
void binance_live_ack (binance_t *self, binance_live_t *live, int status, int reason,
                       const char *text, double filled);
//  True when (bi, trade_id) was published before; remembers it otherwise.
bool binance_trade_seen (binance_t *self, const binance_inst_t *bi, int64_t trade_id);
//  Publishes one fill of live (px, qty in venue units; fee already in
//  fee_asset; liquidity 1 maker, 2 taker) and counts it in live->filled.
void binance_live_fill (binance_t *self, binance_live_t *live, const char *fill_id, double px,
                        double qty, double fee, const char *fee_asset, int liquidity, int64_t ts_ms);
//  A commission in asset, normalized: the quote (USD x quote_usd), the base
//  coin at px, another coin (BNB) as is in *fee_asset (borrowed).
double binance_fee (binance_t *self, const binance_inst_t *bi, double commission, const char *asset,
                    double px, const char **fee_asset);

#endif
