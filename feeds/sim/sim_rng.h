/*  sim_rng: the sim's random numbers. Two kinds, both fully determined by
    their seeds and identical on every platform with IEEE doubles and a
    correctly rounded libm (glibc's log, sqrt, cos, sin):

      - a stream: xoshiro256** (Blackman and Vigna), seeded through
        splitmix64, for the market path, whose steps are drawn in order;
      - a counter hash: sim_rng_hash (a, b, c) mixes its three words with the
        splitmix64 finalizer, for per-venue noise and book details that must
        be a pure function of (seed, step, index) so that a venue can compute
        any step without replaying the ones before.

    Normals come from Box-Muller (no rejection, so a step always consumes the
    same number of stream words). Header-only: the market loop calls these a
    few million times during a fast-forward and they must inline.           */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct {
    uint64_t s [4];
    double   spare;             //  second Box-Muller normal
    bool     has_spare;
} sim_rng_t;

static inline uint64_t
sim_rng_mix (uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C (0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C (0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static inline uint64_t
sim_rng_splitmix (uint64_t *state)
{
    *state += UINT64_C (0x9e3779b97f4a7c15);
    return sim_rng_mix (*state);
}

static inline void
sim_rng_seed (sim_rng_t *self, uint64_t seed)
{
    uint64_t state = seed;
    for (int i = 0; i < 4; i++)
        self->s [i] = sim_rng_splitmix (&state);
    self->spare = 0;
    self->has_spare = false;
}

static inline uint64_t
sim_rng_rotl (uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t
sim_rng_next (sim_rng_t *self)
{
    uint64_t *s = self->s;
    uint64_t result = sim_rng_rotl (s [1] * 5, 7) * 9;
    uint64_t t = s [1] << 17;
    s [2] ^= s [0];
    s [3] ^= s [1];
    s [1] ^= s [2];
    s [0] ^= s [3];
    s [2] ^= t;
    s [3] = sim_rng_rotl (s [3], 45);
    return result;
}

//  Uniform in the open interval (0, 1): the top 53 bits, offset by half a
//  unit so that log () never sees 0.
static inline double
sim_rng_unit (uint64_t bits)
{
    return ((double) (bits >> 11) + 0.5) * 0x1.0p-53;
}

static inline double
sim_rng_uniform (sim_rng_t *self)
{
    return sim_rng_unit (sim_rng_next (self));
}

static inline double
sim_rng_normal (sim_rng_t *self)
{
    if (self->has_spare) {
        self->has_spare = false;
        return self->spare;
    }
    double radius = sqrt (-2.0 * log (sim_rng_uniform (self)));
    double angle = 6.283185307179586 * sim_rng_uniform (self);
    self->spare = radius * sin (angle);
    self->has_spare = true;
    return radius * cos (angle);
}

//  A well-mixed word from three: each is folded through the finalizer, so
//  nearby counters (step k and k + 1) give unrelated outputs.
static inline uint64_t
sim_rng_hash (uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t h = sim_rng_mix (a + UINT64_C (0x9e3779b97f4a7c15));
    h = sim_rng_mix (h ^ (b + UINT64_C (0x632be59bd9b4e019)));
    return sim_rng_mix (h ^ (c + UINT64_C (0x85157af5a2b5c0e3)));
}

//  A standard normal that is a pure function of (a, b, c).
static inline double
sim_rng_hash_normal (uint64_t a, uint64_t b, uint64_t c)
{
    double u1 = sim_rng_unit (sim_rng_hash (a, b, c));
    double u2 = sim_rng_unit (sim_rng_mix (sim_rng_hash (a, b, c) ^ UINT64_C (0xd1b54a32d192ed03)));
    return sqrt (-2.0 * log (u1)) * cos (6.283185307179586 * u2);
}

#endif
