/*  hb-tap: the bus as JSON lines, and a few operator tools on the bus.

    hb-tap --config FILE [--topic PREFIX ...] [--count N] [--timeout-ms MS]
        Prints every message from every publisher of the config (each enabled
        venue and each component endpoint) as one JSON object per line, with
        gap, restart, stale and decode_error events as lines of their own
        (see hb_tap.h). Stops after N messages, MS milliseconds, or on
        SIGINT/SIGTERM; exit 0.
    hb-tap --config FILE --summary [--interval-ms MS] [--timeout-ms MS]
           [--filter TEXT] [--rows N] [--page N]
        The compact live view (hb_summary.h) instead of JSON lines, each
        panel most urgent first: at most N rows a panel (default 40, 0 for
        all) from page N (default 1), only rows naming TEXT (a substring, any
        case, or a glob with * ? [) when filtered.
    hb-tap --config FILE --list-instruments
        Every instrument of every enabled venue, one JSON object a line:
        {"venue":"alpha","symbol":"BTC-USD","asset":"BTC","kind":"spot"}
    hb-tap --config FILE --send-order VENUE SYMBOL buy|sell QTY [--limit PX]
           --client-id ID [--from COMPONENT] [--timeout-ms MS] [--cancel-after-ms MS]
        Sends one order (market, or limit IOC with --limit) from COMPONENT
        (default console) once the feed can hear it, and prints the order and
        its acks and fills as JSON lines until a final ack. With
        --cancel-after-ms (and --limit) the order is a GTC limit, and its
        cancel (by client id) is sent MS after the venue accepted it if it
        is still working. Exit 0 when done or canceled, 4 when rejected, 1
        on timeout.

    hb-tap --in DIR [--topic PREFIX ...]
        Prints a recording (hb-record) as JSON lines, each with its "recv_ts"
        first; the recorder's gap and restart records as lines of their own
        ({"recv_ts":..,"topic":"rec.gap",...}). Damaged segments are reported
        on stderr and skipped from their first bad record on; exit 0.
    hb-tap --in DIR --latency [--latency-json]
        Each decision's latency in a recording (hb_latency.h: risk, input ->
        risk.hedge; hedger, risk.hedge -> order; total, input -> order), from
        the inputs each names: the summary (count, p50, p99, max in us, a line
        a kind, and the unknown inputs); with --latency-json one JSON line a
        decision instead, {"id":..,"kind":..,"latency_us":..,
        "newest_input_topic":..,"newest_input_publisher":..,"unknown_inputs":..}.

    With CURVE endpoints (hb_curve.h) the bus modes use the certificate
    --key NAME: tap by default, COMPONENT with --send-order.

    Usage, config and key errors exit 2.                                    */
#include "hb_config.h"
#include "hb_curve.h"
#include "hb_console.h"
#include "hb_latency.h"
#include "hb_recording_reader.h"
#include "hb_log.h"
#include "hb_service.h"
#include "hb_summary.h"
#include "hb_tap.h"
#include "hb_time.h"

#include <czmq.h>
#include <string.h>
#include <unistd.h>

#define S_MAX_TOPICS 32

#define S_USAGE \
    "--config FILE [--topic PREFIX ...] [--count N] [--timeout-ms MS]\n" \
    "       hb-tap --config FILE --summary [--interval-ms MS] [--timeout-ms MS]\n" \
    "              [--filter TEXT] [--rows N] [--page N]\n" \
    "       hb-tap --config FILE --list-instruments\n" \
    "       hb-tap --in DIR [--topic PREFIX ...]\n" \
    "       hb-tap --in DIR --latency [--latency-json]\n" \
    "       hb-tap --config FILE --send-order VENUE SYMBOL buy|sell QTY [--limit PX]\n" \
    "              --client-id ID [--from COMPONENT] [--timeout-ms MS] [--cancel-after-ms MS]\n" \
    "       --key NAME: the CURVE certificate (default tap, or COMPONENT with --send-order)"

//  A bad value or combination: says why, exit 2
static int
s_usage (const char *why)
{
    fprintf (stderr, "hb-tap: %s\n", why);
    return 2;
}

//  A bad option value: -1 for the service (exit 2)
static int
s_bad (const char *why)
{
    s_usage (why);
    return -1;
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

//  The compact view's settings: --summary, --filter, --rows, --page
typedef struct {
    bool        summary;
    const char *filter;
    int         rows, page;
} s_view_t;

//  Taps (or summarizes) until count messages, the deadline or a signal.
static int
s_tap (hb_service_t *service, const hb_config_t *config, const char **topics, int n_topics, uint64_t count,
       int timeout_ms, const s_view_t *view, int interval_ms)
{
    hb_tap_t *tap = hb_tap_new (config, stdout);
    hb_summary_t *summary = view->summary ? hb_summary_new (config) : NULL;
    if (!tap || (view->summary && !summary)) {
        hb_summary_destroy (&summary);
        hb_tap_destroy (&tap);
        return 1;
    }
    if (summary) {
        hb_summary_set_filter (summary, view->filter);
        hb_summary_set_rows (summary, view->rows);
        hb_summary_scroll (summary, HB_SUMMARY_PANELS, (view->page - 1) * view->rows);
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
    //  subscribed first, then asked: the instruments the feeds discovered
    //  before this view started (docs/PROTOCOL.md, instrument)
    if (summary)
        hb_summary_fetch_instruments (summary, 2000);
    bool tty = isatty (STDOUT_FILENO);
    if (interval_ms <= 0)               //  a redraw a second on a screen; a log gets a block every 5 s
        interval_ms = tty ? 1000 : 5000;
    int64_t deadline = timeout_ms > 0 ? hb_mono_ns () + (int64_t) timeout_ms * HB_NS_PER_MS : 0;
    int64_t next_render = hb_mono_ns ();
    uint64_t printed = 0;
    while (!hb_service_signalled (service) && (count == 0 || printed < count)) {
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

//  Each decision's latency in a recording: the summary, or (json) a line
//  a decision. Every topic is read: an input left out would be unknown.
static int
s_latency_recording (const char *dir, bool json)
{
    hb_recording_reader_t *reader = hb_recording_reader_new (dir);
    hb_latency_t *latency = hb_latency_new (0, 0);
    if (!reader || !latency) {
        hb_latency_destroy (&latency);
        hb_recording_reader_destroy (&reader);
        return 1;
    }
    static hb_msg_t msg;
    hb_record_t record;
    uint64_t malformed = 0;
    while (hb_recording_reader_next (reader, &record) == 1) {
        if (strncmp (record.topic, "rec.", 4) == 0)
            continue;                   //  the recorder's own gap and restart records
        if (hb_msg_decode (&msg, record.payload, record.size, NULL) != 0) {
            malformed++;
            continue;
        }
        hb_latency_decision_t decisions [2];
        int n = hb_latency_add (latency, record.topic, &msg, decisions);
        for (int i = 0; i < n && json; i++) {
            char line [512];
            hb_latency_to_json (&decisions [i], line, sizeof line);
            puts (line);
        }
    }
    if (!json)
        hb_latency_render (latency, stdout);
    if (malformed)
        hb_warn ("%s: %llu records do not decode: left out", dir, (unsigned long long) malformed);
    hb_latency_destroy (&latency);
    hb_recording_reader_destroy (&reader);
    return 0;
}

static int
s_send_order (const hb_config_t *config, const char *from, const char *venue,
              char **args, double limit, const char *client_id, int timeout_ms,
              int cancel_after_ms)
{
    hb_order_t order = { .tif = cancel_after_ms >= 0 ? HB_TIF_GTC : HB_TIF_IOC };
    if (cancel_after_ms >= 0 && !(limit > 0))
        return s_usage ("--cancel-after-ms needs --limit PX (a GTC limit order)");
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
                                   timeout_ms - used > 100 ? timeout_ms - used : 100, cancel_after_ms);
    }
    hb_console_destroy (&console);
    return status == HB_ACK_DONE || status == HB_ACK_CANCELED ? 0
         : status == HB_ACK_REJECTED ? 4 : 1;
}

typedef struct {
    const char *order_venue, *client_id, *from, *in, *key;
    const char *topics [S_MAX_TOPICS];
    int         n_topics, timeout_ms, interval_ms;
    int         cancel_after_ms;    //  -1: no cancel (an IOC order)
    uint64_t    count;
    double      limit;
    s_view_t    view;
    bool        list, latency, latency_json;
    char      **order_args;         //  SYMBOL buy|sell QTY
} s_state_t;

static int
s_option (void *arg, const char *name, const char *text)
{
    s_state_t *state = (s_state_t *) arg;
    double value;
    if (strcmp (name, "topic") == 0) {
        if (state->n_topics == S_MAX_TOPICS)
            return s_bad ("too many --topic");
        state->topics [state->n_topics++] = text;
    }
    else
    if (strcmp (name, "count") == 0) {
        if (!s_number (text, &value) || value < 1)
            return s_bad ("--count: expected a number >= 1");
        state->count = (uint64_t) value;
    }
    else
    if (strcmp (name, "timeout-ms") == 0) {
        if (!s_number (text, &value) || value < 1 || value > 1e9)
            return s_bad ("--timeout-ms: expected a number of ms >= 1");
        state->timeout_ms = (int) value;
    }
    else
    if (strcmp (name, "cancel-after-ms") == 0) {
        if (!s_number (text, &value) || value < 0 || value > 1e9)
            return s_bad ("--cancel-after-ms: expected a number of ms >= 0");
        state->cancel_after_ms = (int) value;
    }
    else
    if (strcmp (name, "interval-ms") == 0) {
        if (!s_number (text, &value) || value < 10 || value > 1e7)
            return s_bad ("--interval-ms: expected a number of ms >= 10");
        state->interval_ms = (int) value;
    }
    else
    if (strcmp (name, "limit") == 0) {
        if (!s_number (text, &state->limit) || !(state->limit > 0))
            return s_bad ("--limit: expected a price > 0");
    }
    else
    if (strcmp (name, "rows") == 0) {
        if (!s_number (text, &value) || value < 0 || value > 1e6 || value != (int) value)
            return s_bad ("--rows: expected a number of rows a panel >= 0 (0: all)");
        state->view.rows = (int) value;
    }
    else
    if (strcmp (name, "page") == 0) {
        if (!s_number (text, &value) || value < 1 || value > 1e6 || value != (int) value)
            return s_bad ("--page: expected a page number >= 1");
        state->view.page = (int) value;
    }
    else
    if (strcmp (name, "summary") == 0)          state->view.summary = true;
    else if (strcmp (name, "filter") == 0)      state->view.filter = text;
    else if (strcmp (name, "latency") == 0)     state->latency = true;
    else if (strcmp (name, "latency-json") == 0) state->latency = state->latency_json = true;
    else if (strcmp (name, "list-instruments") == 0) state->list = true;
    else if (strcmp (name, "send-order") == 0)  state->order_venue = text;
    else if (strcmp (name, "client-id") == 0)   state->client_id = text;
    else if (strcmp (name, "from") == 0)        state->from = text;
    else if (strcmp (name, "in") == 0)          state->in = text;
    else                                        state->key = text;      //  key
    return 0;
}

static int
s_args (void *arg, int argc, char **argv)
{
    s_state_t *state = (s_state_t *) arg;
    if (state->order_venue ? argc != 3 : argc != 0) {
        s_usage (state->order_venue ? "--send-order VENUE needs SYMBOL buy|sell QTY"
                                    : "unexpected argument");
        return -1;
    }
    state->order_args = argv;
    return 0;
}

//  The CURVE certificate: --key, else the console's COMPONENT (it binds
//  that component's endpoint), else tap
static const char *
s_name (void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    return state->key ? state->key : state->order_venue ? state->from : "tap";
}

//  The modes that need no bus
static int
s_setup (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    const hb_config_t *config = hb_service_config (service);
    if ((state->view.filter || state->view.page > 1) && !state->view.summary)
        return s_usage ("--filter and --page are for --summary");
    if (state->latency && (!state->in || state->n_topics > 0))
        return s_usage ("--latency reads a recording (--in DIR), every topic of it (no --topic)");
    if (state->in && state->latency)
        return s_latency_recording (state->in, state->latency_json);
    if (state->in)
        return s_print_recording (state->in, state->topics, state->n_topics);
    if (!config) {
        fprintf (stderr, "hb-tap: --config is required\nusage: hb-tap " S_USAGE "\n");
        return 2;
    }
    if (state->list) {
        s_list_instruments (config);
        return 0;
    }
    setvbuf (stdout, NULL, _IOLBF, 0);
    return -1;
}

static int
s_run (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    const hb_config_t *config = hb_service_config (service);
    return state->order_venue
         ? s_send_order (config, state->from, state->order_venue, state->order_args, state->limit,
                         state->client_id, state->timeout_ms > 0 ? state->timeout_ms : 10000,
                         state->cancel_after_ms)
         : s_tap (service, config, state->topics, state->n_topics, state->count,
                  state->timeout_ms, &state->view, state->interval_ms);
}

int
main (int argc, char *argv [])
{
    static const hb_service_option_t options [] = {
        { "topic", "PREFIX" }, { "count", "N" }, { "timeout-ms", "MS" }, { "summary", NULL },
        { "interval-ms", "MS" }, { "list-instruments", NULL }, { "send-order", "VENUE" },
        { "limit", "PX" }, { "client-id", "ID" }, { "from", "COMPONENT" }, { "in", "DIR" },
        { "key", "NAME" }, { "latency", NULL }, { "latency-json", NULL }, { "filter", "TEXT" },
        { "rows", "N" }, { "page", "N" }, { "cancel-after-ms", "MS" }, { NULL }
    };
    static s_state_t state = { .from = "console", .view = { .rows = HB_SUMMARY_ROWS, .page = 1 },
                               .cancel_after_ms = -1 };
    static const hb_service_def_t def = {
        .program   = "hb-tap",
        .usage     = S_USAGE,
        .config_optional = true,            //  not with --in; the others check
        .warn_only = true,
        .options   = options,
        .option    = s_option,
        .args      = s_args,
        .name      = s_name,
        .setup     = s_setup,
        .run       = s_run,
        .state     = &state,
    };
    return hb_service_main (&def, argc, argv);
}
