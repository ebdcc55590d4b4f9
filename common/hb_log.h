/*  hb_log: levelled logging with the component name, and rate-limited
    complaints for conditions that can repeat on every message.

    Lines go to stderr as
        2026-11-21T05:14:17.123Z feed.alpha WARN  message
    The level is checked before anything is formatted, so a debug line on a
    hot path costs one comparison when debug is off.                         */
#ifndef HB_LOG_H
#define HB_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include "hb_log_level.h"

//  Sets the component name printed on every line and the threshold. The
//  environment variable HB_LOG_LEVEL (error|warn|info|debug), when set,
//  overrides the level given here. Safe to call again (e.g. after the config
//  is read).
void hb_log_init (const char *component, hb_log_level_t level);

//  Parses "error", "warn", "info", "debug". Returns -1 for anything else.
int hb_log_level_parse (const char *text, hb_log_level_t *level);

bool hb_log_enabled (hb_log_level_t level);
const char *hb_log_component (void);

void hb_log (hb_log_level_t level, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));
void hb_log_v (hb_log_level_t level, const char *format, va_list args);

#define hb_error(...) hb_log (HB_LOG_ERROR, __VA_ARGS__)
#define hb_warn(...)  hb_log (HB_LOG_WARN, __VA_ARGS__)
#define hb_info(...)  hb_log (HB_LOG_INFO, __VA_ARGS__)
#define hb_debug(...) \
    do { if (hb_log_enabled (HB_LOG_DEBUG)) hb_log (HB_LOG_DEBUG, __VA_ARGS__); } while (0)

//  A repeated complaint (collectd's c_complain): the first occurrence is
//  logged, then at growing intervals (1 s, 2 s, 4 s ... capped at 60 s), each
//  time with the number of occurrences that were not printed. Zero-initialise
//  (HB_COMPLAIN_INIT) and keep one per distinct condition.
typedef struct {
    int64_t  next_ns;        //  monotonic time before which we stay quiet
    int64_t  interval_ns;    //  current back-off
    uint64_t suppressed;     //  occurrences since the last printed line
    uint64_t total;          //  occurrences ever
} hb_complain_t;

#define HB_COMPLAIN_INIT {0, 0, 0, 0}

void hb_complain (hb_complain_t *self, hb_log_level_t level, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

//  The condition has cleared: if it had been complained about, logs once at
//  info and resets the back-off.
void hb_complain_release (hb_complain_t *self, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

#endif
