/*  hb_ratelimit: a token bucket for a venue's request limits.

    The bucket holds up to burst tokens and refills at rate tokens per
    second; a request of cost c may go when c tokens are there, and takes
    them. Venues count differently (Binance: request weight per minute;
    OKX: requests per 2 s per endpoint; Deribit: credits), so costs and
    rates are the plugin's to choose: one bucket per limit it must respect.
    A venue that answers "too many requests" (HTTP 429/418, Retry-After)
    is obeyed with hb_ratelimit_pause: nothing passes until then.

    Time is given by the caller (ns, any monotonic or wall clock used
    consistently), so tests need no clock. A plain struct, embeddable;
    members are read-only outside hb_ratelimit.c.                         */
#ifndef HB_RATELIMIT_H
#define HB_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct {
    double   rate;              //  tokens per second (> 0)
    double   burst;             //  bucket size (> 0)
    double   tokens;            //  tokens now, as of last_ns
    int64_t  last_ns;           //  last refill
    int64_t  paused_until_ns;   //  nothing passes before this (0: not paused)
    uint64_t refused;           //  hb_ratelimit_take calls that said no
} hb_ratelimit_t;

//  A full bucket at now_ns. Returns 0, or -1 when rate or burst is not a
//  finite number > 0 (the bucket is then left unusable: every take fails).
int hb_ratelimit_init (hb_ratelimit_t *self, double rate_per_s, double burst, int64_t now_ns);

//  Takes cost tokens and returns true when they are there at now_ns and the
//  bucket is not paused; otherwise takes nothing, counts a refusal and
//  returns false. A cost above burst can never pass.
bool hb_ratelimit_take (hb_ratelimit_t *self, double cost, int64_t now_ns);

//  How long from now_ns until cost tokens will be there (0: now), in ns;
//  -1 when cost exceeds burst. Takes nothing: use it to arm a retry timer.
int64_t hb_ratelimit_wait_ns (const hb_ratelimit_t *self, double cost, int64_t now_ns);

//  Refuses everything until until_ns and empties the bucket (the venue
//  told us to back off; its count, not ours, is the truth).
void hb_ratelimit_pause (hb_ratelimit_t *self, int64_t until_ns);

#endif
