/*  hb_time: the two clocks of hedgebus. Wall time (CLOCK_REALTIME, ns since
    the Unix epoch) goes on the wire; monotonic time measures intervals.     */
#ifndef HB_TIME_H
#define HB_TIME_H

#include <stdint.h>
#include <time.h>

#define HB_NS_PER_MS  INT64_C(1000000)
#define HB_NS_PER_SEC INT64_C(1000000000)

//  A venue's milliseconds as ns; 0 (unknown) when negative or past what
//  int64 ns can hold: venue input is never trusted to stay in range.
static inline int64_t
hb_ms_to_ns (int64_t ms)
{
    return ms > 0 && ms < INT64_MAX / HB_NS_PER_MS ? ms * HB_NS_PER_MS : 0;
}

static inline int64_t
hb_wall_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * HB_NS_PER_SEC + ts.tv_nsec;
}

static inline int64_t
hb_mono_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * HB_NS_PER_SEC + ts.tv_nsec;
}

#endif
