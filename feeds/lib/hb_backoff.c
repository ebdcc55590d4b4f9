/*  hb_backoff: exponential backoff with full jitter. See hb_backoff.h.    */
#include "hb_backoff.h"

//  splitmix64 of the seed, so that 0 and small seeds give a good state
static uint64_t
s_mix (uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void
hb_backoff_init (hb_backoff_t *self, uint64_t base_ms, uint64_t max_ms, uint64_t seed)
{
    self->base_ms = base_ms ? base_ms : 1;
    self->max_ms = max_ms < self->base_ms ? self->base_ms : max_ms;
    self->attempt = 0;
    self->state = s_mix (seed);
    if (self->state == 0)
        self->state = 0x2545f4914f6cdd1dull;
}

uint64_t
hb_backoff_ceiling (const hb_backoff_t *self)
{
    uint64_t ceiling = self->base_ms;
    for (uint32_t i = 0; i < self->attempt && ceiling < self->max_ms; i++)
        ceiling = ceiling > self->max_ms / 2 ? self->max_ms : ceiling * 2;
    return ceiling < self->max_ms ? ceiling : self->max_ms;
}

uint64_t
hb_backoff_next (hb_backoff_t *self)
{
    uint64_t ceiling = hb_backoff_ceiling (self);
    //  xorshift64*
    uint64_t x = self->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    self->state = x;
    uint64_t r = x * 0x2545f4914f6cdd1dull;
    if (self->attempt < UINT32_MAX)
        self->attempt++;
    return r % (ceiling + 1);
}

void
hb_backoff_reset (hb_backoff_t *self)
{
    self->attempt = 0;
}
