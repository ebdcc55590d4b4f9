/*  hb-feed: hosts one venue plugin on the bus.

        hb-feed --config FILE --venue NAME [--log-level error|warn|info|debug]
        hb-feed --config FILE --list-venues     (enabled venues, one a line)
        hb-feed --config FILE --venue NAME --check   (config, plugin and its
                                                 sections checked; no bus)

    Exit status: 0 after SIGINT/SIGTERM, 1 on a bus or runtime failure,
    2 on a usage or config error (nothing touched the bus), 3 when the
    plugin is refused (ABI, size, symbol, file) or refuses its venue.       */
#include "hb_config.h"
#include "hb_curve.h"
#include "hb_feed.h"
#include "hb_log.h"
#include "hb_plugin_host.h"

#include <czmq.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>

static hb_feed_t *s_feed;       //  for the signal handler only
static volatile sig_atomic_t s_signalled;

static void
s_on_signal (int signum)
{
    (void) signum;
    s_signalled = 1;
    if (s_feed)
        hb_feed_stop (s_feed);
}

static int
s_usage (const char *why)
{
    if (why)
        fprintf (stderr, "hb-feed: %s\n", why);
    fprintf (stderr, "usage: hb-feed --config FILE --venue NAME [--check] [--log-level error|warn|info|debug]\n"
                     "       hb-feed --config FILE --list-venues\n");
    return 2;
}

//  "FILE: venues: no venue named 'X' (known: a, b, c)"
static void
s_unknown_venue (const hb_config_t *config, const char *name)
{
    char known [512] = "";
    size_t len = 0;
    for (int i = 0; i < config->n_venues && len < sizeof known; i++)
        len += (size_t) snprintf (known + len, sizeof known - len, "%s%s",
                                  i ? ", " : "", config->venues [i].name);
    fprintf (stderr, "%s: venues: no venue named '%s' (known: %s)\n",
             config->path, name, config->n_venues ? known : "none");
}

int
main (int argc, char *argv [])
{
    static const struct option options [] = {
        { "config",    required_argument, NULL, 'c' },
        { "venue",     required_argument, NULL, 'v' },
        { "log-level", required_argument, NULL, 'l' },
        { "list-venues", no_argument,     NULL, 'L' },
        { "check",     no_argument,       NULL, 'C' },
        { "help",      no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *config_path = NULL, *venue_name = NULL, *level_text = NULL;
    bool list_venues = false, check_only = false;
    int opt;
    while ((opt = getopt_long (argc, argv, "c:v:l:h", options, NULL)) != -1) {
        switch (opt) {
            case 'c': config_path = optarg; break;
            case 'v': venue_name = optarg; break;
            case 'l': level_text = optarg; break;
            case 'L': list_venues = true; break;
            case 'C': check_only = true; break;
            case 'h': s_usage (NULL); return 0;
            default:  return s_usage (NULL);
        }
    }
    if (optind < argc)
        return s_usage ("unexpected argument");
    if (list_venues && config_path && !venue_name) {
        hb_config_t *config = hb_config_load (config_path);
        if (!config)
            return 2;
        for (int i = 0; i < config->n_venues; i++)
            if (config->venues [i].enabled)
                printf ("%s\n", config->venues [i].name);
        hb_config_destroy (&config);
        return 0;
    }
    if (!config_path || !venue_name)
        return s_usage ("--config and --venue are required");
    hb_log_level_t cli_level = HB_LOG_INFO;
    if (level_text && hb_log_level_parse (level_text, &cli_level))
        return s_usage ("--log-level: expected error, warn, info or debug");

    char component [HB_NAME_MAX + 8];
    snprintf (component, sizeof component, "feed.%s", venue_name);
    hb_log_init (component, cli_level);

    hb_config_t *config = hb_config_load (config_path);     //  prints its errors
    if (!config)
        return 2;
    const hb_venue_cfg_t *venue = hb_config_venue (config, venue_name);
    if (!venue) {
        s_unknown_venue (config, venue_name);
        hb_config_destroy (&config);
        return 2;
    }
    if (!venue->enabled) {
        fprintf (stderr, "%s:%d: venues.%s: the venue is disabled (enabled: false): not starting\n",
                 config->path, venue->line, venue->name);
        hb_config_destroy (&config);
        return 2;
    }
    hb_log_init (component, level_text ? cli_level : (hb_log_level_t) config->log_level);
    if (hb_curve_start (config, component) != 0) {
        hb_config_destroy (&config);
        return 2;
    }

    char err [768];
    hb_plugin_host_t *plugin = hb_plugin_host_new (venue->plugin_path, err, sizeof err);
    if (!plugin) {
        hb_error ("%s", err);
        hb_config_destroy (&config);
        return 3;
    }
    hb_info ("loaded plugin %s (%s) from %s", hb_plugin_host_name (plugin),
             hb_plugin_host_description (plugin), hb_plugin_host_path (plugin));
    //  the plugin's own sections, checked before the bus (FILE:LINE errors)
    int checked = hb_feed_check_plugin (config, venue, plugin);
    if (checked != 0 || check_only) {
        hb_plugin_host_destroy (&plugin);
        hb_config_destroy (&config);
        return checked;
    }

    if (venue->cpu >= 0) {
        cpu_set_t cpus;
        CPU_ZERO (&cpus);
        CPU_SET (venue->cpu, &cpus);
        if (sched_setaffinity (0, sizeof cpus, &cpus))
            hb_warn ("venues.%s.cpu: cannot pin to CPU %d: %s (running unpinned)",
                     venue->name, venue->cpu, strerror (errno));
        else
            hb_info ("pinned to CPU %d", venue->cpu);
    }

    //  czmq's own SIGINT handler would set zsys_interrupted and make every
    //  blocking call fail at random points; we stop at one place instead.
    zsys_handler_set (NULL);
    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = s_on_signal;
    sigemptyset (&action.sa_mask);
    action.sa_flags = 0;                //  no SA_RESTART: the poll must return
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);

    int rc = 0;
    hb_feed_t *feed = hb_feed_new (config, venue, &plugin);
    s_feed = feed;                      //  a signal from here on stops the run
    if (feed && s_signalled)
        hb_feed_stop (feed);            //  one came while the feed was being built
    if (!feed)
        rc = 1;
    else
    if (hb_feed_start (feed))
        rc = 3;
    else {
        rc = hb_feed_run (feed) == 0 ? 0 : 1;
        hb_feed_stats_t stats;
        hb_feed_stats (feed, &stats);
        hb_info ("stopping: %llu published, %llu sent, %llu conflated, %llu invalid, "
                 "%llu orders in, %llu host rejects",
                 (unsigned long long) stats.published, (unsigned long long) stats.sent,
                 (unsigned long long) stats.conflated, (unsigned long long) stats.invalid,
                 (unsigned long long) stats.orders_in, (unsigned long long) stats.host_rejects);
    }
    s_feed = NULL;
    hb_feed_destroy (&feed);
    hb_config_destroy (&config);
    return rc;
}
