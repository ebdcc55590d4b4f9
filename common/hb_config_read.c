/*  hb_config_read: the typed readers every section of the deployment file
    uses (numbers with ranges, integers, names, endpoints, time windows).
    They call only hb_yaml: the section readers call them, never the other
    way round. See hb_config_int.h.                                      */
#include "hb_config_int.h"
#include "hb_metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const hb_cfg_range_t hb_cfg_positive = { 0, INFINITY, true, false };
const hb_cfg_range_t hb_cfg_nonneg   = { 0, INFINITY, false, false };
const hb_cfg_range_t hb_cfg_unit     = { 0, 1, true, false };

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

bool
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
