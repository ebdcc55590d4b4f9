/*  hl_md_bench: Hyperliquid market data parsed and normalized per second in
    one process (hl_md: JSON parse, l2Book levels checked and converted to
    bus units, trades normalized, and the bus encoding the host would do
    next), beside the same frames through the bare transports: moved
    through an AF_UNIX SOCK_SEQPACKET pair (write + read, the kernel floor
    of any transport) and parsed by jansson alone (hb_json). The session is
    what the venue sends for two coins: l2Book messages of 20 levels a
    side (Hyperliquid sends the whole top in every message, not diffs),
    with a trades message every tenth frame. Figures move with the load of
    the machine: read the ratios.                                         */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_vbench.h"
#include "hl_md.h"

#define S_MSGS   20000
#define S_ROUNDS 5
#define S_TEXT   4096
#define S_LEVELS 20

static const char s_meta [] =
    "{\"universe\": [{\"name\": \"BTC\", \"szDecimals\": 5, \"maxLeverage\": 40},"
    "{\"name\": \"ETH\", \"szDecimals\": 4, \"maxLeverage\": 25}]}";

//  Frame i of the session: a trades message every tenth frame, else the
//  book of BTC or ETH around a wandering mid.
static char *
s_make (int i, unsigned *rng)
{
    char *text = (char *) malloc (S_TEXT);
    if (!text)
        return NULL;
    *rng = *rng * 1103515245u + 12345u;
    bool btc = (*rng >> 16) & 1;
    double mid = btc? 65000 + (double) ((*rng >> 8) % 200): 3400 + (double) ((*rng >> 8) % 50) / 10;
    double step = btc? 1: 0.1;
    const char *coin = btc? "BTC": "ETH";
    long long time_ms = 1700000000000LL + i;
    if (i % 10 == 9) {
        snprintf (text, S_TEXT, "{\"channel\": \"trades\", \"data\": ["
                  "{\"coin\": \"%s\", \"side\": \"B\", \"px\": \"%.1f\", \"sz\": \"0.0%u\", "
                  "\"time\": %lld, \"hash\": \"0x%08x\", \"tid\": %d}]}",
                  coin, mid + step, 1 + (*rng >> 20) % 9, time_ms, *rng, i);
        return text;
    }
    int off = snprintf (text, S_TEXT, "{\"channel\": \"l2Book\", \"data\": {\"coin\": \"%s\", "
                        "\"time\": %lld, \"levels\": [[", coin, time_ms);
    for (int side = 0; side < 2; side++) {
        for (int k = 0; k < S_LEVELS; k++) {
            *rng = *rng * 1103515245u + 12345u;
            double px = side? mid + step * (1 + k): mid - step * k;
            off += snprintf (text + off, S_TEXT - (size_t) off,
                             "%s{\"px\": \"%.1f\", \"sz\": \"%u.%03u\", \"n\": %u}", k? ",": "",
                             px, (*rng >> 12) % 20, 1 + (*rng >> 4) % 999, 1 + (*rng >> 24) % 9);
        }
        off += snprintf (text + off, S_TEXT - (size_t) off, side? "]]}}": "], [");
    }
    return text;
}

static void *
s_begin (void *arg)
{
    hb_vbench_arg_t *round_arg = (hb_vbench_arg_t *) arg;
    char err [128];
    hl_md_t *md = hl_md_new (round_arg->venue, hb_vbench_encode, NULL, &round_arg->buf, err, sizeof err);
    if (md && hl_md_on_meta (md, s_meta, strlen (s_meta), err, sizeof err) != 0) {
        fprintf (stderr, "meta refused: %s\n", err);
        hl_md_destroy (&md);
    }
    else
    if (md)
        hl_md_reset (md, 1);
    return md;
}

static int
s_frame (void *round, int i, const char *text, size_t len)
{
    hl_md_t *md = (hl_md_t *) round;
    if (hl_md_on_message (md, text, len, 1 + i) != 0) {
        fprintf (stderr, "message %d refused: %s\n", i, hl_md_error (md));
        return -1;
    }
    //  a path that skipped its work would look fast: every book and trade
    //  must have been applied and emitted
    const hl_md_stats_t *stats = hl_md_stats (md);
    if (i == S_MSGS - 1
    &&  (stats->books + stats->trades != (uint64_t) S_MSGS || stats->ticks != stats->books
    ||   stats->malformed || stats->emit_refused)) {
        fprintf (stderr, "hl_md_bench: %llu books, %llu ticks, %llu trades, %llu malformed of %d frames\n",
                 (unsigned long long) stats->books, (unsigned long long) stats->ticks,
                 (unsigned long long) stats->trades, (unsigned long long) stats->malformed, S_MSGS);
        return -1;
    }
    return 0;
}

static void
s_end (void *round)
{
    hl_md_t *md = (hl_md_t *) round;
    hl_md_destroy (&md);
}

int
main (void)
{
    static hb_venue_cfg_t venue;
    snprintf (venue.name, HB_NAME_MAX, "hyperliquid");
    if (hb_venue_cfg_alloc (&venue, 2, 0) != 0)
        return 1;
    venue.n_instruments = 2;
    const char *symbols [] = { "BTC-PERP", "ETH-PERP" };
    for (int i = 0; i < 2; i++) {
        snprintf (venue.instruments [i].symbol, HB_NAME_MAX, "%s", symbols [i]);
        venue.instruments [i].kind = HB_KIND_LINEAR_PERP;
        venue.instruments [i].multiplier = 1;
        venue.instruments [i].asset = i;
    }
    hb_vbench_t *bench = hb_vbench_new (S_MSGS);
    if (!bench) {
        perror ("hb_vbench_new");
        return 1;
    }
    unsigned rng = 11;
    for (int i = 0; i < S_MSGS; i++)
        if (hb_vbench_add (bench, s_make (i, &rng)))
            return 1;
    hb_vbench_arg_t round_arg = { .venue = &venue };
    hb_vbench_path_t path = { s_begin, s_frame, s_end };
    if (hb_vbench_run (bench, S_ROUNDS, &path, &round_arg, "hyperliquid l2Book+trades",
                       "hl_md: parse + levels + tick/trade encoded"))
        return 1;
    hb_vbench_destroy (&bench);
    return 0;
}
