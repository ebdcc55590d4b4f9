/*  hb_fillstore: the fills one venue's feed has published, kept durably so
    that a consumer that was down (the aggregator) can ask for them again.

    Every fill is appended to an hb_journal (one fill message per record,
    the wire encoding, like the aggregator's ledger) before the feed
    publishes it, and kept in memory in a ring of the last cap fills. At
    start the journal is replayed into the ring. Fills are numbered from 0
    in the order they were stored, across restarts: index i is the i-th
    fill record of the journal.

    The ring bounds memory (cap x sizeof (hb_fill_t), about 200 bytes a
    fill): a consumer that missed more than the last cap fills cannot get
    the older ones from us (the journal still holds them for an operator).
    A venue's own fills are rare, so the default cap covers far more than
    any restart of a consumer.                                              */
#ifndef HB_FILLSTORE_H
#define HB_FILLSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_journal.h"
#include "hb_msg.h"

#define HB_FILLSTORE_CAP  16384

typedef struct _hb_fillstore_t hb_fillstore_t;

typedef struct {
    uint64_t replayed;          //  fills read back from the journal at open
    uint64_t bad_records;       //  journal records that are not a fill (skipped)
    uint64_t appended;          //  fills stored since open
    uint64_t unjournaled;       //  of those, fills whose journal append failed
    uint64_t evicted;           //  fills pushed out of the ring
} hb_fillstore_stats_t;

//  Opens (or creates) the journal at path under policy (interval_ms as for
//  hb_journal_open) and replays it into a ring of cap fills (0: the
//  default). path NULL or "": memory only, nothing survives a restart.
//  Returns NULL (reason logged) when the journal cannot be opened or
//  memory runs out.
hb_fillstore_t *hb_fillstore_new (const char *path, hb_journal_policy_t policy,
                                  int interval_ms, size_t cap);

//  Syncs and closes the journal, frees the ring. NULL-safe; nulls *self_p.
void hb_fillstore_destroy (hb_fillstore_t **self_p);

//  Stores one fill: journal first (durable under the policy once this
//  returns 0), then the ring. Returns 0; -1 with errno EINVAL when the fill
//  does not encode (nothing stored); -1 with another errno when the journal
//  append failed: the fill is then kept in the ring all the same (it can
//  still be replayed in this run) and counted as unjournaled.
int hb_fillstore_append (hb_fillstore_t *self, const hb_fill_t *fill);

//  Index the next fill will get: the number of fills stored so far.
uint64_t hb_fillstore_next (hb_fillstore_t *self);

//  Oldest index still in the ring (== next when it is empty).
uint64_t hb_fillstore_first (hb_fillstore_t *self);

//  The fill with this index, or NULL when it is not (or no longer) in the
//  ring. Valid until the next append.
const hb_fill_t *hb_fillstore_get (hb_fillstore_t *self, uint64_t index);

//  Calls fn (arg, fill) for every fill stored, oldest first: from the
//  journal (every record, not only those still in the ring), or from the
//  ring without one. Returns 0, or -1 with errno when the journal no longer
//  reads back.
typedef void (hb_fillstore_fn) (void *arg, const hb_fill_t *fill);
int hb_fillstore_each (hb_fillstore_t *self, hb_fillstore_fn *fn, void *arg);

//  Syncs the journal now (interval policy timer). 0, or -1 with errno.
int hb_fillstore_sync (hb_fillstore_t *self);

void hb_fillstore_stats (hb_fillstore_t *self, hb_fillstore_stats_t *stats);

#endif
