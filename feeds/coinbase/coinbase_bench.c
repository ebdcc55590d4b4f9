/*  coinbase_bench: Coinbase level2 messages parsed and normalized per
    second in one process (cb_md: JSON parse, sequence check, book update,
    top-10 export, and the bus encoding the host would do next), beside
    the same frames through the bare transports: moved through an AF_UNIX
    SOCK_SEQPACKET pair (write + read, the kernel floor of any transport)
    and parsed by jansson alone (hb_json). Figures move with the load of
    the machine: read the ratios.                                          */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cb_md.h"
#include "hb_json.h"
#include "hb_time.h"
#include "hb_vbench.h"

#define S_MSGS   20000
#define S_ROUNDS 5
#define S_TEXT   1024

static char *
s_make (int i, int64_t seq, unsigned *rng)
{
    char *text = (char *) malloc (S_TEXT);
    int n = snprintf (text, S_TEXT, "{\"channel\":\"l2_data\",\"client_id\":\"\",\"timestamp\":"
                      "\"2024-05-01T10:00:00.123456Z\",\"sequence_num\":%lld,\"events\":[{\"type\":"
                      "\"%s\",\"product_id\":\"BTC-USD\",\"updates\":[", (long long) seq,
                      i == 0? "snapshot": "update");
    int levels = i == 0? 6: 1 + (int) (*rng % 3);
    for (int j = 0; j < levels; j++) {
        *rng = *rng * 1103515245u + 12345u;
        int side = (*rng >> 8) & 1;
        double px = 60000 + (side? 0.5: -0.5) * (1 + (*rng >> 10) % 60);
        double qty = (*rng >> 4) % 5 == 0 && i? 0: 0.001 * (1 + (*rng >> 12) % 400);
        n += snprintf (text + n, (size_t) (S_TEXT - n), "%s{\"side\":\"%s\",\"event_time\":"
                       "\"2024-05-01T10:00:00.1Z\",\"price_level\":\"%.2f\",\"new_quantity\":\"%.8f\"}",
                       j? ",": "", side? "offer": "bid", px, qty);
    }
    snprintf (text + n, (size_t) (S_TEXT - n), "]}]}");
    return text;
}

static void *
s_begin (void *arg)
{
    hb_vbench_arg_t *round_arg = (hb_vbench_arg_t *) arg;
    char err [128];
    return cb_md_new (round_arg->venue, hb_vbench_encode, NULL, &round_arg->buf, err, sizeof err);
}

static int
s_frame (void *round, int i, const char *text, size_t len)
{
    cb_md_t *md = (cb_md_t *) round;
    (void) i;
    return cb_md_on_message (md, text, len, 1) == CB_MD_OK? 0: -1;
}

static void
s_end (void *round)
{
    cb_md_t *md = (cb_md_t *) round;
    cb_md_destroy (&md);
}

int
main (void)
{
    hb_venue_cfg_t venue;
    memset (&venue, 0, sizeof venue);
    snprintf (venue.name, HB_NAME_MAX, "cb");
    hb_venue_cfg_alloc (&venue, 1, 1);
    venue.n_instruments = 1;
    snprintf (venue.instruments [0].symbol, HB_NAME_MAX, "BTC-USD");
    venue.instruments [0].kind = HB_KIND_SPOT;
    venue.instruments [0].multiplier = 1;
    hb_vbench_t *bench = hb_vbench_new (S_MSGS);
    if (!bench) {
        perror ("hb_vbench_new");
        return 1;
    }
    unsigned rng = 7;
    for (int i = 0; i < S_MSGS; i++)
        if (hb_vbench_add (bench, s_make (i, i, &rng)))
            return 1;
    hb_vbench_arg_t round_arg = { .venue = &venue };
    hb_vbench_path_t path = { s_begin, s_frame, s_end };
    if (hb_vbench_run (bench, S_ROUNDS, &path, &round_arg, "coinbase level2",
                       "cb_md: parse + sequence + book + tick encoded"))
        return 1;
    hb_vbench_destroy (&bench);
    return 0;
}
