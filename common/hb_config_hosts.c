/*  hb_config_hosts: the hosts: section of the deployment file and the
    host:, enabled: and program: keys of venues and components, which say
    what hb-run starts where. See hb_config.h and docs/CONFIG.md.

    This pass runs after venues: and components: are read, and walks those
    mappings again for its own keys, so the readers of those sections only
    have to accept the keys. A file without hosts: has one host, "local",
    and everything runs on it; with hosts:, every venue and component must
    end up on a known host, directly or through the one marked default.  */
#include "hb_config_int.h"

#include <stdio.h>
#include <string.h>

#define S_LOCAL     "local"

//  Programs of the components hb-run knows; any other component is not a
//  process of its own (an operator tool such as console) unless it names
//  a program.
static const char *const s_known_programs [] = { "aggregator", "risk", "hedger", "treasury", NULL };

//  "a, b, c" into buf, for error messages.
static void
s_host_names (const hb_config_t *cfg, char *buf, size_t size)
{
    size_t len = 0;
    buf [0] = 0;
    for (int i = 0; i < cfg->n_hosts && len < size; i++)
        len += (size_t) snprintf (buf + len, size - len, "%s%s", i ? ", " : "", cfg->hosts [i].name);
}

static void
s_hosts_section (hb_cfg_loader_t *self, const hb_ynode_t *root)
{
    static const char *const keys [] = { "address", "default", NULL };
    hb_config_t *cfg = self->cfg;
    hb_ynode_t hosts, entry, node;
    int default_line = 0;
    char default_path [HB_YAML_PATH_MAX] = "";
    if (hb_ynode_get (root, "hosts", &hosts) != 0 || !hb_ynode_expect_map (&hosts)) {
        cfg->n_hosts = 1;
        strcpy (cfg->hosts [0].name, S_LOCAL);
        cfg->hosts [0].is_default = true;
        return;
    }
    cfg->hosts_present = true;
    if (hb_ynode_size (&hosts) == 0)
        hb_yaml_error (&hosts, "at least one host is needed (or leave hosts: out: one host, local)");
    for (int i = 0; i < hb_ynode_size (&hosts); i++) {
        const char *key;
        hb_ynode_pair (&hosts, i, &key, &entry);
        if (key && hb_config_host (cfg, key))
            continue;       //  a duplicate key, reported at load
        if (cfg->n_hosts == HB_MAX_HOSTS) {
            hb_yaml_error_at (self->yaml, entry.line, entry.path, "too many hosts (at most %d)", HB_MAX_HOSTS);
            break;
        }
        hb_host_cfg_t *host = &cfg->hosts [cfg->n_hosts++];
        host->line = entry.line;
        hb_cfg_key_name (self, &entry, key, host->name);
        if (!hb_ynode_expect_map (&entry))
            continue;
        hb_ynode_check_keys (&entry, keys);
        if (hb_ynode_get (&entry, "address", &node) == 0
        &&  hb_ynode_string (&node, host->address, sizeof host->address) == 0
        &&  (!host->address [0] || strpbrk (host->address, "/ \t"))) {
            hb_yaml_error (&node, "expected a host name or IP address (no scheme, no port)");
            host->address [0] = 0;
        }
        host->is_default = hb_cfg_bool (&entry, "default", false);
        if (host->is_default && default_line) {
            hb_ynode_get (&entry, "default", &node);
            hb_yaml_error (&node, "only one host can be the default (already %s at line %d)",
                           default_path, default_line);
            host->is_default = false;
        }
        else
        if (host->is_default) {
            default_line = entry.line;
            snprintf (default_path, sizeof default_path, "%s", entry.path);
        }
    }
}

//  map.host into host (HB_NAME_MAX bytes): a known host, or the default
//  one when the key is absent.
static void
s_assign (hb_cfg_loader_t *self, const hb_ynode_t *map, const char *what, char *host)
{
    const hb_config_t *cfg = self->cfg;
    char names [HB_MAX_HOSTS * (HB_NAME_MAX + 2)];
    hb_ynode_t node;
    host [0] = 0;
    if (hb_ynode_get (map, "host", &node) == 0) {
        if (hb_cfg_name (&node, host) != 0)
            return;
        if (!hb_config_host (cfg, host)) {
            s_host_names (cfg, names, sizeof names);
            if (cfg->hosts_present)
                hb_yaml_error (&node, "unknown host: not in hosts: (%s)", names);
            else
                hb_yaml_error (&node, "unknown host: without a hosts: section the only host is local");
            host [0] = 0;
        }
        return;
    }
    for (int i = 0; i < cfg->n_hosts; i++)
        if (cfg->hosts [i].is_default || cfg->n_hosts == 1) {
            strcpy (host, cfg->hosts [i].name);
            return;
        }
    if (cfg->n_hosts > 1) {
        s_host_names (cfg, names, sizeof names);
        hb_yaml_error (&node, "%s is assigned to no host: set host: to one of %s, "
                       "or mark one host default: true", what, names);
    }
}

static void
s_program (const hb_ynode_t *map, hb_component_cfg_t *component)
{
    hb_ynode_t node;
    component->program [0] = 0;
    if (hb_ynode_get (map, "program", &node) == 0) {
        if (hb_ynode_string (&node, component->program, sizeof component->program) != 0)
            return;
        if (!component->program [0] || strchr (component->program, ' '))
            hb_yaml_error (&node, "expected a program name (found beside hb-run) or an absolute path");
        else
        if (strchr (component->program, '/') && component->program [0] != '/')
            hb_yaml_error (&node, "a program path must be absolute");
        return;
    }
    for (int i = 0; s_known_programs [i]; i++)
        if (strcmp (component->name, s_known_programs [i]) == 0)
            snprintf (component->program, sizeof component->program, "hb-%s", component->name);
}

void
hb_cfg_hosts (hb_cfg_loader_t *self, const hb_ynode_t *root)
{
    hb_config_t *cfg = self->cfg;
    hb_ynode_t section, entry;
    char what [HB_NAME_MAX + 16];
    s_hosts_section (self, root);

    if (hb_ynode_get (root, "venues", &section) == 0 && hb_ynode_is_map (&section))
        for (int i = 0; i < hb_ynode_size (&section); i++) {
            const char *key;
            hb_ynode_pair (&section, i, &key, &entry);
            //  the first entry of that name is the one the venues pass kept
            hb_venue_cfg_t *venue = (hb_venue_cfg_t *) hb_config_venue (cfg, key);
            if (!venue || venue->line != entry.line || !hb_ynode_is_map (&entry))
                continue;
            snprintf (what, sizeof what, "venue %s", venue->name);
            s_assign (self, &entry, what, venue->host);
        }
    for (int i = 0; i < cfg->n_components; i++)
        cfg->components [i].enabled = true;
    if (hb_ynode_get (root, "components", &section) == 0 && hb_ynode_is_map (&section))
        for (int i = 0; i < hb_ynode_size (&section); i++) {
            const char *key;
            hb_ynode_pair (&section, i, &key, &entry);
            hb_component_cfg_t *component = (hb_component_cfg_t *) hb_config_component (cfg, key);
            if (!component || component->line != entry.line || !hb_ynode_is_map (&entry))
                continue;
            snprintf (what, sizeof what, "component %s", component->name);
            component->enabled = hb_cfg_bool (&entry, "enabled", true);
            s_program (&entry, component);
            s_assign (self, &entry, what, component->host);
        }
}
