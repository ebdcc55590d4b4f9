/*  hb_latency: see hb_latency.h.

    Both memories are the same structure, s_table_t: a ring of 64-bit keys
    (what is remembered, oldest overwritten first, so "the last n" is exact)
    and an index of ring slots, open addressing with linear probing, at most
    half full. A slot overwritten in the ring leaves the index by backward
    shift (Knuth's algorithm R), so the index never holds tombstones and a
    lookup stops at the first empty cell however long the run.             */
#include "hb_latency.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_CAPACITY  (1u << 30)

typedef struct {
    uint64_t *keys;             //  ring: the key of each slot
    uint32_t *index;            //  ring slot + 1; 0: empty
    uint32_t  capacity;         //  ring slots
    uint32_t  mask;             //  index cells - 1 (a power of two >= 2 x capacity)
    uint32_t  next;             //  the ring slot written next
    uint64_t  stored;           //  keys ever stored
} s_table_t;

//  What an order needs of its request.
typedef struct {
    char     id [HB_ID_MAX];
    char     topic [HB_TOPIC_MAX];
    char     publisher [HB_NAME_MAX];
    int64_t  ts_pub;
    bool     has_input;         //  one of its inputs was known: newest_* are set
    int64_t  newest_ts;
    char     newest_topic [HB_TOPIC_MAX];
    char     newest_publisher [HB_NAME_MAX];
} s_request_t;

struct _hb_latency_t {
    s_table_t    messages;
    int64_t     *ts_pub;        //  per message ring slot
    s_table_t    requests;
    s_request_t *request;       //  per request ring slot
    hb_hist_t   *hist [HB_LATENCY_KINDS];
    hb_latency_stats_t stats;
};

//  ---------------------------------------------------------------------------
//  Keys

#define S_FNV_OFFSET    UINT64_C (14695981039346656037)
#define S_FNV_PRIME     UINT64_C (1099511628211)

static uint64_t
s_fnv (uint64_t hash, const void *data, size_t size)
{
    const uint8_t *byte = (const uint8_t *) data;
    for (size_t i = 0; i < size; i++)
        hash = (hash ^ byte [i]) * S_FNV_PRIME;
    return hash;
}

//  FNV-1a spreads its last bytes poorly into the low bits the index uses:
//  a splitmix64 finish mixes every bit into every other. 0 is kept free.
static uint64_t
s_finish (uint64_t hash)
{
    hash ^= hash >> 30;
    hash *= UINT64_C (0xbf58476d1ce4e5b9);
    hash ^= hash >> 27;
    hash *= UINT64_C (0x94d049bb133111eb);
    hash ^= hash >> 31;
    return hash ? hash : 1;
}

static uint64_t
s_message_key (const char *topic, const char *publisher, uint64_t epoch, uint64_t seq)
{
    //  the NULs keep ("ab", "c") and ("a", "bc") apart
    uint64_t hash = s_fnv (S_FNV_OFFSET, topic, strlen (topic) + 1);
    hash = s_fnv (hash, publisher, strlen (publisher) + 1);
    hash = s_fnv (hash, &epoch, sizeof epoch);
    hash = s_fnv (hash, &seq, sizeof seq);
    return s_finish (hash);
}

static uint64_t
s_request_key (const char *id, size_t len)
{
    return s_finish (s_fnv (S_FNV_OFFSET, id, len));
}

//  ---------------------------------------------------------------------------
//  s_table_t

static int
s_table_init (s_table_t *self, uint32_t capacity)
{
    uint32_t cells = 2;
    while (cells < 2 * (uint64_t) capacity)
        cells <<= 1;
    self->capacity = capacity;
    self->mask = cells - 1;
    self->keys = (uint64_t *) calloc (capacity, sizeof *self->keys);
    self->index = (uint32_t *) calloc (cells, sizeof *self->index);
    return self->keys && self->index ? 0 : -1;
}

static void
s_table_fini (s_table_t *self)
{
    free (self->keys);
    free (self->index);
}

//  The ring slot of key, or -1. With a key stored twice, one of them.
static int64_t
s_table_find (const s_table_t *self, uint64_t key)
{
    for (uint32_t cell = (uint32_t) key & self->mask; self->index [cell]; cell = (cell + 1) & self->mask) {
        uint32_t slot = self->index [cell] - 1;
        if (self->keys [slot] == key)
            return slot;
    }
    return -1;
}

//  Empties cell and pulls later entries of its run back into the hole, so
//  that every entry stays reachable from its home cell without a gap.
static void
s_table_unlink (s_table_t *self, uint32_t cell)
{
    uint32_t hole = cell;
    self->index [hole] = 0;
    for (uint32_t next = (hole + 1) & self->mask; self->index [next]; next = (next + 1) & self->mask) {
        uint32_t home = (uint32_t) self->keys [self->index [next] - 1] & self->mask;
        //  the entry at next may move to hole unless its home lies
        //  cyclically in (hole, next]: it would then be before its home
        bool stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next);
        if (!stays) {
            self->index [hole] = self->index [next];
            self->index [next] = 0;
            hole = next;
        }
    }
}

//  Stores key in the next ring slot, forgetting the oldest when full.
//  Returns the slot.
static uint32_t
s_table_put (s_table_t *self, uint64_t key)
{
    uint32_t slot = self->next;
    if (self->stored >= self->capacity) {
        uint32_t cell = (uint32_t) self->keys [slot] & self->mask;
        while (self->index [cell] != slot + 1)
            cell = (cell + 1) & self->mask;
        s_table_unlink (self, cell);
    }
    self->keys [slot] = key;
    uint32_t cell = (uint32_t) key & self->mask;
    while (self->index [cell])
        cell = (cell + 1) & self->mask;
    self->index [cell] = slot + 1;
    self->next = slot + 1 == self->capacity ? 0 : slot + 1;
    self->stored++;
    return slot;
}

//  ---------------------------------------------------------------------------

hb_latency_t *
hb_latency_new (uint32_t messages, uint32_t requests)
{
    messages = messages ? messages : HB_LATENCY_MESSAGES;
    requests = requests ? requests : HB_LATENCY_REQUESTS;
    if (messages > S_MAX_CAPACITY || requests > S_MAX_CAPACITY)
        return NULL;
    hb_latency_t *self = (hb_latency_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    int rc = s_table_init (&self->messages, messages) | s_table_init (&self->requests, requests);
    self->ts_pub = (int64_t *) calloc (messages, sizeof *self->ts_pub);
    self->request = (s_request_t *) calloc (requests, sizeof *self->request);
    for (int k = 0; k < HB_LATENCY_KINDS; k++)
        if (!(self->hist [k] = hb_hist_new ()))
            rc = -1;
    if (rc || !self->ts_pub || !self->request)
        hb_latency_destroy (&self);
    return self;
}

void
hb_latency_destroy (hb_latency_t **self_p)
{
    assert (self_p);
    hb_latency_t *self = *self_p;
    if (!self)
        return;
    s_table_fini (&self->messages);
    s_table_fini (&self->requests);
    free (self->ts_pub);
    free (self->request);
    for (int k = 0; k < HB_LATENCY_KINDS; k++)
        hb_hist_destroy (&self->hist [k]);
    free (self);
    *self_p = NULL;
}

static hb_latency_decision_t *
s_decision (hb_latency_t *self, hb_latency_decision_t *out, hb_latency_kind_t kind, const char *id,
            int64_t latency_ns, const char *topic, const char *publisher)
{
    memset (out, 0, sizeof *out);
    out->kind = kind;
    snprintf (out->id, sizeof out->id, "%s", id);
    out->latency_ns = latency_ns;
    snprintf (out->input_topic, sizeof out->input_topic, "%s", topic);
    snprintf (out->input_publisher, sizeof out->input_publisher, "%s", publisher);
    hb_hist_record (self->hist [kind], latency_ns);
    return out;
}

//  A hedge request: its risk latency, and what its orders will need.
static int
s_hedge (hb_latency_t *self, const char *topic, const hb_msg_t *msg, hb_latency_decision_t *out)
{
    const hb_risk_hedge_t *hedge = &msg->u.risk_hedge;
    self->stats.requests++;
    size_t id_len = strnlen (hedge->id, sizeof hedge->id);
    if (id_len == 0 || id_len == sizeof hedge->id)
        return 0;           //  the decoder refuses these; a hand-made message may not
    s_request_t *request = &self->request [s_table_put (&self->requests, s_request_key (hedge->id, id_len))];
    memset (request, 0, sizeof *request);
    memcpy (request->id, hedge->id, id_len);
    snprintf (request->topic, sizeof request->topic, "%s", topic);
    snprintf (request->publisher, sizeof request->publisher, "%s", msg->env.publisher);
    request->ts_pub = msg->env.ts_pub;

    int unknown = 0;
    int n = hedge->n_inputs <= HB_RISK_INPUTS_MAX ? hedge->n_inputs : HB_RISK_INPUTS_MAX;
    const hb_risk_input_t *newest = NULL;
    for (int i = 0; i < n; i++) {
        const hb_risk_input_t *input = &hedge->inputs [i];
        int64_t slot = s_table_find (&self->messages, s_message_key (input->topic, input->publisher,
                                                                     input->epoch, input->seq));
        if (slot < 0) {
            unknown++;
            continue;
        }
        if (!request->has_input || self->ts_pub [slot] > request->newest_ts) {
            request->has_input = true;
            request->newest_ts = self->ts_pub [slot];
            newest = input;
        }
    }
    self->stats.inputs_known += (uint64_t) (n - unknown);
    self->stats.inputs_unknown += (uint64_t) unknown;
    if (!newest)
        return 0;
    snprintf (request->newest_topic, sizeof request->newest_topic, "%s", newest->topic);
    snprintf (request->newest_publisher, sizeof request->newest_publisher, "%s", newest->publisher);
    s_decision (self, out, HB_LATENCY_RISK, request->id, msg->env.ts_pub - request->newest_ts,
                newest->topic, newest->publisher)->unknown_inputs = unknown;
    return 1;
}

//  An order: its request is its client id up to the last '.', followed by
//  a leg number; anything else is no order of a request.
static int
s_order (hb_latency_t *self, const hb_msg_t *msg, hb_latency_decision_t out [2])
{
    const hb_order_t *order = &msg->u.order;
    self->stats.orders++;
    size_t len = strnlen (order->client_id, sizeof order->client_id);
    const char *dot = len < sizeof order->client_id ? strrchr (order->client_id, '.') : NULL;
    bool leg = dot && dot > order->client_id && dot [1] != 0;
    for (const char *p = dot ? dot + 1 : ""; leg && *p; p++)
        leg = *p >= '0' && *p <= '9';
    int64_t slot = -1;
    if (leg) {
        size_t id_len = (size_t) (dot - order->client_id);
        slot = s_table_find (&self->requests, s_request_key (order->client_id, id_len));
        if (slot >= 0 && (strlen (self->request [slot].id) != id_len
                      ||  memcmp (self->request [slot].id, order->client_id, id_len) != 0))
            slot = -1;
    }
    if (slot < 0) {
        self->stats.orders_unknown++;
        return 0;
    }
    const s_request_t *request = &self->request [slot];
    s_decision (self, &out [0], HB_LATENCY_HEDGER, order->client_id, msg->env.ts_pub - request->ts_pub,
                request->topic, request->publisher);
    if (!request->has_input)
        return 1;
    s_decision (self, &out [1], HB_LATENCY_TOTAL, order->client_id, msg->env.ts_pub - request->newest_ts,
                request->newest_topic, request->newest_publisher);
    return 2;
}

int
hb_latency_add (hb_latency_t *self, const char *topic, const hb_msg_t *msg, hb_latency_decision_t out [2])
{
    assert (self);
    assert (out);
    if (!msg || !topic)
        return 0;
    self->stats.messages++;
    //  measured before it is remembered: a request cannot name itself
    int decisions = msg->env.type == HB_MSG_RISK_HEDGE ? s_hedge (self, topic, msg, out)
                  : msg->env.type == HB_MSG_ORDER ? s_order (self, msg, out) : 0;
    uint32_t slot = s_table_put (&self->messages, s_message_key (topic, msg->env.publisher, msg->env.epoch,
                                                                 msg->env.seq));
    self->ts_pub [slot] = msg->env.ts_pub;
    return decisions;
}

hb_hist_t *
hb_latency_hist (hb_latency_t *self, hb_latency_kind_t kind)
{
    assert (self);
    assert (kind < HB_LATENCY_KINDS);
    return self->hist [kind];
}

void
hb_latency_stats (hb_latency_t *self, hb_latency_stats_t *stats)
{
    assert (self);
    assert (stats);
    *stats = self->stats;
}

const char *
hb_latency_kind_name (hb_latency_kind_t kind)
{
    static const char *const names [HB_LATENCY_KINDS] = { "risk", "hedger", "total" };
    return kind < HB_LATENCY_KINDS ? names [kind] : "unknown";
}

void
hb_latency_render (hb_latency_t *self, FILE *out)
{
    assert (self);
    static const char *const what [HB_LATENCY_KINDS] = {
        "input -> risk.hedge", "risk.hedge -> order", "input -> order"
    };
    fprintf (out, "DECISION LATENCY %8s %10s %10s %10s  unknown inputs %llu, orders of no known request %llu\n",
             "COUNT", "p50", "p99", "max", (unsigned long long) self->stats.inputs_unknown,
             (unsigned long long) self->stats.orders_unknown);
    for (int k = 0; k < HB_LATENCY_KINDS; k++) {
        hb_hist_t *hist = self->hist [k];
        fprintf (out, "  %-14s %8llu %8.1fus %8.1fus %8.1fus  %s\n", hb_latency_kind_name ((hb_latency_kind_t) k),
                 (unsigned long long) hb_hist_count (hist), hb_hist_percentile (hist, 0.5) / 1e3,
                 hb_hist_percentile (hist, 0.99) / 1e3, hb_hist_max (hist) / 1e3, what [k]);
    }
}

//  text as a JSON string: what is not printable ASCII is escaped
static size_t
s_json_string (char *out, size_t size, size_t len, const char *text)
{
    len += (size_t) snprintf (out + (len < size ? len : size), len < size ? size - len : 0, "\"");
    for (const unsigned char *p = (const unsigned char *) text; *p; p++) {
        char *at = out + (len < size ? len : size);
        size_t room = len < size ? size - len : 0;
        if (*p == '"' || *p == '\\')
            len += (size_t) snprintf (at, room, "\\%c", *p);
        else
        if (*p < 0x20 || *p >= 0x7f)
            len += (size_t) snprintf (at, room, "\\u%04x", *p);
        else
            len += (size_t) snprintf (at, room, "%c", *p);
    }
    len += (size_t) snprintf (out + (len < size ? len : size), len < size ? size - len : 0, "\"");
    return len;
}

int
hb_latency_to_json (const hb_latency_decision_t *decision, char *out, size_t size)
{
    assert (decision);
    assert (out && size > 0);
    size_t len = (size_t) snprintf (out, size, "{\"id\":");
    len = s_json_string (out, size, len, decision->id);
    len += (size_t) snprintf (out + (len < size ? len : size), len < size ? size - len : 0,
                              ",\"kind\":\"%s\",\"latency_us\":%.3f,\"newest_input_topic\":",
                              hb_latency_kind_name (decision->kind), decision->latency_ns / 1e3);
    len = s_json_string (out, size, len, decision->input_topic);
    len += (size_t) snprintf (out + (len < size ? len : size), len < size ? size - len : 0,
                              ",\"newest_input_publisher\":");
    len = s_json_string (out, size, len, decision->input_publisher);
    len += (size_t) snprintf (out + (len < size ? len : size), len < size ? size - len : 0,
                              ",\"unknown_inputs\":%d}", decision->unknown_inputs);
    out [size - 1] = 0;
    return (int) (len < size ? len : size - 1);
}
