/*  hb_discover benchmark: what keeping a venue's listing costs hb-feed,
    per instrument, at the documented maximum of 10,000 instruments (a
    Deribit-size chain: 2 assets x 10 expiries x 250 strikes x call/put):
        discover list_new=<ns>ns relist_same=<ns>ns delist=<ns>ns
                 encode=<ns>ns (baseline) ratio_new=<x> ratio_same=<x>
    list_new: a first listing (check, filter, insert); relist_same: the
    same listing again (nothing new: nothing to publish); delist: one
    delisting; encode: hb_msg_encode of the instrument message, the cost
    of publishing it anyway, measured in the same run as the baseline.
    Medians of S_ROUNDS rounds.                                            */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_discover.h"
#include "hb_time.h"

#define S_ROUNDS    5
#define S_COUNT     HB_MAX_INSTRUMENTS

static volatile uint64_t s_sink;

static void
s_publish (void *arg, const hb_instrument_t *instrument)
{
    (void) arg;
    s_sink += instrument->kind;
}

static int
s_compare (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static hb_config_t *
s_config (void)
{
    hb_config_t *config = (hb_config_t *) calloc (1, sizeof *config);
    config->n_assets = 2;
    snprintf (config->assets [0].name, HB_NAME_MAX, "BTC");
    config->assets [0].price = 65000;
    snprintf (config->assets [1].name, HB_NAME_MAX, "ETH");
    config->assets [1].price = 3400;
    config->n_venues = 1;
    hb_venue_cfg_t *venue = &config->venues [0];
    snprintf (venue->name, HB_NAME_MAX, "deribit");
    venue->discover = (hb_discover_cfg_t) { .present = true, .all_assets = true,
                                            .expiry_days = { 0, 1e9 }, .moneyness = { 0, 1e9 },
                                            .max_count = HB_MAX_INSTRUMENTS };
    return config;
}

static void
s_chain (const hb_config_t *config, hb_instrument_t *items, int64_t now)
{
    int n = 0;
    for (int a = 0; a < 2; a++)
        for (int e = 0; e < 10; e++)
            for (int k = 0; k < 250; k++)
                for (int c = 0; c < 2; c++, n++) {
                    hb_instrument_t *ins = &items [n];
                    memset (ins, 0, sizeof *ins);
                    double strike = config->assets [a].price * (0.5 + k * 0.004);
                    snprintf (ins->symbol, HB_NAME_MAX, "%s-%dD-%.0f-%c", config->assets [a].name, e + 1,
                              strike, c ? 'P' : 'C');
                    snprintf (ins->asset, HB_NAME_MAX, "%s", config->assets [a].name);
                    snprintf (ins->settle, HB_NAME_MAX, "%s", config->assets [a].name);
                    ins->kind = 5;
                    ins->flags = c ? 0 : HB_INSTRUMENT_CALL;
                    ins->multiplier = 1;
                    ins->tick_size = 0.0005;
                    ins->lot_size = ins->min_qty = 0.1;
                    ins->expiry_ns = now + (int64_t) (e + 1) * 86400 * HB_NS_PER_SEC;
                    ins->strike = strike;
                }
}

int
main (void)
{
    hb_config_t *config = s_config ();
    hb_instrument_t *items = (hb_instrument_t *) calloc (S_COUNT, sizeof *items);
    if (!config || !items)
        return 1;
    int64_t now = hb_wall_ns ();
    s_chain (config, items, now);
    double list_new [S_ROUNDS], relist [S_ROUNDS], delist [S_ROUNDS], encode [S_ROUNDS];
    for (int r = 0; r < S_ROUNDS; r++) {
        hb_discover_t *table = hb_discover_new (config, &config->venues [0]);
        int64_t t0 = hb_mono_ns ();
        if (hb_discover_list (table, items, S_COUNT, now, s_publish, NULL, NULL, 0) != S_COUNT)
            return 1;
        int64_t t1 = hb_mono_ns ();
        hb_discover_list (table, items, S_COUNT, now, s_publish, NULL, NULL, 0);
        int64_t t2 = hb_mono_ns ();
        for (int i = 0; i < S_COUNT; i++)
            hb_discover_delist (table, items [i].symbol, s_publish, NULL);
        int64_t t3 = hb_mono_ns ();
        hb_msg_t msg;
        memset (&msg, 0, sizeof msg);
        msg.env.type = HB_MSG_INSTRUMENT;
        snprintf (msg.env.publisher, HB_NAME_MAX, "feed.deribit");
        msg.env.epoch = msg.env.seq = 1;
        hb_buf_t buf;
        for (int i = 0; i < S_COUNT; i++) {
            msg.u.instrument = items [i];
            snprintf (msg.u.instrument.venue, HB_NAME_MAX, "deribit");
            if (hb_msg_encode (&msg, &buf) != 0)
                return 1;
            s_sink += buf.size;
        }
        int64_t t4 = hb_mono_ns ();
        list_new [r] = (double) (t1 - t0) / S_COUNT;
        relist [r] = (double) (t2 - t1) / S_COUNT;
        delist [r] = (double) (t3 - t2) / S_COUNT;
        encode [r] = (double) (t4 - t3) / S_COUNT;
        hb_discover_destroy (&table);
    }
    qsort (list_new, S_ROUNDS, sizeof (double), s_compare);
    qsort (relist, S_ROUNDS, sizeof (double), s_compare);
    qsort (delist, S_ROUNDS, sizeof (double), s_compare);
    qsort (encode, S_ROUNDS, sizeof (double), s_compare);
    double n = list_new [S_ROUNDS / 2], s = relist [S_ROUNDS / 2], d = delist [S_ROUNDS / 2],
           e = encode [S_ROUNDS / 2];
    printf ("discover %d instruments: list_new=%.0fns relist_same=%.0fns delist=%.0fns "
            "encode=%.0fns (baseline) ratio_new=%.2f ratio_same=%.2f per instrument\n",
            S_COUNT, n, s, d, e, n / e, s / e);
    free (items);
    free (config);
    return 0;
}
