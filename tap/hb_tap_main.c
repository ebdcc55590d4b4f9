/*  hb-tap: the bus as JSON lines, and a few operator tools on the bus.

    hb-tap --config FILE [--topic PREFIX ...] [--count N] [--timeout-ms MS]
        Prints every message from every publisher of the config (each enabled
        venue and each component endpoint) as one JSON object per line, with
        gap, restart, stale and decode_error events as lines of their own
        (see hb_tap.h). Stops after N messages, MS milliseconds, or on
        SIGINT/SIGTERM; exit 0.
    hb-tap --config FILE --summary [--interval-ms MS] [--timeout-ms MS]
        The compact live view (hb_summary.h) instead of JSON lines.
    hb-tap --config FILE --list-instruments
        Every instrument of every enabled venue, one JSON object a line:
        {"venue":"alpha","symbol":"BTC-USD","asset":"BTC","kind":"spot"}
    hb-tap --config FILE --send-order VENUE SYMBOL buy|sell QTY [--limit PX]
           --client-id ID [--from COMPONENT] [--timeout-ms MS]
        Sends one order (market, or limit IOC with --limit) from COMPONENT
        (default console) once the feed can hear it, and prints the order and
        its acks and fills as JSON lines until a final ack. Exit 0 when done
        or canceled, 4 when rejected, 1 on timeout.

    hb-tap --in DIR [--topic PREFIX ...]
        Prints a recording (hb-record) as JSON lines, each with its "recv_ts"
        first; the recorder's gap and restart records as lines of their own
        ({"recv_ts":..,"topic":"rec.gap",...}). Damaged segments are reported
        on stderr and skipped from their first bad record on; exit 0.

    With CURVE endpoints (hb_curve.h) the bus modes use the certificate
    --key NAME: tap by default, COMPONENT with --send-order.

    Usage, config and key errors exit 2.                                    */
#include "hb_config.h"
#include "hb_curve.h"
#include "hb_console.h"
#include "hb_recording_reader.h"
#include "hb_log.h"
#include "hb_summary.h"
#include "hb_tap.h"
#include "hb_time.h"

#include <czmq.h>
#include <getopt.h>
#include <signal.h>
#include <unistd.h>

#define S_MAX_TOPICS 32

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
        fprintf (stderr, "hb-tap: %s\n", why);
    fprintf (stderr,
        "usage: hb-tap --config FILE [--topic PREFIX ...] [--count N] [--timeout-ms MS]\n"
        "       hb-tap --config FILE --summary [--interval-ms MS] [--timeout-ms MS]\n"
        "       hb-tap --config FILE --list-instruments\n"
        "       hb-tap --in DIR [--topic PREFIX ...]\n"
        "       hb-tap --config FILE --send-order VENUE SYMBOL buy|sell QTY [--limit PX]\n"
        "              --client-id ID [--from COMPONENT] [--timeout-ms MS]\n"
        "       --key NAME: the CURVE certificate (default tap, or COMPONENT with --send-order)\n");
    return 2;
}

static bool
s_number (const char *text, double *value)
{
    char *end;
    *value = strtod (text, &end);
    return end != text && *end == 0;
}

static void
s_list_instruments (const hb_config_t *config)
{
    for (int i = 0; i < config->n_venues; i++) {
        const hb_venue_cfg_t *venue = &config->venues [i];
        if (!venue->enabled)
            continue;
        for (int j = 0; j < venue->n_instruments; j++) {
            const hb_instrument_cfg_t *inst = &venue->instruments [j];
            printf ("{\"venue\":\"%s\",\"symbol\":\"%s\",\"asset\":\"%s\",\"kind\":\"%s\"}\n",
                    venue->name, inst->symbol, config->assets [inst->asset].name,
                    hb_kind_name (inst->kind));
        }
    }
}

static void
s_summary_add (void *arg, const char *topic, const hb_msg_t *msg, hb_seq_status_t status)
{
    hb_summary_t *summary = (hb_summary_t *) arg;
    if (msg)
        hb_summary_add (summary, topic, msg, status, hb_wall_ns ());
    else
        hb_summary_decode_error (summary);
}

//  Taps (or summarizes) until count messages, the deadline or a signal.
static int
s_tap (const hb_config_t *config, const char **topics, int n_topics, uint64_t count,
       int timeout_ms, bool summary_mode, int interval_ms)
{
    hb_tap_t *tap = hb_tap_new (config, stdout);
    hb_summary_t *summary = summary_mode ? hb_summary_new (config) : NULL;
    if (!tap || (summary_mode && !summary)) {
        hb_summary_destroy (&summary);
        hb_tap_destroy (&tap);
        return 1;
    }
    if (summary)
        hb_tap_set_handler (tap, s_summary_add, summary);
    int rc = 0;
    for (int i = 0; i < n_topics && rc == 0; i++)
        rc = hb_tap_subscribe (tap, topics [i]);
    if (n_topics == 0)
        rc = hb_tap_subscribe (tap, "");
    if (rc == 0 && hb_tap_connect_all (tap) < 0)
        rc = -1;
    if (rc) {
        hb_summary_destroy (&summary);
        hb_tap_destroy (&tap);
        return 1;
    }
    bool tty = isatty (STDOUT_FILENO);
    if (interval_ms <= 0)               //  a redraw a second on a screen; a log gets a block every 5 s
        interval_ms = tty ? 1000 : 5000;
    int64_t deadline = timeout_ms > 0 ? hb_mono_ns () + (int64_t) timeout_ms * HB_NS_PER_MS : 0;
    int64_t next_render = hb_mono_ns ();
    uint64_t printed = 0;
    while (!s_stop && (count == 0 || printed < count)) {
        int64_t now = hb_mono_ns ();
        if (deadline && now >= deadline)
            break;
        int wait = deadline ? (int) ((deadline - now) / HB_NS_PER_MS) + 1 : -1;
        if (summary) {
            if (now >= next_render) {
                hb_summary_render (summary, stdout, tty, hb_wall_ns ());
                fflush (stdout);
                next_render = now + (int64_t) interval_ms * HB_NS_PER_MS;
            }
            int until_render = (int) ((next_render - now) / HB_NS_PER_MS) + 1;
            if (wait < 0 || until_render < wait)
                wait = until_render;
        }
        int got = hb_tap_poll (tap, wait);
        if (got < 0 && errno == EINTR)
            continue;                   //  a signal: the loop condition decides
        if (got < 0) {
            hb_error ("bus: %s", zmq_strerror (errno));
            break;
        }
        printed += (uint64_t) got;
    }
    if (summary) {
        hb_summary_render (summary, stdout, tty, hb_wall_ns ());
        fflush (stdout);
    }
    hb_tap_stats_t stats;
    hb_tap_stats (tap, &stats);
    hb_info ("%llu messages, %llu gaps (%llu missed), %llu restarts, %llu stale, %llu malformed",
             (unsigned long long) stats.messages, (unsigned long long) stats.gaps,
             (unsigned long long) stats.missed, (unsigned long long) stats.restarts,
             (unsigned long long) stats.stale, (unsigned long long) stats.decode_errors);
    hb_summary_destroy (&summary);
    hb_tap_destroy (&tap);
    return 0;
}

//  A recording as JSON lines.
static int
s_print_recording (const char *dir, const char **topics, int n_topics)
{
    hb_recording_reader_t *reader = hb_recording_reader_new (dir);
    if (!reader)
        return 1;
    static hb_msg_t scratch;
    static char line [16384];
    hb_record_t record;
    while (hb_recording_reader_next (reader, &record) == 1)
        if (hb_recording_topic_match (record.topic, topics, n_topics)) {
            hb_record_to_json (&record, &scratch, line, sizeof line);
            puts (line);
        }
    hb_recording_reader_destroy (&reader);
    return 0;
}

static int
s_send_order (const hb_config_t *config, const char *from, const char *venue,
              char **args, double limit, const char *client_id, int timeout_ms)
{
    hb_order_t order = { .tif = HB_TIF_IOC };
    double qty;
    if (strlen (args [0]) >= sizeof order.symbol)
        return s_usage ("--send-order: symbol too long");
    snprintf (order.symbol, sizeof order.symbol, "%s", args [0]);
    if (strcmp (args [1], "buy") == 0)
        order.side = HB_SIDE_BUY;
    else
    if (strcmp (args [1], "sell") == 0)
        order.side = HB_SIDE_SELL;
    else
        return s_usage ("--send-order: side must be buy or sell");
    if (!s_number (args [2], &qty) || !(qty > 0))
        return s_usage ("--send-order: QTY must be a number > 0");
    order.qty = qty;
    order.ord_type = limit > 0 ? HB_ORD_LIMIT : HB_ORD_MARKET;
    order.px = limit > 0 ? limit : 0;
    if (!client_id || strlen (client_id) >= sizeof order.client_id)
        return s_usage ("--send-order needs --client-id ID (under 48 characters)");
    snprintf (order.client_id, sizeof order.client_id, "%s", client_id);

    hb_console_t *console = hb_console_new (config, from, venue);
    if (!console)
        return 2;
    int64_t start = hb_mono_ns ();
    int status = -1;
    if (hb_console_wait_ready (console, timeout_ms) == 0) {
        int used = (int) ((hb_mono_ns () - start) / HB_NS_PER_MS);
        status = hb_console_order (console, &order, stdout,
                                   timeout_ms - used > 100 ? timeout_ms - used : 100);
    }
    hb_console_destroy (&console);
    return status == HB_ACK_DONE || status == HB_ACK_CANCELED ? 0
         : status == HB_ACK_REJECTED ? 4 : 1;
}

int
main (int argc, char *argv [])
{
    static const struct option options [] = {
        { "config",           required_argument, NULL, 'c' },
        { "topic",            required_argument, NULL, 't' },
        { "count",            required_argument, NULL, 'n' },
        { "timeout-ms",       required_argument, NULL, 'T' },
        { "summary",          no_argument,       NULL, 'S' },
        { "interval-ms",      required_argument, NULL, 'I' },
        { "list-instruments", no_argument,       NULL, 'L' },
        { "send-order",       required_argument, NULL, 'O' },
        { "limit",            required_argument, NULL, 'p' },
        { "client-id",        required_argument, NULL, 'i' },
        { "from",             required_argument, NULL, 'f' },
        { "log-level",        required_argument, NULL, 'l' },
        { "in",               required_argument, NULL, 'R' },
        { "key",              required_argument, NULL, 'k' },
        { "help",             no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *config_path = NULL, *order_venue = NULL, *client_id = NULL;
    const char *from = "console", *level_text = NULL, *in = NULL, *key = NULL;
    const char *topics [S_MAX_TOPICS];
    int n_topics = 0, timeout_ms = 0, interval_ms = 0;
    uint64_t count = 0;
    double limit = 0, value;
    bool summary = false, list = false;
    int opt;
    while ((opt = getopt_long (argc, argv, "c:t:n:T:SI:LO:p:i:f:l:R:k:h", options, NULL)) != -1) {
        switch (opt) {
            case 'c': config_path = optarg; break;
            case 't':
                if (n_topics == S_MAX_TOPICS)
                    return s_usage ("too many --topic");
                topics [n_topics++] = optarg;
                break;
            case 'n':
                if (!s_number (optarg, &value) || value < 1)
                    return s_usage ("--count: expected a number >= 1");
                count = (uint64_t) value;
                break;
            case 'T':
                if (!s_number (optarg, &value) || value < 1 || value > 1e9)
                    return s_usage ("--timeout-ms: expected a number of ms >= 1");
                timeout_ms = (int) value;
                break;
            case 'I':
                if (!s_number (optarg, &value) || value < 10 || value > 1e7)
                    return s_usage ("--interval-ms: expected a number of ms >= 10");
                interval_ms = (int) value;
                break;
            case 'S': summary = true; break;
            case 'L': list = true; break;
            case 'O': order_venue = optarg; break;
            case 'p':
                if (!s_number (optarg, &limit) || !(limit > 0))
                    return s_usage ("--limit: expected a price > 0");
                break;
            case 'i': client_id = optarg; break;
            case 'f': from = optarg; break;
            case 'l': level_text = optarg; break;
            case 'R': in = optarg; break;
            case 'k': key = optarg; break;
            case 'h': s_usage (NULL); return 0;
            default:  return s_usage (NULL);
        }
    }
    if (!config_path && !in)
        return s_usage ("--config is required");
    int positional = argc - optind;
    if (order_venue ? positional != 3 : positional != 0)
        return s_usage (order_venue ? "--send-order VENUE needs SYMBOL buy|sell QTY"
                                    : "unexpected argument");
    hb_log_level_t level = HB_LOG_WARN;
    if (level_text && hb_log_level_parse (level_text, &level))
        return s_usage ("--log-level: expected error, warn, info or debug");
    hb_log_init ("tap", level);
    if (in)
        return s_print_recording (in, topics, n_topics);

    hb_config_t *config = hb_config_load (config_path);
    if (!config)
        return 2;
    if (list) {
        s_list_instruments (config);
        hb_config_destroy (&config);
        return 0;
    }
    //  Our own handler, so that a signal ends the wait of the one blocking
    //  call we make and the loop exits through the normal tear-down.
    zsys_handler_set (NULL);
    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = s_on_signal;
    sigemptyset (&action.sa_mask);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);
    setvbuf (stdout, NULL, _IOLBF, 0);
    //  the console binds its component's endpoint: it serves as that one
    if (hb_curve_start (config, key ? key : order_venue ? from : "tap") != 0) {
        hb_config_destroy (&config);
        return 2;
    }

    int rc = order_venue
           ? s_send_order (config, from, order_venue, argv + optind, limit, client_id,
                           timeout_ms > 0 ? timeout_ms : 10000)
           : s_tap (config, topics, n_topics, count, timeout_ms, summary, interval_ms);
    hb_config_destroy (&config);
    return rc;
}
