/*  hb_recorder: the bus into a recording (the object behind hb-record).

    One subscriber connected to publishers; every message received is
    appended with its receive time and its payload bytes exactly as they
    came (hb_sub_last_payload), stale ones included (they were on the bus).
    What the sequence check sees is written into the recording too, as a
    record of its own just before the message that revealed it:
        rec.gap      {"publisher":"feed.alpha","topic":"tick...","epoch":E,"seq":S,"missed":N}
        rec.restart  {"publisher":"feed.alpha","topic":"tick...","epoch":E}
    Malformed messages are counted (hb_sub logs them) and not recorded.     */
#ifndef HB_RECORDER_H
#define HB_RECORDER_H

#include <stdint.h>
#include "hb_config.h"
#include "hb_recording.h"

typedef struct _hb_recorder_t hb_recorder_t;

typedef struct {
    uint64_t recorded;          //  bus messages appended
    uint64_t events;            //  rec.* records appended
    uint64_t gaps;
    uint64_t restarts;
    uint64_t decode_errors;
    uint64_t write_errors;      //  records lost from the recording: appends that failed,
                                //  and the records of a batch whose write failed (those
                                //  messages were counted in recorded when taken)
} hb_recorder_stats_t;

//  A recorder writing into recording (not owned; must outlive it). rcvhwm as
//  for hb_sub_new. NULL on failure.
hb_recorder_t *hb_recorder_new (hb_recording_t *recording, int rcvhwm);
void hb_recorder_destroy (hb_recorder_t **self_p);

//  Subscribes to a prefix ("" for all). 0 or -1.
int hb_recorder_subscribe (hb_recorder_t *self, const char *prefix);

//  Connects to one endpoint. 0 or -1 (logged).
int hb_recorder_connect (hb_recorder_t *self, const char *endpoint);

//  Connects to every publisher of config: each enabled venue's endpoint and
//  every component endpoint. The number connected, or -1 (logged).
int hb_recorder_connect_all (hb_recorder_t *self, const hb_config_t *config);

//  At most max_messages per hb_recorder_poll (0 counts as 1, the default).
//  Worth more than 1 only with a batching recording (batch_bytes > 0):
//  then one poll costs one write per file instead of one per message.
void hb_recorder_set_batch (hb_recorder_t *self, uint32_t max_messages);

//  Waits up to timeout_ms (-1 forever) for a message, then takes what else
//  zmq already holds without waiting, up to the batch bound, appends them
//  all and flushes the recording (hb_recording_flush) before returning, so
//  no message waits in a buffer while the caller blocks. A crash loses the
//  messages taken in the current call and not yet flushed, as it loses
//  those still in zmq's queue.
//  Returns the number of messages recorded (0 when none came: timeout,
//  malformed or failed appends, counted), -1 when interrupted (EINTR) or
//  the context is gone before any message was taken.
int hb_recorder_poll (hb_recorder_t *self, int timeout_ms);

void hb_recorder_stats (hb_recorder_t *self, hb_recorder_stats_t *stats);

#endif
