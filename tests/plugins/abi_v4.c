/*  A plugin built for ABI v4, before instrument discovery was appended to
    the host struct in place of two spare slots: a v5 host must still load
    it and hand it a host struct marked v4 (the same struct).              */
#include "broken_plugin.h"

const hb_venue_ops_t hb_venue_plugin =
    BROKEN_PLUGIN_OPS (4, sizeof (hb_venue_ops_t), "abi_v4", broken_plugin_order);
