/*  hb_transfers: see hb_transfers.h. */
#include "hb_transfers.h"

#include "hb_journal.h"
#include "hb_log.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_RECORD_MAX    384         //  one journal record, a text line
#define S_DAY_NS        86400000000000ll

typedef struct {
    hb_transfer_t t;
    int     route;                  //  index in cfg->treasury.routes, -1: no longer configured
    int     to;                     //  venue index, -1: no longer configured
} s_entry_t;

struct _hb_transfers_t {
    const hb_config_t *cfg;
    hb_journal_t *journal;
    s_entry_t *entries;
    size_t   size;
    size_t   capacity;
    uint64_t requests [HB_MAX_ROUTES];  //  per route: the n of its last id
};

bool
hb_transfer_in_flight (const hb_transfer_t *transfer)
{
    return transfer->status == HB_TRANSFER_REQUESTED || transfer->status == HB_TRANSFER_SENT
        || transfer->status == HB_TRANSFER_TIMED_OUT;
}

static bool
s_final (uint8_t status)
{
    return status == HB_TRANSFER_CREDITED || status == HB_TRANSFER_REFUSED;
}

//  Forward only: requested -> sent -> credited | refused; timed_out is left
//  by a late credit or refusal
static bool
s_forward (uint8_t from, uint8_t to)
{
    if (s_final (from) || from == to)
        return false;
    switch (to) {
        case HB_TRANSFER_SENT:      return from == HB_TRANSFER_REQUESTED;
        case HB_TRANSFER_CREDITED:
        case HB_TRANSFER_REFUSED:   return true;
        case HB_TRANSFER_TIMED_OUT: return from == HB_TRANSFER_REQUESTED || from == HB_TRANSFER_SENT;
        default:                    return false;
    }
}

static s_entry_t *
s_find (const hb_transfers_t *self, const char *id)
{
    for (size_t i = self->size; i-- > 0;)
        if (strcmp (self->entries [i].t.id, id) == 0)
            return &self->entries [i];
    return NULL;
}

static s_entry_t *
s_add (hb_transfers_t *self)
{
    if (self->size == self->capacity) {
        size_t capacity = self->capacity ? self->capacity * 2 : 16;
        s_entry_t *entries = (s_entry_t *) realloc (self->entries, capacity * sizeof *entries);
        if (!entries)
            return NULL;
        self->entries = entries;
        self->capacity = capacity;
    }
    s_entry_t *entry = &self->entries [self->size++];
    memset (entry, 0, sizeof *entry);
    return entry;
}

static int
s_route_index (const hb_config_t *cfg, const char *name)
{
    for (int r = 0; r < cfg->treasury.n_routes; r++)
        if (strcmp (cfg->treasury.routes [r].name, name) == 0)
            return r;
    return -1;
}

//  The n of an id "<route>.<n>" (0 when it has no such tail)
static uint64_t
s_id_number (const char *id, const char *route)
{
    size_t len = strlen (route);
    if (strncmp (id, route, len) != 0 || id [len] != '.')
        return 0;
    char *end;
    errno = 0;
    unsigned long long n = strtoull (id + len + 1, &end, 10);
    return errno == 0 && *end == '\0' ? (uint64_t) n : 0;
}

static int
s_append (hb_transfers_t *self, const char *record, int len, const char *id)
{
    if (len <= 0 || len >= S_RECORD_MAX || hb_journal_append (self->journal, record, (size_t) len) != 0) {
        hb_error ("treasury: cannot journal transfer %s (%s): not applied", id,
                  len <= 0 || len >= S_RECORD_MAX ? "record too long" : strerror (errno));
        return -1;
    }
    return 0;
}

//  A request record into a new entry. 0, or -1 when it does not parse
static int
s_read_request (hb_transfers_t *self, const char *line)
{
    hb_transfer_t t;
    memset (&t, 0, sizeof t);
    long long requested, eta;
    int used = 0;
    if (sscanf (line, "R %47s %31s %31s %31s %31s %31s %lf %lf %lf %lld %lld%n", t.id, t.route, t.from,
                t.to, t.asset, t.network, &t.amount, &t.amount_usd, &t.fee, &requested, &eta, &used) != 11
    ||  line [used] != '\0' || !(t.amount > 0) || !isfinite (t.amount) || s_find (self, t.id))
        return -1;
    t.status = HB_TRANSFER_REQUESTED;
    t.requested_ns = requested;
    t.eta_ns = eta;
    s_entry_t *entry = s_add (self);
    if (!entry)
        return -1;
    entry->t = t;
    entry->route = s_route_index (self->cfg, t.route);
    const hb_venue_cfg_t *to = hb_config_venue (self->cfg, t.to);
    entry->to = to ? (int) (to - self->cfg->venues) : -1;
    if (entry->route >= 0) {
        uint64_t n = s_id_number (t.id, t.route);
        if (n > self->requests [entry->route])
            self->requests [entry->route] = n;
    }
    else
        hb_warn ("treasury: journal: transfer %s on route %s, no longer configured: still counted "
                 "while in flight", t.id, t.route);
    return 0;
}

//  A status record onto its entry. 0, or -1 when it does not parse
static int
s_read_update (hb_transfers_t *self, const char *line)
{
    char id [HB_ID_MAX], status [HB_NAME_MAX];
    long long credited;
    int used = 0;
    if (sscanf (line, "U %47s %31s %lld%n", id, status, &credited, &used) != 3)
        return -1;
    s_entry_t *entry = s_find (self, id);
    int s = hb_transfer_status_parse (status);
    if (!entry || s < 0 || !s_forward (entry->t.status, (uint8_t) s))
        return -1;
    const char *reason = line + used;
    if (*reason == ' ')
        reason++;
    entry->t.status = (uint8_t) s;
    entry->t.credited_ns = s == HB_TRANSFER_CREDITED ? credited : 0;
    snprintf (entry->t.reason, sizeof entry->t.reason, "%s", reason);
    return 0;
}

static int
s_replay (const void *data, size_t size, uint64_t index, void *arg)
{
    hb_transfers_t *self = (hb_transfers_t *) arg;
    char line [S_RECORD_MAX];
    int rc = -1;
    if (size > 0 && size < sizeof line) {
        memcpy (line, data, size);
        line [size] = '\0';
        rc = line [0] == 'R' ? s_read_request (self, line) : line [0] == 'U' ? s_read_update (self, line) : -1;
    }
    if (rc != 0) {
        hb_error ("treasury: journal %s: record %" PRIu64 " is not a transfer record I can apply (%.*s)",
                  hb_journal_path (self->journal), index, (int) (size < 80 ? size : 80), (const char *) data);
        return -1;
    }
    return 0;
}

hb_transfers_t *
hb_transfers_open (const hb_config_t *cfg, const char *path)
{
    assert (cfg);
    assert (path);
    hb_transfers_t *self = (hb_transfers_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->journal = hb_journal_open_owned (path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    if (!self->journal || hb_journal_replay (self->journal, s_replay, self) != 0) {
        hb_error ("treasury: cannot rebuild the transfers in flight from %s: not starting", path);
        hb_transfers_destroy (&self);
        return NULL;
    }
    return self;
}

void
hb_transfers_destroy (hb_transfers_t **self_p)
{
    assert (self_p);
    hb_transfers_t *self = *self_p;
    if (self) {
        hb_journal_destroy (&self->journal);
        free (self->entries);
        free (self);
        *self_p = NULL;
    }
}

int
hb_transfers_request (hb_transfers_t *self, int r, double amount, double amount_usd,
                      int64_t now_ns, hb_transfer_t *out)
{
    assert (self);
    assert (out);
    const hb_config_t *cfg = self->cfg;
    assert (r >= 0 && r < cfg->treasury.n_routes);
    if (!isfinite (amount) || !(amount > 0) || !isfinite (amount_usd) || amount_usd < 0 || now_ns < 0) {
        errno = EINVAL;
        return -1;
    }
    const hb_route_cfg_t *route = &cfg->treasury.routes [r];
    hb_transfer_t t;
    memset (&t, 0, sizeof t);
    snprintf (t.id, sizeof t.id, "%s.%" PRIu64, route->name, self->requests [r] + 1);
    strcpy (t.route, route->name);
    strcpy (t.from, cfg->venues [route->from].name);
    strcpy (t.to, cfg->venues [route->to].name);
    strcpy (t.asset, route->asset);
    strcpy (t.network, route->network);
    t.status = HB_TRANSFER_REQUESTED;
    t.amount = amount;
    t.amount_usd = amount_usd;
    t.fee = route->fee;
    t.requested_ns = now_ns;
    t.eta_ns = now_ns + (int64_t) (route->delay_s * 1e9);
    char record [S_RECORD_MAX];
    int len = snprintf (record, sizeof record, "R %s %s %s %s %s %s %.17g %.17g %.17g %lld %lld", t.id,
                        t.route, t.from, t.to, t.asset, t.network, t.amount, t.amount_usd, t.fee,
                        (long long) t.requested_ns, (long long) t.eta_ns);
    s_entry_t *entry = s_add (self);
    if (!entry)
        return -1;
    if (s_append (self, record, len, t.id) != 0) {
        self->size--;
        return -1;
    }
    entry->t = t;
    entry->route = r;
    entry->to = route->to;
    self->requests [r]++;
    *out = t;
    return 0;
}

//  Journals and applies status (with its credit time and reason) to entry
static int
s_update (hb_transfers_t *self, s_entry_t *entry, uint8_t status, int64_t credited_ns, const char *reason)
{
    char record [S_RECORD_MAX];
    //  the reason is the rest of the line: one line, whatever a venue wrote
    char clean [HB_TEXT_MAX];
    size_t n = 0;
    for (; reason [n] && n + 1 < sizeof clean; n++)
        clean [n] = reason [n] == '\n' || reason [n] == '\r' ? ' ' : reason [n];
    clean [n] = '\0';
    int len = snprintf (record, sizeof record, "U %s %s %lld %s", entry->t.id, hb_transfer_status_name (status),
                        (long long) credited_ns, clean);
    if (s_append (self, record, len, entry->t.id) != 0)
        return -1;
    entry->t.status = status;
    entry->t.credited_ns = status == HB_TRANSFER_CREDITED ? credited_ns : 0;
    strcpy (entry->t.reason, clean);
    return 0;
}

int
hb_transfers_apply (hb_transfers_t *self, const hb_transfer_t *status, hb_transfer_t *out)
{
    assert (self);
    assert (status);
    s_entry_t *entry = s_find (self, status->id);
    if (!entry || strcmp (entry->t.route, status->route) != 0 || strcmp (entry->t.from, status->from) != 0
    ||  strcmp (entry->t.to, status->to) != 0 || status->status == HB_TRANSFER_TIMED_OUT
    ||  !s_forward (entry->t.status, status->status))
        return 0;
    int64_t credited = status->status == HB_TRANSFER_CREDITED ? status->credited_ns : 0;
    if (status->status == HB_TRANSFER_CREDITED && credited <= 0)
        return 0;
    if (s_update (self, entry, status->status, credited, status->reason) != 0)
        return -1;
    if (out)
        *out = entry->t;
    return 1;
}

int
hb_transfers_expire (hb_transfers_t *self, int64_t now_ns, hb_transfer_t *out, int max)
{
    assert (self);
    int n = 0;
    double timeout = self->cfg->treasury.timeout_s;
    for (size_t i = 0; i < self->size && n < max; i++) {
        s_entry_t *entry = &self->entries [i];
        if (entry->t.status != HB_TRANSFER_REQUESTED && entry->t.status != HB_TRANSFER_SENT)
            continue;
        double spread = entry->route >= 0 ? self->cfg->treasury.routes [entry->route].spread_s : 0;
        if (now_ns <= entry->t.eta_ns + (int64_t) ((spread + timeout) * 1e9))
            continue;
        char reason [HB_TEXT_MAX];
        snprintf (reason, sizeof reason, "not credited %.0f s after its expected arrival: in doubt, "
                  "still counted in flight", (double) (now_ns - entry->t.eta_ns) / 1e9);
        if (s_update (self, entry, HB_TRANSFER_TIMED_OUT, 0, reason) != 0)
            return -1;
        out [n++] = entry->t;
    }
    return n;
}

void
hb_transfers_totals (const hb_transfers_t *self, int64_t now_ns, double *pending_usd, double *used)
{
    assert (self);
    const hb_config_t *cfg = self->cfg;
    if (pending_usd)
        memset (pending_usd, 0, (size_t) cfg->n_venues * sizeof *pending_usd);
    if (used)
        memset (used, 0, (size_t) cfg->treasury.n_routes * sizeof *used);
    for (size_t i = 0; i < self->size; i++) {
        const s_entry_t *entry = &self->entries [i];
        if (pending_usd && entry->to >= 0 && hb_transfer_in_flight (&entry->t))
            pending_usd [entry->to] += entry->t.amount_usd;
        if (used && entry->route >= 0 && entry->t.status != HB_TRANSFER_REFUSED
        &&  entry->t.requested_ns / S_DAY_NS == now_ns / S_DAY_NS)
            used [entry->route] += entry->t.amount;
    }
}

size_t
hb_transfers_size (const hb_transfers_t *self)
{
    assert (self);
    return self->size;
}

const hb_transfer_t *
hb_transfers_at (const hb_transfers_t *self, size_t i)
{
    assert (self);
    return i < self->size ? &self->entries [i].t : NULL;
}
