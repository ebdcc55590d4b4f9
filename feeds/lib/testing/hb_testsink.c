/*  hb_testsink: see hb_testsink.h.                                       */
#include "hb_testsink.h"

int
hb_testsink_emit (void *arg, hb_msg_t *msg)
{
    hb_testsink_t *self = (hb_testsink_t *) arg;
    if (self->n == HB_TESTSINK_MAX) {
        self->dropped++;
        return -1;
    }
    self->msgs [self->n++] = *msg;
    return 0;
}

void
hb_testsink_status (void *arg, uint32_t status)
{
    hb_testsink_t *self = (hb_testsink_t *) arg;
    self->status = status;
    self->statuses++;
}

const hb_msg_t *
hb_testsink_last (const hb_testsink_t *self, int type)
{
    for (int i = self->n - 1; i >= 0; i--)
        if (self->msgs [i].env.type == type)
            return &self->msgs [i];
    return NULL;
}
