/*  hb_testsink: where a venue class under test publishes (an hb_vpub
    emit and status pair, hl_emit_fn, cb/okx md and trade emits): every
    message kept in order, the status and how often it was set.
    Test-only code.                                                      */
#ifndef HB_TESTSINK_H
#define HB_TESTSINK_H

#include <stdint.h>
#include "hb_msg.h"

#define HB_TESTSINK_MAX 64

typedef struct {
    hb_msg_t msgs [HB_TESTSINK_MAX];    //  in emit order
    int      n;
    uint64_t dropped;                   //  emitted past HB_TESTSINK_MAX (refused)
    uint32_t status;                    //  the last status set
    int      statuses;                  //  how often it was set
} hb_testsink_t;

//  Emit functions with arg an hb_testsink_t: the message kept (0), or -1
//  when the sink is full.
int hb_testsink_emit (void *arg, hb_msg_t *msg);
void hb_testsink_status (void *arg, uint32_t status);

//  The last message of type kept, NULL when none.
const hb_msg_t *hb_testsink_last (const hb_testsink_t *self, int type);

#endif
