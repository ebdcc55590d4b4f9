/*  hb_transfers: hb-treasury's money in flight. A transfer is state from the
    moment it is requested until its destination credits it or its source
    refuses it: it is neither here nor there, and the planner counts it as
    arriving (hb_treasury_plan's pending_usd), so one need is never planned
    or requested twice.

    Every request is journaled (common/hb_journal, an owned journal synced
    on every append, as hb-hedger journals its order intents) before it is
    published, and every change of status after it: the book is rebuilt
    from the journal at start. A transfer that was requested before a
    restart is never requested again: it is in doubt until its source's
    feed says what became of it (sent, credited, refused), or until it is
    timed out (treasury.timeout_s after its expected arrival), which is
    published for a person to resolve and still counts as in flight (the
    money may have left).

    Journal records are text lines:
        R <id> <route> <from> <to> <asset> <network> <amount> <amount_usd>
          <fee> <requested_ns> <eta_ns>
        U <id> <status> <credited_ns> [<reason>]
    Ids are "<route>.<n>", n counting the route's requests from 1 over the
    journal's whole life: deterministic, never reused.                     */
#ifndef HB_TRANSFERS_H
#define HB_TRANSFERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hb_config.h"
#include "hb_msg.h"

typedef struct _hb_transfers_t hb_transfers_t;

//  Opens the owned journal at path and rebuilds the book from it (a
//  transfer whose route is no longer in cfg is kept and counted, by its
//  venue names, with a warning). NULL (logged) when the journal cannot be
//  opened, is damaged, or holds a record that does not parse.
hb_transfers_t *hb_transfers_open (const hb_config_t *cfg, const char *path);

//  Syncs and closes the journal, frees the book. NULL-safe; nulls *self_p.
void hb_transfers_destroy (hb_transfers_t **self_p);

//  Makes a request over route r (of cfg) of amount units of its asset
//  (amount_usd at the plan's price) at wall time now_ns, journals it, and
//  fills *out (status requested, eta at now + the route's delay). Returns 0;
//  -1 when amount is not a positive finite number (EINVAL) or the journal
//  append failed (logged): nothing may then be sent.
int hb_transfers_request (hb_transfers_t *self, int r, double amount, double amount_usd,
                          int64_t now_ns, hb_transfer_t *out);

//  Applies a status of one of our transfers from its source's feed (sent,
//  credited, refused; timed_out is ours only). Journals and applies a
//  change forward (requested -> sent -> credited or refused; a late credit
//  or refusal after timed_out); fills *out with the transfer as it now
//  stands. Returns 1 when it changed the transfer, 0 when not (unknown id,
//  a route or venues that disagree with ours, a status that goes back or
//  repeats, one after a final status), -1 when the journal append failed
//  (logged; nothing applied).
int hb_transfers_apply (hb_transfers_t *self, const hb_transfer_t *status, hb_transfer_t *out);

//  Times out the transfers still requested or sent timeout_s after their
//  expected arrival (journaled) and copies them into out (max at most).
//  Returns how many, or -1 when the journal append failed (logged).
int hb_transfers_expire (hb_transfers_t *self, int64_t now_ns, hb_transfer_t *out, int max);

//  Money in flight to each venue, USD (requested, sent, timed_out), into
//  pending_usd [cfg->n_venues]; what each route has taken today (UTC day of
//  now_ns; everything but refused), in its asset's units, into
//  used [cfg->treasury.n_routes]. Either may be NULL.
void hb_transfers_totals (const hb_transfers_t *self, int64_t now_ns, double *pending_usd,
                          double *used);

//  Transfers known (the journal's whole life), and the i-th of them in
//  request order (NULL past the end).
size_t hb_transfers_size (const hb_transfers_t *self);
const hb_transfer_t *hb_transfers_at (const hb_transfers_t *self, size_t i);

//  True while a transfer is in flight (requested, sent or timed_out).
bool hb_transfer_in_flight (const hb_transfer_t *transfer);

#endif
