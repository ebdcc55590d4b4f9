/*  libFuzzer target: the Binance stream parser and book sync, and the
    snapshot parser, on arbitrary bytes, for spot and usdm.

    The first byte picks the instance (even: spot, odd: usdm) and the role
    of the rest: 'S' / 'T' answer the pending snapshot of the first
    instrument with it (HTTP 200); 'U' / 'V' make it a user data stream
    message (executionReport, ORDER_TRADE_UPDATE, listenKeyExpired);
    anything else is a market stream message.
    Snapshots asked for by the plugin are otherwise answered at once with a
    small fixed book, so diffs reach the synced state and the sequence
    checks. Nothing may crash, leak or publish what the bus would refuse. */
#include "binance_fake_host.h"

#include <stdint.h>

static binance_fake_t *s_fake [2];
static binance_t *s_plugin [2];
static const char s_snapshot [] =
    "{\"lastUpdateId\":100,\"bids\":[[\"100.0\",\"1\"],[\"99.5\",\"2\"]],"
    "\"asks\":[[\"100.5\",\"1\"],[\"101\",\"2\"]]}";

static void
s_snapshot_now (void *arg, binance_inst_t *inst)
{
    binance_t *self = (binance_t *) arg;
    //  Not from inside a stream message twice over: answer once per request
    inst->snapshot_inflight = true;
    binance_depth_snapshot (self, inst, 200, s_snapshot, sizeof s_snapshot - 1);
}

static void
s_free (void)
{
    for (int i = 0; i < 2; i++) {
        binance_destroy (&s_plugin [i]);
        binance_fake_destroy (&s_fake [i]);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_plugin [0]) {
        const char *markets [2] = { "spot", "usdm" };
        for (int i = 0; i < 2; i++) {
            s_fake [i] = binance_fake_new (markets [i]);
            s_plugin [i] = binance_new (&s_fake [i]->api);
            if (!s_plugin [i])
                abort ();
            s_plugin [i]->snapshot_fn = s_snapshot_now;
        }
        atexit (s_free);
        binance_depth_reset_all (s_plugin [0], "fuzz");
        binance_depth_reset_all (s_plugin [1], "fuzz");
    }
    if (size < 1)
        return 0;
    binance_t *self = s_plugin [data [0] & 1];
    if (data [0] == 'S' || data [0] == 'T') {
        binance_inst_t *inst = &self->inst [0];
        binance_depth_snapshot (self, inst, 200, (const char *) data + 1, size - 1);
    }
    else
    if (data [0] == 'U' || data [0] == 'V')     //  the user data stream
        binance_user_on_message (self, (const char *) data + 1, size - 1);
    else
        binance_on_message (self, (const char *) data + 1, size - 1);
    for (int i = 0; i < 2; i++)
        if (s_fake [i]->refused)
            abort ();               //  the plugin built a message the bus refuses
    return 0;
}
