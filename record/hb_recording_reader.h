/*  hb_recording_reader: reads a recording (hb_recording.h) back, in order,
    across its segments.

    Segments are mapped read-only and never modified (unlike hb_journal_open,
    which truncates a torn tail: a reader may look at a recording that is
    still being written, or at evidence that must stay as it is). The
    framing is hb_journal's, checked here with hb_crc32c.

    Damage: a segment is read up to its first bad record (short header,
    length over the limit, short payload, CRC mismatch, or a record whose
    inner layout is wrong); the rest of it is skipped with a warning naming
    the file, the offset and the reason, counted, and reading goes on with
    the next segment. A file that is not a journal at all is skipped the
    same way. Nothing in a recording can crash the reader.                  */
#ifndef HB_RECORDING_READER_H
#define HB_RECORDING_READER_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_msg.h"

typedef struct {
    int64_t     recv_ts;
    char        topic [HB_TOPIC_MAX];
    const void *payload;            //  valid until the next call or destroy
    size_t      size;
    uint32_t    segment;            //  the segment's number n
    uint64_t    offset;             //  of the record's frame in the segment
} hb_record_t;

typedef struct _hb_recording_reader_t hb_recording_reader_t;

//  Lists the segments of dir (an empty directory is an empty recording).
//  Returns NULL (logged) when dir cannot be listed.
hb_recording_reader_t *hb_recording_reader_new (const char *dir);
void hb_recording_reader_destroy (hb_recording_reader_t **self_p);

//  Starts (again) at the first record with recv_ts >= from_ts: skips every
//  segment that starts after an earlier one that starts at or before it,
//  and in the segment found starts at the last index point at or before
//  from_ts (a missing or damaged index means a scan from the start of that
//  segment). INT64_MIN rewinds to the beginning. Returns 0.
int hb_recording_reader_seek (hb_recording_reader_t *self, int64_t from_ts);

//  The next record: 1 and *record filled, or 0 at the end of the recording.
int hb_recording_reader_next (hb_recording_reader_t *self, hb_record_t *record);

//  Receive time of the first record (from the first segment's name), or 0
//  for an empty recording.
int64_t hb_recording_reader_start (hb_recording_reader_t *self);

//  Segments found damaged so far, and records examined (including those
//  skipped before a seek's from_ts): counters for reports and tests.
uint64_t hb_recording_reader_damaged (hb_recording_reader_t *self);
uint64_t hb_recording_reader_scanned (hb_recording_reader_t *self);

//  Looks up the seq index: the offset and segment of the last indexed
//  record of (publisher, topic, epoch) whose seq is <= seq. Returns 0, or
//  -1 when no index entry matches.
int hb_recording_reader_find_seq (hb_recording_reader_t *self, const char *publisher,
                                  const char *topic, uint64_t epoch, uint64_t seq,
                                  uint32_t *segment, uint64_t *offset);

//  One JSON line (no newline) for record: the message as hb_msg_to_json
//  writes it with "recv_ts" first, or for a recorder record ("rec.*") its
//  JSON body with "recv_ts" and "topic" first. scratch is a caller-owned
//  message to decode into. Returns the length, or -1 when the payload does
//  not decode (the line then says {"recv_ts":..,"topic":..,"event":"decode_error"}).
int hb_record_to_json (const hb_record_t *record, hb_msg_t *scratch, char *out, size_t size);

//  Parses TIME for --from/--to: ns since the epoch ("1790000000123456789"),
//  ISO-8601 UTC ("2026-11-21T05:14:17Z", fraction allowed), or "+S" seconds
//  (fraction allowed) after start. Returns 0, or -1 for anything else.
int hb_recording_parse_time (const char *text, int64_t start, int64_t *ts);

//  True when topic starts with one of the n prefixes (or n is 0).
bool hb_recording_topic_match (const char *topic, const char **prefixes, int n);

#endif
