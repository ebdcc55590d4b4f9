/*  A plugin with every field right except a required operation (order)
    left NULL: the host must refuse it and name the operation.               */
#include "hb_plugin.h"

static void *s_create (const hb_host_api_t *host) { (void) host; return NULL; }
static int s_start (void *self) { (void) self; return 0; }
static int s_cancel (void *self, const hb_cancel_t *cancel) { (void) self; (void) cancel; return -1; }
static void s_destroy (void **self_p) { *self_p = NULL; }

const hb_venue_ops_t hb_venue_plugin = {
    .abi_version = HB_PLUGIN_ABI_VERSION,
    .size = sizeof (hb_venue_ops_t),
    .name = "null_op",
    .create = s_create, .start = s_start, .order = NULL,
    .cancel = s_cancel, .destroy = s_destroy
};
