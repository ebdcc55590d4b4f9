/*  hb_supervisor: a set of child processes kept running (hb-run).

    Each child runs in its own process group with stdin on /dev/null and
    stdout and stderr on one pipe; every line it writes is copied to the
    supervisor's output as "NAME | line" (a partial line waits for its end;
    one longer than HB_SUPERVISOR_LINE_MAX is cut). A child that exits, for
    any reason, is restarted after a back-off that doubles from
    backoff_min_ms up to backoff_max_ms and falls back to backoff_min_ms once
    a child has stayed up stable_ms. No child is ever given up: a crash loop
    settles at one try per backoff_max_ms, so whatever caused it (a venue
    down, a file missing, a config fixed on disk) heals without an operator.
    A child that exits with status 2 (usage or config error in hedgebus
    programs) or 127 (could not be executed) waits backoff_max_ms at once:
    a quick retry cannot help, a fix can (hb_supervisor_restart starts it
    without waiting). The other children keep running.

    Everything runs in one zloop: child output, child exits (a pidfd per
    child, readable when it exits), restart timers. Not thread-safe.        */
#ifndef HB_SUPERVISOR_H
#define HB_SUPERVISOR_H

#include <stdbool.h>
#include <sys/types.h>
#include <czmq.h>

#define HB_SUPERVISOR_LINE_MAX      4096
#define HB_SUPERVISOR_NAME_MAX      32
#define HB_SUPERVISOR_REASON_MAX    80

typedef struct _hb_supervisor_t hb_supervisor_t;

typedef struct {
    int backoff_min_ms;         //  first restart delay (100)
    int backoff_max_ms;         //  the doubling stops here (60000)
    int stable_ms;              //  up this long: the next delay is backoff_min_ms again (10000)
    int stop_grace_ms;          //  SIGTERM, then SIGKILL after this (1500)
    int out_fd;                 //  where prefixed child lines go (1)
} hb_supervisor_policy_t;

typedef enum {
    HB_CHILD_IDLE = 0,          //  added, not started
    HB_CHILD_RUNNING = 1,
    HB_CHILD_BACKOFF = 2,       //  exited, a restart is scheduled
    HB_CHILD_STOPPED = 4        //  stopped by hb_supervisor_stop
} hb_child_state_t;

typedef struct {
    hb_child_state_t state;
    pid_t   pid;                //  current, or last when not running (0: never started)
    int     starts;             //  times started
    int     exits;              //  times it exited while supervised
    int     last_delay_ms;      //  back-off before the latest restart (0: none yet)
    int     retry_in_ms;        //  BACKOFF: time left until the restart (0 otherwise)
    char    reason [HB_SUPERVISOR_REASON_MAX];  //  of the last exit: "exit status 3",
                                                //  "killed by signal 9 (KILL)"; "" before one
} hb_child_info_t;

//  Fills in the defaults given above.
void hb_supervisor_policy_default (hb_supervisor_policy_t *policy);

//  A supervisor with no children. policy NULL: the defaults. Returns NULL
//  on allocation failure or a policy with a value < 1 (out_fd < 0).
hb_supervisor_t *hb_supervisor_new (const hb_supervisor_policy_t *policy);

//  Stops every child (hb_supervisor_stop) and frees. NULL-safe; nulls *self_p.
void hb_supervisor_destroy (hb_supervisor_t **self_p);

//  Adds a child: name (prefix of its lines, at most HB_SUPERVISOR_NAME_MAX-1
//  characters) and argv (NULL-terminated; argv [0] a path, not searched in
//  PATH). Both are copied. Returns the child's index, or -1 (bad name, empty
//  argv, too many children, out of memory, already started).
int hb_supervisor_add (hb_supervisor_t *self, const char *name, const char *const *argv);

//  Starts every child. Returns 0, or -1 when a child could not be forked or
//  its pipe made (those already started keep running).
int hb_supervisor_start (hb_supervisor_t *self);

//  Runs the reactor: copies output, reaps and restarts children. Returns
//  after timeout_ms (-1: no limit) or when interrupted (czmq's
//  zsys_interrupted, set by a signal handler whose signal also interrupts
//  the poll: install it without SA_RESTART). Returns 0.
int hb_supervisor_run (hb_supervisor_t *self, int timeout_ms);

//  The reactor hb_supervisor_run runs, for other event sources of the same
//  process (hb-run's control endpoint). Owned by the supervisor.
zloop_t *hb_supervisor_loop (hb_supervisor_t *self);

//  Restarts child index now: a running one gets SIGTERM (its process
//  group), up to stop_grace_ms, then SIGKILL, is reaped and started again;
//  one in back-off is started at once. Its back-off starts over from
//  backoff_min_ms (an operator asked: the cause is presumably fixed).
//  Blocks for up to stop_grace_ms. Returns 0, or -1 for a bad index, after
//  hb_supervisor_stop, or when the fork fails (the child is then in
//  back-off).
int hb_supervisor_restart (hb_supervisor_t *self, int index);

//  Sends SIGTERM to every running child's process group, waits up to
//  stop_grace_ms for them (copying their last lines), then SIGKILLs the
//  groups of those left and reaps them. No child is restarted afterwards.
//  Returns the number of children that needed SIGKILL.
int hb_supervisor_stop (hb_supervisor_t *self);

int hb_supervisor_size (hb_supervisor_t *self);

//  Children not running now: in back-off (waiting for a restart).
int hb_supervisor_down (hb_supervisor_t *self);

//  The index of the child called name, or -1.
int hb_supervisor_find (hb_supervisor_t *self, const char *name);

//  The name of child index, or NULL for a bad index.
const char *hb_supervisor_name (hb_supervisor_t *self, int index);

//  "running", "backing-off", "stopped", "idle".
const char *hb_supervisor_state_name (hb_child_state_t state);

//  The state of child index into *info. Returns 0, or -1 for a bad index.
int hb_supervisor_info (hb_supervisor_t *self, int index, hb_child_info_t *info);

//  "exit status 3", "killed by signal 9 (KILL)" for a waitpid status.
void hb_supervisor_reason (int status, char *buf, size_t size);

#endif
