/*  A plugin built for an ABI this host does not speak: the host must refuse
    it by its abi_version, before looking at anything else.                  */
#include "broken_plugin.h"

const hb_venue_ops_t hb_venue_plugin =
    BROKEN_PLUGIN_OPS (999, sizeof (hb_venue_ops_t), "bad_abi", broken_plugin_order);
