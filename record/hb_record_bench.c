/*  hb_record_bench: hb-record's rate and hb-replay --max's rate against a
    bare ZeroMQ PUB/SUB pair with the same messages, in the same run.

    - bare: a publisher thread sends N topic + payload pairs (an encoded
      full-depth tick) on an XPUB with NODROP; the main thread receives
      them on a SUB with zmq_recv. Messages/s at the receiver.
    - record: the same publisher (a fresh seq per message) feeds an
      hb_recorder writing to an hb_recording in a temporary directory
      (fsync never: the disk's sync rate is not what is measured; segments
      of 64 MiB), as hb-record does by default (batches of up to 256
      messages, one write per batch) and with --batch 1 (one write per
      message). Messages/s recorded.
    - replay: hb_replayer_run at --max over that recording onto an XPUB,
      a SUB thread counting. Messages/s received.
    Ratios are against bare. Threads of one process, 2 cores: read ratios. */
#include "hb_log.h"
#include "hb_msg_sample.h"
#include "hb_recorder.h"
#include "hb_recording.h"
#include "hb_recording_reader.h"
#include "hb_replayer.h"
#include "hb_time.h"

#include <czmq.h>
#include <pthread.h>

#define S_COUNT 200000
#define S_ROUNDS 3

typedef struct {
    const char *endpoint;
    bool        restamp;            //  a new seq per message (for the recorder's seq check)
} s_pub_args_t;

static void *
s_publisher (void *arg)
{
    const s_pub_args_t *args = (const s_pub_args_t *) arg;
    zsock_t *xpub = zsock_new (ZMQ_XPUB);
    void *sock = zsock_resolve (xpub);
    int one = 1, hwm = 100000;
    zmq_setsockopt (sock, ZMQ_XPUB_NODROP, &one, sizeof one);
    zmq_setsockopt (sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_bind (sock, args->endpoint);
    char sub [64];
    zmq_recv (sock, sub, sizeof sub, 0);          //  the subscription has arrived
    hb_msg_t msg;
    hb_msg_sample (&msg, HB_MSG_SAMPLE_TICK);
    static hb_buf_t buf;
    hb_msg_encode (&msg, &buf);
    for (uint64_t i = 1; i <= S_COUNT; i++) {
        if (args->restamp) {
            msg.env.seq = i;
            hb_msg_encode (&msg, &buf);
        }
        zmq_send (sock, "tick.alpha.BTC-USD", 18, ZMQ_SNDMORE);
        zmq_send (sock, buf.data, buf.size, 0);
    }
    zclock_sleep (1000);                            //  linger 0: let it drain
    zsock_destroy (&xpub);
    return NULL;
}

static void *
s_counter (void *arg)
{
    const char *endpoint = (const char *) arg;
    zsock_t *sub = zsock_new_sub (endpoint, "");
    void *sock = zsock_resolve (sub);
    char topic [128];
    static uint8_t payload [HB_MSG_MAX_SIZE];
    for (int i = 0; i < S_COUNT; i++) {
        zmq_recv (sock, topic, sizeof topic, 0);
        zmq_recv (sock, payload, sizeof payload, 0);
    }
    zsock_destroy (&sub);
    return NULL;
}

static double
s_bare (const char *endpoint)
{
    s_pub_args_t args = { endpoint, false };
    zsock_t *sub = zsock_new_sub (endpoint, "");
    void *sock = zsock_resolve (sub);
    pthread_t thread;
    pthread_create (&thread, NULL, s_publisher, &args);
    char topic [128];
    static uint8_t payload [HB_MSG_MAX_SIZE];
    zmq_recv (sock, topic, sizeof topic, 0);
    zmq_recv (sock, payload, sizeof payload, 0);
    int64_t start = hb_mono_ns ();
    for (int i = 1; i < S_COUNT; i++) {
        zmq_recv (sock, topic, sizeof topic, 0);
        zmq_recv (sock, payload, sizeof payload, 0);
    }
    double rate = (S_COUNT - 1) / ((double) (hb_mono_ns () - start) / 1e9);
    pthread_join (thread, NULL);
    zsock_destroy (&sub);
    return rate;
}

//  hb-record --batch batch (its defaults otherwise).
static double
s_record (const char *endpoint, const char *dir, uint32_t batch)
{
    hb_recording_opts_t opts = {
        .policy = HB_JOURNAL_FSYNC_NEVER,
        .batch_bytes = batch > 1 ? 1u << 20 : 0
    };
    hb_recording_t *recording = hb_recording_new (dir, &opts);
    hb_recorder_t *recorder = hb_recorder_new (recording, 100000);
    hb_recorder_set_batch (recorder, batch);
    hb_recorder_subscribe (recorder, "");
    hb_recorder_connect (recorder, endpoint);
    s_pub_args_t args = { endpoint, true };
    pthread_t thread;
    pthread_create (&thread, NULL, s_publisher, &args);
    //  The clock starts after the first batch (the subscription's wait).
    int n = 0, rc;
    while ((n = hb_recorder_poll (recorder, 5000)) == 0)
        ;
    int64_t start = hb_mono_ns ();
    int first = n;
    while (n < S_COUNT && (rc = hb_recorder_poll (recorder, 5000)) > 0)
        n += rc;
    double rate = (n - first) / ((double) (hb_mono_ns () - start) / 1e9);
    pthread_join (thread, NULL);
    hb_recorder_destroy (&recorder);
    hb_recording_destroy (&recording);
    return rate;
}

static double
s_replay (const char *endpoint, const char *dir)
{
    hb_replayer_t *replayer = hb_replayer_new (endpoint, 100000);
    pthread_t thread;
    pthread_create (&thread, NULL, s_counter, (void *) endpoint);
    hb_replayer_wait_subscriber (replayer, "", 5000);
    hb_recording_reader_t *reader = hb_recording_reader_new (dir);
    hb_replay_opts_t opts = { .from = INT64_MIN, .to = INT64_MAX, .speed = 0 };
    int64_t start = hb_mono_ns ();
    int64_t sent = hb_replayer_run (replayer, reader, &opts);
    pthread_join (thread, NULL);          //  everything received
    double rate = (double) sent / ((double) (hb_mono_ns () - start) / 1e9);
    hb_recording_reader_destroy (&reader);
    hb_replayer_destroy (&replayer);
    return rate;
}

static int
s_compare (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

int
main (void)
{
    hb_log_init ("bench", HB_LOG_WARN);
    zsys_handler_set (NULL);
    char base [] = "/tmp/hb-rec-bench.XXXXXX";
    if (!mkdtemp (base))
        return 1;
    double bare [S_ROUNDS], record [S_ROUNDS], record1 [S_ROUNDS], replay [S_ROUNDS];
    for (int round = 0; round < S_ROUNDS; round++) {
        char endpoint [128], dir [128];
        snprintf (endpoint, sizeof endpoint, "ipc://%s/bare%d", base, round);
        bare [round] = s_bare (endpoint);
        snprintf (endpoint, sizeof endpoint, "ipc://%s/rec%d.ipc", base, round);
        snprintf (dir, sizeof dir, "%s/rec%d", base, round);
        record [round] = s_record (endpoint, dir, 256);
        snprintf (endpoint, sizeof endpoint, "ipc://%s/rec1-%d.ipc", base, round);
        char dir1 [160];
        snprintf (dir1, sizeof dir1, "%s/rec1-%d", base, round);
        record1 [round] = s_record (endpoint, dir1, 1);
        snprintf (endpoint, sizeof endpoint, "ipc://%s/replay%d.ipc", base, round);
        replay [round] = s_replay (endpoint, dir);
    }
    qsort (bare, S_ROUNDS, sizeof (double), s_compare);
    qsort (record, S_ROUNDS, sizeof (double), s_compare);
    qsort (record1, S_ROUNDS, sizeof (double), s_compare);
    qsort (replay, S_ROUNDS, sizeof (double), s_compare);
    double b = bare [S_ROUNDS / 2];
    printf ("   %d messages (full-depth tick), median of %d rounds\n", S_COUNT, S_ROUNDS);
    printf ("   bare PUB/SUB      %10.0f msg/s\n", b);
    printf ("   hb-record         %10.0f msg/s   %.2fx bare\n", record [S_ROUNDS / 2],
            record [S_ROUNDS / 2] / b);
    printf ("   hb-record --batch 1 %8.0f msg/s   %.2fx bare\n", record1 [S_ROUNDS / 2],
            record1 [S_ROUNDS / 2] / b);
    printf ("   hb-replay --max   %10.0f msg/s   %.2fx bare\n", replay [S_ROUNDS / 2],
            replay [S_ROUNDS / 2] / b);
    zdir_t *tree = zdir_new (base, NULL);
    if (tree) {
        zdir_remove (tree, true);
        zdir_destroy (&tree);
    }
    return 0;
}
