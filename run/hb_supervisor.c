/*  hb_supervisor: see hb_supervisor.h.

    A child's exit is seen through a pidfd (readable once the process has
    exited), so the reactor sleeps until something happens and no SIGCHLD
    handler is needed; kernels without pidfd_open fall back to reaping on a
    short timer. Children are forked, not spawned, so each can ask for
    SIGTERM when the supervisor dies (PR_SET_PDEATHSIG): a SIGKILLed hb-run
    leaves nothing behind. Between fork and exec the child only makes
    async-signal-safe calls.                                                */
#include "hb_supervisor.h"
#include "hb_log.h"
#include "hb_time.h"

#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_MAX_CHILDREN      64
#define S_MAX_ARGS          32
#define S_REAP_POLL_MS      50      //  fallback without pidfd
#define S_STOP_POLL_MS      10

typedef struct {
    hb_supervisor_t *owner;
    int         index;
    char        name [HB_SUPERVISOR_NAME_MAX];
    char      **argv;               //  owned, NULL-terminated
    hb_child_state_t state;
    pid_t       pid;
    int         pidfd;              //  -1: none
    int         out;                //  read end of the child's pipe, -1: none
    zmq_pollitem_t out_item;
    zmq_pollitem_t pid_item;
    int64_t     started_ns;
    int         starts;
    int         exits;
    int         streak;             //  restarts since it was last stable
    int         last_delay_ms;
    int         timer;              //  the pending restart's zloop timer, -1: none
    int64_t     retry_ns;           //  when that timer fires (hb_mono_ns)
    bool        restarting;         //  hb_supervisor_restart stops it: no back-off
    char        reason [HB_SUPERVISOR_REASON_MAX];
    size_t      partial;            //  bytes of an unfinished line in line
    char        line [HB_SUPERVISOR_LINE_MAX];
} s_child_t;

struct _hb_supervisor_t {
    hb_supervisor_policy_t policy;
    zloop_t    *loop;
    s_child_t  *children [S_MAX_CHILDREN];
    int         n_children;
    bool        started;
    bool        stopping;
    bool        reap_timer;         //  a fallback reaping timer is set
};

static int  s_on_output (zloop_t *loop, zmq_pollitem_t *item, void *arg);
static int  s_on_exit (zloop_t *loop, zmq_pollitem_t *item, void *arg);
static int  s_spawn (s_child_t *child);
static int  s_restart (zloop_t *loop, int timer_id, void *arg);

void
hb_supervisor_policy_default (hb_supervisor_policy_t *policy)
{
    *policy = (hb_supervisor_policy_t) {
        .backoff_min_ms = 100, .backoff_max_ms = 60000, .stable_ms = 10000,
        .stop_grace_ms = 1500, .out_fd = 1
    };
}

void
hb_supervisor_reason (int status, char *buf, size_t size)
{
    if (WIFEXITED (status))
        snprintf (buf, size, "exit status %d", WEXITSTATUS (status));
    else
    if (WIFSIGNALED (status)) {
        const char *abbrev = sigabbrev_np (WTERMSIG (status));
        snprintf (buf, size, "killed by signal %d (%s)%s", WTERMSIG (status),
                  abbrev ? abbrev : "?", WCOREDUMP (status) ? ", core dumped" : "");
    }
    else
        snprintf (buf, size, "wait status 0x%x", (unsigned) status);
}

hb_supervisor_t *
hb_supervisor_new (const hb_supervisor_policy_t *policy)
{
    hb_supervisor_policy_t dflt;
    hb_supervisor_policy_default (&dflt);
    if (!policy)
        policy = &dflt;
    if (policy->backoff_min_ms < 1 || policy->backoff_max_ms < policy->backoff_min_ms
    ||  policy->stable_ms < 1 ||  policy->stop_grace_ms < 1 || policy->out_fd < 0)
        return NULL;
    hb_supervisor_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->policy = *policy;
    self->loop = zloop_new ();
    if (!self->loop) {
        free (self);
        return NULL;
    }
    return self;
}

static void
s_child_free (s_child_t *child)
{
    for (int i = 0; child->argv && child->argv [i]; i++)
        free (child->argv [i]);
    free (child->argv);
    free (child);
}

void
hb_supervisor_destroy (hb_supervisor_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_supervisor_t *self = *self_p;
    hb_supervisor_stop (self);
    zloop_destroy (&self->loop);
    for (int i = 0; i < self->n_children; i++)
        s_child_free (self->children [i]);
    free (self);
    *self_p = NULL;
}

int
hb_supervisor_add (hb_supervisor_t *self, const char *name, const char *const *argv)
{
    assert (self);
    if (self->started || self->n_children == S_MAX_CHILDREN || !name || !*name
    ||  strlen (name) >= HB_SUPERVISOR_NAME_MAX || !argv || !argv [0])
        return -1;
    int argc = 0;
    while (argv [argc])
        if (++argc == S_MAX_ARGS)
            return -1;
    s_child_t *child = calloc (1, sizeof *child);
    if (!child)
        return -1;
    child->argv = calloc ((size_t) argc + 1, sizeof *child->argv);
    bool ok = child->argv != NULL;
    for (int i = 0; ok && i < argc; i++)
        ok = (child->argv [i] = strdup (argv [i])) != NULL;
    if (!ok) {
        s_child_free (child);
        return -1;
    }
    strcpy (child->name, name);
    child->owner = self;
    child->index = self->n_children;
    child->pidfd = -1;
    child->out = -1;
    child->timer = -1;
    self->children [self->n_children] = child;
    return self->n_children++;
}

//  ---------------------------------------------------------------------------
//  Output

//  One whole line, prefixed, in one write so lines of children never mix.
static void
s_emit (s_child_t *child, const char *text, size_t len)
{
    char buf [HB_SUPERVISOR_NAME_MAX + HB_SUPERVISOR_LINE_MAX + 8];
    int n = snprintf (buf, sizeof buf, "%s | %.*s\n", child->name, (int) len, text);
    size_t size = n < (int) sizeof buf ? (size_t) n : sizeof buf - 1;
    const char *at = buf;
    while (size > 0) {
        ssize_t rc = write (child->owner->policy.out_fd, at, size);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc <= 0)
            return;         //  nowhere to write: the child must not stall for it
        at += rc;
        size -= (size_t) rc;
    }
}

static void
s_flush_partial (s_child_t *child)
{
    if (child->partial > 0)
        s_emit (child, child->line, child->partial);
    child->partial = 0;
}

static void
s_close_output (s_child_t *child)
{
    if (child->out < 0)
        return;
    zloop_poller_end (child->owner->loop, &child->out_item);
    close (child->out);
    child->out = -1;
    s_flush_partial (child);
}

//  Reads what is there; returns false at end of file or on an error.
static bool
s_drain (s_child_t *child)
{
    while (true) {
        ssize_t n = read (child->out, child->line + child->partial, sizeof child->line - child->partial);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errno == EAGAIN;
        if (n == 0)
            return false;
        child->partial += (size_t) n;
        char *start = child->line, *end = child->line + child->partial, *nl;
        while ((nl = memchr (start, '\n', (size_t) (end - start)))) {
            s_emit (child, start, (size_t) (nl - start));
            start = nl + 1;
        }
        child->partial = (size_t) (end - start);
        memmove (child->line, start, child->partial);
        if (child->partial == sizeof child->line)
            s_flush_partial (child);        //  a line longer than the buffer: cut
    }
}

static int
s_on_output (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop; (void) item;
    s_child_t *child = arg;
    if (!s_drain (child))
        s_close_output (child);
    return 0;
}

//  ---------------------------------------------------------------------------
//  Children

//  Schedules the child's start in delay_ms.
static void
s_schedule (s_child_t *child, int delay_ms)
{
    hb_supervisor_t *self = child->owner;
    child->state = HB_CHILD_BACKOFF;
    child->last_delay_ms = delay_ms;
    child->retry_ns = hb_mono_ns () + (int64_t) delay_ms * 1000000;
    child->timer = zloop_timer (self->loop, (size_t) (delay_ms > 0 ? delay_ms : 1), 1, s_restart, child);
}

static int
s_restart (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop; (void) timer_id;
    s_child_t *child = arg;
    child->timer = -1;      //  a one-shot timer: zloop drops it after this call
    if (child->state == HB_CHILD_BACKOFF && !child->owner->stopping && s_spawn (child) != 0) {
        //  fork or pipe failed: a resource shortage, worth another try later
        s_schedule (child, child->owner->policy.backoff_max_ms);
    }
    return 0;
}

//  The child after it is reaped: a restart after its back-off. Never given
//  up: the delay doubles up to backoff_max_ms and stays there.
static int
s_exited (s_child_t *child, int status)
{
    hb_supervisor_t *self = child->owner;
    const hb_supervisor_policy_t *policy = &self->policy;
    int64_t now = hb_mono_ns ();
    //  whatever it started is part of it, and must not outlive it
    kill (-child->pid, SIGKILL);
    if (child->pidfd >= 0) {
        zloop_poller_end (self->loop, &child->pid_item);
        close (child->pidfd);
        child->pidfd = -1;
    }
    //  its last lines belong before the news of its exit
    if (child->out >= 0 && !s_drain (child))
        s_close_output (child);
    s_flush_partial (child);
    hb_supervisor_reason (status, child->reason, sizeof child->reason);
    child->exits++;
    if (self->stopping || child->restarting) {
        child->state = HB_CHILD_STOPPED;
        return 0;
    }
    int64_t up_ms = (now - child->started_ns) / 1000000;
    if (up_ms >= policy->stable_ms)
        child->streak = 0;
    bool hopeless = WIFEXITED (status) && (WEXITSTATUS (status) == 2 || WEXITSTATUS (status) == 127);
    int64_t delay = policy->backoff_min_ms;
    for (int i = 0; i < child->streak && delay < policy->backoff_max_ms; i++)
        delay *= 2;
    if (delay > policy->backoff_max_ms || hopeless)
        delay = policy->backoff_max_ms;
    child->streak++;
    if (hopeless)
        hb_error ("%s (pid %d) %s after %lld ms: %s; retry %d in %lld ms "
                  "(hb-run restart %s: at once, once fixed)", child->name, (int) child->pid,
                  child->reason, (long long) up_ms,
                  WEXITSTATUS (status) == 2 ? "a usage or config error" : "could not be executed",
                  child->streak, (long long) delay, child->name);
    else
        hb_warn ("%s (pid %d) %s after %lld ms; retry %d in %lld ms", child->name, (int) child->pid,
                 child->reason, (long long) up_ms, child->streak, (long long) delay);
    s_schedule (child, (int) delay);
    return 0;
}

//  Reaps the child if it has exited; returns the reactor's verdict.
static int
s_reap (s_child_t *child)
{
    if (child->state != HB_CHILD_RUNNING)
        return 0;
    int status;
    pid_t rc = waitpid (child->pid, &status, WNOHANG);
    if (rc == child->pid)
        return s_exited (child, status);
    return 0;
}

static int
s_on_exit (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop; (void) item;
    return s_reap ((s_child_t *) arg);
}

static int
s_on_reap_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop; (void) timer_id;
    hb_supervisor_t *self = arg;
    int rc = 0;
    for (int i = 0; i < self->n_children; i++)
        if (self->children [i]->pidfd < 0 && s_reap (self->children [i]) != 0)
            rc = -1;
    return rc;
}

//  In the forked child: async-signal-safe calls only.
static void
s_exec_child (s_child_t *child, int out, pid_t parent)
{
    setpgid (0, 0);
    prctl (PR_SET_PDEATHSIG, SIGTERM);
    if (getppid () != parent)
        _exit (127);        //  the supervisor died before the line above
    int devnull = open ("/dev/null", O_RDONLY);
    if (devnull >= 0)
        dup2 (devnull, 0);
    dup2 (out, 1);
    dup2 (out, 2);
    sigset_t none;
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL);
    const int reset [] = { SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP, SIGQUIT };
    for (size_t i = 0; i < sizeof reset / sizeof reset [0]; i++)
        signal (reset [i], SIG_DFL);
    execv (child->argv [0], child->argv);
    static const char msg [] = "hb-supervisor: exec failed\n";
    if (write (2, msg, sizeof msg - 1) < 0) {}
    _exit (127);
}

static int
s_spawn (s_child_t *child)
{
    hb_supervisor_t *self = child->owner;
    if (child->out >= 0)
        s_close_output (child);     //  a leftover of the previous run
    int fds [2];
    if (pipe2 (fds, O_CLOEXEC) != 0) {
        hb_error ("%s: pipe: %s", child->name, strerror (errno));
        return -1;
    }
    pid_t parent = getpid ();
    pid_t pid = fork ();
    if (pid < 0) {
        hb_error ("%s: fork: %s", child->name, strerror (errno));
        close (fds [0]);
        close (fds [1]);
        return -1;
    }
    if (pid == 0)
        s_exec_child (child, fds [1], parent);
    setpgid (pid, pid);     //  both sides set it: whichever runs first wins the race
    close (fds [1]);
    fcntl (fds [0], F_SETFL, fcntl (fds [0], F_GETFL) | O_NONBLOCK);
    child->pid = pid;
    child->out = fds [0];
    child->partial = 0;
    child->started_ns = hb_mono_ns ();
    child->starts++;
    child->state = HB_CHILD_RUNNING;
    child->out_item = (zmq_pollitem_t) { .fd = child->out, .events = ZMQ_POLLIN };
    zloop_poller (self->loop, &child->out_item, s_on_output, child);
    child->pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
    if (child->pidfd >= 0) {
        child->pid_item = (zmq_pollitem_t) { .fd = child->pidfd, .events = ZMQ_POLLIN };
        zloop_poller (self->loop, &child->pid_item, s_on_exit, child);
    }
    else
    if (!self->reap_timer) {
        zloop_timer (self->loop, S_REAP_POLL_MS, 0, s_on_reap_timer, self);
        self->reap_timer = true;
    }
    hb_info ("%s started (pid %d): %s", child->name, (int) pid, child->argv [0]);
    return 0;
}

int
hb_supervisor_start (hb_supervisor_t *self)
{
    assert (self);
    int rc = 0;
    self->started = true;
    for (int i = 0; i < self->n_children; i++)
        if (self->children [i]->state == HB_CHILD_IDLE && s_spawn (self->children [i]) != 0)
            rc = -1;
    return rc;
}

static int
s_on_timeout (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop; (void) timer_id; (void) arg;
    return -1;
}

int
hb_supervisor_run (hb_supervisor_t *self, int timeout_ms)
{
    assert (self);
    int timer = timeout_ms >= 0 ? zloop_timer (self->loop, (size_t) (timeout_ms ? timeout_ms : 1), 1,
                                               s_on_timeout, self) : -1;
    zloop_start (self->loop);
    if (timer >= 0)
        zloop_timer_end (self->loop, timer);    //  harmless when it has fired
    return 0;
}

zloop_t *
hb_supervisor_loop (hb_supervisor_t *self)
{
    assert (self);
    return self->loop;
}

//  Signals the process group, or the process when the group is gone.
static void
s_signal (s_child_t *child, int signum)
{
    if (kill (-child->pid, signum) != 0)
        kill (child->pid, signum);
}

static void
s_timer_end (s_child_t *child)
{
    if (child->timer >= 0)
        zloop_timer_end (child->owner->loop, child->timer);
    child->timer = -1;
}

//  SIGTERM to the running children (only: that index, -1: all), up to
//  stop_grace_ms for them to go (copying their last lines), then SIGKILL
//  for those left; each is reaped. Those in back-off become STOPPED.
//  Returns the number that needed SIGKILL.
static int
s_terminate (hb_supervisor_t *self, int only)
{
    int running = 0;
    for (int i = 0; i < self->n_children; i++) {
        s_child_t *child = self->children [i];
        if (only >= 0 && i != only)
            continue;
        if (child->state == HB_CHILD_RUNNING) {
            s_signal (child, SIGTERM);
            running++;
        }
        else
        if (child->state == HB_CHILD_BACKOFF) {
            s_timer_end (child);
            child->state = HB_CHILD_STOPPED;
        }
    }
    int64_t deadline = hb_mono_ns () + (int64_t) self->policy.stop_grace_ms * 1000000;
    while (running > 0 && hb_mono_ns () < deadline) {
        //  a plain sleep: the loop is short and its output is drained below
        usleep (S_STOP_POLL_MS * 1000);
        running = 0;
        for (int i = 0; i < self->n_children; i++) {
            s_child_t *child = self->children [i];
            if (only >= 0 && i != only)
                continue;
            if (child->out >= 0 && !s_drain (child))
                s_close_output (child);
            s_reap (child);
            running += child->state == HB_CHILD_RUNNING;
        }
    }
    int killed = 0;
    for (int i = 0; i < self->n_children; i++) {
        s_child_t *child = self->children [i];
        if (only >= 0 && i != only)
            continue;
        if (child->state == HB_CHILD_RUNNING) {
            hb_warn ("%s (pid %d) still running %d ms after SIGTERM: SIGKILL", child->name,
                     (int) child->pid, self->policy.stop_grace_ms);
            s_signal (child, SIGKILL);
            int status;
            while (waitpid (child->pid, &status, 0) < 0 && errno == EINTR) {}
            s_exited (child, status);
            killed++;
        }
        s_close_output (child);
    }
    return killed;
}

int
hb_supervisor_stop (hb_supervisor_t *self)
{
    assert (self);
    self->stopping = true;
    return s_terminate (self, -1);
}

int
hb_supervisor_restart (hb_supervisor_t *self, int index)
{
    assert (self);
    if (index < 0 || index >= self->n_children || self->stopping)
        return -1;
    s_child_t *child = self->children [index];
    hb_info ("%s (pid %d): restart requested (%s)", child->name, (int) child->pid,
             hb_supervisor_state_name (child->state));
    child->restarting = true;
    s_terminate (self, index);
    child->restarting = false;
    child->streak = 0;
    if (s_spawn (child) != 0) {
        s_schedule (child, self->policy.backoff_max_ms);
        return -1;
    }
    return 0;
}

int
hb_supervisor_size (hb_supervisor_t *self)
{
    assert (self);
    return self->n_children;
}

int
hb_supervisor_down (hb_supervisor_t *self)
{
    assert (self);
    int down = 0;
    for (int i = 0; i < self->n_children; i++)
        down += self->children [i]->state == HB_CHILD_BACKOFF;
    return down;
}

int
hb_supervisor_find (hb_supervisor_t *self, const char *name)
{
    assert (self);
    for (int i = 0; name && i < self->n_children; i++)
        if (strcmp (self->children [i]->name, name) == 0)
            return i;
    return -1;
}

const char *
hb_supervisor_name (hb_supervisor_t *self, int index)
{
    assert (self);
    return index >= 0 && index < self->n_children ? self->children [index]->name : NULL;
}

const char *
hb_supervisor_state_name (hb_child_state_t state)
{
    switch (state) {
        case HB_CHILD_IDLE:    return "idle";
        case HB_CHILD_RUNNING: return "running";
        case HB_CHILD_BACKOFF: return "backing-off";
        case HB_CHILD_STOPPED: return "stopped";
    }
    return "?";
}

int
hb_supervisor_info (hb_supervisor_t *self, int index, hb_child_info_t *info)
{
    assert (self);
    if (index < 0 || index >= self->n_children || !info)
        return -1;
    const s_child_t *child = self->children [index];
    info->state = child->state;
    info->pid = child->pid;
    info->starts = child->starts;
    info->exits = child->exits;
    info->last_delay_ms = child->last_delay_ms;
    info->retry_in_ms = 0;
    if (child->state == HB_CHILD_BACKOFF) {
        int64_t left = (child->retry_ns - hb_mono_ns ()) / 1000000;
        info->retry_in_ms = left > 0 ? (int) left : 0;
    }
    snprintf (info->reason, sizeof info->reason, "%s", child->reason);
    return 0;
}
