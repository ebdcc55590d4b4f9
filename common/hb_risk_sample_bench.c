/*  hb_risk_sample benchmark: what one risk sample costs on the wire at 16,
    64 and 256 assets (docs/PROTOCOL.md, Risk: parts). For each size, the
    sample cut into its risk.exposure and risk.corr parts, each encoded;
    then each decoded and joined again (hb_risk_sample), median of
    S_ROUNDS rounds, one line per size:
        risk_sample assets=<n> parts=<exposure>+<corr> bytes=<total>B
            (exposures <B>B, correlations <B>B) encode=<us>us decode+join=<us>us
    Each round lasts about S_ROUND_NS, so the run takes a few seconds.     */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_msg.h"
#include "hb_risk_sample.h"
#include "hb_time.h"

#define S_ROUNDS    7
#define S_ROUND_NS  (100 * HB_NS_PER_MS)
#define S_PARTS_MAX (HB_RISK_MAX_ASSETS / HB_RISK_PART_ASSETS + HB_RISK_CORR_MAX / HB_RISK_PART_CORR + 2)

static volatile uint64_t s_sink;

//  A sample of n assets with figures of realistic magnitudes
static void
s_report (hb_risk_report_t *r, int n)
{
    memset (r, 0, sizeof *r);
    r->sample = 123456;
    r->corr_sample = r->sample;
    r->samples = 86400;
    r->sample_s = 1;
    r->horizon_s = 86400;
    r->confidence = 0.99;
    r->var_usd = 1234567.891;
    r->stress_var_usd = 2345678.912;
    r->stress_corr = 0.95;
    r->unhedged_sigma = 530001.17;
    r->residual_sigma = 10003.31;
    r->effectiveness = 0.99961;
    r->n_assets = (uint16_t) n;
    for (int i = 0; i < n; i++) {
        hb_risk_asset_t *a = &r->assets [i];
        snprintf (a->asset, sizeof a->asset, "ASSET%03d", i);
        a->flags = HB_RISK_ASSET_HEDGEABLE;
        a->index = 65012.37 / (i + 1);
        a->exposure_usd = -650001.5 + 1013.7 * i;
        a->delta1_usd = -700001.25 + 997.1 * i;
        a->option_delta_usd = 50000.1 - 3.3 * i;
        a->gamma = 0.0001234 * (i + 1);
        a->vega = 1234.5678 + i;
        a->theta = -9876.54321 - i;
        a->rho = 4321.125 + i;
        a->vol = 0.5512 + 0.001 * i;
        a->contribution = 3000.7 + 1.1 * i;
        a->residual_usd = -0.123 - i;
    }
    for (int k = 0; k < n * (n - 1) / 2; k++)
        r->corr [k] = (float) (0.31 + 0.6 * ((k * 7919) % 1000) / 1000.0);
}

static int
s_cmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int
main (void)
{
    static hb_risk_report_t report;
    static hb_msg_t msg;
    static hb_buf_t bufs [S_PARTS_MAX];
    hb_risk_sample_t *joined = hb_risk_sample_new ();
    if (!joined)
        return 1;
    static const int sizes [] = { 16, 64, 256 };
    for (size_t s = 0; s < sizeof sizes / sizeof sizes [0]; s++) {
        int n = sizes [s];
        s_report (&report, n);
        memset (&msg, 0, sizeof msg);
        strcpy (msg.env.publisher, "risk");
        msg.env.epoch = UINT64_C (1763700000123456789);
        int parts = hb_risk_sample_parts (&report);
        int exposure_parts = (n + HB_RISK_PART_ASSETS - 1) / HB_RISK_PART_ASSETS;
        double enc [S_ROUNDS], dec [S_ROUNDS];
        size_t bytes = 0, exposure_bytes = 0;
        for (int round = 0; round < S_ROUNDS; round++) {
            //  encode: cut and pack every part of the sample
            int64_t start = hb_mono_ns (), now = start;
            uint64_t samples = 0;
            while (now - start < S_ROUND_NS) {
                for (int i = 0; i < parts; i++) {
                    msg.env.seq = (uint64_t) i + 1;
                    hb_risk_sample_part (&report, i, &msg);
                    if (hb_msg_encode (&msg, &bufs [i]) != 0)
                        return fprintf (stderr, "encode failed: part %d of %d\n", i, parts), 1;
                }
                samples++;
                now = hb_mono_ns ();
            }
            enc [round] = (double) (now - start) / (double) samples / 1e3;
            bytes = exposure_bytes = 0;
            for (int i = 0; i < parts; i++) {
                bytes += bufs [i].size;
                if (i < exposure_parts)
                    exposure_bytes += bufs [i].size;
            }
            //  decode every part and join the sample
            start = hb_mono_ns ();
            now = start;
            samples = 0;
            while (now - start < S_ROUND_NS) {
                int done = 0;
                for (int i = 0; i < parts; i++) {
                    if (hb_msg_decode (&msg, bufs [i].data, bufs [i].size, NULL) != 0)
                        return fprintf (stderr, "decode failed: part %d of %d\n", i, parts), 1;
                    done |= hb_risk_sample_add (joined, &msg, NULL);
                }
                if (done != (HB_RISK_SAMPLE_EXPOSURES | HB_RISK_SAMPLE_CORR))
                    return fprintf (stderr, "sample of %d assets not joined\n", n), 1;
                s_sink += hb_risk_sample_report (joined)->n_assets;
                samples++;
                now = hb_mono_ns ();
            }
            dec [round] = (double) (now - start) / (double) samples / 1e3;
        }
        qsort (enc, S_ROUNDS, sizeof enc [0], s_cmp);
        qsort (dec, S_ROUNDS, sizeof dec [0], s_cmp);
        printf ("risk_sample assets=%d parts=%d+%d bytes=%zuB (exposures %zuB, correlations %zuB) "
                "encode=%.1fus decode+join=%.1fus\n", n, exposure_parts, parts - exposure_parts, bytes,
                exposure_bytes, bytes - exposure_bytes, enc [S_ROUNDS / 2], dec [S_ROUNDS / 2]);
    }
    hb_risk_sample_destroy (&joined);
    return 0;
}
