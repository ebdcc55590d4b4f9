/*  hb_hist: a latency histogram with fixed buckets.

    Log-linear buckets (32 per power of two, as HdrHistogram does with two
    significant digits): values are kept to within 1/32 (3.1 %) of their
    true value over the whole uint64 range, in a fixed 15 KB table. Recording
    is a few instructions and never allocates, so heartbeats can keep one per
    flow on the hot path and benches can report tails without sorting.       */
#ifndef HB_HIST_H
#define HB_HIST_H

#include <stdint.h>

typedef struct _hb_hist_t hb_hist_t;

//  Returns NULL when out of memory.
hb_hist_t *hb_hist_new (void);
void hb_hist_destroy (hb_hist_t **self_p);

//  Records one value (e.g. a latency in ns). Negative values, which a wall
//  clock stepping back can produce, are recorded as 0.
void hb_hist_record (hb_hist_t *self, int64_t value);

//  The value at or below which a fraction p (0..1, e.g. 0.99) of recorded
//  values lie, as the highest value of its bucket but never above the
//  largest value recorded. Returns 0 when nothing was recorded.
uint64_t hb_hist_percentile (hb_hist_t *self, double p);

uint64_t hb_hist_count (hb_hist_t *self);
uint64_t hb_hist_min (hb_hist_t *self);     //  0 when empty
uint64_t hb_hist_max (hb_hist_t *self);     //  0 when empty
double   hb_hist_mean (hb_hist_t *self);    //  0 when empty; exact, not bucketed

//  Adds every value recorded in src to self (e.g. per-thread histograms).
void hb_hist_merge (hb_hist_t *self, hb_hist_t *src);

//  Forgets everything (e.g. at the start of each heartbeat interval).
void hb_hist_reset (hb_hist_t *self);

#endif
