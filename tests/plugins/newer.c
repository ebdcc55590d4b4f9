/*  A plugin built against a newer header: its ops struct is larger than
    this host's (one operation appended after the spare slots). The host
    must accept it, and use only what it knows.                             */
#include "hb_plugin.h"

static void *s_create (const hb_host_api_t *host) { (void) host; return NULL; }
static int s_start (void *self) { (void) self; return 0; }
static int s_order (void *self, const hb_order_t *order) { (void) self; (void) order; return -1; }
static int s_cancel (void *self, const hb_cancel_t *cancel) { (void) self; (void) cancel; return -1; }
static void s_destroy (void **self_p) { *self_p = NULL; }
static void s_future (void) {}

typedef struct {
    hb_venue_ops_t ops;
    void (*future) (void);          //  an operation this host has never heard of
} s_newer_ops_t;

const s_newer_ops_t hb_venue_plugin = {
    .ops = {
        .abi_version = HB_PLUGIN_ABI_VERSION,
        .size = sizeof (s_newer_ops_t),
        .name = "newer",
        .create = s_create, .start = s_start, .order = s_order,
        .cancel = s_cancel, .destroy = s_destroy
    },
    .future = s_future
};
