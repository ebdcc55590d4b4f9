/*  hb_fillgate: see hb_fillgate.h. */
#include "hb_fillgate.h"
#include "hb_log.h"

#include <assert.h>
#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_FILL_IDS  16              //  fill ids remembered per order (duplicates beyond: counted)

typedef struct {
    char     client_id [HB_ID_MAX];
    char     symbol [HB_NAME_MAX];
    uint8_t  side;
    uint8_t  ord_type;
    double   qty;
    double   px;                    //  limit, 0 for a market order
    double   filled;                //  cumulative, over the fills committed
    int64_t  at_ns;                 //  when it was handed to the plugin
    uint64_t fill_ids [S_FILL_IDS]; //  hashes of the fill ids committed
    int      n_fill_ids;
} s_order_t;

struct _hb_fillgate_t {
    hb_journal_t       *orders;     //  NULL: memory only
    hb_journal_t       *held;
    char               *ack_path;   //  NULL without a held journal
    int64_t             window_ns;
    s_order_t          *ring;       //  oldest at head
    size_t              cap;
    size_t              head;
    size_t              count;
    zhashx_t           *by_id;      //  client id -> s_order_t in ring (not owned)
    int64_t             replay_now; //  the clock of the replay at open
    hb_complain_t       c_cap;
    hb_fillgate_stats_t stats;
};

static const char *const s_verdict_names [HB_FILLGATE_VERDICT_COUNT] = {
    "ok", "external", "duplicate", "unknown_order", "symbol", "side", "overfill", "price",
    "external_ours"
};

const char *
hb_fillgate_verdict_name (hb_fillgate_verdict_t verdict)
{
    return verdict >= 0 && verdict < HB_FILLGATE_VERDICT_COUNT ? s_verdict_names [verdict] : "?";
}

//  FNV-1a: fill ids are short, and a collision only makes a real fill
//  look like a repeat of another fill of the same order
static uint64_t
s_hash (const char *text)
{
    uint64_t hash = UINT64_C (14695981039346656037);
    for (; *text; text++)
        hash = (hash ^ (uint8_t) *text) * UINT64_C (1099511628211);
    return hash;
}

//  Drops the oldest order from the table.
static void
s_forget_oldest (hb_fillgate_t *self)
{
    s_order_t *oldest = &self->ring [self->head];
    if (zhashx_lookup (self->by_id, oldest->client_id) == oldest)
        zhashx_delete (self->by_id, oldest->client_id);
    self->head = (self->head + 1) % self->cap;
    self->count--;
    self->stats.forgotten++;
}

static void
s_expire (hb_fillgate_t *self, int64_t now_ns)
{
    while (self->count > 0 && self->ring [self->head].at_ns < now_ns - self->window_ns)
        s_forget_oldest (self);
}

//  Remembers an order (a client id already remembered keeps its first
//  order: the venue refuses a duplicate id, so only the first one trades).
static void
s_remember (hb_fillgate_t *self, const hb_order_t *order, int64_t at_ns)
{
    if (zhashx_lookup (self->by_id, order->client_id))
        return;
    if (self->count == self->cap) {
        hb_complain (&self->c_cap, HB_LOG_WARN, "fill gate: more than %zu orders within the window: "
                     "forgetting the oldest (%s); a late fill of it will be held", self->cap,
                     self->ring [self->head].client_id);
        s_forget_oldest (self);
    }
    s_order_t *slot = &self->ring [(self->head + self->count) % self->cap];
    memset (slot, 0, sizeof *slot);
    memcpy (slot->client_id, order->client_id, sizeof slot->client_id);
    memcpy (slot->symbol, order->symbol, sizeof slot->symbol);
    slot->side = order->side;
    slot->ord_type = order->ord_type;
    slot->qty = order->qty;
    slot->px = order->ord_type == HB_ORD_LIMIT ? order->px : 0;
    slot->at_ns = at_ns;
    self->count++;
    zhashx_insert (self->by_id, slot->client_id, slot);
}

//  One message in a blank envelope, encoded for a journal record.
static int
s_encode (hb_msg_t *msg, uint8_t type, uint64_t seq, int64_t at_ns, hb_buf_t *buf)
{
    memset (&msg->env, 0, sizeof msg->env);
    msg->env.type = type;
    strcpy (msg->env.publisher, "journal");
    msg->env.seq = seq;
    msg->env.ts_recv = at_ns > 0 ? at_ns : 0;
    if (hb_msg_encode (msg, buf) != 0) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

static int
s_replay_order (const void *data, size_t size, uint64_t index, void *arg)
{
    hb_fillgate_t *self = (hb_fillgate_t *) arg;
    hb_msg_t msg;
    hb_decode_reason_t reason = HB_DECODE_OK;
    if (hb_msg_decode (&msg, data, size, &reason) != 0 || msg.env.type != HB_MSG_ORDER) {
        //  a whole record (its CRC holds) that is not ours: written by
        //  something else, never by a damaged disk
        hb_warn ("order journal %s: record %llu is not an order (%s): skipped",
                 hb_journal_path (self->orders), (unsigned long long) index,
                 hb_decode_reason_name (reason));
        return 0;
    }
    if (msg.env.ts_recv >= self->replay_now - self->window_ns) {
        s_remember (self, &msg.u.order, msg.env.ts_recv);
        self->stats.replayed++;
    }
    else
        self->stats.forgotten++;
    return 0;
}

static int
s_replay_held (const void *data, size_t size, uint64_t index, void *arg)
{
    (void) data;
    (void) size;
    (void) index;
    ((hb_fillgate_t *) arg)->stats.held++;
    return 0;
}

//  The acknowledgement file: how many held fills an operator has seen.
static void
s_read_ack (hb_fillgate_t *self)
{
    if (!self->ack_path)
        return;
    FILE *file = fopen (self->ack_path, "r");
    if (!file)
        return;
    unsigned long long value = 0;
    if (fscanf (file, "%llu", &value) == 1)
        self->stats.acked = value < self->stats.held ? value : self->stats.held;
    fclose (file);
}

hb_fillgate_t *
hb_fillgate_new (const char *orders_path, const char *held_path, hb_journal_policy_t policy,
                 int interval_ms, int64_t window_ns, size_t cap, int64_t now_ns)
{
    assert (window_ns > 0);
    hb_fillgate_t *self = (hb_fillgate_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->window_ns = window_ns;
    self->cap = cap ? cap : HB_FILLGATE_CAP;
    self->ring = (s_order_t *) calloc (self->cap, sizeof *self->ring);
    self->by_id = zhashx_new ();
    if (!self->ring || !self->by_id) {
        hb_error ("fill gate: no memory for %zu orders", self->cap);
        hb_fillgate_destroy (&self);
        return NULL;
    }
    self->replay_now = now_ns;
    if (orders_path && orders_path [0]) {
        self->orders = hb_journal_open_owned (orders_path, policy, interval_ms);
        if (!self->orders || hb_journal_replay (self->orders, s_replay_order, self) != 0) {
            hb_fillgate_destroy (&self);
            return NULL;
        }
    }
    if (held_path && held_path [0]) {
        //  held fills are rare and must never be lost: each one synced
        self->held = hb_journal_open_owned (held_path, HB_JOURNAL_FSYNC_ALWAYS, 0);
        if (!self->held || hb_journal_replay (self->held, s_replay_held, self) != 0) {
            hb_fillgate_destroy (&self);
            return NULL;
        }
        self->ack_path = zsys_sprintf ("%s.ack", held_path);
        if (!self->ack_path) {
            hb_fillgate_destroy (&self);
            return NULL;
        }
        s_read_ack (self);
    }
    return self;
}

void
hb_fillgate_destroy (hb_fillgate_t **self_p)
{
    assert (self_p);
    hb_fillgate_t *self = *self_p;
    if (!self)
        return;
    hb_journal_destroy (&self->orders);
    hb_journal_destroy (&self->held);
    zstr_free (&self->ack_path);
    zhashx_destroy (&self->by_id);
    free (self->ring);
    free (self);
    *self_p = NULL;
}

int
hb_fillgate_order (hb_fillgate_t *self, const hb_order_t *order, int64_t now_ns)
{
    assert (self && order);
    hb_msg_t msg;
    msg.u.order = *order;
    hb_buf_t buf;
    if (s_encode (&msg, HB_MSG_ORDER, 0, now_ns, &buf) != 0)
        return -1;
    if (self->orders && hb_journal_append (self->orders, buf.data, buf.size) != 0)
        return -1;
    s_expire (self, now_ns);
    s_remember (self, order, now_ns);
    return 0;
}

hb_fillgate_verdict_t
hb_fillgate_judge (hb_fillgate_t *self, const hb_fill_t *fill, int64_t now_ns)
{
    assert (self && fill);
    s_expire (self, now_ns);
    const s_order_t *order = (const s_order_t *) zhashx_lookup (self->by_id, fill->client_id);
    if (fill->flags & HB_FILL_EXTERNAL)
        return order ? HB_FILLGATE_EXTERNAL_OURS : HB_FILLGATE_EXTERNAL;
    if (!order)
        return HB_FILLGATE_UNKNOWN_ORDER;
    if (strncmp (order->symbol, fill->symbol, HB_NAME_MAX) != 0)
        return HB_FILLGATE_SYMBOL;
    if (order->side != fill->side)
        return HB_FILLGATE_SIDE;
    uint64_t id = s_hash (fill->fill_id);
    for (int i = 0; i < order->n_fill_ids; i++)
        if (order->fill_ids [i] == id)
            return HB_FILLGATE_DUPLICATE;
    if (!(fill->qty > 0) || order->filled + fill->qty > order->qty * (1 + HB_FILLGATE_QTY_TOL))
        return HB_FILLGATE_OVERFILL;
    if (order->ord_type == HB_ORD_LIMIT
    &&  ((order->side == HB_SIDE_BUY && fill->px > order->px * (1 + HB_FILLGATE_PX_TOL))
    ||   (order->side == HB_SIDE_SELL && fill->px < order->px * (1 - HB_FILLGATE_PX_TOL))))
        return HB_FILLGATE_PRICE;
    return HB_FILLGATE_OK;
}

void
hb_fillgate_commit (hb_fillgate_t *self, const hb_fill_t *fill)
{
    assert (self && fill);
    if (fill->flags & HB_FILL_EXTERNAL) {
        self->stats.external++;
        return;
    }
    s_order_t *order = (s_order_t *) zhashx_lookup (self->by_id, fill->client_id);
    if (!order)
        return;
    uint64_t id = s_hash (fill->fill_id);
    for (int i = 0; i < order->n_fill_ids; i++)
        if (order->fill_ids [i] == id)
            return;                     //  a repeat: taken once
    if (order->n_fill_ids < S_FILL_IDS)
        order->fill_ids [order->n_fill_ids++] = id;
    order->filled += fill->qty;
}

int
hb_fillgate_hold (hb_fillgate_t *self, const hb_fill_t *fill, hb_fillgate_verdict_t verdict,
                  int64_t now_ns)
{
    assert (self && fill);
    hb_msg_t msg;
    msg.u.fill = *fill;
    hb_buf_t buf;
    if (s_encode (&msg, HB_MSG_FILL, (uint64_t) verdict, now_ns, &buf) != 0)
        return -1;                      //  EINVAL: not a fill at all, nothing held
    self->stats.held++;
    int rc = self->held ? hb_journal_append (self->held, buf.data, buf.size) : 0;
    if (rc != 0)
        self->stats.unjournaled++;
    return rc;
}

uint64_t
hb_fillgate_unacked (hb_fillgate_t *self)
{
    assert (self);
    if (self->stats.acked < self->stats.held)
        s_read_ack (self);
    return self->stats.held - self->stats.acked;
}

int
hb_fillgate_sync (hb_fillgate_t *self)
{
    assert (self);
    return self->orders ? hb_journal_sync (self->orders) : 0;
}

void
hb_fillgate_stats (hb_fillgate_t *self, hb_fillgate_stats_t *stats)
{
    assert (self && stats);
    *stats = self->stats;
    stats->orders = self->count;
}

int
hb_fillgate_ack (const char *held_path, uint64_t *count, char *err, size_t errsize)
{
    assert (held_path && count);
    *count = 0;
    hb_journal_check_t report;
    if (hb_journal_check (held_path, &report) != 0) {
        int saved = errno;
        if (saved == ENOENT) {
            //  nothing was ever held: nothing to acknowledge
            snprintf (err, errsize, "%s: no fill was ever held", held_path);
            return 0;
        }
        snprintf (err, errsize, "%s: %s", held_path, report.reason);
        errno = saved;
        return -1;
    }
    *count = report.records;
    char path [4096], tmp [4096 + 8];
    if (snprintf (path, sizeof path, "%s.ack", held_path) >= (int) sizeof path) {
        snprintf (err, errsize, "%s: path too long", held_path);
        errno = ENAMETOOLONG;
        return -1;
    }
    snprintf (tmp, sizeof tmp, "%s.tmp", path);
    char text [32];
    int len = snprintf (text, sizeof text, "%llu\n", (unsigned long long) *count);
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    bool ok = fd >= 0 && write (fd, text, (size_t) len) == len && fsync (fd) == 0;
    int saved = errno;
    if (fd >= 0 && close (fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename (tmp, path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        snprintf (err, errsize, "cannot write %s: %s", path, strerror (saved));
        if (fd >= 0)
            unlink (tmp);
        errno = saved;
        return -1;
    }
    //  the rename is durable with its directory
    char *dir = strdup (path);
    char *slash = dir ? strrchr (dir, '/') : NULL;
    if (slash) {
        *slash = 0;
        int dfd = open (dir [0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync (dfd);
            close (dfd);
        }
    }
    free (dir);
    return 0;
}
