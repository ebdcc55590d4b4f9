/*  hb_config_hedger: components.hedger, hb-hedger's limits and durable
    state (docs/CONFIG.md, components.hedger). Part of the config loader
    (hb_config_int.h): every problem is reported through hb_yaml with its
    line and key path; defaults are filled in when the file has no hedger.

    The defaults are deliberately small: a hedger configured by omission
    must not be able to trade much.                                        */
#include "hb_config_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const hb_cfg_hedger_keys [] = {
    "endpoint", "cpu", "orders", "host", "enabled", "program", "metrics",
    "max_order_usd", "max_order_qty", "collar_bps", "orders_per_s", "venue_orders_per_s",
    "burst", "max_net_usd", "net_limits", "max_gross_usd", "max_day_usd",
    "max_request_age_ms", "order_timeout_ms", "max_utilization",
    "journal", "fsync", "kill_file", "hold_hours", "funding_bps", "basis_bps", "options", NULL
};

static const char *const s_option_keys [] = {
    "max_order_gamma", "max_order_vega", "max_order_premium", "max_day_gamma", "max_day_vega",
    "max_day_premium", "band_bps", "max_slippage_bps", NULL
};

static const hb_cfg_range_t s_bps = { 0, 10000, true, false };
static const hb_cfg_range_t s_slippage_bps = { 0, 5000, false, false };

//  key: { ASSET: number > 0, ... } into per_asset (indexed like assets:)
static void
s_asset_map (hb_cfg_loader_t *self, const hb_ynode_t *map, const char *key, double *per_asset)
{
    hb_ynode_t node, entry;
    if (hb_ynode_get (map, key, &node) != 0 || !hb_ynode_expect_map (&node))
        return;
    for (int i = 0; i < hb_ynode_size (&node); i++) {
        const char *name;
        if (hb_ynode_pair (&node, i, &name, &entry) != 0 || !name)
            continue;
        int asset = hb_config_asset_index (self->cfg, name);
        double value;
        if (asset < 0)
            hb_yaml_error (&entry, "unknown asset '%s' (not in assets:)", name);
        else
        if (hb_ynode_double (&entry, &value) == 0) {
            if (value > 0)
                per_asset [asset] = value;
            else
                hb_yaml_error (&entry, "must be > 0");
        }
    }
}

//  venue_orders_per_s: { VENUE: number > 0, ... }
static void
s_venue_rates (hb_cfg_loader_t *self, const hb_ynode_t *map, double *per_venue)
{
    hb_ynode_t node, entry;
    if (hb_ynode_get (map, "venue_orders_per_s", &node) != 0 || !hb_ynode_expect_map (&node))
        return;
    for (int i = 0; i < hb_ynode_size (&node); i++) {
        const char *name;
        if (hb_ynode_pair (&node, i, &name, &entry) != 0 || !name)
            continue;
        const hb_venue_cfg_t *venue = hb_config_venue (self->cfg, name);
        double value;
        if (!venue)
            hb_yaml_error (&entry, "unknown venue '%s' (not in venues:)", name);
        else
        if (hb_ynode_double (&entry, &value) == 0) {
            if (value > 0)
                per_venue [venue - self->cfg->venues] = value;
            else
                hb_yaml_error (&entry, "must be > 0 (orders per second)");
        }
    }
}

//  key: { VENUE: { SYMBOL: bps, ... }, ... } into per [venue][instrument]
//  (a venue's row allocated when the file gives it a value):
//  each a signed number of bps within +-10000, on an instrument of a kind
//  that kind_a or kind_b names, kinds in words (funding: perpetuals;
//  basis: futures).
static void
s_carry_map (hb_cfg_loader_t *self, const hb_ynode_t *map, const char *key, hb_kind_t kind_a,
             hb_kind_t kind_b, const char *kinds, double *per [HB_MAX_VENUES])
{
    static const hb_cfg_range_t range = { -10000, 10000, false, false };
    hb_ynode_t node, venue_node, entry;
    if (hb_ynode_get (map, key, &node) != 0 || !hb_ynode_expect_map (&node))
        return;
    for (int i = 0; i < hb_ynode_size (&node); i++) {
        const char *name;
        if (hb_ynode_pair (&node, i, &name, &venue_node) != 0 || !name)
            continue;
        const hb_venue_cfg_t *venue = hb_config_venue (self->cfg, name);
        if (!venue) {
            hb_yaml_error (&venue_node, "unknown venue '%s' (not in venues:)", name);
            continue;
        }
        if (!hb_ynode_expect_map (&venue_node))
            continue;
        for (int j = 0; j < hb_ynode_size (&venue_node); j++) {
            const char *symbol;
            if (hb_ynode_pair (&venue_node, j, &symbol, &entry) != 0 || !symbol)
                continue;
            const hb_instrument_cfg_t *ins = hb_venue_instrument (venue, symbol);
            if (!ins) {
                hb_yaml_error (&entry, "unknown symbol '%s' (not an instrument of venue %s)",
                               symbol, venue->name);
                continue;
            }
            if (ins->kind != kind_a && ins->kind != kind_b) {
                hb_yaml_error (&entry, "%s is a %s: %s is for %s only", symbol,
                               hb_kind_name (ins->kind), key, kinds);
                continue;
            }
            double value = 0;
            if (hb_cfg_number (&venue_node, symbol, true, 0, &range, &value) != 0)
                continue;
            double **row = &per [venue - self->cfg->venues];
            if (!*row)
                *row = calloc ((size_t) venue->n_instruments, sizeof **row);
            if (*row)
                (*row) [ins - venue->instruments] = value;
            else
                hb_yaml_error (&entry, "out of memory");
        }
    }
}

//  An absolute path at key, else <run_dir>/<dflt>.
static void
s_path (hb_cfg_loader_t *self, const hb_ynode_t *map, const char *key, const char *dflt, char *out)
{
    hb_ynode_t node;
    int n = snprintf (out, HB_PATH_MAX, "%s/%s", self->cfg->run_dir, dflt);
    if (hb_ynode_get (map, key, &node) == 0) {
        if (hb_ynode_string (&node, out, HB_PATH_MAX) == 0 && out [0] != '/')
            hb_yaml_error (&node, "must be an absolute path");
    }
    else
    if (n >= HB_PATH_MAX)
        hb_yaml_error_at (self->yaml, 0, "components.hedger", "default <run_dir>/%s is too long: set %s",
                          dflt, key);
}

void
hb_cfg_hedger (hb_cfg_loader_t *self, const hb_ynode_t *map, hb_component_cfg_t *component)
{
    hb_hedger_cfg_t *hedger = &self->cfg->hedger;
    hb_ynode_t none = { .doc = self->yaml, .path = "components.hedger" };
    hb_ynode_t node;
    if (!map)
        map = &none;
    hedger->cpu = component ? component->cpu : -1;
    if (component && component->endpoint [0])
        strcpy (hedger->endpoint, component->endpoint);
    else
    if (hb_ynode_get (map, "endpoint", &node) != 0) {
        hb_cfg_endpoint_key (self, map, "endpoint", "hedger.pub", hedger->endpoint);
        if (component)
            strcpy (component->endpoint, hedger->endpoint);
    }

    hb_cfg_number (map, "max_order_usd", false, 10000, &hb_cfg_positive, &hedger->max_order_usd);
    memset (hedger->max_order_qty, 0, sizeof hedger->max_order_qty);
    s_asset_map (self, map, "max_order_qty", hedger->max_order_qty);
    hb_cfg_number (map, "collar_bps", false, 50, &s_bps, &hedger->collar_bps);
    double rate = 2;
    hb_cfg_number (map, "orders_per_s", false, 2, &hb_cfg_positive, &rate);
    for (int i = 0; i < HB_MAX_VENUES; i++)
        hedger->orders_per_s [i] = rate;
    s_venue_rates (self, map, hedger->orders_per_s);
    hb_cfg_number (map, "burst", false, 4, &(hb_cfg_range_t) { 1, 1e6, false, false }, &hedger->burst);
    double net = 100000;
    hb_cfg_number (map, "max_net_usd", false, 100000, &hb_cfg_positive, &net);
    for (int i = 0; i < HB_MAX_ASSETS; i++)
        hedger->max_net_usd [i] = net;
    s_asset_map (self, map, "net_limits", hedger->max_net_usd);
    hb_cfg_number (map, "max_gross_usd", false, 0, &hb_cfg_nonneg, &hedger->max_gross_usd);
    hb_cfg_number (map, "max_day_usd", false, 100000, &hb_cfg_positive, &hedger->max_day_usd);
    hb_cfg_integer (map, "max_request_age_ms", 2000, 1, 3600000, &hedger->max_request_age_ms);
    hb_cfg_integer (map, "order_timeout_ms", 5000, 10, 3600000, &hedger->order_timeout_ms);
    hb_cfg_number (map, "max_utilization", false, 0.8, &hb_cfg_unit, &hedger->max_utilization);

    hb_cfg_number (map, "hold_hours", false, 8, &(hb_cfg_range_t) { 0, 8760, true, false },
                   &hedger->hold_hours);
    s_carry_map (self, map, "funding_bps", HB_KIND_LINEAR_PERP, HB_KIND_INVERSE_PERP,
                 "perpetuals", hedger->funding_bps);
    s_carry_map (self, map, "basis_bps", HB_KIND_FUTURE, HB_KIND_FUTURE, "futures",
                 hedger->basis_bps);

    //  options: the option legs' controls (risk.optplan; docs/CONFIG.md)
    hb_ynode_t opts = { .doc = self->yaml, .path = "components.hedger.options" };
    if (hb_ynode_get (map, "options", &node) == 0 && hb_ynode_expect_map (&node)) {
        hb_ynode_check_keys (&node, s_option_keys);
        opts = node;
    }
    hb_cfg_number (&opts, "max_order_gamma", false, 0, &hb_cfg_nonneg, &hedger->opt_max_order_gamma);
    hb_cfg_number (&opts, "max_order_vega", false, 0, &hb_cfg_nonneg, &hedger->opt_max_order_vega);
    hb_cfg_number (&opts, "max_order_premium", false, 0, &hb_cfg_nonneg, &hedger->opt_max_order_premium);
    hb_cfg_number (&opts, "max_day_gamma", false, 0, &hb_cfg_nonneg, &hedger->opt_max_day_gamma);
    hb_cfg_number (&opts, "max_day_vega", false, 0, &hb_cfg_nonneg, &hedger->opt_max_day_vega);
    hb_cfg_number (&opts, "max_day_premium", false, 0, &hb_cfg_nonneg, &hedger->opt_max_day_premium);
    hb_cfg_number (&opts, "band_bps", false, 500, &s_bps, &hedger->opt_band_bps);
    hb_cfg_number (&opts, "max_slippage_bps", false, 0, &s_slippage_bps, &hedger->opt_max_slippage_bps);

    s_path (self, map, "journal", "hedger.journal", hedger->journal);
    hedger->fsync = HB_JOURNAL_FSYNC_ALWAYS;
    if (hb_ynode_get (map, "fsync", &node) == 0) {
        //  an intent that a crash can lose is an order we may send twice
        const char *value = hb_ynode_scalar (&node);
        if (!value || strcmp (value, "always") != 0)
            hb_yaml_error (&node, "must be always: an intent lost in a crash may be sent twice");
    }
    s_path (self, map, "kill_file", "hedger.kill", hedger->kill_file);
    if (strcmp (hedger->kill_file, hedger->journal) == 0)
        hb_yaml_error_at (self->yaml, component ? component->line : 0, "components.hedger.kill_file",
                          "must differ from journal (value '%s')", hedger->kill_file);
}
