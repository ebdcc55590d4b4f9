/*  hl_wire: Hyperliquid's number texts and tick/lot rules. See hl_wire.h. */
#include "hl_wire.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "hl_err.h"

int
hl_wire_number (double x, char out [HL_WIRE_MAX], char *err, size_t errsize)
{
    out [0] = 0;
    if (!isfinite (x)) {
        hl_err (err, errsize, "%g is not a number", x);
        return -1;
    }
    //  past 1e15 a double has no 8 decimals to speak of, and "%.8f" grows
    if (fabs (x) >= 1e15) {
        hl_err (err, errsize, "%.17g is too large", x);
        return -1;
    }
    char text [HL_WIRE_MAX];
    snprintf (text, sizeof text, "%.8f", x);
    //  the SDK's test: the 8-decimal text must read back as x (1e-12)
    double back;
    if (sscanf (text, "%lf", &back) != 1 || fabs (back - x) >= 1e-12) {
        hl_err (err, errsize, "%.17g does not survive 8 decimals", x);
        return -1;
    }
    //  Decimal.normalize: no trailing zeros, no trailing point
    char *dot = strchr (text, '.');
    if (dot) {
        char *end = text + strlen (text);
        while (end > dot + 1 && end [-1] == '0')
            *--end = 0;
        if (end == dot + 1)
            *dot = 0;
    }
    //  -0.000000001 and -0.0 print as "-0": the SDK sends "0"
    snprintf (out, HL_WIRE_MAX, "%s", strcmp (text, "-0") == 0? "0": text);
    return 0;
}

//  Decimals of a canonical wire text (0 without a point)
static int
s_decimals (const char *text)
{
    const char *dot = strchr (text, '.');
    return dot? (int) strlen (dot + 1): 0;
}

//  Significant figures of a canonical wire text with a point: digits from
//  the first non-zero one on (it has no trailing zeros after the point)
static int
s_sig_figs (const char *text)
{
    int n = 0;
    bool started = false;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            continue;
        if (*p != '0')
            started = true;
        if (started)
            n++;
    }
    return n;
}

int
hl_wire_price (double px, int sz_decimals, bool spot, char out [HL_WIRE_MAX],
               char *err, size_t errsize)
{
    out [0] = 0;
    int max_decimals = spot? HL_WIRE_SPOT_DECIMALS: HL_WIRE_PERP_DECIMALS;
    if (sz_decimals < 0 || sz_decimals > max_decimals) {
        hl_err (err, errsize, "szDecimals %d outside 0..%d", sz_decimals, max_decimals);
        return -1;
    }
    if (!(px > 0) || !isfinite (px)) {
        hl_err (err, errsize, "price %g is not a number > 0", px);
        return -1;
    }
    char text [HL_WIRE_MAX], why [128];
    if (hl_wire_number (px, text, why, sizeof why)) {
        hl_err (err, errsize, "price %s", why);
        return -1;
    }
    int decimals = s_decimals (text);
    if (decimals == 0) {            //  integer prices are always allowed
        memcpy (out, text, HL_WIRE_MAX);
        return 0;
    }
    int figs = s_sig_figs (text);
    if (figs > HL_WIRE_SIG_FIGS) {
        hl_err (err, errsize, "price %s has %d significant figures, at most %d (or an integer)",
               text, figs, HL_WIRE_SIG_FIGS);
        return -1;
    }
    if (decimals > max_decimals - sz_decimals) {
        hl_err (err, errsize, "price %s has %d decimals, at most %d - szDecimals %d = %d (%s)",
               text, decimals, max_decimals, sz_decimals, max_decimals - sz_decimals,
               spot? "spot": "perp");
        return -1;
    }
    memcpy (out, text, HL_WIRE_MAX);
    return 0;
}

int
hl_wire_size (double sz, int sz_decimals, char out [HL_WIRE_MAX], char *err, size_t errsize)
{
    out [0] = 0;
    if (sz_decimals < 0 || sz_decimals > HL_WIRE_SPOT_DECIMALS) {
        hl_err (err, errsize, "szDecimals %d outside 0..%d", sz_decimals, HL_WIRE_SPOT_DECIMALS);
        return -1;
    }
    if (!(sz > 0) || !isfinite (sz)) {
        hl_err (err, errsize, "size %g is not a number > 0", sz);
        return -1;
    }
    char text [HL_WIRE_MAX], why [128];
    if (hl_wire_number (sz, text, why, sizeof why)) {
        hl_err (err, errsize, "size %s", why);
        return -1;
    }
    if (strcmp (text, "0") == 0) {
        hl_err (err, errsize, "size %.17g is 0 on the wire", sz);
        return -1;
    }
    if (s_decimals (text) > sz_decimals) {
        hl_err (err, errsize, "size %s is finer than szDecimals %d", text, sz_decimals);
        return -1;
    }
    memcpy (out, text, HL_WIRE_MAX);
    return 0;
}

//  x rounded to d decimals, down or up: the nearest d-decimal number, then
//  one step the other way if that went past x. Compared as the doubles the
//  decimals read as, so 0.29 (0.28999999999999998) stays 0.29 rounding down
static double
s_round_to (double x, int d, bool up)
{
    double scale = pow (10, d);
    double n = nearbyint (x * scale);
    if (!up && n / scale > x)
        n -= 1;
    else
    if (up && n / scale < x)
        n += 1;
    return n / scale;
}

double
hl_wire_round_price (double px, int sz_decimals, bool spot, bool up)
{
    int max_decimals = (spot? HL_WIRE_SPOT_DECIMALS: HL_WIRE_PERP_DECIMALS) - sz_decimals;
    if (!(px > 0) || !isfinite (px) || max_decimals < 0)
        return 0;
    char text [HL_WIRE_MAX];
    if (hl_wire_price (px, sz_decimals, spot, text, NULL, 0) == 0)
        return px;
    //  digits before the point: 5 significant figures leave 5 - k decimals
    int k = (int) floor (log10 (px)) + 1;
    int d = HL_WIRE_SIG_FIGS - k;
    if (d > max_decimals)
        d = max_decimals;
    if (d < 0)
        d = 0;                      //  an integer is always valid
    double r = s_round_to (px, d, up);
    //  rounding up may carry into one more integer digit (99999.5 -> 100000):
    //  still an integer, still valid; check once more and give up on 0
    return r > 0 && hl_wire_price (r, sz_decimals, spot, text, NULL, 0) == 0? r: 0;
}

double
hl_wire_round_size (double sz, int sz_decimals)
{
    if (!(sz > 0) || !isfinite (sz) || sz_decimals < 0 || sz_decimals > HL_WIRE_SPOT_DECIMALS)
        return 0;
    return s_round_to (sz, sz_decimals, false);
}

int64_t
hl_wire_time_ns (int64_t time_ms)
{
    return time_ms > 0 && time_ms <= INT64_MAX / 1000000 ? time_ms * 1000000 : 0;
}
