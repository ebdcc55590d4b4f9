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
#include "hb_log.h"
#include "hb_recorder.h"
#include "hb_recording.h"
#include "hb_recording_reader.h"
#include "hb_service.h"
#include "hb_time.h"

#include <czmq.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_TOPICS 32
#define S_BATCH      256
//  Write buffer per segment when batching: 256 full-size messages fit.
#define S_BATCH_BYTES (1u << 20)

typedef struct {
    const char *out, *key;
    const char *topics [S_MAX_TOPICS];
    int         n_topics, timeout_ms, batch;
    hb_recording_opts_t opts;
} s_state_t;

static int
s_bad (const char *why)
{
    fprintf (stderr, "hb-record: %s\n", why);
    return -1;
}

static bool
s_number (const char *text, double min, double max, double *value)
{
    char *end;
    *value = strtod (text, &end);
    return end != text && *end == 0 && *value >= min && *value <= max;
}

static int
s_option (void *arg, const char *name, const char *text)
{
    s_state_t *state = (s_state_t *) arg;
    double value;
    if (strcmp (name, "out") == 0)
        state->out = text;
    else
    if (strcmp (name, "key") == 0)
        state->key = text;
    else
    if (strcmp (name, "topic") == 0) {
        if (state->n_topics == S_MAX_TOPICS)
            return s_bad ("too many --topic");
        state->topics [state->n_topics++] = text;
    }
    else
    if (strcmp (name, "fsync") == 0) {
        if (hb_journal_policy_parse (text, &state->opts.policy))
            return s_bad ("--fsync: expected always, interval or never");
    }
    else
    if (strcmp (name, "fsync-ms") == 0) {
        if (!s_number (text, 0, 3600000, &value))
            return s_bad ("--fsync-ms: expected 0..3600000");
        state->opts.interval_ms = (int) value;
    }
    else
    if (strcmp (name, "segment-mb") == 0) {
        if (!s_number (text, 1, 4096, &value))
            return s_bad ("--segment-mb: expected 1..4096");
        state->opts.segment_bytes = (uint64_t) (value * 1048576);
    }
    else
    if (strcmp (name, "segment-s") == 0) {
        if (!s_number (text, 0.001, 86400 * 7, &value))
            return s_bad ("--segment-s: expected seconds > 0");
        state->opts.segment_ns = (int64_t) (value * 1e9);
    }
    else
    if (strcmp (name, "batch") == 0) {
        if (!s_number (text, 1, 65536, &value) || value != (int) value)
            return s_bad ("--batch: expected 1..65536 messages");
        state->batch = (int) value;
    }
    else {                          //  timeout-ms
        if (!s_number (text, 1, 1e9, &value))
            return s_bad ("--timeout-ms: expected ms >= 1");
        state->timeout_ms = (int) value;
    }
    return 0;
}

static const char *
s_name (void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    if (!state->out) {
        fprintf (stderr, "hb-record: --config and --out are required\n");
        return NULL;
    }
    return state->key ? state->key : "record";
}

static int
s_run (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    const hb_config_t *config = hb_service_config (service);
    //  A batch of one is today's path exactly: each message written (and
    //  synced, per policy) before the next is taken.
    state->opts.batch_bytes = state->batch > 1 ? S_BATCH_BYTES : 0;
    //  A deep queue: a recorder behind a slow disk must not make reliable
    //  publishers block, and ticks are conflated by the publisher anyway.
    hb_recording_t *recording = hb_recording_new (state->out, &state->opts);
    hb_recorder_t *recorder = recording ? hb_recorder_new (recording, 100000) : NULL;
    int rc = recorder ? 0 : 1;
    if (recorder)
        hb_recorder_set_batch (recorder, (uint32_t) state->batch);
    for (int i = 0; i < state->n_topics && rc == 0; i++)
        rc = hb_recorder_subscribe (recorder, state->topics [i]) ? 1 : 0;
    if (rc == 0 && state->n_topics == 0)
        rc = hb_recorder_subscribe (recorder, "") ? 1 : 0;
    //  and "seq." by name: a deciding process holds its application log
    //  until a subscription to exactly that arrives (a recorder is
    //  listening, not just any tap), so the recording has it from the start
    if (rc == 0 && (state->n_topics == 0 || hb_recording_topic_match ("seq.", (const char **) state->topics,
                                                                     state->n_topics)))
        rc = hb_recorder_subscribe (recorder, "seq.") ? 1 : 0;
    if (rc == 0 && hb_recorder_connect_all (recorder, config) < 0)
        rc = 1;
    if (rc == 0)
        hb_info ("recording into %s (fsync %s, batches of up to %d messages)", state->out,
                 hb_journal_policy_name (state->opts.policy), state->batch);
    int64_t deadline = state->timeout_ms ? hb_mono_ns () + (int64_t) state->timeout_ms * HB_NS_PER_MS : 0;
    int64_t next_sync = hb_mono_ns () + (int64_t) state->opts.interval_ms * HB_NS_PER_MS;
    while (rc == 0 && !hb_service_signalled (service)) {
        int64_t now = hb_mono_ns ();
        if (deadline && now >= deadline)
            break;
        //  Under the interval policy a quiet bus still gets its last
        //  records synced on time.
        if (state->opts.policy == HB_JOURNAL_FSYNC_INTERVAL && now >= next_sync) {
            if (hb_recording_sync (recording) != 0)
                hb_error ("sync failed: %s", strerror (errno));
            next_sync = now + (int64_t) (state->opts.interval_ms > 0 ? state->opts.interval_ms : 1000) * HB_NS_PER_MS;
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
    return rc;
}

int
main (int argc, char *argv [])
{
    static const hb_service_option_t options [] = {
        { "out", "DIR" }, { "topic", "PREFIX" }, { "fsync", "always|interval|never" },
        { "fsync-ms", "MS" }, { "segment-mb", "N" }, { "segment-s", "N" }, { "batch", "N" },
        { "timeout-ms", "MS" }, { "key", "NAME" }, { NULL }
    };
    static s_state_t state = {
        .batch = S_BATCH, .opts = { .policy = HB_JOURNAL_FSYNC_INTERVAL, .interval_ms = 1000 }
    };
    static const hb_service_def_t def = {
        .program   = "hb-record",
        .usage     = "--config FILE --out DIR [--topic PREFIX ...]\n"
                     "                 [--fsync always|interval|never] [--fsync-ms MS]\n"
                     "                 [--segment-mb N] [--segment-s N] [--batch N] [--timeout-ms MS]\n"
                     "                 [--log-level L] [--key NAME]",
        .options   = options,
        .option    = s_option,
        .name      = s_name,
        .run       = s_run,
        .state     = &state,
    };
    return hb_service_main (&def, argc, argv);
}
