/*  hb_aggregator test: the Clone pattern end to end, in one process. A test
    publisher plays the venue and sends fills (a few of them twice); the
    aggregator runs its reactor in a thread. One consumer is subscribed from
    the start and applies every update; a late one joins after more than
    100,000 updates, subscribes, waits for its first live message (proof
    that the subscription is in place), asks for a snapshot and then applies
    only updates newer than the snapshot's seq for their topic. After more
    than 110,000 updates both hold the same last message, seq included, on
    every topic, and the positions are what the fills make.               */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hb_aggregator.h"
#include "hb_log.h"
#include "hb_pub.h"
#include "hb_sub.h"

#define S_TOPICS    64

typedef struct {
    char     topic [S_TOPICS][HB_TOPIC_MAX];
    hb_msg_t last [S_TOPICS];
    int      n;
    uint64_t applied;
} s_state_t;

static s_state_t *
s_state_new (void)
{
    s_state_t *self = calloc (1, sizeof *self);
    assert_non_null (self);
    return self;
}

static hb_msg_t *
s_slot (s_state_t *self, const char *topic)
{
    for (int i = 0; i < self->n; i++)
        if (strcmp (self->topic [i], topic) == 0)
            return &self->last [i];
    assert_true (self->n < S_TOPICS);
    strcpy (self->topic [self->n], topic);
    return &self->last [self->n++];
}

//  Applies msg unless the state already has that topic at the same or a
//  newer seq of the same epoch.
static void
s_apply (s_state_t *self, const char *topic, const hb_msg_t *msg)
{
    hb_msg_t *slot = s_slot (self, topic);
    if (slot->env.type && slot->env.epoch == msg->env.epoch && msg->env.seq <= slot->env.seq)
        return;
    *slot = *msg;
    self->applied++;
}

//  Receives whatever arrives within idle_ms of the last message.
static uint64_t
s_drain (hb_sub_t *sub, s_state_t *state, int idle_ms)
{
    char topic [HB_TOPIC_MAX];
    hb_msg_t msg;
    uint64_t n = 0;
    while (hb_sub_recv (sub, topic, sizeof topic, &msg, NULL, idle_ms) == 0) {
        if (msg.env.type == HB_MSG_POSITION || msg.env.type == HB_MSG_EXPOSURE
        ||  msg.env.type == HB_MSG_MARGIN) {
            s_apply (state, topic, &msg);
            n++;
        }
    }
    return n;
}

static void
s_snapshot (const char *endpoint, s_state_t *state)
{
    zsock_t *req = zsock_new_req (endpoint);
    assert_non_null (req);
    zsock_set_rcvtimeo (req, 5000);
    assert_int_equal (zstr_send (req, ""), 0);
    zmsg_t *reply = zmsg_recv (req);
    assert_non_null (reply);
    uint64_t count = 0;
    bool ended = false;
    while (zmsg_size (reply) >= 2) {
        char *topic = zmsg_popstr (reply);
        zframe_t *payload = zmsg_pop (reply);
        hb_msg_t msg;
        assert_int_equal (hb_msg_decode (&msg, zframe_data (payload), zframe_size (payload), NULL), 0);
        if (msg.env.type == HB_MSG_SNAPSHOT_END) {
            assert_int_equal (msg.u.snapshot_end.count, count);
            ended = true;
        }
        else {
            s_apply (state, topic, &msg);
            count++;
        }
        zstr_free (&topic);
        zframe_destroy (&payload);
    }
    assert_true (ended);
    assert_true (count >= 3);           //  a position, an exposure, a margin
    zmsg_destroy (&reply);
    zsock_destroy (&req);
}

static void *
s_run (void *arg)
{
    hb_aggregator_run ((hb_aggregator_t *) arg);
    return NULL;
}

static void
test_late_joiner (void **state)
{
    (void) state;
    char dir [64] = "/tmp/hb_aggregator_test.XXXXXX";
    assert_non_null (mkdtemp (dir));
    hb_config_t *cfg = calloc (1, sizeof *cfg);
    cfg->n_assets = 1;
    strcpy (cfg->assets [0].name, "BTC");
    cfg->assets [0].price = 65000;
    cfg->n_venues = 1;
    hb_venue_cfg_t *venue = &cfg->venues [0];
    strcpy (venue->name, "alpha");
    snprintf (venue->endpoint, HB_ENDPOINT_MAX, "ipc://%s/feed.pub", dir);
    venue->enabled = true;
    venue->initial_margin = 0.1;
    venue->maintenance_margin = 0.05;
    venue->collateral_usd = 1e6;
    hb_venue_cfg_alloc (venue, 2, 2);
    venue->n_instruments = 2;
    strcpy (venue->instruments [0].symbol, "BTC-PERP");
    venue->instruments [0].kind = HB_KIND_LINEAR_PERP;
    venue->instruments [0].multiplier = 1;
    strcpy (venue->instruments [1].symbol, "BTC-USD");
    venue->instruments [1].kind = HB_KIND_SPOT;
    venue->instruments [1].multiplier = 1;
    hb_aggregator_cfg_t *agg = &cfg->aggregator;
    snprintf (agg->endpoint, HB_ENDPOINT_MAX, "ipc://%s/agg.pub", dir);
    snprintf (agg->snapshot_endpoint, HB_ENDPOINT_MAX, "ipc://%s/agg.snap", dir);
    snprintf (agg->journal, HB_PATH_MAX, "%s/agg.journal", dir);
    agg->fsync = HB_JOURNAL_FSYNC_NEVER;
    agg->snapshot_ms = 1000;
    agg->stale_ms = 5000;
    agg->cpu = -1;

    hb_pub_t *feed = hb_pub_new (venue->endpoint, "feed.alpha", 0);
    assert_non_null (feed);
    hb_aggregator_t *aggregator = hb_aggregator_new (cfg);
    assert_non_null (aggregator);
    pthread_t thread;
    assert_int_equal (pthread_create (&thread, NULL, s_run, aggregator), 0);
    assert_int_equal (hb_pub_wait_subscriber (feed, "fill.alpha.BTC-PERP", 5000), 0);

    s_state_t *early = s_state_new (), *late = s_state_new ();
    hb_sub_t *early_sub = hb_sub_new (100000);
    assert_int_equal (hb_sub_connect (early_sub, agg->endpoint), 0);
    hb_sub_subscribe (early_sub, "pos.");
    hb_sub_subscribe (early_sub, "margin.");
    //  the early consumer is there before any fill: its first message proves it
    uint64_t updates = 0;
    for (int i = 0; i < 100 && updates == 0; i++)
        updates += s_drain (early_sub, early, 50);
    assert_true (updates > 0);

    hb_sub_t *late_sub = NULL;
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_FILL;
    hb_fill_t *fill = &msg.u.fill;
    strcpy (fill->venue, "alpha");
    strcpy (fill->client_id, "c");
    strcpy (fill->order_id, "o");
    strcpy (fill->fee_asset, "USD");
    fill->liquidity = 2;
    double qty [2] = { 0, 0 };
    uint64_t fills = 0;
    bool snapshotted = false;
    while (updates < 110000) {
        //  a batch the socket buffers hold without anyone blocking
        for (int k = 0; k < 500; k++, fills++) {
            int spot = fills % 5 == 0;
            strcpy (fill->symbol, spot ? "BTC-USD" : "BTC-PERP");
            snprintf (fill->fill_id, sizeof fill->fill_id, "f%llu", (unsigned long long) fills);
            fill->side = fills % 3 ? HB_SIDE_BUY : HB_SIDE_SELL;
            fill->qty = 0.001 * (double) (fills % 7 + 1);
            fill->px = 65000 + (double) (fills % 50);
            fill->fee = 0.1;
            assert_int_equal (hb_pub_send (feed, NULL, &msg), 0);
            qty [spot] += fill->side == HB_SIDE_BUY ? fill->qty : -fill->qty;
            if (fills % 97 == 0) {
                //  the same fill again: counted once
                assert_int_equal (hb_pub_send (feed, NULL, &msg), 0);
            }
        }
        updates += s_drain (early_sub, early, 30);
        if (late_sub && !snapshotted) {
            //  first live message in, then the snapshot; queued updates
            //  older than it are skipped by s_apply
            char topic [HB_TOPIC_MAX];
            hb_msg_t first;
            assert_int_equal (hb_sub_recv (late_sub, topic, sizeof topic, &first, NULL, 5000), 0);
            s_snapshot (agg->snapshot_endpoint, late);
            if (first.env.type != HB_MSG_HEARTBEAT)
                s_apply (late, topic, &first);
            snapshotted = true;
        }
        if (snapshotted)
            s_drain (late_sub, late, 30);
        if (!late_sub && updates > 100000) {
            late_sub = hb_sub_new (100000);
            assert_int_equal (hb_sub_connect (late_sub, agg->endpoint), 0);
            hb_sub_subscribe (late_sub, "pos.");
            hb_sub_subscribe (late_sub, "margin.");
            hb_sub_subscribe (late_sub, "hb.aggregator");
        }
    }
    assert_true (snapshotted);
    //  quiet: stop the aggregator, then take the last of both streams
    hb_aggregator_stop (aggregator);
    assert_int_equal (pthread_join (thread, NULL), 0);
    s_drain (early_sub, early, 300);
    s_drain (late_sub, late, 300);

    assert_int_equal (early->n, late->n);
    assert_int_equal (early->n, 4);     //  two positions, one exposure, one margin
    for (int i = 0; i < early->n; i++) {
        hb_msg_t *other = s_slot (late, early->topic [i]);
        assert_int_equal (other->env.seq, early->last [i].env.seq);
        assert_memory_equal (&other->u, &early->last [i].u, sizeof other->u);
    }
    hb_msg_t *perp = s_slot (early, "pos.BTC.alpha.BTC-PERP");
    hb_msg_t *spot = s_slot (early, "pos.BTC.alpha.BTC-USD");
    assert_true (fabs (perp->u.position.qty - qty [0]) < 1e-9);
    assert_true (fabs (spot->u.position.qty - qty [1]) < 1e-9);
    assert_int_equal (perp->u.position.fills + spot->u.position.fills, fills);
    hb_ledger_stats_t stats;
    hb_ledger_stats (hb_aggregator_ledger (aggregator), &stats);
    assert_int_equal (stats.applied, fills);
    assert_int_equal (stats.duplicates, (fills + 96) / 97);

    hb_sub_destroy (&late_sub);
    hb_sub_destroy (&early_sub);
    hb_aggregator_destroy (&aggregator);
    hb_pub_destroy (&feed);
    free (early);
    free (late);
    hb_config_destroy (&cfg);
    char command [128];
    snprintf (command, sizeof command, "rm -rf '%s'", dir);
    assert_int_equal (system (command), 0);
}

int
main (void)
{
    hb_log_init ("hb_aggregator_test", HB_LOG_WARN);
    zsys_handler_set (NULL);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_late_joiner),
    };
    return cmocka_run_group_tests_name ("hb_aggregator", tests, NULL, NULL);
}
