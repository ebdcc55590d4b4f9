/*  hb_risk_ckpt: hb-risk's estimator checkpoint, so that a restarted
    hb-risk hedges within a sample instead of after min_samples of warm-up
    (docs/RISK.md, Checkpoint).

    What is kept (hb_risk_state_t): the EWMA covariance, its per-asset
    observation counts and sample counts, the last index price of each
    asset and whether it was fresh, the data time of the last sample, and
    each pair's correlation-regime detector (its statistics, state, last
    alarm, fast and slow covariances: hb_regime_saved_t) with whether its
    proxy is dropped; with what it must fit: the asset list (names, in
    order), lambda, sample_ms and the detectors' parameters, the settings
    that shape that state. Positions are not kept: the aggregator owns
    them and hands them over in its snapshot.

    The file (little-endian):
        "HBRCKPT\n"  u32 version (3)  u32 body size  body  u32 CRC-32C
    the CRC over everything before it. Body: i64 wall time written, i64
    sample data time, u64 grid samples, u64 EWMA samples, u32 sample_ms,
    f64 lambda, u32 n, n x (u8 name length, name, f64 last price, u8 fresh,
    u64 observations), n x n f64 covariance (row-major); then the
    detectors (since version 2): f64 threshold, shift_z, lambda_ref, lambda_fast,
    lambda_slow, u32 warmup, hold, u32 layout (HB_REGIME_SAVED_VERSION),
    u32 pairs (n (n - 1) / 2), per pair in corr order u8 dropped,
    HB_REGIME_SAVED_U64 u64, HB_REGIME_SAVED_F64 f64 (version 3: the
    angle detectors of layout 2). A file of version 1 or 2 is discarded as
    damaged (counted; a cold start).

    Written atomically (a temp file beside it, fsync, rename, fsync of the
    directory): a reader sees the old file or the new one, whole, even
    after a crash or a failed write. A damaged checkpoint loses nothing:
    the estimator rebuilds from the market, so the rule is discard, warn,
    count, start cold.

    The keeper (hb_risk_ckpt_new) is what hb-risk on the bus uses: it
    restores at the first sample (hb_risk_ckpt_restore), when the file is
    there, whole, made for this config and younger than
    checkpoint_max_age_s in data time (the gap the estimator missed); it
    writes every checkpoint_every_s of data time (hb_risk_ckpt_sampled)
    and at a clean stop (hb_risk_ckpt_save). Counted in
    hb_risk_checkpoint_*_total (docs/OPERATIONS.md, Metrics).             */
#ifndef HB_RISK_CKPT_H
#define HB_RISK_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "hb_config.h"
#include "hb_risk.h"

#define HB_RISK_CKPT_VERSION    3
//  The largest file: HB_RISK_MAX_ASSETS assets with the longest names and
//  their pairs' detectors (441 bytes per pair: about 14.9 MB; 8.8 MB for
//  200 assets)
#define HB_RISK_CKPT_PAIR       (1 + 8 * (HB_REGIME_SAVED_U64 + HB_REGIME_SAVED_F64))
#define HB_RISK_CKPT_MAX        (20 + 48 + HB_RISK_MAX_ASSETS * (1 + HB_NAME_MAX + 17) \
                                 + HB_RISK_MAX_ASSETS * HB_RISK_MAX_ASSETS * 8 \
                                 + 56 + HB_RISK_CORR_MAX * HB_RISK_CKPT_PAIR)

typedef enum {
    HB_RISK_CKPT_OK = 0,
    HB_RISK_CKPT_MISSING,           //  no file (a first start)
    HB_RISK_CKPT_UNREADABLE,        //  the file is there but cannot be read
    HB_RISK_CKPT_DAMAGED,           //  magic, version, size, CRC or content wrong
    HB_RISK_CKPT_CONFIG,            //  made for other assets, lambda or sample_ms
    HB_RISK_CKPT_TOO_OLD,           //  older than checkpoint_max_age_s
    HB_RISK_CKPT_FUTURE,            //  stamped after the sample it would precede
    HB_RISK_CKPT_DISABLED,          //  checkpoint_max_age_s 0, no path, or a replay
    HB_RISK_CKPT_PENDING            //  not looked at yet (no sample yet)
} hb_risk_ckpt_status_t;

//  "ok", "missing", "unreadable", "damaged", "config", "too_old", "future",
//  "disabled", "pending" (the metrics' reason label).
const char *hb_risk_ckpt_status_name (hb_risk_ckpt_status_t status);

//  Encodes state for cfg, written at wall_ns, into buf. Returns the size
//  (<= HB_RISK_CKPT_MAX), or -1 when it does not fit or state->n is not
//  cfg's number of assets.
int hb_risk_ckpt_encode (const hb_config_t *cfg, const hb_risk_state_t *state, int64_t wall_ns,
                         uint8_t *buf, size_t size);

//  Decodes a file's bytes for cfg into *state (and *wall_ns, may be NULL):
//  its covariance, detectors and dropped flags past n x n and n (n - 1) / 2
//  are left as they were.
//  Returns HB_RISK_CKPT_OK, DAMAGED (why says what: "CRC mismatch", ...)
//  or CONFIG (why says which setting: "lambda 0.94, now 0.97", "regime
//  threshold 8, now 10"). Never
//  reads outside data.
hb_risk_ckpt_status_t hb_risk_ckpt_decode (const hb_config_t *cfg, const void *data, size_t size,
                                           hb_risk_state_t *state, int64_t *wall_ns,
                                           char *why, size_t why_size);

//  Replaces path with size bytes of data atomically (above). Returns 0, or
//  -1 with the reason in why; the old file is then untouched.
int hb_risk_ckpt_write (const char *path, const void *data, size_t size, char *why, size_t why_size);

//  Reads and decodes path: OK, MISSING, UNREADABLE, DAMAGED or CONFIG.
hb_risk_ckpt_status_t hb_risk_ckpt_read (const hb_config_t *cfg, const char *path,
                                         hb_risk_state_t *state, int64_t *wall_ns,
                                         char *why, size_t why_size);

//  ---------------------------------------------------------------------------
//  The keeper

typedef struct _hb_risk_ckpt_t hb_risk_ckpt_t;

//  A keeper for cfg's risk settings (cfg must outlive it). NULL only when
//  out of memory.
hb_risk_ckpt_t *hb_risk_ckpt_new (const hb_config_t *cfg);

//  NULL-safe; nulls *self_p.
void hb_risk_ckpt_destroy (hb_risk_ckpt_t **self_p);

//  Neither read nor written from now on (a replay: it starts cold, so that
//  it decides like the run it replays); why goes into the log line.
void hb_risk_ckpt_disable (hb_risk_ckpt_t *self, const char *why);

//  Before the first sample of risk, at data time t_ns: reads the file and
//  imports it into risk when it fits and is not older than the limit at
//  t_ns; else says why in one log line and counts the discard. Later calls
//  do nothing. Returns the outcome.
hb_risk_ckpt_status_t hb_risk_ckpt_restore (hb_risk_ckpt_t *self, hb_risk_t *risk, int64_t t_ns);

//  After each sample of risk: writes the checkpoint when checkpoint_every_s
//  of data time have passed since the last one. Returns 1 written, 0 not
//  due (or disabled), -1 the write failed (logged, counted; the previous
//  file stays and the next sample tries again).
int hb_risk_ckpt_sampled (hb_risk_ckpt_t *self, const hb_risk_t *risk);

//  Writes the checkpoint now (a clean stop). Nothing when disabled or when
//  risk has not sampled yet (the file found at start, if any, stays).
//  Returns 1 written, 0 nothing to do, -1 failed (logged, counted).
int hb_risk_ckpt_save (hb_risk_ckpt_t *self, const hb_risk_t *risk);

//  The outcome of hb_risk_ckpt_restore (PENDING before it ran).
hb_risk_ckpt_status_t hb_risk_ckpt_status (const hb_risk_ckpt_t *self);

#endif
