/*  deribit_book: change_id continuity over an hb_lbook_t (see the header). */
#include <stdio.h>
#include <stdlib.h>
#include "deribit_book.h"

struct deribit_book_s {
    hb_lbook_t *levels;
    bool        valid;
    int64_t     change_id;
};

deribit_book_t *
deribit_book_new (size_t max_levels)
{
    deribit_book_t *self = (deribit_book_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->levels = hb_lbook_new (max_levels);
    if (!self->levels) {
        free (self);
        return NULL;
    }
    return self;
}

void
deribit_book_destroy (deribit_book_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_lbook_destroy (&(*self_p)->levels);
    free (*self_p);
    *self_p = NULL;
}

//  Applies every level of one side; -1 at the first unreadable one.
static int
s_apply_side (deribit_book_t *self, json_t *side, int hb_side, char *err, size_t err_size)
{
    size_t n = json_array_size (side);
    for (size_t i = 0; i < n; i++) {
        deribit_level_t level;
        if (deribit_level_at (side, i, &level, err, err_size))
            return -1;
        double qty = level.action == DERIBIT_ACTION_DELETE ? 0 : level.amount;
        if (hb_lbook_set (self->levels, hb_side, level.price, qty))
            return -1;      //  not reached: deribit_level_at checked the numbers
    }
    return 0;
}

int
deribit_book_apply (deribit_book_t *self, const deribit_book_msg_t *msg, char *err, size_t err_size)
{
    if (msg->snapshot)
        hb_lbook_clear (self->levels);
    else {
        if (!self->valid)
            return DERIBIT_BOOK_IGNORED;
        if (msg->prev_change_id != self->change_id) {
            snprintf (err, err_size, "prev_change_id %lld does not follow change_id %lld",
                      (long long) msg->prev_change_id, (long long) self->change_id);
            self->valid = false;
            return DERIBIT_BOOK_GAP;
        }
    }
    //  Once a level has gone in, the book is only whole if all of them do:
    //  a bad level invalidates it rather than leaving half a change applied.
    self->valid = false;
    if (s_apply_side (self, msg->bids, HB_SIDE_BUY, err, err_size)
    ||  s_apply_side (self, msg->asks, HB_SIDE_SELL, err, err_size))
        return DERIBIT_BOOK_BAD;
    self->valid = true;
    self->change_id = msg->change_id;
    return DERIBIT_BOOK_OK;
}

void
deribit_book_invalidate (deribit_book_t *self)
{
    self->valid = false;
}

bool
deribit_book_valid (const deribit_book_t *self)
{
    return self->valid;
}

int64_t
deribit_book_change_id (const deribit_book_t *self)
{
    return self->change_id;
}

const hb_lbook_t *
deribit_book_levels (const deribit_book_t *self)
{
    return self->levels;
}
