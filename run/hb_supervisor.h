/*  hb_supervisor: a set of child processes kept running (hb-run).

    Each child runs in its own process group with stdin on /dev/null and
    stdout and stderr on one pipe; every line it writes is copied to the
    supervisor's output as "NAME | line" (a partial line waits for its end;
    one longer than HB_SUPERVISOR_LINE_MAX is cut). A child that exits, for
    any reason, is restarted after a back-off that doubles from
    backoff_min_ms to backoff_max_ms and falls back to backoff_min_ms once a
    child has stayed up stable_ms. A child that exits crash_limit times
    within crash_window_ms is given up (state FAILED, logged at error), and
    so is one that exits with status 2 (usage or config error in hedgebus
    programs) or 127 (could not be executed): restarting cannot fix those.
    The other children keep running.

    Everything runs in one zloop: child output, child exits (a pidfd per
    child, readable when it exits), restart timers. Not thread-safe.        */
#ifndef HB_SUPERVISOR_H
#define HB_SUPERVISOR_H

#include <stdbool.h>
#include <sys/types.h>

#define HB_SUPERVISOR_LINE_MAX      4096
#define HB_SUPERVISOR_NAME_MAX      32
#define HB_SUPERVISOR_REASON_MAX    80

typedef struct _hb_supervisor_t hb_supervisor_t;

typedef struct {
    int backoff_min_ms;         //  first restart delay (100)
    int backoff_max_ms;         //  the doubling stops here (10000)
    int stable_ms;              //  up this long: the next delay is backoff_min_ms again (10000)
    int crash_limit;            //  this many exits ... (5)
    int crash_window_ms;        //  ... within this window: give up on the child (60000)
    int stop_grace_ms;          //  SIGTERM, then SIGKILL after this (1500)
    int out_fd;                 //  where prefixed child lines go (1)
} hb_supervisor_policy_t;

typedef enum {
    HB_CHILD_IDLE = 0,          //  added, not started
    HB_CHILD_RUNNING = 1,
    HB_CHILD_BACKOFF = 2,       //  exited, a restart is scheduled
    HB_CHILD_FAILED = 3,        //  given up (crash loop, status 2 or 127)
    HB_CHILD_STOPPED = 4        //  stopped by hb_supervisor_stop
} hb_child_state_t;

typedef struct {
    hb_child_state_t state;
    pid_t   pid;                //  current, or last when not running (0: never started)
    int     starts;             //  times started
    int     exits;              //  times it exited while supervised
    int     last_delay_ms;      //  back-off before the latest restart (0: none yet)
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
//  after timeout_ms (-1: no limit), when every child has failed, or when
//  interrupted (czmq's zsys_interrupted, set by a signal handler whose
//  signal also interrupts the poll: install it without SA_RESTART).
//  Returns 0 on timeout or interrupt, -1 when every child has failed.
int hb_supervisor_run (hb_supervisor_t *self, int timeout_ms);

//  Sends SIGTERM to every running child's process group, waits up to
//  stop_grace_ms for them (copying their last lines), then SIGKILLs the
//  groups of those left and reaps them. No child is restarted afterwards.
//  Returns the number of children that needed SIGKILL.
int hb_supervisor_stop (hb_supervisor_t *self);

int hb_supervisor_size (hb_supervisor_t *self);

//  Children given up so far.
int hb_supervisor_failed (hb_supervisor_t *self);

//  The state of child index into *info. Returns 0, or -1 for a bad index.
int hb_supervisor_info (hb_supervisor_t *self, int index, hb_child_info_t *info);

//  "exit status 3", "killed by signal 9 (KILL)" for a waitpid status.
void hb_supervisor_reason (int status, char *buf, size_t size);

#endif
