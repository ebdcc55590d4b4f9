/*  hb_testhost: a zloop host for plugin tests. See hb_testhost.h.         */
#include "hb_testhost.h"
#include "hb_log.h"

#include <czmq.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_TIMERS 256
#define S_MAX_FDS    64
#define S_MAX_LOGS   4096

typedef struct {
    hb_testhost_t *owner;
    hb_timer_fn   *fn;
    void          *arg;
    int            id;
    size_t         left;
    bool           used;
} s_timer_t;

typedef struct {
    hb_fd_fn *fn;
    void     *arg;
    int       fd;
    bool      used;
} s_fd_t;

struct hb_testhost_s {
    hb_host_api_t  api;
    zloop_t       *loop;
    hb_msg_t      *msgs;
    size_t         n_msgs, cap_msgs;
    uint32_t       status;
    size_t         status_counts [4];
    s_timer_t      timers [S_MAX_TIMERS];
    s_fd_t         fds [S_MAX_FDS];
    char          *logs [S_MAX_LOGS];
    int            log_levels [S_MAX_LOGS];
    size_t         n_logs;
    bool         (*until) (void *);
    void          *until_arg;
    bool           verbose;
};

static int
s_publish (void *ctx, hb_msg_t *msg)
{
    hb_testhost_t *self = (hb_testhost_t *) ctx;
    hb_buf_t buf;
    //  the real host stamps the envelope before it encodes; the encoder
    //  refuses an envelope without a publisher
    if (!msg->env.publisher [0])
        snprintf (msg->env.publisher, sizeof msg->env.publisher, "feed.%.26s", self->api.venue->name);
    if (hb_msg_encode (msg, &buf))
        return -1;                  //  what the real host would refuse
    if (self->n_msgs == self->cap_msgs) {
        size_t cap = self->cap_msgs ? self->cap_msgs * 2 : 1024;
        hb_msg_t *msgs = (hb_msg_t *) realloc (self->msgs, cap * sizeof (hb_msg_t));
        if (!msgs)
            return -1;
        self->msgs = msgs;
        self->cap_msgs = cap;
    }
    self->msgs [self->n_msgs++] = *msg;
    return 0;
}

//  Discovery (ABI v5): every listed instrument is kept as an instrument
//  message, as the real host would publish it (no filter: the plugin's
//  own listing is what a test looks at); a delisting likewise, flagged
static int
s_instrument_list (void *ctx, const hb_instrument_t *items, size_t count)
{
    hb_testhost_t *self = (hb_testhost_t *) ctx;
    hb_msg_t msg;
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        memset (&msg, 0, sizeof msg);
        msg.env.type = HB_MSG_INSTRUMENT;
        msg.u.instrument = items [i];
        if (!msg.u.instrument.venue [0])
            snprintf (msg.u.instrument.venue, HB_NAME_MAX, "%s", self->api.venue->name);
        kept += s_publish (self, &msg) == 0;
    }
    return (int) kept;
}

static int
s_instrument_delist (void *ctx, const char *symbol)
{
    hb_testhost_t *self = (hb_testhost_t *) ctx;
    //  the last listing of symbol, flagged
    for (size_t i = self->n_msgs; i-- > 0; ) {
        if (self->msgs [i].env.type != HB_MSG_INSTRUMENT || strcmp (self->msgs [i].u.instrument.symbol, symbol) != 0)
            continue;
        hb_msg_t msg = self->msgs [i];
        memset (&msg.env, 0, sizeof msg.env);
        msg.env.type = HB_MSG_INSTRUMENT;
        msg.u.instrument.flags |= HB_INSTRUMENT_DELISTED;
        return s_publish (self, &msg);
    }
    return -1;
}

static void
s_log (void *ctx, int level, const char *format, ...)
{
    hb_testhost_t *self = (hb_testhost_t *) ctx;
    char text [1024];
    va_list args;
    va_start (args, format);
    vsnprintf (text, sizeof text, format, args);
    va_end (args);
    if (self->verbose)
        fprintf (stderr, "[host %d] %s\n", level, text);
    if (self->n_logs < S_MAX_LOGS) {
        self->log_levels [self->n_logs] = level;
        self->logs [self->n_logs++] = strdup (text);
    }
}

static int64_t
s_now (void *ctx)
{
    (void) ctx;
    return zclock_time () * 1000000LL;
}

static int
s_on_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    s_timer_t *slot = (s_timer_t *) arg;
    //  zloop_timer_end only buries a timer at the end of the loop's pass:
    //  a cancelled timer due in the same pass still fires. It is not the
    //  slot's any more (the slot may hold a new timer): ignore it.
    if (!slot->used || slot->id != timer_id)
        return 0;
    int rc = slot->fn (slot->arg);
    if (slot->used && slot->id == timer_id && slot->left > 0 && --slot->left == 0)
        slot->used = false;
    return rc < 0 ? -1 : 0;
}

static int
s_timer_add (void *ctx, uint64_t interval_ms, size_t times, hb_timer_fn *fn, void *arg)
{
    hb_testhost_t *self = (hb_testhost_t *) ctx;
    for (int i = 0; i < S_MAX_TIMERS; i++) {
        s_timer_t *slot = &self->timers [i];
        if (slot->used)
            continue;
        int id = zloop_timer (self->loop, (size_t) interval_ms, times, s_on_timer, slot);
        if (id < 0)
            return -1;
        *slot = (s_timer_t) { self, fn, arg, id, times, true };
        return id;
    }
    return -1;
}

static int
s_timer_cancel (void *ctx, int timer_id)
{
    hb_testhost_t *self = (hb_testhost_t *) ctx;
    for (int i = 0; i < S_MAX_TIMERS; i++)
        if (self->timers [i].used && self->timers [i].id == timer_id) {
            zloop_timer_end (self->loop, timer_id);
            self->timers [i].used = false;
            return 0;
        }
    return -1;
}

static int
s_on_fd (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    s_fd_t *slot = (s_fd_t *) arg;
    int revents = ((item->revents & ZMQ_POLLIN) ? HB_FD_READ : 0)
                | ((item->revents & ZMQ_POLLOUT) ? HB_FD_WRITE : 0)
                | ((item->revents & ZMQ_POLLERR) ? HB_FD_ERROR : 0);
    return slot->fn (slot->arg, item->fd, revents) < 0 ? -1 : 0;
}

static int
s_fd_add (void *ctx, int fd, int events, hb_fd_fn *fn, void *arg)
{
    hb_testhost_t *self = (hb_testhost_t *) ctx;
    for (int i = 0; i < S_MAX_FDS; i++) {
        s_fd_t *slot = &self->fds [i];
        if (slot->used)
            continue;
        zmq_pollitem_t item = { NULL, fd, 0, 0 };
        item.events = (short) (((events & HB_FD_READ) ? ZMQ_POLLIN : 0)
                             | ((events & HB_FD_WRITE) ? ZMQ_POLLOUT : 0));
        if (zloop_poller (self->loop, &item, s_on_fd, slot))
            return -1;
        zloop_poller_set_tolerant (self->loop, &item);
        *slot = (s_fd_t) { fn, arg, fd, true };
        return 0;
    }
    return -1;
}

static int
s_fd_remove (void *ctx, int fd)
{
    hb_testhost_t *self = (hb_testhost_t *) ctx;
    for (int i = 0; i < S_MAX_FDS; i++)
        if (self->fds [i].used && self->fds [i].fd == fd) {
            zmq_pollitem_t item = { NULL, fd, 0, 0 };
            zloop_poller_end (self->loop, &item);
            self->fds [i].used = false;
            return 0;
        }
    return -1;
}

static void
s_set_status (void *ctx, uint32_t status)
{
    hb_testhost_t *self = (hb_testhost_t *) ctx;
    self->status = status;
    self->status_counts [status < 4 ? status : 3]++;
}

hb_testhost_t *
hb_testhost_new (const hb_config_t *config, const char *venue)
{
    const hb_venue_cfg_t *cfg = hb_config_venue (config, venue);
    if (!cfg)
        return NULL;
    hb_testhost_t *self = (hb_testhost_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->loop = zloop_new ();
    if (!self->loop) {
        free (self);
        return NULL;
    }
    self->verbose = getenv ("HB_TEST_VERBOSE") != NULL;
    self->api = (hb_host_api_t) {
        .abi_version = HB_PLUGIN_ABI_VERSION,
        .size = sizeof (hb_host_api_t),
        .ctx = self,
        .config = config,
        .venue = cfg,
        .publish = s_publish,
        .instrument_list = s_instrument_list,
        .instrument_delist = s_instrument_delist,
        .log = s_log,
        .now_ns = s_now,
        .timer_add = s_timer_add,
        .timer_cancel = s_timer_cancel,
        .fd_add = s_fd_add,
        .fd_remove = s_fd_remove,
        .set_status = s_set_status
    };
    return self;
}

void
hb_testhost_destroy (hb_testhost_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_testhost_t *self = *self_p;
    zloop_destroy (&self->loop);
    for (size_t i = 0; i < self->n_logs; i++)
        free (self->logs [i]);
    free (self->msgs);
    free (self);
    *self_p = NULL;
}

const hb_host_api_t *
hb_testhost_api (hb_testhost_t *self)
{
    return &self->api;
}

static int
s_on_check (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_testhost_t *self = (hb_testhost_t *) arg;
    return self->until && self->until (self->until_arg) ? -1 : 0;
}

static int
s_on_deadline (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    (void) arg;
    return -1;
}

int
hb_testhost_run (hb_testhost_t *self, int timeout_ms, bool (*until) (void *arg), void *arg)
{
    if (until && until (arg))
        return 0;
    self->until = until;
    self->until_arg = arg;
    int check = zloop_timer (self->loop, 5, 0, s_on_check, self);
    int deadline = zloop_timer (self->loop, (size_t) timeout_ms, 1, s_on_deadline, self);
    zloop_start (self->loop);
    zloop_timer_end (self->loop, check);
    zloop_timer_end (self->loop, deadline);
    self->until = NULL;
    return until && until (arg) ? 0 : -1;
}

size_t
hb_testhost_count (const hb_testhost_t *self)
{
    return self->n_msgs;
}

const hb_msg_t *
hb_testhost_msg (const hb_testhost_t *self, size_t i)
{
    return i < self->n_msgs ? &self->msgs [i] : NULL;
}

size_t
hb_testhost_count_type (const hb_testhost_t *self, int type)
{
    size_t n = 0;
    for (size_t i = 0; i < self->n_msgs; i++)
        n += self->msgs [i].env.type == type;
    return n;
}

const hb_msg_t *
hb_testhost_last (const hb_testhost_t *self, int type, const char *symbol)
{
    for (size_t i = self->n_msgs; i-- > 0; ) {
        const hb_msg_t *msg = &self->msgs [i];
        if (msg->env.type != type)
            continue;
        const char *sym = type == HB_MSG_TICK ? msg->u.tick.symbol
                        : type == HB_MSG_TRADE ? msg->u.trade.symbol
                        : type == HB_MSG_INSTRUMENT ? msg->u.instrument.symbol : NULL;
        if (!symbol || !sym || strcmp (sym, symbol) == 0)
            return msg;
    }
    return NULL;
}

uint32_t
hb_testhost_status (const hb_testhost_t *self)
{
    return self->status;
}

size_t
hb_testhost_status_count (const hb_testhost_t *self, uint32_t value)
{
    return self->status_counts [value < 4 ? value : 3];
}

size_t
hb_testhost_logs (const hb_testhost_t *self, int level, const char *text)
{
    size_t n = 0;
    for (size_t i = 0; i < self->n_logs; i++)
        if (self->log_levels [i] == level && (!text || strstr (self->logs [i], text)))
            n++;
    return n;
}

size_t
hb_testhost_fds (const hb_testhost_t *self)
{
    size_t n = 0;
    for (int i = 0; i < S_MAX_FDS; i++)
        n += self->fds [i].used;
    return n;
}

size_t
hb_testhost_timers (const hb_testhost_t *self)
{
    size_t n = 0;
    for (int i = 0; i < S_MAX_TIMERS; i++)
        n += self->timers [i].used;
    return n;
}

int
hb_testhost_param (hb_config_t *config, const char *venue, const char *key, const char *value)
{
    hb_venue_cfg_t *v = NULL;
    for (int i = 0; i < config->n_venues && !v; i++)
        if (strcmp (config->venues [i].name, venue) == 0)
            v = &config->venues [i];
    if (!v)
        return -1;
    for (int i = 0; i < v->n_params; i++)
        if (strcmp (v->params [i].key, key) == 0) {
            if (value)
                snprintf (v->params [i].value, sizeof v->params [i].value, "%s", value);
            else
                v->params [i] = v->params [--v->n_params];
            return 0;
        }
    if (!value)
        return 0;
    if (v->n_params >= HB_MAX_PARAMS)
        return -1;
    hb_param_t *p = &v->params [v->n_params++];
    snprintf (p->key, sizeof p->key, "%s", key);
    snprintf (p->value, sizeof p->value, "%s", value);
    return 0;
}

bool
hb_testhost_creates (hb_testhost_t *self, const hb_venue_ops_t *ops)
{
    void *plugin = ops->create (hb_testhost_api (self));
    bool made = plugin != NULL;
    ops->destroy (&plugin);
    return made;
}

typedef struct {
    hb_testhost_t        *host;
    hb_testhost_until_fn *until;
    void                 *arg;
} s_plugin_run_t;

static bool
s_plugin_until (void *arg)
{
    s_plugin_run_t *run = (s_plugin_run_t *) arg;
    return run->until (run->host, run->arg);
}

int
hb_testhost_run_plugin (const hb_config_t *config, const char *venue, const hb_venue_ops_t *ops,
                        int timeout_ms, hb_testhost_until_fn *until, void *arg)
{
    s_plugin_run_t run = { hb_testhost_new (config, venue), until, arg };
    if (!run.host) {
        fprintf (stderr, "hb_testhost_run_plugin: no host for venue '%s'\n", venue);
        return -1;
    }
    void *plugin = ops->create (hb_testhost_api (run.host));
    int rc = -1;
    if (!plugin)
        fprintf (stderr, "hb_testhost_run_plugin: create refused venue '%s'\n", venue);
    else
    if (ops->start (plugin))
        fprintf (stderr, "hb_testhost_run_plugin: start failed for venue '%s'\n", venue);
    else
        rc = hb_testhost_run (run.host, timeout_ms, s_plugin_until, &run);
    ops->destroy (&plugin);
    size_t fds = hb_testhost_fds (run.host);
    if (fds) {
        fprintf (stderr, "hb_testhost_run_plugin: %zu fds left by venue '%s'\n", fds, venue);
        rc = -1;
    }
    hb_testhost_destroy (&run.host);
    return rc;
}

//  The checks of hb_testhost_check_tls_params on host: NULL or the failed one
static const char *
s_check_tls (hb_testhost_t *host, hb_config_t *config, const char *venue,
             const hb_venue_ops_t *ops, const char *dir, const char *crt)
{
    char missing [HB_PATH_MAX];
    snprintf (missing, sizeof missing, "%s/missing.crt", dir);
    hb_testhost_param (config, venue, "ca_file", missing);
    if (hb_testhost_creates (host, ops))
        return "a ca_file that does not exist was accepted";
    if (hb_testhost_logs (host, HB_LOG_ERROR, "params.ca_file") != 1
    ||  hb_testhost_logs (host, HB_LOG_ERROR, missing) != 1)
        return "a missing ca_file was not refused with one error naming params.ca_file and the file";

    //  exists but is no certificate: hb_ws loads it at create and refuses
    char junk [HB_PATH_MAX];
    snprintf (junk, sizeof junk, "%s/junk.crt", dir);
    FILE *f = fopen (junk, "w");
    if (!f)
        return "cannot write the junk ca_file";
    fputs ("not a certificate\n", f);
    fclose (f);
    hb_testhost_param (config, venue, "ca_file", junk);
    if (hb_testhost_creates (host, ops))
        return "a ca_file that holds no certificate was accepted";

    hb_testhost_param (config, venue, "ca_file", crt);
    hb_testhost_param (config, venue, "insecure", "yes");
    if (hb_testhost_creates (host, ops))
        return "insecure 'yes' was accepted";
    if (hb_testhost_logs (host, HB_LOG_ERROR, "params.insecure: 'yes'") != 1)
        return "insecure 'yes' was not refused with one error naming params.insecure and the value";

    //  fixed: accepted
    hb_testhost_param (config, venue, "insecure", "false");
    size_t errors = hb_testhost_logs (host, HB_LOG_ERROR, NULL);
    if (!hb_testhost_creates (host, ops))
        return "the fixed TLS params were refused";
    if (hb_testhost_logs (host, HB_LOG_ERROR, NULL) != errors)
        return "the fixed TLS params logged an error";
    if (hb_testhost_fds (host) != 0)
        return "fds were left after the plugins were destroyed";
    return NULL;
}

const char *
hb_testhost_check_tls_params (hb_config_t *config, const char *venue,
                              const hb_venue_ops_t *ops, const char *dir, const char *crt)
{
    hb_testhost_param (config, venue, "ws_url", "wss://127.0.0.1:1");
    hb_testhost_t *host = hb_testhost_new (config, venue);
    if (!host)
        return "no host for the venue";
    const char *failed = s_check_tls (host, config, venue, ops, dir, crt);
    hb_testhost_destroy (&host);
    return failed;
}
