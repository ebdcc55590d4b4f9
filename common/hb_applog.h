/*  hb_applog: the order in which a deciding process (hb-risk, hb-hedger)
    applied its inputs, as the recorded fact that makes a replay exact
    (docs/OPERATIONS.md, Replay and determinism; the LMAX / Aeron Cluster
    pattern: determinism by sequence, not by waiting).

    A process decides on each input as it arrives. What it decides is a
    function of its state and of the sequence of things it applied: bus
    messages, its timers (with the clock value they ran at) and what it read
    from outside the bus (a snapshot reply, a restored checkpoint). This
    class writes that sequence as entries, batched into seq.<publisher>
    messages on the process's own publisher, so hb-record captures it beside
    the messages themselves; a replay (record/hb_applog_reader.h) feeds a
    fresh engine the same entries and gets the same decisions, bit for bit.

    Entries (little-endian, packed; a batch never splits one):
      KEY   u8 1, u32 key, u64 epoch, u8 n, topic[n], u8 m, publisher[m]
            (once per (topic, publisher, epoch) in a life: later inputs
            name the key)
      IN    u8 2, u32 key, u64 seq, i64 t, u8 status (hb_seq_status_t)
      TIMER u8 3, u8 timer, i64 t
      BLOB  u8 4, u8 kind, i64 t, u16 n, bytes[n]
    t is the process's clock when it applied the entry (wall ns): the engine
    takes it as "now", so a replay sees the same clock.

    The rule that makes the log sufficient: hb_applog_flush before anything
    the process publishes as a decision. Entries applied since the last
    flush and lost in a crash changed nothing anyone saw.

    Nothing allocates per entry once a key is known.                     */
#ifndef HB_APPLOG_H
#define HB_APPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_msg.h"

#define HB_APPLOG_KEY       1
#define HB_APPLOG_IN        2
#define HB_APPLOG_TIMER     3
#define HB_APPLOG_BLOB      4

//  The largest blob one entry carries (a batch of one BLOB entry)
#define HB_APPLOG_BLOB_MAX  (HB_APPLOG_DATA_MAX - 12)

typedef struct _hb_applog_t hb_applog_t;

//  Publishes one batch (msg: type HB_MSG_APPLOG, body filled) on topic
//  seq.<publisher> (hb_pub_send stamps the envelope after choosing the
//  topic, so name it: hb_msg_topic needs the publisher). 0 or -1.
typedef int (hb_applog_send_fn) (hb_msg_t *msg, void *arg);

//  A log whose batches go through send. NULL on out of memory.
hb_applog_t *hb_applog_new (hb_applog_send_fn *send, void *arg);

//  NULL-safe; nulls *self_p. Does not flush.
void hb_applog_destroy (hb_applog_t **self_p);

//  The message on topic with envelope env was applied at t with seq status
//  status. 0, or -1 when a batch could not be sent (counted).
int hb_applog_input (hb_applog_t *self, const char *topic, const hb_env_t *env, uint8_t status,
                     int64_t t);

//  The process's timer (its own numbering, 0..255) ran at t.
int hb_applog_timer (hb_applog_t *self, uint8_t timer, int64_t t);

//  Something read from outside the bus, applied at t (size <=
//  HB_APPLOG_BLOB_MAX; -1 otherwise).
int hb_applog_blob (hb_applog_t *self, uint8_t kind, int64_t t, const void *data, size_t size);

//  Publishes the entries not sent yet, if any. 0, or -1 (counted).
int hb_applog_flush (hb_applog_t *self);

//  While held, batches wait in memory (at most HB_APPLOG_HOLD_MAX, in
//  order; beyond that a batch is lost, counted): a process starts held
//  until the recorder's subscription has arrived (a PUB socket drops what
//  is sent before it), so the log is whole from its first entry.
//  Releasing sends what waited. 0, or -1 when a batch could not be sent.
#define HB_APPLOG_HOLD_MAX  4096
int hb_applog_hold (hb_applog_t *self, bool hold);

//  Entries written, and batches that could not be sent.
uint64_t hb_applog_entries (const hb_applog_t *self);
uint64_t hb_applog_errors (const hb_applog_t *self);

//  ---------------------------------------------------------------------------
//  Parsing a batch (for readers)

typedef struct {
    uint8_t  kind;                  //  HB_APPLOG_*
    uint32_t key;                   //  KEY, IN
    uint64_t epoch;                 //  KEY
    char     topic [HB_TOPIC_MAX];  //  KEY
    char     publisher [HB_NAME_MAX];   //  KEY
    uint64_t seq;                   //  IN
    uint8_t  status;                //  IN
    uint8_t  sub;                   //  TIMER: the timer; BLOB: the kind
    int64_t  t;                     //  IN, TIMER, BLOB
    const uint8_t *data;            //  BLOB: into the batch
    size_t   size;
} hb_applog_entry_t;

//  Parses the entry at *offset of batch, advancing *offset. 1 when one was
//  parsed, 0 at the end, -1 when the bytes are not an entry (the rest of
//  the batch cannot be trusted).
int hb_applog_parse (const hb_applog_msg_t *batch, size_t *offset, hb_applog_entry_t *entry);

#endif
