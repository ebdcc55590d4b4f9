/*  libFuzzer target: any bytes as a Hyperliquid WebSocket frame (hl_md:
    books, trades, the user channels into hl_trade and hl_funding), as an /exchange
    answer to an order and to a cancel, as /info meta, spotMeta and
    clearinghouseState, on long-lived state so that inputs in sequence
    build and break books and orders. Must never crash or leak.         */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hl_funding.h"
#include "hl_md.h"
#include "hl_signer.h"
#include "hl_state.h"
#include "hl_trade.h"

static hb_venue_cfg_t s_venue;
static hl_md_t *s_md, *s_md_meta;
static hl_signer_t *s_signer;
static hl_trade_t *s_trade;
static hl_funding_t *s_funding;
static uint64_t s_nonce;

static int
s_emit (void *arg, hb_msg_t *msg)
{
    (void) arg;
    hb_buf_t buf;
    msg->env.version = HB_SCHEMA_VERSION;
    snprintf (msg->env.publisher, HB_NAME_MAX, "feed.hl");
    msg->env.seq = 1;
    (void) hb_msg_encode (msg, &buf);
    return 0;
}

static int
s_user (void *arg, const char *channel, const json_t *data, int64_t now_ns)
{
    (void) arg;
    if (!strcmp (channel, "userFundings"))
        return hl_funding_on_message (s_funding, data);
    return hl_trade_on_user (s_trade, channel, data, now_ns);
}

static void
s_setup (void)
{
    static const char meta [] = "{\"universe\":[{\"name\":\"ETH\",\"szDecimals\":4,\"maxLeverage\":25},"
                                "{\"name\":\"BTC\",\"szDecimals\":5,\"maxLeverage\":40}]}";
    static const char spot_meta [] = "{\"universe\":[{\"name\":\"PURR/USDC\",\"tokens\":[1,0],\"index\":0}],"
                                     "\"tokens\":[{\"name\":\"USDC\",\"szDecimals\":8,\"index\":0},"
                                     "{\"name\":\"PURR\",\"szDecimals\":0,\"index\":1}]}";
    snprintf (s_venue.name, HB_NAME_MAX, "hl");
    hb_venue_cfg_alloc (&s_venue, 3, 3);
    s_venue.n_instruments = 3;
    snprintf (s_venue.instruments [0].symbol, HB_NAME_MAX, "BTC-PERP");
    snprintf (s_venue.instruments [1].symbol, HB_NAME_MAX, "ETH-PERP");
    snprintf (s_venue.instruments [2].symbol, HB_NAME_MAX, "PURR-USDC");
    for (int i = 0; i < 3; i++) {
        s_venue.instruments [i].kind = i == 2? HB_KIND_SPOT: HB_KIND_LINEAR_PERP;
        s_venue.instruments [i].multiplier = i == 0? 0.001: 1;
        s_venue.instruments [i].tick_size = i == 2? 0.0001: 0.1;
        s_venue.instruments [i].lot_size = s_venue.instruments [i].min_qty = i == 1? 0.0001: 1;
    }
    char err [200];
    s_md = hl_md_new (&s_venue, s_emit, NULL, NULL, err, sizeof err);
    s_md_meta = hl_md_new (&s_venue, s_emit, NULL, NULL, err, sizeof err);
    s_signer = hl_signer_new ("0123456789012345678901234567890123456789012345678901234567890123", err, sizeof err);
    s_trade = s_md? hl_trade_new (&s_venue, s_md, s_signer, true, NULL, 0.05, s_emit, NULL): NULL;
    s_funding = s_md? hl_funding_new (s_md, "hl", s_emit, NULL): NULL;
    if (!s_md || !s_md_meta || !s_signer || !s_trade || !s_funding || hl_md_on_meta (s_md, meta, strlen (meta), err, sizeof err)
    ||  hl_md_on_spot_meta (s_md, spot_meta, strlen (spot_meta), err, sizeof err))
        abort ();
    hl_md_set_user (s_md, s_user, NULL);
    hl_md_reset (s_md, 0);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_md)
        s_setup ();
    hl_md_on_message (s_md, (const char *) data, size, 1);
    int due [HL_MD_COINS];
    hl_md_stale_due (s_md, 2, 1, due, HL_MD_COINS);
    char *text = (char *) malloc (size + 1);
    if (!text)
        return 0;
    memcpy (text, data, size);
    text [size] = 0;
    hb_order_t order = { .side = HB_SIDE_SELL, .ord_type = HB_ORD_LIMIT, .tif = HB_TIF_GTC, .qty = 1, .px = 3400 };
    snprintf (order.symbol, HB_NAME_MAX, "ETH-PERP");
    snprintf (order.client_id, HB_ID_MAX, "c%llu", (unsigned long long) (s_nonce % 4));
    char body [HL_TRADE_BODY_MAX], why [200];
    int h = hl_trade_order (s_trade, &order, ++s_nonce, body, sizeof body);
    hl_trade_on_response (s_trade, h, 200, text);
    hb_cancel_t cancel = { .venue = "hl", .symbol = "ETH-PERP" };
    snprintf (cancel.client_id, HB_ID_MAX, "%s", order.client_id);
    const char *reason;
    if (hl_trade_cancel (s_trade, &cancel, ++s_nonce, body, sizeof body, &reason) == 0)
        hl_trade_on_cancel_response (s_trade, &cancel, 200, text, why, sizeof why);
    //  an order whose answer is lost, then the orderStatus answer about it
    snprintf (order.client_id, HB_ID_MAX, "s%llu", (unsigned long long) (s_nonce % 4));
    h = hl_trade_order (s_trade, &order, ++s_nonce, body, sizeof body);
    if (hl_trade_on_response (s_trade, h, 0, "timeout") == 1)
        hl_trade_on_status (s_trade, h, 200, text);
    hl_md_on_meta (s_md_meta, text, size, why, sizeof why);
    hl_md_on_spot_meta (s_md_meta, text, size, why, sizeof why);
    hl_state_t state;
    if (hl_state_parse (s_md, text, size, &state, why, sizeof why) == 0) {
        hb_msg_t msg;
        hb_buf_t buf;
        hl_state_account (&state, "hl", &msg);
        strcpy (msg.env.publisher, "feed.hl");
        hb_msg_encode (&msg, &buf);         //  may refuse (a NaN the venue sent): never crash
    }
    free (text);
    return 0;
}
