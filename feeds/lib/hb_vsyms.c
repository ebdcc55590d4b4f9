/*  hb_vsyms: see hb_vsyms.h.                                             */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_vsyms.h"

typedef struct {
    char                       id [HB_NAME_MAX];
    const hb_instrument_cfg_t *inst;
} s_entry_t;

struct hb_vsyms_s {
    int       n;
    s_entry_t entries [];
};

hb_vsyms_t *
hb_vsyms_new (const hb_venue_cfg_t *venue, const char *what, const char *noun,
              char *err, size_t errsize)
{
    int n = venue->n_instruments > 0? venue->n_instruments: 0;
    hb_vsyms_t *self = (hb_vsyms_t *) calloc (1, sizeof *self + (size_t) n * sizeof (s_entry_t));
    if (!self) {
        snprintf (err, errsize, "out of memory");
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        const hb_instrument_cfg_t *inst = &venue->instruments [i];
        char key [HB_NAME_MAX + 8];
        snprintf (key, sizeof key, "sym.%s", inst->symbol);
        const char *id = hb_venue_param (venue, key);
        if (!id)
            id = inst->symbol;
        if (!*id || strlen (id) >= HB_NAME_MAX) {
            snprintf (err, errsize, "params.%s: '%s' is not %s", key, id, what);
            hb_vsyms_destroy (&self);
            return NULL;
        }
        int other = hb_vsyms_find_id (self, id);
        if (other >= 0) {
            snprintf (err, errsize, "params.%s: %s '%s' is already used by %s",
                      key, noun, id, self->entries [other].inst->symbol);
            hb_vsyms_destroy (&self);
            return NULL;
        }
        s_entry_t *e = &self->entries [self->n++];
        snprintf (e->id, sizeof e->id, "%s", id);
        e->inst = inst;
    }
    return self;
}

void
hb_vsyms_destroy (hb_vsyms_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

int
hb_vsyms_count (const hb_vsyms_t *self)
{
    return self->n;
}

const char *
hb_vsyms_id (const hb_vsyms_t *self, int i)
{
    return i >= 0 && i < self->n? self->entries [i].id: NULL;
}

const hb_instrument_cfg_t *
hb_vsyms_inst (const hb_vsyms_t *self, int i)
{
    return i >= 0 && i < self->n? self->entries [i].inst: NULL;
}

int
hb_vsyms_find_id (const hb_vsyms_t *self, const char *id)
{
    for (int i = 0; id && i < self->n; i++)
        if (!strcmp (self->entries [i].id, id))
            return i;
    return -1;
}

int
hb_vsyms_find_symbol (const hb_vsyms_t *self, const char *symbol)
{
    for (int i = 0; symbol && i < self->n; i++)
        if (!strcmp (self->entries [i].inst->symbol, symbol))
            return i;
    return -1;
}

const char *
hb_vsyms_symbol_of (const hb_vsyms_t *self, const char *id)
{
    const hb_instrument_cfg_t *inst = hb_vsyms_inst (self, hb_vsyms_find_id (self, id));
    return inst? inst->symbol: NULL;
}

const char *
hb_vsyms_id_of (const hb_vsyms_t *self, const char *symbol)
{
    return hb_vsyms_id (self, hb_vsyms_find_symbol (self, symbol));
}
