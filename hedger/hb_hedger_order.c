/*  hb_hedger_order: the hedger's order table and the life cycle of an
    order, from its journaled intent to its final ack or timeout (see
    hb_hedger.h, hb_hedger_int.h).

    Journal records are one text line each, so that an operator can read
    the hedger's history with `strings`:
        I <client id> <venue> <symbol> <side> <qty> <px> <ns>   an intent
        O <client id> <status> <filled qty> <ns>                its outcome
    Names, not config indexes: a config edited between two runs must not
    move an order to another instrument.                                  */
#include "hb_hedger_int.h"

#include <assert.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_log.h"

#define S_SETTLE_NS     (500 * 1000000LL)   //  a fill reaches pos.* and risk by then
#define S_RECORD_MAX    256
#define S_OUTCOME_EXPIRED 0         //  an outcome's status when no final ack came

//  Exists for tests/it_hedger_restart.sh: dies as kill -9 would (no
//  flush, no destructor, nothing queued in ZeroMQ leaves) at the
//  crash_left-th point of the armed kind. Unarmed, one compare.
void
hb_hedgeri_crash_point (hb_hedger_t *self, hb_hedger_crash_t point, const char *client_id)
{
    if (self->crash != point || --self->crash_left > 0)
        return;
    hb_warn ("hedger: injected crash %s at %s", hb_hedger_crash_name (point), client_id);
    raise (SIGKILL);
}

hb_hedgeri_order_t *
hb_hedgeri_order_find (hb_hedger_t *self, const char *client_id)
{
    for (int i = 0; i < HB_HEDGERI_MAX_ORDERS; i++)
        if (self->orders [i].used && strcmp (self->orders [i].client_id, client_id) == 0)
            return &self->orders [i];
    return NULL;
}

//  What an order still counts for, as seen by a request made at data time
//  at_ns: an ack stamped after at_ns is not known at at_ns, however early
//  it arrived (docs/RISK.md, Data-time grid)
static double
s_order_flight (const hb_hedgeri_order_t *order, int64_t at_ns)
{
    if (!order->used)
        return 0;
    if (!order->final || at_ns < order->last_ns)
        return hb_hedgeri_sign (order->side) * order->qty * order->mult;
    if (at_ns <= order->last_ns + S_SETTLE_NS)
        return hb_hedgeri_sign (order->side) * order->filled * order->mult;
    return 0;
}

hb_hedgeri_order_t *
hb_hedgeri_order_slot (hb_hedger_t *self, int64_t now_ns)
{
    for (int i = 0; i < HB_HEDGERI_MAX_ORDERS; i++) {
        hb_hedgeri_order_t *order = &self->orders [i];
        if (!order->used || (order->final && now_ns > order->last_ns + 2 * S_SETTLE_NS))
            return order;
    }
    return NULL;
}

//  The day total counts traded notional plus what is in flight: the part of
//  a finished order that did not fill is given back.
static void
s_release_unfilled (hb_hedger_t *self, const hb_hedgeri_order_t *order, int64_t now_ns)
{
    double unfilled = order->qty - order->filled;
    if (unfilled > 0)
        hb_controls_release_day (self->controls, unfilled * order->mult * order->px,
                                 order->sent_ns, now_ns);
}

int
hb_hedgeri_order_intent (hb_hedger_t *self, hb_hedgeri_order_t *order, const char *client_id,
                         int venue, int instrument, int asset, uint8_t side, double qty,
                         double px, int64_t now_ns)
{
    const hb_venue_cfg_t *v = &self->cfg->venues [venue];
    const hb_instrument_cfg_t *ins = &v->instruments [instrument];
    char record [S_RECORD_MAX];
    int n = snprintf (record, sizeof record, "I %s %s %s %d %.17g %.17g %lld", client_id,
                      v->name, ins->symbol, side, qty, px, (long long) now_ns);
    //  the intent is durable before the order can exist anywhere else
    if (hb_journal_append (self->journal, record, (size_t) n) != 0) {
        hb_error ("hedger: cannot journal intent %s: no more orders", client_id);
        self->broken = true;
        return -1;
    }
    hb_hedgeri_crash_point (self, HB_HEDGER_CRASH_AFTER_JOURNAL, client_id);
    memset (order, 0, sizeof *order);
    order->used = true;
    snprintf (order->client_id, sizeof order->client_id, "%s", client_id);
    order->venue = venue;
    order->instrument = instrument;
    order->asset = asset;
    order->side = side;
    order->qty = qty;
    order->mult = ins->multiplier;
    order->px = px;
    order->sent_ns = order->last_ns = now_ns;
    return 0;
}

static int
s_journal_outcome (hb_hedger_t *self, const hb_hedgeri_order_t *order, int status)
{
    char record [S_RECORD_MAX];
    int n = snprintf (record, sizeof record, "O %s %d %.17g %lld", order->client_id, status,
                      order->filled, (long long) order->last_ns);
    if (hb_journal_append (self->journal, record, (size_t) n) != 0) {
        hb_error ("hedger: cannot journal the outcome of %s: no more orders", order->client_id);
        self->broken = true;
        return -1;
    }
    return 0;
}

void
hb_hedgeri_on_ack (hb_hedger_t *self, hb_hedgeri_order_t *order, const hb_ack_t *ack,
                   int64_t now_ns)
{
    if (order->final || ack->status == HB_ACK_ACCEPTED)
        return;
    //  the answer to our cancel, or the order's own reject: we cannot
    //  tell, so the order's final ack (or its timeout) decides
    if (order->cancel_sent && ack->status == HB_ACK_REJECTED) {
        hb_info ("hedger: %s: rejected ack after our cancel (%s), ignored", ack->client_id,
                 hb_reject_name (ack->reason));
        return;
    }
    //  the window the journal cannot cover: the venue is done, the
    //  outcome is not durable yet
    hb_hedgeri_crash_point (self, HB_HEDGER_CRASH_AFTER_ACK, ack->client_id);
    order->final = true;
    order->filled = ack->filled_qty;
    order->last_ns = now_ns;
    s_release_unfilled (self, order, now_ns);
    self->stats.finals++;
    if (ack->status == HB_ACK_REJECTED)
        hb_info ("hedger: order %s rejected by %s: %s (%s)", ack->client_id, ack->venue,
                 hb_reject_name (ack->reason), ack->text);
    s_journal_outcome (self, order, ack->status);
}

int
hb_hedgeri_replay (const void *data, size_t size, uint64_t index, void *arg)
{
    hb_hedger_t *self = (hb_hedger_t *) arg;
    char record [S_RECORD_MAX];
    if (size == 0 || size >= sizeof record) {
        hb_warn ("hedger: journal record %llu: bad size %zu, skipped",
                 (unsigned long long) index, size);
        return 0;
    }
    memcpy (record, data, size);
    record [size] = '\0';
    char cid [HB_ID_MAX], venue [HB_NAME_MAX], symbol [HB_NAME_MAX];
    int side, status;
    double qty, px, filled;
    long long ns;
    if (record [0] == 'I'
    &&  sscanf (record, "I %47s %31s %31s %d %lf %lf %lld", cid, venue, symbol, &side, &qty,
                &px, &ns) == 7) {
        const hb_venue_cfg_t *v = hb_config_venue (self->cfg, venue);
        const hb_instrument_cfg_t *ins = v? hb_venue_instrument (v, symbol): NULL;
        hb_hedgeri_order_t *order = hb_hedgeri_order_find (self, cid);
        if (!order)
            order = hb_hedgeri_order_slot (self, INT64_MAX);
        if (!ins || !order) {
            hb_error ("hedger: journal intent %s on %s %s: %s: counted nowhere", cid, venue,
                      symbol, ins? "too many orders": "unknown venue or instrument");
            return 0;
        }
        memset (order, 0, sizeof *order);
        order->used = true;
        snprintf (order->client_id, sizeof order->client_id, "%s", cid);
        order->venue = (int) (v - self->cfg->venues);
        order->instrument = (int) (ins - v->instruments);
        order->asset = ins->asset;
        order->side = side == HB_SIDE_BUY? HB_SIDE_BUY: HB_SIDE_SELL;
        order->qty = qty;
        order->mult = ins->multiplier;
        order->px = px;
        order->sent_ns = order->last_ns = ns;
        hb_controls_add_day (self->controls, qty * order->mult * px, ns);
        self->stats.replayed++;
    }
    else
    if (record [0] == 'O'
    &&  sscanf (record, "O %47s %d %lf %lld", cid, &status, &filled, &ns) == 4) {
        hb_hedgeri_order_t *order = hb_hedgeri_order_find (self, cid);
        if (order) {
            order->final = true;
            order->filled = filled;
            order->last_ns = ns;
            s_release_unfilled (self, order, ns);
        }
    }
    else
        hb_warn ("hedger: journal record %llu not understood, skipped", (unsigned long long) index);
    return 0;
}

double
hb_hedger_in_flight (hb_hedger_t *self, int asset, int64_t now_ns)
{
    assert (self);
    double sum = 0;
    for (int i = 0; i < HB_HEDGERI_MAX_ORDERS; i++)
        if (self->orders [i].used && self->orders [i].asset == asset)
            sum += s_order_flight (&self->orders [i], now_ns);
    return sum;
}

void
hb_hedger_stats (hb_hedger_t *self, hb_hedger_stats_t *stats)
{
    assert (self && stats);
    self->stats.in_flight = 0;
    for (int i = 0; i < HB_HEDGERI_MAX_ORDERS; i++)
        if (self->orders [i].used && !self->orders [i].final)
            self->stats.in_flight++;
    *stats = self->stats;
}

void
hb_hedger_check_timeouts (hb_hedger_t *self, int64_t now_ns)
{
    assert (self);
    int64_t limit = (int64_t) self->cfg->hedger.order_timeout_ms * 1000000;
    //  orders are stamped in data time: the venues' clock, carried on by
    //  the wall clock since the last message (a silent venue still times out)
    if (self->data_ns > 0)
        now_ns = self->data_ns + (now_ns - self->data_wall);
    for (int i = 0; i < HB_HEDGERI_MAX_ORDERS && !self->broken; i++) {
        hb_hedgeri_order_t *order = &self->orders [i];
        if (!order->used || order->final || now_ns - order->sent_ns <= limit)
            continue;
        //  Given up as if it filled completely: it keeps counting for
        //  S_SETTLE_NS more, then the aggregator's positions (which get the
        //  venue's fills from its fill journal, even those we missed) say
        //  what it did, and risk asks again for what is left. Our orders
        //  are IOC: the venue has decided long before order_timeout_ms.
        order->final = true;
        order->timed_out = true;
        order->filled = order->qty;
        order->last_ns = now_ns;
        self->stats.timeouts++;
        s_journal_outcome (self, order, S_OUTCOME_EXPIRED);
        char request [HB_ID_MAX];
        snprintf (request, sizeof request, "%s", order->client_id);
        char *dot = strrchr (request, '.');
        if (dot)
            *dot = '\0';
        char detail [HB_TEXT_MAX];
        snprintf (detail, sizeof detail, "%.40s: no final ack in %d ms, given up",
                  order->client_id, self->cfg->hedger.order_timeout_ms);
        hb_hedgeri_reject (self, request, self->cfg->assets [order->asset].name,
                           self->cfg->venues [order->venue].name, "order_timeout",
                           hb_hedgeri_sign (order->side) * order->qty * order->mult, detail);
    }
}

int
hb_hedger_set_crash (hb_hedger_t *self, const char *point, int nth)
{
    assert (self);
    hb_hedger_crash_t crash = HB_HEDGER_CRASH_NONE;
    for (int c = HB_HEDGER_CRASH_AFTER_JOURNAL; c <= HB_HEDGER_CRASH_AFTER_ACK; c++)
        if (point && strcmp (point, hb_hedger_crash_name ((hb_hedger_crash_t) c)) == 0)
            crash = (hb_hedger_crash_t) c;
    if (crash == HB_HEDGER_CRASH_NONE || nth < 1)
        return -1;
    self->crash = crash;
    self->crash_left = nth;
    return 0;
}

const char *
hb_hedger_crash_name (hb_hedger_crash_t point)
{
    switch (point) {
        case HB_HEDGER_CRASH_AFTER_JOURNAL: return "after_journal";
        case HB_HEDGER_CRASH_AFTER_SEND:    return "after_send";
        case HB_HEDGER_CRASH_AFTER_ACK:     return "after_ack";
        default:                            return "none";
    }
}
