/*  hb-aggregator --config FILE [--log-level L]: positions, exposure and
    margin from every venue's fills (see hb_aggregator.h). Exits 0 on
    SIGTERM/SIGINT, 1 when it cannot start or had to stop (journal), 2 on a
    bad command line or config.                                           */
#include "hb_aggregator.h"
#include "hb_curve.h"
#include "hb_log.h"

#include <getopt.h>
#include <czmq.h>
#include <sched.h>
#include <stdio.h>
#include <signal.h>

static hb_aggregator_t *s_aggregator;      //  for the signal handler only

static void
s_on_signal (int signum)
{
    (void) signum;
    if (s_aggregator)
        hb_aggregator_stop (s_aggregator);
}

static int
s_usage (const char *why)
{
    if (why)
        fprintf (stderr, "hb-aggregator: %s\n", why);
    fprintf (stderr, "usage: hb-aggregator --config FILE [--log-level error|warn|info|debug]\n");
    return 2;
}

int
main (int argc, char *argv [])
{
    static const struct option options [] = {
        { "config",    required_argument, NULL, 'c' },
        { "log-level", required_argument, NULL, 'l' },
        { "help",      no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *path = NULL, *level_text = NULL;
    int opt;
    while ((opt = getopt_long (argc, argv, "c:l:h", options, NULL)) != -1)
        switch (opt) {
            case 'c': path = optarg; break;
            case 'l': level_text = optarg; break;
            default:  return s_usage (NULL);
        }
    if (!path || optind != argc)
        return s_usage (path ? "unexpected argument" : "--config is required");
    hb_config_t *cfg = hb_config_load (path);
    if (!cfg)
        return 2;
    hb_log_level_t level = (hb_log_level_t) cfg->log_level;
    if (level_text && hb_log_level_parse (level_text, &level) != 0) {
        hb_config_destroy (&cfg);
        return s_usage ("--log-level: expected error, warn, info or debug");
    }
    hb_log_init ("aggregator", level);
    if (cfg->aggregator.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO (&set);
        CPU_SET (cfg->aggregator.cpu, &set);
        if (sched_setaffinity (0, sizeof set, &set) != 0)
            hb_warn ("aggregator: cannot pin to CPU %d", cfg->aggregator.cpu);
    }
    //  our own handler: the reactor stops, the journal is synced and closed
    zsys_handler_set (NULL);
    zsys_init ();
    if (hb_curve_start (cfg, "aggregator") != 0) {
        hb_config_destroy (&cfg);
        return 2;
    }
    int rc = 1;
    s_aggregator = hb_aggregator_new (cfg);
    if (s_aggregator) {
        struct sigaction action = { .sa_handler = s_on_signal };
        sigemptyset (&action.sa_mask);
        sigaction (SIGTERM, &action, NULL);
        sigaction (SIGINT, &action, NULL);
        hb_info ("aggregator: publishing on %s, snapshots on %s", cfg->aggregator.endpoint,
                 cfg->aggregator.snapshot_endpoint);
        rc = hb_aggregator_run (s_aggregator) == 0 ? 0 : 1;
        hb_info ("aggregator: stopping");
        hb_aggregator_t *aggregator = s_aggregator;
        s_aggregator = NULL;
        hb_aggregator_destroy (&aggregator);
    }
    hb_config_destroy (&cfg);
    return rc;
}
