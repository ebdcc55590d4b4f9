/*  hb_vslots: the orders a venue plugin has in flight, keyed by client id.
    Every trade module keeps the same table: an order takes a free slot
    unless its client id is already in flight, the venue's answer comes
    back by a handle, pushes find their order by client id or by the
    venue's order id, and a slot is freed when its order is over. Handles
    carry a generation, so the late answer of a freed (maybe reused) slot
    finds nothing instead of another order.
    A slot is the plugin's own struct whose first member is hb_vslot_t
    (what every venue needs); the rest (cumulatives, flags) is the
    venue's. Fixed size, allocated at hb_vslots_new: nothing per order.  */
#ifndef HB_VSLOTS_H
#define HB_VSLOTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_config.h"
#include "hb_msg.h"

typedef struct {
    bool       used;
    uint32_t   gen;                 //  makes a stale handle of a reused slot miss
    bool       accepted;            //  the accepted ack went out
    hb_order_t order;
    char       key [HB_ID_MAX];     //  the client id as the venue knows it
    char       order_id [HB_ID_MAX];    //  the venue's, once it told
    double     scale;               //  venue size -> bus quantity
} hb_vslot_t;

typedef struct hb_vslots_s hb_vslots_t;

//  A table of n slots of slot_size bytes each (a struct that starts with
//  hb_vslot_t). NULL when out of memory, n < 1 or slot_size too small.
hb_vslots_t *hb_vslots_new (int n, size_t slot_size);

//  NULL-safe, nulls *self_p.
void hb_vslots_destroy (hb_vslots_t **self_p);

//  Whether an order with key may take a slot: HB_REJ_NONE, or
//  HB_REJ_DUPLICATE_ID (key in flight) / HB_REJ_RATE_LIMIT (no slot free)
//  with *text set to a short static explanation.
int hb_vslots_check (const hb_vslots_t *self, const char *key, const char **text);

//  Everything an order must pass before the venue's encoding: inst known
//  (NULL: HB_REJ_UNKNOWN_INSTRUMENT, the caller's "not listed here"), the
//  checks of hb_vorder_check, then hb_vslots_check of key. HB_REJ_NONE, or
//  the first failing reason with *text set.
int hb_vslots_admit (const hb_vslots_t *self, const hb_instrument_cfg_t *inst,
                     const hb_order_t *order, const char *key, const char **text);

//  Takes a free slot for order (check first): the whole slot zeroed, then
//  used, a new generation, order, key and scale set. Returns its handle
//  (>= 0) and the slot in *slot_p, or -1 when none is free.
int hb_vslots_take (hb_vslots_t *self, const hb_order_t *order, const char *key, double scale,
                    void **slot_p);

//  The slot of handle, NULL when it was freed (and maybe reused) since.
void *hb_vslots_get (hb_vslots_t *self, int handle);

//  The used slot of key or, failing that, of the venue's order_id (NULL
//  or "" match nothing); NULL when none.
void *hb_vslots_find (hb_vslots_t *self, const char *key, const char *order_id);

//  Slots in use.
int hb_vslots_inflight (const hb_vslots_t *self);

#endif
