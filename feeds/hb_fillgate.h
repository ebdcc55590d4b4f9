/*  hb_fillgate: the plausibility gate of one venue's fills. A fill the
    plugin publishes goes on the bus only when it is the execution of an
    order this feed handed to its plugin, or when the plugin marks it
    external (HB_FILL_EXTERNAL: a manual trade, a liquidation, an expiry);
    anything else is held (quarantined) for an operator.

    The gate remembers every order it is told of (client id, symbol, side,
    quantity, limit, when), for window_ns, at most cap of them (the oldest
    go first), and the quantity filled so far on each. A fill is judged
    against its order:
      - its client id names a remembered order       else unknown_order
      - on the same symbol and side                  else symbol / side
      - the order's fills stay within its quantity   else overfill
        (cumulative, relative tolerance HB_FILLGATE_QTY_TOL)
      - a limit order fills at its limit or better   else price
        (relative tolerance HB_FILLGATE_PX_TOL)
    A fill marked external is let through as it is, unless its client id is
    one of our orders (external_ours: a consumer would take it for ours).
    A fill id seen before on the same order is a duplicate (the venue said
    it twice): let through, counted once (the aggregator drops it again).

    Durable state, beside the fill journal (paths given by the caller):
      - the order journal: one record per order (an order message; env
        ts_recv = when it was handed to the plugin), appended before the
        plugin sees the order, replayed at open (orders past the window
        are skipped);
      - the held journal: one record per quarantined fill (a fill
        message; env seq = the verdict, ts_recv = when it was held), never
        dropped;
      - the acknowledgement file "<held path>.ack": one decimal number,
        how many held fills an operator has seen (hb_fillgate_ack, from
        `hb-feed --ack-quarantine`). Held fills past that number keep the
        feed's status non-ok.
    Both journals are owned (hb_journal_open_owned): damage other than a
    torn tail, or a lost journal, refuses the open. The quantities filled
    are not journaled here: the caller gives back the fills of its fill
    store at start (hb_fillgate_commit).

    Paths NULL or "": memory only (nothing survives a restart, and an
    acknowledgement needs a restart).                                      */
#ifndef HB_FILLGATE_H
#define HB_FILLGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_journal.h"
#include "hb_msg.h"

#define HB_FILLGATE_CAP      16384      //  orders remembered at most
#define HB_FILLGATE_QTY_TOL  1e-6       //  relative, on an order's quantity
#define HB_FILLGATE_PX_TOL   1e-4       //  relative, on a limit price

typedef struct _hb_fillgate_t hb_fillgate_t;

typedef enum {
    HB_FILLGATE_OK = 0,             //  a fill of one of our orders, within it
    HB_FILLGATE_EXTERNAL,           //  marked external, and not one of ours
    HB_FILLGATE_DUPLICATE,          //  this fill id was taken on this order already
    HB_FILLGATE_PASS_COUNT,         //  verdicts below this one let the fill through
    HB_FILLGATE_UNKNOWN_ORDER = HB_FILLGATE_PASS_COUNT,
    HB_FILLGATE_SYMBOL,
    HB_FILLGATE_SIDE,
    HB_FILLGATE_OVERFILL,
    HB_FILLGATE_PRICE,
    HB_FILLGATE_EXTERNAL_OURS,
    HB_FILLGATE_VERDICT_COUNT
} hb_fillgate_verdict_t;

typedef struct {
    uint64_t orders;            //  orders remembered now
    uint64_t replayed;          //  orders read back at open (within the window)
    uint64_t forgotten;         //  orders dropped: past the window, or the cap
    uint64_t held;              //  fills quarantined, all time (held journal)
    uint64_t acked;             //  of those, acknowledged by an operator
    uint64_t external;          //  external fills let through since open
    uint64_t unjournaled;       //  held fills whose journal append failed (kept in memory)
} hb_fillgate_stats_t;

//  Opens (or creates) the order journal at orders_path and the held
//  journal at held_path, under policy (interval_ms as for hb_journal_open),
//  and replays them: orders handed over less than window_ns before now_ns
//  are remembered (cap 0: HB_FILLGATE_CAP). Returns NULL, the reason
//  logged naming the file, when a journal is damaged, missing where it
//  existed, locked or cannot be made.
hb_fillgate_t *hb_fillgate_new (const char *orders_path, const char *held_path,
                                hb_journal_policy_t policy, int interval_ms,
                                int64_t window_ns, size_t cap, int64_t now_ns);

//  Syncs and closes the journals. NULL-safe; nulls *self_p.
void hb_fillgate_destroy (hb_fillgate_t **self_p);

//  An order about to be handed to the plugin, at now_ns: journaled first,
//  then remembered. Returns 0; -1 with errno when it could not be
//  journaled (the caller must not send it: its fills would be held) or
//  does not encode (EINVAL).
int hb_fillgate_order (hb_fillgate_t *self, const hb_order_t *order, int64_t now_ns);

//  Judges a fill, changing nothing. Orders older than the window are
//  forgotten first (as of now_ns).
hb_fillgate_verdict_t hb_fillgate_judge (hb_fillgate_t *self, const hb_fill_t *fill, int64_t now_ns);

//  Counts a fill that went through (OK or DUPLICATE: no-op for the
//  latter) against its order, or one of the fill store at start; a fill of
//  no remembered order (external, forgotten) changes nothing.
void hb_fillgate_commit (hb_fillgate_t *self, const hb_fill_t *fill);

//  Keeps a quarantined fill with its verdict: journaled, counted. Returns
//  0; -1 with errno EINVAL when the fill does not encode (nothing held: it
//  is not a fill); -1 with another errno when the append failed (counted
//  as held all the same, and as unjournaled).
int hb_fillgate_hold (hb_fillgate_t *self, const hb_fill_t *fill,
                      hb_fillgate_verdict_t verdict, int64_t now_ns);

//  Held fills not yet acknowledged (re-reads the acknowledgement file
//  when there are any).
uint64_t hb_fillgate_unacked (hb_fillgate_t *self);

//  Syncs both journals (interval policy timer). 0, or -1 with errno.
int hb_fillgate_sync (hb_fillgate_t *self);

void hb_fillgate_stats (hb_fillgate_t *self, hb_fillgate_stats_t *stats);

//  "ok", "external", "duplicate", "unknown_order", "symbol", "side",
//  "overfill", "price", "external_ours"; "?" out of range.
const char *hb_fillgate_verdict_name (hb_fillgate_verdict_t verdict);

//  For an operator (hb-feed --ack-quarantine), with or without the feed
//  running: counts the valid records of the held journal at held_path
//  (read only, no lock) and writes that count to "<held_path>.ack"
//  atomically (a temporary file, fsync, rename). *count is the number
//  acknowledged. Returns 0, or -1 with errno (the reason in err).
int hb_fillgate_ack (const char *held_path, uint64_t *count, char *err, size_t errsize);

#endif
