/*  hb_risk_cli: see hb_risk_cli.h. */
#include "hb_risk_cli.h"
#include "hb_bs.h"
#include "hb_ewma.h"
#include "hb_msg.h"
#include "hb_prices.h"
#include "hb_regime_cli.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define S_EXIT_DATA     1
#define S_EXIT_USAGE    2

void
hb_risk_cli_usage (FILE *out)
{
    fprintf (out,
        "usage: hb-risk --config FILE [--log-level error|warn|info|debug] [--replay REC --out DIR]\n"
        "       hb-risk analyze --prices FILE.csv [--lambda L] [--hedge TARGET:HEDGE ...]\n"
        "       hb-risk analyze --prices FILE.csv --regime [--json] [--hedge TARGET:PROXY ...]\n"
        "                       [--config FILE] [--threshold H] [--every N]\n"
        "       hb-risk greeks --model bs|black76 --type call|put --spot S --strike K\n"
        "                      --vol V --t T [--rate R] [--div Q]\n"
        "       hb-risk plan --case FILE.yaml [--json]\n"
        "  --config live: index prices, EWMA covariance, exposures with greeks,\n"
        "           VaR and hedge requests on the bus (docs/RISK.md)\n"
        "  analyze  sample and EWMA covariance/correlation of the log returns of a\n"
        "           price CSV (header: time,ASSET,...), and minimum-variance hedge\n"
        "           ratios with their effectiveness; JSON on stdout\n"
        "  --regime the correlation-regime detector over the CSV: the alarms it\n"
        "           would have raised and the hedge ratios it would have used\n"
        "           (components.risk.regime of --config; docs/RISK.md)\n"
        "  greeks   Black-Scholes (spot) or Black-76 (--spot is the forward) price\n"
        "           and greeks: vega per 1.00 vol, theta per year, rho per 1.00 rate\n");
}

//  A whole-field finite number
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
    if (isfinite (value))
        fprintf (out, "%.17g", value);
    else
        fputs ("0", out);
}

static void
s_json_string (FILE *out, const char *text)
{
    char safe [512];
    fprintf (out, "\"%s\"", hb_json_escape (text, safe, sizeof safe));
}

static void
s_json_matrix (FILE *out, const double *m, int n)
{
    fputc ('[', out);
    for (int i = 0; i < n; i++) {
        fputs (i? ",[": "[", out);
        for (int j = 0; j < n; j++) {
            if (j)
                fputc (',', out);
            s_json_number (out, m [(size_t) i * n + j]);
        }
        fputc (']', out);
    }
    fputc (']', out);
}

//  Correlation from a covariance matrix; 0 where a variance is zero
static void
s_corr (const double *cov, int n, double *corr)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double vi = cov [(size_t) i * n + i], vj = cov [(size_t) j * n + j];
            double c = vi > 0.0 && vj > 0.0? cov [(size_t) i * n + j] / sqrt (vi * vj): 0.0;
            corr [(size_t) i * n + j] = i == j && vi > 0.0? 1.0: c > 1.0? 1.0: c < -1.0? -1.0: c;
        }
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

static void
s_print_hedge (FILE *out, const hb_prices_t *prices, const double *cov,
               int target, int hedge, bool first)
{
    int n = hb_prices_assets (prices);
    double var_t = cov [(size_t) target * n + target];
    double var_h = cov [(size_t) hedge * n + hedge];
    double cov_th = cov [(size_t) target * n + hedge];
    double ratio = var_h > 0.0? cov_th / var_h: 0.0;
    //  Var(r_t - ratio r_h) expanded; equals var_t (1 - rho²)
    double resid = var_t - 2.0 * ratio * cov_th + ratio * ratio * var_h;
    double effectiveness = var_t > 0.0? 1.0 - (resid > 0.0? resid: 0.0) / var_t: 0.0;
    fputs (first? "{": ",{", out);
    fputs ("\"target\":", out);
    s_json_string (out, hb_prices_name (prices, target));
    fputs (",\"hedge\":", out);
    s_json_string (out, hb_prices_name (prices, hedge));
    fputs (",\"ratio\":", out);
    s_json_number (out, ratio);
    fputs (",\"effectiveness\":", out);
    s_json_number (out, effectiveness);
    fputc ('}', out);
}

int
hb_risk_cli_analyze (int argc, char **argv, FILE *out, FILE *err)
{
    for (int i = 1; i < argc; i++)
        if (strcmp (argv [i], "--regime") == 0)
            return hb_regime_cli_analyze (argc, argv, out, err);
    const char *path = NULL;
    double lambda = HB_RISK_CLI_LAMBDA;
    int hedge_args = 0;
    for (int i = 1; i < argc; i++) {
        const char *option = argv [i];
        if (i + 1 >= argc) {
            fprintf (err, "hb-risk analyze: %s: missing value\n", option);
            return S_EXIT_USAGE;
        }
        const char *value = argv [++i];
        if (strcmp (option, "--prices") == 0)
            path = value;
        else
        if (strcmp (option, "--lambda") == 0) {
            if (!s_parse_double (value, &lambda) || !(lambda > 0.0 && lambda < 1.0)) {
                fprintf (err, "hb-risk analyze: --lambda '%s': must be a number in (0, 1)\n", value);
                return S_EXIT_USAGE;
            }
        }
        else
        if (strcmp (option, "--hedge") == 0)
            hedge_args++;
        else {
            fprintf (err, "hb-risk analyze: unknown option '%s'\n", option);
            hb_risk_cli_usage (err);
            return S_EXIT_USAGE;
        }
    }
    if (!path) {
        fprintf (err, "hb-risk analyze: --prices FILE.csv is required\n");
        return S_EXIT_USAGE;
    }
    char message [512];
    hb_prices_t *prices = hb_prices_load (path, message, sizeof message);
    if (!prices) {
        fprintf (err, "hb-risk analyze: %s\n", message);
        return S_EXIT_DATA;
    }
    int n = hb_prices_assets (prices), t_count = hb_prices_rows (prices) - 1;
    size_t nn = (size_t) n * (size_t) n;
    int *pairs = calloc ((size_t) (hedge_args > 0? hedge_args: 1) * 2, sizeof *pairs);
    double *returns = calloc ((size_t) t_count * (size_t) n, sizeof *returns);
    double *mean = calloc ((size_t) n, sizeof *mean);
    double *cov = calloc (nn, sizeof *cov);
    double *corr = calloc (nn, sizeof *corr);
    hb_ewma_t *ewma = hb_ewma_new (n, lambda);
    int rc = 0;
    if (!pairs || !returns || !mean || !cov || !corr || !ewma) {
        fprintf (err, "hb-risk analyze: %s: %s\n", path,
                 n > HB_EWMA_MAX_ASSETS? "too many assets": "out of memory");
        rc = S_EXIT_DATA;
    }
    //  --hedge pairs, checked against the header now that it is known
    for (int i = 1, k = 0; rc == 0 && i + 1 < argc; i += 2) {
        if (strcmp (argv [i], "--hedge") != 0)
            continue;
        const char *value = argv [i + 1], *colon = strchr (value, ':');
        int target = colon? s_asset_index (prices, value, (size_t) (colon - value)): -1;
        int hedge = colon? s_asset_index (prices, colon + 1, strlen (colon + 1)): -1;
        if (target < 0 || hedge < 0) {
            fprintf (err, "hb-risk analyze: --hedge '%s': expected TARGET:HEDGE with two asset "
                     "names of the header of %s\n", value, path);
            rc = S_EXIT_USAGE;
        }
        pairs [k * 2] = target;
        pairs [k * 2 + 1] = hedge;
        k++;
    }
    if (rc != 0)
        goto done;

    hb_prices_log_returns (prices, returns);
    //  sample covariance: mean removed, denominator n - 1
    for (int t = 0; t < t_count; t++)
        for (int i = 0; i < n; i++)
            mean [i] += returns [(size_t) t * n + i] / t_count;
    for (int t = 0; t < t_count; t++) {
        const double *r = returns + (size_t) t * n;
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
                cov [(size_t) i * n + j] += (r [i] - mean [i]) * (r [j] - mean [j]);
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j <= i; j++) {
            cov [(size_t) i * n + j] /= t_count - 1;
            cov [(size_t) j * n + i] = cov [(size_t) i * n + j];
        }
    for (int t = 0; t < t_count; t++)
        hb_ewma_update (ewma, returns + (size_t) t * n, NULL);

    fputs ("{\"assets\":[", out);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc (',', out);
        s_json_string (out, hb_prices_name (prices, i));
    }
    fprintf (out, "],\"n_returns\":%d,\"sample\":{\"cov\":", t_count);
    s_json_matrix (out, cov, n);
    s_corr (cov, n, corr);
    fputs (",\"corr\":", out);
    s_json_matrix (out, corr, n);
    fputs ("},\"ewma\":{\"lambda\":", out);
    s_json_number (out, lambda);
    fputs (",\"cov\":", out);
    s_json_matrix (out, hb_ewma_cov (ewma), n);
    hb_ewma_corr_matrix (ewma, corr);
    fputs (",\"corr\":", out);
    s_json_matrix (out, corr, n);
    fputs (",\"vol\":[", out);
    for (int i = 0; i < n; i++) {
        if (i)
            fputc (',', out);
        s_json_number (out, hb_ewma_vol (ewma, i));
    }
    fputs ("]},\"hedges\":[", out);
    bool first = true;
    if (hedge_args > 0)
        for (int k = 0; k < hedge_args; k++, first = false)
            s_print_hedge (out, prices, cov, pairs [k * 2], pairs [k * 2 + 1], first);
    else
        for (int target = 0; target < n; target++)
            for (int hedge = 0; hedge < n; hedge++)
                if (hedge != target) {
                    s_print_hedge (out, prices, cov, target, hedge, first);
                    first = false;
                }
    fputs ("]}\n", out);
done:
    hb_ewma_destroy (&ewma);
    free (corr);
    free (cov);
    free (mean);
    free (returns);
    free (pairs);
    hb_prices_destroy (&prices);
    return rc;
}

int
hb_risk_cli_greeks (int argc, char **argv, FILE *out, FILE *err)
{
    const char *model = NULL, *type = NULL;
    //  spot, strike, vol, t, rate, div
    static const char *names [] = {"--spot", "--strike", "--vol", "--t", "--rate", "--div"};
    double values [6] = {0, 0, 0, 0, 0, 0};
    const char *texts [6] = {NULL};
    bool given [6] = {false};
    for (int i = 1; i < argc; i++) {
        const char *option = argv [i];
        if (i + 1 >= argc) {
            fprintf (err, "hb-risk greeks: %s: missing value\n", option);
            return S_EXIT_USAGE;
        }
        const char *value = argv [++i];
        int k = 0;
        while (k < 6 && strcmp (option, names [k]) != 0)
            k++;
        if (strcmp (option, "--model") == 0)
            model = value;
        else
        if (strcmp (option, "--type") == 0)
            type = value;
        else
        if (k < 6) {
            if (!s_parse_double (value, &values [k])) {
                fprintf (err, "hb-risk greeks: %s '%s': not a number\n", option, value);
                return S_EXIT_USAGE;
            }
            given [k] = true;
            texts [k] = value;
        }
        else {
            fprintf (err, "hb-risk greeks: unknown option '%s'\n", option);
            hb_risk_cli_usage (err);
            return S_EXIT_USAGE;
        }
    }
    bool black76 = model && strcmp (model, "black76") == 0;
    if (!model || (!black76 && strcmp (model, "bs") != 0)) {
        fprintf (err, "hb-risk greeks: --model '%s': expected bs or black76\n", model? model: "");
        return S_EXIT_USAGE;
    }
    if (!type || (strcmp (type, "call") != 0 && strcmp (type, "put") != 0)) {
        fprintf (err, "hb-risk greeks: --type '%s': expected call or put\n", type? type: "");
        return S_EXIT_USAGE;
    }
    for (int k = 0; k < 4; k++)
        if (!given [k]) {
            fprintf (err, "hb-risk greeks: %s is required\n", names [k]);
            return S_EXIT_USAGE;
        }
    for (int k = 0; k < 4; k++)
        if (!(values [k] > 0.0)) {
            fprintf (err, "hb-risk greeks: %s %s: must be positive\n", names [k], texts [k]);
            return S_EXIT_USAGE;
        }
    if (black76 && given [5]) {
        fprintf (err, "hb-risk greeks: --div does not apply to black76 (--spot is the forward)\n");
        return S_EXIT_USAGE;
    }
    bool is_call = strcmp (type, "call") == 0;
    hb_greeks_t g;
    int rc = black76
           ? hb_black76 (is_call, values [0], values [1], values [3], values [4], values [2], &g)
           : hb_bs (is_call, values [0], values [1], values [3], values [4], values [5], values [2], &g);
    if (rc != 0) {
        fprintf (err, "hb-risk greeks: inputs out of the model's domain\n");
        return S_EXIT_USAGE;
    }
    const double fields [] = {g.price, g.delta, g.gamma, g.vega, g.theta, g.rho};
    static const char *keys [] = {"price", "delta", "gamma", "vega", "theta", "rho"};
    fputc ('{', out);
    for (int k = 0; k < 6; k++) {
        fprintf (out, "%s\"%s\":", k? ",": "", keys [k]);
        s_json_number (out, fields [k]);
    }
    fputs ("}\n", out);
    return 0;
}
