/*  hb_config_risk: components.risk, hb-risk's settings (docs/CONFIG.md,
    Risk). Part of the config loader (hb_config_int.h): every problem is
    reported through hb_yaml with its line and key path, defaults are
    filled in when the file has no risk component.                        */
#include "hb_config_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define S_BAND_DEFAULT_USD  100000.0

const char *const hb_cfg_risk_keys [] = {
    "endpoint", "cpu", "orders", "host", "enabled", "program", "metrics",
    "sample_ms", "lambda", "quote_stale_ms", "publish_ms", "var_confidence", "var_horizon_s",
    "stress_corr", "band", "bands", "residual_sigma_limit", "min_samples", "rate",
    "checkpoint", "checkpoint_max_age_s", "checkpoint_every_s",
    "max_index_deviation", "regime", "vega_buckets", "gamma_bands", "vega_bands",
    "option_target", "option_hold_ms", NULL
};

static const char *const s_regime_keys [] = {
    "threshold", "shift_z", "lambda_ref", "lambda_fast", "lambda_slow", "warmup", "hold",
    "hedge", "proxy_floor", "stress_var", NULL
};

static const hb_cfg_range_t s_lambda = { 0, 1, true, true };
static const hb_cfg_range_t s_confidence = { 0.5, 1, true, true };
static const hb_cfg_range_t s_corr = { -1, 1, false, false };
static const hb_cfg_range_t s_rate = { -1, 1, false, false };
static const hb_cfg_range_t s_deviation = { 0, 10, false, false };
static const hb_cfg_range_t s_threshold = { 0, 1000, true, false };
static const hb_cfg_range_t s_shift_z = { 0, 3, true, false };
static const hb_cfg_range_t s_floor = { 0, 1, false, true };

//  Entry i of a map keyed by asset: the asset's index with the entry in
//  *entry, or -1 (an unknown asset is an error at the entry)
static int
s_asset_entry (hb_cfg_loader_t *self, const hb_ynode_t *map, int i, hb_ynode_t *entry)
{
    const char *key;
    if (hb_ynode_pair (map, i, &key, entry) != 0 || !key)
        return -1;
    int asset = hb_config_asset_index (self->cfg, key);
    if (asset < 0)
        hb_yaml_error (entry, "unknown asset '%s' (not in assets:)", key);
    return asset;
}

//  bands: { ASSET: usd, ... } over the default band
static void
s_bands (hb_cfg_loader_t *self, const hb_ynode_t *map, double dflt)
{
    hb_risk_cfg_t *risk = &self->cfg->risk;
    for (int i = 0; i < HB_MAX_ASSETS; i++)
        risk->band_usd [i] = dflt;
    hb_ynode_t bands, entry;
    if (hb_ynode_get (map, "bands", &bands) != 0 || !hb_ynode_expect_map (&bands))
        return;
    for (int i = 0; i < hb_ynode_size (&bands); i++) {
        int asset = s_asset_entry (self, &bands, i, &entry);
        if (asset < 0)
            continue;
        double band;
        if (hb_ynode_double (&entry, &band) == 0) {
            if (band > 0)
                risk->band_usd [asset] = band;
            else
                hb_yaml_error (&entry, "must be > 0 (USD)");
        }
    }
}

//  vega_buckets: [days, ...], the expiry bucket edges, strictly increasing
static void
s_vega_buckets (const hb_ynode_t *map, hb_risk_cfg_t *risk)
{
    hb_ynode_t seq, item;
    risk->n_vega_edges = 0;
    if (hb_ynode_get (map, "vega_buckets", &seq) != 0 || !hb_ynode_expect_seq (&seq))
        return;
    if (hb_ynode_size (&seq) > HB_CFG_VEGA_BUCKETS - 1) {
        hb_yaml_error (&seq, "at most %d edges (%d buckets)", HB_CFG_VEGA_BUCKETS - 1, HB_CFG_VEGA_BUCKETS);
        return;
    }
    for (int i = 0; hb_ynode_item (&seq, i, &item) == 0; i++) {
        int64_t days;
        if (hb_ynode_int (&item, 1, 65535, &days) != 0)
            continue;
        if (risk->n_vega_edges > 0 && days <= risk->vega_edges [risk->n_vega_edges - 1]) {
            hb_yaml_error (&item, "must be more than the edge before (%d days)",
                           risk->vega_edges [risk->n_vega_edges - 1]);
            continue;
        }
        risk->vega_edges [risk->n_vega_edges++] = (int) days;
    }
}

//  One band: > 0, or 0 where zero_ok (a bucket with no band)
static int
s_band (const hb_ynode_t *node, bool zero_ok, double *band)
{
    double value;
    if (hb_ynode_double (node, &value) != 0)
        return -1;
    if (!(value > 0 || (zero_ok && value == 0))) {
        hb_yaml_error (node, zero_ok ? "must be >= 0 (0: no band for this bucket)" : "must be > 0");
        return -1;
    }
    *band = value;
    return 0;
}

//  gamma_bands: { ASSET: usd }; vega_bands: { ASSET: usd | [usd per bucket] }
static void
s_greek_bands (hb_cfg_loader_t *self, const hb_ynode_t *map)
{
    hb_risk_cfg_t *risk = &self->cfg->risk;
    int n_buckets = risk->n_vega_edges + 1;
    memset (risk->gamma_band_usd, 0, sizeof risk->gamma_band_usd);
    memset (risk->vega_band_usd, 0, sizeof risk->vega_band_usd);
    for (int which = 0; which < 2; which++) {
        hb_ynode_t bands, entry, item;
        if (hb_ynode_get (map, which ? "vega_bands" : "gamma_bands", &bands) != 0
        ||  !hb_ynode_expect_map (&bands))
            continue;
        for (int i = 0; i < hb_ynode_size (&bands); i++) {
            int asset = s_asset_entry (self, &bands, i, &entry);
            if (asset < 0)
                continue;
            if (!which) {
                s_band (&entry, false, &risk->gamma_band_usd [asset]);
                continue;
            }
            if (!hb_ynode_is_seq (&entry)) {
                double band;
                if (s_band (&entry, false, &band) == 0)
                    for (int b = 0; b < n_buckets; b++)
                        risk->vega_band_usd [asset][b] = band;
                continue;
            }
            if (hb_ynode_size (&entry) != n_buckets) {
                hb_yaml_error (&entry, "needs %d bands, one per bucket of vega_buckets (has %d)",
                               n_buckets, hb_ynode_size (&entry));
                continue;
            }
            for (int b = 0; hb_ynode_item (&entry, b, &item) == 0; b++)
                s_band (&item, true, &risk->vega_band_usd [asset][b]);
        }
    }
}

//  checkpoint: an absolute path, <run_dir>/risk.ckpt by default; its age
//  limit (0: no checkpoint) and how often it is written
static void
s_checkpoint (hb_cfg_loader_t *self, const hb_ynode_t *map)
{
    hb_risk_cfg_t *risk = &self->cfg->risk;
    hb_ynode_t node;
    int n = snprintf (risk->checkpoint, sizeof risk->checkpoint, "%s/risk.ckpt", self->cfg->run_dir);
    if (hb_ynode_get (map, "checkpoint", &node) == 0) {
        if (hb_ynode_string (&node, risk->checkpoint, sizeof risk->checkpoint) == 0
        &&  risk->checkpoint [0] != '/')
            hb_yaml_error (&node, "must be an absolute path");
    }
    else
    if (n < 0 || (size_t) n >= sizeof risk->checkpoint)
        hb_yaml_error_at (self->yaml, 0, "components.risk",
                          "default <run_dir>/risk.ckpt is too long: set checkpoint");
    hb_cfg_integer (map, "checkpoint_max_age_s", 300, 0, 86400, &risk->checkpoint_max_age_s);
    hb_cfg_integer (map, "checkpoint_every_s", 10, 1, 3600, &risk->checkpoint_every_s);
}

//  regime: { threshold, ... }, the detector of risk/hb_regime.h. The
//  defaults are HB_REGIME_* there (common cannot include risk/; the
//  risk/hb_regime_test checks that the two agree)
static void
s_regime (hb_cfg_loader_t *self, const hb_ynode_t *map)
{
    hb_regime_cfg_t *regime = &self->cfg->risk.regime;
    hb_ynode_t none = { .doc = self->yaml, .path = "components.risk.regime" };
    hb_ynode_t node;
    const hb_ynode_t *section = &none;
    if (hb_ynode_get (map, "regime", &node) == 0 && hb_ynode_expect_map (&node)) {
        hb_ynode_check_keys (&node, s_regime_keys);
        section = &node;
    }
    hb_cfg_number (section, "threshold", false, 9.0, &s_threshold, &regime->threshold);
    hb_cfg_number (section, "shift_z", false, 0.7, &s_shift_z, &regime->shift_z);
    hb_cfg_number (section, "lambda_ref", false, 0.998, &s_lambda, &regime->lambda_ref);
    hb_cfg_number (section, "lambda_fast", false, 0.9, &s_lambda, &regime->lambda_fast);
    hb_cfg_number (section, "lambda_slow", false, 0.985, &s_lambda, &regime->lambda_slow);
    hb_cfg_integer (section, "warmup", 200, 10, 1000000, &regime->warmup);
    hb_cfg_integer (section, "hold", 50, 1, 1000000, &regime->hold);
    regime->hedge = hb_cfg_bool (section, "hedge", true);
    hb_cfg_number (section, "proxy_floor", false, 0.3, &s_floor, &regime->proxy_floor);
    regime->stress_var = hb_cfg_bool (section, "stress_var", true);
}

void
hb_cfg_risk (hb_cfg_loader_t *self, const hb_ynode_t *map, hb_component_cfg_t *component)
{
    hb_risk_cfg_t *risk = &self->cfg->risk;
    hb_ynode_t none = { .doc = self->yaml, .path = "components.risk" };
    hb_ynode_t node;
    bool present = map != NULL;
    if (!map)
        map = &none;
    risk->cpu = component ? component->cpu : -1;
    if (component && component->endpoint [0])
        strcpy (risk->endpoint, component->endpoint);
    else
    if (hb_ynode_get (map, "endpoint", &node) != 0) {
        hb_cfg_endpoint_key (self, map, "endpoint", "risk.pub", risk->endpoint);
        //  tools (hb-tap, hb-record) find publishers by their component
        if (component)
            strcpy (component->endpoint, risk->endpoint);
    }

    hb_cfg_integer (map, "sample_ms", 1000, 10, 3600000, &risk->sample_ms);
    hb_cfg_number (map, "lambda", false, 0.94, &s_lambda, &risk->lambda);
    hb_cfg_integer (map, "quote_stale_ms", 3000, 1, 3600000, &risk->quote_stale_ms);
    hb_cfg_integer (map, "publish_ms", 1000, 10, 3600000, &risk->publish_ms);
    hb_cfg_number (map, "var_confidence", false, 0.99, &s_confidence, &risk->var_confidence);
    hb_cfg_number (map, "var_horizon_s", false, 86400, &hb_cfg_positive, &risk->var_horizon_s);
    hb_cfg_number (map, "stress_corr", false, 0.95, &s_corr, &risk->stress_corr);
    double band = S_BAND_DEFAULT_USD;
    hb_cfg_number (map, "band", false, S_BAND_DEFAULT_USD, &hb_cfg_positive, &band);
    s_bands (self, map, band);
    s_vega_buckets (map, risk);
    s_greek_bands (self, map);
    hb_cfg_number (map, "residual_sigma_limit", false, 0, &hb_cfg_nonneg, &risk->residual_sigma_limit);
    hb_cfg_integer (map, "min_samples", 30, 2, 1000000, &risk->min_samples);
    hb_cfg_number (map, "rate", false, 0, &s_rate, &risk->rate);
    s_checkpoint (self, map);
    hb_cfg_number (map, "max_index_deviation", false, 0.2, &s_deviation, &risk->max_index_deviation);
    hb_cfg_number (map, "option_target", false, 0.5, &(hb_cfg_range_t) { 0, 1, false, false },
                   &risk->option_target);
    hb_cfg_integer (map, "option_hold_ms", 15000, 100, 3600000, &risk->option_hold_ms);
    s_regime (self, map);

    //  a risk sample carries at most HB_RISK_MAX_ASSETS assets (in parts,
    //  docs/PROTOCOL.md): as many as HB_MAX_ASSETS today; should the two
    //  part, a deployment with more is refused here, clearly, rather than
    //  publishing part of its assets
    if (present && self->cfg->n_assets > HB_RISK_MAX_ASSETS)
        hb_yaml_error_at (self->yaml, component ? component->line : 0, "components.risk",
                          "hb-risk handles at most %d assets, assets: has %d",
                          HB_RISK_MAX_ASSETS, self->cfg->n_assets);
}
