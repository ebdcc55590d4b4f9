/*  hb_orders tests: the table hands out the lowest free slot and keeps a
    finished order as long as a late request may still see it; an order
    counts in flight until the aggregator's picture holds its fills (named
    on a position state, then included by the next pos.<asset>, in either
    order of fill and naming), or a request names the fill message itself;
    a proof is announced once; an order read back from the journal is
    proven by a later fill of the same instrument; option legs are no
    delta in flight.                                                      */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hb_orders.h"
#include "hb_hedger_testing.h"

#define S_MS    1000000LL
#define T0      (1800000000LL * 1000 * S_MS)

typedef struct {
    hb_config_t *cfg;
    hb_orders_t *orders;
    int          proven;
    char         last_how [32];
} s_fx_t;

static void
s_proven (void *arg, hb_orders_entry_t *order, const char *how)
{
    s_fx_t *fx = (s_fx_t *) arg;
    (void) order;
    fx->proven++;
    snprintf (fx->last_how, sizeof fx->last_how, "%s", how);
}

static int
s_setup (void **state)
{
    s_fx_t *fx = calloc (1, sizeof *fx);
    assert_non_null (fx);
    fx->cfg = hb_hedger_testing_config ("/tmp", 5000);
    assert_non_null (fx->cfg);
    fx->orders = hb_orders_new (fx->cfg, s_proven, fx);
    assert_non_null (fx->orders);
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fx_t *fx = (s_fx_t *) *state;
    hb_orders_destroy (&fx->orders);
    assert_null (fx->orders);
    hb_config_destroy (&fx->cfg);
    free (fx);
    return 0;
}

//  A sell of qty BTC-PERP on venue 0 (alpha) with client id cid
static hb_orders_entry_t *
s_order (s_fx_t *fx, const char *cid, double qty, int64_t now)
{
    hb_orders_entry_t *order = hb_orders_slot (fx->orders, now);
    assert_non_null (order);
    memset (order, 0, sizeof *order);
    order->used = true;
    snprintf (order->client_id, sizeof order->client_id, "%s", cid);
    order->side = HB_SIDE_SELL;
    order->qty = qty;
    order->mult = 1;
    order->px = 65000;
    order->sent_ns = order->last_ns = now;
    return order;
}

//  Its final ack: filled qty
static void
s_final (s_fx_t *fx, hb_orders_entry_t *order, double filled, int64_t now)
{
    order->final = true;
    order->answered = true;
    order->filled = filled;
    order->last_ns = now;
    order->final_rank = hb_orders_rank (fx->orders);
    hb_orders_check_proven (fx->orders, order, now);
}

//  pos.BTC.alpha.BTC-PERP of epoch 1 at seq naming fill_id
static void
s_naming (s_fx_t *fx, uint64_t seq, const char *fill_id)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_POSITION;
    strcpy (msg.env.publisher, "agg");
    msg.env.epoch = 1;
    msg.env.seq = seq;
    strcpy (msg.u.position.venue, "alpha");
    strcpy (msg.u.position.symbol, "BTC-PERP");
    strcpy (msg.u.position.last_fill, fill_id);
    hb_orders_on_position (fx->orders, &msg);
}

//  pos.BTC of epoch 1 at seq
static void
s_picture (s_fx_t *fx, uint64_t seq, int64_t now)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_EXPOSURE;
    strcpy (msg.env.publisher, "agg");
    msg.env.epoch = 1;
    msg.env.seq = seq;
    hb_orders_on_exposure (fx->orders, &msg, 0, now);
}

static void
test_slots (void **state)
{
    s_fx_t *fx = (s_fx_t *) *state;
    hb_orders_entry_t *a = s_order (fx, "a", 1, T0);
    hb_orders_entry_t *b = s_order (fx, "b", 1, T0);
    assert_int_equal (hb_orders_count (fx->orders), 2);
    assert_ptr_equal (hb_orders_find (fx->orders, "b"), b);
    assert_null (hb_orders_find (fx->orders, "c"));
    //  finished and counting for nothing: kept while a late request may
    //  still come (2 x max_request_age_ms + 10 s), then its slot is reused
    s_final (fx, a, 0, T0);
    a->done_ns = T0;
    hb_orders_entry_t *fresh = hb_orders_slot (fx->orders, T0 + 5000 * S_MS);
    assert_ptr_equal (fresh, hb_orders_at (fx->orders, 2));
    hb_orders_entry_t *again = hb_orders_slot (fx->orders, T0 + 20000 * S_MS);
    assert_ptr_equal (again, a);
    //  a full table says so
    hb_orders_t *full = hb_orders_new (fx->cfg, s_proven, fx);
    for (int i = 0; i < HB_ORDERS_MAX; i++)
        hb_orders_slot (full, T0)->used = true;
    assert_null (hb_orders_slot (full, T0));
    hb_orders_destroy (&full);
}

static void
test_flight_until_included (void **state)
{
    s_fx_t *fx = (s_fx_t *) *state;
    hb_orders_entry_t *order = s_order (fx, "h1.0", 2, T0);
    hb_orders_pos_t before = { true, 1, 10 };
    assert_true (hb_orders_flight (fx->orders, order, &before, NULL) == -2);
    //  a fill, then its final ack: what filled counts
    assert_true (hb_orders_add_fill (fx->orders, order, "f1", 1.5, "feed.alpha", 7, 40));
    assert_false (hb_orders_add_fill (fx->orders, order, "f1", 1.5, "feed.alpha", 7, 40));
    s_final (fx, order, 1.5, T0 + S_MS);
    assert_true (hb_orders_flight (fx->orders, order, &before, NULL) == -1.5);
    assert_int_equal (fx->proven, 0);
    //  named at seq 11, included by pos.BTC seq 12: proven once
    s_naming (fx, 11, "f1");
    assert_int_equal (fx->proven, 0);
    s_picture (fx, 12, T0 + 2 * S_MS);
    assert_int_equal (fx->proven, 1);
    assert_string_equal (fx->last_how, "named");
    assert_true (order->proven && order->p_epoch == 1 && order->p_seq == 12);
    s_picture (fx, 13, T0 + 3 * S_MS);
    assert_int_equal (fx->proven, 1);
    //  a request on a picture before the inclusion still counts it
    hb_orders_pos_t at = { true, 1, 12 };
    assert_true (hb_orders_flight (fx->orders, order, &before, NULL) == -1.5);
    assert_true (hb_orders_flight (fx->orders, order, &at, NULL) == 0);
    assert_true (hb_orders_newest (fx->orders, 0).seq == 13);
    assert_true (hb_orders_asset_flight (fx->orders, 0, &before, NULL) == -1.5);
}

//  The aggregator may name a fill before the hedger sees it
static void
test_named_before_seen (void **state)
{
    s_fx_t *fx = (s_fx_t *) *state;
    hb_orders_entry_t *order = s_order (fx, "h2.0", 1, T0);
    s_naming (fx, 20, "f9");
    s_picture (fx, 21, T0);
    assert_true (hb_orders_add_fill (fx->orders, order, "f9", 1, NULL, 0, 0));
    assert_true (order->fills [0].included && order->fills [0].seq == 21);
    s_final (fx, order, 1, T0 + S_MS);
    assert_int_equal (fx->proven, 1);
    hb_orders_pos_t at = { true, 1, 21 };
    assert_true (hb_orders_flight (fx->orders, order, &at, NULL) == 0);
}

//  A request that names the fill message (risk applied it) holds it,
//  whatever its picture of the aggregator
static void
test_request_names_fill (void **state)
{
    s_fx_t *fx = (s_fx_t *) *state;
    hb_orders_entry_t *order = s_order (fx, "h3.0", 1, T0);
    hb_orders_add_fill (fx->orders, order, "f3", 1, "feed.alpha", 7, 40);
    s_final (fx, order, 1, T0 + S_MS);
    hb_msg_t msg;
    hb_hedger_testing_request (&msg, "h4", 1);
    hb_risk_hedge_t *req = &msg.u.risk_hedge;
    req->n_inputs = 2;
    snprintf (req->inputs [0].topic, sizeof req->inputs [0].topic, "pos.BTC");
    snprintf (req->inputs [0].publisher, sizeof req->inputs [0].publisher, "agg");
    req->inputs [0].epoch = 1;
    req->inputs [0].seq = 5;
    snprintf (req->inputs [1].topic, sizeof req->inputs [1].topic, "fill.alpha.BTC-PERP");
    snprintf (req->inputs [1].publisher, sizeof req->inputs [1].publisher, "feed.alpha");
    req->inputs [1].epoch = 7;
    req->inputs [1].seq = 39;           //  before the fill: not held
    hb_orders_pos_t pos = hb_orders_request_pos (fx->orders, req, "BTC");
    assert_true (pos.known && pos.seq == 5);
    assert_true (hb_orders_flight (fx->orders, order, &pos, req) == -1);
    req->inputs [1].seq = 40;
    assert_true (hb_orders_flight (fx->orders, order, &pos, req) == 0);
    req->inputs [1].epoch = 8;          //  another feed epoch: not held
    assert_true (hb_orders_flight (fx->orders, order, &pos, req) == -1);
}

//  An order read back from the journal has no naming to wait for: a later
//  fill of ours on the instrument, once included, proves it
static void
test_replayed_proven_by_later_fill (void **state)
{
    s_fx_t *fx = (s_fx_t *) *state;
    hb_orders_entry_t *old = s_order (fx, "h5.0", 1, T0);
    old->replayed = true;
    s_final (fx, old, 1, T0);
    assert_int_equal (fx->proven, 0);
    hb_orders_entry_t *later = s_order (fx, "h6.0", 1, T0 + S_MS);
    hb_orders_add_fill (fx->orders, later, "f6", 1, NULL, 0, 0);
    s_final (fx, later, 1, T0 + 2 * S_MS);
    s_naming (fx, 30, "f6");
    s_picture (fx, 31, T0 + 3 * S_MS);
    assert_int_equal (fx->proven, 2);
    assert_true (old->proven && old->p_seq == 31);
}

//  Option legs count in the positions only
static void
test_options_no_delta (void **state)
{
    s_fx_t *fx = (s_fx_t *) *state;
    fx->cfg->venues [0].instruments [0].kind = HB_KIND_OPTION;
    s_order (fx, "h7.0", 3, T0);
    assert_true (hb_orders_asset_flight (fx->orders, 0, NULL, NULL) == 0);
    fx->cfg->venues [0].instruments [0].kind = HB_KIND_LINEAR_PERP;
    assert_true (hb_orders_asset_flight (fx->orders, 0, NULL, NULL) == -3);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_slots, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_flight_until_included, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_named_before_seen, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_request_names_fill, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_replayed_proven_by_later_fill, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_options_no_delta, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
