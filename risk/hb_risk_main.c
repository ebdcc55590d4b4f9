/*  hb-risk: the risk process.
      hb-risk --config FILE [--log-level L] [--grid-from NS]
                                              live, on the bus (hb_risk_live.h)
      hb-risk analyze ... | greeks ...        offline analyst commands
    Live mode exits 0 on SIGTERM/SIGINT, 1 when it cannot start, 2 on a bad
    command line or config.                                                */
#include <czmq.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "hb_config.h"
#include "hb_curve.h"
#include "hb_log.h"
#include "hb_risk_cli.h"
#include "hb_risk_live.h"

static hb_risk_live_t *s_live;          //  for the signal handler only

static void
s_on_signal (int signum)
{
    (void) signum;
    if (s_live)
        hb_risk_live_stop (s_live);
}

static int
s_live_main (int argc, char **argv)
{
    static const struct option options [] = {
        { "config",    required_argument, NULL, 'c' },
        { "log-level", required_argument, NULL, 'l' },
        { "grid-from", required_argument, NULL, 'g' },
        { NULL, 0, NULL, 0 }
    };
    const char *path = NULL, *level_text = NULL;
    long long grid_from = 0;
    char *end;
    int opt;
    while ((opt = getopt_long (argc, argv, "c:l:g:", options, NULL)) != -1)
        switch (opt) {
            case 'c': path = optarg; break;
            case 'l': level_text = optarg; break;
            case 'g':
                grid_from = strtoll (optarg, &end, 10);
                if (end == optarg || *end || grid_from <= 0) {
                    fprintf (stderr, "hb-risk: --grid-from: expected ns since the epoch\n");
                    return 2;
                }
                break;
            default:  hb_risk_cli_usage (stderr); return 2;
        }
    if (!path || optind != argc) {
        hb_risk_cli_usage (stderr);
        return 2;
    }
    hb_config_t *cfg = hb_config_load (path);
    if (!cfg)
        return 2;
    hb_log_level_t level = (hb_log_level_t) cfg->log_level;
    if (level_text && hb_log_level_parse (level_text, &level) != 0) {
        fprintf (stderr, "hb-risk: --log-level: expected error, warn, info or debug\n");
        hb_config_destroy (&cfg);
        return 2;
    }
    hb_log_init ("risk", level);
    if (cfg->risk.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO (&set);
        CPU_SET (cfg->risk.cpu, &set);
        if (sched_setaffinity (0, sizeof set, &set) != 0)
            hb_warn ("risk: cannot pin to CPU %d", cfg->risk.cpu);
    }
    zsys_handler_set (NULL);
    zsys_init ();
    if (hb_curve_start (cfg, "risk") != 0) {
        hb_config_destroy (&cfg);
        return 2;
    }
    int rc = 1;
    s_live = hb_risk_live_new (cfg);
    if (s_live && grid_from > 0)
        hb_risk_live_grid_from (s_live, grid_from);
    if (s_live) {
        struct sigaction action = { .sa_handler = s_on_signal };
        sigemptyset (&action.sa_mask);
        sigaction (SIGTERM, &action, NULL);
        sigaction (SIGINT, &action, NULL);
        hb_info ("risk: publishing on %s, sampling every %d ms of data time", cfg->risk.endpoint,
                 cfg->risk.sample_ms);
        rc = hb_risk_live_run (s_live);
        hb_info ("risk: stopping");
        hb_risk_live_t *live = s_live;
        s_live = NULL;
        hb_risk_live_destroy (&live);
    }
    hb_config_destroy (&cfg);
    return rc;
}

int
main (int argc, char **argv)
{
    hb_log_init ("risk", HB_LOG_INFO);
    if (argc >= 2 && strcmp (argv [1], "analyze") == 0)
        return hb_risk_cli_analyze (argc - 1, argv + 1, stdout, stderr);
    if (argc >= 2 && strcmp (argv [1], "greeks") == 0)
        return hb_risk_cli_greeks (argc - 1, argv + 1, stdout, stderr);
    if (argc >= 2 && (strcmp (argv [1], "--help") == 0 || strcmp (argv [1], "-h") == 0)) {
        hb_risk_cli_usage (stdout);
        return 0;
    }
    if (argc >= 2 && strncmp (argv [1], "-", 1) == 0)
        return s_live_main (argc, argv);
    if (argc >= 2)
        fprintf (stderr, "hb-risk: unknown command '%s'\n", argv [1]);
    hb_risk_cli_usage (stderr);
    return 2;
}
