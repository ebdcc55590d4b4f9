/*  sim_config: see sim_config.h. What the core config read for the sim
    before ABI v2 (market:, venues.X.sim), now read by the plugin itself
    through the host; same keys, defaults, ranges and messages.           */
#include "sim_config.h"
#include "hb_linalg.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_CORR_TOL  1e-9
#define S_HAS(host, member) \
    (offsetof (hb_host_api_t, member) + sizeof ((host)->member) <= (host)->size && (host)->member)

const char *const sim_config_sections [] = { "market", NULL };

bool
sim_window_active (const sim_window_t *window, double t_s)
{
    if (!window || window->duration_s <= 0 || t_s < window->at_s)
        return false;
    double since = t_s - window->at_s;
    if (window->every_s > 0)
        since = fmod (since, window->every_s);
    return since < window->duration_s;
}

int64_t
sim_market_anchor_ns (const sim_market_cfg_t *market, int64_t now_ns)
{
    if (market && market->anchor_ns != 0)
        return market->anchor_ns;
    const int64_t day_ns = INT64_C(86400) * 1000000000;
    int64_t day = now_ns / day_ns - (now_ns % day_ns < 0);
    return day * day_ns;
}

//  keys: the keys the window's mapping may hold (a regime adds correlation)
static void
s_window (const hb_host_api_t *h, const hb_cfg_node_t *map, const char *const *keys, sim_window_t *window)
{
    h->cfg_check_keys (map, keys);
    h->cfg_number (map, "at", HB_CFG_REQUIRED, 0, 0, INFINITY, &window->at_s);
    h->cfg_number (map, "duration", HB_CFG_REQUIRED | HB_CFG_LO_OPEN, 0, 0, INFINITY, &window->duration_s);
    if (h->cfg_number (map, "every", 0, 0, 0, INFINITY, &window->every_s) == 0
    &&  window->every_s > 0 && window->duration_s >= window->every_s) {
        hb_cfg_node_t every;
        h->cfg_get (map, "every", &every);
        h->cfg_error (&every, "must be longer than duration (%g s), or 0 for once", window->duration_s);
    }
}

//  n x n, symmetric, unit diagonal, |rho| <= 1, positive semi-definite;
//  the identity when absent. Returns the number of problems recorded.
static int
s_correlation (const hb_host_api_t *h, const hb_cfg_node_t *node, double corr [HB_MAX_ASSETS][HB_MAX_ASSETS])
{
    const hb_config_t *cfg = h->config;
    int n = cfg->n_assets;
    //  only the n x n corner is read: the rest of the rows stays untouched
    //  (not resident) with a few assets and HB_MAX_ASSETS room
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            corr [i][j] = i == j;
    if (!h->cfg_present (node) || n == 0)
        return 0;
    if (!h->cfg_expect_seq (node))
        return 1;
    if (h->cfg_size (node) != n) {
        char names [HB_MAX_ASSETS * 8] = "";
        for (int i = 0; i < n && strlen (names) < sizeof names - HB_NAME_MAX - 8; i++)
            snprintf (names + strlen (names), sizeof names - strlen (names), "%s%s",
                      i ? ", " : "", cfg->assets [i].name);
        h->cfg_error (node, "expected %d rows, one per asset in the order of assets: (%s), got %d",
                      n, names, h->cfg_size (node));
        return 1;
    }
    int errors = 0;
    hb_cfg_node_t row, cell;
    for (int i = 0; i < n; i++) {
        if (h->cfg_item (node, i, &row) != 0 || !h->cfg_expect_seq (&row)) {
            errors++;
            continue;
        }
        if (h->cfg_size (&row) != n) {
            h->cfg_error (&row, "expected %d values (one per asset), got %d", n, h->cfg_size (&row));
            errors++;
            continue;
        }
        for (int j = 0; j < n; j++) {
            h->cfg_item (&row, j, &cell);
            if (h->cfg_double (&cell, &corr [i][j]) != 0)
                errors++;
            else
            if (!(corr [i][j] >= -1 && corr [i][j] <= 1)) {
                h->cfg_error (&cell, "a correlation must be in [-1, 1]");
                errors++;
            }
            else
            if (i == j && fabs (corr [i][j] - 1) > S_CORR_TOL) {
                h->cfg_error (&cell, "the diagonal must be 1 (%s with itself)", cfg->assets [i].name);
                errors++;
            }
        }
    }
    if (errors)
        return errors;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (fabs (corr [i][j] - corr [j][i]) > S_CORR_TOL) {
                h->cfg_item (node, i, &row);
                h->cfg_item (&row, j, &cell);
                h->cfg_error (&cell, "not symmetric: [%d][%d] (%s-%s) is %g", j, i,
                              cfg->assets [j].name, cfg->assets [i].name, corr [j][i]);
                errors++;
            }
    if (errors)
        return errors;
    //  n x n, stride n: not HB_MAX_ASSETS^2 on the stack
    double *lower = (double *) calloc ((size_t) n * (size_t) n, sizeof (double));
    double *copy = (double *) calloc ((size_t) n * (size_t) n, sizeof (double));
    if (!lower || !copy) {
        free (lower);
        free (copy);
        h->cfg_error (node, "out of memory for %d assets", n);
        return 1;
    }
    for (int i = 0; i < n; i++)
        memcpy (copy + (size_t) i * (size_t) n, corr [i], (size_t) n * sizeof (double));
    int bad = 0;
    int failed = hb_cholesky_psd (copy, lower, n, n, S_CORR_TOL, &bad);
    free (lower);
    free (copy);
    if (failed != 0) {
        h->cfg_error (node, "not positive semi-definite: no assets can have these correlations "
                      "together (Cholesky fails at row %d, %s)", bad, cfg->assets [bad].name);
        return 1;
    }
    return 0;
}

//  The index of asset name in the deployment, or -1 (an error at node)
static int
s_asset_index (const hb_host_api_t *h, const hb_cfg_node_t *node, const char *name)
{
    for (int a = 0; a < h->config->n_assets; a++)
        if (strcmp (h->config->assets [a].name, name) == 0)
            return a;
    h->cfg_error (node, "no asset '%s' in assets:", name);
    return -1;
}

//  market.vol_surface: { assets: { ASSET: {..} }, shocks: [ {..} ] }
static void
s_vol_surface (const hb_host_api_t *h, const hb_cfg_node_t *map, sim_market_cfg_t *market)
{
    static const char *const keys [] = { "assets", "shocks", NULL };
    static const char *const asset_keys [] = { "level", "reversion", "vol_of_vol", "spot_corr", "skew",
                                               "smile", "term", NULL };
    static const char *const shock_keys [] = { "at", "every", "asset", "factor", "half_life", NULL };
    hb_cfg_node_t assets, item, shocks;
    if (!h->cfg_expect_map (map))
        return;
    h->cfg_check_keys (map, keys);
    market->vol_present = true;
    if (h->cfg_get (map, "assets", &assets) == 0 && h->cfg_expect_map (&assets))
        for (int i = 0; i < h->cfg_size (&assets); i++) {
            const char *name;
            if (h->cfg_pair (&assets, i, &name, &item) != 0 || !name || !h->cfg_expect_map (&item))
                continue;
            int a = s_asset_index (h, &item, name);
            if (a < 0)
                continue;
            sim_vol_asset_t *v = &market->vol [a];
            h->cfg_check_keys (&item, asset_keys);
            v->present = true;
            h->cfg_number (&item, "level", HB_CFG_REQUIRED | HB_CFG_LO_OPEN, 0, 0, SIM_VOL_MAX, &v->level);
            h->cfg_number (&item, "reversion", 0, 2, 0, 100, &v->reversion);
            h->cfg_number (&item, "vol_of_vol", 0, 0.8, 0, 10, &v->vol_of_vol);
            h->cfg_number (&item, "spot_corr", 0, -0.5, -1, 1, &v->spot_corr);
            h->cfg_number (&item, "skew", 0, -0.1, -5, 5, &v->skew);
            h->cfg_number (&item, "smile", 0, 0.2, 0, 10, &v->smile);
            h->cfg_number (&item, "term", 0, -0.05, -1, 1, &v->term);
        }
    if (h->cfg_get (map, "shocks", &shocks) != 0 || !h->cfg_expect_seq (&shocks))
        return;
    for (int i = 0; h->cfg_item (&shocks, i, &item) == 0; i++) {
        if (i == SIM_VOL_SHOCKS) {
            h->cfg_error (&item, "too many vol shocks (at most %d)", SIM_VOL_SHOCKS);
            break;
        }
        if (!h->cfg_expect_map (&item))
            continue;
        sim_vol_shock_t *shock = &market->vol_shocks [market->n_vol_shocks++];
        h->cfg_check_keys (&item, shock_keys);
        h->cfg_number (&item, "at", HB_CFG_REQUIRED, 0, 0, 86400.0 * 365, &shock->at_s);
        h->cfg_number (&item, "every", 0, 0, 0, 86400.0 * 365, &shock->every_s);
        h->cfg_number (&item, "factor", HB_CFG_REQUIRED | HB_CFG_LO_OPEN, 1, 0, 10, &shock->factor);
        h->cfg_number (&item, "half_life", 0, 0, 0, 86400.0 * 365, &shock->half_life_s);
        shock->asset = -1;
        hb_cfg_node_t node;
        char name [HB_NAME_MAX] = "";
        if (h->cfg_get (&item, "asset", &node) == 0 && h->cfg_string (&node, name, sizeof name) == 0
        &&  strcmp (name, "all") != 0)
            shock->asset = s_asset_index (h, &node, name);
        if (shock->asset >= 0 && !market->vol [shock->asset].present)
            h->cfg_error (&node, "asset '%s' has no vol surface (market.vol_surface.assets)", name);
        if (shock->asset < -1)
            shock->asset = -1;
    }
}

//  market.script: [ { at: S, move_pct: P, over: S, asset: NAME|all } ]
static void
s_script (const hb_host_api_t *h, const hb_cfg_node_t *list, sim_market_cfg_t *market)
{
    static const char *const keys [] = { "at", "move_pct", "over", "asset", NULL };
    hb_cfg_node_t item, node;
    if (!h->cfg_expect_seq (list))
        return;
    for (int i = 0; h->cfg_item (list, i, &item) == 0; i++) {
        if (i == SIM_MAX_SCRIPT) {
            h->cfg_error (&item, "too many script segments (at most %d)", SIM_MAX_SCRIPT);
            break;
        }
        if (!h->cfg_expect_map (&item))
            continue;
        sim_script_t *seg = &market->script [market->n_script++];
        double pct = 0;
        h->cfg_check_keys (&item, keys);
        h->cfg_number (&item, "at", HB_CFG_REQUIRED, 0, 0, 86400.0 * 365, &seg->at_s);
        //  -100 % would be a price of 0: the log path cannot hold it
        h->cfg_number (&item, "move_pct", HB_CFG_REQUIRED | HB_CFG_LO_OPEN, 0, -100, 10000, &pct);
        h->cfg_number (&item, "over", 0, 0, 0, 86400.0 * 365, &seg->over_s);
        seg->move = pct > -100 ? log1p (pct / 100) : 0;
        seg->asset = -1;
        char name [HB_NAME_MAX] = "";
        if (h->cfg_get (&item, "asset", &node) == 0 && h->cfg_string (&node, name, sizeof name) == 0
        &&  strcmp (name, "all") != 0)
            seg->asset = s_asset_index (h, &node, name);
        if (seg->asset < -1)
            seg->asset = -1;
    }
}

//  market: the one simulated market (required: the sim simulates it)
static void
s_market (const hb_host_api_t *h, sim_market_cfg_t *market)
{
    static const char *const keys [] = { "seed", "step_ms", "anchor", "correlation", "regime", "jumps",
                                         "vol_surface", "script", NULL };
    static const char *const jump_keys [] = { "per_day", "mean", "std", NULL };
    static const char *const regime_keys [] = { "at", "duration", "every", "correlation", NULL };
    hb_cfg_node_t map, node;
    //  not the matrices: s_correlation writes their n x n corner, and
    //  clearing all of them would make 1 MB resident for nothing
    memset (market, 0, offsetof (sim_market_cfg_t, corr));
    if (h->cfg_section (h->ctx, "market", &map) != 0) {
        h->cfg_error (&map, "missing section: venue %s uses plugin sim, which simulates the market: section",
                      h->venue->name);
        s_correlation (h, &(hb_cfg_node_t) {{0}}, market->corr);
        return;
    }
    if (!h->cfg_expect_map (&map))
        return;
    market->present = true;
    h->cfg_check_keys (&map, keys);
    market->seed = 1;
    if (h->cfg_get (&map, "seed", &node) == 0)
        h->cfg_uint64 (&node, &market->seed);
    h->cfg_number (&map, "step_ms", HB_CFG_LO_OPEN, 100, 0, 60000, &market->step_ms);
    if (h->cfg_get (&map, "anchor", &node) == 0) {
        const char *text = h->cfg_scalar (&node);
        int64_t secs;
        if (text && strcmp (text, "day") == 0)
            market->anchor_ns = 0;
        else
        if (text && strspn (text, "0123456789") == strlen (text) && *text) {
            if (h->cfg_int (&node, 1, INT64_C(7258118400), &secs) == 0)    //  < 2200
                market->anchor_ns = secs * 1000000000;
        }
        else
        if (text && strchr (text, '-'))
            h->cfg_time (&node, &market->anchor_ns);
        else
            h->cfg_error (&node, "expected 'day', a UTC time like 2026-11-21T00:00:00Z or unix seconds");
    }
    h->cfg_get (&map, "correlation", &node);
    s_correlation (h, &node, market->corr);
    if (h->cfg_get (&map, "regime", &node) == 0 && h->cfg_expect_map (&node)) {
        hb_cfg_node_t corr;
        market->regime_present = true;
        s_window (h, &node, regime_keys, &market->regime);
        if (h->cfg_get (&node, "correlation", &corr) == 0)
            s_correlation (h, &corr, market->regime_corr);
        else
            h->cfg_error (&corr, "missing required key");
    }
    if (h->cfg_get (&map, "jumps", &node) == 0 && h->cfg_expect_map (&node)) {
        h->cfg_check_keys (&node, jump_keys);
        h->cfg_number (&node, "per_day", 0, 0, 0, 1000, &market->jumps_per_day);
        h->cfg_number (&node, "mean", 0, 0, -1, 1, &market->jump_mean);
        h->cfg_number (&node, "std", 0, 0, 0, 1, &market->jump_std);
    }
    if (h->cfg_get (&map, "vol_surface", &node) == 0)
        s_vol_surface (h, &node, market);
    if (h->cfg_get (&map, "script", &node) == 0)
        s_script (h, &node, market);
}

//  venues.X.sim.manual_trades: [ { after: S, symbol: SYM, side: buy|sell, qty: Q } ]
static void
s_manual_trades (const hb_host_api_t *h, const hb_cfg_node_t *map, sim_venue_cfg_t *sim)
{
    static const char *const keys [] = { "after", "symbol", "side", "qty", NULL };
    hb_cfg_node_t list, item, node;
    if (h->cfg_get (map, "manual_trades", &list) != 0 || !h->cfg_expect_seq (&list))
        return;
    for (int i = 0; h->cfg_item (&list, i, &item) == 0; i++) {
        if (i == SIM_MAX_MANUAL) {
            h->cfg_error (&item, "too many manual trades (at most %d)", SIM_MAX_MANUAL);
            break;
        }
        if (!h->cfg_expect_map (&item))
            continue;
        sim_manual_t *trade = &sim->manual [sim->n_manual++];
        h->cfg_check_keys (&item, keys);
        h->cfg_number (&item, "after", HB_CFG_REQUIRED, 0, 0, 86400 * 365, &trade->after_s);
        h->cfg_number (&item, "qty", HB_CFG_REQUIRED | HB_CFG_LO_OPEN, 0, 0, 1e9, &trade->qty);
        trade->instrument = -1;
        char text [HB_NAME_MAX] = "";
        if (h->cfg_get (&item, "symbol", &node) != 0)
            h->cfg_error (&node, "missing required key");
        else
        if (h->cfg_string (&node, text, sizeof text) == 0) {
            const hb_instrument_cfg_t *ins = hb_plugin_instrument (h->venue, text);
            if (ins)
                trade->instrument = (int) (ins - h->venue->instruments);
            else
                h->cfg_error (&node, "no instrument '%s' on venue %s", text, h->venue->name);
        }
        if (h->cfg_get (&item, "side", &node) != 0)
            h->cfg_error (&node, "missing required key");
        else
        if (h->cfg_string (&node, text, sizeof text) == 0) {
            if (strcmp (text, "buy") == 0)
                trade->side = HB_SIDE_BUY;
            else
            if (strcmp (text, "sell") == 0)
                trade->side = HB_SIDE_SELL;
            else
                h->cfg_error (&node, "expected buy or sell");
        }
    }
}

//  venues.X.sim.chain: { assets: [..], dailies, weeklies, monthlies,
//  quarterlies, strikes, step_pct, roll_s, settle }
static void
s_chain (const hb_host_api_t *h, const hb_cfg_node_t *map, sim_chain_cfg_t *chain)
{
    static const char *const keys [] = { "assets", "dailies", "weeklies", "monthlies", "quarterlies",
                                         "strikes", "step_pct", "roll_s", "settle", NULL };
    hb_cfg_node_t node, item;
    if (!h->cfg_expect_map (map))
        return;
    h->cfg_check_keys (map, keys);
    chain->present = true;
    if (!h->venue->discover.present)
        h->cfg_error (map, "a chain is listed through discovery: the venue needs a discover: section");
    if (h->cfg_get (map, "assets", &node) != 0)
        h->cfg_error (map, "missing: assets (the assets with an option chain)");
    else
    if (h->cfg_expect_seq (&node)) {
        if (h->cfg_size (&node) == 0)
            h->cfg_error (&node, "at least one asset");
        for (int i = 0; h->cfg_item (&node, i, &item) == 0; i++) {
            char name [HB_NAME_MAX];
            if (h->cfg_string (&item, name, sizeof name) != 0)
                continue;
            int a = hb_config_asset_index (h->config, name);
            if (a < 0)
                h->cfg_error (&item, "no asset '%s' in assets:", name);
            else
                chain->assets [a] = true;
        }
    }
    struct { const char *key; int dflt, lo, hi; int *out; } counts [] = {
        { "dailies", 2, 0, 8, &chain->dailies }, { "weeklies", 2, 0, 8, &chain->weeklies },
        { "monthlies", 2, 0, 8, &chain->monthlies }, { "quarterlies", 2, 0, 8, &chain->quarterlies },
        { "strikes", 10, 1, 200, &chain->strikes }
    };
    for (size_t i = 0; i < sizeof counts / sizeof counts [0]; i++) {
        int64_t value = counts [i].dflt;
        if (h->cfg_get (map, counts [i].key, &node) == 0)
            h->cfg_int (&node, counts [i].lo, counts [i].hi, &value);
        *counts [i].out = (int) value;
    }
    h->cfg_number (map, "step_pct", HB_CFG_LO_OPEN, 2.5, 0, 50, &chain->step_pct);
    h->cfg_number (map, "roll_s", 0, 86400, 10, 86400, &chain->roll_s);
    chain->coin_settled = true;
    if (h->cfg_get (map, "settle", &node) == 0) {
        char text [16];
        if (h->cfg_string (&node, text, sizeof text) == 0) {
            chain->coin_settled = strcmp (text, "coin") == 0;
            if (!chain->coin_settled && strcmp (text, "usd") != 0)
                h->cfg_error (&node, "expected coin or usd");
        }
    }
}

//  venues.X.sim (required: it may be empty, sim: {})
static bool
s_venue (const hb_host_api_t *h, sim_venue_cfg_t *sim)
{
    static const char *const keys [] = { "seed", "basis_bps", "noise_bps", "spread_bps", "level_bps",
                                         "depth", "level_usd", "publish_ms", "latency_ms", "outages",
                                         "manual_trades", "liquidation", "account_ms", "account_margin",
                                         "funding_ms", "funding_rate", "transfers", "chain", NULL };
    static const char *const liq_keys [] = { "enabled", "penalty_bps", NULL };
    static const char *const transfer_keys [] = { "allow", NULL };
    static const char *const outage_keys [] = { "at", "duration", "every", NULL };
    hb_cfg_node_t map, node, outages, item;
    memset (sim, 0, sizeof *sim);
    sim->seed = 1;
    sim->spread_bps = 2;
    sim->level_bps = 1;
    sim->depth = HB_BOOK_DEPTH;
    sim->level_usd = 100000;
    sim->publish_ms = 100;
    if (h->cfg_section (h->ctx, NULL, &map) != 0) {
        h->cfg_error (&map, "missing: a venue with plugin sim needs a sim: section");
        return false;
    }
    if (!h->cfg_expect_map (&map))
        return false;
    h->cfg_check_keys (&map, keys);
    if (h->cfg_get (&map, "seed", &node) == 0)
        h->cfg_uint64 (&node, &sim->seed);
    h->cfg_number (&map, "basis_bps", 0, 0, -1000, 1000, &sim->basis_bps);
    h->cfg_number (&map, "noise_bps", 0, 0, 0, 1000, &sim->noise_bps);
    h->cfg_number (&map, "spread_bps", HB_CFG_LO_OPEN | HB_CFG_HI_OPEN, 2, 0, 10000, &sim->spread_bps);
    h->cfg_number (&map, "level_bps", HB_CFG_LO_OPEN | HB_CFG_HI_OPEN, 1, 0, 10000, &sim->level_bps);
    int64_t depth;
    if (h->cfg_get (&map, "depth", &node) == 0 && h->cfg_int (&node, 1, HB_BOOK_DEPTH, &depth) == 0)
        sim->depth = (int) depth;
    h->cfg_number (&map, "level_usd", HB_CFG_LO_OPEN, 100000, 0, INFINITY, &sim->level_usd);
    h->cfg_number (&map, "publish_ms", 0, 100, 1, 60000, &sim->publish_ms);
    h->cfg_number (&map, "latency_ms", 0, 0, 0, 60000, &sim->latency_ms);
    h->cfg_number (&map, "account_ms", 0, 0, 0, 3600000, &sim->account_ms);
    if (h->cfg_get (&map, "account_margin", &node) == 0)
        h->cfg_bool (&node, &sim->account_margin);
    h->cfg_number (&map, "funding_ms", 0, 0, 0, 86400000, &sim->funding_ms);
    h->cfg_number (&map, "funding_rate", 0, 0.0001, -0.01, 0.01, &sim->funding_rate);
    s_manual_trades (h, &map, sim);
    if (h->cfg_get (&map, "chain", &node) == 0)
        s_chain (h, &node, &sim->chain);
    sim->liq_penalty_bps = 50;
    if (h->cfg_get (&map, "liquidation", &node) == 0 && h->cfg_expect_map (&node)) {
        h->cfg_check_keys (&node, liq_keys);
        hb_cfg_node_t flag;
        if (h->cfg_get (&node, "enabled", &flag) == 0)
            h->cfg_bool (&flag, &sim->liq_enabled);
        h->cfg_number (&node, "penalty_bps", 0, 50, 0, 5000, &sim->liq_penalty_bps);
    }
    //  transfers: { allow: [VENUE, ..] }: destinations this venue may send to
    hb_cfg_node_t allow;
    if (h->cfg_get (&map, "transfers", &node) == 0 && h->cfg_expect_map (&node)) {
        h->cfg_check_keys (&node, transfer_keys);
        if (h->cfg_get (&node, "allow", &allow) == 0 && h->cfg_expect_seq (&allow))
            for (int i = 0; h->cfg_item (&allow, i, &item) == 0; i++) {
                if (sim->n_allow == SIM_MAX_ALLOW) {
                    h->cfg_error (&item, "too many destinations (at most %d)", SIM_MAX_ALLOW);
                    break;
                }
                char name [HB_NAME_MAX];
                if (h->cfg_string (&item, name, sizeof name) != 0)
                    continue;
                bool known = false;
                for (int v = 0; v < h->config->n_venues && !known; v++)
                    known = strcmp (h->config->venues [v].name, name) == 0;
                if (!known)
                    h->cfg_error (&item, "unknown venue '%s' (not in venues:)", name);
                else
                if (strcmp (name, h->venue->name) == 0)
                    h->cfg_error (&item, "a venue does not transfer to itself");
                else
                    strcpy (sim->allow [sim->n_allow++], name);
            }
    }
    if (h->cfg_get (&map, "outages", &outages) != 0 || !h->cfg_expect_seq (&outages))
        return true;
    for (int i = 0; h->cfg_item (&outages, i, &item) == 0; i++) {
        if (i == SIM_MAX_WINDOWS) {
            h->cfg_error (&item, "too many outages (at most %d)", SIM_MAX_WINDOWS);
            break;
        }
        if (h->cfg_expect_map (&item))
            s_window (h, &item, outage_keys, &sim->outages [sim->n_outages++]);
    }
    return true;
}

int
sim_config_read (const hb_host_api_t *host, sim_market_cfg_t *market, sim_venue_cfg_t *sim)
{
    if (!S_HAS (host, cfg_section) || !S_HAS (host, cfg_errors))
        return -1;
    //  both read to the end, so one check lists every mistake
    int before = host->cfg_errors (host->ctx);
    s_market (host, market);
    bool venue_ok = s_venue (host, sim);
    return market->present && venue_ok && host->cfg_errors (host->ctx) == before ? 0 : -1;
}
