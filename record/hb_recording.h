/*  hb_recording: the writing side of a bus recording (hb-record).

    A recording is a directory of segments, each an hb_journal file (length
    + CRC-32C framing, see hb_journal.h) named

        seg-<first recv_ts, 19 digits>-<n, 6 digits>.hbr

    where n counts segments from 1 across the life of the directory (a new
    recorder in the same directory goes on after the highest n found), and
    the time is the receive time of the segment's first record, so a
    directory listing reads in time order. One record is

        i64 recv_ts (ns, little-endian) | u8 topic length | topic | payload

    with the payload the bytes received on the bus, untouched. Topics that
    start with "rec." are the recorder's own records (HB_RECORDING_GAP,
    HB_RECORDING_RESTART): a JSON object body, never published on replay.

    Beside each segment, seg-...-<n>.hbi is a sparse index, itself an
    hb_journal file (fsync policy never: it can always be rebuilt by a scan,
    and a reader that finds it damaged just scans), of entries
        'T' i64 ts | u64 offset | u64 record number       every N records or T ns
        'S' u64 epoch | u64 seq | u64 offset | u8 len publisher | u8 len topic
                                                        the first record of each
                                                        (publisher, topic) in the
                                                        segment, then every N-th
    The T entries let a reader start at --from without scanning the
    segments before it; the S entries find a publisher's seq.

    recv_ts is the recorder's wall clock, made non-decreasing (a clock step
    back repeats the last time), so record order is time order and the
    index by time is exact.                                                  */
#ifndef HB_RECORDING_H
#define HB_RECORDING_H

#include <stdint.h>
#include "hb_journal.h"
#include "hb_msg.h"

#define HB_RECORDING_GAP        "rec.gap"       //  {"publisher","topic","epoch","seq","missed"}
#define HB_RECORDING_RESTART    "rec.restart"   //  {"publisher","topic","epoch"}
#define HB_RECORDING_PREFIX     "rec."
//  Fixed part of a record: recv_ts + topic length.
#define HB_RECORDING_RECORD_HEAD 9
#define HB_RECORDING_INDEX_TIME 'T'
#define HB_RECORDING_INDEX_SEQ  'S'

typedef struct {
    hb_journal_policy_t policy;     //  for the segments (default ALWAYS: 0)
    int      interval_ms;           //  for HB_JOURNAL_FSYNC_INTERVAL
    uint64_t segment_bytes;         //  rotate before a segment would pass this (0: 64 MiB)
    int64_t  segment_ns;            //  rotate when the segment's first record is this old (0: 1 h)
    uint32_t index_records;         //  an index point every this many records (0: 1000)
    int64_t  index_ns;              //  ... or this many ns since the last one (0: 1 s)
    //  0: every append is written (and synced, per policy) before it
    //  returns. > 0: batching, a write buffer of this many bytes per
    //  segment: appends are written by hb_recording_flush (or when the
    //  buffer is full, at rotation, sync and destroy), with one write per
    //  file, segment before index, and the policy applies per flush.
    size_t   batch_bytes;
} hb_recording_opts_t;

typedef struct _hb_recording_t hb_recording_t;

//  Opens a recording in dir (created if missing, with its parents). opts may
//  be NULL for the defaults. No segment is created until the first append.
//  Returns NULL (logged) when the directory cannot be created or listed.
hb_recording_t *hb_recording_new (const char *dir, const hb_recording_opts_t *opts);

//  Closes the current segment (synced, whatever the policy) and frees.
//  NULL-safe; nulls the caller's pointer.
void hb_recording_destroy (hb_recording_t **self_p);

//  Appends one record received at recv_ts (see above for the clamp) on
//  topic (1..HB_TOPIC_MAX-1 bytes) with size payload bytes. env, when not
//  NULL, is the decoded envelope of the payload and feeds the seq index.
//  Rotates first when the size or age limit says so. No allocation except
//  for a new segment or a new (publisher, topic) in the segment.
//  Returns 0, or -1 with errno: EINVAL (topic empty or too long), EMSGSIZE
//  (record over HB_JOURNAL_MAX_RECORD), or the errno of the segment's
//  journal (see hb_journal_append; a new segment is tried on the next call).
//  Batching: 0 means accepted into the batch; an append that has to write
//  the batch (full buffer, rotation, index) and fails drops the batch's
//  earlier records too (counted by hb_recording_lost), and the segment is
//  closed: the next append starts a new one.
int hb_recording_append (hb_recording_t *self, int64_t recv_ts, const char *topic,
                         const void *payload, size_t size, const hb_env_t *env);

//  Batching: writes the batch, segment then index, each with one write,
//  and applies the sync policy to the segment (always: fdatasync before it
//  returns). Without batching, or nothing pending: no system call.
//  Returns 0, or -1 with errno of the failed write or sync: the batch is
//  dropped (hb_recording_lost) and the segment closed, as for append.
int hb_recording_flush (hb_recording_t *self);

//  Writes the batch, then makes the current segment durable now (the
//  interval policy's timer). 0 or -1 with errno.
int hb_recording_sync (hb_recording_t *self);

//  Records in the recording (written or in the batch), segments created by
//  this recorder.
uint64_t hb_recording_count (hb_recording_t *self);
uint32_t hb_recording_segments (hb_recording_t *self);

//  Records whose append returned 0 but whose batch write later failed (so
//  they are not in the recording). Always 0 without batching.
uint64_t hb_recording_lost (hb_recording_t *self);

//  Segment file names: writes "seg-<ts>-<n>.<ext>" into out. Returns out.
char *hb_recording_segment_name (char *out, size_t size, int64_t first_ts,
                                 uint32_t n, const char *ext);

#endif
