/*  hb-replay: a recording back onto the bus (hb_replayer.h).

    hb-replay --in DIR --endpoint EP [--from TIME] [--to TIME]
              [--speed X | --max] [--topic PREFIX ...] [--wait-ms MS]
    hb-replay --in DIR --config FILE --as NAME ...
        Binds EP (or the endpoint of venue or component NAME of the config,
        to stand in for that publisher: stop it first) and, once a
        subscriber has connected (up to MS, default 10000; exit 1 if none),
        publishes the recorded messages between TIME and TIME, in order, at X
        times the recorded pace (default 1) or flat out with --max. Payloads
        go out byte for byte: envelopes keep their original publisher, epoch
        and seq. TIME: ns since the epoch, ISO-8601 UTC
        (2026-11-21T05:14:17.5Z) or +SECONDS after the recording's start.
        Prints "replayed N" on stderr at info level; exit 0. Usage errors 2. */
#include "hb_config.h"
#include "hb_log.h"
#include "hb_recording_reader.h"
#include "hb_replayer.h"
#include "hb_service.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_TOPICS 32

typedef struct {
    const char *in, *endpoint, *as, *from_text, *to_text, *key;
    const char *topics [S_MAX_TOPICS];
    int         n_topics, wait_ms;
    double      speed;
    bool        flat_out;
    char        owner [HB_KEY_NAME_MAX];
} s_state_t;

static int
s_usage (const char *why)
{
    fprintf (stderr, "hb-replay: %s\n", why);
    return 2;
}

//  A bad option value: -1 for the service (exit 2)
static int
s_bad (const char *why)
{
    s_usage (why);
    return -1;
}

static int
s_option (void *arg, const char *name, const char *text)
{
    s_state_t *state = (s_state_t *) arg;
    char *end;
    if (strcmp (name, "speed") == 0) {
        state->speed = strtod (text, &end);
        if (end == text || *end || !(state->speed > 0) || state->speed > 1e6)
            return s_bad ("--speed: expected a factor > 0");
    }
    else
    if (strcmp (name, "topic") == 0) {
        if (state->n_topics == S_MAX_TOPICS)
            return s_bad ("too many --topic");
        state->topics [state->n_topics++] = text;
    }
    else
    if (strcmp (name, "wait-ms") == 0) {
        state->wait_ms = (int) strtol (text, &end, 10);
        if (end == text || *end || state->wait_ms < 1)
            return s_bad ("--wait-ms: expected ms >= 1");
    }
    else if (strcmp (name, "in") == 0)          state->in = text;
    else if (strcmp (name, "endpoint") == 0)    state->endpoint = text;
    else if (strcmp (name, "as") == 0)          state->as = text;
    else if (strcmp (name, "from") == 0)        state->from_text = text;
    else if (strcmp (name, "to") == 0)          state->to_text = text;
    else if (strcmp (name, "max") == 0)         state->flat_out = true;
    else                                        state->key = text;      //  key
    return 0;
}

//  The endpoint of venue or component name in config, or NULL.
static const char *
s_endpoint_of (const hb_config_t *config, const char *name)
{
    for (int i = 0; i < config->n_venues; i++)
        if (strcmp (config->venues [i].name, name) == 0)
            return config->venues [i].endpoint;
    for (int i = 0; i < config->n_components; i++)
        if (strcmp (config->components [i].name, name) == 0 && config->components [i].endpoint [0])
            return config->components [i].endpoint;
    return NULL;
}

//  The endpoint, and the certificate of the publisher we stand in for
static int
s_setup (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    const hb_config_t *config = hb_service_config (service);
    if (!state->in)
        return s_usage ("--in is required");
    if (!state->endpoint == !(config && state->as) || (state->endpoint && (config || state->as)))
        return s_usage ("give --endpoint EP, or --config FILE with --as NAME");
    if (config) {
        state->endpoint = s_endpoint_of (config, state->as);
        if (!state->endpoint) {
            hb_error ("--as %s: no venue or component of that name with an endpoint in %s",
                      state->as, hb_service_config_path (service));
            return 2;
        }
        //  standing in for NAME: its clients expect its certificate
        snprintf (state->owner, sizeof state->owner,
                  hb_config_venue (config, state->as) ? "feed.%s" : "%s", state->as);
        hb_service_set_key (service, state->key ? state->key : state->owner);
    }
    return -1;
}

static int
s_run (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    hb_recording_reader_t *reader = hb_recording_reader_new (state->in);
    int64_t start = reader ? hb_recording_reader_start (reader) : 0;
    hb_replay_opts_t opts = { .from = INT64_MIN, .to = INT64_MAX,
                              .speed = state->flat_out ? 0 : state->speed,
                              .topics = state->topics, .n_topics = state->n_topics, .stop = hb_service_stop_flag (service) };
    int rc = reader ? 0 : 1;
    if (rc == 0 && ((state->from_text && hb_recording_parse_time (state->from_text, start, &opts.from))
                ||  (state->to_text && hb_recording_parse_time (state->to_text, start, &opts.to))))
        rc = s_usage ("--from/--to: expected ns, ISO-8601 UTC (…Z) or +SECONDS");
    hb_replayer_t *replayer = rc == 0 ? hb_replayer_new (state->endpoint, 0) : NULL;
    if (rc == 0 && !replayer)
        rc = 1;
    if (rc == 0 && hb_replayer_wait_subscriber (replayer, state->n_topics >= 1 ? state->topics [0] : "", state->wait_ms)) {
        hb_error ("no subscriber on %s within %d ms", state->endpoint, state->wait_ms);
        rc = 1;
    }
    if (rc == 0) {
        int64_t sent = hb_replayer_run (replayer, reader, &opts);
        if (sent < 0)
            rc = 1;
        else
            hb_info ("replayed %lld messages from %s (%llu damaged segments skipped)",
                     (long long) sent, state->in,
                     (unsigned long long) hb_recording_reader_damaged (reader));
    }
    hb_replayer_destroy (&replayer);
    hb_recording_reader_destroy (&reader);
    return rc;
}

int
main (int argc, char *argv [])
{
    static const hb_service_option_t options [] = {
        { "in", "DIR" }, { "endpoint", "EP" }, { "as", "NAME" }, { "from", "TIME" },
        { "to", "TIME" }, { "speed", "X" }, { "max", NULL }, { "topic", "PREFIX" },
        { "wait-ms", "MS" }, { "key", "NAME" }, { NULL }
    };
    static s_state_t state = { .wait_ms = 10000, .speed = 1 };
    static const hb_service_def_t def = {
        .program   = "hb-replay",
        .component = "replay",
        .usage     = "--in DIR (--endpoint EP | --config FILE --as NAME)\n"
                     "                 [--from TIME] [--to TIME] [--speed X | --max] [--topic PREFIX ...]\n"
                     "                 [--wait-ms MS] [--log-level L] [--key NAME]",
        .help      = "TIME: ns since the epoch, ISO-8601 UTC, or +SECONDS after the recording's start\n",
        .config_optional = true,
        .options   = options,
        .option    = s_option,
        .setup     = s_setup,
        .run       = s_run,
        .state     = &state,
    };
    return hb_service_main (&def, argc, argv);
}
