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
#include "hb_curve.h"
#include "hb_log.h"
#include "hb_recording_reader.h"
#include "hb_replayer.h"

#include <czmq.h>
#include <getopt.h>
#include <signal.h>

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
        fprintf (stderr, "hb-replay: %s\n", why);
    fprintf (stderr,
        "usage: hb-replay --in DIR (--endpoint EP | --config FILE --as NAME)\n"
        "                 [--from TIME] [--to TIME] [--speed X | --max] [--topic PREFIX ...]\n"
        "                 [--wait-ms MS] [--log-level L] [--key NAME]\n"
        "TIME: ns since the epoch, ISO-8601 UTC, or +SECONDS after the recording's start\n");
    return 2;
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

int
main (int argc, char *argv [])
{
    static const struct option options [] = {
        { "in",        required_argument, NULL, 'i' },
        { "endpoint",  required_argument, NULL, 'e' },
        { "config",    required_argument, NULL, 'c' },
        { "as",        required_argument, NULL, 'a' },
        { "from",      required_argument, NULL, 'f' },
        { "to",        required_argument, NULL, 'u' },
        { "speed",     required_argument, NULL, 's' },
        { "max",       no_argument,       NULL, 'M' },
        { "topic",     required_argument, NULL, 't' },
        { "wait-ms",   required_argument, NULL, 'w' },
        { "log-level", required_argument, NULL, 'l' },
        { "key",       required_argument, NULL, 'k' },
        { "help",      no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *in = NULL, *endpoint = NULL, *config_path = NULL, *as = NULL;
    const char *from_text = NULL, *to_text = NULL, *level_text = NULL, *key = NULL;
    const char *topics [S_MAX_TOPICS];
    int n_topics = 0, wait_ms = 10000;
    double speed = 1;
    bool flat_out = false;
    char *end;
    int opt;
    while ((opt = getopt_long (argc, argv, "i:e:c:a:f:u:s:Mt:w:l:k:h", options, NULL)) != -1) {
        switch (opt) {
            case 'i': in = optarg; break;
            case 'e': endpoint = optarg; break;
            case 'c': config_path = optarg; break;
            case 'a': as = optarg; break;
            case 'f': from_text = optarg; break;
            case 'u': to_text = optarg; break;
            case 's':
                speed = strtod (optarg, &end);
                if (end == optarg || *end || !(speed > 0) || speed > 1e6)
                    return s_usage ("--speed: expected a factor > 0");
                break;
            case 'M': flat_out = true; break;
            case 't':
                if (n_topics == S_MAX_TOPICS)
                    return s_usage ("too many --topic");
                topics [n_topics++] = optarg;
                break;
            case 'w':
                wait_ms = (int) strtol (optarg, &end, 10);
                if (end == optarg || *end || wait_ms < 1)
                    return s_usage ("--wait-ms: expected ms >= 1");
                break;
            case 'l': level_text = optarg; break;
            case 'k': key = optarg; break;
            case 'h': s_usage (NULL); return 0;
            default:  return s_usage (NULL);
        }
    }
    if (!in)
        return s_usage ("--in is required");
    if (!endpoint == !(config_path && as) || (endpoint && (config_path || as)))
        return s_usage ("give --endpoint EP, or --config FILE with --as NAME");
    if (optind != argc)
        return s_usage ("unexpected argument");
    hb_log_level_t level = HB_LOG_INFO;
    if (level_text && hb_log_level_parse (level_text, &level))
        return s_usage ("--log-level: expected error, warn, info or debug");
    hb_log_init ("replay", level);

    hb_config_t *config = NULL;
    if (config_path) {
        config = hb_config_load (config_path);
        if (!config)
            return 2;
        endpoint = s_endpoint_of (config, as);
        if (!endpoint) {
            hb_error ("--as %s: no venue or component of that name with an endpoint in %s",
                      as, config_path);
            hb_config_destroy (&config);
            return 2;
        }
        //  standing in for NAME: its clients expect its certificate
        char owner [HB_KEY_NAME_MAX];
        snprintf (owner, sizeof owner, hb_config_venue (config, as) ? "feed.%s" : "%s", as);
        if (hb_curve_start (config, key ? key : owner) != 0) {
            hb_config_destroy (&config);
            return 2;
        }
    }
    hb_recording_reader_t *reader = hb_recording_reader_new (in);
    int64_t start = reader ? hb_recording_reader_start (reader) : 0;
    hb_replay_opts_t opts = { .from = INT64_MIN, .to = INT64_MAX,
                              .speed = flat_out ? 0 : speed,
                              .topics = topics, .n_topics = n_topics, .stop = &s_stop };
    int rc = reader ? 0 : 1;
    if (rc == 0 && ((from_text && hb_recording_parse_time (from_text, start, &opts.from))
                ||  (to_text && hb_recording_parse_time (to_text, start, &opts.to))))
        rc = s_usage ("--from/--to: expected ns, ISO-8601 UTC (…Z) or +SECONDS");
    zsys_handler_set (NULL);
    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = s_on_signal;
    sigemptyset (&action.sa_mask);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);

    hb_replayer_t *replayer = rc == 0 ? hb_replayer_new (endpoint, 0) : NULL;
    if (rc == 0 && !replayer)
        rc = 1;
    if (rc == 0 && hb_replayer_wait_subscriber (replayer, n_topics >= 1 ? topics [0] : "", wait_ms)) {
        hb_error ("no subscriber on %s within %d ms", endpoint, wait_ms);
        rc = 1;
    }
    if (rc == 0) {
        int64_t sent = hb_replayer_run (replayer, reader, &opts);
        if (sent < 0)
            rc = 1;
        else
            hb_info ("replayed %lld messages from %s (%llu damaged segments skipped)",
                     (long long) sent, in,
                     (unsigned long long) hb_recording_reader_damaged (reader));
    }
    hb_replayer_destroy (&replayer);
    hb_recording_reader_destroy (&reader);
    hb_config_destroy (&config);
    return rc;
}
