/*  hb_log: see hb_log.h. */
#include "hb_log.h"
#include "hb_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char s_component [64] = "hedgebus";
static hb_log_level_t s_level = HB_LOG_INFO;

static const char *s_level_names [] = { "ERROR", "WARN ", "INFO ", "DEBUG" };

int
hb_log_level_parse (const char *text, hb_log_level_t *level)
{
    static const char *names [] = { "error", "warn", "info", "debug" };
    for (int i = 0; text && i < 4; i++)
        if (strcmp (text, names [i]) == 0) {
            *level = (hb_log_level_t) i;
            return 0;
        }
    return -1;
}

void
hb_log_init (const char *component, hb_log_level_t level)
{
    if (component)
        snprintf (s_component, sizeof s_component, "%s", component);
    s_level = level;
    hb_log_level_t env_level;
    if (hb_log_level_parse (getenv ("HB_LOG_LEVEL"), &env_level) == 0)
        s_level = env_level;
}

bool
hb_log_enabled (hb_log_level_t level)
{
    return level <= s_level;
}

const char *
hb_log_component (void)
{
    return s_component;
}

void
hb_log_v (hb_log_level_t level, const char *format, va_list args)
{
    if (!hb_log_enabled (level))
        return;
    if (level < HB_LOG_ERROR || level > HB_LOG_DEBUG)
        level = HB_LOG_ERROR;
    int64_t now = hb_wall_ns ();
    time_t secs = (time_t) (now / HB_NS_PER_SEC);
    struct tm tm;
    gmtime_r (&secs, &tm);
    //  One fprintf per line, so that lines of processes sharing a terminal
    //  or a pipe do not interleave mid-line.
    char line [1024];
    int n = snprintf (line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %s %s ",
                      tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                      tm.tm_hour, tm.tm_min, tm.tm_sec,
                      (int) (now % HB_NS_PER_SEC / HB_NS_PER_MS),
                      s_component, s_level_names [level]);
    if (n < 0)
        return;
    if ((size_t) n < sizeof line)
        vsnprintf (line + n, sizeof line - (size_t) n, format, args);
    //  Text from outside (a symbol, a request's bytes, a venue's message)
    //  ends up in log lines: a control byte must not forge a line or drive
    //  the terminal, so every one is written as \xNN. Escaping here, where
    //  every line passes, covers every caller.
    char safe [4 * sizeof line];
    size_t out = 0;
    for (const unsigned char *c = (const unsigned char *) line; *c && out + 5 < sizeof safe; c++) {
        if (*c < 0x20 || *c == 0x7f)
            out += (size_t) snprintf (safe + out, sizeof safe - out, "\\x%02x", *c);
        else
            safe [out++] = (char) *c;
    }
    safe [out] = 0;
    fprintf (stderr, "%s\n", safe);
}

void
hb_log (hb_log_level_t level, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    hb_log_v (level, format, args);
    va_end (args);
}

#define COMPLAIN_FIRST_NS   HB_NS_PER_SEC
#define COMPLAIN_MAX_NS     (60 * HB_NS_PER_SEC)

void
hb_complain (hb_complain_t *self, hb_log_level_t level, const char *format, ...)
{
    self->total++;
    int64_t now = hb_mono_ns ();
    if (self->interval_ns > 0 && now < self->next_ns) {
        self->suppressed++;
        return;
    }
    if (!hb_log_enabled (level)) {
        self->suppressed++;
        return;
    }
    char text [768];
    va_list args;
    va_start (args, format);
    vsnprintf (text, sizeof text, format, args);
    va_end (args);
    if (self->suppressed > 0)
        hb_log (level, "%s (%llu more since last report, %llu in all)", text,
                (unsigned long long) self->suppressed,
                (unsigned long long) self->total);
    else
        hb_log (level, "%s", text);
    self->suppressed = 0;
    self->interval_ns = self->interval_ns == 0 ? COMPLAIN_FIRST_NS
                      : self->interval_ns * 2 > COMPLAIN_MAX_NS ? COMPLAIN_MAX_NS
                      : self->interval_ns * 2;
    self->next_ns = now + self->interval_ns;
}

void
hb_complain_release (hb_complain_t *self, const char *format, ...)
{
    if (self->interval_ns == 0)
        return;
    char text [768];
    va_list args;
    va_start (args, format);
    vsnprintf (text, sizeof text, format, args);
    va_end (args);
    hb_log (HB_LOG_INFO, "%s (after %llu occurrences)", text,
            (unsigned long long) self->total);
    self->interval_ns = 0;
    self->next_ns = 0;
    self->suppressed = 0;
}
