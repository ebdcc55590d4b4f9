/*  deribit_msg: one Deribit JSON-RPC 2.0 frame, parsed and classified.

    Deribit speaks JSON-RPC over one WebSocket: responses to our requests
    (by id), subscription notifications ("method": "subscription", with a
    channel and data) and heartbeats ("method": "heartbeat"). This module
    turns a text frame into a deribit_msg_t that says which of these it is
    and lifts out the fields the plugin needs, in the venue's own units
    (docs in feeds/deribit/README.md). It knows nothing of hosts, sockets
    or books, so it is tested from JSON strings alone.

    Parsing is total: any input gives a kind, and DERIBIT_MSG_MALFORMED
    comes with a message naming the field and what was wrong. The JSON tree
    lives in the caller's hb_json_t arena (no heap allocation per frame once
    the arena has grown); book levels and trade arrays are read from it
    lazily, so the message is valid until the next parse on that parser.   */
#ifndef DERIBIT_MSG_H
#define DERIBIT_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "hb_json.h"
#include "hb_config.h"
#include "hb_msg.h"

#define DERIBIT_INST_MAX    64      //  Deribit instrument names ("BTC-27DEC24-60000-C")
#define DERIBIT_ERR_MAX     160

typedef enum {
    DERIBIT_MSG_NONE = 0,
    DERIBIT_MSG_MALFORMED,          //  not JSON, or a required field missing / wrong type
    DERIBIT_MSG_UNKNOWN,            //  valid JSON-RPC we do not handle (unknown method/channel)
    DERIBIT_MSG_RESPONSE,           //  reply to one of our requests: id + result or error
    DERIBIT_MSG_HEARTBEAT,          //  server heartbeat; test_request needs public/test
    DERIBIT_MSG_BOOK,               //  book.<instrument>.<interval>
    DERIBIT_MSG_TICKER,             //  ticker.<instrument>.<interval>
    DERIBIT_MSG_TRADES,             //  trades.<instrument>.<interval>
    DERIBIT_MSG_USER_ORDER,         //  user.orders.*: one order
    DERIBIT_MSG_USER_TRADES,        //  user.trades.*: an array of our executions
    DERIBIT_MSG_KIND_COUNT
} deribit_msg_kind_t;

typedef enum {
    DERIBIT_ACTION_NEW = 1,
    DERIBIT_ACTION_CHANGE = 2,
    DERIBIT_ACTION_DELETE = 3
} deribit_action_t;

//  One book level change: ["new"|"change"|"delete", price, amount]. Price in
//  the instrument's quote unit (USD for futures, coin for options), amount in
//  its size unit (USD for inverse contracts, coin otherwise).
typedef struct {
    int    action;                  //  deribit_action_t
    double price;
    double amount;
} deribit_level_t;

typedef struct {
    bool     snapshot;              //  "type": "snapshot" (else "change")
    int64_t  change_id;
    int64_t  prev_change_id;        //  changes only (0 in a snapshot)
    int64_t  timestamp_ms;
    json_t  *bids;                  //  arrays of levels, borrowed from the tree
    json_t  *asks;
} deribit_book_msg_t;

typedef struct {
    int64_t  timestamp_ms;
    double   mark_price;            //  quote unit of the instrument
    double   index_price;           //  USD
    double   underlying_price;      //  USD (0 when absent)
    double   best_bid_price;        //  0 when absent
    double   best_ask_price;
    bool     has_iv;                //  options
    double   mark_iv;               //  percent, as Deribit sends it (55.2 = 55.2 %)
    bool     has_greeks;
    double   delta, gamma, vega, theta, rho;
    char     state [16];            //  "open", "closed" ...
} deribit_ticker_t;

//  A public trade, or one of ours (user.trades, private/buy results).
typedef struct {
    char     instrument [DERIBIT_INST_MAX];
    char     trade_id [HB_ID_MAX];
    char     order_id [HB_ID_MAX];  //  user trades only
    char     label [HB_ID_MAX];     //  user trades only: our client id
    int      side;                  //  hb_side_t: aggressor for public trades, ours for user trades
    double   price;                 //  quote unit
    double   amount;                //  size unit
    double   index_price;           //  USD, 0 when absent
    int64_t  timestamp_ms;
    double   fee;                   //  user trades: in fee_currency
    char     fee_currency [HB_NAME_MAX];
    int      liquidity;             //  1 maker, 2 taker, 0 unknown
} deribit_trade_t;

typedef enum {
    DERIBIT_ORDER_OPEN = 1,
    DERIBIT_ORDER_FILLED,
    DERIBIT_ORDER_REJECTED,
    DERIBIT_ORDER_CANCELLED,
    DERIBIT_ORDER_UNTRIGGERED
} deribit_order_state_t;

typedef struct {
    char     instrument [DERIBIT_INST_MAX];
    char     order_id [HB_ID_MAX];
    char     label [HB_ID_MAX];
    int      side;                  //  hb_side_t
    int      state;                 //  deribit_order_state_t
    double   amount;                //  size unit
    double   filled_amount;
    double   average_price;         //  quote unit, 0 when nothing filled
    int64_t  timestamp_ms;          //  last_update_timestamp
    char     reason [HB_TEXT_MAX];  //  cancel_reason / reject reason when present
} deribit_order_t;

typedef struct {
    int64_t  id;
    bool     is_error;
    int      error_code;
    char     error_message [HB_TEXT_MAX];
    json_t  *result;                //  borrowed; NULL for an error
} deribit_response_t;

typedef struct {
    int      kind;                          //  deribit_msg_kind_t
    char     error [DERIBIT_ERR_MAX];       //  MALFORMED / UNKNOWN: why
    char     channel [96];                  //  notifications
    char     instrument [DERIBIT_INST_MAX]; //  book, ticker, trades: from the channel name
    bool     test_request;                  //  heartbeat: the server wants public/test
    deribit_response_t response;
    deribit_book_msg_t book;
    deribit_ticker_t   ticker;
    deribit_order_t    order;
    json_t  *trades;                        //  TRADES, USER_TRADES: the data array (borrowed)
    json_t  *root;                          //  borrowed from the parser's arena
} deribit_msg_t;

//  Parses text[0..len) with parser into msg (previous content dropped; the
//  previous tree of parser is gone too). Returns msg->kind; MALFORMED and
//  UNKNOWN set msg->error. Never crashes on any input; len may be 0.
int deribit_msg_parse (deribit_msg_t *msg, hb_json_t *parser, const char *text, size_t len);

//  Clears msg (kind NONE, borrowed pointers NULL). NULL-safe.
void deribit_msg_reset (deribit_msg_t *msg);

//  Level i of a book side array. Returns 0, or -1 with err naming the
//  problem (not a 3-array, unknown action, price not a finite positive
//  number, amount not finite or negative).
int deribit_level_at (json_t *side, size_t i, deribit_level_t *level, char *err, size_t err_size);

//  Trade i of a trades array (public or user). Returns 0 or -1 with err.
int deribit_trade_at (json_t *trades, size_t i, deribit_trade_t *trade, char *err, size_t err_size);

//  An order object (user.orders data, private/buy result.order, private/cancel
//  result). Returns 0 or -1 with err.
int deribit_order_parse (json_t *object, deribit_order_t *order, char *err, size_t err_size);

//  An instrument object of public/get_instruments in hb's terms (venue
//  left ""): 'reversed' contracts are inverse (multiplier: USD per
//  contract), others linear (coin per contract); a perpetual is a future
//  with settlement_period perpetual; lot and min are min_trade_amount in
//  contracts; the tick is the venue's (in coin for coin-quoted options).
//  Returns 1, 0 for a combo (no hb kind: not listed), or -1 with err.
int deribit_instrument_parse (json_t *object, hb_instrument_t *out, char *err, size_t err_size);

const char *deribit_msg_kind_name (int kind);

#endif
