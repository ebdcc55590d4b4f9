/*  hb_risk_ckpt: see hb_risk_ckpt.h.                                      */
#include "hb_risk_ckpt.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb_crc32c.h"
#include "hb_log.h"
#include "hb_metrics.h"
#include "hb_time.h"

#define S_MAGIC         "HBRCKPT\n"
#define S_HEAD          16          //  magic, version, body size
#define S_NS_PER_S      1000000000LL

const char *
hb_risk_ckpt_status_name (hb_risk_ckpt_status_t status)
{
    static const char *const names [] = {
        "ok", "missing", "unreadable", "damaged", "config", "too_old", "future", "disabled", "pending"
    };
    return (unsigned) status < sizeof names / sizeof names [0] ? names [status] : "?";
}

//  ---------------------------------------------------------------------------
//  Codec: explicit little-endian, doubles by their bits, so that a round
//  trip is exact and the file means the same on any host

typedef struct {
    uint8_t *buf;
    size_t   size, pos;
    bool     full;
} s_writer_t;

static void
s_put (s_writer_t *w, uint64_t value, int bytes)
{
    if (w->pos + (size_t) bytes > w->size) {
        w->full = true;
        return;
    }
    for (int i = 0; i < bytes; i++)
        w->buf [w->pos++] = (uint8_t) (value >> (8 * i));
}

static void
s_put_f64 (s_writer_t *w, double value)
{
    uint64_t bits;
    memcpy (&bits, &value, sizeof bits);
    s_put (w, bits, 8);
}

typedef struct {
    const uint8_t *data;
    size_t         size, pos;
    bool           short_;      //  read past the end
} s_reader_t;

static uint64_t
s_get (s_reader_t *r, int bytes)
{
    if (r->pos + (size_t) bytes > r->size) {
        r->short_ = true;
        return 0;
    }
    uint64_t value = 0;
    for (int i = 0; i < bytes; i++)
        value |= (uint64_t) r->data [r->pos++] << (8 * i);
    return value;
}

static double
s_get_f64 (s_reader_t *r)
{
    uint64_t bits = s_get (r, 8);
    double value;
    memcpy (&value, &bits, sizeof value);
    return value;
}

int
hb_risk_ckpt_encode (const hb_config_t *cfg, const hb_risk_state_t *state, int64_t wall_ns,
                     uint8_t *buf, size_t size)
{
    assert (cfg);
    assert (state);
    int n = state->n;
    if (n != cfg->n_assets || n < 1 || n > HB_RISK_MAX_ASSETS)
        return -1;
    s_writer_t w = { .buf = buf, .size = size };
    if (size < S_HEAD)
        return -1;
    memcpy (buf, S_MAGIC, 8);
    w.pos = 8;
    s_put (&w, HB_RISK_CKPT_VERSION, 4);
    s_put (&w, 0, 4);                   //  body size, below
    s_put (&w, (uint64_t) wall_ns, 8);
    s_put (&w, (uint64_t) state->sample_ns, 8);
    s_put (&w, state->samples, 8);
    s_put (&w, state->ewma_samples, 8);
    s_put (&w, (uint64_t) cfg->risk.sample_ms, 4);
    s_put_f64 (&w, cfg->risk.lambda);
    s_put (&w, (uint64_t) n, 4);
    for (int a = 0; a < n; a++) {
        const char *name = cfg->assets [a].name;
        size_t len = strnlen (name, HB_NAME_MAX - 1);
        s_put (&w, len, 1);
        for (size_t i = 0; i < len; i++)
            s_put (&w, (uint8_t) name [i], 1);
        s_put_f64 (&w, state->last_px [a]);
        s_put (&w, state->last_fresh [a] ? 1 : 0, 1);
        s_put (&w, state->obs [a], 8);
    }
    for (int i = 0; i < n * n; i++)
        s_put_f64 (&w, state->cov [i]);
    int pairs = n * (n - 1) / 2;
    if (state->n_pairs != pairs)
        return -1;
    hb_regime_params_t params;
    hb_risk_regime_params (&cfg->risk, &params);
    s_put_f64 (&w, params.threshold);
    s_put_f64 (&w, params.shift_z);
    s_put_f64 (&w, params.lambda_ref);
    s_put_f64 (&w, params.lambda_fast);
    s_put_f64 (&w, params.lambda_slow);
    s_put (&w, (uint64_t) params.warmup, 4);
    s_put (&w, (uint64_t) params.hold, 4);
    s_put (&w, HB_REGIME_SAVED_VERSION, 4);
    s_put (&w, (uint64_t) pairs, 4);
    for (int k = 0; k < pairs && !w.full; k++) {
        const hb_regime_saved_t *saved = &state->regimes [k];
        s_put (&w, state->pair_dropped [k] ? 1 : 0, 1);
        for (int i = 0; i < HB_REGIME_SAVED_U64; i++)
            s_put (&w, saved->u [i], 8);
        for (int i = 0; i < HB_REGIME_SAVED_F64; i++)
            s_put_f64 (&w, saved->f [i]);
    }
    if (w.full || w.pos + 4 > size)
        return -1;
    size_t body = w.pos - S_HEAD;
    for (int i = 0; i < 4; i++)
        buf [12 + i] = (uint8_t) (body >> (8 * i));
    uint32_t crc = hb_crc32c (0, buf, w.pos);
    s_put (&w, crc, 4);
    return (int) w.pos;
}

//  One asset list as text, for the log line ("BTC,ETH")
static void
s_names (char *out, size_t size, int n, char names [][HB_NAME_MAX])
{
    size_t len = 0;
    out [0] = 0;
    for (int a = 0; a < n && len < size; a++) {
        int k = snprintf (out + len, size - len, "%s%s", a ? "," : "", names [a]);
        if (k < 0)
            break;
        len += (size_t) k;
    }
}

hb_risk_ckpt_status_t
hb_risk_ckpt_decode (const hb_config_t *cfg, const void *data, size_t size, hb_risk_state_t *state,
                     int64_t *wall_ns, char *why, size_t why_size)
{
    assert (cfg);
    assert (state);
    const uint8_t *bytes = (const uint8_t *) data;
    if (size < S_HEAD + 4 || memcmp (bytes, S_MAGIC, 8) != 0) {
        snprintf (why, why_size, size < S_HEAD + 4 ? "%zu bytes, too short for a checkpoint"
                                                   : "not a checkpoint (%zu bytes, no magic)", size);
        return HB_RISK_CKPT_DAMAGED;
    }
    s_reader_t r = { .data = bytes, .size = size, .pos = 8 };
    uint32_t version = (uint32_t) s_get (&r, 4);
    uint64_t body = s_get (&r, 4);
    //  the CRC first: a version or size read from a damaged file means nothing
    if (body != size - S_HEAD - 4) {
        snprintf (why, why_size, "truncated or extended: %zu bytes, the header says %llu",
                  size, (unsigned long long) (body + S_HEAD + 4));
        return HB_RISK_CKPT_DAMAGED;
    }
    uint32_t crc = hb_crc32c (0, bytes, size - 4);
    r.pos = size - 4;
    uint32_t stored = (uint32_t) s_get (&r, 4);
    if (crc != stored) {
        snprintf (why, why_size, "CRC mismatch (stored %08x, computed %08x)", stored, crc);
        return HB_RISK_CKPT_DAMAGED;
    }
    if (version != HB_RISK_CKPT_VERSION) {
        snprintf (why, why_size, "version %u, this hb-risk reads %d", version, HB_RISK_CKPT_VERSION);
        return HB_RISK_CKPT_DAMAGED;
    }
    r.size = size - 4;
    r.pos = S_HEAD;
    //  what comes before the covariance is small; the covariance and the
    //  detectors are written for n assets and their pairs only (the whole
    //  struct is megabytes: not cleared at every decode)
    memset (state, 0, offsetof (hb_risk_state_t, cov));
    int64_t wall = (int64_t) s_get (&r, 8);
    state->sample_ns = (int64_t) s_get (&r, 8);
    state->samples = s_get (&r, 8);
    state->ewma_samples = s_get (&r, 8);
    int sample_ms = (int) s_get (&r, 4);
    double lambda = s_get_f64 (&r);
    uint32_t n = (uint32_t) s_get (&r, 4);
    if (r.short_ || n < 1 || n > HB_RISK_MAX_ASSETS) {
        snprintf (why, why_size, "%u assets (1..%d)", n, HB_RISK_MAX_ASSETS);
        return HB_RISK_CKPT_DAMAGED;
    }
    char names [HB_RISK_MAX_ASSETS][HB_NAME_MAX];
    for (uint32_t a = 0; a < n; a++) {
        size_t len = (size_t) s_get (&r, 1);
        if (len >= HB_NAME_MAX)
            r.short_ = true;
        for (size_t i = 0; i < len && !r.short_; i++)
            names [a][i] = (char) s_get (&r, 1);
        names [a][len < HB_NAME_MAX ? len : 0] = 0;
        state->last_px [a] = s_get_f64 (&r);
        state->last_fresh [a] = s_get (&r, 1) != 0;
        state->obs [a] = s_get (&r, 8);
        if (!r.short_ && !(isfinite (state->last_px [a]) && state->last_px [a] >= 0)) {
            snprintf (why, why_size, "last price %g of asset %u", state->last_px [a], a);
            return HB_RISK_CKPT_DAMAGED;
        }
    }
    for (uint32_t i = 0; i < n * n; i++)
        state->cov [i] = s_get_f64 (&r);
    hb_regime_params_t saved, params;
    saved.threshold = s_get_f64 (&r);
    saved.shift_z = s_get_f64 (&r);
    saved.lambda_ref = s_get_f64 (&r);
    saved.lambda_fast = s_get_f64 (&r);
    saved.lambda_slow = s_get_f64 (&r);
    saved.warmup = (int) s_get (&r, 4);
    saved.hold = (int) s_get (&r, 4);
    uint32_t layout = (uint32_t) s_get (&r, 4);
    uint32_t pairs = (uint32_t) s_get (&r, 4);
    if (!r.short_ && (layout != HB_REGIME_SAVED_VERSION || pairs != n * (n - 1) / 2)) {
        snprintf (why, why_size, "detector layout %u with %u pairs, this hb-risk reads layout %d "
                  "with %u", layout, pairs, HB_REGIME_SAVED_VERSION, n * (n - 1) / 2);
        return HB_RISK_CKPT_DAMAGED;
    }
    for (uint32_t k = 0; k < pairs && !r.short_; k++) {
        state->pair_dropped [k] = s_get (&r, 1) != 0;
        for (int i = 0; i < HB_REGIME_SAVED_U64; i++)
            state->regimes [k].u [i] = s_get (&r, 8);
        for (int i = 0; i < HB_REGIME_SAVED_F64; i++)
            state->regimes [k].f [i] = s_get_f64 (&r);
    }
    state->n_pairs = (int) pairs;
    if (r.short_ || r.pos != r.size) {
        snprintf (why, why_size, "body of %llu bytes does not hold %u assets",
                  (unsigned long long) body, n);
        return HB_RISK_CKPT_DAMAGED;
    }
    state->n = (int) n;
    if (wall_ns)
        *wall_ns = wall;

    //  made for this config? Each setting that shapes the state, named
    char now [HB_RISK_MAX_ASSETS * HB_NAME_MAX], then [HB_RISK_MAX_ASSETS * HB_NAME_MAX];
    bool same = (int) n == cfg->n_assets;
    for (uint32_t a = 0; a < n && same; a++)
        same = strcmp (names [a], cfg->assets [a].name) == 0;
    if (!same) {
        char cfg_names [HB_MAX_ASSETS][HB_NAME_MAX];
        int m = cfg->n_assets < HB_MAX_ASSETS ? cfg->n_assets : HB_MAX_ASSETS;
        for (int a = 0; a < m; a++)
            snprintf (cfg_names [a], HB_NAME_MAX, "%s", cfg->assets [a].name);
        s_names (then, sizeof then, (int) n, names);
        s_names (now, sizeof now, m, cfg_names);
        snprintf (why, why_size, "assets %s, now %s", then, now);
        return HB_RISK_CKPT_CONFIG;
    }
    if (memcmp (&lambda, &cfg->risk.lambda, sizeof lambda) != 0) {
        snprintf (why, why_size, "lambda %.17g, now %.17g", lambda, cfg->risk.lambda);
        return HB_RISK_CKPT_CONFIG;
    }
    if (sample_ms != cfg->risk.sample_ms) {
        snprintf (why, why_size, "sample_ms %d, now %d", sample_ms, cfg->risk.sample_ms);
        return HB_RISK_CKPT_CONFIG;
    }
    //  a detector's statistics mean something against its own parameters
    hb_risk_regime_params (&cfg->risk, &params);
    static const char *const fields [] = { "threshold", "shift_z", "lambda_ref", "lambda_fast",
                                          "lambda_slow" };
    const double then_p [] = { saved.threshold, saved.shift_z, saved.lambda_ref, saved.lambda_fast,
                               saved.lambda_slow };
    const double now_p [] = { params.threshold, params.shift_z, params.lambda_ref, params.lambda_fast,
                              params.lambda_slow };
    for (size_t i = 0; i < sizeof fields / sizeof fields [0]; i++)
        if (memcmp (&then_p [i], &now_p [i], sizeof now_p [i]) != 0) {
            snprintf (why, why_size, "regime %s %.17g, now %.17g", fields [i], then_p [i], now_p [i]);
            return HB_RISK_CKPT_CONFIG;
        }
    if (saved.warmup != params.warmup || saved.hold != params.hold) {
        snprintf (why, why_size, "regime warmup %d hold %d, now %d and %d", saved.warmup, saved.hold,
                  params.warmup, params.hold);
        return HB_RISK_CKPT_CONFIG;
    }
    return HB_RISK_CKPT_OK;
}

//  ---------------------------------------------------------------------------
//  Files

static int
s_write_all (int fd, const uint8_t *data, size_t size)
{
    while (size > 0) {
        ssize_t k = write (fd, data, size);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            return -1;
        }
        data += k;
        size -= (size_t) k;
    }
    return 0;
}

//  fsync of the directory holding path, so that the rename is durable
static int
s_sync_dir (const char *path)
{
    char dir [PATH_MAX];
    snprintf (dir, sizeof dir, "%s", path);
    char *slash = strrchr (dir, '/');
    if (!slash)
        snprintf (dir, sizeof dir, ".");
    else
    if (slash == dir)
        dir [1] = 0;
    else
        *slash = 0;
    int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync (fd);
    int saved = errno;
    close (fd);
    errno = saved;
    return rc;
}

int
hb_risk_ckpt_write (const char *path, const void *data, size_t size, char *why, size_t why_size)
{
    assert (path);
    char tmp [PATH_MAX];
    if (snprintf (tmp, sizeof tmp, "%s.tmp", path) >= (int) sizeof tmp) {
        snprintf (why, why_size, "%s: path too long", path);
        return -1;
    }
    const char *step = "open";
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd >= 0) {
        step = "write";
        if (s_write_all (fd, (const uint8_t *) data, size) == 0) {
            step = "fsync";
            if (fsync (fd) == 0) {
                step = "close";
                int rc = close (fd);
                fd = -1;
                step = "rename";
                if (rc == 0 && rename (tmp, path) == 0) {
                    //  the new file is in place; only its durability is in doubt
                    if (s_sync_dir (path) != 0) {
                        snprintf (why, why_size, "%s: fsync of its directory: %s", path, strerror (errno));
                        return -1;
                    }
                    return 0;
                }
            }
        }
    }
    int saved = errno;
    if (fd >= 0)
        close (fd);
    unlink (tmp);
    snprintf (why, why_size, "%s: %s: %s (the previous checkpoint is kept)", tmp, step, strerror (saved));
    return -1;
}

hb_risk_ckpt_status_t
hb_risk_ckpt_read (const hb_config_t *cfg, const char *path, hb_risk_state_t *state, int64_t *wall_ns,
                   char *why, size_t why_size)
{
    int fd = open (path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf (why, why_size, "%s: %s", path, strerror (errno));
        return errno == ENOENT ? HB_RISK_CKPT_MISSING : HB_RISK_CKPT_UNREADABLE;
    }
    //  on the heap: at HB_RISK_MAX_ASSETS the largest file is half a MB
    size_t capacity = HB_RISK_CKPT_MAX + 1;
    uint8_t *buf = (uint8_t *) malloc (capacity);
    if (!buf) {
        close (fd);
        snprintf (why, why_size, "%s: no memory to read it", path);
        return HB_RISK_CKPT_UNREADABLE;
    }
    size_t size = 0;
    while (size < capacity) {
        ssize_t k = read (fd, buf + size, capacity - size);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            snprintf (why, why_size, "%s: read: %s", path, strerror (errno));
            close (fd);
            free (buf);
            return HB_RISK_CKPT_UNREADABLE;
        }
        if (k == 0)
            break;
        size += (size_t) k;
    }
    close (fd);
    hb_risk_ckpt_status_t status;
    if (size > HB_RISK_CKPT_MAX) {
        snprintf (why, why_size, "more than %d bytes, larger than any checkpoint", HB_RISK_CKPT_MAX);
        status = HB_RISK_CKPT_DAMAGED;
    }
    else
        status = hb_risk_ckpt_decode (cfg, buf, size, state, wall_ns, why, why_size);
    free (buf);
    return status;
}

//  ---------------------------------------------------------------------------
//  The keeper

struct _hb_risk_ckpt_t {
    const hb_config_t *cfg;
    const char        *path;
    bool               enabled;
    hb_risk_ckpt_status_t status;
    int64_t            saved_ns;        //  data time of the sample last written
    hb_risk_state_t    state;           //  a state being read or written
    uint8_t            buf [HB_RISK_CKPT_MAX];
    hb_complain_t      c_write;
    hb_metric_t       *m_restored;
    hb_metric_t       *m_write_errors;
    hb_metric_t       *m_discarded [HB_RISK_CKPT_PENDING + 1];     //  by status
};

hb_risk_ckpt_t *
hb_risk_ckpt_new (const hb_config_t *cfg)
{
    assert (cfg);
    hb_risk_ckpt_t *self = (hb_risk_ckpt_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->path = cfg->risk.checkpoint;
    self->enabled = cfg->risk.checkpoint_max_age_s > 0 && self->path [0];
    self->status = HB_RISK_CKPT_PENDING;
    hb_metrics_t *metrics = hb_metrics_process ();
    self->m_restored = hb_metrics_counter (metrics, "hb_risk_checkpoint_restored_total",
                                           "estimator checkpoints restored at start", NULL, NULL);
    self->m_write_errors = hb_metrics_counter (metrics, "hb_risk_checkpoint_write_errors_total",
                                               "estimator checkpoints that could not be written", NULL, NULL);
    //  the label values are registered at start, so a scrape shows each at 0
    static const hb_risk_ckpt_status_t reasons [] = {
        HB_RISK_CKPT_DAMAGED, HB_RISK_CKPT_CONFIG, HB_RISK_CKPT_TOO_OLD, HB_RISK_CKPT_FUTURE,
        HB_RISK_CKPT_UNREADABLE
    };
    for (size_t i = 0; i < sizeof reasons / sizeof reasons [0]; i++)
        self->m_discarded [reasons [i]] = hb_metrics_counter (metrics, "hb_risk_checkpoint_discarded_total",
            "estimator checkpoints found at start and not used", "reason",
            hb_risk_ckpt_status_name (reasons [i]));
    return self;
}

void
hb_risk_ckpt_destroy (hb_risk_ckpt_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

void
hb_risk_ckpt_disable (hb_risk_ckpt_t *self, const char *why)
{
    assert (self);
    if (self->enabled)
        hb_info ("risk: checkpoint %s not read nor written: %s", self->path, why);
    self->enabled = false;
}

//  One discard: logged with the reason, counted by reason
static void
s_discard (hb_risk_ckpt_t *self, hb_risk_ckpt_status_t status, const char *why)
{
    self->status = status;
    hb_metric_inc (self->m_discarded [status]);
    hb_warn ("risk: checkpoint %s discarded (%s: %s): starting cold, hedging after min_samples (%d); "
             "no data is lost, the estimator rebuilds from the market", self->path,
             hb_risk_ckpt_status_name (status), why, self->cfg->risk.min_samples);
}

hb_risk_ckpt_status_t
hb_risk_ckpt_restore (hb_risk_ckpt_t *self, hb_risk_t *risk, int64_t t_ns)
{
    assert (self);
    assert (risk);
    if (self->status != HB_RISK_CKPT_PENDING)
        return self->status;
    if (!self->enabled) {
        hb_info ("risk: no checkpoint (%s): starting cold", self->path [0] && self->cfg->risk.checkpoint_max_age_s == 0
                 ? "checkpoint_max_age_s: 0" : "disabled");
        return self->status = HB_RISK_CKPT_DISABLED;
    }
    char why [256];
    int64_t wall_ns = 0;
    hb_risk_ckpt_status_t status = hb_risk_ckpt_read (self->cfg, self->path, &self->state, &wall_ns,
                                                      why, sizeof why);
    if (status == HB_RISK_CKPT_MISSING) {
        hb_info ("risk: no checkpoint at %s: starting cold", self->path);
        return self->status = status;
    }
    if (status != HB_RISK_CKPT_OK) {
        s_discard (self, status, why);
        return self->status;
    }
    //  the age that matters is the gap the estimator missed, in data time
    //  (the same clock as its samples), to the sample it would precede
    int64_t age = t_ns - self->state.sample_ns;
    int64_t max = (int64_t) self->cfg->risk.checkpoint_max_age_s * S_NS_PER_S;
    if (age <= 0) {
        snprintf (why, sizeof why, "its last sample at %lld is not before this one at %lld "
                  "(a clock step, or another run's data)", (long long) self->state.sample_ns,
                  (long long) t_ns);
        s_discard (self, HB_RISK_CKPT_FUTURE, why);
        return self->status;
    }
    if (age > max) {
        snprintf (why, sizeof why, "%.1f s old, checkpoint_max_age_s is %d", (double) age / 1e9,
                  self->cfg->risk.checkpoint_max_age_s);
        s_discard (self, HB_RISK_CKPT_TOO_OLD, why);
        return self->status;
    }
    if (hb_risk_import (risk, &self->state) != 0) {
        s_discard (self, HB_RISK_CKPT_DAMAGED, "the estimator or a detector refused its state");
        return self->status;
    }
    hb_metric_inc (self->m_restored);
    self->saved_ns = self->state.sample_ns;
    int64_t period = (int64_t) self->cfg->risk.sample_ms * 1000000;
    //  what the detectors carry on with: a break under way is not forgotten
    int unstable = 0, alarmed = 0;
    hb_regime_view_t view, first;
    memset (&first, 0, sizeof first);
    for (int k = 0; k < self->state.n_pairs; k++) {
        hb_risk_regime_view (risk, k, &view);
        unstable += view.state != HB_REGIME_STABLE;
        alarmed += view.alarms > 0;
        if (k == 0)
            first = view;
    }
    hb_info ("risk: checkpoint %s restored: %llu samples, last at %lld, %.3f s (%lld periods) ago%s; "
             "regime detectors of %d pair(s) kept, the first at %llu samples (%d not stable, %d with "
             "an alarm behind them)",
             self->path, (unsigned long long) self->state.ewma_samples,
             (long long) self->state.sample_ns, (double) age / 1e9, (long long) ((age + period / 2) / period),
             age > period * HB_RISK_GAP_MAX_PERIODS ? ": prices re-anchored, no return over the gap" : "",
             self->state.n_pairs, (unsigned long long) first.samples, unstable, alarmed);
    return self->status = HB_RISK_CKPT_OK;
}

int
hb_risk_ckpt_save (hb_risk_ckpt_t *self, const hb_risk_t *risk)
{
    assert (self);
    if (!self->enabled || !risk || hb_risk_samples (risk) == 0)
        return 0;
    hb_risk_export (risk, &self->state);
    int size = hb_risk_ckpt_encode (self->cfg, &self->state, hb_wall_ns (), self->buf, sizeof self->buf);
    char why [PATH_MAX + 128];
    if (size < 0)
        snprintf (why, sizeof why, "%s: cannot encode the state", self->path);
    if (size < 0 || hb_risk_ckpt_write (self->path, self->buf, (size_t) size, why, sizeof why) != 0) {
        hb_metric_inc (self->m_write_errors);
        hb_complain (&self->c_write, HB_LOG_WARN, "risk: checkpoint not written: %s", why);
        return -1;
    }
    hb_complain_release (&self->c_write, "risk: checkpoint %s written again", self->path);
    self->saved_ns = self->state.sample_ns;
    return 1;
}

int
hb_risk_ckpt_sampled (hb_risk_ckpt_t *self, const hb_risk_t *risk)
{
    assert (self);
    assert (risk);
    if (!self->enabled)
        return 0;
    int64_t every = (int64_t) self->cfg->risk.checkpoint_every_s * S_NS_PER_S;
    if (self->saved_ns != 0 && hb_risk_sample_time (risk) - self->saved_ns < every)
        return 0;
    if (self->saved_ns == 0) {
        //  the first sample of a cold start: count the interval from it
        self->saved_ns = hb_risk_sample_time (risk);
        return 0;
    }
    return hb_risk_ckpt_save (self, risk);
}

hb_risk_ckpt_status_t
hb_risk_ckpt_status (const hb_risk_ckpt_t *self)
{
    assert (self);
    return self->status;
}
