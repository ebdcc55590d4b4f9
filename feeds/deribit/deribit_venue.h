/*  deribit_venue: the Deribit protocol engine behind the plugin.

    Everything the plugin does except moving bytes: it answers a new
    connection with set_heartbeat, the public subscriptions and (with keys)
    public/auth; it turns each received frame into books, ticks, trades,
    acks and fills published through the host; it keeps book continuity
    (change_id), resubscribes an instrument whose book broke and reports
    the venue stale meanwhile; it turns hb orders and cancels into
    private/buy, private/sell and private/cancel under a credit budget.

    The connection is given as a deribit_link_t (send one text frame, ask
    for a reconnect), so the engine runs the same against hb_ws (the plugin)
    and against a test that plays the server by hand. Every call comes from
    the host's reactor thread; nothing here blocks or sleeps.

    Units and names are in feeds/deribit/README.md.                         */
#ifndef DERIBIT_VENUE_H
#define DERIBIT_VENUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_plugin.h"
#include "hb_secret.h"
#include "deribit_book.h"

typedef struct deribit_venue_s deribit_venue_t;

typedef struct {
    //  Sends one text frame on the current connection: 0, or -1 when there
    //  is none or it cannot take the frame now.
    int   (*send) (void *arg, const char *text, size_t len);
    //  Drops the connection and connects again later (with backoff).
    void  (*reconnect) (void *arg, const char *why);
    void   *arg;
} deribit_link_t;

typedef struct {
    uint64_t frames;            //  frames received
    uint64_t malformed;         //  not JSON, or a required field missing / wrong
    uint64_t unknown;           //  unknown method or channel, or an instrument not configured
    uint64_t gaps;              //  change_id breaks
    uint64_t bad_levels;        //  book changes with an unreadable level
    uint64_t resnapshots;       //  resubscriptions sent to rebuild a book
    uint64_t snapshots;         //  snapshots applied
    uint64_t changes;           //  changes applied
    uint64_t ignored;           //  changes ignored while a book was invalid
    uint64_t ticks;             //  ticks published (refused ones included)
    uint64_t trades;
    uint64_t acks;
    uint64_t fills;
    uint64_t duplicate_fills;   //  executions seen twice (response and notification)
    uint64_t rpc_errors;        //  error responses
    uint64_t test_requests;     //  heartbeat test_requests answered
    uint64_t auths;             //  successful public/auth
    uint64_t rate_limited;      //  requests held back or refused by our own budget
    uint64_t send_failed;
    uint64_t order_queries;     //  orders asked about after a reconnect (state or executions)
    uint64_t listed;            //  instruments public/get_instruments listed (discovery)
} deribit_stats_t;

//  Builds the engine for host->venue (params in README.md). key and secret
//  are the API credentials (both or neither; borrowed, must outlive the
//  engine); without them only market data runs and orders are rejected.
//  Returns NULL after writing the reason into err (naming the param) when
//  a param or an instrument mapping is invalid.
deribit_venue_t *deribit_venue_new (const hb_host_api_t *host, const deribit_link_t *link,
                                    const hb_secret_t *key, const hb_secret_t *secret,
                                    char *err, size_t err_size);

//  Frees, nulls *self_p. NULL-safe. Registers nothing on the host, so there
//  is nothing to cancel there.
void deribit_venue_destroy (deribit_venue_t **self_p);

//  The connection is up: heartbeats, subscriptions, authentication.
void deribit_venue_on_open (deribit_venue_t *self);

//  One received text frame. Never fails: bad frames are counted and logged
//  with a rate limit.
void deribit_venue_on_msg (deribit_venue_t *self, const char *text, size_t len);

//  The connection is gone: every book invalid, the venue in outage until
//  the next on_open, requests in flight forgotten.
void deribit_venue_on_close (deribit_venue_t *self, const char *reason);

//  Housekeeping, to be called every few hundred ms: resubscriptions held
//  back by the credit budget, token refresh, failed authentication retry,
//  requests that never got an answer.
void deribit_venue_poll (deribit_venue_t *self);

//  hb orders and cancels (hb_venue_ops_t semantics: always answered on the
//  bus, now or later). Return 0.
int deribit_venue_order (deribit_venue_t *self, const hb_order_t *order);
int deribit_venue_cancel (deribit_venue_t *self, const hb_cancel_t *cancel);

//  Counters since new.
void deribit_venue_stats (const deribit_venue_t *self, deribit_stats_t *stats);

//  The book of the configured symbol (venue units), NULL when unknown. For
//  tests and the bench.
const deribit_book_t *deribit_venue_book (const deribit_venue_t *self, const char *symbol);

//  The Deribit instrument a configured symbol maps to, NULL when unknown.
const char *deribit_venue_instrument (const deribit_venue_t *self, const char *symbol);

//  The status last given to host->set_status (0, HB_TICK_STALE, HB_TICK_OUTAGE).
uint32_t deribit_venue_status (const deribit_venue_t *self);

#endif
