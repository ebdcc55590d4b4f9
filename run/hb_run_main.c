/*  hb-run: starts and supervises a deployment on one host.

        hb-run --config FILE [--host NAME] [--check] [--log-level error|warn|info|debug]
        hb-run --config FILE status | restart NAME

    Starts every enabled venue (hb-feed) and component (hb-aggregator,
    hb-risk, ...) that the config assigns to the host, from the directory
    hb-run itself is in; restarts what exits, with a back-off and never for
    good (hb_supervisor.h); prefixes every line a child writes with its name
    on stdout; its own log goes to stderr; serves status and restart on
    <run_dir>/hb-run[.<host>].ctl (hb_runctl.h). On SIGINT, SIGTERM or SIGHUP (the
    service skeleton's one stop) it stops the children (SIGTERM, SIGKILL
    after 1.5 s) and exits.
    --check: load, plan and pre-flight only, start nothing.
    status, restart NAME: ask the hb-run of this config's run_dir, print
    its answer.

    Exit status: 0 after SIGINT/SIGTERM with every component up (or after
    --check passes, or an answer ok), 1 when a component was down (in
    back-off) at the stop, or the answer was an error or none came, 2 on a
    usage, config or pre-flight error (nothing was started).                */
#include "hb_config.h"
#include "hb_launch.h"
#include "hb_log.h"
#include "hb_rundir.h"
#include "hb_runctl.h"
#include "hb_service.h"
#include "hb_supervisor.h"

#include <czmq.h>
#include <libgen.h>
#include <signal.h>
#include <systemd/sd-daemon.h>

#define S_SLICE_MS  100         //  how often the supervisor's loop looks at the stop flag

typedef struct {
    const char *host_name;
    bool        check;
    int         argc;           //  status | restart NAME: a client of the running hb-run
    char      **argv;
} s_state_t;

static int
s_option (void *arg, const char *name, const char *value)
{
    s_state_t *state = (s_state_t *) arg;
    if (strcmp (name, "host") == 0)
        state->host_name = value;
    else
        state->check = true;
    return 0;
}

static int
s_args (void *arg, int argc, char **argv)
{
    s_state_t *state = (s_state_t *) arg;
    if (argc > 0 && !streq (argv [0], "status") && !streq (argv [0], "restart")) {
        fprintf (stderr, "hb-run: unexpected argument '%s'\n", argv [0]);
        return -1;
    }
    state->argc = argc;
    state->argv = argv;
    return 0;
}

//  A client's request answered (status, restart NAME); else -1 to go on
static int
s_setup (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    if (state->argc == 0)
        return -1;
    const hb_config_t *cfg = hb_service_config (service);
    const hb_host_cfg_t *host = hb_launch_host (cfg, state->host_name, stderr);
    if (!host)
        return 2;
    //  the stop grace of the restarted one (1.5 s) and more
    return hb_runctl_request (cfg->run_dir, host->is_default ? NULL : host->name, state->argc,
                              state->argv, 5000, stdout, stderr);
}

//  Plans, checks, then supervises until a signal: hb-run's own loop (the
//  supervisor's reactor), in slices so that it sees the service's stop
static int
s_run (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    const hb_config_t *cfg = hb_service_config (service);
    //  children get an absolute path: they must not depend on our cwd
    char config_path [PATH_MAX], exe [PATH_MAX];
    if (!realpath (hb_service_config_path (service), config_path)) {
        fprintf (stderr, "%s: %s\n", hb_service_config_path (service), strerror (errno));
        return 2;
    }
    ssize_t len = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        fprintf (stderr, "hb-run: cannot find its own directory: %s\n", strerror (errno));
        return 2;
    }
    exe [len] = 0;
    const char *bindir = dirname (exe);

    int rc = 2;
    hb_runctl_t *ctl = NULL;
    hb_supervisor_t *sup = hb_supervisor_new (NULL);
    const hb_host_cfg_t *host = hb_launch_host (cfg, state->host_name, stderr);
    if (!sup || !host)
        goto done;
    int children = hb_launch_plan (cfg, host, bindir, config_path, sup, stderr);
    int busy = hb_launch_preflight (cfg, host, stderr);
    if (children <= 0 || busy > 0) {
        fprintf (stderr, "hb-run: nothing started\n");
        goto done;
    }
    char why [256];
    if (state->check && access (cfg->run_dir, F_OK) == 0
    &&  hb_rundir_check (cfg->run_dir, why, sizeof why) != 0) {
        //  an unsafe run_dir found now, not at the start that --check vouches for
        fprintf (stderr, "%s: run_dir: %s\nhb-run: nothing started\n", cfg->path, why);
        goto done;
    }
    if (state->check) {
        printf ("hb-run: %s: host %s: %d process%s, every program present, every endpoint free%s; "
                "run_dir %s\n", cfg->path, host->name, children, children == 1 ? "" : "es",
                cfg->security.present ? ", every key in place" : "", cfg->run_dir);
        rc = 0;
        goto done;
    }
    //  journals live there; only an ipc endpoint would have made it
    if (hb_rundir_prepare (cfg->run_dir, why, sizeof why) != 0) {
        fprintf (stderr, "%s: run_dir: %s\nhb-run: nothing started\n", cfg->path, why);
        goto done;
    }
    hb_rundir_umask ();        //  children inherit it: no socket or journal open to others
    ctl = hb_runctl_new (sup, cfg->run_dir, host->is_default ? NULL : host->name);
    if (!ctl) {
        fprintf (stderr, "hb-run: nothing started\n");
        goto done;
    }
    signal (SIGPIPE, SIG_IGN);
    hb_info ("deployment %s, host %s: starting %d processes from %s", cfg->deployment, host->name,
             children, bindir);
    rc = 0;
    if (hb_supervisor_start (sup) != 0)
        rc = 1;
    //  systemd (Type=notify, docs/OPERATIONS.md): ready once the children
    //  are started; WATCHDOG=1 between slices of the supervisor's reactor
    sd_notify (0, "READY=1");
    uint64_t watchdog_usec = 0;
    bool watchdog = sd_watchdog_enabled (0, &watchdog_usec) > 0;
    while (!hb_service_signalled (service)) {
        hb_supervisor_run (sup, S_SLICE_MS);    //  never gives a component up
        if (watchdog)
            sd_notify (0, "WATCHDOG=1");
    }
    sd_notify (0, "STOPPING=1");
    int down = hb_supervisor_down (sup);
    int killed = hb_supervisor_stop (sup);
    hb_info ("stopped %d processes (%d needed SIGKILL); %d were down, backing off", children,
             killed, down);
    if (down > 0)
        rc = 1;
done:
    hb_runctl_destroy (&ctl);
    hb_supervisor_destroy (&sup);
    return rc;
}

int
main (int argc, char *argv [])
{
    static const hb_service_option_t options [] = {
        { "host", "NAME" }, { "check", NULL }, { NULL }
    };
    static s_state_t state;
    static const hb_service_def_t def = {
        .program   = "hb-run",
        .component = "hb-run",
        .usage     = "--config FILE [--host NAME] [--check] [--log-level error|warn|info|debug]\n"
                     "       hb-run --config FILE status | restart NAME",
        .no_curve  = true,          //  not on the bus: its children hold the keys
        .options   = options,
        .option    = s_option,
        .args      = s_args,
        .setup     = s_setup,
        .cpu       = NULL,
        .run       = s_run,
        .state     = &state,
    };
    return hb_service_main (&def, argc, argv);
}
