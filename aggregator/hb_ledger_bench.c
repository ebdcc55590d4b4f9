/*  hb_ledger bench: fills per second through the ledger (encode, journal
    append, dedup, apply) with fsync per record and with batched fsync
    (interval 10 ms), and the recovery time (open + replay + rebuild of the
    fill id set and the book) of a journal of 1,000,000 fills.
    Usage: hb_ledger_bench [DIR] (default /tmp); N_RECOVERY env overrides
    the million.                                                           */
#include "hb_ledger.h"
#include "hb_log.h"
#include "hb_time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static hb_config_t *
s_config (void)
{
    hb_config_t *cfg = calloc (1, sizeof *cfg);
    cfg->n_assets = 1;
    strcpy (cfg->assets [0].name, "BTC");
    cfg->assets [0].price = 65000;
    cfg->aggregator.stale_ms = 5000;
    cfg->n_venues = 1;
    hb_venue_cfg_t *venue = &cfg->venues [0];
    strcpy (venue->name, "alpha");
    venue->initial_margin = 0.1;
    venue->maintenance_margin = 0.05;
    hb_venue_cfg_alloc (venue, 1, 1);
    venue->n_instruments = 1;
    strcpy (venue->instruments [0].symbol, "BTC-PERP");
    venue->instruments [0].kind = HB_KIND_LINEAR_PERP;
    venue->instruments [0].multiplier = 1;
    return cfg;
}

static void
s_fill (hb_fill_t *fill, uint64_t n)
{
    memset (fill, 0, sizeof *fill);
    strcpy (fill->venue, "alpha");
    strcpy (fill->symbol, "BTC-PERP");
    snprintf (fill->client_id, sizeof fill->client_id, "c%llu", (unsigned long long) n);
    snprintf (fill->order_id, sizeof fill->order_id, "alpha-%llu", (unsigned long long) n);
    snprintf (fill->fill_id, sizeof fill->fill_id, "alpha-%llu-0", (unsigned long long) n);
    fill->side = n % 3 ? HB_SIDE_BUY : HB_SIDE_SELL;
    fill->liquidity = 2;
    fill->px = 65000 + (double) (n % 100);
    fill->qty = 0.001 * (double) (n % 7 + 1);
    fill->fee = 0.01;
    strcpy (fill->fee_asset, "USD");
}

//  Removes a journal and the marker that says it existed, so that the next
//  run starts a fresh one on purpose (hb_journal_open_owned).
static void
s_unlink (const char *path)
{
    char marker [4096];
    snprintf (marker, sizeof marker, "%s.created", path);
    unlink (path);
    unlink (marker);
}

//  Appends n fills; returns fills per second.
static double
s_run (const hb_config_t *cfg, const char *path, hb_journal_policy_t policy, uint64_t n, uint64_t *syncs)
{
    s_unlink (path);
    hb_ledger_t *ledger = hb_ledger_new (cfg, path, policy, 10);
    if (!ledger)
        exit (1);
    hb_fill_t fill;
    int64_t t0 = hb_mono_ns ();
    for (uint64_t i = 0; i < n; i++) {
        s_fill (&fill, i);
        if (hb_ledger_fill (ledger, &fill, NULL) != 1)
            exit (1);
    }
    hb_journal_sync (hb_ledger_journal (ledger));
    int64_t t1 = hb_mono_ns ();
    *syncs = hb_journal_syncs (hb_ledger_journal (ledger));
    hb_ledger_destroy (&ledger);
    return (double) n / ((double) (t1 - t0) / 1e9);
}

int
main (int argc, char *argv [])
{
    hb_log_init ("hb_ledger_bench", HB_LOG_WARN);
    const char *dir = argc > 1 ? argv [1] : "/tmp";
    char path [512];
    snprintf (path, sizeof path, "%s/hb_ledger_bench.%d.journal", dir, (int) getpid ());
    hb_config_t *cfg = s_config ();
    uint64_t syncs;

    double always = s_run (cfg, path, HB_JOURNAL_FSYNC_ALWAYS, 2000, &syncs);
    printf ("ledger fsync=always:      %10.0f fills/s (2000 fills, %llu fdatasync)\n",
            always, (unsigned long long) syncs);
    double batched = s_run (cfg, path, HB_JOURNAL_FSYNC_INTERVAL, 200000, &syncs);
    printf ("ledger fsync=interval 10ms: %8.0f fills/s (200000 fills, %llu fdatasync)\n",
            batched, (unsigned long long) syncs);

    const char *env = getenv ("N_RECOVERY");
    uint64_t n = env ? strtoull (env, NULL, 10) : 1000000;
    s_run (cfg, path, HB_JOURNAL_FSYNC_NEVER, n, &syncs);
    int64_t t0 = hb_mono_ns ();
    hb_ledger_t *ledger = hb_ledger_new (cfg, path, HB_JOURNAL_FSYNC_NEVER, 0);
    int64_t t1 = hb_mono_ns ();
    hb_ledger_stats_t stats;
    hb_ledger_stats (ledger, &stats);
    printf ("recovery: %llu fills (%llu bytes) replayed in %.0f ms (%.0f fills/s)\n",
            (unsigned long long) stats.replayed,
            (unsigned long long) hb_journal_size (hb_ledger_journal (ledger)),
            (double) (t1 - t0) / 1e6, (double) stats.replayed / ((double) (t1 - t0) / 1e9));
    int rc = stats.replayed == n ? 0 : 1;
    hb_ledger_destroy (&ledger);
    s_unlink (path);
    hb_config_destroy (&cfg);
    return rc;
}
