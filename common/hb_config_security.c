/*  hb_config_security: the security: section of the deployment file and
    the rule that goes with it: a tcp endpoint off loopback is served and
    reached with CURVE only, so it needs that section. See hb_config.h,
    hb_curve.h and docs/CONFIG.md.

    The section names no key material, only where it is (keys_dir) and who
    may connect (allow): the files are checked by the processes that use
    them (hb_curve_start) and by hb-run before it starts anything, because
    each host holds only the secret keys of its own processes.          */
#include "hb_config_int.h"

#include <stdio.h>
#include <string.h>

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
        if (!hb_config_key_name_valid (name)) {
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
    hb_cfg_bound_t list [HB_CFG_BOUND_MAX];
    int n = hb_cfg_bound (cfg, list);
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
