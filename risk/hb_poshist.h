/*  hb_poshist: the aggregator's recent position states, found by the fill
    they end with. The aggregator publishes a (venue, instrument) position
    after every fill it applies, naming that fill (last_fill), and again on
    its timer; hb-risk applies a fill on its data-time grid only with the
    state that ends with exactly that fill, which may have arrived before
    or arrive after the fill itself (docs/RISK.md, Data-time grid).

    A ring of the last capacity states, newest first on lookup; O(capacity)
    per lookup (fills are rare), nothing allocated after hb_poshist_new.  */
#ifndef HB_POSHIST_H
#define HB_POSHIST_H

#include "hb_msg.h"

typedef struct _hb_poshist_t hb_poshist_t;

//  A ring of capacity (>= 1) states. NULL on a bad capacity or out of memory.
hb_poshist_t *hb_poshist_new (int capacity);

//  NULL-safe; nulls *self_p.
void hb_poshist_destroy (hb_poshist_t **self_p);

//  Keeps a copy of pos, forgetting the oldest state when full.
void hb_poshist_add (hb_poshist_t *self, const hb_position_t *pos);

//  The newest state of (venue, symbol) whose last fill is last_fill, or
//  NULL. The pointer is valid until the next hb_poshist_add.
const hb_position_t *hb_poshist_find (const hb_poshist_t *self, const char *venue,
                                      const char *symbol, const char *last_fill);

//  The newest state of (venue, symbol), or NULL.
const hb_position_t *hb_poshist_latest (const hb_poshist_t *self, const char *venue,
                                        const char *symbol);

#endif
