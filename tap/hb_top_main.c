/*  hb-top: the live terminal view of a running deployment.

        hb-top --config FILE [--interval-ms MS] [--log FILE] [--key NAME]

    Subscribes to every publisher of the config, like hb-tap --summary, and
    draws the view of hb_top.h, redrawn every --interval-ms (default 500).
    q or Ctrl-C quits. Its own log lines would tear the screen: they go to
    --log FILE, or nowhere. Needs a terminal: where there is none (a pipe,
    a log), use hb-tap --summary.

    Exit status: 0 on q/SIGINT/SIGTERM, 1 on a bus failure, 2 on a usage or
    config error or no terminal.                                            */
#include "hb_config.h"
#include "hb_curve.h"
#include "hb_log.h"
#include "hb_summary.h"
#include "hb_tap.h"
#include "hb_time.h"
#include "hb_top.h"

#include <czmq.h>
#include <getopt.h>
#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t s_stop;

static void
s_on_signal (int signum)
{
    (void) signum;
    s_stop = 1;
}

static int
s_usage (const char *why)
{
    if (why)
        fprintf (stderr, "hb-top: %s\n", why);
    fprintf (stderr, "usage: hb-top --config FILE [--interval-ms MS] [--log FILE] [--key NAME]\n");
    return 2;
}

typedef struct {
    hb_summary_t *summary;
    hb_top_t     *top;
} s_views_t;

static void
s_on_message (void *arg, const char *topic, const hb_msg_t *msg, hb_seq_status_t status)
{
    s_views_t *views = (s_views_t *) arg;
    int64_t now = hb_wall_ns ();
    if (!msg) {
        hb_summary_decode_error (views->summary);
        return;
    }
    hb_summary_add (views->summary, topic, msg, status, now);
    if (views->top)
        hb_top_add (views->top, topic, msg, now);
}

static int
s_run (hb_tap_t *tap, hb_summary_t *summary, hb_top_t *top, int interval_ms)
{
    int64_t next_draw = hb_mono_ns ();
    while (!s_stop && hb_top_keys (top)) {
        int64_t now = hb_mono_ns ();
        if (now >= next_draw) {
            hb_top_draw (top, summary, hb_wall_ns ());
            next_draw = now + (int64_t) interval_ms * HB_NS_PER_MS;
        }
        //  keys are read between messages: wait at most 100 ms for one
        int wait = (int) ((next_draw - now) / HB_NS_PER_MS) + 1;
        if (wait > 100)
            wait = 100;
        if (hb_tap_poll (tap, wait) < 0 && errno != EINTR) {
            hb_error ("bus: %s", zmq_strerror (errno));
            return 1;
        }
    }
    return 0;
}

int
main (int argc, char *argv [])
{
    static const struct option options [] = {
        { "config",      required_argument, NULL, 'c' },
        { "interval-ms", required_argument, NULL, 'i' },
        { "log",         required_argument, NULL, 'L' },
        { "key",         required_argument, NULL, 'k' },
        { "help",        no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *config_path = NULL, *log_path = NULL, *key = "top";
    int interval_ms = 500, opt;
    while ((opt = getopt_long (argc, argv, "c:i:k:h", options, NULL)) != -1) {
        switch (opt) {
            case 'c': config_path = optarg; break;
            case 'i': interval_ms = atoi (optarg); break;
            case 'L': log_path = optarg; break;
            case 'k': key = optarg; break;
            case 'h': s_usage (NULL); return 0;
            default:  return s_usage (NULL);
        }
    }
    if (optind < argc || !config_path)
        return s_usage (config_path ? "unexpected argument" : "--config is required");
    if (interval_ms < 50 || interval_ms > 60000)
        return s_usage ("--interval-ms: 50 to 60000");
    hb_log_init ("top", HB_LOG_INFO);
    hb_config_t *config = hb_config_load (config_path);
    if (!config)
        return 2;
    hb_log_init ("top", (hb_log_level_t) config->log_level);
    if (!isatty (STDIN_FILENO) || !isatty (STDOUT_FILENO)) {
        fprintf (stderr, "hb-top: needs a terminal; for a log or a pipe use hb-tap --summary\n");
        hb_config_destroy (&config);
        return 2;
    }
    zsys_handler_set (NULL);
    if (hb_curve_start (config, key) != 0) {
        hb_config_destroy (&config);
        return 2;
    }
    struct sigaction action = { .sa_handler = s_on_signal };
    sigemptyset (&action.sa_mask);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);

    int rc = 1;
    hb_tap_t *tap = hb_tap_new (config, stdout);
    hb_summary_t *summary = hb_summary_new (config);
    s_views_t views = { summary, NULL };
    if (tap && summary && hb_tap_subscribe (tap, "") == 0 && hb_tap_connect_all (tap) >= 0) {
        hb_tap_set_handler (tap, s_on_message, &views);
        //  from here the screen is ncurses': log lines go elsewhere
        if (!freopen (log_path ? log_path : "/dev/null", "a", stderr))
            rc = 2;
        views.top = rc == 2 ? NULL : hb_top_new ();
        if (views.top) {
            rc = s_run (tap, summary, views.top, interval_ms);
            hb_top_destroy (&views.top);
        }
        else
            rc = 2;
    }
    hb_summary_destroy (&summary);
    hb_tap_destroy (&tap);
    hb_config_destroy (&config);
    return rc;
}
