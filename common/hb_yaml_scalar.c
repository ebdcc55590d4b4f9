/*  hb_yaml_scalar: the typed scalars of hb_yaml.h: a node read as a string,
    a number, an integer, a boolean or a UTC time, strictly (a number is
    plain decimal text, never NaN, infinity or hex), each failure recorded
    as an error that says what was expected.                               */
#include "hb_yaml.h"
#include "hb_yaml_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

//  A scalar that can be read as a number, a boolean: plain (unquoted) and
//  not empty. Records why not.
static const char *
s_plain (const hb_ynode_t *self, const char *what)
{
    if (self->node && self->node->type == YAML_SCALAR_NODE && !hb_yamli_is_null (self->node)
    &&  self->node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        return hb_ynode_scalar (self);
    hb_yaml_error (self, "expected %s, got %s", what, hb_ynode_type (self));
    return NULL;
}

int
hb_ynode_string (const hb_ynode_t *self, char *buf, size_t size)
{
    const char *text = hb_ynode_scalar (self);
    if (!text || hb_yamli_is_null (self->node)) {
        hb_yaml_error (self, "expected a string, got %s", hb_ynode_type (self));
        return -1;
    }
    if (strlen (text) >= size) {
        hb_yaml_error (self, "too long (at most %zu characters)", size - 1);
        return -1;
    }
    strcpy (buf, text);
    return 0;
}

//  Strict decimal syntax: [+-] digits [. digits] [e [+-] digits]. Leaves
//  out what strtod would also take (hex, "nan", "inf", leading blanks).
static bool
s_decimal (const char *text, bool integer)
{
    const char *p = text;
    if (*p == '+' || *p == '-')
        p++;
    int digits = 0;
    while (isdigit ((unsigned char) *p)) {
        p++;
        digits++;
    }
    if (!integer && *p == '.') {
        p++;
        while (isdigit ((unsigned char) *p)) {
            p++;
            digits++;
        }
    }
    if (digits == 0)
        return false;
    if (!integer && (*p == 'e' || *p == 'E')) {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit ((unsigned char) *p))
            return false;
        while (isdigit ((unsigned char) *p))
            p++;
    }
    return *p == 0;
}

int
hb_ynode_double (const hb_ynode_t *self, double *value)
{
    const char *text = s_plain (self, "a number");
    if (!text)
        return -1;
    const char *bare = text + (*text == '+' || *text == '-');
    if (strcasecmp (bare, ".nan") == 0 || strcasecmp (bare, "nan") == 0) {
        hb_yaml_error (self, "not a number: NaN is not allowed");
        return -1;
    }
    if (strcasecmp (bare, ".inf") == 0 || strcasecmp (bare, "inf") == 0) {
        hb_yaml_error (self, "infinity is not allowed");
        return -1;
    }
    if (!s_decimal (text, false)) {
        hb_yaml_error (self, "not a number");
        return -1;
    }
    errno = 0;
    double parsed = strtod (text, NULL);
    if (!isfinite (parsed) || (errno == ERANGE && fabs (parsed) > 1)) {
        hb_yaml_error (self, "number out of range");
        return -1;
    }
    *value = parsed;
    return 0;
}

int
hb_ynode_int (const hb_ynode_t *self, int64_t min, int64_t max, int64_t *value)
{
    const char *text = s_plain (self, "an integer");
    if (!text)
        return -1;
    if (!s_decimal (text, true)) {
        hb_yaml_error (self, "expected an integer");
        return -1;
    }
    errno = 0;
    long long parsed = strtoll (text, NULL, 10);
    if (errno == ERANGE || parsed < min || parsed > max) {
        hb_yaml_error (self, "must be between %lld and %lld", (long long) min, (long long) max);
        return -1;
    }
    *value = parsed;
    return 0;
}

int
hb_ynode_uint64 (const hb_ynode_t *self, uint64_t *value)
{
    const char *text = s_plain (self, "a non-negative integer");
    if (!text)
        return -1;
    if (!s_decimal (text, true) || *text == '-') {
        hb_yaml_error (self, "expected a non-negative integer");
        return -1;
    }
    errno = 0;
    unsigned long long parsed = strtoull (text, NULL, 10);
    if (errno == ERANGE) {
        hb_yaml_error (self, "number out of range (at most %llu)", (unsigned long long) UINT64_MAX);
        return -1;
    }
    *value = parsed;
    return 0;
}

int
hb_ynode_bool (const hb_ynode_t *self, bool *value)
{
    static const char *truths [] = { "true", "yes", "on" };
    static const char *lies [] = { "false", "no", "off" };
    const char *text = s_plain (self, "true or false");
    if (!text)
        return -1;
    for (int i = 0; i < 3; i++)
        if (strcasecmp (text, truths [i]) == 0 || strcasecmp (text, lies [i]) == 0) {
            *value = strcasecmp (text, truths [i]) == 0;
            return 0;
        }
    hb_yaml_error (self, "expected true or false");
    return -1;
}

//  Reads exactly width digits.
static bool
s_digits (const char **p, int width, int *value)
{
    *value = 0;
    for (int i = 0; i < width; i++, (*p)++) {
        if (!isdigit ((unsigned char) **p))
            return false;
        *value = *value * 10 + (**p - '0');
    }
    return true;
}

int
hb_ynode_time (const hb_ynode_t *self, int64_t *ns)
{
    const char *text = s_plain (self, "a UTC time (2026-11-21T00:00:00Z)");
    if (!text)
        return -1;
    const char *p = text;
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    int64_t fraction_ns = 0;
    bool ok = s_digits (&p, 4, &year) && *p++ == '-' && s_digits (&p, 2, &month)
           && *p++ == '-' && s_digits (&p, 2, &day);
    if (ok && *p == 'T') {
        p++;
        ok = s_digits (&p, 2, &hour) && *p++ == ':' && s_digits (&p, 2, &minute)
          && *p++ == ':' && s_digits (&p, 2, &second);
        if (ok && *p == '.') {
            int64_t scale = 100000000;
            for (p++; isdigit ((unsigned char) *p); p++, scale /= 10)
                fraction_ns += (*p - '0') * scale;
        }
        ok = ok && *p++ == 'Z';
    }
    ok = ok && *p == 0;
    struct tm tm = { .tm_year = year - 1900, .tm_mon = month - 1, .tm_mday = day,
                     .tm_hour = hour, .tm_min = minute, .tm_sec = second };
    time_t secs = ok && year >= 1970 && year < 2200 ? timegm (&tm) : -1;
    //  timegm normalises 2026-02-30 into March: a round trip catches it
    ok = secs > 0 && tm.tm_mon == month - 1 && tm.tm_mday == day && tm.tm_hour == hour
      && tm.tm_min == minute && tm.tm_sec == second;
    if (!ok) {
        hb_yaml_error (self, "expected a UTC time like 2026-11-21T08:00:00Z or a date like 2026-11-21");
        return -1;
    }
    *ns = (int64_t) secs * 1000000000 + fraction_ns;
    return 0;
}

