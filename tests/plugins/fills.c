/*  fills: tests/plugins/fills_plugin.h, built with fill flags declared
    (HB_VENUE_FEAT_FILL_FLAGS): the host honours the flags it sets.       */
#define FILLS_GARBAGE 0u
#include "fills_plugin.h"

const hb_venue_ops_t hb_venue_plugin = FILLS_OPS ("fills", HB_VENUE_FEAT_FILL_FLAGS);
