/*  hb_time: the two clocks of hedgebus. Wall time (CLOCK_REALTIME, ns since
    the Unix epoch) goes on the wire; monotonic time measures intervals.     */
#ifndef HB_TIME_H
#define HB_TIME_H

#include <stdint.h>
#include <time.h>

#define HB_NS_PER_MS  INT64_C(1000000)
#define HB_NS_PER_SEC INT64_C(1000000000)

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
