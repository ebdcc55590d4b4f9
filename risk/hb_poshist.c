/*  hb_poshist: recent position states by last fill (see hb_poshist.h).  */
#include "hb_poshist.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

struct _hb_poshist_t {
    int            capacity;
    int            count;
    int            next;            //  where the next state goes
    hb_position_t *ring;
};

hb_poshist_t *
hb_poshist_new (int capacity)
{
    if (capacity < 1)
        return NULL;
    hb_poshist_t *self = (hb_poshist_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->ring = (hb_position_t *) calloc ((size_t) capacity, sizeof *self->ring);
    if (!self->ring) {
        free (self);
        return NULL;
    }
    self->capacity = capacity;
    return self;
}

void
hb_poshist_destroy (hb_poshist_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->ring);
        free (*self_p);
        *self_p = NULL;
    }
}

void
hb_poshist_add (hb_poshist_t *self, const hb_position_t *pos)
{
    assert (self && pos);
    self->ring [self->next] = *pos;
    self->next = (self->next + 1) % self->capacity;
    if (self->count < self->capacity)
        self->count++;
}

//  Newest first; last_fill NULL matches any
static const hb_position_t *
s_find (const hb_poshist_t *self, const char *venue, const char *symbol, const char *last_fill)
{
    for (int k = 1; k <= self->count; k++) {
        const hb_position_t *pos = &self->ring [(self->next - k + self->capacity) % self->capacity];
        if (strcmp (pos->venue, venue) == 0 && strcmp (pos->symbol, symbol) == 0
        &&  (!last_fill || strcmp (pos->last_fill, last_fill) == 0))
            return pos;
    }
    return NULL;
}

const hb_position_t *
hb_poshist_find (const hb_poshist_t *self, const char *venue, const char *symbol,
                 const char *last_fill)
{
    assert (self && venue && symbol && last_fill);
    return s_find (self, venue, symbol, last_fill);
}

const hb_position_t *
hb_poshist_latest (const hb_poshist_t *self, const char *venue, const char *symbol)
{
    assert (self && venue && symbol);
    return s_find (self, venue, symbol, NULL);
}
