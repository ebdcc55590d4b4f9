/*  hb_hedger tests, without the bus: requests, ticks and acks are handed
    in directly and a fake send hook records what would go out (and checks
    that every order's intent is in the journal file before it is sent).
    Two venues trade BTC-PERP: alpha at 30 bps taker, beta at 2 bps.      */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "hb_hedger.h"
#include "hb_hedger_testing.h"
#include "hb_metrics.h"
#include "hb_log.h"
#include "hb_journal_testing.h"

#define S_MS    1000000LL
#define T0      (1800000000LL * 1000 * S_MS)
#define S_SENT_MAX 128

typedef struct {
    hb_config_t *cfg;
    hb_hedger_t *hedger;
    char         dir [64];
    int          n_sent;
    char         topics [S_SENT_MAX][HB_TOPIC_MAX];
    hb_msg_t     sent [S_SENT_MAX];
    int          not_journaled;     //  orders sent before their intent was in the file
    bool         watch_syncs;       //  note the hedger's journal syncs at each order sent
    int          n_syncs;
    uint64_t     syncs_at [S_SENT_MAX];
} s_fx_t;

//  A forked hedger's orders, one byte each (test_crash_after_group), or -1
static int s_order_pipe = -1;

static int
s_send (const char *topic, hb_msg_t *msg, void *arg)
{
    s_fx_t *fx = (s_fx_t *) arg;
    if (msg->env.type == HB_MSG_ORDER && !hb_journal_testing_has (fx->cfg->hedger.journal, msg->u.order.client_id))
        fx->not_journaled++;
    if (msg->env.type == HB_MSG_ORDER && s_order_pipe >= 0 && write (s_order_pipe, "o", 1) != 1)
        _exit (4);
    if (msg->env.type == HB_MSG_ORDER && fx->watch_syncs && fx->n_syncs < S_SENT_MAX) {
        hb_hedger_stats_t st;
        hb_hedger_stats (fx->hedger, &st);
        fx->syncs_at [fx->n_syncs++] = st.syncs;
    }
    assert_true (fx->n_sent < S_SENT_MAX);
    snprintf (fx->topics [fx->n_sent], HB_TOPIC_MAX, "%s", topic);
    fx->sent [fx->n_sent++] = *msg;
    return 0;
}

static int
s_setup (void **state)
{
    s_fx_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    strcpy (fx->dir, "/tmp/hb_hedger_test.XXXXXX");
    assert_non_null (mkdtemp (fx->dir));
    hb_config_t *cfg = hb_hedger_testing_config (fx->dir, 5000);
    assert_non_null (cfg);
    fx->cfg = cfg;
    fx->hedger = hb_hedger_new (cfg, s_send, fx, T0);
    assert_non_null (fx->hedger);
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fx_t *fx = *state;
    hb_hedger_destroy (&fx->hedger);
    assert_null (fx->hedger);
    hb_hedger_destroy (&fx->hedger);
    hb_hedger_testing_cleanup (&fx->cfg, fx->dir);
    free (fx);
    return 0;
}

static void
s_restart (s_fx_t *fx, int64_t now)
{
    hb_hedger_destroy (&fx->hedger);
    fx->hedger = hb_hedger_new (fx->cfg, s_send, fx, now);
    assert_non_null (fx->hedger);
}

//  A book of qty BTC each side around 65000 on venue
static void
s_tick (s_fx_t *fx, const char *venue, double qty, int64_t now)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    hb_tick_t *t = &msg.u.tick;
    strcpy (t->venue, venue);
    strcpy (t->symbol, "BTC-PERP");
    t->n_bids = t->n_asks = 1;
    t->bids [0] = (hb_level_t) { 65000, qty };
    t->asks [0] = (hb_level_t) { 65001, qty };
    assert_int_equal (hb_hedger_on_msg (fx->hedger, &msg, now), 0);
}

//  A request made at made: sell qty BTC
//  msg: a request of risk made at made, selling qty BTC, with no inputs
static void
s_request_base (hb_msg_t *msg, const char *id, double qty, int64_t made)
{
    hb_hedger_testing_request (msg, id, qty);
    msg->env.ts_recv = made;
}

static int
s_request (s_fx_t *fx, const char *id, double qty, int64_t made, hb_seq_status_t status,
           int64_t now)
{
    hb_msg_t msg;
    s_request_base (&msg, id, qty, made);
    return hb_hedger_on_request (fx->hedger, &msg, status, now);
}

static void
s_ack (s_fx_t *fx, const char *client_id, int status, double filled, int64_t now)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_ACK;
    hb_ack_t *a = &msg.u.ack;
    strcpy (a->venue, "beta");
    strcpy (a->symbol, "BTC-PERP");
    strcpy (a->client_id, client_id);
    a->status = (uint8_t) status;
    a->filled_qty = filled;
    assert_int_equal (hb_hedger_on_msg (fx->hedger, &msg, now), 0);
}

//  The last message of type sent, or NULL
static const hb_msg_t *
s_last_of (s_fx_t *fx, int type)
{
    for (int i = fx->n_sent - 1; i >= 0; i--)
        if (fx->sent [i].env.type == type)
            return &fx->sent [i];
    return NULL;
}

static int
s_count_of (s_fx_t *fx, int type)
{
    int n = 0;
    for (int i = 0; i < fx->n_sent; i++)
        n += fx->sent [i].env.type == type;
    return n;
}

//  A series of the process registry, as the hedger registered it.
static hb_metric_t *
s_metric (const char *name, bool gauge)
{
    return gauge ? hb_metrics_gauge (hb_metrics_process (), name, "", NULL, NULL)
                 : hb_metrics_counter (hb_metrics_process (), name, "", NULL, NULL);
}

//  A fill of ours from beta, published at pub
//  A fill of ours on beta, its message at (feed_epoch, feed_seq) of the feed
static void
s_fill_at (s_fx_t *fx, const char *client_id, const char *fill_id, double qty, int64_t pub,
           uint64_t feed_epoch, uint64_t feed_seq)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_FILL;
    strcpy (msg.env.publisher, "feed.beta");
    msg.env.epoch = feed_epoch;
    msg.env.seq = feed_seq;
    msg.env.ts_pub = pub;
    hb_fill_t *f = &msg.u.fill;
    strcpy (f->venue, "beta");
    strcpy (f->symbol, "BTC-PERP");
    strcpy (f->client_id, client_id);
    snprintf (f->fill_id, sizeof f->fill_id, "%s", fill_id);
    f->side = HB_SIDE_SELL;
    f->qty = qty;
    f->px = 65000;
    assert_int_equal (hb_hedger_on_msg (fx->hedger, &msg, pub), 0);
}

static void
s_fill (s_fx_t *fx, const char *client_id, const char *fill_id, double qty, int64_t pub)
{
    s_fill_at (fx, client_id, fill_id, qty, pub, 0, 0);
}

//  The aggregator's position state of beta/BTC-PERP naming last_fill,
//  whose message was (feed_epoch, feed_seq) of the feed (0: not known),
//  then pos.BTC with (epoch, seq)
static void
s_agg_at (s_fx_t *fx, const char *last_fill, uint64_t feed_epoch, uint64_t feed_seq,
          uint64_t epoch, uint64_t seq, int64_t now)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_POSITION;
    strcpy (msg.env.publisher, "aggregator");
    msg.env.epoch = epoch;
    msg.env.seq = seq;
    hb_position_t *p = &msg.u.position;
    strcpy (p->venue, "beta");
    strcpy (p->symbol, "BTC-PERP");
    strcpy (p->asset, "BTC");
    snprintf (p->last_fill, sizeof p->last_fill, "%s", last_fill);
    p->last_fill_epoch = feed_epoch;
    p->last_fill_seq = feed_seq;
    if (last_fill [0])
        assert_int_equal (hb_hedger_on_msg (fx->hedger, &msg, now), 0);
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_EXPOSURE;
    strcpy (msg.env.publisher, "aggregator");
    msg.env.epoch = epoch;
    msg.env.seq = seq;
    strcpy (msg.u.exposure.asset, "BTC");
    assert_int_equal (hb_hedger_on_msg (fx->hedger, &msg, now), 0);
}

static void
s_agg (s_fx_t *fx, const char *last_fill, uint64_t epoch, uint64_t seq, int64_t now)
{
    s_agg_at (fx, last_fill, 0, 0, epoch, seq, now);
}

//  A request made at made, selling qty BTC, computed from pos.BTC
//  (epoch, seq) of publisher, into msg (not sent)
static void
s_request_msg (hb_msg_t *msg_p, const char *id, double qty, int64_t made, const char *publisher,
               uint64_t epoch, uint64_t seq)
{
    hb_msg_t msg;
    s_request_base (&msg, id, qty, made);
    hb_risk_hedge_t *r = &msg.u.risk_hedge;
    r->n_inputs = 2;
    strcpy (r->inputs [0].topic, "tick.beta.BTC-PERP");
    strcpy (r->inputs [0].publisher, "feed.beta");
    r->inputs [0].epoch = 7;
    r->inputs [0].seq = 99;
    strcpy (r->inputs [1].topic, "pos.BTC");
    strcpy (r->inputs [1].publisher, publisher);
    r->inputs [1].epoch = epoch;
    r->inputs [1].seq = seq;
    *msg_p = msg;
}

static int
s_request_on (s_fx_t *fx, const char *id, double qty, int64_t made, const char *publisher,
              uint64_t epoch, uint64_t seq)
{
    hb_msg_t msg;
    s_request_msg (&msg, id, qty, made, publisher, epoch, seq);
    return hb_hedger_on_request (fx->hedger, &msg, HB_SEQ_OK, made);
}

//  The same on pos.BTC (5, 10), naming also the fill message of beta's
//  BTC-PERP of fill_publisher at (fill_epoch, fill_seq): risk applied it
static int
s_request_naming (s_fx_t *fx, const char *id, double qty, int64_t made, const char *fill_publisher,
                  uint64_t fill_epoch, uint64_t fill_seq)
{
    hb_msg_t msg;
    s_request_msg (&msg, id, qty, made, "aggregator", 5, 10);
    hb_risk_input_t *in = &msg.u.risk_hedge.inputs [msg.u.risk_hedge.n_inputs++];
    strcpy (in->topic, "fill.beta.BTC-PERP");
    snprintf (in->publisher, sizeof in->publisher, "%s", fill_publisher);
    in->epoch = fill_epoch;
    in->seq = fill_seq;
    return hb_hedger_on_request (fx->hedger, &msg, HB_SEQ_OK, made);
}

//  The last hedger.reject sent, its reason
static const char *
s_last_reject (s_fx_t *fx)
{
    for (int i = fx->n_sent - 1; i >= 0; i--)
        if (fx->sent [i].env.type == HB_MSG_HEDGE_REJECT)
            return fx->sent [i].u.hedge_reject.reason;
    return "";
}

static int
s_orders (s_fx_t *fx)
{
    int n = 0;
    for (int i = 0; i < fx->n_sent; i++)
        n += fx->sent [i].env.type == HB_MSG_ORDER;
    return n;
}

//  The cheaper venue, a deterministic id, journaled before it is sent;
//  the same exposure asked again while the order is in flight sends nothing
static void
test_netting_and_ids (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "alpha", 100, T0);
    s_tick (fx, "beta", 100, T0);
    assert_int_equal (s_request (fx, "r1", 10, T0, HB_SEQ_FIRST, T0), 1);
    assert_int_equal (s_orders (fx), 1);
    hb_order_t *o = &fx->sent [0].u.order;
    assert_string_equal (fx->topics [0], "order.beta.BTC-PERP");
    assert_string_equal (o->client_id, "r1.0");
    assert_int_equal (o->side, HB_SIDE_SELL);
    assert_int_equal (o->tif, HB_TIF_IOC);
    assert_int_equal (o->ord_type, HB_ORD_LIMIT);
    assert_float_equal (o->qty, 10, 1e-9);
    //  the worst level taken (65000), 10 bp more aggressive: the slippage
    //  allowance of a limit IOC (S_SLIP_BPS, within half the 100 bp collar)
    assert_float_equal (o->px, 65000 * (1 - 10e-4), 1e-6);
    assert_int_equal (fx->not_journaled, 0);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0), -10, 1e-9);

    //  repeated while in flight: nothing more
    assert_int_equal (s_request (fx, "r2", 10, T0 + 100 * S_MS, HB_SEQ_OK, T0 + 100 * S_MS), 0);
    assert_int_equal (s_orders (fx), 1);
    //  the fill of 6 is counted until risk has seen it; the 4 canceled are free
    s_ack (fx, "r1.0", HB_ACK_CANCELED, 6, T0 + 150 * S_MS);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 200 * S_MS), -6, 1e-9);
    assert_int_equal (s_request (fx, "r3", 10, T0 + 200 * S_MS, HB_SEQ_OK, T0 + 200 * S_MS), 1);
    assert_string_equal (fx->sent [fx->n_sent - 1].u.order.client_id, "r3.0");
    assert_float_equal (fx->sent [fx->n_sent - 1].u.order.qty, 4, 1e-9);
    //  once the aggregator's picture includes the fills, a request on it
    //  is the whole truth again
    s_fill (fx, "r3.0", "f-2", 4, T0 + 240 * S_MS);
    s_ack (fx, "r3.0", HB_ACK_DONE, 4, T0 + 250 * S_MS);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 2000 * S_MS), -10, 1e-9);
    s_agg (fx, "f-2", 1, 8, T0 + 300 * S_MS);
    //  r1.0 ended before f-2 came, but its fill was never seen: the
    //  aggregator applies beta's fills in order, so it has it too
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 2000 * S_MS), 0, 1e-9);
    assert_int_equal (fx->not_journaled, 0);
}

//  A thin cheap book is topped up from the other venue: legs .0 and .1
static void
test_split_ids (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "alpha", 100, T0);
    s_tick (fx, "beta", 3, T0);
    assert_int_equal (s_request (fx, "r9", 10, T0, HB_SEQ_OK, T0), 2);
    assert_string_equal (fx->sent [0].u.order.venue, "alpha");
    assert_string_equal (fx->sent [0].u.order.client_id, "r9.0");
    assert_float_equal (fx->sent [0].u.order.qty, 7, 1e-9);
    assert_string_equal (fx->sent [1].u.order.venue, "beta");
    assert_string_equal (fx->sent [1].u.order.client_id, "r9.1");
    assert_float_equal (fx->sent [1].u.order.qty, 3, 1e-9);
    //  the same id again is refused, never sent twice
    assert_int_equal (s_request (fx, "r9", 10, T0, HB_SEQ_OK, T0), 0);
    assert_string_equal (s_last_reject (fx), "duplicate_request");
}

//  Restart: what the journal holds without an outcome is in flight and
//  is not sent again; an outcome read back releases it
static void
test_restart_replay (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "beta", 100, T0);
    assert_int_equal (s_request (fx, "r1", 10, T0, HB_SEQ_OK, T0), 1);
    assert_int_equal (s_request (fx, "r2", 4, T0, HB_SEQ_OK, T0), 0);
    //  kill -9 here: no ack yet
    hb_hedger_destroy (&fx->hedger);
    fx->hedger = hb_hedger_new (fx->cfg, s_send, fx, T0 + 1000 * S_MS);
    assert_non_null (fx->hedger);
    hb_hedger_stats_t st;
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.replayed, 1);
    assert_int_equal (st.in_flight, 1);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 5000 * S_MS), -10, 1e-9);
    s_tick (fx, "beta", 100, T0 + 1000 * S_MS);
    int before = s_orders (fx);
    assert_int_equal (s_request (fx, "r3", 10, T0 + 1000 * S_MS, HB_SEQ_FIRST, T0 + 1000 * S_MS), 0);
    assert_int_equal (s_orders (fx), before);
    //  the fill and the ack arrive after the restart: journaled, survive
    //  the next one
    s_fill (fx, "r1.0", "f-1", 10, T0 + 1090 * S_MS);
    s_ack (fx, "r1.0", HB_ACK_DONE, 10, T0 + 1100 * S_MS);
    hb_hedger_destroy (&fx->hedger);
    fx->hedger = hb_hedger_new (fx->cfg, s_send, fx, T0 + 2000 * S_MS);
    assert_non_null (fx->hedger);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_flight, 0);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 1200 * S_MS), -10, 1e-9);
    //  no time makes it go: the aggregator's state naming its fill (the
    //  periodic republication names the last one) does
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 60000 * S_MS), -10, 1e-9);
    s_agg (fx, "f-1", 3, 40, T0 + 2100 * S_MS);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 3000 * S_MS), 0, 1e-9);
    //  and that is journaled too
    s_restart (fx, T0 + 4000 * S_MS);
    s_agg (fx, "", 3, 41, T0 + 4000 * S_MS);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 4000 * S_MS), 0, 1e-9);
}

//  No final ack by order_timeout_ms: in doubt, not given up. It keeps
//  counting, all of it, whatever the time (a stalled feed may still
//  execute it), a cancel goes out and hedger.reject says so; a restart
//  keeps it in doubt. The feed's expired reject ends it.
static void
test_in_doubt (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "beta", 100, T0);
    assert_int_equal (s_request (fx, "r1", 10, T0, HB_SEQ_OK, T0), 1);
    int sent = s_orders (fx);
    hb_hedger_stats_t st;
    hb_hedger_check_timeouts (fx->hedger, T0 + 5000 * S_MS);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.timeouts, 0);
    assert_int_equal (st.in_doubt, 0);
    hb_hedger_check_timeouts (fx->hedger, T0 + 5001 * S_MS);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.timeouts, 1);
    assert_int_equal (st.in_doubt, 1);
    assert_int_equal (st.in_flight, 1);
    assert_string_equal (s_last_reject (fx), "order_in_doubt");
    const hb_msg_t *cancel = s_last_of (fx, HB_MSG_CANCEL);
    assert_non_null (cancel);
    assert_string_equal (cancel->u.cancel.client_id, "r1.0");
    assert_true (hb_metric_value (s_metric ("hb_hedger_orders_in_doubt", true)) == 1);
    //  once only
    hb_hedger_check_timeouts (fx->hedger, T0 + 6000 * S_MS);
    assert_int_equal (s_count_of (fx, HB_MSG_CANCEL), 1);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.timeouts, 1);
    //  the old give-up forgot it 500 ms later; now it counts as long as
    //  it may execute, and the same need gets no second order
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 60000 * S_MS), -10, 1e-9);
    s_tick (fx, "beta", 100, T0 + 20000 * S_MS);
    assert_int_equal (s_request (fx, "r2", 10, T0 + 20000 * S_MS, HB_SEQ_OK, T0 + 20000 * S_MS), 0);
    assert_int_equal (s_orders (fx), sent);
    //  the answer to our cancel (the venue does not know it) tells nothing
    s_ack (fx, "r1.0", HB_ACK_REJECTED, 0, T0 + 20001 * S_MS);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_doubt, 1);
    //  a restart keeps it in doubt
    s_restart (fx, T0 + 21000 * S_MS);
    hb_hedger_check_timeouts (fx->hedger, T0 + 21000 * S_MS);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.replayed, 1);
    assert_int_equal (st.in_doubt, 1);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 21000 * S_MS), -10, 1e-9);
    //  the feed resumes and refuses it as expired: known, nothing filled,
    //  hedged again (the feed's reject is not the cancel's answer)
    hb_msg_t ack;
    memset (&ack, 0, sizeof ack);
    ack.env.type = HB_MSG_ACK;
    strcpy (ack.u.ack.venue, "beta");
    strcpy (ack.u.ack.symbol, "BTC-PERP");
    strcpy (ack.u.ack.client_id, "r1.0");
    ack.u.ack.status = HB_ACK_REJECTED;
    ack.u.ack.reason = HB_REJ_EXPIRED;
    assert_int_equal (hb_hedger_on_msg (fx->hedger, &ack, T0 + 22000 * S_MS), 0);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_doubt, 0);
    assert_int_equal (st.resolved, 1);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 22000 * S_MS), 0, 1e-9);
    s_tick (fx, "beta", 100, T0 + 22000 * S_MS);
    assert_int_equal (s_request (fx, "r3", 10, T0 + 22000 * S_MS, HB_SEQ_OK, T0 + 22000 * S_MS), 1);
    //  the day total gave the unfilled order back
    assert_float_equal (hb_hedger_day_usd (fx->hedger, T0 + 22000 * S_MS), 10 * 64935, 1e-6);
#ifdef HB_TEST_HOOKS
    //  crash points (test build only): only the three names, only n >= 1
    assert_int_equal (hb_hedger_set_crash (fx->hedger, "after_send", 0), -1);
    assert_int_equal (hb_hedger_set_crash (fx->hedger, "after_lunch", 1), -1);
    assert_int_equal (hb_hedger_set_crash (fx->hedger, NULL, 1), -1);
    assert_string_equal (hb_hedger_crash_name (HB_HEDGER_CRASH_AFTER_ACK), "after_ack");
#endif
}

//  A beta message (its heartbeat) published at pub
static void
s_beta_alive (s_fx_t *fx, int64_t pub)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_HEARTBEAT;
    strcpy (msg.env.publisher, "feed.beta");
    msg.env.ts_pub = pub;
    strcpy (msg.u.heartbeat.component, "feed.beta");
    assert_int_equal (hb_hedger_on_msg (fx->hedger, &msg, pub), 0);
}

//  An order in doubt that its feed never answered, once the feed has
//  published something stamped past send + max_order_age_ms (+ 1 s): the
//  feed refuses it from then on, so it can no longer execute. It stops
//  counting (its fills, if any, tell the rest), and stays in the day
//  total. One the venue accepted waits for its final ack.
static void
test_in_doubt_proof (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "beta", 100, T0);
    assert_int_equal (s_request (fx, "r1", 10, T0, HB_SEQ_OK, T0), 1);
    double day = hb_hedger_day_usd (fx->hedger, T0);
    assert_true (day > 0);
    //  before its time out, even a late feed proves nothing
    s_beta_alive (fx, T0 + 4000 * S_MS);
    hb_hedger_stats_t st;
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_flight, 1);
    hb_hedger_check_timeouts (fx->hedger, T0 + 5001 * S_MS);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_doubt, 0);
    assert_int_equal (st.resolved, 1);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 5001 * S_MS), 0, 1e-9);
    assert_float_equal (hb_hedger_day_usd (fx->hedger, T0 + 5001 * S_MS), day, 1e-6);

    //  r2.0: a feed that stalled (nothing from it after the send) proves
    //  nothing; one stamped within max_order_age_ms + 1 s neither
    s_tick (fx, "beta", 100, T0 + 6000 * S_MS);
    assert_int_equal (s_request (fx, "r2", 10, T0 + 6000 * S_MS, HB_SEQ_OK, T0 + 6000 * S_MS), 1);
    hb_hedger_check_timeouts (fx->hedger, T0 + 11001 * S_MS);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_doubt, 1);
    s_beta_alive (fx, T0 + 8000 * S_MS);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_doubt, 1);
    //  past it: proven on the feed's next message 100 ms of its data time
    //  after the last look (the order table is not walked per message)
    s_beta_alive (fx, T0 + 8001 * S_MS);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_doubt, 1);
    s_beta_alive (fx, T0 + 8100 * S_MS);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_doubt, 0);
    //  it did fill after all: the fill counts, until the aggregator has it
    s_fill (fx, "r2.0", "f-9", 2, T0 + 9000 * S_MS);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 9000 * S_MS), -2, 1e-9);
    s_agg (fx, "f-9", 1, 3, T0 + 9100 * S_MS);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 9100 * S_MS), 0, 1e-9);

    //  r3.0: accepted by the venue, then silence: only its final ack ends it
    s_tick (fx, "beta", 100, T0 + 10000 * S_MS);
    assert_int_equal (s_request_on (fx, "r3", 10, T0 + 10000 * S_MS, "aggregator", 1, 3), 1);
    s_ack (fx, "r3.0", HB_ACK_ACCEPTED, 0, T0 + 10010 * S_MS);
    hb_hedger_check_timeouts (fx->hedger, T0 + 15001 * S_MS);
    s_beta_alive (fx, T0 + 30000 * S_MS);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_doubt, 1);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 30000 * S_MS), -10, 1e-9);
    s_ack (fx, "r3.0", HB_ACK_CANCELED, 0, T0 + 30010 * S_MS);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_doubt, 0);
}

//  A request that names the fill message of ours (fill.beta.BTC-PERP of
//  feed.beta, that epoch, that seq or later) holds it whatever its pos.BTC
//  says: risk applied it. An older seq, another publisher or epoch does
//  not.
static void
test_fill_named_by_request (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "beta", 100, T0);
    s_agg (fx, "", 5, 10, T0);
    assert_int_equal (s_request_on (fx, "r1", 10, T0, "aggregator", 5, 10), 1);
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_FILL;
    strcpy (msg.env.publisher, "feed.beta");
    msg.env.epoch = 3;
    msg.env.seq = 4;
    msg.env.ts_pub = T0;
    hb_fill_t *f = &msg.u.fill;
    strcpy (f->venue, "beta");
    strcpy (f->symbol, "BTC-PERP");
    strcpy (f->client_id, "r1.0");
    strcpy (f->fill_id, "f-1");
    f->side = HB_SIDE_SELL;
    f->qty = 10;
    f->px = 65000;
    assert_int_equal (hb_hedger_on_msg (fx->hedger, &msg, T0 + 10 * S_MS), 0);
    s_ack (fx, "r1.0", HB_ACK_DONE, 10, T0 + 20 * S_MS);
    int64_t t = T0 + 1000 * S_MS;
    s_tick (fx, "beta", 100, t);
    //  the aggregator's picture is stalled at seq 10: netted ...
    assert_int_equal (s_request_on (fx, "a", 10, t, "aggregator", 5, 10), 0);
    //  ... also when the request names an older fill, another feed, another epoch
    assert_int_equal (s_request_naming (fx, "b", 10, t, "feed.beta", 3, 3), 0);
    assert_int_equal (s_request_naming (fx, "c", 10, t, "feed.alpha", 3, 4), 0);
    assert_int_equal (s_request_naming (fx, "d", 10, t, "feed.beta", 2, 9), 0);
    assert_int_equal (s_orders (fx), 1);
    //  named (at its seq, or later): held, what it asks is new
    assert_int_equal (s_request_naming (fx, "e", 3, t, "feed.beta", 3, 5), 1);
    assert_float_equal (s_last_of (fx, HB_MSG_ORDER)->u.order.qty, 3, 1e-9);
}

//  Fills count until included: a request whose pos.BTC input predates
//  the aggregator's state naming our fill is netted against it; one that
//  includes it (that seq or later, a later epoch) is not; one from
//  another publisher or without the input includes nothing
static void
test_fills_until_included (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "beta", 100, T0);
    s_agg (fx, "", 5, 10, T0);
    assert_int_equal (s_request_on (fx, "r1", 10, T0, "aggregator", 5, 10), 1);
    s_fill (fx, "r1.0", "f-1", 10, T0 + 10 * S_MS);
    s_ack (fx, "r1.0", HB_ACK_DONE, 10, T0 + 20 * S_MS);
    //  a stalled aggregator: its picture stays at seq 10, however long;
    //  risk (on that picture) asks for the same 10 again and again
    for (int i = 1; i <= 5; i++) {
        int64_t t = T0 + i * 3000 * S_MS;
        s_tick (fx, "beta", 100, t);
        char id [16];
        snprintf (id, sizeof id, "s%d", i);
        assert_int_equal (s_request_on (fx, id, 10, t, "aggregator", 5, 10), 0);
    }
    assert_int_equal (s_orders (fx), 1);
    //  it resumes: the state naming f-1, then pos.BTC seq 11
    int64_t t = T0 + 16000 * S_MS;
    s_tick (fx, "beta", 100, t);
    s_agg (fx, "f-1", 5, 11, t);
    //  a request still on seq 10 (made before) is netted
    assert_int_equal (s_request_on (fx, "a", 10, t, "aggregator", 5, 10), 0);
    //  from another publisher, or without an input: nothing is included
    assert_int_equal (s_request_on (fx, "b", 10, t, "forged", 5, 11), 0);
    assert_int_equal (s_request (fx, "c", 10, t, HB_SEQ_OK, t), 0);
    assert_int_equal (s_orders (fx), 1);
    //  on seq 11 the fill is in risk's exposure: what it asks is new
    assert_int_equal (s_request_on (fx, "d", 3, t, "aggregator", 5, 11), 1);
    assert_float_equal (s_last_of (fx, HB_MSG_ORDER)->u.order.qty, 3, 1e-9);
    s_ack (fx, "d.0", HB_ACK_REJECTED, 0, t + S_MS);
    //  a later epoch (a restarted aggregator replays its journal) too
    assert_int_equal (s_request_on (fx, "e", 3, t + 2 * S_MS, "aggregator", 6, 1), 1);
    //  the rule is journaled: a restart keeps where f-1 is included
    s_ack (fx, "e.0", HB_ACK_REJECTED, 0, t + 3 * S_MS);
    //  the aggregator's naming can come before our fill message (two
    //  publishers): the fill is included all the same
    s_agg (fx, "f-7", 5, 12, t + 4 * S_MS);
    assert_int_equal (s_request_on (fx, "e2", 3, t + 4 * S_MS, "aggregator", 5, 12), 1);
    s_fill (fx, "e2.0", "f-7", 3, t + 4 * S_MS);
    s_ack (fx, "e2.0", HB_ACK_DONE, 3, t + 4 * S_MS);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, t + 4 * S_MS), 0, 1e-9);
    s_restart (fx, t + 10 * S_MS);
    s_tick (fx, "beta", 100, t + 10 * S_MS);
    assert_int_equal (s_request_on (fx, "f", 10, t + 10 * S_MS, "aggregator", 5, 10), 0);
    assert_int_equal (s_request_on (fx, "g", 3, t + 10 * S_MS, "aggregator", 5, 11), 0);
    assert_int_equal (s_request_on (fx, "h", 3, t + 10 * S_MS, "aggregator", 5, 12), 1);
}

//  A fill read back from the journal after a restart, which no state can
//  name any more (a later fill, not ours, is the position's last): a state
//  naming a later fill message of the same feed epoch includes it, one of
//  an earlier epoch or an earlier seq does not (it stays in flight: under-
//  hedging is safe, hedging twice is not)
static void
test_fill_restart_included (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "beta", 100, T0);
    s_agg (fx, "", 5, 10, T0);
    assert_int_equal (s_request_on (fx, "r1", 10, T0, "aggregator", 5, 10), 1);
    s_fill_at (fx, "r1.0", "f-1", 10, T0 + 10 * S_MS, 77, 3);
    s_ack (fx, "r1.0", HB_ACK_DONE, 10, T0 + 20 * S_MS);
    int64_t t = T0 + 100 * S_MS;
    s_restart (fx, t);
    s_tick (fx, "beta", 100, t);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, t), -10, 1e-9);
    //  an earlier message of that feed epoch, or another epoch: not ours
    s_agg_at (fx, "x-2", 77, 2, 5, 11, t);
    s_agg_at (fx, "x-8", 76, 9, 5, 12, t);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, t), -10, 1e-9);
    assert_int_equal (s_request_on (fx, "a", 10, t, "aggregator", 5, 12), 0);
    //  someone else's fill after ours (a manual trade): its state holds ours
    s_agg_at (fx, "x-9", 77, 5, 5, 13, t + S_MS);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, t + S_MS), 0, 1e-9);
    assert_int_equal (s_request_on (fx, "b", 10, t + S_MS, "aggregator", 5, 13), 1);
}

//  Stale requests, gaps and restarts of risk: refused, with the reason on the bus
static void
test_refusals (void **state)
{
    s_fx_t *fx = *state;
    //  a request is routed on the newest book the hedger has when it is applied
    s_tick (fx, "beta", 100, T0 + 1000 * S_MS);
    s_tick (fx, "beta", 100, T0 + 3000 * S_MS);
    int64_t now = T0 + 3000 * S_MS;
    assert_int_equal (s_request (fx, "old", 10, now - 2001 * S_MS, HB_SEQ_OK, now), 0);
    assert_string_equal (s_last_reject (fx), "stale_request");
    assert_int_equal (s_request (fx, "gap", 10, now, HB_SEQ_GAP, now), 0);
    assert_string_equal (s_last_reject (fx), "gap");
    assert_int_equal (s_request (fx, "rst", 10, now, HB_SEQ_RESTART, now), 0);
    assert_string_equal (s_last_reject (fx), "restart");
    assert_int_equal (s_orders (fx), 0);
    //  at the limit it is still fresh
    assert_int_equal (s_request (fx, "ok", 10, now - 2000 * S_MS, HB_SEQ_OK, now), 1);
    hb_hedger_stats_t st;
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.refused, 3);
    assert_string_equal (fx->sent [0].u.hedge_reject.request_id, "old");
    assert_string_equal (fx->topics [0], "hedger.reject");
}

//  A hedger.control command published at pub
static int
s_control (s_fx_t *fx, int command, const char *id, const char *by, const char *text, int64_t pub,
           int64_t now)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_HEDGER_CONTROL;
    strcpy (msg.env.publisher, "console");
    msg.env.ts_pub = pub;
    hb_hedger_control_t *c = &msg.u.hedger_control;
    c->command = (uint8_t) command;
    snprintf (c->id, sizeof c->id, "%s", id);
    snprintf (c->by, sizeof c->by, "%s", by);
    snprintf (c->text, sizeof c->text, "%s", text);
    return hb_hedger_on_control (fx->hedger, &msg, now);
}

//  The kill file (hb-hedger kill / reset) is seen at the next check; it
//  blocks everything until reset, and survives a restart
static void
test_kill_switch (void **state)
{
    s_fx_t *fx = *state;
    hb_metric_t *kill = s_metric ("hb_hedger_kill_switch", true);
    hb_metric_t *orders = s_metric ("hb_hedger_orders_total", false);
    hb_metric_t *refused = s_metric ("hb_hedger_refused_requests_total", false);
    s_tick (fx, "beta", 100, T0);
    assert_int_equal (hb_hedger_kill_file_set (fx->cfg, true), 0);
    assert_false (hb_hedger_killed (fx->hedger));
    uint64_t refused_before = hb_metric_count (refused);
    hb_hedger_check_kill (fx->hedger, T0);
    assert_true (hb_hedger_killed (fx->hedger));
    assert_true (hb_metric_value (kill) == 1);
    const hb_msg_t *echo = s_last_of (fx, HB_MSG_HEDGER_CONTROL);
    assert_non_null (echo);
    assert_int_equal (echo->u.hedger_control.command, HB_CONTROL_KILL);
    assert_string_equal (echo->u.hedger_control.by, "hb-hedger");
    assert_int_equal (s_request (fx, "k1", 10, T0, HB_SEQ_OK, T0), 0);
    assert_string_equal (s_last_reject (fx), "killed");
    assert_int_equal (hb_metric_count (refused), refused_before + 1);
    s_restart (fx, T0);
    assert_true (hb_hedger_killed (fx->hedger));
    assert_true (hb_metric_value (kill) == 1);
    s_tick (fx, "beta", 100, T0);
    assert_int_equal (s_request (fx, "k2", 10, T0, HB_SEQ_OK, T0), 0);
    assert_int_equal (s_orders (fx), 0);
    //  removed: the next request sees it, and the reset is echoed
    assert_int_equal (hb_hedger_kill_file_set (fx->cfg, false), 0);
    uint64_t orders_before = hb_metric_count (orders);
    assert_int_equal (s_request (fx, "k3", 10, T0, HB_SEQ_OK, T0), 1);
    assert_false (hb_hedger_killed (fx->hedger));
    assert_true (hb_metric_value (kill) == 0);
    assert_int_equal (hb_metric_count (orders), orders_before + 1);
    assert_int_equal (s_last_of (fx, HB_MSG_HEDGER_CONTROL)->u.hedger_control.command,
                      HB_CONTROL_RESET);
}

//  A kill over the bus: latched in the kill file, the working order
//  canceled, the echo says by whom, every request refused naming them;
//  a restart keeps it; a stale reset is refused, a fresh one re-arms
static void
test_bus_kill (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "beta", 100, T0);
    assert_int_equal (s_request (fx, "r1", 10, T0, HB_SEQ_OK, T0), 1);
    int64_t t = T0 + 10 * S_MS;
    assert_int_equal (s_control (fx, HB_CONTROL_KILL, "k-1", "ops.alice", "beta looks odd", t, t), 0);
    assert_true (hb_hedger_killed (fx->hedger));
    const hb_msg_t *cancel = s_last_of (fx, HB_MSG_CANCEL);
    assert_non_null (cancel);
    assert_string_equal (cancel->u.cancel.client_id, "r1.0");
    assert_string_equal (cancel->u.cancel.venue, "beta");
    assert_string_equal (fx->topics [cancel - fx->sent], "cancel.beta.BTC-PERP");
    const hb_msg_t *echo = s_last_of (fx, HB_MSG_HEDGER_CONTROL);
    assert_non_null (echo);
    assert_string_equal (fx->topics [echo - fx->sent], "hedger.control");
    assert_string_equal (echo->u.hedger_control.id, "k-1");
    assert_string_equal (echo->u.hedger_control.by, "ops.alice");
    assert_int_equal (echo->u.hedger_control.canceled, 1);
    assert_true (hb_journal_testing_has (fx->cfg->hedger.kill_file, "k-1 ops.alice beta looks odd"));
    hb_hedger_stats_t st;
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.cancels, 1);

    //  nothing more is sent, and the refusal names who
    assert_int_equal (s_request (fx, "r2", 20, t, HB_SEQ_OK, t), 0);
    assert_int_equal (s_orders (fx), 1);
    assert_string_equal (s_last_reject (fx), "killed");
    assert_non_null (strstr (s_last_of (fx, HB_MSG_HEDGE_REJECT)->u.hedge_reject.detail, "ops.alice"));
    //  a second kill cancels nothing twice
    assert_int_equal (s_control (fx, HB_CONTROL_KILL, "k-2", "ops.bob", "", t, t), 0);
    assert_int_equal (s_count_of (fx, HB_MSG_CANCEL), 1);
    assert_int_equal (s_last_of (fx, HB_MSG_HEDGER_CONTROL)->u.hedger_control.canceled, 0);

    //  the venue's answer to the cancel is not the order's outcome
    s_ack (fx, "r1.0", HB_ACK_REJECTED, 0, t + S_MS);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, t + S_MS), -10, 1e-9);
    s_ack (fx, "r1.0", HB_ACK_CANCELED, 4, t + 2 * S_MS);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, t + 2 * S_MS), -4, 1e-9);

    //  a restart keeps the latch and who set it
    s_restart (fx, t + 100 * S_MS);
    assert_true (hb_hedger_killed (fx->hedger));
    s_tick (fx, "beta", 100, t + 100 * S_MS);
    assert_int_equal (s_request (fx, "r3", 10, t + 100 * S_MS, HB_SEQ_OK, t + 100 * S_MS), 0);
    assert_string_equal (s_last_reject (fx), "killed");
    assert_non_null (strstr (s_last_of (fx, HB_MSG_HEDGE_REJECT)->u.hedge_reject.detail, "ops.bob"));

    //  a reset older than max_request_age_ms (2000) is refused
    int64_t now = t + 3000 * S_MS;
    s_tick (fx, "beta", 100, now);
    assert_int_equal (s_control (fx, HB_CONTROL_RESET, "z-1", "ops.alice", "", now - 2001 * S_MS,
                                 now), -1);
    assert_string_equal (s_last_reject (fx), "stale_control");
    assert_true (hb_hedger_killed (fx->hedger));
    assert_int_equal (s_request (fx, "r4", 10, now, HB_SEQ_OK, now), 0);
    //  a fresh one re-arms it; the file is gone, so a restart stays armed
    assert_int_equal (s_control (fx, HB_CONTROL_RESET, "z-2", "ops.alice", "ok", now - 2000 * S_MS,
                                 now), 0);
    assert_false (hb_hedger_killed (fx->hedger));
    assert_int_equal (s_last_of (fx, HB_MSG_HEDGER_CONTROL)->u.hedger_control.command,
                      HB_CONTROL_RESET);
    assert_int_equal (access (fx->cfg->hedger.kill_file, F_OK), -1);
    assert_int_equal (s_request (fx, "r5", 10, now, HB_SEQ_OK, now), 1);
    s_restart (fx, now);
    assert_false (hb_hedger_killed (fx->hedger));
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_flight, 1);
}

//  Killed while down: what the journal left working is canceled at start
static void
test_kill_at_restart (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "beta", 100, T0);
    assert_int_equal (s_request (fx, "r1", 10, T0, HB_SEQ_OK, T0), 1);
    hb_hedger_destroy (&fx->hedger);
    assert_int_equal (hb_hedger_kill_file_set (fx->cfg, true), 0);
    s_restart (fx, T0 + S_MS);
    assert_true (hb_hedger_killed (fx->hedger));
    const hb_msg_t *cancel = s_last_of (fx, HB_MSG_CANCEL);
    assert_non_null (cancel);
    assert_string_equal (cancel->u.cancel.client_id, "r1.0");
    assert_int_equal (s_last_of (fx, HB_MSG_HEDGER_CONTROL)->u.hedger_control.canceled, 1);
}

//  A kill that cannot be written is still obeyed, and says so
static void
test_kill_not_persisted (void **state)
{
    s_fx_t *fx = *state;
    hb_hedger_destroy (&fx->hedger);
    snprintf (fx->cfg->hedger.kill_file, sizeof fx->cfg->hedger.kill_file, "%s/no/such/dir/kill",
              fx->dir);
    s_restart (fx, T0);
    s_tick (fx, "beta", 100, T0);
    assert_int_equal (s_control (fx, HB_CONTROL_KILL, "k-9", "ops.alice", "", T0, T0), 0);
    assert_true (hb_hedger_killed (fx->hedger));
    assert_non_null (s_last_of (fx, HB_MSG_HEDGER_CONTROL));
    const hb_msg_t *reject = s_last_of (fx, HB_MSG_HEDGE_REJECT);
    assert_non_null (reject);
    assert_string_equal (reject->u.hedge_reject.reason, "kill_not_persisted");
    //  no file ever appeared: the next check does not take that for a reset
    hb_hedger_check_kill (fx->hedger, T0);
    assert_true (hb_hedger_killed (fx->hedger));
    assert_int_equal (s_request (fx, "r1", 10, T0, HB_SEQ_OK, T0), 0);
    assert_int_equal (s_orders (fx), 0);
}

//  Funding from the config reaches the venue choice: shorts paying 30 bp
//  per 8 h on beta outweigh its lower fee (2 bp against alpha's 30)
static void
test_funding_choice (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "alpha", 100, T0);
    s_tick (fx, "beta", 100, T0);
    fx->cfg->hedger.hold_hours = 8;
    fx->cfg->hedger.funding_bps [1] = (double *) calloc ((size_t) fx->cfg->venues [1].n_instruments,
                                                         sizeof (double));
    assert_non_null (fx->cfg->hedger.funding_bps [1]);
    fx->cfg->hedger.funding_bps [1][0] = -30;
    assert_int_equal (s_request (fx, "f1", 10, T0, HB_SEQ_OK, T0), 1);
    assert_string_equal (s_last_of (fx, HB_MSG_ORDER)->u.order.venue, "alpha");
    //  held 2 h it costs 7.5 bp: beta again
    s_ack (fx, "f1.0", HB_ACK_REJECTED, 0, T0);
    fx->cfg->hedger.hold_hours = 2;
    assert_int_equal (s_request (fx, "f2", 10, T0 + 1000 * S_MS, HB_SEQ_OK, T0 + 1000 * S_MS), 1);
    assert_string_equal (s_last_of (fx, HB_MSG_ORDER)->u.order.venue, "beta");
}

//  margin.beta with flags and plenty of equity
static void
s_margin (s_fx_t *fx, const char *venue, uint32_t flags, int64_t now)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_MARGIN;
    strcpy (msg.u.margin.venue, venue);
    msg.u.margin.equity_usd = 1e7;
    msg.u.margin.flags = flags;
    assert_int_equal (hb_hedger_on_msg (fx->hedger, &msg, now), 0);
}

//  A venue whose top-up is on its way (margin flag topup, issue 19) takes
//  a new hedge only when the other cannot: beta (2 bp) is cheaper than
//  alpha (30 bp), but while beta awaits its money the hedge goes to alpha;
//  what alpha's book cannot take goes to beta still; once credited, beta
//  again
static void
test_topup_avoided (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "alpha", 100, T0);
    s_tick (fx, "beta", 100, T0);
    s_margin (fx, "alpha", 0, T0);
    s_margin (fx, "beta", HB_MARGIN_TOPUP, T0);
    assert_int_equal (s_request (fx, "t1", 10, T0, HB_SEQ_OK, T0), 1);
    assert_string_equal (s_last_of (fx, HB_MSG_ORDER)->u.order.venue, "alpha");
    s_ack (fx, "t1.0", HB_ACK_REJECTED, 0, T0);
    s_tick (fx, "alpha", 4, T0 + 100 * S_MS);
    assert_int_equal (s_request (fx, "t2", 10, T0 + 100 * S_MS, HB_SEQ_OK, T0 + 100 * S_MS), 2);
    assert_string_equal (s_last_of (fx, HB_MSG_ORDER)->u.order.venue, "beta");
    assert_float_equal (s_last_of (fx, HB_MSG_ORDER)->u.order.qty, 6, 1e-9);
    s_ack (fx, "t2.0", HB_ACK_REJECTED, 0, T0 + 100 * S_MS);
    s_ack (fx, "t2.1", HB_ACK_REJECTED, 0, T0 + 100 * S_MS);
    s_tick (fx, "alpha", 100, T0 + 200 * S_MS);
    s_margin (fx, "beta", 0, T0 + 200 * S_MS);
    assert_int_equal (s_request (fx, "t3", 10, T0 + 200 * S_MS, HB_SEQ_OK, T0 + 200 * S_MS), 1);
    assert_string_equal (s_last_of (fx, HB_MSG_ORDER)->u.order.venue, "beta");
}

//  A capital.reduce of id from hb-treasury: move qty BTC off venue
static int
s_reduce (s_fx_t *fx, const char *id, const char *venue, double qty, int64_t now)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_CAPITAL_REDUCE;
    strcpy (msg.env.publisher, "treasury");
    msg.env.ts_recv = now;
    hb_reduce_t *r = &msg.u.reduce;
    strcpy (r->id, id);
    strcpy (r->venue, venue);
    strcpy (r->asset, "BTC");
    r->reason = HB_PLAN_REASON_TOO_SLOW;
    r->exposure_usd = -qty * 65000 * 2;
    r->reduce_usd = qty * 65000;
    r->qty = qty;
    return hb_hedger_on_reduce (fx->hedger, &msg, HB_SEQ_OK, now);
}

//  capital.reduce (issue 19): beta is short and no transfer reaches it in
//  time; 2 BTC move off it: sold on alpha first, then bought back on beta
//  (net unchanged), both journaled before they are sent; the same id
//  again is refused; with no other venue to take it nothing is bought
//  back on beta either (that would move the net), and the reason is said;
//  with beta's own book unable to take it, nothing is sold on alpha
static void
test_reduce (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "alpha", 100, T0);
    s_tick (fx, "beta", 100, T0);
    assert_int_equal (s_reduce (fx, "beta.r1.1", "beta", 2, T0), 2);
    assert_int_equal (fx->not_journaled, 0);
    const hb_msg_t *sell = NULL, *buy = NULL;
    for (int i = 0; i < fx->n_sent; i++)
        if (fx->sent [i].env.type == HB_MSG_ORDER)
            *(fx->sent [i].u.order.side == HB_SIDE_SELL ? &sell : &buy) = &fx->sent [i];
    assert_non_null (sell);
    assert_non_null (buy);
    assert_string_equal (sell->u.order.venue, "alpha");
    assert_string_equal (sell->u.order.client_id, "beta.r1.1.0");
    assert_float_equal (sell->u.order.qty, 2, 1e-9);
    assert_string_equal (buy->u.order.venue, "beta");
    assert_string_equal (buy->u.order.client_id, "beta.r1.1.1");
    assert_float_equal (buy->u.order.qty, 2, 1e-9);
    //  the pair is no delta in flight
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0), 0, 1e-9);
    assert_int_equal (s_reduce (fx, "beta.r1.1", "beta", 2, T0 + S_MS), 0);
    assert_string_equal (s_last_reject (fx), "duplicate_request");
    //  alpha has no book any more (stale): nothing anywhere
    int orders = s_orders (fx);
    int64_t later = T0 + 10000 * S_MS;
    s_tick (fx, "beta", 100, later);
    assert_int_equal (s_reduce (fx, "beta.r1.2", "beta", 2, later), 0);
    assert_int_equal (s_orders (fx), orders);
    assert_string_equal (s_last_reject (fx), "no_route");
    //  nor when beta's own book cannot take it back (stale): alpha is not
    //  sold either
    int64_t later2 = later + 10000 * S_MS;
    s_tick (fx, "alpha", 100, later2);
    assert_int_equal (s_reduce (fx, "beta.r1.4", "beta", 2, later2), 0);
    assert_int_equal (s_orders (fx), orders);
    assert_string_equal (s_last_reject (fx), "no_route");
    //  an unknown venue is refused
    assert_int_equal (s_reduce (fx, "delta.r1.3", "delta", 2, later), 0);
    assert_string_equal (s_last_reject (fx), "unknown_venue");
}

//  A control that fails refuses the leg with the control's reason
static void
test_control_reject (void **state)
{
    s_fx_t *fx = *state;
    //  10 BTC at the leg's limit price, 65000 less the 10 bp allowance
    fx->cfg->hedger.max_order_usd = 10 * 64935 - 1;
    s_tick (fx, "beta", 100, T0);
    assert_int_equal (s_request (fx, "c1", 10, T0, HB_SEQ_OK, T0), 0);
    assert_string_equal (s_last_reject (fx), "max_order_usd");
    fx->cfg->hedger.max_order_usd = 10 * 64935;
    assert_int_equal (s_request (fx, "c2", 10, T0, HB_SEQ_OK, T0), 1);
}

//  Decided on arrival (issue 15): on the newest book the hedger has when
//  it applies the request, whatever the request's ts_venue says; a book
//  older than quote_stale_ms by the applied time is refused; an ack of an
//  order the hedger does not have (yet) is not ours and is not kept (live
//  and in a replay alike, an order exists before its ack is applied).
static void
test_arrival (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "beta", 100, T0);
    s_tick (fx, "beta", 3, T0 + 100 * S_MS);            //  the newest: 3 on beta
    hb_msg_t ack;
    memset (&ack, 0, sizeof ack);
    ack.env.type = HB_MSG_ACK;
    ack.env.ts_pub = T0 + 60 * S_MS;
    strcpy (ack.u.ack.venue, "beta");
    strcpy (ack.u.ack.symbol, "BTC-PERP");
    strcpy (ack.u.ack.client_id, "r1.0");
    ack.u.ack.status = HB_ACK_DONE;
    ack.u.ack.filled_qty = 10;
    assert_int_equal (hb_hedger_on_msg (fx->hedger, &ack, T0 + 200 * S_MS), -1);
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_RISK_HEDGE;
    msg.env.ts_recv = T0 + 150 * S_MS;
    msg.env.ts_venue = T0 + 50 * S_MS;                  //  not waited for, not used
    hb_risk_hedge_t *r = &msg.u.risk_hedge;
    strcpy (r->id, "r1");
    r->reasons = HB_RISK_REASON_BAND;
    r->n_targets = 1;
    strcpy (r->targets [0].asset, "BTC");
    r->targets [0].index = 65000;
    r->targets [0].exposure_usd = 10 * 65000;
    r->targets [0].target_qty = -10;
    r->targets [0].target_usd = -10 * 65000;
    assert_int_equal (hb_hedger_on_request (fx->hedger, &msg, HB_SEQ_OK, T0 + 200 * S_MS), 1);
    assert_string_equal (s_last_reject (fx), "unplaced");
    assert_int_equal (fx->sent [fx->n_sent - 2].env.type, HB_MSG_ORDER);
    assert_string_equal (fx->sent [fx->n_sent - 2].u.order.client_id, "r1.0");
    assert_float_equal (fx->sent [fx->n_sent - 2].u.order.qty, 3, 1e-9);
    //  the early ack was not kept: the order is in flight, all of it
    hb_hedger_stats_t st;
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.finals, 0);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 300 * S_MS), -3, 1e-9);
    //  its own ack, applied after it: final
    s_ack (fx, "r1.0", HB_ACK_DONE, 0, T0 + 250 * S_MS);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 300 * S_MS), 0, 1e-9);
    //  much later, with no tick since: the book is stale by the applied time
    int64_t late = T0 + 100 * S_MS + (int64_t) fx->cfg->risk.quote_stale_ms * S_MS + 1 * S_MS;
    strcpy (r->id, "r2");
    msg.env.ts_recv = late;
    msg.env.ts_venue = T0 + 100 * S_MS;                 //  as of the book: still stale now
    assert_int_equal (hb_hedger_on_request (fx->hedger, &msg, HB_SEQ_OK, late), 0);
    assert_string_equal (s_last_reject (fx), "no_route");
}

static char *
s_slurp (const char *path, size_t *size)
{
    FILE *file = fopen (path, "rb");
    assert_non_null (file);
    static char data [1 << 20];
    *size = fread (data, 1, sizeof data, file);
    fclose (file);
    char *copy = malloc (*size + 1);
    assert_non_null (copy);
    memcpy (copy, data, *size);
    return copy;
}

static void
s_spit (const char *path, const char *data, size_t size)
{
    FILE *file = fopen (path, "wb");
    assert_non_null (file);
    assert_int_equal (fwrite (data, 1, size, file), size);
    fclose (file);
}

//  Day totals survive a damaged journal: a day of orders (filled,
//  rejected, in doubt, in flight), then hundreds of bit flips and
//  truncations at random offsets of the journal. Each time the hedger
//  either refuses to start (the damage is in the history) or comes back
//  with the day total exactly as it was: never lower, never from zero.
static void
test_journal_damage_day_total (void **state)
{
    s_fx_t *fx = *state;
    int64_t t = T0;
    for (int i = 0; i < 12; i++, t += 1000 * S_MS) {
        s_tick (fx, "beta", 100, t);
        char id [16], cid [24], fid [24];
        snprintf (id, sizeof id, "d%d", i);
        snprintf (cid, sizeof cid, "d%d.0", i);
        snprintf (fid, sizeof fid, "fd%d", i);
        assert_int_equal (s_request (fx, id, 60 + i, t, HB_SEQ_OK, t), 1);
        double qty = s_last_of (fx, HB_MSG_ORDER)->u.order.qty;
        if (i % 4 == 0) {
            s_fill (fx, cid, fid, qty, t + 10 * S_MS);
            s_ack (fx, cid, HB_ACK_DONE, qty, t + 20 * S_MS);
            s_agg (fx, fid, 1, (uint64_t) i + 1, t + 30 * S_MS);
        }
        else
        if (i % 4 == 1)
            s_ack (fx, cid, HB_ACK_REJECTED, 0, t + 20 * S_MS);
        else
        if (i % 4 == 2) {
            s_fill (fx, cid, fid, qty / 2, t + 10 * S_MS);
            s_ack (fx, cid, HB_ACK_CANCELED, qty / 2, t + 20 * S_MS);
        }
        //  i % 4 == 3: left in flight
    }
    hb_hedger_check_timeouts (fx->hedger, t);       //  the oldest in flight go in doubt
    double day = hb_hedger_day_usd (fx->hedger, t);
    assert_true (day > 0);
    hb_hedger_destroy (&fx->hedger);
    const char *path = fx->cfg->hedger.journal;
    size_t size;
    char *good = s_slurp (path, &size);
    assert_true (size > 500);
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    const char *seed = getenv ("HB_TEST_SEED");
    if (seed && *seed)
        rng = strtoull (seed, NULL, 0) | 1;
    int refused = 0, exact = 0;
    //  400 refusals each say why on stderr: kept out of the test's output
    fflush (stderr);
    int saved = dup (2);
    int null = open ("/dev/null", O_WRONLY);
    assert_true (saved >= 0 && null >= 0);
    dup2 (null, 2);
    close (null);
    for (int i = 0; i < 400; i++) {
        char *bad = malloc (size);
        assert_non_null (bad);
        memcpy (bad, good, size);
        size_t bad_size = size;
        uint64_t at = hb_journal_testing_rand (&rng) % size;
        if (i % 2 == 0)
            bad [at] ^= (char) (1u << (hb_journal_testing_rand (&rng) % 8));
        else
            bad_size = (size_t) at;
        s_spit (path, bad, bad_size);
        free (bad);
        fx->hedger = hb_hedger_new (fx->cfg, s_send, fx, t);
        if (!fx->hedger)
            refused++;
        else {
            double back = hb_hedger_day_usd (fx->hedger, t);
            if (back < day * (1 - 1e-12) || back > day * (1 + 1e-12)) {
                dup2 (saved, 2);
                fail_msg ("case %d (%s at %llu of %zu): day total %.6f, was %.6f", i,
                          i % 2 == 0? "flip": "truncation", (unsigned long long) at, size, back, day);
            }
            exact++;
            hb_hedger_destroy (&fx->hedger);
        }
    }
    fflush (stderr);
    dup2 (saved, 2);
    close (saved);
    //  both outcomes happen: flips in the history are refused, a cut is
    //  taken back to the day total written
    assert_true (refused > 100);
    assert_true (exact > 100);
    //  the intact journal: exact, of course
    s_spit (path, good, size);
    fx->hedger = hb_hedger_new (fx->cfg, s_send, fx, t);
    assert_non_null (fx->hedger);
    assert_float_equal (hb_hedger_day_usd (fx->hedger, t), day, day * 1e-12);
    hb_hedger_destroy (&fx->hedger);
    //  a deleted journal (or totals) where one existed is refused
    char moved [sizeof fx->dir + 16];
    snprintf (moved, sizeof moved, "%s/moved", fx->dir);
    assert_int_equal (rename (path, moved), 0);
    assert_null (hb_hedger_new (fx->cfg, s_send, fx, t));
    assert_int_equal (rename (moved, path), 0);
    char totals [sizeof fx->cfg->hedger.journal + 8];
    snprintf (totals, sizeof totals, "%s.totals", path);
    size_t tsize;
    char *tdata = s_slurp (totals, &tsize);
    assert_int_equal (unlink (totals), 0);
    assert_null (hb_hedger_new (fx->cfg, s_send, fx, t));
    s_spit (totals, tdata, tsize);
    free (tdata);
    //  a truncated journal holds new orders back: a request just after
    //  the last write is refused until an order it lost could no longer
    //  execute (max_order_age_ms 1000 + 1 s)
    s_spit (path, good, size - 3);
    fx->hedger = hb_hedger_new (fx->cfg, s_send, fx, t);
    assert_non_null (fx->hedger);
    s_tick (fx, "beta", 100, t);
    assert_int_equal (s_request (fx, "h1", 1, t, HB_SEQ_OK, t), 0);
    assert_string_equal (s_last_reject (fx), "journal_tail_lost");
    hb_hedger_stats_t st;
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.holding, 1);
    free (good);
    printf ("day total %.2f: %d damaged journals refused, %d exact\n", day, refused, exact);
}

//  One durable append per request, whatever its legs: the intents of a
//  request split over two venues are journaled with one group append (one
//  sync) before the first order leaves; the day totals record (the
//  second sync) comes after the last one
static void
test_one_sync_per_request (void **state)
{
    s_fx_t *fx = *state;
    s_tick (fx, "alpha", 100, T0);
    s_tick (fx, "beta", 3, T0);
    hb_hedger_stats_t st;
    hb_hedger_stats (fx->hedger, &st);
    uint64_t before = st.syncs;
    fx->watch_syncs = true;
    assert_int_equal (s_request (fx, "r9", 10, T0, HB_SEQ_OK, T0), 2);
    assert_int_equal (fx->n_syncs, 2);
    assert_int_equal (fx->syncs_at [0], before + 1);
    assert_int_equal (fx->syncs_at [1], before + 1);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.syncs, before + 2);
    assert_int_equal (fx->not_journaled, 0);
    //  the legs are what they were when each was journaled on its own
    assert_string_equal (fx->sent [0].u.order.client_id, "r9.0");
    assert_string_equal (fx->sent [0].u.order.venue, "alpha");
    assert_float_equal (fx->sent [0].u.order.qty, 7, 1e-9);
    assert_string_equal (fx->sent [1].u.order.client_id, "r9.1");
    assert_float_equal (fx->sent [1].u.order.qty, 3, 1e-9);
}

#ifdef HB_TEST_HOOKS
//  A feed's heartbeat stamped pub: the feed of venue was alive then
static void
s_alive (s_fx_t *fx, const char *venue, int64_t pub)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_HEARTBEAT;
    snprintf (msg.env.publisher, sizeof msg.env.publisher, "feed.%s", venue);
    msg.env.ts_pub = pub;
    snprintf (msg.u.heartbeat.component, sizeof msg.u.heartbeat.component, "feed.%s", venue);
    assert_int_equal (hb_hedger_on_msg (fx->hedger, &msg, pub), 0);
}

//  kill -9 between the group append and the sends (the after_journal
//  crash point, in a child process): both intents are durable, no order
//  left. The restart reads both back in flight and sends nothing for
//  them again; they go in doubt at order_timeout_ms and end once their
//  feeds prove they can no longer execute, as a single leg's did. The
//  totals, written after the sends, were behind the journal: the start
//  takes the journal as whole and brings the totals up to it, so a tail
//  the journal loses afterwards still shows.
static void
test_crash_after_group (void **state)
{
    s_fx_t *fx = *state;
    const char *path = fx->cfg->hedger.journal;
    hb_hedger_destroy (&fx->hedger);        //  the child opens the journal
    int fds [2];
    assert_int_equal (pipe (fds), 0);
    fflush (NULL);
    pid_t pid = fork ();
    assert_true (pid >= 0);
    if (pid == 0) {
        close (fds [0]);
        s_order_pipe = fds [1];
        fx->hedger = hb_hedger_new (fx->cfg, s_send, fx, T0);
        if (!fx->hedger || hb_hedger_set_crash (fx->hedger, "after_journal", 1) != 0)
            _exit (2);
        s_tick (fx, "alpha", 100, T0);
        s_tick (fx, "beta", 3, T0);
        s_request (fx, "r9", 10, T0, HB_SEQ_OK, T0);
        _exit (3);                          //  not reached: killed at the point
    }
    close (fds [1]);
    int status = 0;
    assert_int_equal (waitpid (pid, &status, 0), pid);
    assert_true (WIFSIGNALED (status));
    assert_int_equal (WTERMSIG (status), SIGKILL);
    char byte;
    assert_int_equal (read (fds [0], &byte, 1), 0);     //  no order left
    close (fds [0]);
    assert_true (hb_journal_testing_has (path, "I r9.0 alpha "));
    assert_true (hb_journal_testing_has (path, "I r9.1 beta "));

    //  the restart: both in flight, nothing sent again, no hold
    fx->hedger = hb_hedger_new (fx->cfg, s_send, fx, T0 + 100 * S_MS);
    assert_non_null (fx->hedger);
    hb_hedger_stats_t st;
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.replayed, 2);
    assert_int_equal (st.in_flight, 2);
    assert_int_equal (st.holding, 0);
    assert_float_equal (hb_hedger_in_flight (fx->hedger, 0, T0 + 100 * S_MS), -10, 1e-9);
    s_tick (fx, "alpha", 100, T0 + 100 * S_MS);
    s_tick (fx, "beta", 3, T0 + 100 * S_MS);
    assert_int_equal (s_request (fx, "r10", 10, T0 + 100 * S_MS, HB_SEQ_OK, T0 + 100 * S_MS), 0);
    assert_int_equal (s_orders (fx), 0);
    hb_hedger_destroy (&fx->hedger);

    //  the totals now count both intents: a journal cut before the
    //  second is a lost tail, and holds orders back
    size_t size;
    char *good = s_slurp (path, &size);
    const char *second = memmem (good, size, "I r9.1 ", 7);
    assert_non_null (second);
    s_spit (path, good, (size_t) (second - good) - 8);     //  less the record's length and CRC
    fx->hedger = hb_hedger_new (fx->cfg, s_send, fx, T0 + 200 * S_MS);
    assert_non_null (fx->hedger);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.replayed, 1);
    assert_int_equal (st.holding, 1);
    hb_hedger_destroy (&fx->hedger);
    s_spit (path, good, size);
    free (good);

    //  in doubt at order_timeout_ms, then proven dead by their feeds
    fx->hedger = hb_hedger_new (fx->cfg, s_send, fx, T0 + 5001 * S_MS);
    assert_non_null (fx->hedger);
    hb_hedger_check_timeouts (fx->hedger, T0 + 5001 * S_MS);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_doubt, 2);
    assert_int_equal (s_count_of (fx, HB_MSG_CANCEL), 2);
    s_alive (fx, "alpha", T0 + 5100 * S_MS);
    s_alive (fx, "beta", T0 + 5100 * S_MS);
    hb_hedger_stats (fx->hedger, &st);
    assert_int_equal (st.in_doubt, 0);
    assert_int_equal (st.in_flight, 0);
    assert_int_equal (st.resolved, 2);
    assert_true (hb_journal_testing_has (path, "O r9.0 5 "));
    assert_true (hb_journal_testing_has (path, "O r9.1 5 "));
    assert_int_equal (s_orders (fx), 0);
}
#endif

int
main (void)
{
    hb_log_init ("hedger_test", HB_LOG_ERROR);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_netting_and_ids, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_arrival, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_split_ids, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_one_sync_per_request, s_setup, s_teardown),
#ifdef HB_TEST_HOOKS     //  the crash points: the test build (make check-asan) only
        cmocka_unit_test_setup_teardown (test_crash_after_group, s_setup, s_teardown),
#endif
        cmocka_unit_test_setup_teardown (test_in_doubt, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_in_doubt_proof, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_fills_until_included, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_fill_restart_included, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_journal_damage_day_total, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_restart_replay, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_refusals, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_kill_switch, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_bus_kill, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_kill_at_restart, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_kill_not_persisted, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_control_reject, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_topup_avoided, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_reduce, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_funding_choice, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_fill_named_by_request, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("hb_hedger", tests, NULL, NULL);
}
