/*  libFuzzer target: any bytes as an OKX frame, public (okx_md) and private
    (okx_trade), and as a REST answer, on long-lived state so that inputs in
    sequence build and break books. Must never crash or leak.             */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "okx_md.h"
#include "okx_trade.h"

static hb_venue_cfg_t s_venue;
static okx_md_t *s_md;
static okx_trade_t *s_trade;

static int
s_emit (void *arg, hb_msg_t *msg)
{
    (void) arg;
    hb_buf_t buf;
    msg->env.version = HB_SCHEMA_VERSION;
    snprintf (msg->env.publisher, HB_NAME_MAX, "feed.okx");
    msg->env.seq = 1;
    (void) hb_msg_encode (msg, &buf);
    return 0;
}

static void
s_order (void)
{
    hb_order_t order = { .side = HB_SIDE_BUY, .ord_type = HB_ORD_MARKET, .tif = HB_TIF_IOC, .qty = 10 };
    snprintf (order.symbol, HB_NAME_MAX, "BTC-PERP");
    snprintf (order.client_id, HB_ID_MAX, "c1");
    char body [1024];
    int h = okx_trade_order (s_trade, &order, body, sizeof body);
    okx_trade_on_response (s_trade, h, 200,
        "{\"code\":\"0\",\"msg\":\"\",\"data\":[{\"clOrdId\":\"x\",\"ordId\":\"1\",\"sCode\":\"0\"}]}");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_md) {
        snprintf (s_venue.name, HB_NAME_MAX, "okx");
        hb_venue_cfg_alloc (&s_venue, 2, 2);
        s_venue.n_instruments = 2;
        snprintf (s_venue.instruments [0].symbol, HB_NAME_MAX, "BTC-USDT");
        s_venue.instruments [0].kind = HB_KIND_SPOT;
        s_venue.instruments [0].multiplier = 1;
        snprintf (s_venue.instruments [1].symbol, HB_NAME_MAX, "BTC-PERP");
        s_venue.instruments [1].kind = HB_KIND_LINEAR_PERP;
        s_venue.instruments [1].multiplier = 0.01;
        for (int i = 0; i < 2; i++) {
            s_venue.instruments [i].tick_size = 0.1;
            s_venue.instruments [i].lot_size = s_venue.instruments [i].min_qty = i? 1: 0.0001;
        }
        s_venue.n_params = 1;
        snprintf (s_venue.params [0].key, HB_NAME_MAX, "sym.BTC-PERP");
        snprintf (s_venue.params [0].value, HB_PATH_MAX, "BTC-USDT-SWAP");
        char err [128];
        s_md = okx_md_new (&s_venue, s_emit, NULL, NULL, err, sizeof err);
        s_trade = okx_trade_new (&s_venue, s_md, s_emit, NULL, "cross");
        if (!s_md || !s_trade)
            abort ();
    }
    okx_md_on_message (s_md, (const char *) data, size, 1);
    while (okx_md_take_resync (s_md) >= 0)
        ;
    if (okx_trade_inflight (s_trade) == 0)
        s_order ();
    okx_trade_on_private (s_trade, (const char *) data, size);
    char *text = (char *) malloc (size + 1);
    if (!text)
        return 0;
    memcpy (text, data, size);
    text [size] = 0;
    hb_order_t order = { .side = HB_SIDE_SELL, .ord_type = HB_ORD_LIMIT, .tif = HB_TIF_GTC, .qty = 1, .px = 5 };
    snprintf (order.symbol, HB_NAME_MAX, "BTC-PERP");
    snprintf (order.client_id, HB_ID_MAX, "c2");
    char body [1024];
    int h = okx_trade_order (s_trade, &order, body, sizeof body);
    okx_trade_on_response (s_trade, h, 200, text);
    free (text);
    return 0;
}
