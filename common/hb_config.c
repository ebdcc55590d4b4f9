/*  hb_config: see hb_config.h and docs/CONFIG.md.

    The schema lives here; walking the YAML, key paths, lines and error
    collection live in hb_yaml. Each section is read by one s_ function that
    reports every problem it sees and carries on, so one load lists every
    mistake in the file. Checks that span sections (endpoints used twice, a
    sim venue without a market:) run after all sections are read.          */
#include "hb_config.h"
#include "hb_linalg.h"
#include "hb_log.h"
#include "hb_yaml.h"

#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_SCHEMA_VERSION    1
#define S_CORR_TOL          1e-9
#define S_LOT_TOL           1e-9
#define S_IPC_PATH_MAX      107         //  sun_path less its NUL
#define S_ENDPOINTS_MAX     (HB_MAX_VENUES + HB_MAX_COMPONENTS)

//  A closed or open interval for a number; INFINITY for no bound.
typedef struct {
    double lo, hi;
    bool   lo_open, hi_open;
} s_range_t;

static const s_range_t s_positive   = { 0, INFINITY, true, false };
static const s_range_t s_nonneg     = { 0, INFINITY, false, false };
static const s_range_t s_unit       = { 0, 1, true, false };            //  (0, 1]
static const s_range_t s_rho        = { -1, 1, false, false };

typedef struct {
    char endpoint [HB_ENDPOINT_MAX];
    char path [HB_YAML_PATH_MAX];
    int  line;
} s_endpoint_t;

typedef struct {
    hb_yaml_t    *yaml;
    hb_config_t  *cfg;
    s_endpoint_t  endpoints [S_ENDPOINTS_MAX];
    int           n_endpoints;
} s_loader_t;

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
s_range_error (const hb_ynode_t *node, const s_range_t *range)
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
s_in_range (double value, const s_range_t *range)
{
    return (range->lo_open ? value > range->lo : value >= range->lo)
        && (range->hi_open ? value < range->hi : value <= range->hi);
}

//  Reads map.key as a number into *out, or leaves dflt there when the key is
//  absent and not required. Returns 0 when *out holds a valid value.
static int
s_number (const hb_ynode_t *map, const char *key, bool required, double dflt,
          const s_range_t *range, double *out)
{
    hb_ynode_t node;
    *out = dflt;
    if (required ? hb_ynode_need (map, key, &node) != 0 : hb_ynode_get (map, key, &node) != 0)
        return required ? -1 : 0;
    double value;
    if (hb_ynode_double (&node, &value) != 0)
        return -1;
    if (!s_in_range (value, range)) {
        s_range_error (&node, range);
        return -1;
    }
    *out = value;
    return 0;
}

static int
s_integer (const hb_ynode_t *map, const char *key, int dflt, int min, int max, int *out)
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

static void
s_seed (const hb_ynode_t *map, uint64_t *out)
{
    hb_ynode_t node;
    *out = 1;
    if (hb_ynode_get (map, "seed", &node) == 0)
        hb_ynode_uint64 (&node, out);
}

static bool
s_bool (const hb_ynode_t *map, const char *key, bool dflt)
{
    hb_ynode_t node;
    bool value = dflt;
    if (hb_ynode_get (map, key, &node) == 0 && hb_ynode_bool (&node, &value) != 0)
        value = dflt;
    return value;
}

//  A name (asset, venue, symbol, component) given as a scalar value.
static int
s_name (const hb_ynode_t *node, char *name)
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
static int
s_key_name (s_loader_t *self, const hb_ynode_t *entry, const char *key, char *name)
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
        if (strlen (path) > S_IPC_PATH_MAX)
            hb_yaml_error (node, "ipc path longer than %d bytes (a Unix socket limit)", S_IPC_PATH_MAX);
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
s_endpoint_claim (s_loader_t *self, const char *endpoint, const char *path, int line)
{
    for (int i = 0; i < self->n_endpoints; i++)
        if (strcmp (self->endpoints [i].endpoint, endpoint) == 0) {
            hb_yaml_error_at (self->yaml, line, path,
                              "duplicate endpoint, already used by %s at line %d (value '%s')",
                              self->endpoints [i].path, self->endpoints [i].line, endpoint);
            return;
        }
    if (self->n_endpoints < S_ENDPOINTS_MAX) {
        s_endpoint_t *slot = &self->endpoints [self->n_endpoints++];
        snprintf (slot->endpoint, sizeof slot->endpoint, "%s", endpoint);
        snprintf (slot->path, sizeof slot->path, "%s", path);
        slot->line = line;
    }
}

//  Reads map.endpoint into out (or builds the default when dflt_name is not
//  NULL and the key is absent) and claims it.
static void
s_endpoint (s_loader_t *self, const hb_ynode_t *map, const char *dflt_name, char *out)
{
    hb_ynode_t node;
    out [0] = 0;
    if (hb_ynode_get (map, "endpoint", &node) == 0) {
        if (hb_ynode_string (&node, out, HB_ENDPOINT_MAX) != 0 || s_endpoint_check (&node, out) != 0) {
            out [0] = 0;
            return;
        }
    }
    else
    if (dflt_name) {
        int n = snprintf (out, HB_ENDPOINT_MAX, "ipc://%s/%s.pub", self->cfg->run_dir, dflt_name);
        if (n >= HB_ENDPOINT_MAX || strlen (out + 6) > S_IPC_PATH_MAX) {
            hb_yaml_error (&node, "default endpoint ipc://<run_dir>/%s.pub is too long: set endpoint", dflt_name);
            out [0] = 0;
            return;
        }
    }
    if (out [0])
        s_endpoint_claim (self, out, node.path, node.line);
}

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
    if (s_name (node, venue->plugin) != 0)
        return;
    //  A disabled venue may name a plugin this machine does not have
    if (s_plugin_find (venue->plugin, venue->plugin_path) != 0 && venue->enabled)
        hb_yaml_error (node, "unknown plugin: no hb_venue_%s.so in $HB_PLUGIN_PATH or "
                       "<dir of the program>/../lib/hedgebus", venue->plugin);
}

//  ---------------------------------------------------------------------------
//  Sections

//  keys: the keys the window's mapping may hold (a regime adds correlation)
static void
s_window (const hb_ynode_t *map, const char *const *keys, hb_window_cfg_t *window)
{
    hb_ynode_check_keys (map, keys);
    s_number (map, "at", true, 0, &s_nonneg, &window->at_s);
    s_number (map, "duration", true, 0, &s_positive, &window->duration_s);
    if (s_number (map, "every", false, 0, &s_nonneg, &window->every_s) == 0
    &&  window->every_s > 0 && window->duration_s >= window->every_s) {
        hb_ynode_t every;
        hb_ynode_get (map, "every", &every);
        hb_yaml_error (&every, "must be longer than duration (%g s), or 0 for once", window->duration_s);
    }
}

//  n x n, symmetric, unit diagonal, |rho| <= 1, positive semi-definite.
static void
s_correlation (s_loader_t *self, const hb_ynode_t *node, double corr [HB_MAX_ASSETS][HB_MAX_ASSETS])
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
            if (!s_in_range (corr [i][j], &s_rho))
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
s_assets (s_loader_t *self, const hb_ynode_t *root)
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
        s_key_name (self, &entry, key, asset->name);
        if (!hb_ynode_expect_map (&entry))
            continue;
        hb_ynode_check_keys (&entry, keys);
        s_number (&entry, "price", true, 0, &s_positive, &asset->price);
        s_number (&entry, "vol", true, 0, &(s_range_t) { 0, 10, false, false }, &asset->vol);
        s_number (&entry, "drift", false, 0, &(s_range_t) { -10, 10, false, false }, &asset->drift);
    }
}

static void
s_market (s_loader_t *self, const hb_ynode_t *root)
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
    s_seed (&map, &market->seed);
    s_number (&map, "step_ms", false, 100, &(s_range_t) { 0, 60000, true, false }, &market->step_ms);

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
        s_window (&node, regime_keys, &market->regime);
        if (hb_ynode_need (&node, "correlation", &corr) == 0)
            s_correlation (self, &corr, market->regime_corr);
    }
    if (hb_ynode_get (&map, "jumps", &node) == 0 && hb_ynode_expect_map (&node)) {
        hb_ynode_check_keys (&node, jump_keys);
        s_number (&node, "per_day", false, 0, &(s_range_t) { 0, 1000, false, false }, &market->jumps_per_day);
        s_number (&node, "mean", false, 0, &(s_range_t) { -1, 1, false, false }, &market->jump_mean);
        s_number (&node, "std", false, 0, &(s_range_t) { 0, 1, false, false }, &market->jump_std);
    }
}

static void
s_instrument (s_loader_t *self, const hb_ynode_t *map, hb_venue_cfg_t *venue, hb_instrument_cfg_t *ins)
{
    static const char *const keys [] = { "symbol", "asset", "kind", "multiplier", "tick", "lot", "min",
                                         "type", "strike", "expiry", "iv", NULL };
    static const char *const option_keys [] = { "type", "strike", "iv", NULL };
    hb_ynode_t node;
    ins->line = map->line;
    ins->asset = -1;
    hb_ynode_check_keys (map, keys);
    if (hb_ynode_need (map, "symbol", &node) == 0 && s_name (&node, ins->symbol) == 0)
        for (int i = 0; i < venue->n_instruments; i++)
            if (strcmp (venue->instruments [i].symbol, ins->symbol) == 0)
                hb_yaml_error (&node, "duplicate symbol in venue %s (first at line %d)",
                               venue->name, venue->instruments [i].line);
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
    if (s_number (map, "multiplier", inverse, 1, &s_positive, &ins->multiplier) == 0
    &&  ins->kind == HB_KIND_SPOT && ins->multiplier != 1) {
        hb_ynode_get (map, "multiplier", &node);
        hb_yaml_error (&node, "a spot instrument has no multiplier (must be 1)");
    }
    s_number (map, "tick", true, 0, &s_positive, &ins->tick_size);
    bool lot_ok = s_number (map, "lot", true, 0, &s_positive, &ins->lot_size) == 0;
    if (s_number (map, "min", false, ins->lot_size, &s_positive, &ins->min_qty) == 0 && lot_ok
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
        s_number (map, "strike", true, 0, &s_positive, &ins->strike);
        s_number (map, "iv", true, 0, &(s_range_t) { 0, 10, true, false }, &ins->iv);
    }
    else
    if (ins->kind)
        for (int k = 0; option_keys [k]; k++)
            if (hb_ynode_get (map, option_keys [k], &node) == 0)
                hb_yaml_error (&node, "only options have %s", option_keys [k]);
}

static void
s_sim (const hb_ynode_t *map, hb_sim_cfg_t *sim)
{
    static const char *const keys [] = { "seed", "basis_bps", "noise_bps", "spread_bps", "level_bps",
                                         "depth", "level_usd", "publish_ms", "latency_ms", "outages", NULL };
    static const char *const outage_keys [] = { "at", "duration", "every", NULL };
    const s_range_t ms = { 0, 60000, false, false };
    hb_ynode_check_keys (map, keys);
    s_seed (map, &sim->seed);
    s_number (map, "basis_bps", false, 0, &(s_range_t) { -1000, 1000, false, false }, &sim->basis_bps);
    s_number (map, "noise_bps", false, 0, &(s_range_t) { 0, 1000, false, false }, &sim->noise_bps);
    s_number (map, "spread_bps", false, 2, &(s_range_t) { 0, 10000, true, true }, &sim->spread_bps);
    s_number (map, "level_bps", false, 1, &(s_range_t) { 0, 10000, true, true }, &sim->level_bps);
    s_integer (map, "depth", HB_BOOK_DEPTH, 1, HB_BOOK_DEPTH, &sim->depth);
    s_number (map, "level_usd", false, 100000, &s_positive, &sim->level_usd);
    s_number (map, "publish_ms", false, 100, &(s_range_t) { 1, 60000, false, false }, &sim->publish_ms);
    s_number (map, "latency_ms", false, 0, &ms, &sim->latency_ms);
    hb_ynode_t outages, item;
    if (hb_ynode_get (map, "outages", &outages) != 0 || !hb_ynode_expect_seq (&outages))
        return;
    for (int i = 0; hb_ynode_item (&outages, i, &item) == 0; i++) {
        if (i == HB_MAX_WINDOWS) {
            hb_yaml_error (&item, "too many outages (at most %d)", HB_MAX_WINDOWS);
            break;
        }
        if (hb_ynode_expect_map (&item))
            s_window (&item, outage_keys, &sim->outages [sim->n_outages++]);
    }
}

static void
s_venue (s_loader_t *self, const hb_ynode_t *map, hb_venue_cfg_t *venue)
{
    static const char *const keys [] = { "plugin", "enabled", "endpoint", "cpu", "fees", "margin",
                                         "collateral", "sim", "params", "instruments", NULL };
    static const char *const fee_keys [] = { "maker", "taker", NULL };
    static const char *const margin_keys [] = { "initial", "maintenance", NULL };
    hb_ynode_t node, plugin, item;
    hb_ynode_check_keys (map, keys);
    venue->enabled = s_bool (map, "enabled", true);
    s_plugin (map, venue, &plugin);
    char dflt [HB_NAME_MAX + 8];
    snprintf (dflt, sizeof dflt, "feed.%s", venue->name);
    s_endpoint (self, map, dflt, venue->endpoint);
    s_integer (map, "cpu", -1, -1, 1023, &venue->cpu);

    if (hb_ynode_get (map, "fees", &node) == 0 && hb_ynode_expect_map (&node)) {
        hb_ynode_check_keys (&node, fee_keys);
        s_number (&node, "maker", false, 0, &(s_range_t) { -0.01, 0.1, false, false }, &venue->fee_maker);
        s_number (&node, "taker", false, 0, &(s_range_t) { 0, 0.1, false, false }, &venue->fee_taker);
    }
    venue->initial_margin = 0.10;
    venue->maintenance_margin = 0.05;
    if (hb_ynode_get (map, "margin", &node) == 0 && hb_ynode_expect_map (&node)) {
        hb_ynode_check_keys (&node, margin_keys);
        bool ok = s_number (&node, "initial", false, 0.10, &s_unit, &venue->initial_margin) == 0;
        hb_ynode_t maintenance;
        if (s_number (&node, "maintenance", false, 0.05, &s_unit, &venue->maintenance_margin) == 0 && ok
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

    venue->has_sim = strcmp (venue->plugin, "sim") == 0;
    bool has_section = hb_ynode_get (map, "sim", &node) == 0;
    if (venue->has_sim && !has_section)
        hb_yaml_error_at (self->yaml, plugin.line, node.path, "missing: a venue with plugin sim needs a sim: section");
    else
    if (has_section && venue->plugin [0] && !venue->has_sim)
        hb_yaml_error (&node, "only a venue with plugin sim takes a sim: section (use params:)");
    else
    if (has_section && hb_ynode_expect_map (&node))
        s_sim (&node, &venue->sim);

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
            if (s_key_name (self, &item, key, param->key) == 0
            &&  hb_ynode_string (&item, param->value, sizeof param->value) == 0)
                venue->n_params++;
        }

    if (hb_ynode_need (map, "instruments", &node) != 0 || !hb_ynode_expect_seq (&node))
        return;
    if (hb_ynode_size (&node) == 0)
        hb_yaml_error (&node, "at least one instrument is needed");
    for (int i = 0; hb_ynode_item (&node, i, &item) == 0; i++) {
        if (venue->n_instruments == HB_MAX_INSTRUMENTS) {
            hb_yaml_error (&item, "too many instruments (at most %d per venue)", HB_MAX_INSTRUMENTS);
            break;
        }
        if (hb_ynode_expect_map (&item)) {
            s_instrument (self, &item, venue, &venue->instruments [venue->n_instruments]);
            venue->n_instruments++;
        }
    }
}

static void
s_venues (s_loader_t *self, const hb_ynode_t *root)
{
    hb_config_t *cfg = self->cfg;
    hb_ynode_t venues, entry;
    if (hb_ynode_need (root, "venues", &venues) != 0 || !hb_ynode_expect_map (&venues))
        return;
    if (hb_ynode_size (&venues) == 0)
        hb_yaml_error (&venues, "at least one venue is needed");
    for (int i = 0; i < hb_ynode_size (&venues); i++) {
        const char *key;
        hb_ynode_pair (&venues, i, &key, &entry);
        if (key && hb_config_venue (cfg, key))
            continue;
        if (cfg->n_venues == HB_MAX_VENUES) {
            hb_yaml_error_at (self->yaml, entry.line, entry.path, "too many venues (at most %d)", HB_MAX_VENUES);
            break;
        }
        hb_venue_cfg_t *venue = &cfg->venues [cfg->n_venues++];
        venue->line = entry.line;
        s_key_name (self, &entry, key, venue->name);
        if (hb_ynode_expect_map (&entry))
            s_venue (self, &entry, venue);
        if (venue->has_sim && !cfg->market.present) {
            hb_ynode_t plugin;
            hb_ynode_get (&entry, "plugin", &plugin);
            hb_yaml_error_at (self->yaml, plugin.line, "market",
                              "missing section: venue %s uses plugin sim, which simulates the market: section",
                              venue->name);
        }
    }
}

static void
s_components (s_loader_t *self, const hb_ynode_t *root)
{
    static const char *const keys [] = { "endpoint", "cpu", "orders", NULL };
    hb_config_t *cfg = self->cfg;
    hb_ynode_t components, entry;
    if (hb_ynode_get (root, "components", &components) != 0 || !hb_ynode_expect_map (&components))
        return;
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
        s_key_name (self, &entry, key, component->name);
        if (!hb_ynode_expect_map (&entry))
            continue;
        hb_ynode_check_keys (&entry, keys);
        s_endpoint (self, &entry, NULL, component->endpoint);
        s_integer (&entry, "cpu", -1, -1, 1023, &component->cpu);
        component->sends_orders = s_bool (&entry, "orders", false);
    }
}

static void
s_top (s_loader_t *self, const hb_ynode_t *root)
{
    static const char *const keys [] = { "hedgebus", "deployment", "run_dir", "log_level", "assets",
                                         "market", "venues", "components", NULL };
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
        s_name (&node, cfg->deployment);

    strcpy (cfg->run_dir, "/tmp/hedgebus");
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
    s_venues (self, root);
    s_components (self, root);
}

//  ---------------------------------------------------------------------------

static hb_config_t *
s_load (const char *path, char *errbuf, size_t errsize)
{
    hb_yaml_t *yaml = hb_yaml_new (path);
    hb_config_t *cfg = calloc (1, sizeof *cfg);
    s_loader_t *self = calloc (1, sizeof *self);
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
