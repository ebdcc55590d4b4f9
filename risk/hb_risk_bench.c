/*  hb_risk bench: the per-sample work of the risk process, an EWMA
    covariance update plus a minimum-variance hedge plan (half of the
    assets hedgeable, every asset exposed), for N = 10, 50 and 200 assets,
    beside the same computation in numpy (Debian's /usr/bin/python3, timed
    inside python, run from here in the same run), as a ratio.

    Returns come from a one-factor model (so Σ is well conditioned), drawn
    once into a ring of 1,024 samples that both sides replay identically in
    shape; λ = 0.995 and a warm-up over the whole ring before timing. numpy
    solves with np.linalg.solve (LAPACK LU), the idiomatic call; we factor
    by Cholesky. Each side runs for about one second per N.                */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hb_ewma.h"
#include "hb_hedge.h"
#include "hb_risk_testing.h"
#include "hb_time.h"

#define RING        1024
#define LAMBDA      0.995
#define RUN_NS      (HB_NS_PER_SEC)

static const char *s_python =
    "import sys, time\n"
    "import numpy as np\n"
    "n = int(sys.argv[1]); lam = 0.995; K = 1024\n"
    "rng = np.random.RandomState(1)\n"
    "beta = rng.uniform(0.5, 1.5, n)\n"
    "R = (np.outer(rng.standard_normal(K), beta) + 0.5 * rng.standard_normal((K, n))) * 0.01\n"
    "e = rng.uniform(-1e6, 1e6, n); H = np.arange(0, n, 2); N = np.arange(1, n, 2)\n"
    "S = np.outer(R[0], R[0])\n"
    "for r in R[1:]:\n"
    "    S = lam * S + (1 - lam) * np.outer(r, r)\n"
    "count = 0; t0 = time.perf_counter(); deadline = t0 + 1.0\n"
    "while True:\n"
    "    r = R[count % K]\n"
    "    S *= lam; S += (1 - lam) * np.outer(r, r)\n"
    "    x = np.linalg.solve(S[np.ix_(H, H)], S[np.ix_(H, N)] @ e[N])\n"
    "    h = -e[H] - x\n"
    "    res = e.copy(); res[H] = -x\n"
    "    resid = np.sqrt(res @ S @ res); unhedged = np.sqrt(e @ S @ e)\n"
    "    count += 1\n"
    "    if count % 8 == 0 and time.perf_counter() > deadline: break\n"
    "print('%.3f' % ((time.perf_counter() - t0) / count * 1e6))\n";

//  µs per sample in numpy, or -1 when python or numpy is missing
static double
s_numpy_us (int n)
{
    char path [] = "/tmp/hb-risk-bench-XXXXXX";
    int fd = mkstemp (path);
    if (fd < 0)
        return -1;
    FILE *script = fdopen (fd, "w");
    fputs (s_python, script);
    fclose (script);
    char command [128];
    snprintf (command, sizeof command, "/usr/bin/python3 %s %d 2>/dev/null", path, n);
    FILE *pipe = popen (command, "r");
    double us = -1;
    if (pipe) {
        if (fscanf (pipe, "%lf", &us) != 1)
            us = -1;
        if (pclose (pipe) != 0)
            us = -1;
    }
    remove (path);
    return us;
}

static int
s_bench (int n)
{
    hb_ewma_t *ewma = hb_ewma_new (n, LAMBDA);
    hb_hedge_t *plan = hb_hedge_new (n);
    double *ring = malloc ((size_t) RING * n * sizeof *ring);
    double *beta = malloc ((size_t) n * sizeof *beta);
    double *e = malloc ((size_t) n * sizeof *e);
    double *h = malloc ((size_t) n * sizeof *h);
    bool *hedgeable = malloc ((size_t) n * sizeof *hedgeable);
    if (!ewma || !plan || !ring || !beta || !e || !h || !hedgeable)
        return -1;
    uint64_t seed = 1;
    for (int i = 0; i < n; i++) {
        beta [i] = 0.5 + (hb_risk_testing_next (&seed) >> 11) / 9007199254740992.0;
        e [i] = ((hb_risk_testing_next (&seed) >> 11) / 9007199254740992.0 - 0.5) * 2e6;
        hedgeable [i] = i % 2 == 0;
    }
    for (int t = 0; t < RING; t++) {
        double f = hb_risk_testing_normal (&seed);
        for (int i = 0; i < n; i++)
            ring [(size_t) t * n + i] = (beta [i] * f + 0.5 * hb_risk_testing_normal (&seed)) * 0.01;
        hb_ewma_update (ewma, ring + (size_t) t * n, NULL);
    }
    hb_hedge_result_t result = {0};
    uint64_t count = 0, ridged = 0;
    int64_t start = hb_mono_ns (), now = start;
    while (now - start < RUN_NS) {
        hb_ewma_update (ewma, ring + (count % RING) * n, NULL);
        hb_hedge_plan (plan, hb_ewma_cov (ewma), (size_t) n, e, hedgeable, h, NULL, &result);
        ridged += result.ridge > 0.0;
        count++;
        if (count % 8 == 0)
            now = hb_mono_ns ();
    }
    double c_us = (double) (now - start) / 1e3 / (double) count;
    double numpy_us = s_numpy_us (n);
    if (numpy_us > 0)
        printf ("risk sample n=%d c=%.2f us numpy=%.2f us ratio=%.1f (hedge set %d, "
                "effectiveness %.3f, ridged %llu of %llu)\n", n, c_us, numpy_us, numpy_us / c_us,
                result.hedged, result.effectiveness, (unsigned long long) ridged,
                (unsigned long long) count);
    else
        printf ("risk sample n=%d c=%.2f us numpy=unavailable (/usr/bin/python3 with numpy)\n",
                n, c_us);
    hb_ewma_destroy (&ewma);
    hb_hedge_destroy (&plan);
    free (ring);
    free (beta);
    free (e);
    free (h);
    free (hedgeable);
    return 0;
}

int
main (void)
{
    const int sizes [] = {10, 50, 200};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes [0]; i++)
        if (s_bench (sizes [i]) != 0) {
            fprintf (stderr, "hb_risk_bench: out of memory\n");
            return 1;
        }
    return 0;
}
