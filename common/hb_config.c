/*  hb_config: see hb_config.h and docs/CONFIG.md.

    The schema lives here; walking the YAML, key paths, lines and error
    collection live in hb_yaml. Each section is read by one s_ function that
    reports every problem it sees and carries on, so one load lists every
    mistake in the file. Checks that span sections (endpoints used twice)
    run after all sections are read. A top-level key the core does not know
    is left to the venue plugins (hb_config_t.sections), which own it.    */
#include "hb_config_int.h"
#include "hb_log.h"
#include "hb_rundir.h"
#include "hb_metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_SCHEMA_VERSION    1

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
    if (hb_ynode_size (&assets) > HB_MAX_ASSETS) {
        hb_yaml_error (&assets, "%d assets, at most %d (HB_MAX_ASSETS)", hb_ynode_size (&assets),
                       HB_MAX_ASSETS);
        return;
    }
    for (int i = 0; i < hb_ynode_size (&assets); i++) {
        const char *key;
        hb_ynode_pair (&assets, i, &key, &entry);
        if (key && hb_config_asset_index (cfg, key) >= 0)
            continue;       //  a duplicate key, reported at load
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
    hb_cfg_number (map, "max_fill_usd", false, 1e8, &(hb_cfg_range_t) { 0, 1e12, true, false },
                   &agg->max_fill_usd);
    hb_cfg_integer (map, "stale_ms", 5000, 1, 3600000, &agg->stale_ms);
}

static void
s_components (hb_cfg_loader_t *self, const hb_ynode_t *root)
{
    static const char *const keys [] = { "endpoint", "cpu", "orders", "host", "enabled", "program",
                                         "metrics", NULL };
    static const char *const aggregator_keys [] = { "endpoint", "cpu", "orders", "host", "enabled",
                                                    "program", "metrics", "journal", "fsync",
                                                    "fsync_ms", "snapshot_ms", "stale_ms", "max_fill_usd",
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
        component->sends_orders = hb_cfg_bool (&entry, "orders", false);
        //  a component that sends orders publishes them: by default on
        //  ipc://<run_dir>/<name>.pub, like every process
        char dflt [HB_NAME_MAX + 8];
        snprintf (dflt, sizeof dflt, "%s.pub", component->name);
        hb_cfg_endpoint_key (self, &entry, "endpoint", component->sends_orders ? dflt : NULL,
                             component->endpoint);
        hb_cfg_integer (&entry, "cpu", -1, -1, 1023, &component->cpu);
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
        //  their default endpoints are theirs too, for whoever lists the
        //  components' endpoints (hb-tap, hb-top)
        const char *own = is_aggregator ? cfg->aggregator.endpoint : is_risk ? cfg->risk.endpoint
                        : is_hedger ? cfg->hedger.endpoint : NULL;
        if (own && !component->endpoint [0])
            snprintf (component->endpoint, sizeof component->endpoint, "%s", own);
    }
    if (!aggregator)
        s_aggregator (self, NULL, NULL);
    if (!risk)
        hb_cfg_risk (self, NULL, NULL);
    if (!hedger)
        hb_cfg_hedger (self, NULL, NULL);
}

//  Top-level keys other than the core's are plugin sections: recorded for
//  hb-feed, which refuses one that no plugin of the file declares.
static void
s_plugin_sections (hb_cfg_loader_t *self, const hb_ynode_t *root, const char *const *keys)
{
    hb_config_t *cfg = self->cfg;
    hb_ynode_t node;
    for (int i = 0; i < hb_ynode_size (root); i++) {
        const char *key;
        hb_ynode_pair (root, i, &key, &node);
        bool core = false;
        for (int k = 0; key && keys [k] && !core; k++)
            core = strcmp (keys [k], key) == 0;
        if (!key || core)
            continue;
        if (cfg->n_sections == HB_MAX_SECTIONS || strlen (key) >= HB_NAME_MAX) {
            hb_yaml_error_at (self->yaml, node.line, key, "unknown key (too many or too long for a plugin section)");
            continue;
        }
        strcpy (cfg->sections [cfg->n_sections].name, key);
        cfg->sections [cfg->n_sections++].line = node.line;
    }
}

static void
s_top (hb_cfg_loader_t *self, const hb_ynode_t *root)
{
    static const char *const keys [] = { "hedgebus", "deployment", "run_dir", "log_level", "assets",
                                         "venues", "components", "hosts", "security", "treasury",
                                         NULL };
    hb_config_t *cfg = self->cfg;
    hb_ynode_t node;
    int64_t version;
    if (hb_ynode_need (root, "hedgebus", &node) == 0 && hb_ynode_int (&node, 0, INT32_MAX, &version) == 0
    &&  version != S_SCHEMA_VERSION) {
        //  a newer file would produce a flood of misleading errors
        hb_yaml_error (&node, "unsupported schema version (this build reads %d)", S_SCHEMA_VERSION);
        return;
    }
    s_plugin_sections (self, root, keys);
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
    hb_cfg_venues (self, root);
    s_components (self, root);
    hb_cfg_treasury (self, root);
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
        hb_config_t *self = *self_p;
        for (int v = 0; v < HB_MAX_VENUES; v++) {
            hb_venue_cfg_release (&self->venues [v]);
            free (self->hedger.funding_bps [v]);
            free (self->hedger.basis_bps [v]);
        }
        free (self);
        *self_p = NULL;
    }
}
