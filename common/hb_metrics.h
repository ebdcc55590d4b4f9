/*  hb_metrics: counters, gauges and histograms for Prometheus.

    A registry holds metric families (a name, a help line, a type and at
    most one label name); a family holds series, one per label value. Every
    series is registered when its owner is built (a subscriber registers
    its topic families, a journal its fsync histogram), so the hot path only
    adds to a number it already holds: no lookup, no allocation, no lock.
    Values are relaxed atomics, because the exposition is read by the HTTP
    server's own thread while the reactor updates them; a scrape may see a
    histogram's sum a little ahead of its buckets, never a torn value.

    Every process has one registry, hb_metrics_process (), which the shared
    bus and journal code report into; a process serves it when its config
    section has a metrics: host:port (hb_metrics_serve). Tests build their
    own registries. docs/OPERATIONS.md (Metrics) lists every name.

    Names follow Prometheus conventions: base units (seconds, bytes),
    counters end in _total, and the text is exposition format 0.0.4.
    The update functions accept a NULL series and do nothing, so code that
    failed to register (out of memory, or more series than the limits
    below) still runs.                                                    */
#ifndef HB_METRICS_H
#define HB_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define HB_METRICS_FAMILIES_MAX     96      //  per registry
#define HB_METRICS_SERIES_MAX       32      //  label values per family
#define HB_METRICS_BUCKETS_MAX      24      //  histogram bounds, +Inf excluded
#define HB_METRICS_LABEL_MAX        48      //  a label value, bytes with the NUL

typedef struct _hb_metrics_t hb_metrics_t;
typedef struct _hb_metric_t hb_metric_t;   //  one series of a family

hb_metrics_t *hb_metrics_new (void);
void hb_metrics_destroy (hb_metrics_t **self_p);

//  The registry of this process, made at first use and kept until exit.
hb_metrics_t *hb_metrics_process (void);

//  Registers (or finds) the series of family name whose label label_name
//  has label_value; both NULL for a family without labels. The first call
//  for a name fixes its help, type and label name; later calls must agree
//  (asserted: a mismatch is a programming error). Returns the same series
//  for the same label value, NULL when a limit above is reached. Counter
//  names must end in _total. Thread-safe; meant for start-up.
hb_metric_t *hb_metrics_counter (hb_metrics_t *self, const char *name, const char *help,
                                 const char *label_name, const char *label_value);
hb_metric_t *hb_metrics_gauge (hb_metrics_t *self, const char *name, const char *help,
                               const char *label_name, const char *label_value);
//  bounds: n_bounds upper bounds, strictly increasing (the +Inf bucket is
//  implicit); NULL takes hb_metrics_latency_bounds.
hb_metric_t *hb_metrics_histogram (hb_metrics_t *self, const char *name, const char *help,
                                   const char *label_name, const char *label_value,
                                   const double *bounds, size_t n_bounds);

//  Latency bounds in seconds, 1 us to 1 s, for *_seconds histograms.
const double *hb_metrics_latency_bounds (size_t *n_bounds);

//  Hot path. Counters only go up; gauges are set or moved; histograms
//  observe one value each (seconds for *_seconds).
void hb_metric_inc (hb_metric_t *self);
void hb_metric_add (hb_metric_t *self, uint64_t n);
void hb_metric_set (hb_metric_t *self, double value);
void hb_metric_gauge_add (hb_metric_t *self, double delta);
void hb_metric_observe (hb_metric_t *self, double value);

//  Reads, for tests and heartbeats: a counter's value or a histogram's
//  count (hb_metric_count), a gauge's value or a histogram's sum
//  (hb_metric_value). 0 for NULL.
uint64_t hb_metric_count (hb_metric_t *self);
double   hb_metric_value (hb_metric_t *self);

//  The exposition text of every family that has a series, in registration
//  order. Returns a string the caller frees, or NULL when out of memory.
char *hb_metrics_text (hb_metrics_t *self);

//  Topic families: a bus topic's first dot-separated word ("tick" for
//  "tick.alpha.BTC-PERP") as one of the HB_METRICS_TOPICS families the bus
//  knows, the last of which is "other". Per-family series are registered
//  for every index at start-up, so the hot path is an index and an add.
#define HB_METRICS_TOPICS 13
int hb_metrics_topic_index (const char *topic);            //  0..HB_METRICS_TOPICS-1
const char *hb_metrics_topic_name (int index);             //  never NULL
const char *hb_metrics_topic_family (const char *topic);   //  name of its index

//  Checks a metrics address, "host:port" (host a name, an IPv4 address or
//  [an IPv6 address]; port 1..65535). Returns 0, or -1 with a reason in why.
int hb_metrics_address_check (const char *host_port, char *why, size_t why_size);

//  Same, and on success host (host_size bytes, brackets removed) and port.
int hb_metrics_address_split (const char *host_port, char *host, size_t host_size, int *port,
                              char *why, size_t why_size);

//  Serves hb_metrics_process () over HTTP on host_port: GET /metrics gives
//  the exposition, anything else 404. The server runs in its own thread
//  (libmicrohttpd). One server per process: a second call is refused.
//  Returns 0, or -1 with a message in err (bad address, port in use).
int hb_metrics_serve (const char *host_port, char *err, size_t errlen);

//  Stops the server, if one runs. Safe to call at any time.
void hb_metrics_shutdown (void);

//  What a process does at start with its config's metrics: address
//  (hb_config_metrics): nothing for NULL or "", else hb_metrics_serve, with
//  the outcome logged once under component's name. Returns 0, or -1 when
//  an address was given and cannot be served (the process should exit:
//  an operator asked for metrics).
int hb_metrics_start (const char *host_port, const char *component);

//  Decision latency: the series of hb_decision_latency_seconds for
//  component ("risk", "hedger"), registered in the process registry; call
//  at start-up. A decision is observed with hb_metric_observe_interval
//  (series, newest input's ts_pub, the decision's ts_pub).
hb_metric_t *hb_metrics_decision_latency (const char *component);

//  Observes (to_ns - from_ns) / 1e9 seconds; a negative interval (clocks
//  of two machines, a wall clock stepping back) counts as 0.
void hb_metric_observe_interval (hb_metric_t *self, int64_t from_ns, int64_t to_ns);

#endif
