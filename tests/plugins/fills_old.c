/*  fills_old: tests/plugins/fills_plugin.h as a plugin built before fill
    flags existed would be: no HB_VENUE_FEAT_FILL_FLAGS, so the host clears
    the flags of its fills (garbage and external marks alike).            */
#define FILLS_GARBAGE 0xffffffffu
#include "fills_plugin.h"

const hb_venue_ops_t hb_venue_plugin = FILLS_OPS ("fills_old", 0);
