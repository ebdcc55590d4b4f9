/*  hb_config_discover: venues.X.discover, the filter hb-feed applies to the
    instruments a venue lists (plugin ABI v5; docs/CONFIG.md, Discovery).
    See hb_config.h (hb_discover_cfg_t); the shared readers are in
    hb_config_int.h.                                                       */
#include "hb_config_int.h"

#include <math.h>
#include <string.h>

//  A [lo, hi] pair at map.key into range (left as it is when absent): two
//  numbers within bounds, lo <= hi. Reported at the key's line.
static void
s_pair (const hb_ynode_t *map, const char *key, const hb_cfg_range_t *bounds, double range [2])
{
    hb_ynode_t node, item;
    if (hb_ynode_get (map, key, &node) != 0 || !hb_ynode_expect_seq (&node))
        return;
    if (hb_ynode_size (&node) != 2) {
        hb_yaml_error (&node, "expected [min, max]: two numbers");
        return;
    }
    double pair [2];
    for (int i = 0; i < 2; i++) {
        hb_ynode_item (&node, i, &item);
        if (hb_ynode_double (&item, &pair [i]) != 0)
            return;
        if (!hb_cfg_in_range (pair [i], bounds)) {
            hb_yaml_error (&item, "out of range [%g, %g]", bounds->lo, bounds->hi);
            return;
        }
    }
    if (pair [0] > pair [1]) {
        hb_yaml_error (&node, "min %g is above max %g", pair [0], pair [1]);
        return;
    }
    range [0] = pair [0];
    range [1] = pair [1];
}

void
hb_cfg_discover (hb_cfg_loader_t *self, const hb_ynode_t *map, hb_venue_cfg_t *venue)
{
    static const char *const keys [] = { "assets", "kinds", "expiry_days", "moneyness", "max_count", NULL };
    hb_discover_cfg_t *discover = &venue->discover;
    discover->all_assets = true;
    discover->kinds = 0;
    discover->expiry_days [0] = 0;
    discover->expiry_days [1] = INFINITY;
    discover->moneyness [0] = 0;
    discover->moneyness [1] = INFINITY;
    discover->max_count = HB_MAX_INSTRUMENTS;
    hb_ynode_t node, item;
    if (hb_ynode_get (map, "discover", &node) != 0 || !hb_ynode_expect_map (&node))
        return;
    discover->present = true;
    discover->line = node.line;
    hb_ynode_check_keys (&node, keys);
    hb_ynode_t list;
    if (hb_ynode_get (&node, "assets", &list) == 0 && hb_ynode_expect_seq (&list)) {
        if (hb_ynode_size (&list) == 0)
            hb_yaml_error (&list, "at least one asset (or no assets: key for all)");
        discover->all_assets = false;
        for (int i = 0; hb_ynode_item (&list, i, &item) == 0; i++) {
            char text [HB_NAME_MAX];
            if (hb_ynode_string (&item, text, sizeof text) != 0)
                continue;
            int asset = hb_config_asset_index (self->cfg, text);
            if (asset < 0)
                hb_yaml_error (&item, "unknown asset (not in assets:)");
            else
                discover->assets [asset] = true;
        }
    }
    if (hb_ynode_get (&node, "kinds", &list) == 0 && hb_ynode_expect_seq (&list)) {
        if (hb_ynode_size (&list) == 0)
            hb_yaml_error (&list, "at least one kind (or no kinds: key for all)");
        for (int i = 0; hb_ynode_item (&list, i, &item) == 0; i++) {
            char text [HB_NAME_MAX];
            if (hb_ynode_string (&item, text, sizeof text) != 0)
                continue;
            uint32_t bit = 0;
            for (hb_kind_t kind = HB_KIND_SPOT; kind <= HB_KIND_OPTION; kind++)
                if (strcmp (text, hb_kind_name (kind)) == 0)
                    bit = 1u << kind;
            if (!bit)
                hb_yaml_error (&item, "unknown kind: expected spot, linear_perp, inverse_perp, future or option");
            discover->kinds |= bit;
        }
    }
    s_pair (&node, "expiry_days", &(hb_cfg_range_t) { 0, 36500, false, false }, discover->expiry_days);
    s_pair (&node, "moneyness", &(hb_cfg_range_t) { 0, 100, false, false }, discover->moneyness);
    hb_cfg_integer (&node, "max_count", HB_MAX_INSTRUMENTS, 1, HB_MAX_INSTRUMENTS, &discover->max_count);
}
