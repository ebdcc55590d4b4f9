/*  hb_feedxfer: the transfers a feed's venue has sent and not yet seen
    credited or refused, kept across a restart of the feed.

    A venue that sent a transfer owes the bus its end (credited or
    refused). The sim, which publishes the credit at the route's eta on the
    destination's behalf, forgets that when its feed restarts, and
    hb-treasury would time the transfer out although the money is on its
    way. So every transfer status the plugin publishes is journaled first
    (common/hb_journal, owned, synced on every append: one record per
    status, the capital.transfer message in its wire encoding), and at
    start the feed hands each transfer still sent back to its plugin with
    status sent: "you sent this before the restart: its credit is still
    due" (feeds/hb_plugin.h, transfer). Nothing is ever sent twice: a
    resumed transfer only awaits its end.                                  */
#ifndef HB_FEEDXFER_H
#define HB_FEEDXFER_H

#include "hb_msg.h"

#define HB_FEEDXFER_MAX 64          //  transfers sent and not yet ended, per venue

typedef struct _hb_feedxfer_t hb_feedxfer_t;

//  Opens the owned journal at path and rebuilds what is pending from it.
//  NULL (logged) when it cannot be opened or is damaged.
hb_feedxfer_t *hb_feedxfer_open (const char *path);

//  Syncs and closes. NULL-safe; nulls *self_p.
void hb_feedxfer_destroy (hb_feedxfer_t **self_p);

//  Journals and applies one transfer status the plugin publishes (sent:
//  pending; credited or refused: ended). 0; -1 when the journal append
//  failed (logged; the status is published anyway: the venue said it).
int hb_feedxfer_note (hb_feedxfer_t *self, const hb_transfer_t *status);

//  The transfers sent and not ended, at most max into out. Returns how many.
int hb_feedxfer_pending (const hb_feedxfer_t *self, hb_transfer_t *out, int max);

#endif
