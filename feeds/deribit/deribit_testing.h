/*  deribit_testing: a hand-built deployment and a quiet in-process host,
    shared by the fuzz target and the bench (which must not depend on a
    YAML file or a reactor). Header-only: every function is static, and
    this file is never compiled on its own.

    The host does what hb-feed does with a published message short of
    sending it: it encodes it (hb_msg_encode applies the decoder's checks)
    and counts accepted and refused messages.                             */
#ifndef DERIBIT_TESTING_H
#define DERIBIT_TESTING_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_plugin.h"
#include "hb_time.h"

#define DERIBIT_TESTING_OPTION "BTC-27DEC30-80000-C"

typedef struct {
    uint64_t published;
    uint64_t refused;
    uint64_t logs;
    uint32_t status;
    hb_buf_t buf;
} deribit_testing_host_t;

static int
deribit_testing_publish (void *ctx, hb_msg_t *msg)
{
    deribit_testing_host_t *host = (deribit_testing_host_t *) ctx;
    snprintf (msg->env.publisher, sizeof msg->env.publisher, "feed.deribit");
    if (hb_msg_encode (msg, &host->buf)) {
        host->refused++;
        return -1;
    }
    host->published++;
    return 0;
}

static void
deribit_testing_log (void *ctx, int level, const char *format, ...)
{
    (void) level;
    (void) format;
    ((deribit_testing_host_t *) ctx)->logs++;
}

static int64_t
deribit_testing_now (void *ctx)
{
    (void) ctx;
    return hb_wall_ns ();
}

static int
deribit_testing_timer_add (void *ctx, uint64_t ms, size_t times, hb_timer_fn *fn, void *arg)
{
    (void) ctx; (void) ms; (void) times; (void) fn; (void) arg;
    return -1;
}

static int
deribit_testing_timer_cancel (void *ctx, int id)
{
    (void) ctx; (void) id;
    return 0;
}

static void
deribit_testing_status (void *ctx, uint32_t status)
{
    ((deribit_testing_host_t *) ctx)->status = status;
}

//  A deployment with one venue, "deribit": BTC-PERP (inverse, 10 USD) and
//  the option DERIBIT_TESTING_OPTION. NULL when out of memory.
static hb_config_t *
deribit_testing_config (void)
{
    hb_config_t *config = (hb_config_t *) calloc (1, sizeof *config);
    if (!config)
        return NULL;
    snprintf (config->deployment, sizeof config->deployment, "deribit-testing");
    config->n_assets = 1;
    snprintf (config->assets [0].name, sizeof config->assets [0].name, "BTC");
    config->assets [0].price = 65000;
    config->n_venues = 1;
    hb_venue_cfg_t *venue = &config->venues [0];
    snprintf (venue->name, sizeof venue->name, "deribit");
    snprintf (venue->plugin, sizeof venue->plugin, "deribit");
    hb_venue_cfg_alloc (venue, 2, 2);
    venue->n_instruments = 2;
    venue->instruments [0] = (hb_instrument_cfg_t) {
        .symbol = "BTC-PERP", .asset = 0, .kind = HB_KIND_INVERSE_PERP, .multiplier = 10,
        .tick_size = 0.5, .lot_size = 1, .min_qty = 1 };
    venue->instruments [1] = (hb_instrument_cfg_t) {
        .symbol = DERIBIT_TESTING_OPTION, .asset = 0, .kind = HB_KIND_OPTION, .multiplier = 1,
        .tick_size = 5, .lot_size = 0.1, .min_qty = 0.1, .is_call = true, .strike = 80000,
        .expiry_ns = INT64_C (1924588800) * HB_NS_PER_SEC, .iv = 0.55 };
    return config;
}

//  The host API over host for config's first venue.
static hb_host_api_t
deribit_testing_api (deribit_testing_host_t *host, const hb_config_t *config)
{
    return (hb_host_api_t) {
        .abi_version = HB_PLUGIN_ABI_VERSION, .size = sizeof (hb_host_api_t), .ctx = host,
        .config = config, .venue = &config->venues [0],
        .publish = deribit_testing_publish, .log = deribit_testing_log,
        .now_ns = deribit_testing_now, .timer_add = deribit_testing_timer_add,
        .timer_cancel = deribit_testing_timer_cancel, .set_status = deribit_testing_status };
}

#endif
