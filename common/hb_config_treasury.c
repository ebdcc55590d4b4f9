/*  hb_config_treasury: the treasury: section, hb-treasury's capital
    planning (docs/CONFIG.md, treasury). Part of the config loader
    (hb_config_int.h): every problem is reported through hb_yaml with its
    line and key path; defaults are filled in when the file has no such
    section (no routes: every plan says no_route for a shortfall).        */
#include "hb_config_int.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define S_STRESS_DEFAULT    0.25        //  a 25 % move of every asset
#define S_MINUTES_DEFAULT   20.0        //  ... over 20 minutes

static const hb_cfg_range_t s_move = { 0, 10, true, false };            //  (0, 1000 %]
static const hb_cfg_range_t s_minutes = { 0, 7 * 24 * 60, true, false };
static const hb_cfg_range_t s_seconds = { 0, 7 * 86400, false, false };

//  stress_moves: { ASSET: move, ... } over the default move
static void
s_moves (hb_cfg_loader_t *self, const hb_ynode_t *map, double dflt)
{
    hb_treasury_cfg_t *treasury = &self->cfg->treasury;
    for (int i = 0; i < HB_MAX_ASSETS; i++)
        treasury->stress_move [i] = dflt;
    hb_ynode_t moves, entry;
    if (hb_ynode_get (map, "stress_moves", &moves) != 0 || !hb_ynode_expect_map (&moves))
        return;
    for (int i = 0; i < hb_ynode_size (&moves); i++) {
        const char *key;
        if (hb_ynode_pair (&moves, i, &key, &entry) != 0 || !key)
            continue;
        int asset = hb_config_asset_index (self->cfg, key);
        if (asset < 0) {
            hb_yaml_error (&entry, "unknown asset '%s' (not in assets:)", key);
            continue;
        }
        double move;
        if (hb_ynode_double (&entry, &move) == 0) {
            if (hb_cfg_in_range (move, &s_move))
                treasury->stress_move [asset] = move;
            else
                hb_yaml_error (&entry, "must be in (0, 10] (a fraction: 0.25 is 25 %%)");
        }
    }
}

//  journal: an absolute path, by default <run_dir>/treasury.journal
static void
s_journal (hb_cfg_loader_t *self, const hb_ynode_t *map, char *out)
{
    hb_ynode_t node;
    int n = snprintf (out, HB_PATH_MAX, "%s/treasury.journal", self->cfg->run_dir);
    if (hb_ynode_get (map, "journal", &node) == 0) {
        if (hb_ynode_string (&node, out, HB_PATH_MAX) == 0 && out [0] != '/')
            hb_yaml_error (&node, "must be an absolute path");
    }
    else
    if (n >= HB_PATH_MAX)
        hb_yaml_error_at (self->yaml, 0, "treasury", "default <run_dir>/treasury.journal is too long: set "
                          "journal");
}

//  from: / to: name an enabled or disabled venue of venues:
static int
s_venue (hb_cfg_loader_t *self, const hb_ynode_t *route, const char *key)
{
    hb_ynode_t node;
    char name [HB_NAME_MAX];
    if (hb_ynode_need (route, key, &node) != 0 || hb_cfg_name (&node, name) != 0)
        return -1;
    const hb_venue_cfg_t *venue = hb_config_venue (self->cfg, name);
    if (!venue) {
        hb_yaml_error (&node, "unknown venue '%s' (not in venues:)", name);
        return -1;
    }
    return (int) (venue - self->cfg->venues);
}

static void
s_route (hb_cfg_loader_t *self, const hb_ynode_t *entry, const char *key)
{
    static const char *const keys [] = { "from", "to", "asset", "network", "delay_s", "spread_s",
                                         "fee", "min", "max", "daily_limit", "auto", NULL };
    hb_treasury_cfg_t *treasury = &self->cfg->treasury;
    if (treasury->n_routes == HB_MAX_ROUTES) {
        hb_yaml_error (entry, "too many routes (at most %d)", HB_MAX_ROUTES);
        return;
    }
    hb_route_cfg_t *route = &treasury->routes [treasury->n_routes];
    memset (route, 0, sizeof *route);
    route->line = entry->line;
    if (hb_cfg_key_name (self, entry, key, route->name) != 0 || !hb_ynode_expect_map (entry))
        return;
    hb_ynode_check_keys (entry, keys);
    int bad = 0;
    route->from = s_venue (self, entry, "from");
    route->to = s_venue (self, entry, "to");
    bad += route->from < 0 || route->to < 0;
    if (!bad && route->from == route->to) {
        hb_yaml_error (entry, "from and to are the same venue (%s)", self->cfg->venues [route->from].name);
        bad++;
    }
    hb_ynode_t node;
    if (hb_ynode_need (entry, "asset", &node) != 0 || hb_cfg_name (&node, route->asset) != 0)
        bad++;
    if (hb_ynode_need (entry, "network", &node) != 0 || hb_cfg_name (&node, route->network) != 0)
        bad++;
    bad += hb_cfg_number (entry, "delay_s", true, 0, &s_seconds, &route->delay_s) != 0;
    bad += hb_cfg_number (entry, "spread_s", false, 0, &s_seconds, &route->spread_s) != 0;
    bad += hb_cfg_number (entry, "fee", false, 0, &hb_cfg_nonneg, &route->fee) != 0;
    bad += hb_cfg_number (entry, "min", false, 0, &hb_cfg_nonneg, &route->min) != 0;
    bad += hb_cfg_number (entry, "max", false, 0, &hb_cfg_nonneg, &route->max) != 0;
    bad += hb_cfg_number (entry, "daily_limit", false, 0, &hb_cfg_nonneg, &route->daily_limit) != 0;
    route->automatic = hb_cfg_bool (entry, "auto", false);
    //  limits that leave no transfer possible are a typo, not a policy
    if (route->max > 0 && route->max < route->min) {
        hb_yaml_error (entry, "max (%g) is below min (%g)", route->max, route->min);
        bad++;
    }
    if (route->daily_limit > 0 && route->daily_limit < route->min) {
        hb_yaml_error (entry, "daily_limit (%g) is below min (%g)", route->daily_limit, route->min);
        bad++;
    }
    if (!bad)
        treasury->n_routes++;
}

static void
s_routes (hb_cfg_loader_t *self, const hb_ynode_t *map)
{
    hb_ynode_t routes, entry;
    if (hb_ynode_get (map, "routes", &routes) != 0 || !hb_ynode_expect_map (&routes))
        return;
    hb_treasury_cfg_t *treasury = &self->cfg->treasury;
    for (int i = 0; i < hb_ynode_size (&routes); i++) {
        const char *key;
        if (hb_ynode_pair (&routes, i, &key, &entry) != 0)
            continue;
        bool seen = false;
        for (int r = 0; key && r < treasury->n_routes && !seen; r++)
            seen = strcmp (treasury->routes [r].name, key) == 0;
        if (!seen)          //  a duplicate key is reported at load
            s_route (self, &entry, key);
    }
}

void
hb_cfg_treasury (hb_cfg_loader_t *self, const hb_ynode_t *root)
{
    static const char *const keys [] = { "endpoint", "stress_move", "stress_moves", "stress_minutes",
                                         "plan_ms", "stale_ms", "routes", "journal", "timeout_s",
                                         "suggest_s", "topup_buffer", NULL };
    hb_treasury_cfg_t *treasury = &self->cfg->treasury;
    hb_ynode_t none = { .doc = self->yaml, .path = "treasury" };
    hb_ynode_t section;
    const hb_ynode_t *map = &none;
    if (hb_ynode_get (root, "treasury", &section) == 0 && hb_ynode_expect_map (&section)) {
        map = &section;
        treasury->present = true;
        treasury->line = section.line;
        hb_ynode_check_keys (map, keys);
    }
    //  the treasury component (hb-run starts it) publishes where this says;
    //  tools (hb-tap, hb-top) find it by the component's endpoint
    hb_component_cfg_t *component = (hb_component_cfg_t *) hb_config_component (self->cfg, "treasury");
    treasury->cpu = component ? component->cpu : -1;
    if (component && component->endpoint [0])
        strcpy (treasury->endpoint, component->endpoint);
    else {
        hb_cfg_endpoint_key (self, map, "endpoint", "treasury.pub", treasury->endpoint);
        if (component)
            strcpy (component->endpoint, treasury->endpoint);
    }
    double move = S_STRESS_DEFAULT;
    hb_cfg_number (map, "stress_move", false, S_STRESS_DEFAULT, &s_move, &move);
    s_moves (self, map, move);
    hb_cfg_number (map, "stress_minutes", false, S_MINUTES_DEFAULT, &s_minutes, &treasury->stress_minutes);
    hb_cfg_integer (map, "plan_ms", 1000, 10, 3600000, &treasury->plan_ms);
    hb_cfg_integer (map, "stale_ms", 10000, 1, 3600000, &treasury->stale_ms);
    hb_cfg_number (map, "timeout_s", false, 3600, &s_seconds, &treasury->timeout_s);
    hb_cfg_number (map, "suggest_s", false, 60, &s_seconds, &treasury->suggest_s);
    hb_cfg_number (map, "topup_buffer", false, 0.05, &(hb_cfg_range_t) { 0, 1, false, false },
                   &treasury->topup_buffer);
    s_journal (self, map, treasury->journal);
    s_routes (self, map);
}
