/*  hb_plugin_cfg: see hb_plugin_cfg.h. The cfg_* functions are hb_yaml's
    readers behind the plugin ABI: an hb_cfg_node_t holds an hb_ynode_t,
    which knows its document, so only cfg_section needs the host's ctx.  */
#include "hb_plugin_cfg.h"
#include "hb_plugin_host.h"
#include "hb_log.h"
#include "hb_time.h"
#include "hb_yaml.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert (sizeof (hb_ynode_t) <= sizeof (hb_cfg_node_t), "hb_cfg_node_t too small for hb_ynode_t");

struct _hb_plugin_cfg_t {
    hb_yaml_t             *yaml;
    const hb_config_t     *config;
    const hb_venue_cfg_t  *venue;
    const char *const     *sections;
    hb_ynode_t             root;
    bool                   has_root;
};

#define s_node(n)   ((const hb_ynode_t *) (const void *) (n))
#define s_out(n)    ((hb_ynode_t *) (void *) (n))

hb_plugin_cfg_t *
hb_plugin_cfg_new (const hb_config_t *config, const hb_venue_cfg_t *venue, const char *const *sections)
{
    assert (config && venue);
    hb_plugin_cfg_t *self = (hb_plugin_cfg_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    //  A config built by hand (tests, benches) has no file: every plugin
    //  section is absent
    bool no_file = !config->path [0];
    self->yaml = no_file ? hb_yaml_new_empty ("(no file)") : hb_yaml_new (config->path);
    if (!self->yaml) {
        free (self);
        return NULL;
    }
    self->config = config;
    self->venue = venue;
    self->sections = sections;
    self->has_root = !no_file && hb_yaml_root (self->yaml, &self->root) == 0;
    return self;
}

void
hb_plugin_cfg_destroy (hb_plugin_cfg_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        hb_yaml_destroy (&(*self_p)->yaml);
        free (*self_p);
        *self_p = NULL;
    }
}

int
hb_plugin_cfg_section (hb_plugin_cfg_t *self, const char *name, hb_cfg_node_t *out)
{
    assert (self && out);
    memset (out, 0, sizeof *out);
    hb_ynode_t *node = s_out (out);
    node->doc = self->yaml;
    hb_ynode_t venues, venue, plugin;
    bool declared = name == NULL;
    for (int i = 0; name && self->sections && self->sections [i]; i++)
        declared |= strcmp (self->sections [i], name) == 0;
    if (!declared) {
        hb_yaml_error_at (self->yaml, self->venue->line, name,
                          "plugin %s reads a section it does not declare in its sections", self->venue->plugin);
        return -1;
    }
    //  where the venue names its plugin: what asks for these sections
    int line = self->venue->line;
    if (self->has_root && hb_ynode_get (&self->root, "venues", &venues) == 0
    &&  hb_ynode_get (&venues, self->venue->name, &venue) == 0) {
        if (hb_ynode_get (&venue, "plugin", &plugin) == 0)
            line = plugin.line;
        if (!name) {
            int rc = hb_ynode_get (&venue, self->venue->plugin, node);
            node->line = rc == 0 ? node->line : line;
            return rc;
        }
    }
    if (name && self->has_root && hb_ynode_get (&self->root, name, node) == 0)
        return 0;
    memset (out, 0, sizeof *out);
    node->doc = self->yaml;
    node->line = line;
    if (name)
        snprintf (node->path, sizeof node->path, "%s", name);
    else
        snprintf (node->path, sizeof node->path, "venues.%s.%s", self->venue->name, self->venue->plugin);
    return -1;
}

int
hb_plugin_cfg_errors (const hb_plugin_cfg_t *self)
{
    assert (self);
    return hb_yaml_errors (self->yaml);
}

void
hb_plugin_cfg_report (const hb_plugin_cfg_t *self, char *errbuf, size_t errsize)
{
    assert (self);
    hb_yaml_report (self->yaml, errbuf, errsize);
}

//  ---------------------------------------------------------------------------
//  The cfg_* functions

static int
s_get (const hb_cfg_node_t *map, const char *key, hb_cfg_node_t *out)
{
    return hb_ynode_get (s_node (map), key, s_out (out));
}

static int
s_item (const hb_cfg_node_t *seq, int index, hb_cfg_node_t *out)
{
    return hb_ynode_item (s_node (seq), index, s_out (out));
}

static int
s_pair (const hb_cfg_node_t *map, int index, const char **key, hb_cfg_node_t *out)
{
    return hb_ynode_pair (s_node (map), index, key, s_out (out));
}

static int
s_size (const hb_cfg_node_t *node)
{
    return hb_ynode_size (s_node (node));
}

static bool
s_present (const hb_cfg_node_t *node)
{
    return hb_ynode_present (s_node (node));
}

static bool
s_expect_map (const hb_cfg_node_t *node)
{
    return hb_ynode_expect_map (s_node (node));
}

static bool
s_expect_seq (const hb_cfg_node_t *node)
{
    return hb_ynode_expect_seq (s_node (node));
}

static int
s_check_keys (const hb_cfg_node_t *map, const char *const *known)
{
    return hb_ynode_check_keys (s_node (map), known);
}

static const char *
s_scalar (const hb_cfg_node_t *node)
{
    return hb_ynode_scalar (s_node (node));
}

static int
s_string (const hb_cfg_node_t *node, char *buf, size_t size)
{
    return hb_ynode_string (s_node (node), buf, size);
}

static int
s_double (const hb_cfg_node_t *node, double *out)
{
    return hb_ynode_double (s_node (node), out);
}

static int
s_int (const hb_cfg_node_t *node, int64_t min, int64_t max, int64_t *out)
{
    return hb_ynode_int (s_node (node), min, max, out);
}

static int
s_uint64 (const hb_cfg_node_t *node, uint64_t *out)
{
    return hb_ynode_uint64 (s_node (node), out);
}

static int
s_bool (const hb_cfg_node_t *node, bool *out)
{
    return hb_ynode_bool (s_node (node), out);
}

static int
s_time (const hb_cfg_node_t *node, int64_t *ns)
{
    return hb_ynode_time (s_node (node), ns);
}

//  The same range message as the core config's (hb_config_read.c).
static int
s_number (const hb_cfg_node_t *map, const char *key, unsigned flags, double dflt,
          double lo, double hi, double *out)
{
    hb_ynode_t node;
    bool required = flags & HB_CFG_REQUIRED;
    bool lo_open = flags & HB_CFG_LO_OPEN, hi_open = flags & HB_CFG_HI_OPEN;
    *out = dflt;
    if (required ? hb_ynode_need (s_node (map), key, &node) != 0 : hb_ynode_get (s_node (map), key, &node) != 0)
        return required ? -1 : 0;
    double value;
    if (hb_ynode_double (&node, &value) != 0)
        return -1;
    if ((lo_open ? value <= lo : value < lo) || (hi_open ? value >= hi : value > hi)) {
        if (isinf (hi))
            hb_yaml_error (&node, "must be %s %g", lo_open ? ">" : ">=", lo);
        else
        if (isinf (lo))
            hb_yaml_error (&node, "must be %s %g", hi_open ? "<" : "<=", hi);
        else
            hb_yaml_error (&node, "must be in %c%g, %g%c", lo_open ? '(' : '[', lo, hi, hi_open ? ')' : ']');
        return -1;
    }
    *out = value;
    return 0;
}

static void
s_error (const hb_cfg_node_t *at, const char *format, ...)
{
    char message [512];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof message, format, args);
    va_end (args);
    hb_yaml_error (s_node (at), "%s", message);
}

void
hb_plugin_cfg_fill (hb_host_api_t *api)
{
    assert (api);
    api->cfg_get = s_get;
    api->cfg_item = s_item;
    api->cfg_pair = s_pair;
    api->cfg_size = s_size;
    api->cfg_present = s_present;
    api->cfg_expect_map = s_expect_map;
    api->cfg_expect_seq = s_expect_seq;
    api->cfg_check_keys = s_check_keys;
    api->cfg_scalar = s_scalar;
    api->cfg_string = s_string;
    api->cfg_double = s_double;
    api->cfg_int = s_int;
    api->cfg_uint64 = s_uint64;
    api->cfg_bool = s_bool;
    api->cfg_time = s_time;
    api->cfg_number = s_number;
    api->cfg_error = s_error;
}

//  ---------------------------------------------------------------------------
//  The config-only host of hb_plugin_cfg_check

static int
s_check_section (void *ctx, const char *name, hb_cfg_node_t *out)
{
    return hb_plugin_cfg_section ((hb_plugin_cfg_t *) ctx, name, out);
}

static int
s_check_errors (void *ctx)
{
    return hb_plugin_cfg_errors ((hb_plugin_cfg_t *) ctx);
}

static int
s_check_publish (void *ctx, hb_msg_t *msg)
{
    (void) ctx; (void) msg;
    return -1;
}

static void
s_check_log (void *ctx, int level, const char *format, ...)
{
    (void) ctx;
    va_list args;
    va_start (args, format);
    hb_log_v ((hb_log_level_t) level, format, args);
    va_end (args);
}

static int64_t
s_check_now (void *ctx)
{
    (void) ctx;
    return hb_wall_ns ();
}

//  Timers and fds are taken and never fire: a real venue's create sets up
//  its clients (a timer, an event fd) before the network is touched in
//  start, and must not fail on that in a check.
static int
s_check_timer_add (void *ctx, uint64_t interval_ms, size_t times, hb_timer_fn *fn, void *arg)
{
    (void) ctx; (void) interval_ms; (void) times; (void) fn; (void) arg;
    static int s_ids;
    return s_ids++ & 0xffff;
}

static int
s_check_cancel (void *ctx, int id)
{
    (void) ctx; (void) id;
    return 0;
}

static int
s_check_fd_add (void *ctx, int fd, int events, hb_fd_fn *fn, void *arg)
{
    (void) ctx; (void) fd; (void) events; (void) fn; (void) arg;
    return 0;
}

static void
s_check_status (void *ctx, uint32_t status)
{
    (void) ctx; (void) status;
}

//  Listings are not looked at in a check: taken, counted as kept
static int
s_check_instrument_list (void *ctx, const hb_instrument_t *items, size_t count)
{
    (void) ctx; (void) items;
    return (int) count;
}

static int
s_check_instrument_delist (void *ctx, const char *symbol)
{
    (void) ctx; (void) symbol;
    return -1;
}

int
hb_plugin_cfg_check (hb_plugin_host_t *plugin, const hb_config_t *config, const hb_venue_cfg_t *venue,
                     int *errors_p, char *errbuf, size_t errsize)
{
    assert (plugin && config && venue && errors_p);
    *errors_p = 0;
    const hb_venue_ops_t *ops = hb_plugin_host_ops (plugin);
    hb_plugin_cfg_t *self = hb_plugin_cfg_new (config, venue, ops->sections);
    if (!self)
        return -1;
    hb_host_api_t api = {
        //  a v3 plugin checks for v3: the host struct is the same
        .abi_version = hb_plugin_host_abi (plugin),
        .size = sizeof (hb_host_api_t),
        .ctx = self,
        .config = config,
        .venue = venue,
        .publish = s_check_publish,
        .log = s_check_log,
        .now_ns = s_check_now,
        .timer_add = s_check_timer_add,
        .timer_cancel = s_check_cancel,
        .fd_add = s_check_fd_add,
        .fd_remove = s_check_cancel,
        .set_status = s_check_status,
        .cfg_section = s_check_section,
        .cfg_errors = s_check_errors,
        .instrument_list = s_check_instrument_list,
        .instrument_delist = s_check_instrument_delist,
    };
    hb_plugin_cfg_fill (&api);
    bool created = hb_plugin_host_create (plugin, &api) == 0;
    hb_plugin_host_release (plugin);
    *errors_p = hb_plugin_cfg_errors (self);
    if (*errors_p)
        hb_plugin_cfg_report (self, errbuf, errsize);
    hb_plugin_cfg_destroy (&self);
    return created && *errors_p == 0 ? 0 : -1;
}
