/*  deribit_book: one instrument's book kept in step with Deribit's book
    channel (book.<instrument>.100ms or .raw).

    Deribit numbers every book message: a snapshot carries change_id, and
    each change carries its own change_id and the prev_change_id it follows.
    A change whose prev_change_id is not the change_id last applied means a
    message was lost: the book is no longer known. Deribit's remedy is to
    subscribe again, which starts with a new snapshot; until then the book
    is invalid and changes are ignored. A change with a level we cannot read
    is treated the same way (part of it may have been applied already, and
    the rest is lost).

    Levels are kept in the venue's own units (price in the quote unit, size
    in Deribit's amount) in an hb_lbook_t; conversion to hb units happens
    when a tick is built (deribit_venue).                                   */
#ifndef DERIBIT_BOOK_H
#define DERIBIT_BOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "deribit_msg.h"
#include "hb_lbook.h"

typedef struct deribit_book_s deribit_book_t;

typedef enum {
    DERIBIT_BOOK_OK = 0,            //  applied; the book is valid
    DERIBIT_BOOK_IGNORED,           //  a change while invalid (waiting for a snapshot)
    DERIBIT_BOOK_GAP,               //  prev_change_id does not follow: now invalid
    DERIBIT_BOOK_BAD                //  a level could not be read: now invalid
} deribit_book_result_t;

//  An empty, invalid book holding up to max_levels per side. NULL when out
//  of memory or max_levels is 0.
deribit_book_t *deribit_book_new (size_t max_levels);

//  Frees, nulls *self_p. NULL-safe.
void deribit_book_destroy (deribit_book_t **self_p);

//  Applies one book message. Returns a deribit_book_result_t; GAP and BAD
//  write the reason into err (err_size bytes).
int deribit_book_apply (deribit_book_t *self, const deribit_book_msg_t *msg,
                        char *err, size_t err_size);

//  Forgets the book (connection lost, resubscribing): invalid until the
//  next snapshot.
void deribit_book_invalidate (deribit_book_t *self);

//  True from a snapshot until a gap, a bad level or deribit_book_invalidate.
bool deribit_book_valid (const deribit_book_t *self);

//  The change_id of the last message applied (0 before any snapshot).
int64_t deribit_book_change_id (const deribit_book_t *self);

//  The levels (venue units). Meaningful only while valid.
const hb_lbook_t *deribit_book_levels (const deribit_book_t *self);

#endif
