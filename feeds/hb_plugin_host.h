/*  hb_plugin_host: one loaded venue plugin and, once created, its instance.

    Loading is where a plugin is judged: the shared object is dlopened with
    RTLD_NOW | RTLD_LOCAL (every undefined symbol resolved now, nothing leaks
    into the host's namespace), its HB_VENUE_SYMBOL is looked up and checked
    (ABI version, declared size against the minimum and against the size of
    the symbol itself, required operations). A refused plugin is dlclosed and
    the reason is written, in one line naming the file, into the caller's
    buffer: the caller decides where it goes (stderr, a log, a test assert).

    The host copies the plugin's ops struct into a zeroed one of its own,
    only as far as the plugin declared, so an operation the plugin was built
    without reads as NULL and is never called.                               */
#ifndef HB_PLUGIN_HOST_H
#define HB_PLUGIN_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include "hb_plugin.h"

typedef struct _hb_plugin_host_t hb_plugin_host_t;

//  Loads and checks the plugin at path. Returns NULL when it is refused,
//  with the reason in err (errsize bytes, NUL-terminated; err may be NULL).
hb_plugin_host_t *hb_plugin_host_new (const char *path, char *err, size_t errsize);

//  Destroys the instance (if created), then dlcloses. NULL-safe; nulls
//  *self_p.
void hb_plugin_host_destroy (hb_plugin_host_t **self_p);

//  Creates the plugin's instance with api (which must outlive it). Returns
//  0, or -1 when the plugin refuses (it has logged why) or an instance
//  already exists.
int hb_plugin_host_create (hb_plugin_host_t *self, const hb_host_api_t *api);

//  Calls the plugin's start, order and cancel. Each returns the plugin's
//  answer (0 or -1), or -1 when there is no instance.
int hb_plugin_host_start (hb_plugin_host_t *self);
int hb_plugin_host_order (hb_plugin_host_t *self, const hb_order_t *order);
int hb_plugin_host_cancel (hb_plugin_host_t *self, const hb_cancel_t *cancel);
//  ABI v4's optional operations. transfer: -1 with ENOTSUP when the plugin
//  has none (errno 0 when it failed itself); credit: 0 when it has none.
int hb_plugin_host_transfer (hb_plugin_host_t *self, const hb_transfer_t *request);
int hb_plugin_host_credit (hb_plugin_host_t *self, const hb_transfer_t *credited);
//  The ABI the plugin was built for (HB_PLUGIN_ABI_MIN..HB_PLUGIN_ABI_VERSION):
//  the host struct handed to it carries this number.
uint32_t hb_plugin_host_abi (const hb_plugin_host_t *self);

//  Destroys the instance but keeps the plugin loaded (reverse of create).
void hb_plugin_host_release (hb_plugin_host_t *self);

//  The plugin's view of itself: name ("?" when it gives none),
//  description ("" when none), the path it was loaded from, the size it
//  declared and the host's copy of its ops (zeroed beyond that size).
const char *hb_plugin_host_name (const hb_plugin_host_t *self);
const char *hb_plugin_host_description (const hb_plugin_host_t *self);
const char *hb_plugin_host_path (const hb_plugin_host_t *self);
uint32_t hb_plugin_host_declared_size (const hb_plugin_host_t *self);
const hb_venue_ops_t *hb_plugin_host_ops (const hb_plugin_host_t *self);

#endif
