/*  hb_vslots: see hb_vslots.h.                                           */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_vorder.h"
#include "hb_vslots.h"

//  handles are gen * n + index and must stay ints
#define S_GENS 1000000

struct hb_vslots_s {
    int     n;
    size_t  size;
    char   *slots;
};

hb_vslots_t *
hb_vslots_new (int n, size_t slot_size)
{
    if (n < 1 || n > 1000 || slot_size < sizeof (hb_vslot_t))
        return NULL;
    hb_vslots_t *self = (hb_vslots_t *) calloc (1, sizeof *self);
    if (!self || !(self->slots = (char *) calloc ((size_t) n, slot_size))) {
        free (self);
        return NULL;
    }
    self->n = n;
    self->size = slot_size;
    return self;
}

void
hb_vslots_destroy (hb_vslots_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->slots);
    free (*self_p);
    *self_p = NULL;
}

static hb_vslot_t *
s_at (const hb_vslots_t *self, int i)
{
    return (hb_vslot_t *) (self->slots + (size_t) i * self->size);
}

int
hb_vslots_check (const hb_vslots_t *self, const char *key, const char **text)
{
    bool free_slot = false;
    for (int i = 0; i < self->n; i++) {
        const hb_vslot_t *slot = s_at (self, i);
        if (!slot->used)
            free_slot = true;
        else if (!strcmp (slot->key, key)) {
            *text = "client id already in flight";
            return HB_REJ_DUPLICATE_ID;
        }
    }
    if (!free_slot) {
        *text = "too many orders in flight";
        return HB_REJ_RATE_LIMIT;
    }
    return HB_REJ_NONE;
}

int
hb_vslots_admit (const hb_vslots_t *self, const hb_instrument_cfg_t *inst,
                 const hb_order_t *order, const char *key, const char **text)
{
    if (!inst) {
        *text = "no such instrument here";
        return HB_REJ_UNKNOWN_INSTRUMENT;
    }
    int reason = hb_vorder_check (inst, order, text);
    return reason != HB_REJ_NONE? reason: hb_vslots_check (self, key, text);
}

int
hb_vslots_take (hb_vslots_t *self, const hb_order_t *order, const char *key, double scale,
                void **slot_p)
{
    for (int i = 0; i < self->n; i++) {
        hb_vslot_t *slot = s_at (self, i);
        if (slot->used)
            continue;
        uint32_t gen = (slot->gen + 1) % S_GENS;
        memset (slot, 0, self->size);
        slot->gen = gen;
        slot->used = true;
        slot->order = *order;
        snprintf (slot->key, sizeof slot->key, "%s", key);
        slot->scale = scale;
        *slot_p = slot;
        return (int) gen * self->n + i;
    }
    return -1;
}

void *
hb_vslots_get (hb_vslots_t *self, int handle)
{
    if (handle < 0)
        return NULL;
    hb_vslot_t *slot = s_at (self, handle % self->n);
    return slot->used && slot->gen == (uint32_t) (handle / self->n)? slot: NULL;
}

void *
hb_vslots_find (hb_vslots_t *self, const char *key, const char *order_id)
{
    for (int i = 0; i < self->n; i++) {
        hb_vslot_t *s = s_at (self, i);
        if (s->used && ((key && *key && !strcmp (s->key, key))
                    ||  (order_id && *order_id && !strcmp (s->order_id, order_id))))
            return s;
    }
    return NULL;
}

int
hb_vslots_inflight (const hb_vslots_t *self)
{
    int n = 0;
    for (int i = 0; i < self->n; i++)
        n += s_at (self, i)->used;
    return n;
}
