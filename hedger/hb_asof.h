/*  hb_asof: what the venues said, as of a data time, for the hedger's
    decisions to be a function of the data rather than of arrival order
    (docs/RISK.md, Data-time grid):
    - the last few books of each (venue, instrument), each with its data
      time, so that a request made at T is routed on the book as it was at
      T even when newer ticks have arrived since;
    - final acks that arrived before the hedger had sent their order (a
      replay publishes the recorded acks on the recorded schedule, which
      can run ahead of a replayed decision), kept until the order exists;
    - fills of orders not sent yet, for the same reason, with their
      envelope (a hedge request names the fill messages risk applied).

    Fixed memory, allocated in hb_asof_new; O(history) per lookup.        */
#ifndef HB_ASOF_H
#define HB_ASOF_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_msg.h"

#define HB_ASOF_HISTORY     16      //  books kept per instrument
#define HB_ASOF_ACKS        64      //  early acks kept
#define HB_ASOF_FILLS       64      //  early fills kept

typedef struct _hb_asof_t hb_asof_t;

//  Room for n_venues x n_instruments books (both >= 1). NULL on bad
//  arguments or out of memory.
hb_asof_t *hb_asof_new (int n_venues, int n_instruments);

//  NULL-safe; nulls *self_p.
void hb_asof_destroy (hb_asof_t **self_p);

//  The tick of (venue, instrument) stamped ts_ns (data time, not before
//  the last one kept: an older one is ignored). Returns 0, -1 when out of
//  range or older.
int hb_asof_tick (hb_asof_t *self, int venue, int instrument, const hb_tick_t *tick, int64_t ts_ns);

//  The newest book of (venue, instrument) stamped <= at_ns, or NULL (none
//  yet, or all kept are newer: the history is too short). *ts_ns gets its
//  data time.
const hb_tick_t *hb_asof_book (const hb_asof_t *self, int venue, int instrument, int64_t at_ns,
                               int64_t *ts_ns);

//  Keeps a final ack of an order not sent yet, with its data time; the
//  oldest is forgotten when full.
void hb_asof_ack_keep (hb_asof_t *self, const hb_ack_t *ack, int64_t ts_ns);

//  Takes (removes) the kept ack of client_id into *ack and *ts_ns.
//  false when none.
bool hb_asof_ack_take (hb_asof_t *self, const char *client_id, hb_ack_t *ack, int64_t *ts_ns);

//  Keeps a fill of no order known yet, with its envelope; the oldest is
//  forgotten when full (the fills of others' orders pass through here too).
void hb_asof_fill_keep (hb_asof_t *self, const hb_env_t *env, const hb_fill_t *fill);

//  Takes (removes) the oldest kept fill of client_id into *env and *fill.
//  false when none: call until false to have them all, in arrival order.
bool hb_asof_fill_take (hb_asof_t *self, const char *client_id, hb_env_t *env, hb_fill_t *fill);

#endif
