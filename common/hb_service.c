/*  hb_service: the one startup path of every program (hb_service.h).      */
#include "hb_service.h"
#include "hb_metrics.h"
#include "hb_rundir.h"
#include "hb_curve.h"
#include "hb_log.h"
#include "hb_msg.h"
#include "hb_version.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#define S_MAX_OPTIONS   32
#define S_OPT_BASE      1000        //  getopt value of def->options [0]

struct _hb_service_t {
    const hb_service_def_t *def;
    const char  *config_path;
    const char  *name;
    const char  *key;               //  CURVE certificate, when not name
    const char  *level_text;
    hb_config_t *config;
    zloop_t     *loop;
    int          lock_fd;           //  <run_dir>/<name>.lock while the reactor runs, else -1
#ifdef HB_TEST_HOOKS
    const char  *block_file;
#endif
};

//  The self-pipe of the one stop mechanism: written by the signal handler
//  (async-signal-safe), read by the reactor. One per process, as signals are.
static int s_signal_pipe [2] = { -1, -1 };
static volatile sig_atomic_t s_signalled;

static void
s_on_signal (int signum)
{
    int saved = errno;
    s_signalled = 1;
    if (s_signal_pipe [1] >= 0) {
        char byte = (char) signum;
        //  a full pipe already holds a wake-up: nothing is lost
        if (write (s_signal_pipe [1], &byte, 1) < 0) {}
    }
    errno = saved;
}

//  Installed before anything else, so that a signal that comes while the
//  config is read or the objects are built is not lost: it ends the loop
//  as soon as the loop runs. No SA_RESTART: a blocking call returns EINTR.
static int
s_signals_install (void)
{
    if (s_signal_pipe [0] < 0) {
        if (pipe2 (s_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
            return -1;
    }
    s_signalled = 0;
    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = s_on_signal;
    sigemptyset (&action.sa_mask);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);
    sigaction (SIGHUP, &action, NULL);     //  its terminal closed: stop as cleanly
    return 0;
}

static int
s_on_signal_pipe (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    (void) arg;
    char bytes [16];
    while (read (item->fd, bytes, sizeof bytes) > 0) {}
    return -1;
}

static int
s_on_watchdog (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    (void) arg;
    sd_notify (0, "WATCHDOG=1");
    return 0;
}

#ifdef HB_TEST_HOOKS
//  A stuck handler, on purpose: the watchdog timer cannot run meanwhile
static int
s_on_block_check (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    hb_service_t *self = (hb_service_t *) arg;
    if (access (self->block_file, F_OK) != 0)
        return 0;
    sd_notify (0, "STATUS=reactor blocked by HB_TEST_BLOCK_FILE");
    while (access (self->block_file, F_OK) == 0 && !s_signalled)
        usleep (10000);
    return 0;
}
#endif

static void
s_usage (const hb_service_t *self, FILE *out, const char *why)
{
    const hb_service_def_t *def = self->def;
    if (why)
        fprintf (out, "%s: %s\n", def->program, why);
    if (def->usage)
        fprintf (out, "usage: %s %s\n", def->program, def->usage);
    else {
        fprintf (out, "usage: %s%s", def->program, def->config_optional ? " [--config FILE]"
                                                                      : " --config FILE");
        for (int i = 0; def->options && def->options [i].name; i++)
            fprintf (out, " [--%s%s%s]", def->options [i].name, def->options [i].arg ? " " : "",
                     def->options [i].arg ? def->options [i].arg : "");
        fprintf (out, "\n");
    }
    if (out == stdout) {
        fprintf (out, "common options:\n"
                      "  --config FILE     the deployment's config\n"
                      "  --name NAME       the component name (log lines, CURVE key; default %s)\n"
                      "  --log-level L     error, warn, info or debug (default: the config's)\n"
                      "  --help, --version\n",
                 def->component ? def->component : "none");
        if (def->help)
            fputs (def->help, out);
    }
}

//  0 parsed, else the exit code (0 after --help / --version, 2 usage)
static int
s_parse (hb_service_t *self, int argc, char **argv, bool *done)
{
    const hb_service_def_t *def = self->def;
    struct option options [S_MAX_OPTIONS + 6];
    int n = 0;
    options [n++] = (struct option) { "config",    required_argument, NULL, 'c' };
    options [n++] = (struct option) { "name",      required_argument, NULL, 'n' };
    options [n++] = (struct option) { "log-level", required_argument, NULL, 'l' };
    options [n++] = (struct option) { "help",      no_argument,       NULL, 'h' };
    options [n++] = (struct option) { "version",   no_argument,       NULL, 'V' };
    for (int i = 0; def->options && def->options [i].name; i++) {
        assert (i < S_MAX_OPTIONS);
        options [n++] = (struct option) { def->options [i].name,
                                          def->options [i].arg ? required_argument : no_argument,
                                          NULL, S_OPT_BASE + i };
    }
    options [n] = (struct option) { NULL, 0, NULL, 0 };
    *done = false;
    optind = 0;             //  glibc: start afresh (a test calls us more than once)
    int opt;
    while ((opt = getopt_long (argc, argv, "c:n:l:hV", options, NULL)) != -1) {
        switch (opt) {
            case 'c': self->config_path = optarg; break;
            case 'n':
                if (!hb_name_valid (optarg)) {
                    s_usage (self, stderr, "--name: expected a name ([A-Za-z0-9._:-])");
                    return 2;
                }
                self->name = optarg;
                break;
            case 'l': self->level_text = optarg; break;
            case 'h': s_usage (self, stdout, NULL); *done = true; return 0;
            case 'V': printf ("%s %s\n", def->program, HB_VERSION); *done = true; return 0;
            default:
                if (opt >= S_OPT_BASE && opt < S_OPT_BASE + S_MAX_OPTIONS) {
                    if (def->option (def->state, def->options [opt - S_OPT_BASE].name, optarg) != 0)
                        return 2;
                    break;
                }
                s_usage (self, stderr, NULL);
                return 2;
        }
    }
    if (def->args) {
        if (def->args (def->state, argc - optind, argv + optind) != 0) {
            s_usage (self, stderr, NULL);
            return 2;
        }
    }
    else
    if (optind < argc) {
        s_usage (self, stderr, "unexpected argument");
        return 2;
    }
    if (!self->config_path && !def->config_optional) {
        s_usage (self, stderr, "--config is required");
        return 2;
    }
    if (!self->name && def->name)
        self->name = def->name (def->state);
    if (!self->name) {
        s_usage (self, stderr, def->name ? NULL : "--name is required");
        return 2;
    }
    return 0;
}

int
hb_service_pin (const char *component, int cpu)
{
    cpu_set_t set;
    CPU_ZERO (&set);
    CPU_SET (cpu, &set);
    if (sched_setaffinity (0, sizeof set, &set) != 0) {
        hb_warn ("%s: cannot pin to CPU %d: %s (running unpinned)", component, cpu,
                 strerror (errno));
        return -1;
    }
    hb_info ("%s: pinned to CPU %d", component, cpu);
    return 0;
}

static int
s_cpu (hb_service_t *self)
{
    if (self->def->cpu)
        return self->def->cpu (self, self->def->state);
    const hb_component_cfg_t *component = self->config
                                        ? hb_config_component (self->config, self->name) : NULL;
    return component ? component->cpu : -1;
}

//  Takes <run_dir>/<name>.lock for the life of the process; -1 (logged)
//  when another process holds it
static int
s_lock (hb_service_t *self)
{
    char path [HB_PATH_MAX + HB_NAME_MAX + 16];
    snprintf (path, sizeof path, "%s/%s.lock", self->config->run_dir, self->name);
    int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd == -1) {
        hb_error ("%s: cannot open: %s", path, strerror (errno));
        return -1;
    }
    if (flock (fd, LOCK_EX | LOCK_NB) != 0) {
        char pid [32] = "";
        ssize_t n = pread (fd, pid, sizeof pid - 1, 0);
        pid [n > 0 ? n : 0] = 0;
        pid [strcspn (pid, "\n")] = 0;
        hb_error ("%s: another %s runs on this run_dir already (pid %s): not starting a second",
                  path, self->name, pid [0] ? pid : "?");
        close (fd);
        return -1;
    }
    char pid [32];
    int len = snprintf (pid, sizeof pid, "%d\n", (int) getpid ());
    if (ftruncate (fd, 0) != 0 || pwrite (fd, pid, (size_t) len, 0) != len)
        hb_warn ("%s: cannot write our pid: %s", path, strerror (errno));
    self->lock_fd = fd;             //  held until the reactor has stopped
    return 0;
}

//  The reactor: start, READY=1, run until a signal or a handler ends it
static int
s_run (hb_service_t *self)
{
    const hb_service_def_t *def = self->def;
    self->loop = zloop_new ();
    if (!self->loop)
        return 1;
    zmq_pollitem_t signals = { NULL, s_signal_pipe [0], ZMQ_POLLIN, 0 };
    if (zloop_poller (self->loop, &signals, s_on_signal_pipe, self) != 0) {
        zloop_destroy (&self->loop);
        return 1;
    }
    uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled (0, &watchdog_usec) > 0 && watchdog_usec > 0) {
        size_t period_ms = (size_t) (watchdog_usec / 2000);
        zloop_timer (self->loop, period_ms > 0 ? period_ms : 1, 0, s_on_watchdog, self);
    }
#ifdef HB_TEST_HOOKS
    self->block_file = getenv ("HB_TEST_BLOCK_FILE");
    if (self->block_file && *self->block_file)
        zloop_timer (self->loop, 20, 0, s_on_block_check, self);
#endif
    //  a process of the deployment (not a tool): its sockets and journals
    //  go in run_dir, made 0700 when missing, refused when unsafe
    //  (hb_rundir.h), whether hb-run started it or not
    if (self->config) {
        char why [256];
        if (hb_rundir_prepare (self->config->run_dir, why, sizeof why) != 0) {
            hb_error ("%s: run_dir: %s", self->config->path, why);
            zloop_destroy (&self->loop);
            return 2;
        }
        //  One instance per component and run_dir: a second hb-risk would
        //  publish a second stream of decisions under the same name. The
        //  lock goes with the process (a kill -9 frees it).
        if (s_lock (self) != 0) {
            zloop_destroy (&self->loop);
            return 2;
        }
    }
    int rc = def->start ? def->start (self, def->state) : 0;
    if (rc == 0) {
        //  bound, connected and subscribed: systemd may start what needs us
        sd_notify (0, "READY=1");
        if (watchdog_usec > 0)
            sd_notify (0, "WATCHDOG=1");
        while (!s_signalled)
            //  0: a signal interrupted the poll (the pipe ends it next time);
            //  -1: a handler ended it
            if (zloop_start (self->loop) != 0)
                break;
        if (s_signalled)
            sd_notify (0, "STOPPING=1");
    }
    int stop_rc = def->stop ? def->stop (self, def->state, s_signalled != 0) : 0;
    zloop_destroy (&self->loop);
    if (self->lock_fd >= 0)
        close (self->lock_fd);          //  the lock goes with it
    self->lock_fd = -1;
    return rc != 0 ? rc : stop_rc;
}

int
hb_service_main (const hb_service_def_t *def, int argc, char **argv)
{
    assert (def && def->program);
    assert (!def->options || def->option);
    hb_service_t service = { .def = def, .name = def->component, .lock_fd = -1 };
    hb_service_t *self = &service;
    //  ZeroMQ's I/O thread allocates each received batch in its own arena
    //  and this thread frees it: at the default trim threshold glibc gave
    //  the arena's top back with madvise (a syscall) every few messages
    //  (docs/OPERATIONS.md, Speed of the pipeline). 32 MB kept at most.
    mallopt (M_TRIM_THRESHOLD, 32 * 1024 * 1024);
    //  czmq's own SIGINT handler would set zsys_interrupted and make
    //  blocking calls fail at random points; we stop at one place instead.
    zsys_handler_set (NULL);
    if (s_signals_install () != 0) {
        fprintf (stderr, "%s: cannot create the signal pipe: %s\n", def->program, strerror (errno));
        return 1;
    }
    bool done;
    int rc = s_parse (self, argc, argv, &done);
    if (rc != 0 || done)
        return rc;
    hb_log_level_t level = def->warn_only ? HB_LOG_WARN : HB_LOG_INFO;
    if (self->level_text && hb_log_level_parse (self->level_text, &level) != 0) {
        s_usage (self, stderr, "--log-level: expected error, warn, info or debug");
        return 2;
    }
    hb_log_init (self->name, level);
    hb_rundir_umask ();         //  no socket or journal of ours open to other users
    if (self->config_path) {
        self->config = hb_config_load (self->config_path);    //  prints FILE:LINE errors
        if (!self->config)
            return 2;
        //  the file's parse tree is freed by now (tens of MB for thousands
        //  of instruments) and the trim threshold above would keep it
        malloc_trim (0);
        if (!self->level_text && !def->warn_only)
            hb_log_init (self->name, (hb_log_level_t) self->config->log_level);
    }
    rc = def->setup ? def->setup (self, def->state) : -1;
    if (rc < 0) {
        int cpu = s_cpu (self);
        if (cpu >= 0)
            hb_service_pin (self->name, cpu);
        zsys_init ();
        if (self->config && !def->no_curve
        &&  hb_curve_start (self->config, self->key ? self->key : self->name) != 0)
            rc = 2;
        else
        //  metrics: host:port of this component's section (a taken port
        //  refuses the start: two processes must not mix their series)
        if (self->config && hb_metrics_start (hb_config_metrics (self->config, self->name),
                                              self->name) != 0)
            rc = 1;
        else {
            rc = def->run ? def->run (self, def->state) : s_run (self);
            hb_metrics_shutdown ();
        }
    }
    hb_config_destroy (&self->config);
    return rc;
}

zloop_t *
hb_service_loop (hb_service_t *self)
{
    assert (self);
    return self->loop;
}

const hb_config_t *
hb_service_config (hb_service_t *self)
{
    assert (self);
    return self->config;
}

const char *
hb_service_name (hb_service_t *self)
{
    assert (self);
    return self->name;
}

const char *
hb_service_config_path (hb_service_t *self)
{
    assert (self);
    return self->config_path;
}

bool
hb_service_signalled (hb_service_t *self)
{
    (void) self;
    return s_signalled != 0;
}

volatile sig_atomic_t *
hb_service_stop_flag (hb_service_t *self)
{
    (void) self;
    return &s_signalled;
}

void
hb_service_set_key (hb_service_t *self, const char *key)
{
    assert (self);
    self->key = key;
}
