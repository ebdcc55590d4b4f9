/*  hb-top: the live terminal view of a running deployment.

        hb-top --config FILE [--interval-ms MS] [--log FILE] [--key NAME]
               [--filter TEXT] [--rows N]

    Subscribes to every publisher of the config, like hb-tap --summary, and
    draws the view of hb_top.h, redrawn every --interval-ms (default 500)
    and at each key. --filter TEXT and --rows N (per panel, default 40, 0
    for all) set what the keys change later (hb_top.h: / filters, Tab
    selects a panel, n/p page it, +/- and a change the rows).
    q or Ctrl-C quits. Its own log lines would tear the screen: they go to
    --log FILE, or nowhere. Needs a terminal: where there is none (a pipe,
    a log), use hb-tap --summary.

    Exit status: 0 on q/SIGINT/SIGTERM, 1 on a bus failure, 2 on a usage or
    config error or no terminal.                                            */
#include "hb_config.h"
#include "hb_log.h"
#include "hb_service.h"
#include "hb_summary.h"
#include "hb_tap.h"
#include "hb_time.h"
#include "hb_top.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


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
s_loop (hb_service_t *service, hb_tap_t *tap, hb_summary_t *summary, hb_top_t *top,
        int interval_ms)
{
    int64_t next_draw = hb_mono_ns ();
    while (!hb_service_signalled (service) && hb_top_keys (top, summary)) {
        int64_t now = hb_mono_ns ();
        if (now >= next_draw || hb_top_pressed (top)) {
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

typedef struct {
    const char *log_path, *key, *filter;
    int         interval_ms, rows;
} s_state_t;

static int
s_option (void *arg, const char *name, const char *value)
{
    s_state_t *state = (s_state_t *) arg;
    if (strcmp (name, "interval-ms") == 0) {
        state->interval_ms = atoi (value);
        if (state->interval_ms < 50 || state->interval_ms > 60000) {
            fprintf (stderr, "hb-top: --interval-ms: 50 to 60000\n");
            return -1;
        }
    }
    else
    if (strcmp (name, "rows") == 0) {
        char *end;
        long rows = strtol (value, &end, 10);
        if (end == value || *end || rows < 0 || rows > 1000000) {
            fprintf (stderr, "hb-top: --rows: a number of rows a panel >= 0 (0: all)\n");
            return -1;
        }
        state->rows = (int) rows;
    }
    else
    if (strcmp (name, "filter") == 0)
        state->filter = value;
    else
    if (strcmp (name, "log") == 0)
        state->log_path = value;
    else
        state->key = value;
    return 0;
}

static const char *
s_name (void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    return state->key ? state->key : "top";
}

static int
s_setup (hb_service_t *service, void *arg)
{
    (void) service;
    (void) arg;
    if (!isatty (STDIN_FILENO) || !isatty (STDOUT_FILENO)) {
        fprintf (stderr, "hb-top: needs a terminal; for a log or a pipe use hb-tap --summary\n");
        return 2;
    }
    return -1;
}

static int
s_run (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    const hb_config_t *config = hb_service_config (service);
    int rc = 1;
    hb_tap_t *tap = hb_tap_new (config, stdout);
    hb_summary_t *summary = hb_summary_new (config);
    s_views_t views = { summary, NULL };
    if (summary) {
        hb_summary_set_filter (summary, state->filter);
        hb_summary_set_rows (summary, state->rows);
    }
    if (tap && summary && hb_tap_subscribe (tap, "") == 0 && hb_tap_connect_all (tap) >= 0) {
        hb_tap_set_handler (tap, s_on_message, &views);
        //  from here the screen is ncurses': log lines go elsewhere
        if (!freopen (state->log_path ? state->log_path : "/dev/null", "a", stderr))
            rc = 2;
        views.top = rc == 2 ? NULL : hb_top_new ();
        if (views.top) {
            rc = s_loop (service, tap, summary, views.top, state->interval_ms);
            hb_top_destroy (&views.top);
        }
        else
            rc = 2;
    }
    hb_summary_destroy (&summary);
    hb_tap_destroy (&tap);
    return rc;
}

int
main (int argc, char *argv [])
{
    static const hb_service_option_t options [] = {
        { "interval-ms", "MS" }, { "log", "FILE" }, { "key", "NAME" }, { "filter", "TEXT" },
        { "rows", "N" }, { NULL }
    };
    static s_state_t state = { .interval_ms = 500, .rows = HB_SUMMARY_ROWS };
    static const hb_service_def_t def = {
        .program   = "hb-top",
        .usage     = "--config FILE [--interval-ms MS] [--log FILE] [--key NAME] [--filter TEXT] [--rows N]",
        .options   = options,
        .option    = s_option,
        .name      = s_name,
        .setup     = s_setup,
        .run       = s_run,
        .state     = &state,
    };
    return hb_service_main (&def, argc, argv);
}
