/*  hb_recon: see hb_recon.h.                                              */
#include "hb_recon.h"
#include "hb_log.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint8_t  disagree;              //  reports in a row that disagreed
    bool     mismatch;
} s_slot_t;

typedef struct {
    bool         reported;
    hb_account_t account;           //  the last report
    int          mismatched;        //  instruments in mismatch now
} s_venue_t;

struct _hb_recon_t {
    const hb_config_t *cfg;
    const hb_book_t   *book;
    s_slot_t          *slots;       //  instrument i of venue v at first [v] + i
    size_t             first [HB_MAX_VENUES];
    s_venue_t          venues [HB_MAX_VENUES];
    uint64_t           reports, mismatches;
};

hb_recon_t *
hb_recon_new (const hb_config_t *cfg, const hb_book_t *book)
{
    assert (cfg && book);
    hb_recon_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->book = book;
    size_t n = hb_config_instrument_slots (cfg, self->first);
    self->slots = calloc (n ? n : 1, sizeof *self->slots);
    if (!self->slots) {
        free (self);
        return NULL;
    }
    return self;
}

void
hb_recon_destroy (hb_recon_t **self_p)
{
    assert (self_p);
    hb_recon_t *self = *self_p;
    if (!self)
        return;
    free (self->slots);
    free (self);
    *self_p = NULL;
}

//  The report's quantity of symbol: 0 when not listed, NAN when not
//  listed in a truncated report (not known).
static double
s_reported (const hb_account_t *account, const char *symbol)
{
    for (int k = 0; k < account->n_positions && k < HB_ACCOUNT_POSITIONS; k++)
        if (strncmp (account->positions [k].symbol, symbol, HB_NAME_MAX) == 0)
            return account->positions [k].qty;
    return (account->flags & HB_ACCOUNT_TRUNCATED) ? NAN : 0;
}

int
hb_recon_account (hb_recon_t *self, const hb_account_t *account, int64_t now_ns)
{
    assert (self && account);
    int v = hb_book_venue_index (self->book, account->venue);
    if (v < 0)
        return -1;
    const hb_venue_cfg_t *vc = &self->cfg->venues [v];
    s_venue_t *venue = &self->venues [v];
    venue->reported = true;
    venue->account = *account;
    self->reports++;
    int mismatched = 0;
    for (int i = 0; i < vc->n_instruments; i++) {
        const hb_instrument_cfg_t *ins = &vc->instruments [i];
        s_slot_t *slot = &self->slots [self->first [v] + (size_t) i];
        double theirs = (account->flags & HB_ACCOUNT_NO_SPOT) && ins->kind == HB_KIND_SPOT
                      ? NAN : s_reported (account, ins->symbol);
        if (isnan (theirs)) {
            mismatched += slot->mismatch;   //  not judged: stays as it was
            continue;
        }
        double ours = 0;
        if (hb_book_active (self->book, v, i)) {
            hb_position_t pos;
            hb_book_position (self->book, v, i, now_ns, &pos);
            ours = pos.qty;
        }
        double tolerance = fmax (ins->lot_size / 2, 1e-9 * fmax (fabs (ours), fabs (theirs)));
        if (fabs (theirs - ours) <= tolerance) {
            if (slot->mismatch)
                hb_info ("aggregator: %s %s: the venue's position agrees with ours again (%.10g)",
                         vc->name, ins->symbol, ours);
            slot->disagree = 0;
            slot->mismatch = false;
            continue;
        }
        if (slot->disagree < UINT8_MAX)
            slot->disagree++;
        if (!slot->mismatch && slot->disagree >= HB_RECON_CONFIRM) {
            slot->mismatch = true;
            self->mismatches++;
            hb_error ("aggregator: %s %s: POSITION MISMATCH: the venue reports %.10g, our fills make "
                      "%.10g (difference %.10g, tolerance %.10g, %d reports in a row): a fill is missing "
                      "or extra on one side (docs/OPERATIONS.md, Reconciliation)", vc->name, ins->symbol,
                      theirs, ours, theirs - ours, tolerance, slot->disagree);
        }
        mismatched += slot->mismatch;
    }
    venue->mismatched = mismatched;
    return v;
}

void
hb_recon_margin (const hb_recon_t *self, int venue, hb_margin_t *out)
{
    assert (self && out);
    if (venue < 0 || venue >= self->cfg->n_venues || !self->venues [venue].reported)
        return;
    const s_venue_t *v = &self->venues [venue];
    out->flags |= HB_MARGIN_RECONCILED;
    if (v->mismatched > 0)
        out->flags |= HB_MARGIN_MISMATCH;
    const hb_account_t *a = &v->account;
    if (a->flags & HB_ACCOUNT_NO_MARGIN)
        return;
    //  the venue liquidates on its own figures, not on our model of them
    out->flags |= HB_MARGIN_VENUE;
    out->equity_usd = a->equity_usd;
    out->collateral_usd = a->equity_usd - out->unrealized_usd;
    out->initial_usd = a->initial_usd;
    out->maintenance_usd = a->maintenance_usd;
    out->utilization = out->equity_usd > 0 ? out->initial_usd / out->equity_usd
                     : out->initial_usd > 0 ? 1e9 : 0;
    out->flags &= ~HB_MARGIN_BREACH;
    if (out->maintenance_usd > 0 && out->equity_usd <= out->maintenance_usd)
        out->flags |= HB_MARGIN_BREACH;
}

bool
hb_recon_mismatched (const hb_recon_t *self, int venue)
{
    assert (self);
    return venue >= 0 && venue < self->cfg->n_venues && self->venues [venue].mismatched > 0;
}

void
hb_recon_stats (const hb_recon_t *self, hb_recon_stats_t *out)
{
    assert (self && out);
    memset (out, 0, sizeof *out);
    out->reports = self->reports;
    out->mismatches = self->mismatches;
    for (int v = 0; v < self->cfg->n_venues; v++) {
        out->venues_mismatched += self->venues [v].mismatched > 0;
        out->venues_reporting += self->venues [v].reported;
    }
}
