/*  hb_config_venue: the venues: section of the deployment file (plugin,
    endpoint, fees, margin, collateral, starting positions, instruments).
    The section named after the plugin (venues.X.<plugin>) is the plugin's:
    accepted here, read and checked by the plugin (hb_plugin.h). See hb_config.h and docs/CONFIG.md; the shared readers are
    in hb_config_int.h.                                                    */
#include "hb_config_int.h"

#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

//  Sane bounds, so that a slip of the keyboard (1e300, 5e-324) is an error
//  at its line rather than a number every later computation trusts:
//  contract sizes, ticks and lots within [1e-12, 1e9]; a starting
//  position of at most 1e9 units; an entry price of at most 1e9 USD.
#define S_QTY_MAX       1e9
#define S_PRICE_MAX     1e9
static const hb_cfg_range_t s_size_range = { 1e-12, 1e9, false, false };

#define S_LOT_TOL           1e-9

//  ---------------------------------------------------------------------------
//  Plugins

static bool
s_is_file (const char *path)
{
    struct stat st;
    return stat (path, &st) == 0 && S_ISREG (st.st_mode);
}

static bool
s_plugin_in (const char *dir, size_t dir_len, const char *plugin, char *out)
{
    int n = snprintf (out, HB_PATH_MAX, "%.*s/hb_venue_%s.so", (int) dir_len, dir, plugin);
    return n > 0 && n < HB_PATH_MAX && s_is_file (out);
}

//  Search order: $HB_PLUGIN_PATH, HB_PLUGIN_DIR (build time), then
//  <dir of the executable>/../lib/hedgebus, which covers both the build
//  tree (build/bin -> build/lib/hedgebus) and an installed PREFIX.
static int
s_plugin_find (const char *name, char *out)
{
    //  a copy: name and out may be fields of one struct, snprintf must not see them overlap
    char plugin [HB_NAME_MAX];
    snprintf (plugin, sizeof plugin, "%s", name);
    const char *dirs = getenv ("HB_PLUGIN_PATH");
    while (dirs && *dirs) {
        size_t len = strcspn (dirs, ":");
        if (len > 0 && s_plugin_in (dirs, len, plugin, out))
            return 0;
        dirs += len + (dirs [len] == ':');
    }
#ifdef HB_PLUGIN_DIR
    if (s_plugin_in (HB_PLUGIN_DIR, strlen (HB_PLUGIN_DIR), plugin, out))
        return 0;
#endif
    char exe [HB_PATH_MAX];
    ssize_t len = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe [len] = 0;
        char dir [HB_PATH_MAX];
        snprintf (dir, sizeof dir, "%s/../lib/hedgebus", dirname (exe));
        if (s_plugin_in (dir, strlen (dir), plugin, out))
            return 0;
    }
    out [0] = 0;
    return -1;
}

//  venues.X.plugin: a name looked up as hb_venue_<name>.so, or a path.
static void
s_plugin (const hb_ynode_t *map, hb_venue_cfg_t *venue, hb_ynode_t *node)
{
    char value [HB_PATH_MAX];
    if (hb_ynode_need (map, "plugin", node) != 0 || hb_ynode_string (node, value, sizeof value) != 0)
        return;
    if (strchr (value, '/')) {
        //  the name is the file's: .../hb_venue_<name>.so
        char copy [HB_PATH_MAX];
        snprintf (copy, sizeof copy, "%s", value);
        const char *base = basename (copy);
        if (strncmp (base, "hb_venue_", 9) == 0)
            base += 9;
        snprintf (venue->plugin, sizeof venue->plugin, "%.*s", (int) strcspn (base, "."), base);
        if (s_is_file (value))
            snprintf (venue->plugin_path, sizeof venue->plugin_path, "%s", value);
        else
        if (venue->enabled)
            hb_yaml_error (node, "unknown plugin: no such file");
        return;
    }
    if (hb_cfg_name (node, venue->plugin) != 0)
        return;
    //  A disabled venue may name a plugin this machine does not have
    if (s_plugin_find (venue->plugin, venue->plugin_path) != 0 && venue->enabled)
        hb_yaml_error (node, "unknown plugin: no hb_venue_%s.so in $HB_PLUGIN_PATH or "
                       "<dir of the program>/../lib/hedgebus", venue->plugin);
}

//  Every instrument whose symbol an earlier one of the venue has, from the
//  symbol index (equal symbols sorted by their place): n log n, where a
//  scan per instrument was n^2 (50 million comparisons at 10,000)
static void
s_duplicates (const hb_ynode_t *list, const int *item_of, hb_venue_cfg_t *venue)
{
    const hb_instrument_cfg_t *prev = NULL;     //  the first of the current run
    for (int k = 0; k < venue->n_by_symbol; k++) {
        const hb_instrument_cfg_t *ins = &venue->instruments [venue->by_symbol [k]];
        if (!prev || strcmp (prev->symbol, ins->symbol) != 0) {
            prev = ins;
            continue;
        }
        if (!ins->symbol [0])
            continue;
        hb_ynode_t item, node;
        if (hb_ynode_item (list, item_of [venue->by_symbol [k]], &item) == 0
        &&  hb_ynode_need (&item, "symbol", &node) == 0)
            hb_yaml_error (&node, "duplicate symbol in venue %s (first at line %d)",
                           venue->name, prev->line);
    }
}

static void
s_instrument (hb_cfg_loader_t *self, const hb_ynode_t *map, hb_instrument_cfg_t *ins)
{
    static const char *const keys [] = { "symbol", "asset", "kind", "multiplier", "tick", "lot", "min",
                                         "type", "strike", "expiry", "iv", "underlying", "settle", NULL };
    static const char *const option_keys [] = { "type", "strike", "iv", "underlying", "settle", NULL };
    hb_ynode_t node;
    ins->line = map->line;
    ins->asset = -1;
    hb_ynode_check_keys (map, keys);
    //  a duplicate is found once all are read, by symbol (s_duplicates)
    if (hb_ynode_need (map, "symbol", &node) == 0)
        hb_cfg_name (&node, ins->symbol);
    char text [HB_NAME_MAX];
    //  with no assets at all, that is the error worth reading
    if (hb_ynode_need (map, "asset", &node) == 0 && hb_ynode_string (&node, text, sizeof text) == 0
    &&  (ins->asset = hb_config_asset_index (self->cfg, text)) < 0 && self->cfg->n_assets > 0)
        hb_yaml_error (&node, "unknown asset (not in assets:)");
    if (hb_ynode_need (map, "kind", &node) == 0 && hb_ynode_string (&node, text, sizeof text) == 0) {
        for (hb_kind_t kind = HB_KIND_SPOT; kind <= HB_KIND_OPTION; kind++)
            if (strcmp (text, hb_kind_name (kind)) == 0)
                ins->kind = kind;
        if (!ins->kind)
            hb_yaml_error (&node, "unknown kind: expected spot, linear_perp, inverse_perp, future or option");
    }

    //  An inverse perp's multiplier is its contract size in USD: no default
    bool inverse = ins->kind == HB_KIND_INVERSE_PERP;
    if (hb_cfg_number (map, "multiplier", inverse, 1, &s_size_range, &ins->multiplier) == 0
    &&  ins->kind == HB_KIND_SPOT && ins->multiplier != 1) {
        hb_ynode_get (map, "multiplier", &node);
        hb_yaml_error (&node, "a spot instrument has no multiplier (must be 1)");
    }
    hb_cfg_number (map, "tick", true, 0, &s_size_range, &ins->tick_size);
    bool lot_ok = hb_cfg_number (map, "lot", true, 0, &s_size_range, &ins->lot_size) == 0;
    if (hb_cfg_number (map, "min", false, ins->lot_size, &s_size_range, &ins->min_qty) == 0 && lot_ok
    &&  hb_ynode_get (map, "min", &node) == 0) {
        double lots = ins->min_qty / ins->lot_size;
        if (ins->min_qty < ins->lot_size * (1 - S_LOT_TOL))
            hb_yaml_error (&node, "must be at least the lot (%g)", ins->lot_size);
        else
        if (fabs (ins->min_qty - round (lots) * ins->lot_size) > S_LOT_TOL * ins->min_qty)
            hb_yaml_error (&node, "must be a multiple of the lot (%g)", ins->lot_size);
    }
    //  Dated and option fields: required where they mean something,
    //  refused elsewhere so a misplaced one does not pass silently
    bool dated = ins->kind == HB_KIND_FUTURE || ins->kind == HB_KIND_OPTION;
    if (dated && hb_ynode_need (map, "expiry", &node) == 0)
        hb_ynode_time (&node, &ins->expiry_ns);
    else
    if (!dated && ins->kind && hb_ynode_get (map, "expiry", &node) == 0)
        hb_yaml_error (&node, "only futures and options have an expiry");
    if (ins->kind == HB_KIND_OPTION) {
        if (hb_ynode_need (map, "type", &node) == 0 && hb_ynode_string (&node, text, sizeof text) == 0) {
            ins->is_call = strcmp (text, "call") == 0;
            if (!ins->is_call && strcmp (text, "put") != 0)
                hb_yaml_error (&node, "expected call or put");
        }
        hb_cfg_number (map, "strike", true, 0, &hb_cfg_positive, &ins->strike);
        hb_cfg_number (map, "iv", true, 0, &(hb_cfg_range_t) { 0, 10, true, false }, &ins->iv);
        //  resolved once every instrument is known (s_underlyings)
        if (hb_ynode_get (map, "underlying", &node) == 0)
            hb_cfg_name (&node, ins->underlying);
        if (hb_ynode_get (map, "settle", &node) == 0 && hb_ynode_string (&node, text, sizeof text) == 0) {
            ins->coin_settled = strcmp (text, "coin") == 0;
            if (!ins->coin_settled && strcmp (text, "usd") != 0)
                hb_yaml_error (&node, "expected usd or coin");
        }
    }
    else
    if (ins->kind)
        for (int k = 0; option_keys [k]; k++)
            if (hb_ynode_get (map, option_keys [k], &node) == 0)
                hb_yaml_error (&node, "only options have %s", option_keys [k]);
}

//  venues.X.positions: the book the desk holds at start, one entry per
//  instrument of this venue: { symbol, qty (signed, never 0), entry (> 0) }.
static void
s_positions (const hb_ynode_t *seq, hb_venue_cfg_t *venue)
{
    static const char *const keys [] = { "symbol", "qty", "entry", NULL };
    hb_ynode_t item, node;
    for (int i = 0; hb_ynode_item (seq, i, &item) == 0; i++) {
        if (!hb_ynode_expect_map (&item))
            continue;
        hb_ynode_check_keys (&item, keys);
        hb_position_cfg_t *position = &venue->positions [venue->n_positions];
        position->line = item.line;
        position->instrument = -1;
        char symbol [HB_NAME_MAX];
        if (hb_ynode_need (&item, "symbol", &node) == 0 && hb_cfg_name (&node, symbol) == 0) {
            const hb_instrument_cfg_t *ins = hb_venue_instrument (venue, symbol);
            if (!ins)
                hb_yaml_error (&node, "unknown symbol: not an instrument of venue %s", venue->name);
            else {
                position->instrument = (int) (ins - venue->instruments);
                for (int j = 0; j < venue->n_positions; j++)
                    if (venue->positions [j].instrument == position->instrument)
                        hb_yaml_error (&node, "duplicate position (first at line %d)",
                                       venue->positions [j].line);
            }
        }
        if (hb_cfg_number (&item, "qty", true, 0, &(hb_cfg_range_t) { -S_QTY_MAX, S_QTY_MAX, false, false },
                           &position->qty) == 0 && position->qty == 0) {
            hb_ynode_get (&item, "qty", &node);
            hb_yaml_error (&node, "must not be 0 (leave a flat position out)");
        }
        hb_cfg_number (&item, "entry", true, 0, &(hb_cfg_range_t) { 0, S_PRICE_MAX, true, false },
                       &position->entry);
        venue->n_positions++;
    }
}

//  An option's underlying: a future or perpetual of the same venue and
//  asset (its price is the forward of Black-76); it may be listed after
//  the option, so this runs once the instruments are in.
static void
s_underlyings (const hb_ynode_t *seq, const hb_venue_cfg_t *venue)
{
    hb_ynode_t item, node;
    for (int i = 0; i < venue->n_instruments && hb_ynode_item (seq, i, &item) == 0; i++) {
        const hb_instrument_cfg_t *ins = &venue->instruments [i];
        if (ins->kind != HB_KIND_OPTION || !ins->underlying [0]
        ||  hb_ynode_get (&item, "underlying", &node) != 0)
            continue;
        const hb_instrument_cfg_t *under = hb_venue_instrument (venue, ins->underlying);
        if (!under)
            hb_yaml_error (&node, "unknown symbol: not an instrument of venue %s", venue->name);
        else
        if (under->kind == HB_KIND_SPOT || under->kind == HB_KIND_OPTION)
            hb_yaml_error (&node, "%s is of kind %s: the underlying must be a future or a "
                           "perpetual (leave underlying out for an option on the spot)",
                           under->symbol, hb_kind_name (under->kind));
        else
        if (under->asset != ins->asset)
            hb_yaml_error (&node, "%s is on another asset than the option", under->symbol);
    }
}

//  fills_journal and fills_fsync: a venue's own fills are rare, so every
//  one is synced unless the file says otherwise.
static void
s_fills_journal (hb_cfg_loader_t *self, const hb_ynode_t *map, hb_venue_cfg_t *venue)
{
    hb_ynode_t node;
    //  through a copy: gcc cannot tell that venue->name is not part of cfg->run_dir
    char name [HB_NAME_MAX];
    memcpy (name, venue->name, sizeof name);
    int n = snprintf (venue->fills_journal, sizeof venue->fills_journal, "%s/feed.%s.fills",
                      self->cfg->run_dir, name);
    if (hb_ynode_get (map, "fills_journal", &node) == 0) {
        if (hb_ynode_string (&node, venue->fills_journal, sizeof venue->fills_journal) == 0
        &&  venue->fills_journal [0] != '/')
            hb_yaml_error (&node, "must be an absolute path");
    }
    else
    if (n >= (int) sizeof venue->fills_journal)
        hb_yaml_error (&node, "default <run_dir>/feed.%s.fills is too long: set fills_journal", venue->name);
    venue->fills_fsync = HB_JOURNAL_FSYNC_ALWAYS;
    if (hb_ynode_get (map, "fills_fsync", &node) == 0
    &&  hb_journal_policy_parse (hb_ynode_scalar (&node), &venue->fills_fsync) != 0)
        hb_yaml_error (&node, "expected always, interval or never");
}

static void
s_venue (hb_cfg_loader_t *self, const hb_ynode_t *map, hb_venue_cfg_t *venue)
{
    //  the last slot: the section named after the plugin, which is the plugin's
    const char *keys [] = { "plugin", "enabled", "endpoint", "cpu", "fees", "margin",
                            "collateral", "params", "instruments", "positions",
                            "mark_stale_ms", "host", "replay_endpoint", "fills_journal",
                            "fills_fsync", "max_order_age_ms", "metrics", "fill_window_s", "discover",
                            NULL, NULL };
    static const char *const fee_keys [] = { "maker", "taker", NULL };
    static const char *const margin_keys [] = { "initial", "maintenance", NULL };
    hb_ynode_t node, plugin, item;
    venue->enabled = hb_cfg_bool (map, "enabled", true);
    s_plugin (map, venue, &plugin);
    if (venue->plugin [0])
        keys [sizeof keys / sizeof keys [0] - 2] = venue->plugin;
    hb_ynode_check_keys (map, keys);
    char dflt [HB_NAME_MAX + 12];
    snprintf (dflt, sizeof dflt, "feed.%s.pub", venue->name);
    hb_cfg_endpoint_key (self, map, "endpoint", dflt, venue->endpoint);
    hb_cfg_integer (map, "cpu", -1, -1, 1023, &venue->cpu);
    //  0: not set, derived from the hedger's order timeout once it is known
    hb_cfg_integer (map, "max_order_age_ms", 0, 1, 3600000, &venue->max_order_age_ms);
    hb_cfg_integer (map, "fill_window_s", 86400, 60, 90 * 86400, &venue->fill_window_s);
    hb_cfg_metrics (map, venue->metrics);
    snprintf (dflt, sizeof dflt, "feed.%s.replay", venue->name);
    hb_cfg_endpoint_key (self, map, "replay_endpoint", dflt, venue->replay_endpoint);
    s_fills_journal (self, map, venue);

    if (hb_ynode_get (map, "fees", &node) == 0 && hb_ynode_expect_map (&node)) {
        hb_ynode_check_keys (&node, fee_keys);
        hb_cfg_number (&node, "maker", false, 0, &(hb_cfg_range_t) { -0.01, 0.1, false, false }, &venue->fee_maker);
        hb_cfg_number (&node, "taker", false, 0, &(hb_cfg_range_t) { 0, 0.1, false, false }, &venue->fee_taker);
    }
    venue->initial_margin = 0.10;
    venue->maintenance_margin = 0.05;
    if (hb_ynode_get (map, "margin", &node) == 0 && hb_ynode_expect_map (&node)) {
        hb_ynode_check_keys (&node, margin_keys);
        bool ok = hb_cfg_number (&node, "initial", false, 0.10, &hb_cfg_unit, &venue->initial_margin) == 0;
        hb_ynode_t maintenance;
        if (hb_cfg_number (&node, "maintenance", false, 0.05, &hb_cfg_unit, &venue->maintenance_margin) == 0 && ok
        &&  venue->maintenance_margin > venue->initial_margin) {
            if (hb_ynode_get (&node, "maintenance", &maintenance) != 0)
                hb_ynode_get (&node, "initial", &maintenance);
            hb_yaml_error (&maintenance, "maintenance margin %g is above the initial margin %g",
                           venue->maintenance_margin, venue->initial_margin);
        }
    }
    if (hb_ynode_get (map, "collateral", &node) == 0 && hb_ynode_expect_map (&node))
        for (int i = 0; i < hb_ynode_size (&node); i++) {
            const char *key;
            hb_ynode_pair (&node, i, &key, &item);
            int asset = key ? hb_config_asset_index (self->cfg, key) : -1;
            double *slot = key && strcmp (key, "USD") == 0 ? &venue->collateral_usd
                         : asset >= 0 ? &venue->balances [asset] : NULL;
            if (!slot)
                hb_yaml_error_at (self->yaml, item.line, item.path, "unknown asset: collateral is USD or an asset of assets:");
            else
            if (hb_ynode_double (&item, slot) == 0 && *slot < 0)
                hb_yaml_error (&item, "must be >= 0");
        }

    if (hb_ynode_get (map, "params", &node) == 0 && hb_ynode_expect_map (&node))
        for (int i = 0; i < hb_ynode_size (&node); i++) {
            const char *key;
            hb_ynode_pair (&node, i, &key, &item);
            if (venue->n_params == HB_MAX_PARAMS) {
                hb_yaml_error_at (self->yaml, item.line, item.path, "too many params (at most %d)", HB_MAX_PARAMS);
                break;
            }
            hb_param_t *param = &venue->params [venue->n_params];
            param->line = item.line;
            if (hb_cfg_key_name (self, &item, key, param->key) == 0
            &&  hb_ynode_string (&item, param->value, sizeof param->value) == 0)
                venue->n_params++;
        }

    hb_cfg_number (map, "mark_stale_ms", false, 0, &(hb_cfg_range_t) { 0, 3600000, false, false },
                   &venue->mark_stale_ms);
    hb_cfg_discover (self, map, venue);
    if (hb_ynode_need (map, "instruments", &node) != 0 || !hb_ynode_expect_seq (&node))
        return;
    if (hb_ynode_size (&node) == 0)
        hb_yaml_error (&node, "at least one instrument is needed");
    //  sized from the file: refused over the maximum, never truncated
    int n_instruments = hb_ynode_size (&node), n_positions = 0;
    hb_ynode_t positions;
    bool has_positions = hb_ynode_get (map, "positions", &positions) == 0 && hb_ynode_expect_seq (&positions);
    if (has_positions)
        n_positions = hb_ynode_size (&positions);
    if (n_instruments > HB_MAX_INSTRUMENTS) {
        hb_yaml_error (&node, "%d instruments, at most %d per venue (HB_MAX_INSTRUMENTS)", n_instruments,
                       HB_MAX_INSTRUMENTS);
        return;
    }
    if (n_positions > HB_MAX_POSITIONS) {
        hb_yaml_error (&positions, "%d positions, at most %d per venue (HB_MAX_POSITIONS)", n_positions,
                       HB_MAX_POSITIONS);
        return;
    }
    if (hb_venue_cfg_alloc (venue, n_instruments, n_positions) != 0) {
        hb_yaml_error (&node, "out of memory for %d instruments", n_instruments);
        return;
    }
    int *item_of = malloc ((size_t) (n_instruments > 0 ? n_instruments : 1) * sizeof *item_of);
    if (!item_of) {
        hb_yaml_error (&node, "out of memory for %d instruments", n_instruments);
        return;
    }
    for (int i = 0; hb_ynode_item (&node, i, &item) == 0; i++) {
        if (hb_ynode_expect_map (&item)) {
            item_of [venue->n_instruments] = i;
            s_instrument (self, &item, &venue->instruments [venue->n_instruments]);
            venue->n_instruments++;
        }
    }
    if (hb_venue_cfg_index (venue) != 0)
        hb_yaml_error (&node, "out of memory for %d instruments", venue->n_instruments);
    else
        s_duplicates (&node, item_of, venue);
    free (item_of);
    s_underlyings (&node, venue);
    if (has_positions)
        s_positions (&positions, venue);
}

void
hb_cfg_venues (hb_cfg_loader_t *self, const hb_ynode_t *root)
{
    hb_config_t *cfg = self->cfg;
    hb_ynode_t venues, entry;
    if (hb_ynode_need (root, "venues", &venues) != 0 || !hb_ynode_expect_map (&venues))
        return;
    if (hb_ynode_size (&venues) == 0)
        hb_yaml_error (&venues, "at least one venue is needed");
    if (hb_ynode_size (&venues) > HB_MAX_VENUES) {
        hb_yaml_error (&venues, "%d venues, at most %d (HB_MAX_VENUES)", hb_ynode_size (&venues),
                       HB_MAX_VENUES);
        return;
    }
    for (int i = 0; i < hb_ynode_size (&venues); i++) {
        const char *key;
        hb_ynode_pair (&venues, i, &key, &entry);
        if (key && hb_config_venue (cfg, key))
            continue;
        hb_venue_cfg_t *venue = &cfg->venues [cfg->n_venues++];
        venue->line = entry.line;
        hb_cfg_key_name (self, &entry, key, venue->name);
        if (hb_ynode_expect_map (&entry))
            s_venue (self, &entry, venue);
    }
}

