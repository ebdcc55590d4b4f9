/*  hb_backoff: reconnect delays, exponential with full jitter.

    The n-th delay (n from 0) is drawn uniformly from [0, min (max_ms,
    base_ms * 2^n)] ("full jitter", as in the AWS architecture note): a
    crowd of clients cut off together spreads its reconnects over the whole
    window instead of arriving in waves. The draw comes from a small
    xorshift generator seeded by the caller, so a test that fixes the seed
    gets the same sequence every time; a plugin seeds it from the clock.

    A plain struct so that objects can embed one without allocating; its
    members are read-only outside hb_backoff.c.                             */
#ifndef HB_BACKOFF_H
#define HB_BACKOFF_H

#include <stdint.h>

typedef struct {
    uint64_t base_ms;           //  ceiling of the first delay (>= 1)
    uint64_t max_ms;            //  cap on the ceiling (>= base_ms)
    uint32_t attempt;           //  delays drawn since the last reset
    uint64_t state;             //  generator state (never 0)
} hb_backoff_t;

//  Sets base and cap (a base of 0 is taken as 1, a cap below base as base)
//  and seeds the generator (any seed, 0 included, is valid). Attempt 0.
void hb_backoff_init (hb_backoff_t *self, uint64_t base_ms, uint64_t max_ms, uint64_t seed);

//  The ceiling the next delay is drawn under: min (max_ms, base_ms * 2^attempt).
uint64_t hb_backoff_ceiling (const hb_backoff_t *self);

//  Draws the next delay in ms, uniform in [0, hb_backoff_ceiling ()], and
//  counts the attempt. Never fails.
uint64_t hb_backoff_next (hb_backoff_t *self);

//  Back to attempt 0 (call once a connection has proved healthy). The
//  generator is not reseeded.
void hb_backoff_reset (hb_backoff_t *self);

#endif
