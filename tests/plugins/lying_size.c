/*  A plugin whose ops struct claims more bytes than its symbol has: it
    exports only the members up to the spare slots but declares the full
    size. The host must not read past the symbol: it compares the declared
    size with the ELF symbol's size and refuses.                            */
#include "hb_plugin.h"

static void *s_create (const hb_host_api_t *host) { (void) host; return NULL; }
static int s_start (void *self) { (void) self; return 0; }
static int s_order (void *self, const hb_order_t *order) { (void) self; (void) order; return -1; }
static int s_cancel (void *self, const hb_cancel_t *cancel) { (void) self; (void) cancel; return -1; }
static void s_destroy (void **self_p) { *self_p = NULL; }

//  hb_venue_ops_t without its spare slots
typedef struct {
    uint32_t    abi_version;
    uint32_t    size;
    const char *name;
    const char *description;
    void *(*create) (const hb_host_api_t *host);
    int   (*start) (void *self);
    int   (*order) (void *self, const hb_order_t *order);
    int   (*cancel) (void *self, const hb_cancel_t *cancel);
    void  (*destroy) (void **self_p);
} s_short_ops_t;

const s_short_ops_t hb_venue_plugin = {
    .abi_version = HB_PLUGIN_ABI_VERSION,
    .size = sizeof (hb_venue_ops_t),
    .name = "lying_size",
    .create = s_create, .start = s_start, .order = s_order,
    .cancel = s_cancel, .destroy = s_destroy
};
