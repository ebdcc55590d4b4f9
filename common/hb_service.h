/*  hb_service: the one startup path of every hedgebus program.

    A program's main is a table of what it adds (hb_service_def_t) and one
    call, return hb_service_main (&def, argc, argv). The service does, in
    this order:
      - options: --config FILE, --name NAME (the component name: log lines,
        CURVE key), --log-level L, --help, --version, then the program's
        own (def->options, handed to def->option one by one) and its
        positional arguments (def->args; without it any is a usage error);
      - the config (hb_config_load: FILE:LINE errors on stderr, exit 2);
      - logging (hb_log_init with the component name and level);
      - def->setup, for what runs instead of the reactor (a one-shot
        command such as hb-hedger kill): it returns an exit code, or -1 to
        go on;
      - CPU pinning (def->cpu, else components.<name>.cpu);
      - CURVE (hb_curve_start, exit 2 on a bad key);
      - the reactor: one zloop per process, owned here. def->start binds,
        connects and subscribes, registering its sockets and timers on
        hb_service_loop; then READY=1 goes to systemd (sd_notify), and
        WATCHDOG=1 from a timer of the same loop at half of WATCHDOG_USEC,
        so that a stuck loop stops sending it and systemd restarts it;
        (or, for a tool that polls the bus itself, def->run: its own loop,
        watching hb_service_signalled; nothing said to systemd)
      - one stop mechanism for SIGINT and SIGTERM in every program: the
        signal handler writes a byte to a pipe the reactor reads (czmq's
        own handler is off), so the loop ends between two handlers, never
        in the middle of one; STOPPING=1 then, and def->stop tears down.
    A handler that returns -1 ends the loop too (czmq's convention);
    def->stop then says with which exit code.

    Exit codes: 0 after SIGINT/SIGTERM, 1 runtime failure, 2 usage or
    config error (nothing touched the bus), others as def->start or
    def->stop return them (hb-feed: 3, plugin refused).

    For a metrics endpoint (or anything else per process):
    hb_service_loop, hb_service_config and hb_service_name give the loop,
    the loaded config and the component name from def->start on. A
    process-wide endpoint belongs in hb_service.c's s_run, after def->start
    and before READY=1, on the same loop (so a stuck loop shows there too).

    Test build only (HB_TEST_HOOKS): while the file named by
    $HB_TEST_BLOCK_FILE exists, the reactor blocks in a timer handler (each
    time it blocks it says STATUS=reactor blocked by HB_TEST_BLOCK_FILE),
    the way a stuck handler would; tests/it_sd_notify.sh uses it.        */
#ifndef HB_SERVICE_H
#define HB_SERVICE_H

#include <czmq.h>
#include <signal.h>
#include <stdbool.h>

#include "hb_config.h"

typedef struct _hb_service_t hb_service_t;

//  One program option, --NAME or --NAME VALUE
typedef struct {
    const char *name;       //  without "--"; NULL ends the table
    const char *arg;        //  NULL: a flag; else the value's name, for --help
} hb_service_option_t;

typedef struct {
    const char *program;    //  "hb-aggregator": --help and error lines
    const char *component;  //  default component name (--name overrides); NULL: needs --name
    const char *usage;      //  what follows "usage: PROGRAM" (NULL: the options)
    const char *help;       //  more lines for --help (optional)
    bool        config_optional;    //  runs without --config (hb_service_config is NULL)
    bool        no_curve;   //  not on the bus (hb-run): no CURVE certificate of its own
    bool        warn_only;  //  an operator tool: logs warnings and errors unless
                            //  --log-level (the config's log_level is the processes')
    const hb_service_option_t *options;     //  NULL or ended by { NULL }
    //  One of def->options was given (value NULL for a flag). Returns 0,
    //  or -1 for a bad value (the callback says why on stderr; exit 2).
    int  (*option) (void *state, const char *name, const char *value);
    //  The positional arguments (argc may be 0). Returns 0 or -1 (exit 2).
    int  (*args) (void *state, int argc, char **argv);
    //  The component name when --name is not given and it depends on the
    //  options (hb-feed: "feed.<venue>"); NULL: def->component. Returns
    //  NULL when the options do not give one (usage error, exit 2).
    const char *(*name) (void *state);
    //  After options, config and logging: -1 to go on, else the exit code
    //  (the program did its work without a reactor, or refused to start).
    int  (*setup) (hb_service_t *service, void *state);
    //  The CPU to pin to (-1: none); NULL: components.<name>.cpu
    int  (*cpu) (hb_service_t *service, void *state);
    //  A tool's own loop instead of the reactor (hb-tap, hb-top, hb-record,
    //  hb-replay poll the bus themselves): runs after pinning and CURVE,
    //  stops when hb_service_signalled, returns the exit code. start and
    //  stop are not called then, and nothing is said to systemd.
    int  (*run) (hb_service_t *service, void *state);
    //  Binds, connects, subscribes; registers on hb_service_loop. Returns 0,
    //  or the exit code (1 when it cannot start). def->stop is called
    //  either way.
    int  (*start) (hb_service_t *service, void *state);
    //  After the loop ended (or start failed): tears down, returns the exit
    //  code (0 when stopped by a signal or asked to; 1 when it had to stop).
    //  NULL: 0. The loop is destroyed next without running again, so an
    //  object may leave its (dead) handlers registered on it.
    int  (*stop) (hb_service_t *service, void *state, bool signalled);
    void *state;            //  handed to every callback
} hb_service_def_t;

//  Runs the program described by def (see above) and returns its exit code.
int hb_service_main (const hb_service_def_t *def, int argc, char **argv);

//  The reactor (from def->start on; NULL in setup).
zloop_t *hb_service_loop (hb_service_t *self);

//  The loaded config (NULL when config_optional and none given); it lives
//  until hb_service_main returns.
const hb_config_t *hb_service_config (hb_service_t *self);

//  The component name: --name, else def->component.
const char *hb_service_name (hb_service_t *self);

//  The --config path as given (NULL when none).
const char *hb_service_config_path (hb_service_t *self);

//  True once SIGINT, SIGTERM or SIGHUP arrived (for work outside the reactor).
bool hb_service_signalled (hb_service_t *self);

//  The flag behind hb_service_signalled, for library code that takes a
//  stop flag (hb_replayer's opts.stop). Not NULL.
volatile sig_atomic_t *hb_service_stop_flag (hb_service_t *self);

//  From def->setup: the CURVE certificate to use instead of the component
//  name (hb-replay standing in for a publisher uses that publisher's).
//  key is borrowed and must outlive hb_service_main.
void hb_service_set_key (hb_service_t *self, const char *key);

//  Pins the calling process to cpu (>= 0). 0, or -1 (a warning is logged
//  with why; the process runs unpinned).
int hb_service_pin (const char *component, int cpu);

#endif
