/*  hb_vhost: see hb_vhost.h.                                             */
#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include "hb_vhost.h"

void
hb_vhost_init (hb_vhost_t *self, const hb_host_api_t *host, const char *stale, const char *whole)
{
    assert (self && host && stale && whole);
    self->host = host;
    self->stale = stale;
    self->whole = whole;
}

int
hb_vhost_emit (void *arg, hb_msg_t *msg)
{
    const hb_vhost_t *self = (const hb_vhost_t *) arg;
    return self->host->publish (self->host->ctx, msg);
}

void
hb_vhost_status (void *arg, uint32_t status)
{
    const hb_vhost_t *self = (const hb_vhost_t *) arg;
    self->host->set_status (self->host->ctx, status);
    self->host->log (self->host->ctx, status? HB_LOG_WARN: HB_LOG_INFO, "books %s",
                     status? self->stale: self->whole);
}

void *
hb_vhost_alloc (const hb_host_api_t *host, size_t size)
{
    bool has_status = host && host->size >= offsetof (hb_host_api_t, set_status) + sizeof (host->set_status)
                   && host->set_status;
    if (!host || host->abi_version != HB_PLUGIN_ABI_VERSION || !has_status)
        return NULL;
    return calloc (1, size);
}

const char *
hb_vhost_param (const hb_venue_cfg_t *venue, const char *key, const char *fallback)
{
    const char *value = hb_venue_param (venue, key);
    return value? value: fallback;
}

void *
hb_vhost_undo (void *self, void (*destroy) (void **self_p))
{
    destroy (&self);
    return NULL;
}
