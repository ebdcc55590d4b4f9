/*  hb_msg codec benchmark: for each message type, the encoded size and the
    encode and decode cost, median of S_ROUNDS rounds, one line per type:
        codec <type> size=<bytes>B encode=<ns>ns (<M> M/s) decode=<ns>ns (<M> M/s)
    A tick is measured twice: a full book (HB_BOOK_DEPTH levels a side,
    prices and sizes with decimals, as a venue sends them) and top of book
    only. Each round lasts about S_ROUND_NS, so the whole run takes a few
    seconds whatever the machine.                                           */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_msg.h"
#include "hb_time.h"

#define S_ROUNDS    7
#define S_ROUND_NS  (30 * HB_NS_PER_MS)

typedef struct {
    const char *name;
    hb_msg_t    msg;
} s_case_t;

static volatile uint64_t s_sink;       //  keeps the work from being optimized away

static void
s_env (hb_msg_t *msg, int type)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = (uint8_t) type;
    strcpy (msg->env.publisher, "feed.alpha");
    msg->env.epoch = UINT64_C (1763700000123456789);
    msg->env.seq = 1234567;
    msg->env.ts_venue = INT64_C (1763700123000000000);
    msg->env.ts_recv = INT64_C (1763700123000412345);
    msg->env.ts_pub = INT64_C (1763700123000421987);
}

static void
s_tick (hb_msg_t *msg, int depth)
{
    s_env (msg, HB_MSG_TICK);
    hb_tick_t *t = &msg->u.tick;
    strcpy (t->venue, "alpha");
    strcpy (t->symbol, "BTC-USD");
    t->mark = 65012.37;
    t->underlying = 65010.91;
    t->n_bids = t->n_asks = (uint8_t) depth;
    for (int i = 0; i < depth; i++) {
        t->bids [i].px = 65012.13 - 0.37 * i;
        t->bids [i].qty = 0.137 + 0.211 * i;
        t->asks [i].px = 65012.61 + 0.41 * i;
        t->asks [i].qty = 0.093 + 0.173 * i;
    }
}

static void
s_cases (s_case_t *cases)
{
    cases [0].name = "tick";
    s_tick (&cases [0].msg, HB_BOOK_DEPTH);
    cases [1].name = "tick_top";
    s_tick (&cases [1].msg, 1);

    cases [2].name = "trade";
    s_env (&cases [2].msg, HB_MSG_TRADE);
    hb_trade_t *trade = &cases [2].msg.u.trade;
    strcpy (trade->venue, "alpha");
    strcpy (trade->symbol, "BTC-USD");
    strcpy (trade->trade_id, "884512377");
    trade->side = HB_SIDE_BUY;
    trade->px = 65012.61;
    trade->qty = 0.0421;

    cases [3].name = "order";
    s_env (&cases [3].msg, HB_MSG_ORDER);
    hb_order_t *order = &cases [3].msg.u.order;
    strcpy (order->venue, "beta");
    strcpy (order->symbol, "ETH-PERP");
    strcpy (order->client_id, "hedger-1763700000-000042");
    order->side = HB_SIDE_SELL;
    order->ord_type = HB_ORD_LIMIT;
    order->tif = HB_TIF_IOC;
    order->qty = 3.71;
    order->px = 3149.87;

    cases [4].name = "cancel";
    s_env (&cases [4].msg, HB_MSG_CANCEL);
    hb_cancel_t *cancel = &cases [4].msg.u.cancel;
    strcpy (cancel->venue, "beta");
    strcpy (cancel->symbol, "ETH-PERP");
    strcpy (cancel->client_id, "hedger-1763700000-000042");

    cases [5].name = "ack";
    s_env (&cases [5].msg, HB_MSG_ACK);
    hb_ack_t *ack = &cases [5].msg.u.ack;
    strcpy (ack->venue, "beta");
    strcpy (ack->symbol, "ETH-PERP");
    strcpy (ack->client_id, "hedger-1763700000-000042");
    strcpy (ack->order_id, "b-99120031");
    ack->status = HB_ACK_CANCELED;
    strcpy (ack->text, "IOC remainder canceled");
    ack->filled_qty = 2.13;

    cases [6].name = "fill";
    s_env (&cases [6].msg, HB_MSG_FILL);
    hb_fill_t *fill = &cases [6].msg.u.fill;
    strcpy (fill->venue, "beta");
    strcpy (fill->symbol, "ETH-PERP");
    strcpy (fill->client_id, "hedger-1763700000-000042");
    strcpy (fill->order_id, "b-99120031");
    strcpy (fill->fill_id, "b-99120031-1");
    fill->side = HB_SIDE_SELL;
    fill->liquidity = 2;
    fill->px = 3149.91;
    fill->qty = 2.13;
    fill->fee = 3.3544;
    strcpy (fill->fee_asset, "USD");

    cases [7].name = "heartbeat";
    s_env (&cases [7].msg, HB_MSG_HEARTBEAT);
    hb_heartbeat_t *hb = &cases [7].msg.u.heartbeat;
    strcpy (hb->component, "feed.alpha");
    hb->uptime_ms = 86400123;
    hb->last_seq = 1234567;
    hb->msgs_in = 9876543;
    hb->msgs_out = 1234567;
    hb->gaps = 3;
    hb->drops = 1200;
    hb->lat_p50_ns = 61234;
    hb->lat_p99_ns = 250111;
    hb->lat_p999_ns = 912345;

    cases [8].name = "instrument";
    s_env (&cases [8].msg, HB_MSG_INSTRUMENT);
    hb_instrument_t *ins = &cases [8].msg.u.instrument;
    strcpy (ins->venue, "deribit");
    strcpy (ins->symbol, "BTC-27MAR26-80000-C");
    strcpy (ins->asset, "BTC");
    ins->kind = 5;
    ins->flags = HB_INSTRUMENT_CALL;
    ins->multiplier = 1;
    ins->tick_size = 0.0005;
    ins->lot_size = ins->min_qty = 0.1;
    ins->expiry_ns = INT64_C (1774598400000000000);
    ins->strike = 80000;
    strcpy (ins->settle, "BTC");
}

static int
s_compare (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

//  ns per message of n encodes (decode false) or decodes of msg
static double
s_round (const hb_msg_t *msg, const hb_buf_t *encoded, bool decode, long n)
{
    hb_buf_t buf;
    hb_msg_t out;
    uint64_t sum = 0;
    int64_t start = hb_mono_ns ();
    for (long i = 0; i < n; i++) {
        if (decode) {
            if (hb_msg_decode (&out, encoded->data, encoded->size, NULL) != 0)
                abort ();
            sum += out.env.seq;
        }
        else {
            if (hb_msg_encode (msg, &buf) != 0)
                abort ();
            sum += buf.size;
        }
    }
    int64_t elapsed = hb_mono_ns () - start;
    s_sink += sum;
    return (double) elapsed / (double) n;
}

//  Median ns per message over S_ROUNDS rounds of about S_ROUND_NS each
static double
s_measure (const hb_msg_t *msg, const hb_buf_t *encoded, bool decode)
{
    double probe = s_round (msg, encoded, decode, 2000);
    long n = (long) (S_ROUND_NS / (probe > 1? probe: 1));
    if (n < 1000)
        n = 1000;
    double ns [S_ROUNDS];
    for (int r = 0; r < S_ROUNDS; r++)
        ns [r] = s_round (msg, encoded, decode, n);
    qsort (ns, S_ROUNDS, sizeof ns [0], s_compare);
    return ns [S_ROUNDS / 2];
}

int
main (void)
{
    static s_case_t cases [9];
    s_cases (cases);
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        hb_buf_t encoded;
        if (hb_msg_encode (&cases [i].msg, &encoded) != 0) {
            fprintf (stderr, "hb_msg_bench: %s does not encode\n", cases [i].name);
            return 1;
        }
        double encode_ns = s_measure (&cases [i].msg, &encoded, false);
        double decode_ns = s_measure (&cases [i].msg, &encoded, true);
        printf ("codec %s size=%zuB encode=%.0fns (%.2f M/s) decode=%.0fns (%.2f M/s)\n",
                cases [i].name, encoded.size, encode_ns, 1e3 / encode_ns,
                decode_ns, 1e3 / decode_ns);
        fflush (stdout);
    }
    return 0;
}
