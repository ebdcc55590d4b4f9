/*  A host without a reactor for the binance fuzz target and bench: publish
    encodes (so a message the real host would refuse is counted), timers
    and fds are refused, logs are dropped. Header-only, included by one
    program each.                                                          */
#ifndef BINANCE_FAKE_HOST_H
#define BINANCE_FAKE_HOST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "binance.h"

typedef struct {
    hb_host_api_t api;
    hb_config_t  *config;
    uint64_t      published, refused;
    int64_t       now_ns;
} binance_fake_t;

static int
s_fake_publish (void *ctx, hb_msg_t *msg)
{
    binance_fake_t *fake = (binance_fake_t *) ctx;
    hb_buf_t buf;
    //  The envelope, as the real host stamps it
    snprintf (msg->env.publisher, HB_NAME_MAX, "feed.%.26s", fake->api.venue->name);
    if (hb_msg_encode (msg, &buf)) {
        fake->refused++;
        return -1;
    }
    fake->published++;
    return 0;
}

static void
s_fake_log (void *ctx, int level, const char *format, ...)
{
    (void) ctx;
    if (level > 0 || !getenv ("HB_TEST_VERBOSE"))
        return;
    va_list args;
    va_start (args, format);
    vfprintf (stderr, format, args);
    va_end (args);
    fputc ('\n', stderr);
}

static int64_t
s_fake_now (void *ctx)
{
    return ((binance_fake_t *) ctx)->now_ns += 1000;
}

static int
s_fake_timer_add (void *ctx, uint64_t ms, size_t times, hb_timer_fn *fn, void *arg)
{
    (void) ctx; (void) ms; (void) times; (void) fn; (void) arg;
    return -1;
}

static int
s_fake_timer_cancel (void *ctx, int id)
{
    (void) ctx; (void) id;
    return -1;
}

static int
s_fake_fd_add (void *ctx, int fd, int events, hb_fd_fn *fn, void *arg)
{
    (void) ctx; (void) fd; (void) events; (void) fn; (void) arg;
    return -1;
}

static int
s_fake_fd_remove (void *ctx, int fd)
{
    (void) ctx; (void) fd;
    return -1;
}

static void
s_fake_status (void *ctx, uint32_t status)
{
    (void) ctx; (void) status;
}

//  One venue "bnc", market spot or usdm, instruments BTC-USD / BTC-PERP
//  (BTCUSDT) and ETH-USD / ETH-PERP (ETHUSDT).
static binance_fake_t *
binance_fake_new (const char *market)
{
    binance_fake_t *fake = (binance_fake_t *) calloc (1, sizeof *fake);
    hb_config_t *config = fake->config = (hb_config_t *) calloc (1, sizeof *config);
    bool spot = strcmp (market, "spot") == 0;
    config->n_assets = 2;
    snprintf (config->assets [0].name, HB_NAME_MAX, "BTC");
    snprintf (config->assets [1].name, HB_NAME_MAX, "ETH");
    config->n_venues = 1;
    hb_venue_cfg_t *v = &config->venues [0];
    snprintf (v->name, HB_NAME_MAX, "bnc");
    for (int i = 0; i < 2; i++) {
        hb_instrument_cfg_t *ins = hb_venue_cfg_add_instrument (v);
        snprintf (ins->symbol, HB_NAME_MAX, "%s-%s", i ? "ETH" : "BTC", spot ? "USD" : "PERP");
        ins->asset = i;
        ins->kind = spot ? HB_KIND_SPOT : HB_KIND_LINEAR_PERP;
        ins->multiplier = 1;
        ins->tick_size = 0.01;
        ins->lot_size = 0.0001;
        ins->min_qty = 0.0001;
    }
    v->n_params = 1;
    snprintf (v->params [0].key, HB_NAME_MAX, "market");
    snprintf (v->params [0].value, HB_PATH_MAX, "%s", market);
    fake->now_ns = INT64_C (1700000000000000000);
    fake->api = (hb_host_api_t) {
        .abi_version = HB_PLUGIN_ABI_VERSION, .size = sizeof (hb_host_api_t), .ctx = fake,
        .config = config, .venue = v, .publish = s_fake_publish, .log = s_fake_log,
        .now_ns = s_fake_now, .timer_add = s_fake_timer_add, .timer_cancel = s_fake_timer_cancel,
        .fd_add = s_fake_fd_add, .fd_remove = s_fake_fd_remove, .set_status = s_fake_status
    };
    return fake;
}

static void
binance_fake_destroy (binance_fake_t **fake_p)
{
    if (!*fake_p)
        return;
    hb_config_destroy (&(*fake_p)->config);
    free (*fake_p);
    *fake_p = NULL;
}

#endif
