/*  hb_poshist: recent position states by last fill, and what is applied
    and pending (see hb_poshist.h).                                       */
#include "hb_poshist.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_KNOWN     64              //  fill ids remembered per position

typedef struct {
    hb_position_t pos;
    uint64_t      epoch;            //  its envelope
    uint64_t      seq;
} s_state_t;

//  One (venue, instrument): the fills hb-risk knows of it (taken on the
//  grid, or named by a state it applied), as hashes in a ring, so that a
//  state naming one of them but not the last taken is known to be behind
typedef struct {
    char     venue [HB_NAME_MAX];
    char     symbol [HB_NAME_MAX];
    bool     applied;               //  a state was applied
    uint64_t epoch, seq;            //  the applied state's envelope
    uint64_t applied_fill;          //  hash of its last_fill
    uint64_t taken;                 //  hash of the last fill taken (0: none)
    int64_t  pending_since;         //  mono ns; 0: not pending
    int64_t  newest_mono;           //  when a bus state of it last arrived
    uint64_t known [S_KNOWN];
    int      n_known;               //  entries used (ring once full)
} s_slot_t;

struct _hb_poshist_t {
    int        capacity;
    int        count;
    int        next;                //  where the next state goes
    s_state_t *ring;
    int        max_positions;
    int        n_slots;
    s_slot_t  *slots;
};

hb_poshist_t *
hb_poshist_new (int capacity, int max_positions)
{
    if (capacity < 1 || max_positions < 1)
        return NULL;
    hb_poshist_t *self = (hb_poshist_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->ring = (s_state_t *) calloc ((size_t) capacity, sizeof *self->ring);
    self->slots = (s_slot_t *) calloc ((size_t) max_positions, sizeof *self->slots);
    if (!self->ring || !self->slots) {
        hb_poshist_destroy (&self);
        return NULL;
    }
    self->capacity = capacity;
    self->max_positions = max_positions;
    return self;
}

void
hb_poshist_destroy (hb_poshist_t **self_p)
{
    assert (self_p);
    if (*self_p) {
        free ((*self_p)->ring);
        free ((*self_p)->slots);
        free (*self_p);
        *self_p = NULL;
    }
}

//  FNV-1a, never 0 (0 means "none" in a slot)
static uint64_t
s_hash (const char *text)
{
    uint64_t hash = 14695981039346656037ULL;
    for (const unsigned char *c = (const unsigned char *) text; *c; c++)
        hash = (hash ^ *c) * 1099511628211ULL;
    return hash ? hash : 1;
}

static bool
s_newer (const s_slot_t *slot, uint64_t epoch, uint64_t seq)
{
    return !slot->applied || epoch > slot->epoch || (epoch == slot->epoch && seq > slot->seq);
}

//  The slot of (venue, symbol), made when create; NULL when full
static s_slot_t *
s_slot (hb_poshist_t *self, const char *venue, const char *symbol, bool create)
{
    for (int k = 0; k < self->n_slots; k++)
        if (strcmp (self->slots [k].venue, venue) == 0 && strcmp (self->slots [k].symbol, symbol) == 0)
            return &self->slots [k];
    if (!create || self->n_slots >= self->max_positions)
        return NULL;
    s_slot_t *slot = &self->slots [self->n_slots++];
    snprintf (slot->venue, sizeof slot->venue, "%s", venue);
    snprintf (slot->symbol, sizeof slot->symbol, "%s", symbol);
    return slot;
}

static void
s_know (s_slot_t *slot, uint64_t fill)
{
    int last = (slot->n_known - 1) % S_KNOWN;
    if (slot->n_known > 0 && slot->known [last] == fill)
        return;
    slot->known [slot->n_known % S_KNOWN] = fill;
    slot->n_known++;
}

static bool
s_known (const s_slot_t *slot, uint64_t fill)
{
    int n = slot->n_known < S_KNOWN ? slot->n_known : S_KNOWN;
    for (int k = 0; k < n; k++)
        if (slot->known [k] == fill)
            return true;
    return false;
}

static void
s_applied (s_slot_t *slot, const hb_position_t *pos, uint64_t epoch, uint64_t seq)
{
    slot->applied = true;
    slot->epoch = epoch;
    slot->seq = seq;
    slot->applied_fill = s_hash (pos->last_fill);
    s_know (slot, slot->applied_fill);
    if (slot->applied_fill == slot->taken)
        slot->pending_since = 0;
}

static void
s_keep (hb_poshist_t *self, const hb_position_t *pos, uint64_t epoch, uint64_t seq)
{
    s_state_t *state = &self->ring [self->next];
    state->pos = *pos;
    state->epoch = epoch;
    state->seq = seq;
    self->next = (self->next + 1) % self->capacity;
    if (self->count < self->capacity)
        self->count++;
}

//  Newest first; last_fill NULL matches any
static const s_state_t *
s_find (const hb_poshist_t *self, const char *venue, const char *symbol, const char *last_fill)
{
    for (int k = 1; k <= self->count; k++) {
        const s_state_t *state = &self->ring [(self->next - k + self->capacity) % self->capacity];
        if (strcmp (state->pos.venue, venue) == 0 && strcmp (state->pos.symbol, symbol) == 0
        &&  (!last_fill || strcmp (state->pos.last_fill, last_fill) == 0))
            return state;
    }
    return NULL;
}

bool
hb_poshist_add (hb_poshist_t *self, const hb_position_t *pos, uint64_t epoch, uint64_t seq,
                int64_t mono_ns)
{
    assert (self && pos);
    s_keep (self, pos, epoch, seq);
    s_slot_t *slot = s_slot (self, pos->venue, pos->symbol, true);
    if (!slot)
        return false;
    slot->newest_mono = mono_ns;
    if (!s_newer (slot, epoch, seq))
        return false;
    uint64_t fill = s_hash (pos->last_fill);
    bool apply = slot->pending_since ? fill == slot->taken
                                     : slot->applied && fill == slot->applied_fill;
    if (apply)
        s_applied (slot, pos, epoch, seq);
    return apply;
}

bool
hb_poshist_snapshot (hb_poshist_t *self, const hb_position_t *pos, uint64_t epoch, uint64_t seq)
{
    assert (self && pos);
    s_keep (self, pos, epoch, seq);
    s_slot_t *slot = s_slot (self, pos->venue, pos->symbol, true);
    if (!slot)
        return false;               //  cannot happen with max_positions as configured
    if (!s_newer (slot, epoch, seq))
        return false;
    uint64_t fill = s_hash (pos->last_fill);
    //  a fill hb-risk knows nothing of, the aggregator applied after the
    //  ones hb-risk took (one feed's fills come in one order): it holds them
    bool ahead = !s_known (slot, fill);
    s_applied (slot, pos, epoch, seq);
    if (ahead)
        slot->pending_since = 0;
    return true;
}

const hb_position_t *
hb_poshist_find (const hb_poshist_t *self, const char *venue, const char *symbol,
                 const char *last_fill)
{
    assert (self && venue && symbol && last_fill);
    const s_state_t *state = s_find (self, venue, symbol, last_fill);
    return state ? &state->pos : NULL;
}

const hb_position_t *
hb_poshist_take (hb_poshist_t *self, const char *venue, const char *symbol, const char *fill_id,
                 int64_t mono_ns)
{
    assert (self && venue && symbol && fill_id);
    const s_state_t *state = s_find (self, venue, symbol, fill_id);
    s_slot_t *slot = s_slot (self, venue, symbol, true);
    if (!slot)
        return state ? &state->pos : NULL;
    slot->taken = s_hash (fill_id);
    s_know (slot, slot->taken);
    if (state) {
        //  the state as of this fill, even when a newer one was applied
        //  (a snapshot ahead of the grid): positions in data time
        s_applied (slot, &state->pos, state->epoch, state->seq);
        return &state->pos;
    }
    if (!slot->pending_since)
        slot->pending_since = mono_ns > 0 ? mono_ns : 1;
    return NULL;
}

int
hb_poshist_pending (const hb_poshist_t *self, int64_t *since_mono)
{
    assert (self);
    int pending = 0;
    int64_t since = 0;
    for (int k = 0; k < self->n_slots; k++) {
        const s_slot_t *slot = &self->slots [k];
        if (!slot->pending_since)
            continue;
        pending++;
        if (!since || slot->pending_since < since)
            since = slot->pending_since;
    }
    if (since_mono)
        *since_mono = since;
    return pending;
}

const hb_position_t *
hb_poshist_expire (hb_poshist_t *self, int64_t mono_ns, int64_t age_ns, int64_t quiet_ns)
{
    assert (self);
    for (int k = 0; k < self->n_slots; k++) {
        s_slot_t *slot = &self->slots [k];
        if (!slot->pending_since || mono_ns - slot->pending_since <= age_ns
        ||  slot->newest_mono < slot->pending_since + quiet_ns)
            continue;
        const s_state_t *state = s_find (self, slot->venue, slot->symbol, NULL);
        if (!state)
            continue;
        s_applied (slot, &state->pos, state->epoch, state->seq);
        slot->pending_since = 0;
        return &state->pos;
    }
    return NULL;
}
