/*  hb_seq: per-publisher sequence tracking on the subscriber side.

    Sequence numbers run per (publisher, epoch, topic): a subscriber that
    takes only some topics of a publisher must still be able to tell a lost
    message from one it never asked for. The epoch is the publisher's start
    time in wall ns, so a larger epoch is a restart and a smaller one is a
    late message from a previous life.                                        */
#ifndef HB_SEQ_H
#define HB_SEQ_H

#include "hb_msg.h"

typedef enum {
    HB_SEQ_OK = 0,          //  the next one in order
    HB_SEQ_FIRST,           //  first message seen from this (publisher, topic)
    HB_SEQ_GAP,             //  newer than expected: *missed messages were lost
    HB_SEQ_RESTART,         //  the publisher restarted (newer epoch)
    HB_SEQ_STALE            //  duplicate, older seq, or an older epoch: drop it
} hb_seq_status_t;

typedef struct _hb_seq_t hb_seq_t;

hb_seq_t *hb_seq_new (void);
void hb_seq_destroy (hb_seq_t **self_p);

//  Classifies env (received on topic) and records it as the latest when it
//  is not STALE. For GAP, *missed (if not NULL) is the number of lost
//  messages; otherwise it is set to 0.
hb_seq_status_t hb_seq_check (hb_seq_t *self, const char *topic,
                              const hb_env_t *env, uint64_t *missed);

//  Forgets everything (e.g. after a resubscribe).
void hb_seq_reset (hb_seq_t *self);

const char *hb_seq_status_name (hb_seq_status_t status);

#endif
