/*  A plugin built for ABI v3, before transfer and credit were appended in
    place of two spare slots (so its struct is as large, those slots NULL):
    a v4 host must still load it, hand it a host struct marked v3, and
    refuse its venue's transfers itself.                                    */
#include "broken_plugin.h"

const hb_venue_ops_t hb_venue_plugin =
    BROKEN_PLUGIN_OPS (3, sizeof (hb_venue_ops_t), "abi_v3", broken_plugin_order);
