/*  hb_hist: see hb_hist.h.

    Bucket index: values below 32 have one bucket each; a value v >= 32 with
    its top bit at position e falls into the sub-bucket given by its next 5
    bits, so bucket = (e - 4) * 32 + (v >> (e - 5)) - 32, contiguous with
    the exact buckets below it.                                              */
#include "hb_hist.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define SUB_BITS    5
#define SUB_COUNT   (1 << SUB_BITS)
#define BUCKETS     ((64 - SUB_BITS + 1) * SUB_COUNT)

struct _hb_hist_t {
    uint64_t count;
    uint64_t min;
    uint64_t max;
    long double sum;            //  the mean stays exact over long runs
    uint64_t buckets [BUCKETS];
};

static inline unsigned
s_bucket (uint64_t value)
{
    if (value < SUB_COUNT)
        return (unsigned) value;
    unsigned top = 63u - (unsigned) __builtin_clzll (value);
    return (top - SUB_BITS + 1) * SUB_COUNT + (unsigned) (value >> (top - SUB_BITS)) - SUB_COUNT;
}

//  Highest value that lands in bucket.
static uint64_t
s_bucket_high (unsigned bucket)
{
    if (bucket < SUB_COUNT)
        return bucket;
    unsigned top = bucket / SUB_COUNT + SUB_BITS - 1;
    uint64_t mantissa = bucket % SUB_COUNT + SUB_COUNT;
    uint64_t low = mantissa << (top - SUB_BITS);
    return low + ((UINT64_C (1) << (top - SUB_BITS)) - 1);
}

hb_hist_t *
hb_hist_new (void)
{
    hb_hist_t *self = (hb_hist_t *) calloc (1, sizeof (hb_hist_t));
    if (self)
        hb_hist_reset (self);
    return self;
}

void
hb_hist_destroy (hb_hist_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

void
hb_hist_reset (hb_hist_t *self)
{
    assert (self);
    memset (self, 0, sizeof *self);
    self->min = UINT64_MAX;
}

void
hb_hist_record (hb_hist_t *self, int64_t value)
{
    assert (self);
    uint64_t v = value > 0 ? (uint64_t) value : 0;
    self->buckets [s_bucket (v)]++;
    self->count++;
    self->sum += v;
    if (v < self->min)
        self->min = v;
    if (v > self->max)
        self->max = v;
}

uint64_t
hb_hist_percentile (hb_hist_t *self, double p)
{
    assert (self);
    if (self->count == 0)
        return 0;
    if (!(p > 0))               //  also catches NaN
        return self->min;
    if (p >= 1)
        return self->max;
    //  The rank of the value we want, 1-based, rounded up so that p99 of
    //  100 values is the 99th, not the 100th; the tolerance keeps 0.01 *
    //  1000 (a hair above 10 in binary) from becoming 11.
    double exact = p * (double) self->count;
    uint64_t rank = (uint64_t) exact;
    if (exact - (double) rank > 1e-9 * exact)
        rank++;
    if (rank == 0)
        rank = 1;
    uint64_t seen = 0;
    for (unsigned bucket = 0; bucket < BUCKETS; bucket++) {
        seen += self->buckets [bucket];
        if (seen >= rank) {
            uint64_t high = s_bucket_high (bucket);
            return high > self->max ? self->max : high < self->min ? self->min : high;
        }
    }
    return self->max;
}

uint64_t
hb_hist_count (hb_hist_t *self)
{
    assert (self);
    return self->count;
}

uint64_t
hb_hist_min (hb_hist_t *self)
{
    assert (self);
    return self->count ? self->min : 0;
}

uint64_t
hb_hist_max (hb_hist_t *self)
{
    assert (self);
    return self->max;
}

double
hb_hist_mean (hb_hist_t *self)
{
    assert (self);
    return self->count ? (double) (self->sum / self->count) : 0;
}

void
hb_hist_merge (hb_hist_t *self, hb_hist_t *src)
{
    assert (self);
    assert (src);
    if (src->count == 0)
        return;
    for (unsigned bucket = 0; bucket < BUCKETS; bucket++)
        self->buckets [bucket] += src->buckets [bucket];
    self->count += src->count;
    self->sum += src->sum;
    if (src->min < self->min)
        self->min = src->min;
    if (src->max > self->max)
        self->max = src->max;
}
