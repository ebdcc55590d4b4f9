/*  hb_ledger: see hb_ledger.h. The fill id set is a czmq zhashx keyed by
    "<venue> <fill_id>" (a space is in neither, so the key is unambiguous);
    a transfer's status is in it as "<id>\x1f<status>" and a funding
    payment as "<venue>\x1e<id>" (no name or id holds a separator, so no
    kind of key can be another).                                           */
#include "hb_ledger.h"

#include <math.h>
#include "hb_log.h"

#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define S_KEY_MAX   (HB_NAME_MAX + HB_ID_MAX + 2)

struct _hb_ledger_t {
    const hb_config_t  *cfg;
    hb_book_t          *book;
    hb_journal_t       *journal;
    zhashx_t           *seen;
    zhashx_t           *orders;             //  "<venue> <client_id>" -> filled qty (double *)
    hb_ledger_stats_t   stats;
    hb_complain_t       unknown_log;        //  rate-limits the unknown-instrument line
    hb_complain_t       implausible_log;
};

static void
s_key (char *key, const char *venue, const char *fill_id)
{
    snprintf (key, S_KEY_MAX, "%s %s", venue, fill_id);
}

//  1 when (venue, fill_id) has not been taken yet.
static int
s_is_new (hb_ledger_t *self, const hb_fill_t *fill)
{
    char key [S_KEY_MAX];
    s_key (key, fill->venue, fill->fill_id);
    if (zhashx_lookup (self->seen, key))
        return 0;
    return 1;
}

static void
s_free_qty (void **item)
{
    free (*item);
    *item = NULL;
}

static void
s_apply (hb_ledger_t *self, const hb_fill_t *fill, uint64_t epoch, uint64_t seq)
{
    char key [S_KEY_MAX];
    s_key (key, fill->venue, fill->fill_id);
    zhashx_insert (self->seen, key, (void *) 1);
    //  an external fill (a manual trade, a liquidation) moves the position
    //  like any other, but is no order of ours: it fills none of them
    bool external = (fill->flags & HB_FILL_EXTERNAL) != 0;
    self->stats.external += external;
    s_key (key, fill->venue, fill->client_id);
    double *filled = external ? NULL : (double *) zhashx_lookup (self->orders, key);
    if (!external && !filled && (filled = calloc (1, sizeof *filled)) != NULL
    &&  zhashx_insert (self->orders, key, filled) != 0) {
        free (filled);
        filled = NULL;
    }
    if (filled)
        *filled += fill->qty;
    if (hb_book_fill (self->book, fill, epoch, seq) < 0) {
        self->stats.unknown++;
        hb_complain (&self->unknown_log, HB_LOG_WARN, "aggregator: fill %s of unknown %s/%s kept in the journal, not in the book",
                     fill->fill_id, fill->venue, fill->symbol);
    }
}

static void
s_transfer_key (char *key, const hb_transfer_t *transfer)
{
    snprintf (key, S_KEY_MAX, "%s\x1f%s", transfer->id, hb_transfer_status_name (transfer->status));
}

//  A transfer's status into the book once; 1 when it moved money
static int
s_transfer_apply (hb_ledger_t *self, const hb_transfer_t *transfer)
{
    char key [S_KEY_MAX];
    s_transfer_key (key, transfer);
    zhashx_insert (self->seen, key, (void *) 1);
    return hb_book_transfer (self->book, transfer);
}

static void
s_funding_key (char *key, const hb_funding_t *funding)
{
    snprintf (key, S_KEY_MAX, "%s\x1e%s", funding->venue, funding->id);
}

static void
s_funding_apply (hb_ledger_t *self, const hb_funding_t *funding)
{
    char key [S_KEY_MAX];
    s_funding_key (key, funding);
    zhashx_insert (self->seen, key, (void *) 1);
    self->stats.fundings++;
    if (hb_book_funding (self->book, funding) < 0) {
        self->stats.unknown++;
        hb_complain (&self->unknown_log, HB_LOG_WARN, "aggregator: funding %s of unknown %s/%s kept in the journal, not in the book",
                     funding->id, funding->venue, funding->symbol);
    }
}

static int
s_replay_one (const void *data, size_t size, uint64_t index, void *arg)
{
    hb_ledger_t *self = (hb_ledger_t *) arg;
    hb_msg_t msg;
    hb_decode_reason_t reason;
    int rc = hb_msg_decode (&msg, data, size, &reason);
    if (rc == 0 && msg.env.type == HB_MSG_CAPITAL_TRANSFER) {
        char key [S_KEY_MAX];
        s_transfer_key (key, &msg.u.transfer);
        if (!zhashx_lookup (self->seen, key)) {
            s_transfer_apply (self, &msg.u.transfer);
            self->stats.transfers++;
        }
        return 0;
    }
    if (rc == 0 && msg.env.type == HB_MSG_FUNDING) {
        char key [S_KEY_MAX];
        s_funding_key (key, &msg.u.funding);
        if (!zhashx_lookup (self->seen, key))
            s_funding_apply (self, &msg.u.funding);
        return 0;
    }
    if (rc != 0 || msg.env.type != HB_MSG_FILL) {
        self->stats.bad_records++;
        hb_warn ("aggregator: journal record %llu is not a fill, a transfer or a funding (%s): skipped",
                 (unsigned long long) index, hb_decode_reason_name (reason));
        return 0;
    }
    //  a duplicate in the journal cannot come from us, but must not count twice
    if (s_is_new (self, &msg.u.fill) == 1) {
        //  the feed's epoch and seq of its message, as journaled
        s_apply (self, &msg.u.fill, msg.env.epoch, msg.env.seq);
        self->stats.replayed++;
    }
    return 0;
}

//  msg's envelope for the journal: type, stamped "journal", the rest 0
static void
s_journal_msg (hb_msg_t *msg, int type)
{
    memset (&msg->env, 0, sizeof msg->env);
    msg->env.type = (uint8_t) type;
    strcpy (msg->env.publisher, "journal");
}

//  Appends msg (wire encoding) to the journal: 0, or -1 (errno: EINVAL
//  when it does not encode, else hb_journal_append's)
static int
s_journal (hb_ledger_t *self, const hb_msg_t *msg)
{
    hb_buf_t buf;
    if (hb_msg_encode (msg, &buf) != 0) {
        errno = EINVAL;
        return -1;
    }
    return hb_journal_append (self->journal, buf.data, buf.size) != 0 ? -1 : 0;
}

hb_ledger_t *
hb_ledger_new (const hb_config_t *cfg, const char *path, hb_journal_policy_t policy, int interval_ms)
{
    hb_ledger_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->book = hb_book_new (cfg);
    self->seen = zhashx_new ();
    self->orders = zhashx_new ();
    if (self->orders)
        zhashx_set_destructor (self->orders, s_free_qty);
    self->journal = self->book && self->seen && self->orders ? hb_journal_open_owned (path, policy, interval_ms) : NULL;
    if (!self->journal || hb_journal_replay (self->journal, s_replay_one, self) != 0) {
        hb_ledger_destroy (&self);
        return NULL;
    }
    return self;
}

void
hb_ledger_destroy (hb_ledger_t **self_p)
{
    if (self_p && *self_p) {
        hb_ledger_t *self = *self_p;
        hb_journal_destroy (&self->journal);
        zhashx_destroy (&self->seen);
        zhashx_destroy (&self->orders);
        hb_book_destroy (&self->book);
        free (self);
        *self_p = NULL;
    }
}

int
hb_ledger_fill (hb_ledger_t *self, const hb_fill_t *fill, const hb_env_t *env)
{
    if (s_is_new (self, fill) == 0) {
        self->stats.duplicates++;
        return 0;
    }
    if (!hb_config_fill_plausible (self->cfg, fill)) {
        double usd = hb_config_fill_usd (self->cfg, fill);
        self->stats.implausible++;
        hb_complain (&self->implausible_log, HB_LOG_ERROR,
                     "fill %s/%s (%s %.6g @ %.6g) is worth %.6g USD, over max_fill_usd %.6g: "
                     "refused, not journaled", fill->venue, fill->fill_id, fill->symbol, fill->qty,
                     fill->px, usd, self->cfg->aggregator.max_fill_usd);
        return 2;
    }
    //  the journal holds the fill in a message stamped "journal", with the
    //  feed's epoch and seq of the fill's own message (0: not known), which
    //  the position states name after a restart too
    hb_msg_t msg;
    s_journal_msg (&msg, HB_MSG_FILL);
    if (env) {
        msg.env.epoch = env->epoch;
        msg.env.seq = env->seq;
    }
    msg.u.fill = *fill;
    if (s_journal (self, &msg) != 0)
        return -1;
    s_apply (self, fill, msg.env.epoch, msg.env.seq);
    self->stats.applied++;
    return 1;
}

int
hb_ledger_transfer (hb_ledger_t *self, const hb_transfer_t *transfer)
{
    //  only these move money in the book (hb_book_transfer); the others are
    //  the treasury's and the desk's business, not the equity's
    if (transfer->status != HB_TRANSFER_SENT && transfer->status != HB_TRANSFER_CREDITED)
        return 0;
    char key [S_KEY_MAX];
    s_transfer_key (key, transfer);
    if (zhashx_lookup (self->seen, key)) {
        self->stats.duplicates++;
        return 0;
    }
    hb_msg_t msg;
    s_journal_msg (&msg, HB_MSG_CAPITAL_TRANSFER);
    msg.u.transfer = *transfer;
    if (s_journal (self, &msg) != 0)
        return -1;
    self->stats.transfers++;
    return s_transfer_apply (self, transfer);
}

int
hb_ledger_funding (hb_ledger_t *self, const hb_funding_t *funding, const hb_env_t *env)
{
    char key [S_KEY_MAX];
    s_funding_key (key, funding);
    if (zhashx_lookup (self->seen, key)) {
        self->stats.duplicates++;
        return 0;
    }
    hb_msg_t msg;
    s_journal_msg (&msg, HB_MSG_FUNDING);
    if (env)
        msg.env.ts_venue = env->ts_venue;
    msg.u.funding = *funding;
    if (s_journal (self, &msg) != 0)
        return -1;
    s_funding_apply (self, funding);
    return 1;
}

bool
hb_ledger_seen (hb_ledger_t *self, const char *venue, const char *fill_id)
{
    char key [S_KEY_MAX];
    s_key (key, venue, fill_id);
    return zhashx_lookup (self->seen, key) != NULL;
}

double
hb_ledger_order_filled (hb_ledger_t *self, const char *venue, const char *client_id)
{
    char key [S_KEY_MAX];
    s_key (key, venue, client_id);
    const double *filled = (const double *) zhashx_lookup (self->orders, key);
    return filled ? *filled : 0;
}

hb_book_t *
hb_ledger_book (hb_ledger_t *self)
{
    return self->book;
}

hb_journal_t *
hb_ledger_journal (hb_ledger_t *self)
{
    return self->journal;
}

void
hb_ledger_stats (hb_ledger_t *self, hb_ledger_stats_t *stats)
{
    *stats = self->stats;
}
