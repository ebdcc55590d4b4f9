/*  deribit_venue internals, shared by deribit_venue.c (connection, market
    data, dispatch), deribit_order.c (orders, acks, fills) and
    deribit_rpc.c (requests, clock, log), which the other two call and
    which calls neither of them. Not for the plugin or tests: they use
    deribit_venue.h.                                                       */
#ifndef DERIBIT_VENUE_INT_H
#define DERIBIT_VENUE_INT_H

#include "deribit_venue.h"
#include "deribit_msg.h"
#include "hb_json.h"
#include "hb_log.h"
#include "hb_ratelimit.h"

#define DERIBIT_REQS        512     //  requests in flight (ids modulo this)
#define DERIBIT_ORDERS      256     //  orders tracked until their final ack
#define DERIBIT_SEEN        1024    //  recent execution ids, for duplicates
#define DERIBIT_OUT_MAX     16384   //  largest request we send

//  Deribit's default limits (docs: "Rate limits"): non-matching-engine
//  requests cost 500 credits from a pool of 50,000 refilled at 10,000 per
//  second; matching-engine requests (orders, cancels) have their own,
//  tier-dependent budget, 5 per second with a burst of 20 for the lowest.
#define DERIBIT_CREDIT_COST     500.0
#define DERIBIT_CREDIT_POOL     50000.0
#define DERIBIT_CREDIT_REFILL   10000.0

typedef enum {
    DERIBIT_REQ_NONE = 0,
    DERIBIT_REQ_SET_HEARTBEAT,
    DERIBIT_REQ_SUBSCRIBE,          //  the connection's public channels
    DERIBIT_REQ_PRIVATE_SUBSCRIBE,  //  user.orders / user.trades after auth
    DERIBIT_REQ_UNSUBSCRIBE,        //  first half of a resnapshot
    DERIBIT_REQ_RESUBSCRIBE,        //  second half: the snapshot follows
    DERIBIT_REQ_AUTH,
    DERIBIT_REQ_TEST,
    DERIBIT_REQ_ORDER,
    DERIBIT_REQ_CANCEL,
    DERIBIT_REQ_CANCEL_LABEL,
    DERIBIT_REQ_ORDER_STATE,        //  after a reconnect: private/get_order_state
    DERIBIT_REQ_ORDER_STATE_LABEL,  //  the same by label (no order id yet)
    DERIBIT_REQ_ORDER_TRADES,       //  then private/get_user_trades_by_order
    DERIBIT_REQ_INSTRUMENTS         //  public/get_instruments of one currency (inst: the asset)
} deribit_req_kind_t;

typedef struct {
    int64_t  id;                    //  0: free
    int      kind;                  //  deribit_req_kind_t
    int      inst;                  //  instrument index, -1
    int      order;                 //  order slot, -1
    int64_t  sent_ns;
    uint64_t gen;                   //  the order slot's generation when sent
} deribit_req_t;

//  One configured instrument.
typedef struct {
    const hb_instrument_cfg_t *cfg;
    char     name [DERIBIT_INST_MAX];   //  Deribit's instrument name
    bool     coin_quoted;           //  options: prices in coin, converted at the index
    bool     usd_sized;             //  inverse: amounts in USD
    deribit_book_t *book;
    bool     resnap_pending;        //  a resubscription waits for credits
    bool     stale_sent;            //  a stale tick went out since the book broke
    double   index;                 //  USD per coin, latest seen (0: none yet)
    double   mark;                  //  venue units (0: none)
    double   underlying;            //  USD
    bool     has_iv;
    double   mark_iv;               //  fraction (0.552)
    double   delta, gamma, vega, theta;     //  Deribit's greeks, kept for logs/tests
} deribit_inst_t;

//  An order from its hb request to its final ack.
typedef struct {
    bool     used;
    uint64_t gen;                   //  tells a reused slot from the one a request was for
    int      inst;
    char     client_id [HB_ID_MAX];
    char     order_id [HB_ID_MAX];  //  "" until the venue gave one
    uint8_t  side;
    double   qty;                   //  hb units
    uint8_t  last_status;           //  last ack published (0: none)
    double   last_filled;           //  hb units
    double   fill_amount;           //  venue units in the fills published for it
    //  After a reconnect the venue is asked what became of the order (the
    //  answer or a notification may have been lost with the connection).
    bool     query_due;             //  to be asked (once authenticated, credits allowing)
    int      query_tries;
    bool     have_state;            //  state holds the venue's answer while its
    deribit_order_t state;          //  executions are fetched (fills before the ack)
} deribit_order_slot_t;

struct deribit_venue_s {
    const hb_host_api_t  *host;
    const hb_venue_cfg_t *venue;
    deribit_link_t        link;
    const hb_secret_t    *key;
    const hb_secret_t    *secret;
    hb_json_t            *parser;
    deribit_msg_t         msg;      //  the frame being handled
    hb_msg_t              out;      //  scratch for publishing
    char                  text [DERIBIT_OUT_MAX];

    //  params
    char     interval [16];         //  "100ms" or "raw"
    int      heartbeat_s;
    int      depth;                 //  levels per side on ticks
    //  state
    int      n_inst;
    deribit_inst_t *inst;           //  n_inst, one per instrument of the venue
    bool     connected;
    bool     authenticated;
    bool     auth_in_flight;
    int64_t  auth_refresh_ns;       //  re-authenticate after this (0: never)
    int64_t  auth_retry_ns;         //  after a failure, not before this
    uint32_t status;
    bool     status_set;
    int64_t  next_id;
    deribit_req_t reqs [DERIBIT_REQS];
    deribit_order_slot_t orders [DERIBIT_ORDERS];
    uint64_t order_gen;
    char     seen [DERIBIT_SEEN][HB_ID_MAX];
    size_t   seen_next;
    //  labels of the orders we sent (the last DERIBIT_SEEN): an execution
    //  under any other label, or none, is somebody else's (web UI, API
    //  key of another system, liquidation) and goes out external
    char     sent [DERIBIT_SEEN][HB_ID_MAX];
    size_t   sent_next;
    hb_ratelimit_t credits;         //  non-matching-engine requests
    hb_ratelimit_t matching;        //  orders and cancels
    bool     private_subscribed;    //  user.* channels asked for on this connection
    //  discovery: what the last answer for each asset listed (hb_vlist.h)
    struct hb_vlist_s *listed [HB_MAX_ASSETS];
    deribit_stats_t stats;
};

//  deribit_rpc.c
int64_t deribit_venue_now (deribit_venue_t *self);
void deribit_venue_log (deribit_venue_t *self, int level, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));
//  The same for a condition that can repeat on every frame: logged the
//  first 10 times, then once every 1,000 (count is the condition's counter,
//  already incremented).
void deribit_venue_complain (deribit_venue_t *self, uint64_t count, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));
int deribit_venue_find_inst (const deribit_venue_t *self, const char *deribit_name);
//  Sends method with params (stolen, may be NULL) as request kind; returns
//  the request id, or -1 (not connected, too large, send refused).
int64_t deribit_venue_rpc (deribit_venue_t *self, int kind, const char *method, json_t *params,
                           int inst, int order);
//  USD per unit of the asset for a price in the instrument's quote unit; 0
//  when a coin-quoted price cannot be converted yet. index: the one carried
//  by the message, 0 to use the instrument's latest.
double deribit_venue_usd (const deribit_inst_t *inst, double price, double index);

//  deribit_order.c (called from deribit_venue.c only)
void deribit_order_on_response (deribit_venue_t *self, const deribit_req_t *req);
void deribit_order_on_user_order (deribit_venue_t *self);
void deribit_order_on_user_trades (deribit_venue_t *self);
//  The connection is gone: requests in flight will never be answered;
//  every working order is to be asked about once authenticated again.
void deribit_order_on_close (deribit_venue_t *self);
//  Sends the order-state queries that are due (authenticated, credits
//  allowing; the rest wait for the next call). Called after public/auth
//  succeeds and from deribit_venue_poll.
void deribit_order_query_due (deribit_venue_t *self);

//  deribit_list.c (called from deribit_venue.c only): with discovery,
//  public/get_instruments per selected asset on a new connection, and its
//  answers to the host
void deribit_list_request (deribit_venue_t *self);
void deribit_list_on_response (deribit_venue_t *self, const deribit_req_t *req);
void deribit_list_destroy (deribit_venue_t *self);

#endif
