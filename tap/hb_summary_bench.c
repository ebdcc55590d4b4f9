/*  hb_summary benchmark: what the live view costs at a desk's size. A
    config built in code (256 assets; 5 venues of 2,000 instruments, then
    the documented maximum of 32 venues of 10,000), every instrument ticked
    once (every 97th crossed); then the rendering of one screen (each
    panel sorted most urgent first, 40 rows a panel) to /dev/null, without
    a filter, with a substring and with a glob; median of S_ROUNDS. One
    line per size:
        summary venues=<v> instruments=<n> add=<ns>ns/tick render=<us>us
            render_substring=<us>us render_glob=<us>us                      */
#include "hb_summary.h"
#include "hb_time.h"

#include <czmq.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_ROUNDS    5
#define S_ASSETS    256

static int
s_cmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

static hb_config_t *
s_config (int venues, int per_venue)
{
    hb_config_t *cfg = (hb_config_t *) zmalloc (sizeof *cfg);
    if (!cfg)
        return NULL;
    snprintf (cfg->deployment, HB_NAME_MAX, "bench");
    cfg->n_assets = S_ASSETS;
    for (int a = 0; a < S_ASSETS; a++) {
        snprintf (cfg->assets [a].name, HB_NAME_MAX, "A%03d", a);
        cfg->risk.band_usd [a] = 1000;
    }
    cfg->n_venues = venues;
    for (int v = 0; v < venues; v++) {
        hb_venue_cfg_t *venue = &cfg->venues [v];
        snprintf (venue->name, HB_NAME_MAX, "venue%02d", v);
        venue->enabled = true;
        if (hb_venue_cfg_alloc (venue, per_venue, 0)) {
            hb_config_destroy (&cfg);
            return NULL;
        }
        venue->n_instruments = per_venue;
        for (int i = 0; i < per_venue; i++) {
            hb_instrument_cfg_t *inst = &venue->instruments [i];
            inst->asset = i % S_ASSETS;
            snprintf (inst->symbol, HB_NAME_MAX, "A%03d-27MAR27-%05d-C", inst->asset, i);
            inst->kind = HB_KIND_OPTION;
            inst->multiplier = 1;
        }
    }
    return cfg;
}

//  The median time of S_ROUNDS renderings, in us.
static double
s_render_us (hb_summary_t *summary, FILE *sink, const char *filter)
{
    hb_summary_set_filter (summary, filter);
    double us [S_ROUNDS];
    for (int r = 0; r < S_ROUNDS; r++) {
        int64_t t0 = hb_mono_ns ();
        hb_summary_render (summary, sink, false, 1000 * HB_NS_PER_SEC);
        us [r] = (double) (hb_mono_ns () - t0) / 1e3;
    }
    qsort (us, S_ROUNDS, sizeof us [0], s_cmp);
    return us [S_ROUNDS / 2];
}

int
main (void)
{
    static const int sizes [][2] = { { 5, 2000 }, { HB_MAX_VENUES, HB_MAX_INSTRUMENTS } };
    FILE *sink = fopen ("/dev/null", "w");
    static hb_msg_t msg;
    if (!sink)
        return 1;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes [0]; s++) {
        int venues = sizes [s][0], per_venue = sizes [s][1];
        hb_config_t *cfg = s_config (venues, per_venue);
        hb_summary_t *summary = cfg ? hb_summary_new (cfg) : NULL;
        if (!summary) {
            hb_config_destroy (&cfg);
            fclose (sink);
            return 1;
        }
        memset (&msg, 0, sizeof msg);
        msg.env.type = HB_MSG_TICK;
        msg.u.tick.n_bids = msg.u.tick.n_asks = 1;
        int64_t t0 = hb_mono_ns ();
        for (int v = 0; v < venues; v++) {
            snprintf (msg.env.publisher, HB_NAME_MAX, "feed.%s", cfg->venues [v].name);
            snprintf (msg.u.tick.venue, HB_NAME_MAX, "%s", cfg->venues [v].name);
            for (int i = 0; i < per_venue; i++) {
                snprintf (msg.u.tick.symbol, HB_NAME_MAX, "%s", cfg->venues [v].instruments [i].symbol);
                msg.u.tick.bids [0] = (hb_level_t) { .px = i % 97 ? 99 : 102, .qty = 1 };
                msg.u.tick.asks [0] = (hb_level_t) { .px = 101, .qty = 1 };
                hb_summary_add (summary, "md", &msg, HB_SEQ_OK, 1000 * HB_NS_PER_SEC - i);
            }
        }
        int n = venues * per_venue;
        double add_ns = (double) (hb_mono_ns () - t0) / n;
        double plain = s_render_us (summary, sink, NULL);
        double substring = s_render_us (summary, sink, "a042");
        double glob = s_render_us (summary, sink, "venue0?/A04*-C");
        printf ("summary venues=%d instruments=%d add=%.0fns/tick render=%.0fus render_substring=%.0fus "
                "render_glob=%.0fus\n", venues, n, add_ns, plain, substring, glob);
        hb_summary_destroy (&summary);
        hb_config_destroy (&cfg);
    }
    fclose (sink);
    return 0;
}
