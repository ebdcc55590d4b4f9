/*  hb_feedxfer: see hb_feedxfer.h. */
#include "hb_feedxfer.h"
#include "hb_journal.h"
#include "hb_log.h"

#include <stdlib.h>
#include <string.h>

struct _hb_feedxfer_t {
    hb_journal_t *journal;
    int           n;
    hb_transfer_t pending [HB_FEEDXFER_MAX];
};

static void
s_apply (hb_feedxfer_t *self, const hb_transfer_t *t)
{
    int at = 0;
    while (at < self->n && strcmp (self->pending [at].id, t->id) != 0)
        at++;
    if (t->status == HB_TRANSFER_SENT) {
        if (at < self->n)
            return;                 //  said twice: one transfer
        if (self->n == HB_FEEDXFER_MAX) {
            hb_warn ("feed transfers: more than %d transfers in flight: %s is not resumed after a restart",
                     HB_FEEDXFER_MAX, t->id);
            return;
        }
        self->pending [self->n++] = *t;
    }
    else
    if (at < self->n && (t->status == HB_TRANSFER_CREDITED || t->status == HB_TRANSFER_REFUSED))
        self->pending [at] = self->pending [--self->n];
}

static int
s_replay (const void *data, size_t size, uint64_t index, void *arg)
{
    hb_feedxfer_t *self = (hb_feedxfer_t *) arg;
    hb_msg_t msg;
    hb_decode_reason_t why = HB_DECODE_OK;
    if (hb_msg_decode (&msg, (const uint8_t *) data, size, &why) != 0
    ||  msg.env.type != HB_MSG_CAPITAL_TRANSFER) {
        hb_error ("feed transfers: %s: record %llu is not a transfer status (%s)",
                  hb_journal_path (self->journal), (unsigned long long) index, hb_decode_reason_name (why));
        return -1;
    }
    s_apply (self, &msg.u.transfer);
    return 0;
}

hb_feedxfer_t *
hb_feedxfer_open (const char *path)
{
    hb_feedxfer_t *self = (hb_feedxfer_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->journal = hb_journal_open_owned (path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    if (!self->journal || hb_journal_replay (self->journal, s_replay, self) != 0) {
        hb_error ("feed transfers: journal %s unusable: transfers in flight would be forgotten", path);
        hb_feedxfer_destroy (&self);
        return NULL;
    }
    return self;
}

void
hb_feedxfer_destroy (hb_feedxfer_t **self_p)
{
    if (self_p && *self_p) {
        hb_journal_destroy (&(*self_p)->journal);
        free (*self_p);
        *self_p = NULL;
    }
}

int
hb_feedxfer_note (hb_feedxfer_t *self, const hb_transfer_t *status)
{
    if (status->status != HB_TRANSFER_SENT && status->status != HB_TRANSFER_CREDITED
    &&  status->status != HB_TRANSFER_REFUSED)
        return 0;
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_CAPITAL_TRANSFER;
    strcpy (msg.env.publisher, "feed");
    msg.env.seq = 1;
    msg.u.transfer = *status;
    hb_buf_t buf;
    int rc = 0;
    if (hb_msg_encode (&msg, &buf) != 0 || hb_journal_append (self->journal, buf.data, buf.size) != 0) {
        hb_error ("feed transfers: %s: transfer %s %s not journaled: a restart would forget it",
                  hb_journal_path (self->journal), status->id, hb_transfer_status_name (status->status));
        rc = -1;
    }
    s_apply (self, status);
    return rc;
}

int
hb_feedxfer_pending (const hb_feedxfer_t *self, hb_transfer_t *out, int max)
{
    int n = self->n < max ? self->n : max;
    memcpy (out, self->pending, (size_t) n * sizeof *out);
    return n;
}
