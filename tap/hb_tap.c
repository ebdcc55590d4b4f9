/*  hb_tap: see hb_tap.h. */
#include "hb_tap.h"
#include "hb_log.h"

#include <errno.h>
#include <string.h>

//  Publishers whose epoch we remember, to report a restart once per
//  publisher rather than once per topic. A deployment has a few dozen.
#define S_MAX_PUBLISHERS    128
#define S_LINE_MAX          16384   //  a risk.corr part of 480 values is about 10 KB of JSON

typedef struct {
    char     name [HB_NAME_MAX];
    uint64_t epoch;
} s_publisher_t;

struct _hb_tap_t {
    const hb_config_t *config;
    FILE              *out;
    hb_sub_t          *sub;
    hb_tap_fn         *handler;
    void              *handler_arg;
    hb_tap_stats_t     stats;
    uint64_t           decode_errors_seen;
    int                n_publishers;
    s_publisher_t      publishers [S_MAX_PUBLISHERS];
    hb_msg_t           msg;
    char               line [S_LINE_MAX];
};

hb_tap_t *
hb_tap_new (const hb_config_t *config, FILE *out)
{
    assert (config && out);
    hb_tap_t *self = (hb_tap_t *) zmalloc (sizeof *self);
    if (!self)
        return NULL;
    self->config = config;
    self->out = out;
    //  Publishers do not drop for a slow subscriber: they conflate ticks
    //  and block on reliable flows. A tap behind a terminal must not do
    //  that to a feed, so it gets a deep queue of its own.
    self->sub = hb_sub_new (100000);
    if (!self->sub) {
        free (self);
        return NULL;
    }
    //  A console lives for one order: it binds, waits for the feed's
    //  subscription and a heartbeat, sends and goes. At ZeroMQ's default
    //  100 ms between attempts a tap could connect after the order left,
    //  and hb-top would show its acks but never the order.
    hb_sub_set_reconnect_ms (self->sub, 10);
    return self;
}

void
hb_tap_destroy (hb_tap_t **self_p)
{
    assert (self_p);
    hb_tap_t *self = *self_p;
    if (!self)
        return;
    hb_sub_destroy (&self->sub);
    free (self);
    *self_p = NULL;
}

int
hb_tap_subscribe (hb_tap_t *self, const char *prefix)
{
    assert (self && prefix);
    return hb_sub_subscribe (self->sub, prefix);
}

int
hb_tap_connect_all (hb_tap_t *self)
{
    assert (self);
    const hb_config_t *config = self->config;
    int n = 0;
    for (int i = 0; i < config->n_venues; i++) {
        const hb_venue_cfg_t *venue = &config->venues [i];
        if (!venue->enabled || !venue->endpoint [0])
            continue;
        if (hb_sub_connect (self->sub, venue->endpoint)) {
            hb_error ("cannot connect to venue %s at %s", venue->name, venue->endpoint);
            return -1;
        }
        n++;
    }
    for (int i = 0; i < config->n_components; i++) {
        const hb_component_cfg_t *comp = &config->components [i];
        if (!comp->endpoint [0])
            continue;
        if (hb_sub_connect (self->sub, comp->endpoint)) {
            hb_error ("cannot connect to %s at %s", comp->name, comp->endpoint);
            return -1;
        }
        n++;
    }
    return n;
}

void
hb_tap_set_handler (hb_tap_t *self, hb_tap_fn *fn, void *arg)
{
    assert (self);
    self->handler = fn;
    self->handler_arg = arg;
}

void
hb_tap_stats (hb_tap_t *self, hb_tap_stats_t *stats)
{
    assert (self && stats);
    *stats = self->stats;
}

static void
s_emit (hb_tap_t *self, const char *line)
{
    if (self->handler)
        return;
    fputs (line, self->out);
    fputc ('\n', self->out);
    fflush (self->out);
}

//  Writes a restart event when env comes from a publisher we knew under an
//  older epoch, and remembers the newest epoch of each publisher.
static void
s_check_epoch (hb_tap_t *self, const hb_env_t *env)
{
    s_publisher_t *pub = NULL;
    for (int i = 0; i < self->n_publishers; i++)
        if (strcmp (self->publishers [i].name, env->publisher) == 0) {
            pub = &self->publishers [i];
            break;
        }
    if (!pub) {
        if (self->n_publishers == S_MAX_PUBLISHERS)
            return;                     //  restart events degrade to per topic below
        pub = &self->publishers [self->n_publishers++];
        memcpy (pub->name, env->publisher, HB_NAME_MAX);
        pub->epoch = env->epoch;
        return;
    }
    if (env->epoch <= pub->epoch)
        return;
    self->stats.restarts++;
    snprintf (self->line, sizeof self->line,
              "{\"event\":\"restart\",\"publisher\":\"%s\",\"epoch\":%llu,\"previous_epoch\":%llu}",
              env->publisher, (unsigned long long) env->epoch, (unsigned long long) pub->epoch);
    s_emit (self, self->line);
    pub->epoch = env->epoch;
}

int
hb_tap_poll (hb_tap_t *self, int timeout_ms)
{
    assert (self);
    char topic [HB_TOPIC_MAX], safe [HB_TOPIC_MAX * 6 + 8];
    hb_seq_status_t status;
    if (hb_sub_recv (self->sub, topic, sizeof topic, &self->msg, &status, timeout_ms)) {
        if (errno == EAGAIN)
            return 0;
        if (errno != EPROTO)
            return -1;
        //  The subscriber has logged the details (rate-limited); the line
        //  lets a script count them.
        self->stats.decode_errors++;
        if (self->handler)
            self->handler (self->handler_arg, NULL, NULL, HB_SEQ_STALE);
        snprintf (self->line, sizeof self->line, "{\"event\":\"decode_error\",\"total\":%llu}",
                  (unsigned long long) self->stats.decode_errors);
        s_emit (self, self->line);
        return 0;
    }
    const hb_env_t *env = &self->msg.env;
    //  Names passed the decoder's [A-Za-z0-9._:-] check: safe in JSON as is.
    switch (status) {
        case HB_SEQ_FIRST:
        case HB_SEQ_RESTART:
            s_check_epoch (self, env);
            break;
        case HB_SEQ_GAP: {
            uint64_t missed = hb_sub_last_missed (self->sub);
            self->stats.gaps++;
            self->stats.missed += missed;
            snprintf (self->line, sizeof self->line,
                      "{\"event\":\"gap\",\"publisher\":\"%s\",\"topic\":\"%s\",\"missed\":%llu}",
                      env->publisher, hb_json_escape (topic, safe, sizeof safe),
                      (unsigned long long) missed);
            s_emit (self, self->line);
            break;
        }
        case HB_SEQ_STALE:
            self->stats.stale++;
            snprintf (self->line, sizeof self->line,
                      "{\"event\":\"stale\",\"publisher\":\"%s\",\"topic\":\"%s\",\"seq\":%llu,\"epoch\":%llu}",
                      env->publisher, hb_json_escape (topic, safe, sizeof safe),
                      (unsigned long long) env->seq,
                      (unsigned long long) env->epoch);
            s_emit (self, self->line);
            return 0;
        default:
            break;
    }
    self->stats.messages++;
    if (self->handler)
        self->handler (self->handler_arg, topic, &self->msg, status);
    else {
        hb_msg_to_json (&self->msg, topic, self->line, sizeof self->line);
        s_emit (self, self->line);
    }
    return 1;
}
