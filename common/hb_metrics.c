/*  hb_metrics: see hb_metrics.h.

    Families sit in a fixed table and each series is allocated once, when
    it is registered, so a pointer to a series stays valid for the life of
    the registry and the writer can walk the table while others register:
    a family's n_series is published with release order after its series
    is complete. Gauges and histogram sums are doubles kept as their bits
    in a 64-bit atomic; histogram buckets are counted per bucket and made
    cumulative by the writer, which also computes _count from them so that
    _count always equals the +Inf bucket.                                   */
#include "hb_metrics.h"
#include "hb_num.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { S_COUNTER, S_GAUGE, S_HISTOGRAM } s_type_t;

typedef struct s_family_t s_family_t;

struct _hb_metric_t {
    const s_family_t *family;
    char              label_value [HB_METRICS_LABEL_MAX];
    atomic_uint_fast64_t count;             //  counter value
    atomic_uint_fast64_t bits;              //  gauge value / histogram sum (double)
    atomic_uint_fast64_t buckets [HB_METRICS_BUCKETS_MAX + 1];  //  not cumulative; last: +Inf
};

struct s_family_t {
    char        *name;
    char        *help;
    char        *label_name;                //  NULL: no label
    s_type_t     type;
    size_t       n_bounds;
    double       bounds [HB_METRICS_BUCKETS_MAX];
    atomic_size_t n_series;
    hb_metric_t *series [HB_METRICS_SERIES_MAX];
};

struct _hb_metrics_t {
    pthread_mutex_t lock;                   //  registration only
    atomic_size_t   n_families;
    s_family_t      families [HB_METRICS_FAMILIES_MAX];
};

static const double s_latency_bounds [] = {
    1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4,
    1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1.0
};

hb_metrics_t *
hb_metrics_new (void)
{
    hb_metrics_t *self = (hb_metrics_t *) calloc (1, sizeof (hb_metrics_t));
    if (self)
        pthread_mutex_init (&self->lock, NULL);
    return self;
}

void
hb_metrics_destroy (hb_metrics_t **self_p)
{
    assert (self_p);
    hb_metrics_t *self = *self_p;
    if (self) {
        size_t n = atomic_load (&self->n_families);
        for (size_t i = 0; i < n; i++) {
            s_family_t *family = &self->families [i];
            size_t n_series = atomic_load (&family->n_series);
            for (size_t j = 0; j < n_series; j++)
                free (family->series [j]);
            free (family->name);
            free (family->help);
            free (family->label_name);
        }
        pthread_mutex_destroy (&self->lock);
        free (self);
        *self_p = NULL;
    }
}

static hb_metrics_t *s_process;
static pthread_once_t s_process_once = PTHREAD_ONCE_INIT;

static void
s_process_init (void)
{
    s_process = hb_metrics_new ();
}

hb_metrics_t *
hb_metrics_process (void)
{
    pthread_once (&s_process_once, s_process_init);
    return s_process;
}

const double *
hb_metrics_latency_bounds (size_t *n_bounds)
{
    *n_bounds = sizeof s_latency_bounds / sizeof s_latency_bounds [0];
    return s_latency_bounds;
}

static bool
s_valid_name (const char *name)
{
    if (!name || !*name || (*name >= '0' && *name <= '9'))
        return false;
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9')
           || *c == '_' || *c == ':'))
            return false;
    return true;
}

static bool
s_same (const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp (a, b) == 0);
}

//  Finds or adds the family; NULL when the table is full or out of memory.
//  Called with the lock held.
static s_family_t *
s_family (hb_metrics_t *self, const char *name, const char *help, const char *label_name,
          s_type_t type, const double *bounds, size_t n_bounds)
{
    size_t n = atomic_load_explicit (&self->n_families, memory_order_relaxed);
    for (size_t i = 0; i < n; i++) {
        s_family_t *family = &self->families [i];
        if (strcmp (family->name, name) == 0) {
            //  one name, one meaning: anything else is a programming error
            assert (family->type == type);
            assert (s_same (family->label_name, label_name));
            return family;
        }
    }
    if (n == HB_METRICS_FAMILIES_MAX)
        return NULL;
    s_family_t *family = &self->families [n];
    family->name = strdup (name);
    family->help = strdup (help ? help : "");
    family->label_name = label_name ? strdup (label_name) : NULL;
    if (!family->name || !family->help || (label_name && !family->label_name)) {
        free (family->name);
        free (family->help);
        free (family->label_name);
        memset (family, 0, sizeof *family);
        return NULL;
    }
    family->type = type;
    family->n_bounds = n_bounds;
    for (size_t i = 0; i < n_bounds; i++)
        family->bounds [i] = bounds [i];
    atomic_store_explicit (&self->n_families, n + 1, memory_order_release);
    return family;
}

static hb_metric_t *
s_register (hb_metrics_t *self, const char *name, const char *help, const char *label_name,
            const char *label_value, s_type_t type, const double *bounds, size_t n_bounds)
{
    assert (self);
    assert (s_valid_name (name));
    assert ((label_name == NULL) == (label_value == NULL));
    assert (!label_name || (s_valid_name (label_name) && strcmp (label_name, "le") != 0));
    assert (type != S_COUNTER || (strlen (name) > 6 && strcmp (name + strlen (name) - 6, "_total") == 0));
    assert (n_bounds <= HB_METRICS_BUCKETS_MAX);
    for (size_t i = 1; i < n_bounds; i++)
        assert (bounds [i] > bounds [i - 1]);
    if (label_value && strlen (label_value) >= HB_METRICS_LABEL_MAX)
        return NULL;

    pthread_mutex_lock (&self->lock);
    hb_metric_t *series = NULL;
    s_family_t *family = s_family (self, name, help, label_name, type, bounds, n_bounds);
    if (family) {
        size_t n = atomic_load_explicit (&family->n_series, memory_order_relaxed);
        //  a family has a label or none (asserted in s_family), so a NULL
        //  label_value means the one series of an unlabelled family
        for (size_t i = 0; i < n && !series; i++)
            if (!label_value || strcmp (family->series [i]->label_value, label_value) == 0)
                series = family->series [i];
        if (!series && n < HB_METRICS_SERIES_MAX && (label_value || n == 0)) {
            series = (hb_metric_t *) calloc (1, sizeof (hb_metric_t));
            if (series) {
                series->family = family;
                if (label_value)
                    strcpy (series->label_value, label_value);
                family->series [n] = series;
                atomic_store_explicit (&family->n_series, n + 1, memory_order_release);
            }
        }
    }
    pthread_mutex_unlock (&self->lock);
    return series;
}

hb_metric_t *
hb_metrics_counter (hb_metrics_t *self, const char *name, const char *help,
                    const char *label_name, const char *label_value)
{
    return s_register (self, name, help, label_name, label_value, S_COUNTER, NULL, 0);
}

hb_metric_t *
hb_metrics_gauge (hb_metrics_t *self, const char *name, const char *help,
                  const char *label_name, const char *label_value)
{
    return s_register (self, name, help, label_name, label_value, S_GAUGE, NULL, 0);
}

hb_metric_t *
hb_metrics_histogram (hb_metrics_t *self, const char *name, const char *help,
                      const char *label_name, const char *label_value,
                      const double *bounds, size_t n_bounds)
{
    if (!bounds)
        bounds = hb_metrics_latency_bounds (&n_bounds);
    return s_register (self, name, help, label_name, label_value, S_HISTOGRAM, bounds, n_bounds);
}

static double
s_double (uint64_t bits)
{
    double value;
    memcpy (&value, &bits, sizeof value);
    return value;
}

static uint64_t
s_bits (double value)
{
    uint64_t bits;
    memcpy (&bits, &value, sizeof bits);
    return bits;
}

//  Adds delta to a double kept as bits. One writer is the rule (the
//  reactor), the compare-and-swap makes a second one safe all the same.
static void
s_double_add (atomic_uint_fast64_t *bits, double delta)
{
    uint64_t old = atomic_load_explicit (bits, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit (bits, &old, s_bits (s_double (old) + delta),
                                                   memory_order_relaxed, memory_order_relaxed))
        ;
}

void
hb_metric_inc (hb_metric_t *self)
{
    if (self)
        atomic_fetch_add_explicit (&self->count, 1, memory_order_relaxed);
}

void
hb_metric_add (hb_metric_t *self, uint64_t n)
{
    if (self)
        atomic_fetch_add_explicit (&self->count, n, memory_order_relaxed);
}

void
hb_metric_set (hb_metric_t *self, double value)
{
    if (self)
        atomic_store_explicit (&self->bits, s_bits (value), memory_order_relaxed);
}

void
hb_metric_gauge_add (hb_metric_t *self, double delta)
{
    if (self)
        s_double_add (&self->bits, delta);
}

void
hb_metric_observe (hb_metric_t *self, double value)
{
    if (!self)
        return;
    const s_family_t *family = self->family;
    size_t i = 0;
    while (i < family->n_bounds && value > family->bounds [i])
        i++;
    atomic_fetch_add_explicit (&self->buckets [i], 1, memory_order_relaxed);
    s_double_add (&self->bits, value);
}

void
hb_metric_observe_interval (hb_metric_t *self, int64_t from_ns, int64_t to_ns)
{
    int64_t ns = to_ns - from_ns;
    hb_metric_observe (self, ns > 0 ? (double) ns / 1e9 : 0.0);
}

uint64_t
hb_metric_count (hb_metric_t *self)
{
    if (!self)
        return 0;
    if (self->family->type != S_HISTOGRAM)
        return atomic_load_explicit (&self->count, memory_order_relaxed);
    uint64_t count = 0;
    for (size_t i = 0; i <= self->family->n_bounds; i++)
        count += atomic_load_explicit (&self->buckets [i], memory_order_relaxed);
    return count;
}

double
hb_metric_value (hb_metric_t *self)
{
    return self ? s_double (atomic_load_explicit (&self->bits, memory_order_relaxed)) : 0;
}

//  A float as Prometheus reads it: the shortest of %.15g..%.17g that reads
//  back as the same double, NaN and +Inf/-Inf spelled its way.
static void
s_number (FILE *out, double value)
{
    if (isnan (value)) {
        fputs ("NaN", out);
        return;
    }
    if (isinf (value)) {
        fputs (value > 0 ? "+Inf" : "-Inf", out);
        return;
    }
    char text [32];
    hb_num_shortest (value, text, sizeof text);
    fputs (text, out);
}

//  HELP text escapes backslash and newline; a label value also '"'.
static void
s_escaped (FILE *out, const char *text, bool quote)
{
    for (const char *c = text; *c; c++) {
        if (*c == '\\')
            fputs ("\\\\", out);
        else
        if (*c == '\n')
            fputs ("\\n", out);
        else
        if (*c == '"' && quote)
            fputs ("\\\"", out);
        else
            fputc (*c, out);
    }
}

//  name{label="value",le="bound"} or name{label="value"} or name
static void
s_sample_name (FILE *out, const s_family_t *family, const char *suffix,
               const hb_metric_t *series, const double *le)
{
    fputs (family->name, out);
    fputs (suffix, out);
    if (!family->label_name && !le)
        return;
    fputc ('{', out);
    if (family->label_name) {
        fprintf (out, "%s=\"", family->label_name);
        s_escaped (out, series->label_value, true);
        fputc ('"', out);
        if (le)
            fputc (',', out);
    }
    if (le) {
        fputs ("le=\"", out);
        s_number (out, *le);
        fputc ('"', out);
    }
    fputc ('}', out);
}

static void
s_histogram (FILE *out, const s_family_t *family, hb_metric_t *series)
{
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= family->n_bounds; i++) {
        cumulative += atomic_load_explicit (&series->buckets [i], memory_order_relaxed);
        double le = i < family->n_bounds ? family->bounds [i] : INFINITY;
        s_sample_name (out, family, "_bucket", series, &le);
        fprintf (out, " %" PRIu64 "\n", cumulative);
    }
    s_sample_name (out, family, "_sum", series, NULL);
    fputc (' ', out);
    s_number (out, hb_metric_value (series));
    fputc ('\n', out);
    s_sample_name (out, family, "_count", series, NULL);
    fprintf (out, " %" PRIu64 "\n", cumulative);
}

char *
hb_metrics_text (hb_metrics_t *self)
{
    assert (self);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    if (!out)
        return NULL;
    static const char *const type_names [] = { "counter", "gauge", "histogram" };
    size_t n = atomic_load_explicit (&self->n_families, memory_order_acquire);
    for (size_t i = 0; i < n; i++) {
        const s_family_t *family = &self->families [i];
        size_t n_series = atomic_load_explicit (&family->n_series, memory_order_acquire);
        if (n_series == 0)
            continue;
        fprintf (out, "# HELP %s ", family->name);
        s_escaped (out, family->help, false);
        fprintf (out, "\n# TYPE %s %s\n", family->name, type_names [family->type]);
        for (size_t j = 0; j < n_series; j++) {
            hb_metric_t *series = family->series [j];
            if (family->type == S_HISTOGRAM) {
                s_histogram (out, family, series);
                continue;
            }
            s_sample_name (out, family, "", series, NULL);
            if (family->type == S_COUNTER)
                fprintf (out, " %" PRIu64 "\n", hb_metric_count (series));
            else {
                fputc (' ', out);
                s_number (out, hb_metric_value (series));
                fputc ('\n', out);
            }
        }
    }
    if (fclose (out) != 0) {
        free (text);
        return NULL;
    }
    return text;
}

static const char *const s_topic_families [HB_METRICS_TOPICS] = {
    "tick", "trade", "order", "cancel", "ack", "fill", "pos", "margin", "snapshot",
    "risk", "hedger", "hb", "other"
};

int
hb_metrics_topic_index (const char *topic)
{
    if (topic) {
        size_t len = strcspn (topic, ".");
        for (int i = 0; i < HB_METRICS_TOPICS - 1; i++)
            if (s_topic_families [i][0] == topic [0] && strlen (s_topic_families [i]) == len
            &&  memcmp (s_topic_families [i], topic, len) == 0)
                return i;
    }
    return HB_METRICS_TOPICS - 1;
}

const char *
hb_metrics_topic_name (int index)
{
    return index >= 0 && index < HB_METRICS_TOPICS ? s_topic_families [index]
                                                   : s_topic_families [HB_METRICS_TOPICS - 1];
}

const char *
hb_metrics_topic_family (const char *topic)
{
    return s_topic_families [hb_metrics_topic_index (topic)];
}

int
hb_metrics_address_split (const char *host_port, char *host, size_t host_size, int *port,
                          char *why, size_t why_size)
{
    const char *colon = host_port ? strrchr (host_port, ':') : NULL;
    if (!colon) {
        snprintf (why, why_size, "expected host:port");
        return -1;
    }
    const char *start = host_port;
    const char *end = colon;
    if (*start == '[') {
        if (end == start || end [-1] != ']') {
            snprintf (why, why_size, "expected [IPv6]:port");
            return -1;
        }
        start++;
        end--;
    }
    else
    if (memchr (start, ':', (size_t) (end - start))) {
        snprintf (why, why_size, "an IPv6 address goes in brackets: [addr]:port");
        return -1;
    }
    size_t len = (size_t) (end - start);
    if (len == 0 || len >= host_size) {
        snprintf (why, why_size, len ? "host too long" : "no host: expected host:port");
        return -1;
    }
    memcpy (host, start, len);
    host [len] = 0;
    char *rest;
    errno = 0;
    long value = strtol (colon + 1, &rest, 10);
    if (colon [1] < '0' || colon [1] > '9' || *rest || errno || value < 1 || value > 65535) {
        snprintf (why, why_size, "port must be 1..65535");
        return -1;
    }
    *port = (int) value;
    return 0;
}

int
hb_metrics_address_check (const char *host_port, char *why, size_t why_size)
{
    char host [256];
    int port;
    return hb_metrics_address_split (host_port, host, sizeof host, &port, why, why_size);
}

hb_metric_t *
hb_metrics_decision_latency (const char *component)
{
    hb_metrics_t *registry = hb_metrics_process ();
    if (!registry)
        return NULL;
    return hb_metrics_histogram (registry, "hb_decision_latency_seconds",
                                 "Decision published minus the publish time of the newest input "
                                 "it was made on", "component", component, NULL, 0);
}
