/*  hb_asof: books and early acks by data time (see hb_asof.h).         */
#include "hb_asof.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    hb_tick_t tick;
    int64_t   ts;
} s_quote_t;

typedef struct {
    s_quote_t ring [HB_ASOF_HISTORY];
    int       next, count;
} s_book_t;

typedef struct {
    bool      used;
    hb_ack_t  ack;
    int64_t   ts;
} s_early_t;

typedef struct {
    bool      used;
    uint64_t  rank;                 //  arrival order
    hb_env_t  env;
    hb_fill_t fill;
} s_early_fill_t;

struct _hb_asof_t {
    int        n_venues, n_instruments;
    s_book_t  *books;
    s_early_t  acks [HB_ASOF_ACKS];
    int        ack_next;
    s_early_fill_t fills [HB_ASOF_FILLS];
    int        fill_next;
    uint64_t   fill_rank;
};

hb_asof_t *
hb_asof_new (int n_venues, int n_instruments)
{
    if (n_venues < 1 || n_instruments < 1)
        return NULL;
    hb_asof_t *self = (hb_asof_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->books = (s_book_t *) calloc ((size_t) n_venues * (size_t) n_instruments, sizeof *self->books);
    if (!self->books) {
        free (self);
        return NULL;
    }
    self->n_venues = n_venues;
    self->n_instruments = n_instruments;
    return self;
}

void
hb_asof_destroy (hb_asof_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->books);
        free (*self_p);
        *self_p = NULL;
    }
}

static s_book_t *
s_book (const hb_asof_t *self, int venue, int instrument)
{
    if (venue < 0 || venue >= self->n_venues || instrument < 0 || instrument >= self->n_instruments)
        return NULL;
    return &self->books [venue * self->n_instruments + instrument];
}

int
hb_asof_tick (hb_asof_t *self, int venue, int instrument, const hb_tick_t *tick, int64_t ts_ns)
{
    assert (self && tick);
    s_book_t *book = s_book (self, venue, instrument);
    if (!book)
        return -1;
    if (book->count > 0
    &&  ts_ns < book->ring [(book->next + HB_ASOF_HISTORY - 1) % HB_ASOF_HISTORY].ts)
        return -1;
    book->ring [book->next].tick = *tick;
    book->ring [book->next].ts = ts_ns;
    book->next = (book->next + 1) % HB_ASOF_HISTORY;
    if (book->count < HB_ASOF_HISTORY)
        book->count++;
    return 0;
}

const hb_tick_t *
hb_asof_book (const hb_asof_t *self, int venue, int instrument, int64_t at_ns, int64_t *ts_ns)
{
    assert (self && ts_ns);
    const s_book_t *book = s_book (self, venue, instrument);
    for (int k = 1; book && k <= book->count; k++) {
        const s_quote_t *quote = &book->ring [(book->next + HB_ASOF_HISTORY - k) % HB_ASOF_HISTORY];
        if (quote->ts <= at_ns) {
            *ts_ns = quote->ts;
            return &quote->tick;
        }
    }
    return NULL;
}

void
hb_asof_ack_keep (hb_asof_t *self, const hb_ack_t *ack, int64_t ts_ns)
{
    assert (self && ack);
    s_early_t *early = &self->acks [self->ack_next];
    early->used = true;
    early->ack = *ack;
    early->ts = ts_ns;
    self->ack_next = (self->ack_next + 1) % HB_ASOF_ACKS;
}

bool
hb_asof_ack_take (hb_asof_t *self, const char *client_id, hb_ack_t *ack, int64_t *ts_ns)
{
    assert (self && client_id && ack && ts_ns);
    for (int i = 0; i < HB_ASOF_ACKS; i++) {
        s_early_t *early = &self->acks [i];
        if (early->used && strcmp (early->ack.client_id, client_id) == 0) {
            *ack = early->ack;
            *ts_ns = early->ts;
            early->used = false;
            return true;
        }
    }
    return false;
}

void
hb_asof_fill_keep (hb_asof_t *self, const hb_env_t *env, const hb_fill_t *fill)
{
    assert (self && env && fill);
    s_early_fill_t *early = &self->fills [self->fill_next];
    early->used = true;
    early->rank = ++self->fill_rank;
    early->env = *env;
    early->fill = *fill;
    self->fill_next = (self->fill_next + 1) % HB_ASOF_FILLS;
}

bool
hb_asof_fill_take (hb_asof_t *self, const char *client_id, hb_env_t *env, hb_fill_t *fill)
{
    assert (self && client_id && env && fill);
    s_early_fill_t *oldest = NULL;
    for (int i = 0; i < HB_ASOF_FILLS; i++) {
        s_early_fill_t *early = &self->fills [i];
        if (early->used && strcmp (early->fill.client_id, client_id) == 0
        &&  (!oldest || early->rank < oldest->rank))
            oldest = early;
    }
    if (!oldest)
        return false;
    *env = oldest->env;
    *fill = oldest->fill;
    oldest->used = false;
    return true;
}
