/*  A plugin whose ops struct claims more bytes than its symbol has: it
    exports only the members up to the spare slots but declares the full
    size. The host must not read past the symbol: it compares the declared
    size with the ELF symbol's size and refuses.                            */
#include "broken_plugin.h"

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

const s_short_ops_t hb_venue_plugin =
    BROKEN_PLUGIN_OPS (HB_PLUGIN_ABI_VERSION, sizeof (hb_venue_ops_t), "lying_size",
                       broken_plugin_order);
