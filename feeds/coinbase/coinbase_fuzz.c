/*  libFuzzer target: any bytes as a Coinbase WebSocket frame through cb_md
    (and, for the user channel, cb_trade), on one long-lived state so that
    sequences of inputs build and break books. Must never crash, leak or
    publish a message the bus would refuse (checked with hb_msg_encode).  */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cb_md.h"
#include "cb_trade.h"

static hb_venue_cfg_t s_venue;
static cb_md_t *s_md;
static cb_trade_t *s_trade;

static int
s_emit (void *arg, hb_msg_t *msg)
{
    (void) arg;
    hb_buf_t buf;
    if (msg->env.type == HB_MSG_TICK || msg->env.type == HB_MSG_TRADE
    ||  msg->env.type == HB_MSG_ACK || msg->env.type == HB_MSG_FILL) {
        msg->env.version = HB_SCHEMA_VERSION;
        snprintf (msg->env.publisher, HB_NAME_MAX, "feed.cbx");
        msg->env.seq = 1;
        //  the host would refuse what does not encode; a refusal is fine,
        //  a crash is not
        (void) hb_msg_encode (msg, &buf);
        return 0;
    }
    abort ();
}

static int
s_user (void *arg, const json_t *events, int64_t ts)
{
    return cb_trade_on_user ((cb_trade_t *) arg, events, ts);
}

static void
s_init (void)
{
    snprintf (s_venue.name, HB_NAME_MAX, "cbx");
    hb_venue_cfg_alloc (&s_venue, 2, 2);
    s_venue.n_instruments = 2;
    const char *names [2] = { "BTC-USD", "ETH-PERP" };
    for (int i = 0; i < 2; i++) {
        hb_instrument_cfg_t *inst = &s_venue.instruments [i];
        snprintf (inst->symbol, HB_NAME_MAX, "%s", names [i]);
        inst->kind = i? HB_KIND_LINEAR_PERP: HB_KIND_SPOT;
        inst->multiplier = i? 0.1: 1;
        inst->tick_size = 0.01;
        inst->lot_size = 0.0001;
        inst->min_qty = 0.0001;
    }
    char err [128];
    s_md = cb_md_new (&s_venue, s_emit, NULL, NULL, err, sizeof err);
    s_trade = cb_trade_new (&s_venue, s_md, s_emit, NULL, 1);
    if (!s_md || !s_trade)
        abort ();
    cb_md_set_user (s_md, s_user, s_trade);
    //  an order in flight, so that user updates have something to fill
    hb_order_t order = { .side = HB_SIDE_BUY, .ord_type = HB_ORD_MARKET, .tif = HB_TIF_IOC, .qty = 1 };
    snprintf (order.symbol, HB_NAME_MAX, "BTC-USD");
    snprintf (order.client_id, HB_ID_MAX, "c1");
    char body [1024];
    int h = cb_trade_order (s_trade, &order, body, sizeof body);
    cb_trade_on_response (s_trade, h, 200, "{\"success\":true,\"success_response\":{\"order_id\":\"o1\"}}");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_md)
        s_init ();
    cb_md_on_message (s_md, (const char *) data, size, 1);
    if (cb_trade_inflight (s_trade) == 0) {
        hb_order_t order = { .side = HB_SIDE_SELL, .ord_type = HB_ORD_LIMIT, .tif = HB_TIF_GTC,
                             .qty = 0.5, .px = 100 };
        snprintf (order.symbol, HB_NAME_MAX, "BTC-USD");
        snprintf (order.client_id, HB_ID_MAX, "c1");
        char body [1024];
        int h = cb_trade_order (s_trade, &order, body, sizeof body);
        //  the REST answer is venue input too
        char *text = (char *) malloc (size + 1);
        if (!text)
            return 0;
        memcpy (text, data, size);
        text [size] = 0;
        cb_trade_on_response (s_trade, h, 200, text);
        free (text);
    }
    return 0;
}
