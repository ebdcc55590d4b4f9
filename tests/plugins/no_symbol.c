/*  A shared object that looks like a plugin but exports its ops under the
    wrong name: the host must refuse it for the missing symbol.             */
#include "broken_plugin.h"

//  A typo a plugin author could make.
const hb_venue_ops_t hb_venue_plugins =
    BROKEN_PLUGIN_OPS (HB_PLUGIN_ABI_VERSION, sizeof (hb_venue_ops_t), "no_symbol",
                       broken_plugin_order);
