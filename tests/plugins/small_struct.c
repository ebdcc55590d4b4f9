/*  A plugin whose ops struct declares only 8 bytes (the ABI header): the
    host must refuse it for being smaller than HB_VENUE_OPS_MIN_SIZE.        */
#include "broken_plugin.h"

const hb_venue_ops_t hb_venue_plugin =
    BROKEN_PLUGIN_OPS (HB_PLUGIN_ABI_VERSION, 8, "small_struct", broken_plugin_order);
