/*  listing: a plugin that lists instruments (plugin ABI v5, discovery) for
    the feed's tests. At start it lists, for BTC, an inverse perp and an
    option chain (two expiries, 1 and 60 days ahead; strikes at 50, 90, 100,
    110 and 150 % of the asset's price; calls and puts), an ETH spot pair,
    and one invalid option (no strike). With params.overflow: N it lists N
    linear perps instead (a venue over its max_count). Each order it
    receives announces a change while running: BTC-1D-100-C is delisted and
    BTC-1D-108-C listed; the order is rejected (nothing trades here).      */
#include "hb_plugin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_DAY_NS    86400000000000ll

typedef struct {
    const hb_host_api_t *host;
    hb_msg_t    msg;
} listing_t;

static void
s_option (hb_instrument_t *ins, const char *asset, double price, int days, int pct, bool call, int64_t now)
{
    memset (ins, 0, sizeof *ins);
    snprintf (ins->symbol, sizeof ins->symbol, "%s-%dD-%d-%c", asset, days, pct, call ? 'C' : 'P');
    snprintf (ins->asset, sizeof ins->asset, "%s", asset);
    snprintf (ins->settle, sizeof ins->settle, "%s", asset);
    ins->kind = HB_KIND_OPTION;
    ins->flags = call ? HB_INSTRUMENT_CALL : 0;
    ins->multiplier = 1;
    ins->tick_size = 0.0005;
    ins->lot_size = ins->min_qty = 0.1;
    ins->expiry_ns = now + days * S_DAY_NS;
    ins->strike = price * pct / 100;
}

static void *
s_create (const hb_host_api_t *host)
{
    if (!host || host->abi_version < 5 || !host->instrument_list || !host->instrument_delist)
        return NULL;
    listing_t *self = (listing_t *) calloc (1, sizeof *self);
    if (self)
        self->host = host;
    return self;
}

static int
s_start (void *arg)
{
    listing_t *self = (listing_t *) arg;
    const hb_host_api_t *host = self->host;
    int64_t now = host->now_ns (host->ctx);
    const char *overflow = hb_plugin_param (host->venue, "overflow");
    size_t n = overflow ? strtoul (overflow, NULL, 10) : 24;
    hb_instrument_t *items = (hb_instrument_t *) calloc (n, sizeof *items);
    if (!items)
        return -1;
    if (overflow)
        for (size_t i = 0; i < n; i++) {
            snprintf (items [i].symbol, HB_NAME_MAX, "P%zu-USDT", i);
            snprintf (items [i].asset, HB_NAME_MAX, "BTC");
            snprintf (items [i].settle, HB_NAME_MAX, "USDT");
            items [i].kind = HB_KIND_LINEAR_PERP;
            items [i].multiplier = 0.001;
            items [i].tick_size = 0.1;
            items [i].lot_size = items [i].min_qty = 1;
        }
    else {
        static const int days [] = { 1, 60 }, pcts [] = { 50, 90, 100, 110, 150 };
        double price = host->config->assets [0].price;
        size_t k = 0;
        for (int d = 0; d < 2; d++)
            for (int p = 0; p < 5; p++)
                for (int c = 0; c < 2; c++)
                    s_option (&items [k++], "BTC", price, days [d], pcts [p], c == 0, now);
        hb_instrument_t *perp = &items [k++];
        snprintf (perp->symbol, HB_NAME_MAX, "BTC-PERPETUAL");
        snprintf (perp->asset, HB_NAME_MAX, "BTC");
        snprintf (perp->settle, HB_NAME_MAX, "BTC");
        perp->kind = HB_KIND_INVERSE_PERP;
        perp->flags = HB_INSTRUMENT_INVERSE;
        perp->multiplier = 10;
        perp->tick_size = 0.5;
        perp->lot_size = perp->min_qty = 1;
        hb_instrument_t *spot = &items [k++];
        snprintf (spot->symbol, HB_NAME_MAX, "ETH-USDT");
        snprintf (spot->asset, HB_NAME_MAX, "ETH");
        snprintf (spot->settle, HB_NAME_MAX, "USDT");
        spot->kind = HB_KIND_SPOT;
        spot->multiplier = 1;
        spot->tick_size = 0.01;
        spot->lot_size = spot->min_qty = 0.0001;
        s_option (&items [k], "BTC", price, 1, 100, true, now);
        snprintf (items [k].symbol, HB_NAME_MAX, "BTC-NOSTRIKE");
        items [k++].strike = 0;
        n = k;
    }
    int kept = host->instrument_list (host->ctx, items, n);
    free (items);
    host->log (host->ctx, HB_LOG_INFO, "listing: %d instrument(s) kept", kept);
    return kept < 0 ? -1 : 0;
}

static int
s_order (void *arg, const hb_order_t *order)
{
    listing_t *self = (listing_t *) arg;
    const hb_host_api_t *host = self->host;
    hb_instrument_t added;
    s_option (&added, "BTC", host->config->assets [0].price, 1, 108, true, host->now_ns (host->ctx));
    host->instrument_delist (host->ctx, "BTC-1D-100-C");
    host->instrument_list (host->ctx, &added, 1);
    hb_msg_t *msg = &self->msg;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_ACK;
    hb_ack_t *ack = &msg->u.ack;
    snprintf (ack->symbol, sizeof ack->symbol, "%s", order->symbol);
    snprintf (ack->client_id, sizeof ack->client_id, "%s", order->client_id);
    ack->status = HB_ACK_REJECTED;
    ack->reason = HB_REJ_VENUE;
    snprintf (ack->text, sizeof ack->text, "listing plugin: nothing trades");
    return host->publish (host->ctx, msg);
}

static int
s_cancel (void *arg, const hb_cancel_t *cancel)
{
    (void) arg;
    (void) cancel;
    return 0;
}

static void
s_destroy (void **self_p)
{
    free (*self_p);
    *self_p = NULL;
}

const hb_venue_ops_t hb_venue_plugin = {
    .abi_version = HB_PLUGIN_ABI_VERSION,
    .size        = sizeof (hb_venue_ops_t),
    .name        = "listing",
    .description = "lists an option chain, a perp and a spot pair (discovery tests)",
    .create      = s_create,
    .start       = s_start,
    .order       = s_order,
    .cancel      = s_cancel,
    .destroy     = s_destroy
};
