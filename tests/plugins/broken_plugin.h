/*  What the deliberately broken test plugins share: harmless operations and
    an ops initializer, so each plugin's file states only what is wrong with
    it. Every plugin here is built into its own .so, so this stays a header
    (a shared .c would become a plugin of its own).

    The operations do nothing and cannot fail in ways a test relies on:
    create returns NULL (there is nothing to make), start succeeds, order
    and cancel refuse (-1), destroy only nulls the pointer.                 */
#ifndef BROKEN_PLUGIN_H_INCLUDED
#define BROKEN_PLUGIN_H_INCLUDED

#include "hb_plugin.h"

static inline void *
broken_plugin_create (const hb_host_api_t *host) { (void) host; return NULL; }

static inline int
broken_plugin_start (void *self) { (void) self; return 0; }

static inline int
broken_plugin_order (void *self, const hb_order_t *order) { (void) self; (void) order; return -1; }

static inline int
broken_plugin_cancel (void *self, const hb_cancel_t *cancel) { (void) self; (void) cancel; return -1; }

static inline void
broken_plugin_destroy (void **self_p) { *self_p = NULL; }

//  Initializer for an hb_venue_ops_t, or any struct that begins with the
//  same member names, with the given header fields and the harmless
//  operations above. ORDER is an argument so a plugin can leave it NULL:
//  overriding a member after the fact would trip -Woverride-init.
#define BROKEN_PLUGIN_OPS(ABI, SIZE, NAME, ORDER) {                         \
    .abi_version = (ABI), .size = (SIZE), .name = (NAME),                    \
    .create = broken_plugin_create, .start = broken_plugin_start,            \
    .order = (ORDER), .cancel = broken_plugin_cancel,                        \
    .destroy = broken_plugin_destroy                                         \
}

#endif
