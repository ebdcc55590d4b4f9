/*  hb_config: see hb_config.h and docs/CONFIG.md.

    The schema lives here; walking the YAML, key paths, lines and error
    collection live in hb_yaml. Each section is read by one s_ function that
    reports every problem it sees and carries on, so one load lists every
    mistake in the file. Checks that span sections (endpoints used twice, a
    sim venue without a market:) run after all sections are read.          */
#include "hb_config_int.h"
#include "hb_linalg.h"
#include "hb_log.h"
#include "hb_rundir.h"
#include "hb_metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_SCHEMA_VERSION    1
#define S_CORR_TOL          1e-9

const hb_cfg_range_t hb_cfg_positive = { 0, INFINITY, true, false };
const hb_cfg_range_t hb_cfg_nonneg   = { 0, INFINITY, false, false };
const hb_cfg_range_t hb_cfg_unit     = { 0, 1, true, false };
static const hb_cfg_range_t s_rho    = { -1, 1, false, false };

const char *
hb_kind_name (hb_kind_t kind)
{
    static const char *names [] = { "?", "spot", "linear_perp", "inverse_perp", "future", "option" };
    return kind >= HB_KIND_SPOT && kind <= HB_KIND_OPTION ? names [kind] : "?";
}

bool
hb_window_active (const hb_window_cfg_t *window, double t_s)
{
    if (!window || window->duration_s <= 0 || t_s < window->at_s)
        return false;
    double since = t_s - window->at_s;
    if (window->every_s > 0)
        since = fmod (since, window->every_s);
    return since < window->duration_s;
}

int64_t
hb_market_anchor_ns (const hb_market_cfg_t *market, int64_t now_ns)
{
    if (market && market->anchor_ns != 0)
        return market->anchor_ns;
    const int64_t day_ns = INT64_C(86400) * 1000000000;
    int64_t day = now_ns / day_ns - (now_ns % day_ns < 0);
    return day * day_ns;
}

//  ---------------------------------------------------------------------------
//  Scalars with defaults and ranges

static void
s_range_error (const hb_ynode_t *node, const hb_cfg_range_t *range)
{
    if (isinf (range->hi))
        hb_yaml_error (node, "must be %s %g", range->lo_open ? ">" : ">=", range->lo);
    else
    if (isinf (range->lo))
        hb_yaml_error (node, "must be %s %g", range->hi_open ? "<" : "<=", range->hi);
    else
        hb_yaml_error (node, "must be in %c%g, %g%c", range->lo_open ? '(' : '[',
                       range->lo, range->hi, range->hi_open ? ')' : ']');
}

static bool
hb_cfg_in_range (double value, const hb_cfg_range_t *range)
{
    return (range->lo_open ? value > range->lo : value >= range->lo)
        && (range->hi_open ? value < range->hi : value <= range->hi);
}

//  Reads map.key as a number into *out, or leaves dflt there when the key is
//  absent and not required. Returns 0 when *out holds a valid value.
int
hb_cfg_number (const hb_ynode_t *map, const char *key, bool required, double dflt,
          const hb_cfg_range_t *range, double *out)
{
    hb_ynode_t node;
    *out = dflt;
    if (required ? hb_ynode_need (map, key, &node) != 0 : hb_ynode_get (map, key, &node) != 0)
        return required ? -1 : 0;
    double value;
    if (hb_ynode_double (&node, &value) != 0)
        return -1;
    if (!hb_cfg_in_range (value, range)) {
        s_range_error (&node, range);
        return -1;
    }
    *out = value;
    return 0;
}

int
hb_cfg_integer (const hb_ynode_t *map, const char *key, int dflt, int min, int max, int *out)
{
    hb_ynode_t node;
    int64_t value;
    *out = dflt;
    if (hb_ynode_get (map, key, &node) != 0)
        return 0;
    if (hb_ynode_int (&node, min, max, &value) != 0)
        return -1;
    *out = (int) value;
    return 0;
}

void
hb_cfg_seed (const hb_ynode_t *map, uint64_t *out)
{
    hb_ynode_t node;
    *out = 1;
    if (hb_ynode_get (map, "seed", &node) == 0)
        hb_ynode_uint64 (&node, out);
}

void
hb_cfg_metrics (const hb_ynode_t *map, char *out)
{
    hb_ynode_t node;
    out [0] = 0;
    if (hb_ynode_get (map, "metrics", &node) != 0
    ||  hb_ynode_string (&node, out, HB_ENDPOINT_MAX) != 0)
        return;
    char why [96];
    if (hb_metrics_address_check (out, why, sizeof why) != 0) {
        hb_yaml_error (&node, "%s (a host:port to serve /metrics on)", why);
        out [0] = 0;
    }
}

bool
hb_cfg_bool (const hb_ynode_t *map, const char *key, bool dflt)
{
    hb_ynode_t node;
    bool value = dflt;
    if (hb_ynode_get (map, key, &node) == 0 && hb_ynode_bool (&node, &value) != 0)
        value = dflt;
    return value;
}

//  A name (asset, venue, symbol, component) given as a scalar value.
int
hb_cfg_name (const hb_ynode_t *node, char *name)
{
    if (hb_ynode_string (node, name, HB_NAME_MAX) != 0)
        return -1;
    if (!hb_name_valid (name)) {
        hb_yaml_error (node, "invalid name: use 1 to %d of the characters A-Z a-z 0-9 . _ : -",
                       HB_NAME_MAX - 1);
        return -1;
    }
    return 0;
}

//  A name given as a mapping key (assets:, venues:, components:).
int
hb_cfg_key_name (hb_cfg_loader_t *self, const hb_ynode_t *entry, const char *key, char *name)
{
    if (key && strlen (key) < HB_NAME_MAX && hb_name_valid (key)) {
        strcpy (name, key);
        return 0;
    }
    hb_yaml_error_at (self->yaml, entry->line, entry->path,
                      "invalid name: use 1 to %d of the characters A-Z a-z 0-9 . _ : - (value '%.40s')",
                      HB_NAME_MAX - 1, key ? key : "");
    return -1;
}

//  ---------------------------------------------------------------------------
//  Endpoints

//  ipc:// with an absolute path that fits a socket address, or
//  tcp://host:port with a host others can connect to.
static int
s_endpoint_check (const hb_ynode_t *node, const char *endpoint)
{
    if (strncmp (endpoint, "ipc://", 6) == 0) {
        const char *path = endpoint + 6;
        if (*path != '/')
            hb_yaml_error (node, "ipc endpoint needs an absolute path (ipc:///dir/file)");
        else
        if (strlen (path) > HB_CFG_IPC_PATH_MAX)
            hb_yaml_error (node, "ipc path longer than %d bytes (a Unix socket limit)", HB_CFG_IPC_PATH_MAX);
        else
            return 0;
        return -1;
    }
    if (strncmp (endpoint, "tcp://", 6) == 0) {
        const char *host = endpoint + 6;
        const char *colon = *host == '[' ? strstr (host, "]:") : strrchr (host, ':');
        if (colon && *colon == ']')
            colon++;
        const char *port = colon ? colon + 1 : NULL;
        char *end = NULL;
        long number = port && *port ? strtol (port, &end, 10) : 0;
        if (!colon || colon == host || (*host == '*' && colon == host + 1))
            hb_yaml_error (node, "tcp endpoint needs a host others can connect to: tcp://host:port");
        else
        if (!end || *end || number < 1 || number > 65535)
            hb_yaml_error (node, "tcp port must be 1..65535");
        else
            return 0;
        return -1;
    }
    hb_yaml_error (node, "endpoint must be ipc:///absolute/path or tcp://host:port");
    return -1;
}

//  Records an endpoint; a second user of the same one is an error that
//  names the first.
static void
s_endpoint_claim (hb_cfg_loader_t *self, const char *endpoint, const char *path, int line)
{
    for (int i = 0; i < self->n_endpoints; i++)
        if (strcmp (self->endpoints [i].endpoint, endpoint) == 0) {
            hb_yaml_error_at (self->yaml, line, path,
                              "duplicate endpoint, already used by %s at line %d (value '%s')",
                              self->endpoints [i].path, self->endpoints [i].line, endpoint);
            return;
        }
    if (self->n_endpoints < HB_CFG_ENDPOINTS_MAX) {
        hb_cfg_endpoint_t *slot = &self->endpoints [self->n_endpoints++];
        snprintf (slot->endpoint, sizeof slot->endpoint, "%s", endpoint);
        snprintf (slot->path, sizeof slot->path, "%s", path);
        slot->line = line;
    }
}

void
hb_cfg_endpoint_key (hb_cfg_loader_t *self, const hb_ynode_t *map, const char *key,
                     const char *dflt_name, char *out)
{
    hb_ynode_t node;
    out [0] = 0;
    if (hb_ynode_get (map, key, &node) == 0) {
        if (hb_ynode_string (&node, out, HB_ENDPOINT_MAX) != 0 || s_endpoint_check (&node, out) != 0) {
            out [0] = 0;
            return;
        }
    }
    else
    if (dflt_name) {
        int n = snprintf (out, HB_ENDPOINT_MAX, "ipc://%s/%s", self->cfg->run_dir, dflt_name);
        if (n >= HB_ENDPOINT_MAX || strlen (out + 6) > HB_CFG_IPC_PATH_MAX) {
            hb_yaml_error (&node, "default endpoint ipc://<run_dir>/%s is too long: set %s", dflt_name, key);
            out [0] = 0;
            return;
        }
    }
    if (out [0])
        s_endpoint_claim (self, out, node.path, node.line);
}

//  ---------------------------------------------------------------------------
//  Sections

//  keys: the keys the window's mapping may hold (a regime adds correlation)
void
hb_cfg_window (const hb_ynode_t *map, const char *const *keys, hb_window_cfg_t *window)
{
    hb_ynode_check_keys (map, keys);
    hb_cfg_number (map, "at", true, 0, &hb_cfg_nonneg, &window->at_s);
    hb_cfg_number (map, "duration", true, 0, &hb_cfg_positive, &window->duration_s);
    if (hb_cfg_number (map, "every", false, 0, &hb_cfg_nonneg, &window->every_s) == 0
    &&  window->every_s > 0 && window->duration_s >= window->every_s) {
        hb_ynode_t every;
        hb_ynode_get (map, "every", &every);
        hb_yaml_error (&every, "must be longer than duration (%g s), or 0 for once", window->duration_s);
    }
}

//  n x n, symmetric, unit diagonal, |rho| <= 1, positive semi-definite.
static void
s_correlation (hb_cfg_loader_t *self, const hb_ynode_t *node, double corr [HB_MAX_ASSETS][HB_MAX_ASSETS])
{
    int n = self->cfg->n_assets;
    for (int i = 0; i < HB_MAX_ASSETS; i++)
        for (int j = 0; j < HB_MAX_ASSETS; j++)
            corr [i][j] = i == j;
    if (!hb_ynode_present (node) || n == 0 || !hb_ynode_expect_seq (node))
        return;
    if (hb_ynode_size (node) != n) {
        char names [HB_MAX_ASSETS * 8] = "";
        for (int i = 0; i < n && strlen (names) < sizeof names - HB_NAME_MAX - 8; i++)
            snprintf (names + strlen (names), sizeof names - strlen (names), "%s%s",
                      i ? ", " : "", self->cfg->assets [i].name);
        hb_yaml_error (node, "expected %d rows, one per asset in the order of assets: (%s), got %d",
                       n, names, hb_ynode_size (node));
        return;
    }
    int errors = hb_yaml_errors (self->yaml);
    hb_ynode_t row, cell;
    for (int i = 0; i < n; i++) {
        if (hb_ynode_item (node, i, &row) != 0 || !hb_ynode_expect_seq (&row))
            continue;
        if (hb_ynode_size (&row) != n) {
            hb_yaml_error (&row, "expected %d values (one per asset), got %d", n, hb_ynode_size (&row));
            continue;
        }
        for (int j = 0; j < n; j++) {
            hb_ynode_item (&row, j, &cell);
            if (hb_ynode_double (&cell, &corr [i][j]) != 0)
                continue;
            if (!hb_cfg_in_range (corr [i][j], &s_rho))
                hb_yaml_error (&cell, "a correlation must be in [-1, 1]");
            else
            if (i == j && fabs (corr [i][j] - 1) > S_CORR_TOL)
                hb_yaml_error (&cell, "the diagonal must be 1 (%s with itself)", self->cfg->assets [i].name);
        }
    }
    if (hb_yaml_errors (self->yaml) != errors)
        return;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (fabs (corr [i][j] - corr [j][i]) > S_CORR_TOL) {
                hb_ynode_item (node, i, &row);
                hb_ynode_item (&row, j, &cell);
                hb_yaml_error (&cell, "not symmetric: [%d][%d] (%s-%s) is %g", j, i,
                               self->cfg->assets [j].name, self->cfg->assets [i].name, corr [j][i]);
                errors = -1;
            }
    if (errors == -1)
        return;
    double lower [HB_MAX_ASSETS][HB_MAX_ASSETS];
    int bad = 0;
    if (hb_cholesky_psd (&corr [0][0], &lower [0][0], n, HB_MAX_ASSETS, S_CORR_TOL, &bad) != 0)
        hb_yaml_error (node, "not positive semi-definite: no assets can have these correlations "
                       "together (Cholesky fails at row %d, %s)", bad, self->cfg->assets [bad].name);
}

static void
s_assets (hb_cfg_loader_t *self, const hb_ynode_t *root)
{
    static const char *const keys [] = { "price", "vol", "drift", NULL };
    hb_config_t *cfg = self->cfg;
    hb_ynode_t assets, entry;
    if (hb_ynode_need (root, "assets", &assets) != 0 || !hb_ynode_expect_map (&assets))
        return;
    if (hb_ynode_size (&assets) == 0)
        hb_yaml_error (&assets, "at least one asset is needed");
    for (int i = 0; i < hb_ynode_size (&assets); i++) {
        const char *key;
        hb_ynode_pair (&assets, i, &key, &entry);
        if (key && hb_config_asset_index (cfg, key) >= 0)
            continue;       //  a duplicate key, reported at load
        if (cfg->n_assets == HB_MAX_ASSETS) {
            hb_yaml_error_at (self->yaml, entry.line, entry.path, "too many assets (at most %d)", HB_MAX_ASSETS);
            break;
        }
        hb_asset_cfg_t *asset = &cfg->assets [cfg->n_assets++];
        asset->line = entry.line;
        hb_cfg_key_name (self, &entry, key, asset->name);
        if (!hb_ynode_expect_map (&entry))
            continue;
        hb_ynode_check_keys (&entry, keys);
        hb_cfg_number (&entry, "price", true, 0, &hb_cfg_positive, &asset->price);
        hb_cfg_number (&entry, "vol", true, 0, &(hb_cfg_range_t) { 0, 10, false, false }, &asset->vol);
        hb_cfg_number (&entry, "drift", false, 0, &(hb_cfg_range_t) { -10, 10, false, false }, &asset->drift);
    }
}

static void
s_market (hb_cfg_loader_t *self, const hb_ynode_t *root)
{
    static const char *const keys [] = { "seed", "step_ms", "anchor", "correlation", "regime", "jumps", NULL };
    static const char *const jump_keys [] = { "per_day", "mean", "std", NULL };
    static const char *const regime_keys [] = { "at", "duration", "every", "correlation", NULL };
    hb_market_cfg_t *market = &self->cfg->market;
    hb_ynode_t map, node;
    if (hb_ynode_get (root, "market", &map) != 0 || !hb_ynode_expect_map (&map)) {
        s_correlation (self, &(hb_ynode_t) {0}, market->corr);
        return;
    }
    market->present = true;
    hb_ynode_check_keys (&map, keys);
    hb_cfg_seed (&map, &market->seed);
    hb_cfg_number (&map, "step_ms", false, 100, &(hb_cfg_range_t) { 0, 60000, true, false }, &market->step_ms);

    if (hb_ynode_get (&map, "anchor", &node) == 0) {
        const char *text = hb_ynode_scalar (&node);
        int64_t secs;
        if (text && strcmp (text, "day") == 0)
            market->anchor_ns = 0;
        else
        if (text && strspn (text, "0123456789") == strlen (text) && *text) {
            if (hb_ynode_int (&node, 1, INT64_C(7258118400), &secs) == 0)    //  < 2200
                market->anchor_ns = secs * 1000000000;
        }
        else
        if (text && strchr (text, '-'))
            hb_ynode_time (&node, &market->anchor_ns);
        else
            hb_yaml_error (&node, "expected 'day', a UTC time like 2026-11-21T00:00:00Z or unix seconds");
    }
    hb_ynode_get (&map, "correlation", &node);
    s_correlation (self, &node, market->corr);

    if (hb_ynode_get (&map, "regime", &node) == 0 && hb_ynode_expect_map (&node)) {
        hb_ynode_t corr;
        market->regime_present = true;
        hb_cfg_window (&node, regime_keys, &market->regime);
        if (hb_ynode_need (&node, "correlation", &corr) == 0)
            s_correlation (self, &corr, market->regime_corr);
    }
    if (hb_ynode_get (&map, "jumps", &node) == 0 && hb_ynode_expect_map (&node)) {
        hb_ynode_check_keys (&node, jump_keys);
        hb_cfg_number (&node, "per_day", false, 0, &(hb_cfg_range_t) { 0, 1000, false, false }, &market->jumps_per_day);
        hb_cfg_number (&node, "mean", false, 0, &(hb_cfg_range_t) { -1, 1, false, false }, &market->jump_mean);
        hb_cfg_number (&node, "std", false, 0, &(hb_cfg_range_t) { 0, 1, false, false }, &market->jump_std);
    }
}

//  components.aggregator's own keys; with map NULL (no such component) only
//  the defaults. The publishing endpoint defaults too: positions are
//  worth nothing if nobody can subscribe to them.
static void
s_aggregator (hb_cfg_loader_t *self, const hb_ynode_t *map, const hb_component_cfg_t *component)
{
    hb_aggregator_cfg_t *agg = &self->cfg->aggregator;
    hb_ynode_t none = { .doc = self->yaml, .path = "components.aggregator" };
    hb_ynode_t node;
    if (!map)
        map = &none;
    agg->cpu = component ? component->cpu : -1;
    if (component && component->endpoint [0])
        strcpy (agg->endpoint, component->endpoint);
    else
    if (hb_ynode_get (map, "endpoint", &node) != 0)
        hb_cfg_endpoint_key (self, map, "endpoint", "aggregator.pub", agg->endpoint);
    hb_cfg_endpoint_key (self, map, "snapshot_endpoint", "aggregator.snap", agg->snapshot_endpoint);

    int n = snprintf (agg->journal, sizeof agg->journal, "%s/aggregator.journal", self->cfg->run_dir);
    if (hb_ynode_get (map, "journal", &node) == 0) {
        if (hb_ynode_string (&node, agg->journal, sizeof agg->journal) == 0 && agg->journal [0] != '/')
            hb_yaml_error (&node, "must be an absolute path");
    }
    else
    if (n >= (int) sizeof agg->journal)
        hb_yaml_error_at (self->yaml, 0, "components.aggregator.journal",
                          "default <run_dir>/aggregator.journal is too long: set journal");
    agg->fsync = HB_JOURNAL_FSYNC_ALWAYS;
    if (hb_ynode_get (map, "fsync", &node) == 0
    &&  hb_journal_policy_parse (hb_ynode_scalar (&node), &agg->fsync) != 0)
        hb_yaml_error (&node, "expected always, interval or never");
    hb_cfg_integer (map, "fsync_ms", 10, 0, 60000, &agg->fsync_ms);
    hb_cfg_integer (map, "snapshot_ms", 1000, 10, 3600000, &agg->snapshot_ms);
    hb_cfg_integer (map, "stale_ms", 5000, 1, 3600000, &agg->stale_ms);
}

static void
s_components (hb_cfg_loader_t *self, const hb_ynode_t *root)
{
    static const char *const keys [] = { "endpoint", "cpu", "orders", "host", "enabled", "program",
                                         "metrics", NULL };
    static const char *const aggregator_keys [] = { "endpoint", "cpu", "orders", "host", "enabled",
                                                    "program", "metrics", "journal", "fsync",
                                                    "fsync_ms", "snapshot_ms", "stale_ms",
                                                    "snapshot_endpoint", NULL };
    hb_config_t *cfg = self->cfg;
    bool aggregator = false;
    hb_ynode_t components, entry;
    bool risk = false;
    bool hedger = false;
    if (hb_ynode_get (root, "components", &components) != 0 || !hb_ynode_expect_map (&components)) {
        s_aggregator (self, NULL, NULL);
        hb_cfg_risk (self, NULL, NULL);
        hb_cfg_hedger (self, NULL, NULL);
        return;
    }
    for (int i = 0; i < hb_ynode_size (&components); i++) {
        const char *key;
        hb_ynode_pair (&components, i, &key, &entry);
        if (key && hb_config_component (cfg, key))
            continue;
        if (cfg->n_components == HB_MAX_COMPONENTS) {
            hb_yaml_error_at (self->yaml, entry.line, entry.path, "too many components (at most %d)",
                              HB_MAX_COMPONENTS);
            break;
        }
        hb_component_cfg_t *component = &cfg->components [cfg->n_components++];
        component->line = entry.line;
        component->cpu = -1;
        hb_cfg_key_name (self, &entry, key, component->name);
        if (!hb_ynode_expect_map (&entry))
            continue;
        bool is_aggregator = strcmp (component->name, "aggregator") == 0;
        bool is_risk = strcmp (component->name, "risk") == 0;
        bool is_hedger = strcmp (component->name, "hedger") == 0;
        hb_ynode_check_keys (&entry, is_aggregator ? aggregator_keys : is_risk ? hb_cfg_risk_keys
                                   : is_hedger ? hb_cfg_hedger_keys : keys);
        hb_cfg_endpoint_key (self, &entry, "endpoint", NULL, component->endpoint);
        hb_cfg_integer (&entry, "cpu", -1, -1, 1023, &component->cpu);
        component->sends_orders = hb_cfg_bool (&entry, "orders", false);
        hb_cfg_metrics (&entry, component->metrics);
        if (is_aggregator) {
            s_aggregator (self, &entry, component);
            aggregator = true;
        }
        if (is_risk) {
            hb_cfg_risk (self, &entry, component);
            risk = true;
        }
        if (is_hedger) {
            hb_cfg_hedger (self, &entry, component);
            hedger = true;
        }
    }
    if (!aggregator)
        s_aggregator (self, NULL, NULL);
    if (!risk)
        hb_cfg_risk (self, NULL, NULL);
    if (!hedger)
        hb_cfg_hedger (self, NULL, NULL);
}

static void
s_top (hb_cfg_loader_t *self, const hb_ynode_t *root)
{
    static const char *const keys [] = { "hedgebus", "deployment", "run_dir", "log_level", "assets",
                                         "market", "venues", "components", "hosts", "security", NULL };
    hb_config_t *cfg = self->cfg;
    hb_ynode_t node;
    int64_t version;
    if (hb_ynode_need (root, "hedgebus", &node) == 0 && hb_ynode_int (&node, 0, INT32_MAX, &version) == 0
    &&  version != S_SCHEMA_VERSION) {
        //  a newer file would produce a flood of misleading errors
        hb_yaml_error (&node, "unsupported schema version (this build reads %d)", S_SCHEMA_VERSION);
        return;
    }
    hb_ynode_check_keys (root, keys);
    if (hb_ynode_need (root, "deployment", &node) == 0)
        hb_cfg_name (&node, cfg->deployment);

    //  per user, never a fixed name any local user could make first (hb_rundir.h)
    if (hb_rundir_default (cfg->run_dir, HB_PATH_MAX - 48) != 0)
        strcpy (cfg->run_dir, "/run/hedgebus");
    if (hb_ynode_get (root, "run_dir", &node) == 0
    &&  hb_ynode_string (&node, cfg->run_dir, HB_PATH_MAX - 48) == 0) {
        size_t len = strlen (cfg->run_dir);
        while (len > 1 && cfg->run_dir [len - 1] == '/')
            cfg->run_dir [--len] = 0;
        if (cfg->run_dir [0] != '/')
            hb_yaml_error (&node, "must be an absolute path");
    }
    cfg->log_level = HB_LOG_INFO;
    if (hb_ynode_get (root, "log_level", &node) == 0) {
        hb_log_level_t level;
        const char *text = hb_ynode_scalar (&node);
        if (hb_log_level_parse (text, &level) == 0)
            cfg->log_level = level;
        else
            hb_yaml_error (&node, "expected error, warn, info or debug");
    }
    s_assets (self, root);
    s_market (self, root);
    hb_cfg_venues (self, root);
    s_components (self, root);
    //  A feed must refuse an order before the hedger gives it up, or the
    //  hedger may hedge again while the first order can still execute.
    for (int v = 0; v < cfg->n_venues; v++)
        if (cfg->venues [v].max_order_age_ms == 0) {
            int half = cfg->hedger.order_timeout_ms / 2;
            cfg->venues [v].max_order_age_ms = half < 1 ? 1 : half < 1000 ? half : 1000;
        }
        else
        if (hb_config_component (cfg, "hedger") && cfg->venues [v].max_order_age_ms >= cfg->hedger.order_timeout_ms) {
            char key [HB_NAME_MAX + 40];
            snprintf (key, sizeof key, "venues.%s.max_order_age_ms", cfg->venues [v].name);
            hb_yaml_error_at (self->yaml, cfg->venues [v].line, key,
                              "%d must be below components.hedger.order_timeout_ms (%d), so that an "
                              "order the hedger gave up on can never execute",
                              cfg->venues [v].max_order_age_ms, cfg->hedger.order_timeout_ms);
        }
    hb_cfg_hosts (self, root);
    hb_cfg_security (self, root);
}

//  ---------------------------------------------------------------------------

static hb_config_t *
s_load (const char *path, char *errbuf, size_t errsize)
{
    hb_yaml_t *yaml = hb_yaml_new (path);
    hb_config_t *cfg = calloc (1, sizeof *cfg);
    hb_cfg_loader_t *self = calloc (1, sizeof *self);
    if (!yaml || !cfg || !self) {
        if (errbuf)
            snprintf (errbuf + strnlen (errbuf, errsize), errsize - strnlen (errbuf, errsize),
                      "%s: out of memory\n", path);
        else
            fprintf (stderr, "%s: out of memory\n", path);
        hb_yaml_destroy (&yaml);
        free (cfg);
        free (self);
        return NULL;
    }
    self->yaml = yaml;
    self->cfg = cfg;
    hb_ynode_t root;
    if (strlen (path) >= sizeof cfg->path)
        hb_yaml_error_at (yaml, 0, NULL, "path too long (at most %d bytes)", HB_PATH_MAX - 1);
    else
        strcpy (cfg->path, path);
    if (hb_yaml_root (yaml, &root) == 0 && hb_ynode_expect_map (&root))
        s_top (self, &root);
    if (hb_yaml_errors (yaml) > 0) {
        hb_yaml_report (yaml, errbuf, errsize);
        hb_config_destroy (&cfg);
    }
    hb_yaml_destroy (&yaml);
    free (self);
    return cfg;
}

hb_config_t *
hb_config_load (const char *path)
{
    return s_load (path, NULL, 0);
}

hb_config_t *
hb_config_load_quiet (const char *path, char *errbuf, size_t errsize)
{
    //  no room to report into: stderr rather than silence
    return errbuf && errsize > 0 ? s_load (path, errbuf, errsize) : s_load (path, NULL, 0);
}

void
hb_config_destroy (hb_config_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

const hb_venue_cfg_t *
hb_config_venue (const hb_config_t *self, const char *name)
{
    for (int i = 0; self && name && i < self->n_venues; i++)
        if (strcmp (self->venues [i].name, name) == 0)
            return &self->venues [i];
    return NULL;
}

const char *
hb_config_metrics (const hb_config_t *self, const char *name)
{
    const hb_component_cfg_t *component = hb_config_component (self, name);
    if (component)
        return component->metrics;
    if (name && strncmp (name, "feed.", 5) == 0)
        name += 5;
    const hb_venue_cfg_t *venue = hb_config_venue (self, name);
    return venue ? venue->metrics : "";
}

const hb_component_cfg_t *
hb_config_component (const hb_config_t *self, const char *name)
{
    for (int i = 0; self && name && i < self->n_components; i++)
        if (strcmp (self->components [i].name, name) == 0)
            return &self->components [i];
    return NULL;
}

int
hb_config_asset_index (const hb_config_t *self, const char *name)
{
    for (int i = 0; self && name && i < self->n_assets; i++)
        if (strcmp (self->assets [i].name, name) == 0)
            return i;
    return -1;
}

const hb_instrument_cfg_t *
hb_venue_instrument (const hb_venue_cfg_t *venue, const char *symbol)
{
    for (int i = 0; venue && symbol && i < venue->n_instruments; i++)
        if (strcmp (venue->instruments [i].symbol, symbol) == 0)
            return &venue->instruments [i];
    return NULL;
}

const char *
hb_venue_param (const hb_venue_cfg_t *venue, const char *key)
{
    for (int i = 0; venue && key && i < venue->n_params; i++)
        if (strcmp (venue->params [i].key, key) == 0)
            return venue->params [i].value;
    return NULL;
}
