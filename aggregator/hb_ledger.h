/*  hb_ledger: the aggregator's durable core. Every new fill is appended to
    the journal first and applied to the book only once the append has
    returned; a fill whose (venue, fill_id) was seen before, in this run or
    any earlier one, is a duplicate and changes nothing. At start the
    journal is replayed over the config's starting positions, which
    rebuilds both the book and the set of fill ids.

    Funding payments (funding.<venue>.<symbol>) are kept the same way,
    once per (venue, id): a feed republishes a venue's past payments on
    every reconnect and restart, and they count once.

    Money moved between venues (capital.transfer: sent, credited) is kept
    the same way: journaled, then applied to the book, once per transfer
    and status, so a restart rebuilds the equities it changed.

    A journal record is one fill, transfer or funding message in the wire encoding
    (hb_msg.h): the same decoder, with the same checks, reads it back.     */
#ifndef HB_LEDGER_H
#define HB_LEDGER_H

#include "hb_book.h"
#include "hb_config.h"
#include "hb_journal.h"

typedef struct _hb_ledger_t hb_ledger_t;

typedef struct {
    uint64_t replayed;          //  fills applied from the journal at start
    uint64_t applied;           //  new fills journaled and applied since start
    uint64_t duplicates;        //  fills refused as already seen
    uint64_t unknown;           //  journaled fills whose venue/symbol the config lacks
    uint64_t bad_records;       //  journal records that do not decode as a fill (skipped)
    uint64_t implausible;       //  fills refused before the journal: worth over max_fill_usd
    uint64_t external;          //  of the fills applied (replayed or new), those marked
                                //  HB_FILL_EXTERNAL: no order of ours, positions all the same
    uint64_t transfers;         //  transfer statuses (sent, credited) taken, replayed or new
    uint64_t fundings;          //  funding payments taken, replayed or new
} hb_ledger_stats_t;

//  Opens (or creates) the journal at path with the given sync policy and
//  replays it over a new book of cfg. cfg must outlive the ledger. Returns
//  NULL (reason logged) when the journal cannot be opened or memory runs out.
hb_ledger_t *hb_ledger_new (const hb_config_t *cfg, const char *path,
                            hb_journal_policy_t policy, int interval_ms);
void hb_ledger_destroy (hb_ledger_t **self_p);

//  Takes one fill. Returns 1 when it was new (now durable under the policy
//  and applied), 0 for a duplicate, 2 when it is implausible (worth more
//  than components.aggregator.max_fill_usd, or not a finite amount: never
//  journaled, so a bad fill cannot poison every restart; counted and
//  logged), -1 when the journal append failed (the fill is not applied;
//  errno from hb_journal_append; the caller should stop and let a restart
//  replay decide).
//  env (may be NULL: not known) is the fill message's envelope: its epoch
//  and seq are journaled with the fill and named by the position states.
int hb_ledger_fill (hb_ledger_t *self, const hb_fill_t *fill, const hb_env_t *env);

//  Takes one transfer status. Sent and credited ones move money (the
//  source's collateral down, the destination's up: hb_book_transfer), once
//  per (id, status), this run or any earlier one. Returns 1 when it was new
//  and moved money, 0 for a duplicate, another status or a venue the config
//  lacks (journaled all the same), -1 when the journal append failed (not
//  applied; as for a fill, the caller should stop).
int hb_ledger_transfer (hb_ledger_t *self, const hb_transfer_t *transfer);

//  Takes one funding payment: journaled, then applied to its position's
//  realized P&L (hb_book_funding), once per (venue, id), this run or any
//  earlier one. Returns 1 when it was new (applied, or journaled for a
//  venue or symbol the config lacks), 0 for a duplicate, -1 when the
//  journal append failed (not applied; the caller should stop).
int hb_ledger_funding (hb_ledger_t *self, const hb_funding_t *funding, const hb_env_t *env);

//  True when (venue, fill_id) has been taken.
bool hb_ledger_seen (hb_ledger_t *self, const char *venue, const char *fill_id);

//  Quantity taken so far for the order (venue, client_id), all runs
//  included; 0 for an order never seen. Compared with a venue's final ack
//  (filled_qty) it tells a fill that never reached us.
double hb_ledger_order_filled (hb_ledger_t *self, const char *venue, const char *client_id);

hb_book_t *hb_ledger_book (hb_ledger_t *self);
hb_journal_t *hb_ledger_journal (hb_ledger_t *self);
void hb_ledger_stats (hb_ledger_t *self, hb_ledger_stats_t *stats);

#endif
