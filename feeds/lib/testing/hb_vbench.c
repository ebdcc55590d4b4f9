/*  hb_vbench: bare-transport and parse-only yardsticks for venue benches.
    See hb_vbench.h.                                                       */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "hb_json.h"
#include "hb_time.h"
#include "hb_vbench.h"

struct hb_vbench_s {
    int        max;
    int        count;
    char     **msgs;
    size_t    *lens;
    size_t     bytes;
    size_t     longest;
    char      *in;              //  read buffer, as long as the longest frame
    int        sv [2];
    hb_json_t *json;
};

hb_vbench_t *
hb_vbench_new (int max_msgs)
{
    hb_vbench_t *self = (hb_vbench_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->sv [0] = self->sv [1] = -1;
    self->max = max_msgs;
    self->msgs = max_msgs > 0? (char **) calloc ((size_t) max_msgs, sizeof *self->msgs): NULL;
    self->lens = max_msgs > 0? (size_t *) calloc ((size_t) max_msgs, sizeof *self->lens): NULL;
    self->json = hb_json_new (0, 0);
    if (!self->msgs || !self->lens || !self->json
    ||  socketpair (AF_UNIX, SOCK_SEQPACKET, 0, self->sv))
        hb_vbench_destroy (&self);
    return self;
}

void
hb_vbench_destroy (hb_vbench_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_vbench_t *self = *self_p;
    for (int i = 0; i < self->count; i++)
        free (self->msgs [i]);
    free (self->msgs);
    free (self->lens);
    free (self->in);
    for (int i = 0; i < 2; i++)
        if (self->sv [i] >= 0)
            close (self->sv [i]);
    hb_json_destroy (&self->json);
    free (self);
    *self_p = NULL;
}

int
hb_vbench_add (hb_vbench_t *self, char *text)
{
    if (!text || self->count >= self->max) {
        free (text);
        return -1;
    }
    size_t len = strlen (text);
    if (len + 1 > self->longest) {
        char *in = (char *) realloc (self->in, len + 1);
        if (!in) {
            free (text);
            return -1;
        }
        self->in = in;
        self->longest = len + 1;
    }
    self->msgs [self->count] = text;
    self->lens [self->count++] = len;
    self->bytes += len;
    return 0;
}

int
hb_vbench_count (const hb_vbench_t *self)
{
    return self->count;
}

size_t
hb_vbench_mean_bytes (const hb_vbench_t *self)
{
    return self->count? self->bytes / (size_t) self->count: 0;
}

const char *
hb_vbench_msg (const hb_vbench_t *self, int i, size_t *len)
{
    *len = self->lens [i];
    return self->msgs [i];
}

static double
s_rate (int count, int64_t t0, int64_t t1)
{
    return count / ((t1 - t0) / 1e9);
}

double
hb_vbench_bare (hb_vbench_t *self)
{
    int64_t t0 = hb_mono_ns ();
    for (int i = 0; i < self->count; i++)
        if (write (self->sv [0], self->msgs [i], self->lens [i]) < 0
        ||  read (self->sv [1], self->in, self->longest) < 0)
            return -1;
    return s_rate (self->count, t0, hb_mono_ns ());
}

double
hb_vbench_parse (hb_vbench_t *self)
{
    int64_t t0 = hb_mono_ns ();
    for (int i = 0; i < self->count; i++)
        if (!hb_json_parse (self->json, self->msgs [i], self->lens [i], NULL, 0))
            return -1;
    return s_rate (self->count, t0, hb_mono_ns ());
}

static int
s_cmp (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

double
hb_vbench_median (double *values, int n)
{
    qsort (values, (size_t) n, sizeof *values, s_cmp);
    return values [n / 2];
}

//  One timed round of path; -1 when begin or a frame fails.
static double
s_full (hb_vbench_t *self, const hb_vbench_path_t *path, void *arg)
{
    void *round = path->begin (arg);
    if (!round)
        return -1;
    int64_t t0 = hb_mono_ns ();
    for (int i = 0; i < self->count; i++)
        if (path->frame (round, i, self->msgs [i], self->lens [i])) {
            path->end (round);
            return -1;
        }
    int64_t t1 = hb_mono_ns ();
    path->end (round);
    return s_rate (self->count, t0, t1);
}

int
hb_vbench_rounds (hb_vbench_t *self, int rounds, const hb_vbench_path_t *path, void *arg,
                  hb_vbench_rates_t *rates)
{
    double *values = rounds > 0? (double *) calloc ((size_t) rounds * 3, sizeof *values): NULL;
    if (!values)
        return -1;
    double *bare = values, *parse = values + rounds, *full = values + 2 * rounds;
    int rc = 0;
    for (int r = 0; r < rounds && rc == 0; r++) {
        bare [r] = hb_vbench_bare (self);
        parse [r] = hb_vbench_parse (self);
        full [r] = bare [r] < 0 || parse [r] < 0? -1: s_full (self, path, arg);
        if (full [r] < 0)
            rc = -1;
    }
    if (rc == 0) {
        rates->bare = hb_vbench_median (bare, rounds);
        rates->parse = hb_vbench_median (parse, rounds);
        rates->full = hb_vbench_median (full, rounds);
    }
    free (values);
    return rc;
}

int
hb_vbench_encode (void *buf, hb_msg_t *msg)
{
    static uint64_t seq;
    msg->env.version = HB_SCHEMA_VERSION;
    snprintf (msg->env.publisher, HB_NAME_MAX, "feed.bench");
    msg->env.seq = ++seq;
    return hb_msg_encode (msg, (hb_buf_t *) buf);
}

void
hb_vbench_report (const hb_vbench_t *self, const char *title, int rounds,
                  const char *full_label, const hb_vbench_rates_t *rates)
{
    printf ("%s: %d messages of %zu bytes on average, median of %d rounds\n",
            title, hb_vbench_count (self), hb_vbench_mean_bytes (self), rounds);
    printf ("  %-50s %10.0f msg/s\n", "bare transport (AF_UNIX seqpacket write+read)", rates->bare);
    printf ("  %-50s %10.0f msg/s\n", "JSON parse only (hb_json)", rates->parse);
    printf ("  %-50s %10.0f msg/s  (%.2f x bare, %.2f x parse)\n", full_label, rates->full,
            rates->full / rates->bare, rates->full / rates->parse);
}

int
hb_vbench_run (hb_vbench_t *self, int rounds, const hb_vbench_path_t *path, void *arg,
               const char *title, const char *full_label)
{
    hb_vbench_rates_t rates;
    if (hb_vbench_rounds (self, rounds, path, arg, &rates))
        return -1;
    hb_vbench_report (self, title, rounds, full_label, &rates);
    return 0;
}
