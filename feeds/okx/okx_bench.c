/*  okx_bench: OKX books updates parsed and normalized per second in one
    process (okx_md: JSON parse, prevSeqId check, book update, CRC32 of the
    top 25 levels, top-10 export, and the bus encoding the host would do
    next), beside the same frames through the bare transports: moved
    through an AF_UNIX SOCK_SEQPACKET pair (write + read, the kernel floor
    of any transport) and parsed by jansson alone (hb_json). Figures move
    with the load of the machine: read the ratios.                        */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_json.h"
#include "hb_time.h"
#include "hb_vbench.h"
#include "okx_book.h"
#include "okx_md.h"

#define S_MSGS   20000
#define S_ROUNDS 5
#define S_TEXT   4096

//  Message i (0: a 50-level snapshot) of the session; book mirrors it to
//  compute the checksum the venue would send.
static char *
s_make (int i, okx_book_t *book, unsigned *rng)
{
    char side_text [2][S_TEXT / 2];
    int off [2] = { 0, 0 };
    side_text [0][0] = side_text [1][0] = 0;
    int levels = i == 0? 100: 1 + (int) (*rng % 3);
    for (int j = 0; j < levels; j++) {
        *rng = *rng * 1103515245u + 12345u;
        int s = i == 0? j % 2: (int) ((*rng >> 8) & 1);
        int k = i == 0? j / 2: (int) ((*rng >> 10) % 60);
        char px [24], sz [24];
        snprintf (px, sizeof px, "%.1f", 65000 + (s? 0.1: -0.1) * (1 + k));
        if (i && (*rng >> 4) % 5 == 0)
            snprintf (sz, sizeof sz, "0");
        else
            snprintf (sz, sizeof sz, "%u", 1 + (*rng >> 12) % 500);
        okx_book_set (book, s? HB_SIDE_SELL: HB_SIDE_BUY, px, atof (px), sz, atof (sz));
        off [s] += snprintf (side_text [s] + off [s], sizeof side_text [s] - (size_t) off [s],
                             "%s[\"%s\",\"%s\",\"0\",\"1\"]", off [s]? ",": "", px, sz);
    }
    char *text = (char *) malloc (S_TEXT);
    snprintf (text, S_TEXT, "{\"arg\":{\"channel\":\"books\",\"instId\":\"BTC-USDT-SWAP\"},"
              "\"action\":\"%s\",\"data\":[{\"asks\":[%s],\"bids\":[%s],\"ts\":\"1714557600123\","
              "\"checksum\":%d,\"prevSeqId\":%d,\"seqId\":%d}]}", i? "update": "snapshot",
              side_text [1], side_text [0], okx_book_checksum (book), i? 1000 + i - 1: -1, 1000 + i);
    return text;
}

static void *
s_begin (void *arg)
{
    hb_vbench_arg_t *round_arg = (hb_vbench_arg_t *) arg;
    char err [128];
    return okx_md_new (round_arg->venue, hb_vbench_encode, NULL, &round_arg->buf, err, sizeof err);
}

static int
s_frame (void *round, int i, const char *text, size_t len)
{
    okx_md_t *md = (okx_md_t *) round;
    if (okx_md_on_message (md, text, len, 1) != OKX_MD_OK) {
        fprintf (stderr, "message %d refused: %s\n", i, okx_md_error (md));
        return -1;
    }
    return 0;
}

static void
s_end (void *round)
{
    okx_md_t *md = (okx_md_t *) round;
    okx_md_destroy (&md);
}

int
main (void)
{
    hb_venue_cfg_t venue;
    memset (&venue, 0, sizeof venue);
    snprintf (venue.name, HB_NAME_MAX, "okx");
    hb_venue_cfg_alloc (&venue, 1, 1);
    venue.n_instruments = 1;
    snprintf (venue.instruments [0].symbol, HB_NAME_MAX, "BTC-PERP");
    venue.instruments [0].kind = HB_KIND_LINEAR_PERP;
    venue.instruments [0].multiplier = 0.01;
    venue.n_params = 1;
    snprintf (venue.params [0].key, HB_NAME_MAX, "sym.BTC-PERP");
    snprintf (venue.params [0].value, HB_PATH_MAX, "BTC-USDT-SWAP");
    hb_vbench_t *bench = hb_vbench_new (S_MSGS);
    if (!bench) {
        perror ("hb_vbench_new");
        return 1;
    }
    okx_book_t *mirror = okx_book_new (1024);
    unsigned rng = 7;
    for (int i = 0; i < S_MSGS; i++)
        if (hb_vbench_add (bench, s_make (i, mirror, &rng)))
            return 1;
    okx_book_destroy (&mirror);
    hb_vbench_arg_t round_arg = { .venue = &venue };
    hb_vbench_path_t path = { s_begin, s_frame, s_end };
    if (hb_vbench_run (bench, S_ROUNDS, &path, &round_arg, "okx books",
                       "okx_md: parse + seq + book + CRC32 + tick encoded"))
        return 1;
    hb_vbench_destroy (&bench);
    return 0;
}
