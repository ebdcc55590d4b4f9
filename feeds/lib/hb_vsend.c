/*  hb_vsend: see hb_vsend.h.                                             */
#include <stdio.h>
#include <stdlib.h>
#include "hb_config.h"
#include "hb_log.h"
#include "hb_vsend.h"

typedef struct {
    hb_vsend_t *owner;
    bool        used;
    bool        cancel;
    int         handle;
    char        client_id [HB_ID_MAX];     //  of a cancel, for cancel_answer_of
} s_slot_t;

struct hb_vsend_s {
    hb_vsend_cfg_t cfg;
    hb_ratelimit_t limit;
    hb_rest_t     *rest;
    s_slot_t      *slots;
};

//  A number param (atof, as every plugin read it), dflt when absent.
static double
s_number (const hb_host_api_t *host, const char *key, double dflt)
{
    const char *text = host->venue? hb_venue_param (host->venue, key): NULL;
    return text? atof (text): dflt;
}

hb_vsend_t *
hb_vsend_new (const hb_vsend_cfg_t *cfg)
{
    if (!cfg || !cfg->host || !cfg->slots || !cfg->post || !cfg->fail
    ||  !cfg->answer || (!cfg->cancel_answer && !cfg->cancel_answer_of))
        return NULL;
    const hb_host_api_t *host = cfg->host;
    hb_vsend_t *self = (hb_vsend_t *) calloc (1, sizeof *self);
    if (!self || !(self->slots = (s_slot_t *) calloc (cfg->slots, sizeof *self->slots))) {
        free (self);
        return NULL;
    }
    self->cfg = *cfg;
    self->cfg.name = NULL;          //  not kept: the REST client has its copy
    self->cfg.ca_file = NULL;
    for (size_t i = 0; i < cfg->slots; i++)
        self->slots [i].owner = self;
    if (hb_ratelimit_init (&self->limit, s_number (host, "orders_per_s", cfg->rate),
                           s_number (host, "order_burst", cfg->burst), host->now_ns (host->ctx))) {
        host->log (host->ctx, HB_LOG_ERROR, "params.orders_per_s / order_burst: must be numbers > 0");
        hb_vsend_destroy (&self);
        return NULL;
    }
    hb_rest_cfg_t rcfg = { .name = cfg->name, .ca_file = cfg->ca_file, .insecure = cfg->insecure,
                           .max_inflight = cfg->max_inflight? cfg->max_inflight: 16 };
    self->rest = hb_rest_new (host, &rcfg);
    if (!self->rest)
        hb_vsend_destroy (&self);
    return self;
}

void
hb_vsend_destroy (hb_vsend_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_rest_destroy (&(*self_p)->rest);
    free ((*self_p)->slots);
    free (*self_p);
    *self_p = NULL;
}

static int64_t
s_now (const hb_vsend_t *self)
{
    return self->cfg.host->now_ns (self->cfg.host->ctx);
}

static s_slot_t *
s_take (hb_vsend_t *self, bool cancel, int handle)
{
    for (size_t i = 0; i < self->cfg.slots; i++)
        if (!self->slots [i].used) {
            self->slots [i].used = true;
            self->slots [i].cancel = cancel;
            self->slots [i].handle = handle;
            return &self->slots [i];
        }
    return NULL;
}

static void
s_on_rest (void *arg, const hb_rest_resp_t *resp)
{
    s_slot_t *slot = (s_slot_t *) arg;
    hb_vsend_t *self = slot->owner;
    slot->used = false;
    //  the venue counts, not us: nothing goes until it says
    if (resp->status == 429 || resp->status == 418) {
        int64_t wait = resp->retry_after_s > 0? resp->retry_after_s: self->cfg.pause_s;
        hb_ratelimit_pause (&self->limit, s_now (self) + wait * 1000000000);
    }
    if (slot->cancel && self->cfg.cancel_answer_of)
        self->cfg.cancel_answer_of (self->cfg.arg, slot->client_id, resp);
    else
    if (slot->cancel)
        self->cfg.cancel_answer (self->cfg.arg, resp);
    else
        self->cfg.answer (self->cfg.arg, slot->handle, resp);
}

void
hb_vsend_order (hb_vsend_t *self, int handle, bool keys, const char *path, const char *body)
{
    void *arg = self->cfg.arg;
    if (!keys) {
        self->cfg.fail (arg, handle, HB_REJ_VENUE, "no API key configured: market data only");
        return;
    }
    if (!hb_ratelimit_take (&self->limit, 1, s_now (self))) {
        self->cfg.fail (arg, handle, HB_REJ_RATE_LIMIT, "over the venue's request rate");
        return;
    }
    s_slot_t *slot = s_take (self, false, handle);
    if (!slot) {
        self->cfg.fail (arg, handle, HB_REJ_RATE_LIMIT, "too many requests in flight");
        return;
    }
    if (self->cfg.post (arg, self->rest, path, body, s_on_rest, slot)) {
        slot->used = false;
        self->cfg.fail (arg, handle, HB_REJ_RATE_LIMIT, "request not sent: too many in flight");
    }
}

void
hb_vsend_cancel (hb_vsend_t *self, bool keys, const char *path, const char *body,
                 const char *client_id)
{
    s_slot_t *slot = keys? s_take (self, true, -1): NULL;
    if (!slot || !hb_ratelimit_take (&self->limit, 1, s_now (self))) {
        if (slot)
            slot->used = false;
        self->cfg.host->log (self->cfg.host->ctx, HB_LOG_WARN,
                             "cancel %s not sent: rate limit or no key", client_id);
        return;
    }
    snprintf (slot->client_id, sizeof slot->client_id, "%s", client_id);
    if (self->cfg.post (self->cfg.arg, self->rest, path, body, s_on_rest, slot))
        slot->used = false;
}

size_t
hb_vsend_inflight (const hb_vsend_t *self)
{
    size_t n = 0;
    for (size_t i = 0; i < self->cfg.slots; i++)
        n += self->slots [i].used;
    return n;
}
