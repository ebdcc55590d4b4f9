/*  binance depth: the REST snapshot's own venue time. USD-M's /fapi/v1/depth
    carries T (transaction time) and E (event time): the tick rebuilt from
    it is stamped T (E without T), not 0 (unknown); an event replayed from
    the buffer that is newer stamps it instead; spot's snapshot has neither
    (0). Driven without a reactor (binance_fake_host.h).                   */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include "binance_fake_host.h"

static int64_t s_ts_venue;
static const char *s_snapshot;

static int
s_publish (void *ctx, hb_msg_t *msg)
{
    if (msg->env.type == HB_MSG_TICK)
        s_ts_venue = msg->env.ts_venue;
    return s_fake_publish (ctx, msg);
}

static void
s_snapshot_now (void *arg, binance_inst_t *inst)
{
    inst->snapshot_inflight = true;
    binance_depth_snapshot ((binance_t *) arg, inst, 200, s_snapshot, strlen (s_snapshot));
}

//  One depth event (its E) through a fresh venue of market whose snapshot
//  is snapshot: the ts_venue of the tick the snapshot rebuilt.
static int64_t
s_rebuilt_ts (const char *market, const char *snapshot, const char *event)
{
    binance_fake_t *fake = binance_fake_new (market);
    fake->api.publish = s_publish;
    binance_t *self = binance_new (&fake->api);
    assert_non_null (self);
    self->snapshot_fn = s_snapshot_now;
    s_snapshot = snapshot;
    s_ts_venue = -1;
    binance_depth_reset_all (self, "test");
    binance_on_message (self, event, strlen (event));
    binance_destroy (&self);
    binance_fake_destroy (&fake);
    return s_ts_venue;
}

#define S_EVENT(market, U, u, E) \
    "{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":" E "," \
    "\"s\":\"BTCUSDT\",\"U\":" #U ",\"u\":" #u "," market "\"b\":[[\"64999\",\"2\"]],\"a\":[]}}"

static void
test_snapshot_time (void **state)
{
    (void) state;
    //  the event is older than the snapshot (u <= lastUpdateId): dropped
    const char *old = S_EVENT ("\"pu\":90,", 91, 95, "1700000000100");
    assert_int_equal (s_rebuilt_ts ("usdm", "{\"lastUpdateId\":100,\"E\":1700000000500,\"T\":1700000000400,"
                                    "\"bids\":[[\"65000\",\"1\"]],\"asks\":[[\"65001\",\"1\"]]}", old),
                      INT64_C (1700000000400) * 1000000);
    assert_int_equal (s_rebuilt_ts ("usdm", "{\"lastUpdateId\":100,\"E\":1700000000500,"
                                    "\"bids\":[[\"65000\",\"1\"]],\"asks\":[[\"65001\",\"1\"]]}", old),
                      INT64_C (1700000000500) * 1000000);
    //  an event that bridges the snapshot and is newer stamps the tick
    const char *bridge = S_EVENT ("\"pu\":99,", 99, 101, "1700000000900");
    assert_int_equal (s_rebuilt_ts ("usdm", "{\"lastUpdateId\":100,\"E\":1700000000500,\"T\":1700000000400,"
                                    "\"bids\":[[\"65000\",\"1\"]],\"asks\":[[\"65001\",\"1\"]]}", bridge),
                      INT64_C (1700000000900) * 1000000);
    //  spot: no time in the snapshot, an old event: unknown
    const char *spot_old = S_EVENT ("", 91, 95, "1700000000100");
    assert_int_equal (s_rebuilt_ts ("spot", "{\"lastUpdateId\":100,\"bids\":[[\"65000\",\"1\"]],"
                                    "\"asks\":[[\"65001\",\"1\"]]}", spot_old), 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_snapshot_time),
    };
    return cmocka_run_group_tests_name ("binance_depth", tests, NULL, NULL);
}
