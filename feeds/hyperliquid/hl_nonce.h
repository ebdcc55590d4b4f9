/*  hl_nonce: the nonces of one Hyperliquid signer.

    Every action carries a nonce, by convention the time in milliseconds.
    The venue keeps the 100 highest nonces of each signer, refuses one it
    has seen, one not above the smallest of those, and one outside
    (now - 2 days, now + 1 day) (docs: for-developers/api/nonces-and-api-
    wallets). So ours strictly increase: the clock in ms, or the last one
    + 1 when the clock has not moved on (two orders in one ms, a clock
    stepped back). After a restart, seed it with the last nonce used (or
    let the clock be past it), so no nonce is sent twice.                 */
#ifndef HL_NONCE_H
#define HL_NONCE_H

#include <stdint.h>

typedef struct hl_nonce_s hl_nonce_t;

//  A nonce source that hands out nothing at or below last (0: none yet).
//  NULL when out of memory.
hl_nonce_t *hl_nonce_new (uint64_t last);
void hl_nonce_destroy (hl_nonce_t **self_p);

//  max (now_ms, last + 1), remembered as the last.
uint64_t hl_nonce_next_at (hl_nonce_t *self, uint64_t now_ms);

//  The same with the system clock (CLOCK_REALTIME, ms).
uint64_t hl_nonce_next (hl_nonce_t *self);

//  The last nonce handed out (or given to new).
uint64_t hl_nonce_last (const hl_nonce_t *self);

#endif
