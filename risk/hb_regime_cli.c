/*  hb_regime_cli: see hb_regime_cli.h. */
#include "hb_regime_cli.h"
#include "hb_config.h"
#include "hb_prices.h"
#include "hb_regime.h"
#include "hb_risk.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define S_EXIT_DATA     1
#define S_EXIT_USAGE    2
#define S_EVERY         100

//  One alarm as printed
typedef struct {
    int         row;            //  data row, from 1
    int         change_row;     //  first post-change row (change-point estimate)
    hb_regime_kind_t kind;
    double      statistic;
    double      corr_before, corr_after;    //  reference correlation
    double      ratio_before, ratio_after;  //  recommended ratio
} s_alarm_t;

typedef struct {
    int              target, proxy;
    hb_regime_t     *regime;
    s_alarm_t       *alarms;
    int              n_alarms, cap_alarms;
} s_pair_t;

static bool
s_parse_double (const char *text, double *value)
{
    if (!text || *text == '\0')
        return false;
    char *end;
    errno = 0;
    *value = strtod (text, &end);
    return *end == '\0' && errno != ERANGE && isfinite (*value);
}

static void
s_json_number (FILE *out, double value)
{
    fprintf (out, "%.17g", isfinite (value)? value: 0.0);
}

static void
s_json_string (FILE *out, const char *text)
{
    char safe [512];
    fprintf (out, "\"%s\"", hb_json_escape (text, safe, sizeof safe));
}

static int
s_asset_index (const hb_prices_t *prices, const char *name, size_t length)
{
    for (int i = 0; i < hb_prices_assets (prices); i++) {
        const char *candidate = hb_prices_name (prices, i);
        if (strlen (candidate) == length && memcmp (candidate, name, length) == 0)
            return i;
    }
    return -1;
}

static int
s_add_alarm (s_pair_t *pair, const s_alarm_t *alarm)
{
    if (pair->n_alarms == pair->cap_alarms) {
        int cap = pair->cap_alarms? pair->cap_alarms * 2: 16;
        s_alarm_t *alarms = realloc (pair->alarms, (size_t) cap * sizeof *alarms);
        if (!alarms)
            return -1;
        pair->alarms = alarms;
        pair->cap_alarms = cap;
    }
    pair->alarms [pair->n_alarms++] = *alarm;
    return 0;
}

//  The parameters: config, then --threshold. 0, or the exit status.
static int
s_params (const char *config, const char *threshold, hb_regime_params_t *params, FILE *err)
{
    hb_regime_params_default (params);
    if (config) {
        hb_config_t *cfg = hb_config_load (config);
        if (!cfg) {
            fprintf (err, "hb-risk analyze: --config %s: not loaded (errors above)\n", config);
            return S_EXIT_USAGE;
        }
        //  what hb-risk live would run with this config
        hb_risk_regime_params (&cfg->risk, params);
        hb_config_destroy (&cfg);
    }
    if (threshold && (!s_parse_double (threshold, &params->threshold)
                  ||  !(params->threshold > 0.0 && params->threshold <= 1000.0))) {
        fprintf (err, "hb-risk analyze: --threshold '%s': must be a number in (0, 1000]\n", threshold);
        return S_EXIT_USAGE;
    }
    const char *bad = hb_regime_params_check (params);
    if (bad) {
        fprintf (err, "hb-risk analyze: regime parameter %s out of range\n", bad);
        return S_EXIT_USAGE;
    }
    return 0;
}

static void
s_print_params (FILE *out, const hb_regime_params_t *p, bool json)
{
    if (json) {
        fputs ("{\"threshold\":", out);
        s_json_number (out, p->threshold);
        fputs (",\"shift_z\":", out);
        s_json_number (out, p->shift_z);
        fputs (",\"lambda_ref\":", out);
        s_json_number (out, p->lambda_ref);
        fputs (",\"lambda_fast\":", out);
        s_json_number (out, p->lambda_fast);
        fputs (",\"lambda_slow\":", out);
        s_json_number (out, p->lambda_slow);
        fprintf (out, ",\"warmup\":%d,\"hold\":%d}", p->warmup, p->hold);
    }
    else
        fprintf (out, "regime: threshold %g, shift_z %g, lambda_ref %g, lambda_fast %g, "
                 "lambda_slow %g, warmup %d, hold %d\n", p->threshold, p->shift_z, p->lambda_ref,
                 p->lambda_fast, p->lambda_slow, p->warmup, p->hold);
}

static void
s_print_alarm_json (FILE *out, const hb_prices_t *prices, const s_pair_t *pair,
                    const s_alarm_t *a)
{
    fprintf (out, "{\"row\":%d,\"time\":", a->row);
    s_json_string (out, hb_prices_time (prices, a->row - 1));
    fputs (",\"target\":", out);
    s_json_string (out, hb_prices_name (prices, pair->target));
    fputs (",\"proxy\":", out);
    s_json_string (out, hb_prices_name (prices, pair->proxy));
    fprintf (out, ",\"kind\":\"%s\",\"statistic\":", hb_regime_kind_name (a->kind));
    s_json_number (out, a->statistic);
    fprintf (out, ",\"change_row\":%d,\"corr_before\":", a->change_row);
    s_json_number (out, a->corr_before);
    fputs (",\"corr_after\":", out);
    s_json_number (out, a->corr_after);
    fputs (",\"ratio_before\":", out);
    s_json_number (out, a->ratio_before);
    fputs (",\"ratio_after\":", out);
    s_json_number (out, a->ratio_after);
    fputc ('}', out);
}

//  Runs every pair over the returns, printing the periodic ratios as it
//  goes (text) or into the JSON object; alarms are kept for the end
static int
s_run (FILE *out, const hb_prices_t *prices, const double *returns, s_pair_t *pairs,
       int n_pairs, int every, bool json)
{
    int n = hb_prices_assets (prices), t_count = hb_prices_rows (prices) - 1;
    if (json)
        fputs (",\"ratios\":[", out);
    bool first = true;
    for (int t = 0; t < t_count; t++) {
        int row = t + 2;
        const double *r = returns + (size_t) t * n;
        for (int k = 0; k < n_pairs; k++) {
            s_pair_t *pair = &pairs [k];
            hb_regime_view_t before, view;
            hb_regime_view (pair->regime, &before);
            int rc = hb_regime_update (pair->regime, r [pair->target], r [pair->proxy], row);
            hb_regime_view (pair->regime, &view);
            if (rc == 1) {
                s_alarm_t alarm = {
                    .row = row, .change_row = (int) view.change_sample + 1, .kind = view.kind,
                    .statistic = view.alarm_statistic, .corr_before = before.corr_ref,
                    .corr_after = view.corr_ref, .ratio_before = before.ratio,
                    .ratio_after = view.ratio
                };
                if (s_add_alarm (pair, &alarm) != 0)
                    return -1;
                if (!json)
                    fprintf (out, "alarm   row %d time %s %s:%s kind %s statistic %.3f change_row %d "
                             "corr %.3f -> %.3f ratio %.4f -> %.4f\n", alarm.row,
                             hb_prices_time (prices, row - 1), hb_prices_name (prices, pair->target),
                             hb_prices_name (prices, pair->proxy), hb_regime_kind_name (alarm.kind),
                             alarm.statistic, alarm.change_row, alarm.corr_before, alarm.corr_after,
                             alarm.ratio_before, alarm.ratio_after);
            }
            if (every > 0 && (row % every == 0 || t == t_count - 1)) {
                if (json) {
                    fprintf (out, "%s{\"row\":%d,\"time\":", first? "": ",", row);
                    s_json_string (out, hb_prices_time (prices, row - 1));
                    fputs (",\"target\":", out);
                    s_json_string (out, hb_prices_name (prices, pair->target));
                    fputs (",\"proxy\":", out);
                    s_json_string (out, hb_prices_name (prices, pair->proxy));
                    fprintf (out, ",\"state\":\"%s\",\"ratio\":", hb_regime_state_name (view.state));
                    s_json_number (out, view.ratio);
                    fputs (",\"corr_fast\":", out);
                    s_json_number (out, view.corr_fast);
                    fputc ('}', out);
                    first = false;
                }
                else
                    fprintf (out, "ratio   row %d time %s %s:%s state %s ratio %.4f "
                             "(slow %.4f fast %.4f) corr fast %.3f\n", row,
                             hb_prices_time (prices, row - 1), hb_prices_name (prices, pair->target),
                             hb_prices_name (prices, pair->proxy), hb_regime_state_name (view.state),
                             view.ratio, view.ratio_slow, view.ratio_fast, view.corr_fast);
            }
        }
    }
    if (json)
        fputc (']', out);
    return 0;
}

int
hb_regime_cli_analyze (int argc, char **argv, FILE *out, FILE *err)
{
    const char *path = NULL, *config = NULL, *threshold = NULL;
    bool json = false;
    int hedge_args = 0, every = S_EVERY;
    for (int i = 1; i < argc; i++) {
        const char *option = argv [i];
        if (strcmp (option, "--regime") == 0)
            continue;
        if (strcmp (option, "--json") == 0) {
            json = true;
            continue;
        }
        if (i + 1 >= argc) {
            fprintf (err, "hb-risk analyze: %s: missing value\n", option);
            return S_EXIT_USAGE;
        }
        const char *value = argv [++i];
        double number;
        if (strcmp (option, "--prices") == 0)
            path = value;
        else
        if (strcmp (option, "--config") == 0)
            config = value;
        else
        if (strcmp (option, "--threshold") == 0)
            threshold = value;
        else
        if (strcmp (option, "--every") == 0) {
            if (!s_parse_double (value, &number) || number < 0 || number > 1e9
            ||  number != floor (number)) {
                fprintf (err, "hb-risk analyze: --every '%s': must be a whole number of rows >= 0\n",
                         value);
                return S_EXIT_USAGE;
            }
            every = (int) number;
        }
        else
        if (strcmp (option, "--hedge") == 0)
            hedge_args++;
        else {
            fprintf (err, "hb-risk analyze: %s does not apply to --regime (options: --prices, "
                     "--json, --hedge, --config, --threshold, --every)\n", option);
            return S_EXIT_USAGE;
        }
    }
    if (!path) {
        fprintf (err, "hb-risk analyze: --prices FILE.csv is required\n");
        return S_EXIT_USAGE;
    }
    hb_regime_params_t params;
    int rc = s_params (config, threshold, &params, err);
    if (rc != 0)
        return rc;
    char message [512];
    hb_prices_t *prices = hb_prices_load (path, message, sizeof message);
    if (!prices) {
        fprintf (err, "hb-risk analyze: %s\n", message);
        return S_EXIT_DATA;
    }
    int n = hb_prices_assets (prices), t_count = hb_prices_rows (prices) - 1;
    int n_pairs = hedge_args > 0? hedge_args: n * (n - 1) / 2;
    s_pair_t *pairs = calloc ((size_t) n_pairs, sizeof *pairs);
    double *returns = calloc ((size_t) t_count * (size_t) n, sizeof *returns);
    if (!pairs || !returns) {
        fprintf (err, "hb-risk analyze: %s: out of memory\n", path);
        rc = S_EXIT_DATA;
        goto done;
    }
    if (hedge_args > 0)
        for (int i = 1, k = 0; i + 1 < argc; i++) {
            if (strcmp (argv [i], "--hedge") != 0)
                continue;
            const char *value = argv [++i], *colon = strchr (value, ':');
            int target = colon? s_asset_index (prices, value, (size_t) (colon - value)): -1;
            int proxy = colon? s_asset_index (prices, colon + 1, strlen (colon + 1)): -1;
            if (target < 0 || proxy < 0 || target == proxy) {
                fprintf (err, "hb-risk analyze: --hedge '%s': expected TARGET:PROXY with two "
                         "different asset names of the header of %s\n", value, path);
                rc = S_EXIT_USAGE;
                goto done;
            }
            pairs [k].target = target;
            pairs [k++].proxy = proxy;
        }
    else
        for (int i = 0, k = 0; i < n; i++)
            for (int j = i + 1; j < n; j++, k++) {
                pairs [k].target = i;
                pairs [k].proxy = j;
            }
    for (int k = 0; k < n_pairs; k++)
        if (!(pairs [k].regime = hb_regime_new (&params))) {
            fprintf (err, "hb-risk analyze: out of memory\n");
            rc = S_EXIT_DATA;
            goto done;
        }
    hb_prices_log_returns (prices, returns);

    if (json) {
        fputs ("{\"regime\":", out);
        s_print_params (out, &params, true);
        fprintf (out, ",\"n_returns\":%d", t_count);
    }
    else {
        s_print_params (out, &params, false);
        fprintf (out, "%s: %d assets, %d returns, %d pairs\n", path, n, t_count, n_pairs);
    }
    if (s_run (out, prices, returns, pairs, n_pairs, every, json) != 0) {
        fprintf (err, "hb-risk analyze: out of memory\n");
        rc = S_EXIT_DATA;
        goto done;
    }
    if (json) {
        fputs (",\"alarms\":[", out);
        bool first = true;
        for (int k = 0; k < n_pairs; k++)
            for (int a = 0; a < pairs [k].n_alarms; a++, first = false) {
                if (!first)
                    fputc (',', out);
                s_print_alarm_json (out, prices, &pairs [k], &pairs [k].alarms [a]);
            }
        fputs ("],\"pairs\":[", out);
    }
    for (int k = 0; k < n_pairs; k++) {
        const s_pair_t *pair = &pairs [k];
        hb_regime_view_t view;
        hb_regime_view (pair->regime, &view);
        const char *target = hb_prices_name (prices, pair->target);
        const char *proxy = hb_prices_name (prices, pair->proxy);
        if (json) {
            fputs (k? ",{\"target\":": "{\"target\":", out);
            s_json_string (out, target);
            fputs (",\"proxy\":", out);
            s_json_string (out, proxy);
            fprintf (out, ",\"alarms\":%d,\"state\":\"%s\",\"statistic\":", pair->n_alarms,
                     hb_regime_state_name (view.state));
            s_json_number (out, view.statistic);
            fputs (",\"corr_ref\":", out);
            s_json_number (out, view.corr_ref);
            fputs (",\"corr_fast\":", out);
            s_json_number (out, view.corr_fast);
            fputs (",\"corr_slow\":", out);
            s_json_number (out, view.corr_slow);
            fputs (",\"ratio\":", out);
            s_json_number (out, view.ratio);
            fputs (",\"ratio_fast\":", out);
            s_json_number (out, view.ratio_fast);
            fputs (",\"ratio_slow\":", out);
            s_json_number (out, view.ratio_slow);
            fputc ('}', out);
            continue;
        }
        fprintf (out, "pair    %s:%s alarms %d state %s statistic %.3f corr ref %.3f fast %.3f "
                 "slow %.3f ratio %.4f (fast %.4f slow %.4f)\n", target, proxy, pair->n_alarms,
                 hb_regime_state_name (view.state), view.statistic, view.corr_ref, view.corr_fast,
                 view.corr_slow, view.ratio, view.ratio_fast, view.ratio_slow);
    }
    if (json)
        fputs ("]}\n", out);
done:
    if (pairs)
        for (int k = 0; k < n_pairs; k++) {
            hb_regime_destroy (&pairs [k].regime);
            free (pairs [k].alarms);
        }
    free (pairs);
    free (returns);
    hb_prices_destroy (&prices);
    return rc;
}
