/*  hb_recon: the aggregator's reconciliation with what each venue reports
    of our account (account.<venue>, docs/PROTOCOL.md, Account).

    Positions. Each report is compared, instrument by instrument, with the
    position the aggregator built from the fills: the venue's quantity (0
    when the report does not list the instrument, unless it is truncated:
    then an unlisted instrument is not judged; nor is spot when the venue
    keeps it as balances, HB_ACCOUNT_NO_SPOT) against ours, with a
    tolerance of half the instrument's lot (and 1e-9 relative, for
    rounding). A fill and a report cross on the wire (the venue may compute
    its report before a fill it sent reaches us), so one disagreement
    proves nothing: an instrument is in mismatch when HB_RECON_CONFIRM
    reports in a row disagree, and agrees again with the first report
    that agrees. Each instrument that enters mismatch is counted and
    logged once; the venue's margin message carries HB_MARGIN_MISMATCH
    while any of its instruments is in mismatch.

    Margin. When a venue reports its equity and margin (a report without
    HB_ACCOUNT_NO_MARGIN), margin.<venue> takes the venue's equity,
    initial and maintenance margin instead of the figures computed from
    the configured collateral and rates (HB_MARGIN_VENUE): the venue is
    the one that liquidates. Collateral is then the venue's equity less
    our unrealized P&L, so that equity = collateral + unrealized still
    holds; the per-asset liquidation distances stay the book's.

    Pure bookkeeping over the book: no I/O but the log, no clock (callers
    pass now_ns).                                                          */
#ifndef HB_RECON_H
#define HB_RECON_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_book.h"
#include "hb_config.h"
#include "hb_msg.h"

#define HB_RECON_CONFIRM 2          //  reports in a row that disagree before a mismatch

typedef struct _hb_recon_t hb_recon_t;

typedef struct {
    uint64_t reports;               //  account reports taken (all venues)
    uint64_t mismatches;            //  instruments that entered mismatch, ever
    int      venues_mismatched;     //  venues with an instrument in mismatch now
    int      venues_reporting;      //  venues whose account has been reported
} hb_recon_stats_t;

//  A reconciler of book's positions (cfg and book must outlive it). NULL
//  when out of memory.
hb_recon_t *hb_recon_new (const hb_config_t *cfg, const hb_book_t *book);
//  NULL-safe, nulls *self_p.
void hb_recon_destroy (hb_recon_t **self_p);

//  Takes a venue's report as of now_ns. Returns the venue index, or -1
//  when the venue is not in the config (nothing changes).
int hb_recon_account (hb_recon_t *self, const hb_account_t *account, int64_t now_ns);

//  Applies what venue's reports say to its margin (the book's, in out):
//  HB_MARGIN_RECONCILED, the venue's figures (HB_MARGIN_VENUE) when
//  reported, HB_MARGIN_MISMATCH while in mismatch. Leaves out as it is for a venue that never reported.
void hb_recon_margin (const hb_recon_t *self, int venue, hb_margin_t *out);

//  True while an instrument of venue is in mismatch.
bool hb_recon_mismatched (const hb_recon_t *self, int venue);

void hb_recon_stats (const hb_recon_t *self, hb_recon_stats_t *out);

#endif
