/*  hl_funding: the account's funding payments, from the userFundings
    WebSocket channel (or the /info userFunding query's deltas, the same
    fields):

      {"channel": "userFundings", "data": {"isSnapshot": true, "user": "0x..",
        "fundings": [{"time": ms, "coin": "BTC", "usdc": "-0.26",
                      "szi": "0.004", "fundingRate": "0.0000125"}, ..]}}

    usdc is what the account received (< 0: it paid). Each payment in a
    configured coin becomes one funding.<venue>.<symbol> message: id
    "<coin>:<time ms>" (a coin is paid once an hour, at most once at one
    time), usd the amount paid (> 0: paid, the bus's sign), qty the
    position in bus units, ts_venue the payment's time.

    The subscription's snapshot (the recent past) is published too: a
    payment made while the feed was down is in it, and the aggregator takes
    each id once, across restarts (hb_ledger). Within a run a payment at or
    before the last one published for its coin is not published again
    (every reconnect's snapshot repeats them). Pure: no transport.        */
#ifndef HL_FUNDING_H
#define HL_FUNDING_H

#include <stdint.h>
#include <jansson.h>
#include "hb_vpub.h"
#include "hl_md.h"

typedef struct hl_funding_s hl_funding_t;

typedef struct {
    uint64_t payments;      //  payments read (any coin)
    uint64_t published;     //  funding messages emitted
    uint64_t repeated;      //  payments published before in this run (a snapshot's)
    uint64_t other;         //  payments in coins this venue does not list
    uint64_t malformed;     //  messages refused (a field missing or of the wrong type)
    uint64_t emit_refused;  //  emit returned -1
} hl_funding_stats_t;

//  Payments of md's coins (borrowed, must outlive this) for venue (copied),
//  published through emit. NULL when out of memory.
hl_funding_t *hl_funding_new (const hl_md_t *md, const char *venue, hb_vpub_emit_fn *emit, void *arg);
void hl_funding_destroy (hl_funding_t **self_p);

//  The data of one userFundings message. 0, or -1 when malformed (nothing
//  of it published past the bad entry; counted).
int hl_funding_on_message (hl_funding_t *self, const json_t *data);

const hl_funding_stats_t *hl_funding_stats (const hl_funding_t *self);

#endif
