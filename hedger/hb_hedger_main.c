/*  hb-hedger: the hedger process.
      hb-hedger --config FILE [--log-level L]   live, on the bus
      hb-hedger --config FILE kill | reset      latch / clear the kill switch
                [--bus [--from COMPONENT] [--timeout-ms N]] [--by NAME] [--reason TEXT]
    One zloop: risk.hedge from risk's endpoint; tick.*, ack.*, fill.* from
    every enabled venue; pos.* and margin.* from the aggregator;
    hedger.control from every other component with orders: true; a timer
    for order timeouts and the kill file, one for the heartbeat (hb.hedger).
    The decisions are in hb_hedger_t; this file only moves messages.
    kill / reset alone write / remove the kill file (the running hedger
    sees it within a timer period); with --bus they are sent as a
    hedger.control command from COMPONENT (default console) and wait for
    the hedger's echo (hb_remote.h). Exits 0 on SIGTERM/SIGINT, 1 when it
    cannot start (or a command failed), 2 on a bad command line or config.
    HB_HEDGER_CRASH=after_journal|after_send|after_ack, HB_HEDGER_CRASH_NTH=N
    (default 1), read once at start: the process kills itself with SIGKILL
    at the Nth such point. It exists for tests/it_hedger_restart.sh.      */
#include <czmq.h>
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_config.h"
#include "hb_curve.h"
#include "hb_grid.h"
#include "hb_heartbeat.h"
#include "hb_hedger.h"
#include "hb_killswitch.h"
#include "hb_log.h"
#include "hb_pub.h"
#include "hb_remote.h"
#include "hb_sub.h"
#include "hb_time.h"

#define S_TIMER_MS  1000
#define S_DRAIN_MAX 256
#define S_PENDING   8               //  requests waiting for the venues to pass their time
#define S_LATE_MS   3000            //  a venue silent this long is not waited for
#define S_GRID_MS   50              //  how often lateness is looked at

typedef struct {
    hb_msg_t        msg;
    hb_seq_status_t status;
} s_pending_t;

typedef struct {
    const hb_config_t *cfg;
    hb_pub_t    *pub;
    hb_sub_t    *sub;
    hb_hedger_t *hedger;
    zloop_t     *loop;
    int64_t      started_mono;
    uint64_t     msgs_in;
    hb_msg_t     in;
    //  a request is taken once every venue has passed its data time, so
    //  that the books and acks up to then are in (docs/RISK.md)
    hb_grid_t   *grid;
    int          stream_of [HB_MAX_VENUES];
    s_pending_t  pending [S_PENDING];
    int          n_pending;
} s_live_t;

static volatile sig_atomic_t s_stop;

static void
s_on_signal (int signum)
{
    (void) signum;
    s_stop = 1;
}

static int
s_send (const char *topic, hb_msg_t *msg, void *arg)
{
    s_live_t *self = (s_live_t *) arg;
    return hb_pub_send (self->pub, topic, msg);
}

//  The data time of a request: risk stamps it in ts_venue
static int64_t
s_request_time (const hb_msg_t *msg)
{
    return msg->env.ts_venue? msg->env.ts_venue: msg->env.ts_recv;
}

//  Hands the waiting requests to the hedger, oldest first, once every
//  venue has passed their time (or is late: hb_grid.h); all of them when
//  force (no room left to wait)
static void
s_release (s_live_t *self, bool force)
{
    int done = 0;
    while (done < self->n_pending
    &&    (force || hb_grid_passed (self->grid, s_request_time (&self->pending [done].msg), hb_mono_ns ()))) {
        hb_hedger_on_request (self->hedger, &self->pending [done].msg, self->pending [done].status,
                              hb_wall_ns ());
        done++;
    }
    if (done > 0) {
        memmove (self->pending, self->pending + done, (size_t) (self->n_pending - done) * sizeof self->pending [0]);
        self->n_pending -= done;
    }
}

//  A venue's message moves its stream of the grid on
static void
s_progress (s_live_t *self)
{
    const char *publisher = self->in.env.publisher;
    const hb_venue_cfg_t *venue = strncmp (publisher, "feed.", 5) == 0
                                ? hb_config_venue (self->cfg, publisher + 5) : NULL;
    if (venue && self->stream_of [venue - self->cfg->venues] >= 0)
        hb_grid_push (self->grid, self->stream_of [venue - self->cfg->venues], &self->in, false,
                      hb_mono_ns ());
}

static int
s_on_bus (zloop_t *loop, zsock_t *reader, void *arg)
{
    (void) loop;
    (void) reader;
    s_live_t *self = (s_live_t *) arg;
    char topic [HB_TOPIC_MAX];
    for (int n = 0; n < S_DRAIN_MAX; n++) {
        hb_seq_status_t status;
        if (hb_sub_recv (self->sub, topic, sizeof topic, &self->in, &status, 0) != 0) {
            if (errno == EPROTO)
                continue;
            break;
        }
        self->msgs_in++;
        if (self->in.env.type == HB_MSG_RISK_HEDGE) {
            //  a STALE one is refused too, and said so, in its turn
            if (self->n_pending == S_PENDING) {
                hb_warn ("hedger: %d requests waiting for the venues: taking them now", S_PENDING);
                s_release (self, true);
            }
            self->pending [self->n_pending].msg = self->in;
            self->pending [self->n_pending].status = status;
            self->n_pending++;
        }
        else
        if (self->in.env.type == HB_MSG_HEDGER_CONTROL)
            //  even a STALE kill is obeyed; a reset says itself when it is old
            hb_hedger_on_control (self->hedger, &self->in, hb_wall_ns ());
        else
        if (status != HB_SEQ_STALE) {
            s_progress (self);
            hb_hedger_on_msg (self->hedger, &self->in, hb_wall_ns ());
        }
    }
    s_release (self, false);
    return s_stop? -1: 0;
}

static int
s_on_grid (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_live_t *self = (s_live_t *) arg;
    s_release (self, false);
    return s_stop? -1: 0;
}

static int
s_on_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_live_t *self = (s_live_t *) arg;
    if (s_stop)
        return -1;
    hb_hedger_stats_t st;
    hb_hedger_stats (self->hedger, &st);
    hb_msg_t msg;
    hb_heartbeat_begin (&msg, "hedger", self->started_mono, self->pub, self->sub);
    hb_heartbeat_t *hb = &msg.u.heartbeat;
    hb->msgs_in = self->msgs_in;
    hb->queue_depth = st.in_flight;
    hb->status = hb_hedger_killed (self->hedger)? 1: 0;     //  1: kill switch set
    hb_pub_send (self->pub, NULL, &msg);
    return 0;
}

static int
s_on_timeouts (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_live_t *self = (s_live_t *) arg;
    if (s_stop)
        return -1;
    hb_hedger_check_timeouts (self->hedger, hb_wall_ns ());
    hb_hedger_check_kill (self->hedger, hb_wall_ns ());
    return 0;
}

static int
s_subscribe (s_live_t *self)
{
    const hb_config_t *cfg = self->cfg;
    const hb_component_cfg_t *risk = hb_config_component (cfg, "risk");
    const char *risk_ep = risk && risk->endpoint [0]? risk->endpoint: cfg->risk.endpoint;
    if (hb_sub_connect (self->sub, risk_ep) != 0 || hb_sub_subscribe (self->sub, "risk.hedge") != 0)
        return -1;
    for (int v = 0; v < cfg->n_venues; v++) {
        const hb_venue_cfg_t *venue = &cfg->venues [v];
        if (!venue->enabled)
            continue;
        if (hb_sub_connect (self->sub, venue->endpoint) != 0)
            return -1;
        //  the feed's heartbeat: a venue in outage still moves its time on
        const char *kinds [] = { "tick", "ack", "fill", "hb.feed" };
        for (int k = 0; k < 4; k++) {
            char prefix [HB_TOPIC_MAX];
            snprintf (prefix, sizeof prefix, k < 3? "%s.%s.": "%s.%s", kinds [k], venue->name);
            if (hb_sub_subscribe (self->sub, prefix) != 0)
                return -1;
        }
    }
    if (hb_sub_connect (self->sub, cfg->aggregator.endpoint) != 0
    ||  hb_sub_subscribe (self->sub, "pos.") != 0 || hb_sub_subscribe (self->sub, "margin.") != 0)
        return -1;
    //  the kill switch on the bus: from the components trusted with orders
    for (int i = 0; i < cfg->n_components; i++) {
        const hb_component_cfg_t *comp = &cfg->components [i];
        if (!comp->sends_orders || !comp->endpoint [0] || strcmp (comp->name, "hedger") == 0
        ||  strcmp (comp->endpoint, cfg->hedger.endpoint) == 0)
            continue;
        if (hb_sub_connect (self->sub, comp->endpoint) != 0)
            return -1;
    }
    return hb_sub_subscribe (self->sub, "hedger.control");
}

//  An order is given up at most a quarter of order_timeout_ms late: it is
//  under-hedging time (hb_hedger_check_timeouts)
static size_t
s_timeout_period (const hb_config_t *cfg)
{
    int ms = cfg->hedger.order_timeout_ms / 4;
    return (size_t) (ms < 10? 10: ms > S_TIMER_MS? S_TIMER_MS: ms);
}

//  crash, crash_nth: the restart tests' injected crash (HB_HEDGER_CRASH,
//  HB_HEDGER_CRASH_NTH), crash NULL when unset
static int
s_run (const hb_config_t *cfg, const char *crash, int crash_nth)
{
    s_live_t live = { .cfg = cfg, .started_mono = hb_mono_ns () };
    int rc = 1;
    live.pub = hb_pub_new (cfg->hedger.endpoint, "hedger", 0);
    live.sub = hb_sub_new (0);
    live.loop = zloop_new ();
    int n_streams = 0;
    for (int v = 0; v < cfg->n_venues; v++)
        live.stream_of [v] = cfg->venues [v].enabled? n_streams++: -1;
    live.grid = hb_grid_new (n_streams > 0? n_streams: 1, 0, 1000000, 0,
                             (int64_t) S_LATE_MS * 1000000, hb_mono_ns ());
    if (live.pub && live.sub && live.loop && live.grid)
        live.hedger = hb_hedger_new (cfg, s_send, &live, hb_wall_ns ());
    if (live.hedger && crash && hb_hedger_set_crash (live.hedger, crash, crash_nth) != 0) {
        hb_error ("hedger: HB_HEDGER_CRASH=%s HB_HEDGER_CRASH_NTH=%d: expected after_journal, "
                  "after_send or after_ack and N >= 1", crash, crash_nth);
        hb_hedger_destroy (&live.hedger);
    }
    //  what a previous run left in flight past order_timeout_ms is given
    //  up now, not a timer period later
    if (live.hedger)
        hb_hedger_check_timeouts (live.hedger, hb_wall_ns ());
    if (live.hedger && s_subscribe (&live) == 0
    &&  zloop_reader (live.loop, hb_sub_sock (live.sub), s_on_bus, &live) == 0
    &&  zloop_timer (live.loop, S_TIMER_MS, 0, s_on_timer, &live) >= 0
    &&  zloop_timer (live.loop, s_timeout_period (cfg), 0, s_on_timeouts, &live) >= 0
    &&  zloop_timer (live.loop, S_GRID_MS, 0, s_on_grid, &live) >= 0) {
        hb_info ("hedger: publishing on %s%s", cfg->hedger.endpoint,
                 hb_hedger_killed (live.hedger)? " (kill switch SET: no orders)": "");
        while (!s_stop)
            if (zloop_start (live.loop) != 0)
                break;
        hb_info ("hedger: stopping");
        rc = 0;
    }
    else
        hb_error ("hedger: cannot start");
    zloop_destroy (&live.loop);
    hb_hedger_destroy (&live.hedger);
    hb_grid_destroy (&live.grid);
    hb_sub_destroy (&live.sub);
    hb_pub_destroy (&live.pub);
    return rc;
}

static void
s_usage (FILE *out)
{
    fprintf (out, "usage: hb-hedger --config FILE [--log-level L] [kill | reset]\n"
                  "                 [--bus [--from COMPONENT] [--timeout-ms N]] [--by NAME]"
                  " [--reason TEXT]\n"
                  "  (no command)  run the hedger on the bus\n"
                  "  kill          latch the kill switch (no orders until reset): the kill file\n"
                  "  reset         clear the kill switch\n"
                  "  --bus         send it to the running hedger as a hedger.control command\n"
                  "                from COMPONENT (default console: an endpoint and orders: true)\n"
                  "                and wait for its echo (default 5000 ms)\n"
                  "  --by NAME     who (default $USER, else operator); --reason TEXT: why\n");
}

//  kill / reset: the kill file, or (bus) a hedger.control command to the
//  running hedger. 0 done, 1 failed.
static int
s_command (const hb_config_t *cfg, const char *command, bool bus, const char *from,
           const char *by, const char *reason, int timeout_ms)
{
    hb_hedger_control_t control = {
        .command = strcmp (command, "kill") == 0? HB_CONTROL_KILL: HB_CONTROL_RESET
    };
    snprintf (control.by, sizeof control.by, "%s", by);
    snprintf (control.text, sizeof control.text, "%s", reason);
    if (bus) {
        zsys_handler_set (NULL);
        zsys_init ();
        return hb_remote_control (cfg, from, &control, timeout_ms, stdout) == 0? 0: 1;
    }
    snprintf (control.id, sizeof control.id, "%.24s.%lld", control.by, (long long) hb_wall_ns ());
    if (hb_killswitch_file_set (cfg->hedger.kill_file, &control) != 0) {
        fprintf (stderr, "hb-hedger: %s: %s\n", cfg->hedger.kill_file, strerror (errno));
        return 1;
    }
    printf ("hb-hedger: kill switch %s (%s)\n", control.command == HB_CONTROL_KILL? "SET": "reset",
            cfg->hedger.kill_file);
    return 0;
}

//  who runs the command: --by, else $USER when it is a name, else "operator"
static const char *
s_by (const char *given)
{
    const char *user = getenv ("USER");
    return given? given: user && hb_name_valid (user)? user: "operator";
}

int
main (int argc, char **argv)
{
    hb_log_init ("hedger", HB_LOG_INFO);
    static const struct option options [] = {
        { "config",     required_argument, NULL, 'c' },
        { "log-level",  required_argument, NULL, 'l' },
        { "bus",        no_argument,       NULL, 'b' },
        { "from",       required_argument, NULL, 'f' },
        { "by",         required_argument, NULL, 'y' },
        { "reason",     required_argument, NULL, 'r' },
        { "timeout-ms", required_argument, NULL, 't' },
        { "help",       no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *path = NULL, *level_text = NULL, *from = "console", *by = NULL, *reason = "";
    bool bus = false, remote_opts = false;
    int timeout_ms = 5000;
    int opt;
    while ((opt = getopt_long (argc, argv, "c:l:h", options, NULL)) != -1)
        switch (opt) {
            case 'c': path = optarg; break;
            case 'l': level_text = optarg; break;
            case 'b': bus = true; break;
            case 'f': from = optarg; remote_opts = true; break;
            case 'y': by = optarg; break;
            case 'r': reason = optarg; break;
            case 't': timeout_ms = atoi (optarg); remote_opts = true; break;
            case 'h': s_usage (stdout); return 0;
            default:  s_usage (stderr); return 2;
        }
    const char *command = optind < argc? argv [optind]: NULL;
    if (!path || argc - optind > 1
    ||  (command && strcmp (command, "kill") != 0 && strcmp (command, "reset") != 0)
    ||  (!command && (bus || by || reason [0])) || (remote_opts && !bus)) {
        s_usage (stderr);
        return 2;
    }
    if (command && (!hb_name_valid (s_by (by)) || strlen (reason) >= HB_TEXT_MAX
                    || timeout_ms <= 0)) {
        fprintf (stderr, "hb-hedger: --by must be a name ([A-Za-z0-9._:-], under %d bytes), "
                 "--reason under %d bytes, --timeout-ms > 0\n", HB_NAME_MAX, HB_TEXT_MAX);
        return 2;
    }
    hb_config_t *cfg = hb_config_load (path);
    if (!cfg)
        return 2;
    hb_log_level_t level = (hb_log_level_t) cfg->log_level;
    if (level_text && hb_log_level_parse (level_text, &level) != 0) {
        fprintf (stderr, "hb-hedger: --log-level: expected error, warn, info or debug\n");
        hb_config_destroy (&cfg);
        return 2;
    }
    hb_log_init ("hedger", level);
    //  CURVE (hb_curve.h): a --bus command speaks as COMPONENT, whose
    //  endpoint it binds
    if ((!command || bus) && hb_curve_start (cfg, command ? from : "hedger") != 0) {
        hb_config_destroy (&cfg);
        return 2;
    }
    int rc;
    if (command) {
        rc = s_command (cfg, command, bus, from, s_by (by), reason, timeout_ms);
        hb_config_destroy (&cfg);
        return rc;
    }
    if (cfg->hedger.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO (&set);
        CPU_SET (cfg->hedger.cpu, &set);
        if (sched_setaffinity (0, sizeof set, &set) != 0)
            hb_warn ("hedger: cannot pin to CPU %d", cfg->hedger.cpu);
    }
    zsys_handler_set (NULL);
    zsys_init ();
    struct sigaction action = { .sa_handler = s_on_signal };
    sigemptyset (&action.sa_mask);
    sigaction (SIGTERM, &action, NULL);
    sigaction (SIGINT, &action, NULL);
    //  read once; only tests/it_hedger_restart.sh sets it
    const char *crash = getenv ("HB_HEDGER_CRASH");
    const char *nth = getenv ("HB_HEDGER_CRASH_NTH");
    rc = s_run (cfg, crash && *crash? crash: NULL, nth? atoi (nth): 1);
    hb_config_destroy (&cfg);
    return rc;
}
