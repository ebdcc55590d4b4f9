/*  hb_vhost: see hb_vhost.h.                                             */
#include <assert.h>
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
