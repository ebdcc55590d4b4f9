/*  A plugin built against a newer header: its ops struct is larger than
    this host's (one operation appended after the spare slots). The host
    must accept it, and use only what it knows.                             */
#include "broken_plugin.h"

static void s_future (void) {}

typedef struct {
    hb_venue_ops_t ops;
    void (*future) (void);          //  an operation this host has never heard of
} s_newer_ops_t;

const s_newer_ops_t hb_venue_plugin = {
    .ops = BROKEN_PLUGIN_OPS (HB_PLUGIN_ABI_VERSION, sizeof (s_newer_ops_t), "newer",
                              broken_plugin_order),
    .future = s_future
};
