/*  hb_config_security: the security: section of the deployment file and
    the rule that goes with it: a tcp endpoint off loopback is served and
    reached with CURVE only, so it needs that section. See hb_config.h,
    hb_curve.h and docs/CONFIG.md.

    The section names no key material, only where it is (keys_dir) and who
    may connect (allow): the files are checked by the processes that use
    them (hb_curve_start) and by hb-run before it starts anything, because
    each host holds only the secret keys of its own processes.          */
#include "hb_config_int.h"
#include "hb_curve.h"

#include <arpa/inet.h>
#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

//  Every endpoint some process of the config binds, with its owner (the
//  certificate it serves with) and where the file says so.
typedef struct {
    const char *endpoint;
    char        owner [HB_KEY_NAME_MAX];
    char        key [HB_YAML_PATH_MAX];
    int         line;
} s_bound_t;

#define S_BOUND_MAX (2 * HB_MAX_VENUES + HB_MAX_COMPONENTS + 4)

static int
s_add (s_bound_t *list, int n, const char *endpoint, const char *owner, const char *key, int line)
{
    if (!endpoint [0] || n == S_BOUND_MAX)
        return n;
    for (int i = 0; i < n; i++)
        if (strcmp (list [i].endpoint, endpoint) == 0)
            return n;       //  a component's endpoint and its section's are one
    list [n].endpoint = endpoint;
    snprintf (list [n].owner, sizeof list [n].owner, "%s", owner);
    snprintf (list [n].key, sizeof list [n].key, "%s", key);
    list [n].line = line;
    return n + 1;
}

static int
s_bound (const hb_config_t *cfg, s_bound_t *list)
{
    char owner [HB_KEY_NAME_MAX], key [HB_YAML_PATH_MAX];
    int n = 0;
    for (int i = 0; i < cfg->n_venues; i++) {
        const hb_venue_cfg_t *venue = &cfg->venues [i];
        snprintf (owner, sizeof owner, "feed.%s", venue->name);
        snprintf (key, sizeof key, "venues.%s.endpoint", venue->name);
        n = s_add (list, n, venue->endpoint, owner, key, venue->line);
        snprintf (key, sizeof key, "venues.%s.replay_endpoint", venue->name);
        n = s_add (list, n, venue->replay_endpoint, owner, key, venue->line);
    }
    for (int i = 0; i < cfg->n_components; i++) {
        const hb_component_cfg_t *component = &cfg->components [i];
        snprintf (key, sizeof key, "components.%s.endpoint", component->name);
        n = s_add (list, n, component->endpoint, component->name, key, component->line);
    }
    const hb_component_cfg_t *aggregator = hb_config_component (cfg, "aggregator");
    int line = aggregator ? aggregator->line : 0;
    n = s_add (list, n, cfg->aggregator.endpoint, "aggregator", "components.aggregator.endpoint", line);
    n = s_add (list, n, cfg->aggregator.snapshot_endpoint, "aggregator",
               "components.aggregator.snapshot_endpoint", line);
    const hb_component_cfg_t *risk = hb_config_component (cfg, "risk");
    n = s_add (list, n, cfg->risk.endpoint, "risk", "components.risk.endpoint", risk ? risk->line : 0);
    const hb_component_cfg_t *hedger = hb_config_component (cfg, "hedger");
    n = s_add (list, n, cfg->hedger.endpoint, "hedger", "components.hedger.endpoint",
               hedger ? hedger->line : 0);
    return n;
}

//  The host of tcp://host:port is a loopback address or localhost. A name
//  other than localhost counts as off loopback: it may resolve anywhere.
static bool
s_loopback (const char *endpoint)
{
    char host [HB_ENDPOINT_MAX];
    snprintf (host, sizeof host, "%s", endpoint + 6);
    char *colon = strrchr (host, ':');
    if (colon)
        *colon = 0;
    char *name = host;
    if (*name == '[') {
        name++;
        name [strcspn (name, "]")] = 0;
    }
    if (strcasecmp (name, "localhost") == 0)
        return true;
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton (AF_INET, name, &v4) == 1)
        return (ntohl (v4.s_addr) >> 24) == 127;
    if (inet_pton (AF_INET6, name, &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK (&v6) || (IN6_IS_ADDR_V4MAPPED (&v6) && v6.s6_addr [12] == 127);
    return false;
}

bool
hb_config_endpoint_curve (const hb_config_t *self, const char *endpoint)
{
    assert (endpoint);
    if (strncmp (endpoint, "tcp://", 6) != 0)
        return false;
    return (self && self->security.loopback) || !s_loopback (endpoint);
}

const char *
hb_config_bound_endpoint (const hb_config_t *self, int index, char *owner)
{
    assert (self);
    s_bound_t list [S_BOUND_MAX];
    int n = s_bound (self, list);
    if (index < 0 || index >= n)
        return NULL;
    if (owner)
        strcpy (owner, list [index].owner);
    return list [index].endpoint;
}

static void
s_allow (hb_security_cfg_t *security, const hb_ynode_t *seq)
{
    hb_ynode_t item;
    if (hb_ynode_size (seq) == 0)
        hb_yaml_error (seq, "at least one client certificate name is needed "
                       "(nobody could connect to a CURVE endpoint)");
    for (int i = 0; hb_ynode_item (seq, i, &item) == 0; i++) {
        char name [HB_KEY_NAME_MAX];
        if (hb_ynode_string (&item, name, sizeof name) != 0)
            continue;
        if (!hb_curve_name_valid (name)) {
            hb_yaml_error (&item, "invalid certificate name: use 1 to %d of the characters "
                           "A-Z a-z 0-9 . _ : - (not starting with .)", HB_KEY_NAME_MAX - 1);
            continue;
        }
        bool twice = false;
        for (int j = 0; j < security->n_allow && !twice; j++)
            twice = strcmp (security->allow [j], name) == 0;
        if (twice)
            hb_yaml_error (&item, "listed twice");
        else
        if (security->n_allow == HB_MAX_ALLOW)
            hb_yaml_error (&item, "too many names (at most %d)", HB_MAX_ALLOW);
        else
            strcpy (security->allow [security->n_allow++], name);
    }
}

void
hb_cfg_security (hb_cfg_loader_t *self, const hb_ynode_t *root)
{
    static const char *const keys [] = { "keys_dir", "allow", "loopback", NULL };
    hb_config_t *cfg = self->cfg;
    hb_security_cfg_t *security = &cfg->security;
    hb_ynode_t section, node;
    if (hb_ynode_get (root, "security", &section) == 0 && hb_ynode_expect_map (&section)) {
        security->present = true;
        security->line = section.line;
        hb_ynode_check_keys (&section, keys);
        //  room for "/<name>.key_secret" after it
        size_t room = HB_PATH_MAX - HB_KEY_NAME_MAX - 16;
        if (hb_ynode_need (&section, "keys_dir", &node) == 0
        &&  hb_ynode_string (&node, security->keys_dir, room) == 0) {
            security->line = node.line;
            size_t len = strlen (security->keys_dir);
            while (len > 1 && security->keys_dir [len - 1] == '/')
                security->keys_dir [--len] = 0;
            if (security->keys_dir [0] != '/')
                hb_yaml_error (&node, "must be an absolute path");
        }
        if (hb_ynode_need (&section, "allow", &node) == 0 && hb_ynode_expect_seq (&node))
            s_allow (security, &node);
        security->loopback = hb_cfg_bool (&section, "loopback", false);
    }
    if (security->present)
        return;
    s_bound_t list [S_BOUND_MAX];
    int n = s_bound (cfg, list);
    for (int i = 0; i < n; i++) {
        if (!hb_config_endpoint_curve (cfg, list [i].endpoint))
            continue;
        //  the line where the file wrote the endpoint, when it did
        int line = list [i].line;
        for (int j = 0; j < self->n_endpoints; j++)
            if (strcmp (self->endpoints [j].endpoint, list [i].endpoint) == 0)
                line = self->endpoints [j].line;
        hb_yaml_error_at (self->yaml, line, list [i].key,
                          "a tcp endpoint off loopback needs CURVE: add a security: section "
                          "with keys_dir and allow (docs/CONFIG.md) (value '%s')", list [i].endpoint);
    }
}
