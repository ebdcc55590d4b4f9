/*  A plugin built for an ABI this host does not speak: the host must refuse
    it by its abi_version, before looking at anything else.                  */
#include "hb_plugin.h"

static void *s_create (const hb_host_api_t *host) { (void) host; return NULL; }
static int s_start (void *self) { (void) self; return 0; }
static int s_order (void *self, const hb_order_t *order) { (void) self; (void) order; return -1; }
static int s_cancel (void *self, const hb_cancel_t *cancel) { (void) self; (void) cancel; return -1; }
static void s_destroy (void **self_p) { *self_p = NULL; }

const hb_venue_ops_t hb_venue_plugin = {
    .abi_version = 999,
    .size = sizeof (hb_venue_ops_t),
    .name = "bad_abi",
    .create = s_create, .start = s_start, .order = s_order,
    .cancel = s_cancel, .destroy = s_destroy
};
