/*  A plugin with every field right except a required operation (order)
    left NULL: the host must refuse it and name the operation.               */
#include "broken_plugin.h"

const hb_venue_ops_t hb_venue_plugin =
    BROKEN_PLUGIN_OPS (HB_PLUGIN_ABI_VERSION, sizeof (hb_venue_ops_t), "null_op", NULL);
