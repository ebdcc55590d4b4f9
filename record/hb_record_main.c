/*  hb-record: the bus into a recording (hb_recording.h, hb_recorder.h).

    hb-record --config FILE --out DIR [--topic PREFIX ...]
              [--fsync always|interval|never] [--fsync-ms MS]
              [--segment-mb N] [--segment-s N] [--batch N] [--timeout-ms MS]
              [--key NAME]
        Subscribes to every publisher of the config (each enabled venue and
        each component endpoint) and appends every message, with its receive
        time, to segments in DIR. Messages are written in batches: what zmq
        holds when the recorder wakes up, at most N (default 256; 1: one
        write per message), with one write per file before it waits again
        (and under --fsync always one fdatasync per batch before it takes
        the next message). Stops on SIGINT/SIGTERM (or after MS), syncs and
        exits 0. Usage and config errors exit 2, a recording that cannot be
        opened 1.                                                            */
#include "hb_config.h"
#include "hb_curve.h"
#include "hb_log.h"
#include "hb_recorder.h"
#include "hb_recording.h"
#include "hb_time.h"

#include <czmq.h>
#include <getopt.h>
#include <signal.h>

#define S_MAX_TOPICS 32
#define S_BATCH      256
//  Write buffer per segment when batching: 256 full-size messages fit.
#define S_BATCH_BYTES (1u << 20)

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
        fprintf (stderr, "hb-record: %s\n", why);
    fprintf (stderr,
        "usage: hb-record --config FILE --out DIR [--topic PREFIX ...]\n"
        "                 [--fsync always|interval|never] [--fsync-ms MS]\n"
        "                 [--segment-mb N] [--segment-s N] [--batch N] [--timeout-ms MS]\n"
        "                 [--log-level L] [--key NAME]\n");
    return 2;
}

static bool
s_number (const char *text, double min, double max, double *value)
{
    char *end;
    *value = strtod (text, &end);
    return end != text && *end == 0 && *value >= min && *value <= max;
}

int
main (int argc, char *argv [])
{
    static const struct option options [] = {
        { "config",     required_argument, NULL, 'c' },
        { "out",        required_argument, NULL, 'o' },
        { "topic",      required_argument, NULL, 't' },
        { "fsync",      required_argument, NULL, 'f' },
        { "fsync-ms",   required_argument, NULL, 'F' },
        { "segment-mb", required_argument, NULL, 'm' },
        { "segment-s",  required_argument, NULL, 's' },
        { "batch",      required_argument, NULL, 'b' },
        { "timeout-ms", required_argument, NULL, 'T' },
        { "log-level",  required_argument, NULL, 'l' },
        { "key",        required_argument, NULL, 'k' },
        { "help",       no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *config_path = NULL, *out = NULL, *level_text = NULL, *key = "record";
    const char *topics [S_MAX_TOPICS];
    int n_topics = 0, timeout_ms = 0, batch = S_BATCH;
    hb_recording_opts_t opts = { .policy = HB_JOURNAL_FSYNC_INTERVAL, .interval_ms = 1000 };
    double value;
    int opt;
    while ((opt = getopt_long (argc, argv, "c:o:t:f:F:m:s:b:T:l:k:h", options, NULL)) != -1) {
        switch (opt) {
            case 'c': config_path = optarg; break;
            case 'o': out = optarg; break;
            case 't':
                if (n_topics == S_MAX_TOPICS)
                    return s_usage ("too many --topic");
                topics [n_topics++] = optarg;
                break;
            case 'f':
                if (hb_journal_policy_parse (optarg, &opts.policy))
                    return s_usage ("--fsync: expected always, interval or never");
                break;
            case 'F':
                if (!s_number (optarg, 0, 3600000, &value))
                    return s_usage ("--fsync-ms: expected 0..3600000");
                opts.interval_ms = (int) value;
                break;
            case 'm':
                if (!s_number (optarg, 1, 4096, &value))
                    return s_usage ("--segment-mb: expected 1..4096");
                opts.segment_bytes = (uint64_t) (value * 1048576);
                break;
            case 's':
                if (!s_number (optarg, 0.001, 86400 * 7, &value))
                    return s_usage ("--segment-s: expected seconds > 0");
                opts.segment_ns = (int64_t) (value * 1e9);
                break;
            case 'b':
                if (!s_number (optarg, 1, 65536, &value) || value != (int) value)
                    return s_usage ("--batch: expected 1..65536 messages");
                batch = (int) value;
                break;
            case 'T':
                if (!s_number (optarg, 1, 1e9, &value))
                    return s_usage ("--timeout-ms: expected ms >= 1");
                timeout_ms = (int) value;
                break;
            case 'l': level_text = optarg; break;
            case 'k': key = optarg; break;
            case 'h': s_usage (NULL); return 0;
            default:  return s_usage (NULL);
        }
    }
    if (!config_path || !out)
        return s_usage ("--config and --out are required");
    if (optind != argc)
        return s_usage ("unexpected argument");
    hb_log_level_t level = HB_LOG_INFO;
    if (level_text && hb_log_level_parse (level_text, &level))
        return s_usage ("--log-level: expected error, warn, info or debug");
    hb_log_init ("record", level);
    //  A batch of one is today's path exactly: each message written (and
    //  synced, per policy) before the next is taken.
    opts.batch_bytes = batch > 1 ? S_BATCH_BYTES : 0;
    hb_config_t *config = hb_config_load (config_path);
    if (!config)
        return 2;
    zsys_handler_set (NULL);
    if (hb_curve_start (config, key) != 0) {
        hb_config_destroy (&config);
        return 2;
    }
    struct sigaction action;
    memset (&action, 0, sizeof action);
    action.sa_handler = s_on_signal;
    sigemptyset (&action.sa_mask);
    sigaction (SIGINT, &action, NULL);
    sigaction (SIGTERM, &action, NULL);

    //  A deep queue: a recorder behind a slow disk must not make reliable
    //  publishers block, and ticks are conflated by the publisher anyway.
    hb_recording_t *recording = hb_recording_new (out, &opts);
    hb_recorder_t *recorder = recording ? hb_recorder_new (recording, 100000) : NULL;
    int rc = recorder ? 0 : 1;
    if (recorder)
        hb_recorder_set_batch (recorder, (uint32_t) batch);
    for (int i = 0; i < n_topics && rc == 0; i++)
        rc = hb_recorder_subscribe (recorder, topics [i]) ? 1 : 0;
    if (rc == 0 && n_topics == 0)
        rc = hb_recorder_subscribe (recorder, "") ? 1 : 0;
    if (rc == 0 && hb_recorder_connect_all (recorder, config) < 0)
        rc = 1;
    if (rc == 0)
        hb_info ("recording into %s (fsync %s, batches of up to %d messages)", out,
                 hb_journal_policy_name (opts.policy), batch);
    int64_t deadline = timeout_ms ? hb_mono_ns () + (int64_t) timeout_ms * HB_NS_PER_MS : 0;
    int64_t next_sync = hb_mono_ns () + (int64_t) opts.interval_ms * HB_NS_PER_MS;
    while (rc == 0 && !s_stop) {
        int64_t now = hb_mono_ns ();
        if (deadline && now >= deadline)
            break;
        //  Under the interval policy a quiet bus still gets its last
        //  records synced on time.
        if (opts.policy == HB_JOURNAL_FSYNC_INTERVAL && now >= next_sync) {
            if (hb_recording_sync (recording) != 0)
                hb_error ("sync failed: %s", strerror (errno));
            next_sync = now + (int64_t) (opts.interval_ms > 0 ? opts.interval_ms : 1000) * HB_NS_PER_MS;
        }
        if (hb_recorder_poll (recorder, 200) < 0 && errno != EINTR) {
            hb_error ("bus: %s", zmq_strerror (errno));
            rc = 1;
        }
    }
    if (recorder) {
        hb_recorder_stats_t stats;
        hb_recorder_stats (recorder, &stats);
        hb_info ("%llu messages in %u segments, %llu gaps, %llu restarts, %llu malformed, "
                 "%llu write errors", (unsigned long long) stats.recorded,
                 hb_recording_segments (recording), (unsigned long long) stats.gaps,
                 (unsigned long long) stats.restarts, (unsigned long long) stats.decode_errors,
                 (unsigned long long) stats.write_errors);
    }
    hb_recorder_destroy (&recorder);
    hb_recording_destroy (&recording);     //  the final sync
    hb_config_destroy (&config);
    return rc;
}
