/*  hb-run: starts and supervises a deployment on one host.

        hb-run --config FILE [--host NAME] [--check] [--log-level error|warn|info|debug]
        hb-run --config FILE status | restart NAME

    Starts every enabled venue (hb-feed) and component (hb-aggregator,
    hb-risk, ...) that the config assigns to the host, from the directory
    hb-run itself is in; restarts what exits, with a back-off and never for
    good (hb_supervisor.h); prefixes every line a child writes with its name
    on stdout; its own log goes to stderr; serves status and restart on
    <run_dir>/hb-run.ctl (hb_runctl.h). On SIGINT, SIGTERM or SIGHUP it
    stops the children (SIGTERM, SIGKILL after 1.5 s) and exits.
    --check: load, plan and pre-flight only, start nothing.
    status, restart NAME: ask the hb-run of this config's run_dir, print
    its answer.

    Exit status: 0 after SIGINT/SIGTERM with every component up (or after
    --check passes, or an answer ok), 1 when a component was down (in
    back-off) at the stop, or the answer was an error or none came, 2 on a
    usage, config or pre-flight error (nothing was started).                */
#include "hb_config.h"
#include "hb_curve.h"
#include "hb_launch.h"
#include "hb_log.h"
#include "hb_rundir.h"
#include "hb_runctl.h"
#include "hb_supervisor.h"
#include "hb_version.h"

#include <czmq.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

static void
s_on_signal (int signum)
{
    (void) signum;
    zsys_interrupted = 1;       //  the reactor's poll returns EINTR and sees it
}

static int
s_usage (const char *why)
{
    if (why)
        fprintf (stderr, "hb-run: %s\n", why);
    fprintf (stderr, "usage: hb-run --config FILE [--host NAME] [--check] "
                     "[--log-level error|warn|info|debug]\n"
                     "       hb-run --config FILE status | restart NAME\n");
    return 2;
}

int
main (int argc, char *argv [])
{
    static const struct option options [] = {
        { "config",    required_argument, NULL, 'c' },
        { "host",      required_argument, NULL, 'H' },
        { "log-level", required_argument, NULL, 'l' },
        { "check",     no_argument,       NULL, 'C' },
        { "help",      no_argument,       NULL, 'h' },
        { "version",   no_argument,       NULL, 'V' },
        { NULL, 0, NULL, 0 }
    };
    const char *config_arg = NULL, *host_name = NULL, *level_text = NULL;
    bool check = false;
    int opt;
    while ((opt = getopt_long (argc, argv, "c:H:l:h", options, NULL)) != -1) {
        switch (opt) {
            case 'c': config_arg = optarg; break;
            case 'H': host_name = optarg; break;
            case 'l': level_text = optarg; break;
            case 'C': check = true; break;
            case 'h': s_usage (NULL); return 0;
            case 'V': printf ("hb-run %s\n", HB_VERSION); return 0;
            default:  return s_usage (NULL);
        }
    }
    if (optind < argc && !streq (argv [optind], "status") && !streq (argv [optind], "restart"))
        return s_usage ("unexpected argument");
    if (!config_arg)
        return s_usage ("--config is required");
    hb_log_level_t level = HB_LOG_INFO;
    if (level_text && hb_log_level_parse (level_text, &level) != 0)
        return s_usage ("--log-level: expected error, warn, info or debug");
    hb_log_init ("hb-run", level);

    //  children get an absolute path: they must not depend on our cwd
    char config_path [PATH_MAX], exe [PATH_MAX];
    if (!realpath (config_arg, config_path)) {
        fprintf (stderr, "%s: %s\n", config_arg, strerror (errno));
        return 2;
    }
    ssize_t len = readlink ("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        fprintf (stderr, "hb-run: cannot find its own directory: %s\n", strerror (errno));
        return 2;
    }
    exe [len] = 0;
    const char *bindir = dirname (exe);

    hb_config_t *cfg = hb_config_load (config_path);
    if (!cfg)
        return 2;
    if (!level_text)
        hb_log_init ("hb-run", (hb_log_level_t) cfg->log_level);
    if (optind < argc) {
        //  a client of the running hb-run: the stop grace (1.5 s) and more
        int rc = hb_runctl_request (cfg->run_dir, argc - optind, argv + optind, 5000, stdout, stderr);
        hb_config_destroy (&cfg);
        return rc;
    }
    int rc = 2;
    hb_runctl_t *ctl = NULL;
    hb_supervisor_t *sup = hb_supervisor_new (NULL);
    const hb_host_cfg_t *host = hb_launch_host (cfg, host_name, stderr);
    if (!sup || !host)
        goto done;
    int children = hb_launch_plan (cfg, host, bindir, config_path, sup, stderr);
    int busy = hb_launch_preflight (cfg, host, stderr);
    if (children <= 0 || busy > 0) {
        fprintf (stderr, "hb-run: nothing started\n");
        goto done;
    }
    char why [256];
    if (check && access (cfg->run_dir, F_OK) == 0 && hb_rundir_check (cfg->run_dir, why, sizeof why) != 0) {
        //  an unsafe run_dir found now, not at the start that --check vouches for
        fprintf (stderr, "%s: run_dir: %s\nhb-run: nothing started\n", cfg->path, why);
        goto done;
    }
    if (check) {
        printf ("hb-run: %s: host %s: %d process%s, every program present, every endpoint free%s\n",
                cfg->path, host->name, children, children == 1 ? "" : "es",
                cfg->security.present ? ", every key in place" : "");
        rc = 0;
        goto done;
    }
    //  journals live there; only an ipc endpoint would have made it
    if (hb_rundir_prepare (cfg->run_dir, why, sizeof why) != 0) {
        fprintf (stderr, "%s: run_dir: %s\nhb-run: nothing started\n", cfg->path, why);
        goto done;
    }
    hb_rundir_umask ();        //  children inherit it: no socket or journal open to others
    ctl = hb_runctl_new (sup, cfg->run_dir);
    if (!ctl) {
        fprintf (stderr, "hb-run: nothing started\n");
        goto done;
    }
    //  our own handler, not czmq's: no SA_RESTART, so the poll wakes up
    zsys_handler_set (NULL);
    struct sigaction action = { .sa_handler = s_on_signal };
    sigemptyset (&action.sa_mask);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);
    sigaction (SIGHUP, &action, NULL);     //  its terminal closed: stop as cleanly
    signal (SIGPIPE, SIG_IGN);

    hb_info ("deployment %s, host %s: starting %d processes from %s", cfg->deployment, host->name,
             children, bindir);
    rc = 0;
    if (hb_supervisor_start (sup) != 0)
        rc = 1;
    //  systemd (Type=notify, docs/OPERATIONS.md): ready once the children
    //  are started; WATCHDOG=1 between reactor slices of half the period
    sd_notify (0, "READY=1");
    uint64_t watchdog_usec = 0;
    int slice_ms = sd_watchdog_enabled (0, &watchdog_usec) > 0 && watchdog_usec >= 2000
                 ? (int) (watchdog_usec / 2000) : -1;
    while (!zsys_interrupted) {
        hb_supervisor_run (sup, slice_ms);      //  never gives a component up
        if (slice_ms < 0)
            break;
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
    hb_config_destroy (&cfg);
    return rc;
}
