/*  hb_plugin_host: see hb_plugin_host.h. */
#include "hb_plugin_host.h"

#include <assert.h>
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _hb_plugin_host_t {
    void           *dl;                 //  dlopen handle
    hb_venue_ops_t  ops;                //  our copy, zeroed beyond the declared size
    uint32_t        declared;           //  ops->size as the plugin said
    uint32_t        abi;                //  ops->abi_version
    void           *instance;           //  from ops.create, NULL before
    char            path [512];
    char            name [HB_NAME_MAX];
    char            description [128];
};

//  True when member m of the plugin's ops lies within what it declared.
#define s_has(self, m) \
    (offsetof (hb_venue_ops_t, m) + sizeof ((self)->ops.m) <= (self)->declared)

static void
s_fail (char *err, size_t errsize, const char *format, ...)
{
    if (!err || errsize == 0)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (err, errsize, format, args);
    va_end (args);
}

//  Checks the plugin's ops and fills self->ops. 0, or -1 with err set.
static int
s_check (hb_plugin_host_t *self, const hb_venue_ops_t *ops, char *err, size_t errsize)
{
    //  abi_version and size are the first 8 bytes in every ABI version, so
    //  they can be read before anything else is known.
    if (ops->abi_version < HB_PLUGIN_ABI_MIN || ops->abi_version > HB_PLUGIN_ABI_VERSION) {
        s_fail (err, errsize, "plugin '%s' built for ABI v%u, this host speaks v%u: rebuild it",
                self->path, ops->abi_version, HB_PLUGIN_ABI_VERSION);
        return -1;
    }
    if (ops->size < HB_VENUE_OPS_MIN_SIZE) {
        s_fail (err, errsize, "plugin '%s': %s struct too small: %u bytes, need at least %u",
                self->path, HB_VENUE_SYMBOL, ops->size, HB_VENUE_OPS_MIN_SIZE);
        return -1;
    }
    //  A plugin that declares more than it exports would make us read past
    //  its symbol. The ELF symbol knows its real size; trust it over the
    //  field when the dynamic linker can tell us.
    Dl_info info;
    const ElfW (Sym) *sym = NULL;
    if (dladdr1 (ops, &info, (void **) &sym, RTLD_DL_SYMENT) && sym
    &&  sym->st_size > 0 && sym->st_size < ops->size) {
        s_fail (err, errsize, "plugin '%s': %s declares %u bytes but the symbol is only %zu bytes",
                self->path, HB_VENUE_SYMBOL, ops->size, (size_t) sym->st_size);
        return -1;
    }
    //  A newer plugin may be larger than our struct: its extra members are
    //  for a newer host and we ignore them.
    self->declared = ops->size;
    self->abi = ops->abi_version;
    memset (&self->ops, 0, sizeof self->ops);
    memcpy (&self->ops, ops, ops->size < sizeof self->ops ? ops->size : sizeof self->ops);

    const char *missing = !self->ops.create ? "create"
                        : !self->ops.start ? "start"
                        : !self->ops.order ? "order"
                        : !self->ops.cancel ? "cancel"
                        : !self->ops.destroy ? "destroy" : NULL;
    if (missing) {
        s_fail (err, errsize, "plugin '%s': required operation '%s' is NULL",
                self->path, missing);
        return -1;
    }
    snprintf (self->name, sizeof self->name, "%s",
              s_has (self, name) && self->ops.name ? self->ops.name : "?");
    snprintf (self->description, sizeof self->description, "%s",
              s_has (self, description) && self->ops.description ? self->ops.description : "");
    return 0;
}

hb_plugin_host_t *
hb_plugin_host_new (const char *path, char *err, size_t errsize)
{
    assert (path);
    s_fail (err, errsize, "%s", "");
    hb_plugin_host_t *self = (hb_plugin_host_t *) calloc (1, sizeof *self);
    if (!self) {
        s_fail (err, errsize, "plugin '%s': out of memory", path);
        return NULL;
    }
    snprintf (self->path, sizeof self->path, "%s", path);
    dlerror ();
    self->dl = dlopen (path, RTLD_NOW | RTLD_LOCAL);
    if (!self->dl) {
        const char *why = dlerror ();
        s_fail (err, errsize, "cannot load plugin '%s': %s", path, why ? why : "unknown error");
        free (self);
        return NULL;
    }
    dlerror ();
    const hb_venue_ops_t *ops = (const hb_venue_ops_t *) dlsym (self->dl, HB_VENUE_SYMBOL);
    if (!ops) {
        const char *why = dlerror ();
        s_fail (err, errsize, "plugin '%s' does not export '%s': not a hedgebus venue plugin? (%s)",
                path, HB_VENUE_SYMBOL, why ? why : "symbol is NULL");
        dlclose (self->dl);
        free (self);
        return NULL;
    }
    if (s_check (self, ops, err, errsize)) {
        dlclose (self->dl);
        free (self);
        return NULL;
    }
    return self;
}

void
hb_plugin_host_destroy (hb_plugin_host_t **self_p)
{
    assert (self_p);
    hb_plugin_host_t *self = *self_p;
    if (!self)
        return;
    hb_plugin_host_release (self);
    if (self->dl)
        dlclose (self->dl);
    free (self);
    *self_p = NULL;
}

int
hb_plugin_host_create (hb_plugin_host_t *self, const hb_host_api_t *api)
{
    assert (self && api);
    if (self->instance)
        return -1;
    self->instance = self->ops.create (api);
    return self->instance ? 0 : -1;
}

void
hb_plugin_host_release (hb_plugin_host_t *self)
{
    assert (self);
    if (self->instance)
        self->ops.destroy (&self->instance);
    //  A plugin that forgets to null the pointer must not be destroyed twice.
    self->instance = NULL;
}

int
hb_plugin_host_start (hb_plugin_host_t *self)
{
    assert (self);
    return self->instance ? self->ops.start (self->instance) : -1;
}

int
hb_plugin_host_order (hb_plugin_host_t *self, const hb_order_t *order)
{
    assert (self && order);
    return self->instance ? self->ops.order (self->instance, order) : -1;
}

int
hb_plugin_host_cancel (hb_plugin_host_t *self, const hb_cancel_t *cancel)
{
    assert (self && cancel);
    return self->instance ? self->ops.cancel (self->instance, cancel) : -1;
}

int
hb_plugin_host_transfer (hb_plugin_host_t *self, const hb_transfer_t *request)
{
    assert (self && request);
    if (!self->instance || !s_has (self, transfer) || !self->ops.transfer) {
        errno = ENOTSUP;
        return -1;
    }
    errno = 0;
    return self->ops.transfer (self->instance, request);
}

int
hb_plugin_host_credit (hb_plugin_host_t *self, const hb_transfer_t *credited)
{
    assert (self && credited);
    if (!self->instance || !s_has (self, credit) || !self->ops.credit)
        return 0;                   //  a real venue's account shows it by itself
    return self->ops.credit (self->instance, credited);
}

uint32_t
hb_plugin_host_abi (const hb_plugin_host_t *self)
{
    assert (self);
    return self->abi;
}

const char *
hb_plugin_host_name (const hb_plugin_host_t *self)
{
    assert (self);
    return self->name;
}

const char *
hb_plugin_host_description (const hb_plugin_host_t *self)
{
    assert (self);
    return self->description;
}

const char *
hb_plugin_host_path (const hb_plugin_host_t *self)
{
    assert (self);
    return self->path;
}

uint32_t
hb_plugin_host_declared_size (const hb_plugin_host_t *self)
{
    assert (self);
    return self->declared;
}

const hb_venue_ops_t *
hb_plugin_host_ops (const hb_plugin_host_t *self)
{
    assert (self);
    return &self->ops;
}
