/*  hb_applog_reader: a deciding process's application log read back from a
    recording, with each input resolved to the message it names, in the
    order the process applied them (common/hb_applog.h; docs/OPERATIONS.md,
    Replay and determinism). hb-risk --replay and hb-hedger --replay drive a
    fresh engine with it.

    Two passes over the recording: the first reads the seq.<publisher>
    batches of every life (epoch) of the process and the keys they define,
    the second keeps a copy of each message a key names. So a replay holds
    the recording's messages of the process's topics in memory (tens of MB
    for an hour of the demo deployment); a life whose log has a hole (a
    batch the recorder lost: its first does not follow on) or names a
    message the recording lacks is refused where it happens, never guessed
    around.                                                                */
#ifndef HB_APPLOG_READER_H
#define HB_APPLOG_READER_H

#include <stdint.h>
#include "hb_applog.h"
#include "hb_msg.h"

typedef struct _hb_applog_reader_t hb_applog_reader_t;

//  What hb_applog_reader_next hands out: a new life (epoch) of the process,
//  or one entry of its log with, for an input, the message it names.
#define HB_APPLOG_LIFE  0

typedef struct {
    uint8_t  kind;                  //  HB_APPLOG_LIFE, _IN, _TIMER, _BLOB
    uint64_t epoch;                 //  the life (the process's epoch)
    int64_t  t;                     //  when the process applied it
    char     topic [HB_TOPIC_MAX];  //  IN
    uint8_t  status;                //  IN: hb_seq_status_t as the process saw it
    const hb_msg_t *msg;            //  IN: the message (valid until the next call)
    uint8_t  sub;                   //  TIMER: the timer; BLOB: the kind
    const uint8_t *data;            //  BLOB (valid until the next call)
    size_t   size;
} hb_applog_item_t;

//  Reads the log of publisher (e.g. "risk") from the recording in dir.
//  NULL (logged) when dir cannot be read, or holds no log of publisher.
hb_applog_reader_t *hb_applog_reader_new (const char *dir, const char *publisher);

//  NULL-safe; nulls *self_p.
void hb_applog_reader_destroy (hb_applog_reader_t **self_p);

//  The next item: 1, 0 at the end, -1 (logged: which life, which entry,
//  what is missing) when the log cannot be followed further.
int hb_applog_reader_next (hb_applog_reader_t *self, hb_applog_item_t *item);

//  Lives and entries in the log, inputs resolved so far.
uint64_t hb_applog_reader_lives (const hb_applog_reader_t *self);
uint64_t hb_applog_reader_inputs (const hb_applog_reader_t *self);

#endif
