/*  hb_risk_ckpt: the checkpoint round trip is exact to the bit (an engine
    restored from it decides like the one that wrote it), a checkpoint for
    another config, too old or from the future is refused, damage at any
    byte and any truncation are detected, a failed write leaves the
    previous file, and the first return after a gap spans it.           */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb_config.h"
#include "hb_crc32c.h"
#include "hb_ewma.h"
#include "hb_metrics.h"
#include "hb_risk.h"
#include "hb_risk_ckpt.h"
#include "hb_risk_testing.h"

#define MS      1000000LL
#define STEP    (100 * MS)                  //  sample_ms below
#define T0      (1800000000000LL * MS)      //  on the grid

static hb_risk_testing_t s_fx;
static char s_run [96];

static const char *s_yaml =
    "hedgebus: 1\n"
    "deployment: ckpt-test\n"
    "run_dir: %s/run\n"
    "assets: { BTC: { price: 65000, vol: 0.5 }, ETH: { price: 3400, vol: 0.7 } }\n"
    "venues:\n"
    "  alpha:\n"
    "    plugin: %s\n"
    "    instruments:\n"
    "      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }\n"
    "      - { symbol: ETH-USD, asset: ETH, kind: spot, tick: 0.01, lot: 0.001 }\n"
    "  beta:\n"
    "    plugin: %s\n"
    "    instruments:\n"
    "      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }\n"
    "components:\n"
    "  risk: { sample_ms: 100, quote_stale_ms: 1000, min_samples: 20,\n"
    "          checkpoint_max_age_s: 60, checkpoint_every_s: 1 }\n";

static int
s_setup (void **state)
{
    (void) state;
    if (hb_risk_testing_setup (&s_fx, "hb_risk_ckpt_test", s_yaml) != 0)
        return -1;
    snprintf (s_run, sizeof s_run, "%s/run", s_fx.dir);
    return mkdir (s_run, 0700);
}

static int
s_teardown (void **state)
{
    (void) state;
    char path [HB_PATH_MAX + 8];
    snprintf (path, sizeof path, "%s.tmp", s_fx.cfg->risk.checkpoint);
    rmdir (path);
    unlink (path);
    unlink (s_fx.cfg->risk.checkpoint);
    rmdir (s_run);
    hb_risk_testing_teardown (&s_fx);
    return 0;
}

//  ---------------------------------------------------------------------------
//  A market: BTC and ETH on alpha, a random walk from a fixed seed

typedef struct {
    uint64_t state;
    double   px [2];
} s_market_t;

static double
s_uniform (s_market_t *m)
{
    m->state ^= m->state >> 12;
    m->state ^= m->state << 25;
    m->state ^= m->state >> 27;
    return ((m->state * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}

static void
s_market_init (s_market_t *m, uint64_t seed)
{
    m->state = seed * 0x9e3779b97f4a7c15ULL + 1;
    m->px [0] = 65000;
    m->px [1] = 3400;
}

static void
s_tick (hb_risk_t *risk, const char *symbol, double mid, int64_t ts)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    snprintf (msg.env.publisher, HB_NAME_MAX, "feed.alpha");
    msg.env.ts_pub = ts;
    snprintf (msg.u.tick.venue, HB_NAME_MAX, "alpha");
    snprintf (msg.u.tick.symbol, HB_NAME_MAX, "%s", symbol);
    msg.u.tick.n_bids = msg.u.tick.n_asks = 1;
    msg.u.tick.bids [0] = (hb_level_t) { mid - 0.5, 1 };
    msg.u.tick.asks [0] = (hb_level_t) { mid + 0.5, 1 };
    assert_int_equal (hb_risk_on_tick (risk, &msg, ts), 0);
}

//  One step of the walk, its ticks to each engine given, and a sample of
//  each at t
static void
s_step (s_market_t *m, hb_risk_t **risks, int n, int64_t t)
{
    for (int a = 0; a < 2; a++)
        m->px [a] *= exp (0.002 * (s_uniform (m) - 0.5));
    for (int i = 0; i < n; i++) {
        s_tick (risks [i], "BTC-USD", m->px [0], t - MS);
        s_tick (risks [i], "ETH-USD", m->px [1], t - MS);
        hb_risk_sample (risks [i], t);
    }
}

static hb_risk_t *
s_engine (void)
{
    hb_risk_t *risk = hb_risk_new (s_fx.cfg, 1);
    assert_non_null (risk);
    hb_risk_set_data_time (risk, true);
    hb_risk_set_positions_known (risk, true);
    return risk;
}

//  An engine past warm-up: 40 samples from T0
static hb_risk_t *
s_warm (s_market_t *m)
{
    hb_risk_t *risk = s_engine ();
    for (int k = 0; k < 40; k++)
        s_step (m, &risk, 1, T0 + k * STEP);
    assert_int_equal (hb_risk_samples (risk), 40);
    return risk;
}

static uint64_t
s_discarded (const char *reason)
{
    return hb_metric_count (hb_metrics_counter (hb_metrics_process (),
        "hb_risk_checkpoint_discarded_total", "estimator checkpoints found at start and not used",
        "reason", reason));
}

//  ---------------------------------------------------------------------------

//  encode, decode, import: the restored engine goes on bit for bit like
//  the one that wrote it, and is not warming up
static void
test_round_trip_exact (void **state)
{
    (void) state;
    s_market_t m;
    s_market_init (&m, 1);
    hb_risk_t *a = s_warm (&m);
    static hb_risk_state_t out, in;
    hb_risk_export (a, &out);
    static uint8_t buf [HB_RISK_CKPT_MAX], again [HB_RISK_CKPT_MAX];
    int size = hb_risk_ckpt_encode (s_fx.cfg, &out, 12345, buf, sizeof buf);
    assert_true (size > 0 && size <= HB_RISK_CKPT_MAX);
    char why [256] = "";
    int64_t wall = 0;
    assert_int_equal (hb_risk_ckpt_decode (s_fx.cfg, buf, (size_t) size, &in, &wall, why, sizeof why),
                      HB_RISK_CKPT_OK);
    assert_int_equal (wall, 12345);
    assert_memory_equal (&in, &out, sizeof in);
    assert_int_equal (hb_risk_ckpt_encode (s_fx.cfg, &in, 12345, again, sizeof again), size);
    assert_memory_equal (again, buf, (size_t) size);
    //  too small a buffer is refused, not overrun
    assert_int_equal (hb_risk_ckpt_encode (s_fx.cfg, &out, 0, again, (size_t) size - 1), -1);

    hb_risk_t *b = s_engine ();
    assert_int_equal (hb_risk_import (b, &in), 0);
    assert_int_equal (hb_risk_samples (b), 40);
    hb_risk_t *both [2] = { a, b };
    for (int k = 40; k < 60; k++) {
        s_step (&m, both, 2, T0 + k * STEP);
        size_t n = 2;
        assert_memory_equal (hb_ewma_cov (hb_risk_ewma (a)), hb_ewma_cov (hb_risk_ewma (b)),
                             n * n * sizeof (double));
        static hb_risk_report_t ra, rb;
        hb_risk_report (a, T0 + k * STEP, &ra);
        hb_risk_report (b, T0 + k * STEP, &rb);
        assert_memory_equal (&ra, &rb, sizeof ra);
        assert_false (rb.flags & HB_RISK_WARMING_UP);
        hb_risk_hedge_t ha, hb;
        assert_int_equal (hb_risk_hedge_check (a, T0 + k * STEP, &ha),
                          hb_risk_hedge_check (b, T0 + k * STEP, &hb));
    }
    assert_int_equal (hb_ewma_samples (hb_risk_ewma (b)), hb_ewma_samples (hb_risk_ewma (a)));
    assert_int_equal (hb_risk_samples (b), 60);
    hb_risk_destroy (&a);
    hb_risk_destroy (&b);
}

//  Made for another asset list, lambda or sample_ms: refused, naming it
static void
test_refused_on_config_change (void **state)
{
    (void) state;
    s_market_t m;
    s_market_init (&m, 2);
    hb_risk_t *a = s_warm (&m);
    static hb_risk_state_t out, in;
    hb_risk_export (a, &out);
    static uint8_t buf [HB_RISK_CKPT_MAX];
    int size = hb_risk_ckpt_encode (s_fx.cfg, &out, 0, buf, sizeof buf);
    assert_true (size > 0);
    char why [256];
    hb_config_t *cfg = s_fx.cfg;

    double lambda = cfg->risk.lambda;
    cfg->risk.lambda = 0.97;
    assert_int_equal (hb_risk_ckpt_decode (cfg, buf, (size_t) size, &in, NULL, why, sizeof why),
                      HB_RISK_CKPT_CONFIG);
    assert_non_null (strstr (why, "lambda 0.93999999999999995, now 0.96999999999999997"));
    cfg->risk.lambda = lambda;

    cfg->risk.sample_ms = 1000;
    assert_int_equal (hb_risk_ckpt_decode (cfg, buf, (size_t) size, &in, NULL, why, sizeof why),
                      HB_RISK_CKPT_CONFIG);
    assert_string_equal (why, "sample_ms 100, now 1000");
    cfg->risk.sample_ms = 100;

    //  the detectors' statistics are against their own parameters
    double threshold = cfg->risk.regime.threshold;
    cfg->risk.regime.threshold = 10;
    assert_int_equal (hb_risk_ckpt_decode (cfg, buf, (size_t) size, &in, NULL, why, sizeof why),
                      HB_RISK_CKPT_CONFIG);
    assert_string_equal (why, "regime threshold 9, now 10");
    cfg->risk.regime.threshold = threshold;
    cfg->risk.regime.hold = 70;
    assert_int_equal (hb_risk_ckpt_decode (cfg, buf, (size_t) size, &in, NULL, why, sizeof why),
                      HB_RISK_CKPT_CONFIG);
    assert_string_equal (why, "regime warmup 200 hold 50, now 200 and 70");
    cfg->risk.regime.hold = 50;

    snprintf (cfg->assets [1].name, HB_NAME_MAX, "SOL");
    assert_int_equal (hb_risk_ckpt_decode (cfg, buf, (size_t) size, &in, NULL, why, sizeof why),
                      HB_RISK_CKPT_CONFIG);
    assert_string_equal (why, "assets BTC,ETH, now BTC,SOL");
    snprintf (cfg->assets [1].name, HB_NAME_MAX, "ETH");

    cfg->n_assets = 1;
    assert_int_equal (hb_risk_ckpt_decode (cfg, buf, (size_t) size, &in, NULL, why, sizeof why),
                      HB_RISK_CKPT_CONFIG);
    assert_string_equal (why, "assets BTC,ETH, now BTC");
    //  and an engine for one asset does not take a state of two
    cfg->n_assets = 2;
    assert_int_equal (hb_risk_ckpt_decode (cfg, buf, (size_t) size, &in, NULL, why, sizeof why),
                      HB_RISK_CKPT_OK);
    in.n = 1;
    assert_int_equal (hb_risk_import (a, &in), -1);
    hb_risk_destroy (&a);
}

//  Any byte changed (every bit pattern of the flip), any truncation, one
//  byte more: damaged, never OK
static void
test_damage_every_byte (void **state)
{
    (void) state;
    s_market_t m;
    s_market_init (&m, 3);
    hb_risk_t *a = s_warm (&m);
    static hb_risk_state_t out, in;
    hb_risk_export (a, &out);
    static uint8_t buf [HB_RISK_CKPT_MAX + 1], bad [HB_RISK_CKPT_MAX + 1];
    int size = hb_risk_ckpt_encode (s_fx.cfg, &out, 0, buf, sizeof buf);
    assert_true (size > 0);
    char why [256];
    int crc_caught = 0;
    for (int i = 0; i < size; i++)
        for (int flip = 1; flip < 256; flip++) {
            memcpy (bad, buf, (size_t) size);
            bad [i] ^= (uint8_t) flip;
            hb_risk_ckpt_status_t status = hb_risk_ckpt_decode (s_fx.cfg, bad, (size_t) size, &in,
                                                                 NULL, why, sizeof why);
            if (status != HB_RISK_CKPT_DAMAGED)
                fail_msg ("byte %d ^ 0x%02x: %s (%s)", i, flip, hb_risk_ckpt_status_name (status), why);
            crc_caught += strncmp (why, "CRC mismatch", 12) == 0;
        }
    //  past the magic and the size, the CRC is what catches it
    assert_true (crc_caught >= (size - 16) * 255);
    for (int len = 0; len < size; len++)
        assert_int_equal (hb_risk_ckpt_decode (s_fx.cfg, buf, (size_t) len, &in, NULL, why, sizeof why),
                          HB_RISK_CKPT_DAMAGED);
    buf [size] = 0;
    assert_int_equal (hb_risk_ckpt_decode (s_fx.cfg, buf, (size_t) size + 1, &in, NULL, why, sizeof why),
                      HB_RISK_CKPT_DAMAGED);
    //  a whole file of version 2 (the sign detectors' layout) or 1 (before
    //  the detectors were kept): damaged, by its version
    memcpy (bad, buf, (size_t) size);
    bad [8] = 2;
    uint32_t crc = hb_crc32c (0, bad, (size_t) size - 4);
    for (int i = 0; i < 4; i++)
        bad [size - 4 + i] = (uint8_t) (crc >> (8 * i));
    assert_int_equal (hb_risk_ckpt_decode (s_fx.cfg, bad, (size_t) size, &in, NULL, why, sizeof why),
                      HB_RISK_CKPT_DAMAGED);
    assert_string_equal (why, "version 2, this hb-risk reads 3");
    hb_risk_destroy (&a);
}

static void
s_write_file (const char *path, const void *data, size_t size)
{
    FILE *f = fopen (path, "wb");
    assert_non_null (f);
    assert_int_equal (fwrite (data, 1, size, f), size);
    fclose (f);
}

static size_t
s_read_file (const char *path, void *data, size_t size)
{
    FILE *f = fopen (path, "rb");
    assert_non_null (f);
    size_t n = fread (data, 1, size, f);
    fclose (f);
    return n;
}

//  A write that fails (the temp file cannot be made; the disk refuses the
//  bytes) leaves the previous checkpoint as it was, and no temp file
static void
test_failed_write_keeps_old (void **state)
{
    (void) state;
    const char *path = s_fx.cfg->risk.checkpoint;
    char tmp [HB_PATH_MAX + 8], why [HB_PATH_MAX + 256];
    snprintf (tmp, sizeof tmp, "%s.tmp", path);
    uint8_t old [64], big [4096], got [8192];
    memset (old, 'o', sizeof old);
    memset (big, 'n', sizeof big);
    assert_int_equal (hb_risk_ckpt_write (path, old, sizeof old, why, sizeof why), 0);
    assert_int_equal (s_read_file (path, got, sizeof got), sizeof old);
    assert_memory_equal (got, old, sizeof old);

    //  the temp file's name is taken by a directory: open fails
    assert_int_equal (mkdir (tmp, 0700), 0);
    assert_int_equal (hb_risk_ckpt_write (path, big, sizeof big, why, sizeof why), -1);
    assert_non_null (strstr (why, "open"));
    assert_non_null (strstr (why, "the previous checkpoint is kept"));
    assert_int_equal (rmdir (tmp), 0);
    assert_int_equal (s_read_file (path, got, sizeof got), sizeof old);
    assert_memory_equal (got, old, sizeof old);

    //  the disk takes part of it (a file size limit: EFBIG, as on a full disk)
    struct rlimit saved, small = { 1024, 0 };
    assert_int_equal (getrlimit (RLIMIT_FSIZE, &saved), 0);
    small.rlim_max = saved.rlim_max;
    void (*handler) (int) = signal (SIGXFSZ, SIG_IGN);
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &small), 0);
    int rc = hb_risk_ckpt_write (path, big, sizeof big, why, sizeof why);
    assert_int_equal (setrlimit (RLIMIT_FSIZE, &saved), 0);
    signal (SIGXFSZ, handler);
    assert_int_equal (rc, -1);
    assert_non_null (strstr (why, "write"));
    assert_int_equal (access (tmp, F_OK), -1);
    assert_int_equal (s_read_file (path, got, sizeof got), sizeof old);
    assert_memory_equal (got, old, sizeof old);

    //  and a good write replaces it whole
    assert_int_equal (hb_risk_ckpt_write (path, big, sizeof big, why, sizeof why), 0);
    assert_int_equal (s_read_file (path, got, sizeof got), sizeof big);
    assert_memory_equal (got, big, sizeof big);
    assert_int_equal (access (tmp, F_OK), -1);
    unlink (path);
}

//  The keeper: written every checkpoint_every_s of data time and at a
//  stop; restored at the first sample when young enough; too old, from
//  the future, damaged, missing or disabled: cold, counted
static void
test_keeper (void **state)
{
    (void) state;
    hb_config_t *cfg = s_fx.cfg;
    const char *path = cfg->risk.checkpoint;
    unlink (path);
    s_market_t m;
    s_market_init (&m, 4);
    hb_risk_t *a = s_engine ();
    hb_risk_ckpt_t *keeper = hb_risk_ckpt_new (cfg);
    assert_non_null (keeper);
    assert_int_equal (hb_risk_ckpt_restore (keeper, a, T0), HB_RISK_CKPT_MISSING);
    int written = 0;
    for (int k = 0; k < 40; k++) {
        s_step (&m, &a, 1, T0 + k * STEP);
        int rc = hb_risk_ckpt_sampled (keeper, a);
        assert_true (rc == 0 || rc == 1);
        written += rc;
        //  every 1 s = 10 samples of data time, counted from the first
        if (rc == 1)
            assert_int_equal (k % 10, 0);
    }
    assert_int_equal (written, 3);
    assert_int_equal (hb_risk_ckpt_save (keeper, a), 1);
    hb_risk_ckpt_destroy (&keeper);
    int64_t last = hb_risk_sample_time (a);
    uint64_t samples = hb_ewma_samples (hb_risk_ewma (a));

    //  restored 2 periods later: the counts go on, no warm-up
    hb_risk_t *b = s_engine ();
    keeper = hb_risk_ckpt_new (cfg);
    uint64_t restored = hb_metric_count (hb_metrics_counter (hb_metrics_process (),
        "hb_risk_checkpoint_restored_total", "estimator checkpoints restored at start", NULL, NULL));
    assert_int_equal (hb_risk_ckpt_restore (keeper, b, last + 2 * STEP), HB_RISK_CKPT_OK);
    assert_int_equal (hb_risk_ckpt_status (keeper), HB_RISK_CKPT_OK);
    //  once only
    assert_int_equal (hb_risk_ckpt_restore (keeper, b, last + 3 * STEP), HB_RISK_CKPT_OK);
    assert_int_equal (hb_metric_count (hb_metrics_counter (hb_metrics_process (),
        "hb_risk_checkpoint_restored_total", "estimator checkpoints restored at start", NULL, NULL)),
        restored + 1);
    assert_int_equal (hb_ewma_samples (hb_risk_ewma (b)), samples);
    s_step (&m, &b, 1, last + 2 * STEP);
    assert_int_equal (hb_ewma_samples (hb_risk_ewma (b)), samples + 1);
    static hb_risk_report_t report;
    hb_risk_report (b, last + 2 * STEP, &report);
    assert_false (report.flags & HB_RISK_WARMING_UP);
    assert_int_equal (report.samples, samples + 1);
    hb_risk_ckpt_destroy (&keeper);
    hb_risk_destroy (&b);

    //  too old: one second past checkpoint_max_age_s (60 s) of data time
    uint64_t before = s_discarded ("too_old");
    b = s_engine ();
    keeper = hb_risk_ckpt_new (cfg);
    assert_int_equal (hb_risk_ckpt_restore (keeper, b, last + 61000 * MS), HB_RISK_CKPT_TOO_OLD);
    assert_int_equal (hb_risk_samples (b), 0);
    assert_int_equal (s_discarded ("too_old"), before + 1);
    s_step (&m, &b, 1, last + 61000 * MS);
    hb_risk_report (b, last + 61000 * MS, &report);
    assert_true (report.flags & HB_RISK_WARMING_UP);
    hb_risk_ckpt_destroy (&keeper);
    hb_risk_destroy (&b);

    //  at its limit it is still taken
    b = s_engine ();
    keeper = hb_risk_ckpt_new (cfg);
    assert_int_equal (hb_risk_ckpt_restore (keeper, b, last + 60000 * MS), HB_RISK_CKPT_OK);
    hb_risk_ckpt_destroy (&keeper);
    hb_risk_destroy (&b);

    //  from the future (the clock went back): refused
    before = s_discarded ("future");
    b = s_engine ();
    keeper = hb_risk_ckpt_new (cfg);
    assert_int_equal (hb_risk_ckpt_restore (keeper, b, last), HB_RISK_CKPT_FUTURE);
    assert_int_equal (s_discarded ("future"), before + 1);
    hb_risk_ckpt_destroy (&keeper);
    hb_risk_destroy (&b);

    //  one bit flipped on disk: damaged, counted, cold
    static uint8_t buf [HB_RISK_CKPT_MAX];
    size_t size = s_read_file (path, buf, sizeof buf);
    buf [size / 2] ^= 0x10;
    s_write_file (path, buf, size);
    before = s_discarded ("damaged");
    b = s_engine ();
    keeper = hb_risk_ckpt_new (cfg);
    assert_int_equal (hb_risk_ckpt_restore (keeper, b, last + STEP), HB_RISK_CKPT_DAMAGED);
    assert_int_equal (s_discarded ("damaged"), before + 1);
    assert_int_equal (hb_risk_samples (b), 0);
    //  a stop before any sample leaves the file as found
    assert_int_equal (hb_risk_ckpt_save (keeper, b), 0);
    hb_risk_ckpt_destroy (&keeper);
    hb_risk_destroy (&b);

    //  disabled: max age 0, or a replay; neither read nor written
    cfg->risk.checkpoint_max_age_s = 0;
    b = s_engine ();
    keeper = hb_risk_ckpt_new (cfg);
    assert_int_equal (hb_risk_ckpt_restore (keeper, b, last + STEP), HB_RISK_CKPT_DISABLED);
    s_step (&m, &b, 1, last + STEP);
    assert_int_equal (hb_risk_ckpt_save (keeper, b), 0);
    hb_risk_ckpt_destroy (&keeper);
    hb_risk_destroy (&b);
    cfg->risk.checkpoint_max_age_s = 60;
    b = s_engine ();
    keeper = hb_risk_ckpt_new (cfg);
    hb_risk_ckpt_disable (keeper, "a test");
    assert_int_equal (hb_risk_ckpt_restore (keeper, b, last + STEP), HB_RISK_CKPT_DISABLED);
    assert_int_equal (hb_risk_samples (b), 0);
    hb_risk_ckpt_destroy (&keeper);
    hb_risk_destroy (&b);
    static uint8_t now [HB_RISK_CKPT_MAX];
    assert_int_equal (s_read_file (path, now, sizeof now), size);
    assert_memory_equal (now, buf, size);
    hb_risk_destroy (&a);
    unlink (path);
}

//  The first return after a restore spans the gap: k <= 10 periods enter
//  as one return scaled by 1/sqrt(k); a longer gap only re-anchors
static void
test_gap (void **state)
{
    (void) state;
    s_market_t m;
    s_market_init (&m, 5);
    hb_risk_t *a = s_warm (&m);
    static hb_risk_state_t saved;
    hb_risk_export (a, &saved);
    int64_t last = saved.sample_ns;
    double px [2] = { m.px [0] * 1.01, m.px [1] * 0.98 };

    //  4 periods: the estimator as if one return r / 2 had come
    hb_risk_t *b = s_engine ();
    assert_int_equal (hb_risk_import (b, &saved), 0);
    int64_t t = last + 4 * STEP;
    s_tick (b, "BTC-USD", px [0], t - MS);
    s_tick (b, "ETH-USD", px [1], t - MS);
    assert_int_equal (hb_risk_sample (b, t), 2);
    hb_ewma_t *expect = hb_ewma_new (2, s_fx.cfg->risk.lambda);
    assert_int_equal (hb_ewma_load (expect, saved.cov, saved.obs, saved.ewma_samples), 0);
    double r [2];
    for (int i = 0; i < 2; i++) {
        bool stale;
        double index = hb_risk_index (b, i, &stale);
        assert_false (stale);
        r [i] = log (index / saved.last_px [i]) / 2;
    }
    hb_ewma_update (expect, r, NULL);
    assert_memory_equal (hb_ewma_cov (hb_risk_ewma (b)), hb_ewma_cov (expect), 4 * sizeof (double));
    assert_int_equal (hb_ewma_samples (hb_risk_ewma (b)), saved.ewma_samples + 1);
    hb_risk_destroy (&b);

    //  11 periods: no return, the prices re-anchored; the next sample is
    //  an ordinary one-period return from them
    b = s_engine ();
    assert_int_equal (hb_risk_import (b, &saved), 0);
    t = last + 11 * STEP;
    s_tick (b, "BTC-USD", px [0], t - MS);
    s_tick (b, "ETH-USD", px [1], t - MS);
    assert_int_equal (hb_risk_sample (b, t), 0);
    assert_int_equal (hb_ewma_samples (hb_risk_ewma (b)), saved.ewma_samples);
    assert_memory_equal (hb_ewma_cov (hb_risk_ewma (b)), saved.cov, 4 * sizeof (double));
    assert_int_equal (hb_risk_samples (b), saved.samples + 1);
    double anchor [2] = { hb_risk_index (b, 0, NULL), hb_risk_index (b, 1, NULL) };
    s_tick (b, "BTC-USD", px [0] * 1.001, t + STEP - MS);
    s_tick (b, "ETH-USD", px [1] * 1.002, t + STEP - MS);
    assert_int_equal (hb_risk_sample (b, t + STEP), 2);
    assert_int_equal (hb_ewma_load (expect, saved.cov, saved.obs, saved.ewma_samples), 0);
    for (int i = 0; i < 2; i++)
        r [i] = log (hb_risk_index (b, i, NULL) / anchor [i]);
    hb_ewma_update (expect, r, NULL);
    assert_memory_equal (hb_ewma_cov (hb_risk_ewma (b)), hb_ewma_cov (expect), 4 * sizeof (double));
    hb_risk_destroy (&b);

    //  the estimator refuses a state it could never reach
    saved.cov [1] = saved.cov [2] + 1;
    b = s_engine ();
    assert_int_equal (hb_risk_import (b, &saved), -1);
    assert_int_equal (hb_risk_samples (b), 0);
    hb_risk_destroy (&b);
    hb_ewma_destroy (&expect);
    hb_risk_destroy (&a);
}

//  A correlated walk: ETH's shock is rho x BTC's plus the rest
static void
s_step_corr (s_market_t *m, hb_risk_t **risks, int n, int64_t t, double rho)
{
    double z1 = s_uniform (m) - 0.5, z2 = s_uniform (m) - 0.5;
    m->px [0] *= exp (0.002 * z1);
    m->px [1] *= exp (0.002 * (rho * z1 + sqrt (1 - rho * rho) * z2));
    for (int i = 0; i < n; i++) {
        s_tick (risks [i], "BTC-USD", m->px [0], t - MS);
        s_tick (risks [i], "ETH-USD", m->px [1], t - MS);
        hb_risk_sample (risks [i], t);
    }
}

//  A break under way survives a restart: the pair's detector, checkpointed
//  while shifted after its alarm, goes on in the restored engine bit for
//  bit like in the one that wrote it (same views, same events: the alarm
//  is not raised again, the state changes back to stable at the same
//  sample), where an engine started cold has forgotten it
static void
test_regime_kept (void **state)
{
    (void) state;
    s_market_t m;
    s_market_init (&m, 6);
    hb_risk_t *a = s_engine ();
    int k = 0;
    for (; k < 300; k++)
        s_step_corr (&m, &a, 1, T0 + k * STEP, 0.9);
    hb_regime_view_t va, vb;
    hb_risk_regime_view (a, 0, &va);
    assert_int_equal (va.alarms, 0);
    assert_int_equal (va.state, HB_REGIME_STABLE);
    int alarm_at = 0;
    for (; k < 600 && !alarm_at; k++) {
        s_step_corr (&m, &a, 1, T0 + k * STEP, -0.6);
        hb_risk_regime_view (a, 0, &va);
        if (va.alarms == 1)
            alarm_at = k;
    }
    assert_true (alarm_at > 300);
    for (int i = 0; i < 5; i++, k++)
        s_step_corr (&m, &a, 1, T0 + k * STEP, -0.6);
    hb_risk_regime_view (a, 0, &va);
    assert_int_equal (va.state, HB_REGIME_SHIFTED);
    assert_int_equal (va.kind, HB_REGIME_CORR_DOWN);

    static hb_risk_state_t out, in;
    static uint8_t buf [HB_RISK_CKPT_MAX];
    hb_risk_export (a, &out);
    assert_int_equal (out.n_pairs, 1);
    int size = hb_risk_ckpt_encode (s_fx.cfg, &out, 0, buf, sizeof buf);
    assert_true (size > 0);
    char why [256] = "";
    assert_int_equal (hb_risk_ckpt_decode (s_fx.cfg, buf, (size_t) size, &in, NULL, why, sizeof why),
                      HB_RISK_CKPT_OK);
    hb_risk_t *b = s_engine (), *cold = s_engine ();
    assert_int_equal (hb_risk_import (b, &in), 0);
    hb_risk_regime_view (b, 0, &vb);
    assert_memory_equal (&va, &vb, sizeof va);
    int back_to_stable = 0;
    hb_risk_t *both [2] = { a, b };
    for (int i = 0; i < 100; i++, k++) {
        s_step_corr (&m, both, 2, T0 + k * STEP, -0.6);
        s_step_corr (&m, &cold, 1, T0 + k * STEP, -0.6);
        hb_risk_regime_view (a, 0, &va);
        hb_risk_regime_view (b, 0, &vb);
        assert_memory_equal (&va, &vb, sizeof va);
        const hb_risk_regime_t *ea, *eb;
        int na = hb_risk_regime_events (a, &ea), nb = hb_risk_regime_events (b, &eb);
        assert_int_equal (na, nb);
        if (na > 0)
            assert_memory_equal (ea, eb, (size_t) na * sizeof *ea);
        for (int e = 0; e < nb; e++) {
            assert_int_not_equal (eb [e].state, HB_REGIME_SHIFTED);
            back_to_stable += eb [e].state == HB_REGIME_STABLE;
        }
        static hb_risk_report_t ra, rb;
        hb_risk_report (a, T0 + k * STEP, &ra);
        hb_risk_report (b, T0 + k * STEP, &rb);
        assert_memory_equal (&ra, &rb, sizeof ra);
    }
    assert_int_equal (vb.alarms, 1);
    assert_int_equal (back_to_stable, 1);
    //  the cold one knows of no alarm (and cannot raise one before warmup)
    hb_regime_view_t vc;
    hb_risk_regime_view (cold, 0, &vc);
    assert_int_equal (vc.alarms, 0);
    assert_int_equal (vc.last_alarm_at, 0);

    //  a detector state it could never reach is refused, with nothing taken
    hb_risk_destroy (&b);
    b = s_engine ();
    in.regimes [0].f [5] = 1.5;         //  the mean angle statistic, in [-1, 1]
    assert_int_equal (hb_risk_import (b, &in), -1);
    assert_int_equal (hb_risk_samples (b), 0);
    assert_int_equal (hb_ewma_samples (hb_risk_ewma (b)), 0);
    hb_risk_regime_view (b, 0, &vb);
    assert_int_equal (vb.samples, 0);
    hb_risk_destroy (&a);
    hb_risk_destroy (&b);
    hb_risk_destroy (&cold);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_round_trip_exact),
        cmocka_unit_test (test_refused_on_config_change),
        cmocka_unit_test (test_damage_every_byte),
        cmocka_unit_test (test_failed_write_keeps_old),
        cmocka_unit_test (test_keeper),
        cmocka_unit_test (test_gap),
        cmocka_unit_test (test_regime_kept),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
