/*  hb-forge: a forger on the bus, for the fail-closed tests (test-only:
    built into build/.../tests/tools, never into bin/ or an install).

        hb-forge --bind ENDPOINT [--publisher NAME] [--wait-ms MS] <SCRIPT

    Binds ENDPOINT as a publisher would (an XPUB socket: it sees every
    subscriber's subscriptions) and plays SCRIPT from stdin, one command a
    line ('#' starts a comment):

        wait TOPIC N        until N subscriptions that would receive TOPIC
                            have arrived (each subscriber's own: the socket
                            is verbose), at most --wait-ms (10000); exit 1
                            when they do not come
        sleep MS
        send TYPE KEY=VALUE...

    TYPE is tick, fill, heartbeat, hedge (risk.hedge), control
    (hedger.control) or margin. The message is built field by field and encoded by
    hb_msg_encode, the one encoder every process uses, so it is exactly what
    docs/PROTOCOL.md describes; only what the keys say is forged:

        envelope  topic (default: the message's own, hb_msg_topic),
                  publisher (default --publisher, else "forger"),
                  epoch (ns; default this process's start), seq (default
                  1, 2, ... per topic), ahead_s (ts_pub is now + ahead_s s;
                  default 0)
        tick      venue symbol bid ask size (one level a side; size 1)
        fill      venue symbol side (buy|sell) qty px fill_id client_id
                  order_id fee (0) fee_asset (USD)
        heartbeat component
        hedge     id asset index target_usd exposure_usd (target_qty is
                  target_usd / index)
        control   id command (kill|reset) by text
        margin    venue equity maintenance (0) initial (0) asset (BTC)
                  exposure_usd (0): one asset; breach (0; 1: the
                  HB_MARGIN_BREACH flag)

    Each message sent is printed on stdout as one JSON line (hb_msg_to_json).
    Exit 0 when the script ran, 1 when a wait timed out or a message could
    not be built or sent, 2 on a usage error.                               */
#include "hb_msg.h"
#include "hb_time.h"

#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_KEYS      24
#define S_MAX_SUBS      256
#define S_MAX_TOPICS    64

typedef struct {
    const char *key [S_MAX_KEYS];
    const char *value [S_MAX_KEYS];
    int         n;
} s_args_t;

typedef struct {
    zsock_t    *sock;
    const char *publisher;
    uint64_t    epoch;
    int         wait_ms;
    //  subscriptions seen: prefix and how many subscribers hold it
    char        subs [S_MAX_SUBS][HB_TOPIC_MAX];
    int         sub_count [S_MAX_SUBS];
    int         n_subs;
    //  the next seq of each topic sent
    char        topics [S_MAX_TOPICS][HB_TOPIC_MAX];
    uint64_t    next_seq [S_MAX_TOPICS];
    int         n_topics;
} s_forge_t;

static const char *
s_get (const s_args_t *args, const char *key, const char *dflt)
{
    for (int i = 0; i < args->n; i++)
        if (strcmp (args->key [i], key) == 0)
            return args->value [i];
    return dflt;
}

static double
s_num (const s_args_t *args, const char *key, double dflt)
{
    const char *text = s_get (args, key, NULL);
    return text ? strtod (text, NULL) : dflt;
}

static void
s_copy (char *out, size_t size, const char *text)
{
    snprintf (out, size, "%s", text);
}

//  Subscription messages waiting on the socket: [1 prefix] or [0 prefix]
static void
s_poll_subs (s_forge_t *self)
{
    zmq_msg_t msg;
    zmq_msg_init (&msg);
    while (zmq_msg_recv (&msg, zsock_resolve (self->sock), ZMQ_DONTWAIT) != -1) {
        const uint8_t *data = (const uint8_t *) zmq_msg_data (&msg);
        size_t size = zmq_msg_size (&msg);
        if (size < 1 || size - 1 >= HB_TOPIC_MAX || (data [0] != 0 && data [0] != 1))
            continue;
        char prefix [HB_TOPIC_MAX];
        memcpy (prefix, data + 1, size - 1);
        prefix [size - 1] = 0;
        int i;
        for (i = 0; i < self->n_subs && strcmp (self->subs [i], prefix) != 0; i++)
            ;
        if (i == self->n_subs) {
            if (self->n_subs == S_MAX_SUBS)
                continue;
            s_copy (self->subs [self->n_subs++], HB_TOPIC_MAX, prefix);
        }
        self->sub_count [i] += data [0] == 1 ? 1 : -1;
    }
    zmq_msg_close (&msg);
}

//  Subscribers that would receive topic now (one per matching subscription)
static int
s_subscribers (const s_forge_t *self, const char *topic)
{
    int n = 0;
    for (int i = 0; i < self->n_subs; i++)
        if (strncmp (topic, self->subs [i], strlen (self->subs [i])) == 0)
            n += self->sub_count [i];
    return n;
}

static int
s_wait (s_forge_t *self, const char *topic, int want)
{
    int64_t deadline = hb_mono_ns () + (int64_t) self->wait_ms * HB_NS_PER_MS;
    for (;;) {
        s_poll_subs (self);
        if (s_subscribers (self, topic) >= want)
            return 0;
        if (hb_mono_ns () > deadline) {
            fprintf (stderr, "hb-forge: %d subscriber(s) of %s after %d ms, %d wanted\n",
                     s_subscribers (self, topic), topic, self->wait_ms, want);
            return -1;
        }
        zclock_sleep (20);
    }
}

static uint64_t
s_next_seq (s_forge_t *self, const char *topic)
{
    for (int i = 0; i < self->n_topics; i++)
        if (strcmp (self->topics [i], topic) == 0)
            return self->next_seq [i]++;
    if (self->n_topics == S_MAX_TOPICS)
        return 1;
    s_copy (self->topics [self->n_topics], HB_TOPIC_MAX, topic);
    self->next_seq [self->n_topics++] = 2;
    return 1;
}

//  The body of TYPE from the keys; -1 on an unknown type
static int
s_body (hb_msg_t *msg, const char *type, const s_args_t *args)
{
    if (strcmp (type, "tick") == 0) {
        hb_tick_t *tick = &msg->u.tick;
        msg->env.type = HB_MSG_TICK;
        s_copy (tick->venue, sizeof tick->venue, s_get (args, "venue", "alpha"));
        s_copy (tick->symbol, sizeof tick->symbol, s_get (args, "symbol", "BTC-USD"));
        tick->n_bids = tick->n_asks = 1;
        tick->bids [0] = (hb_level_t) { s_num (args, "bid", 0), s_num (args, "size", 1) };
        tick->asks [0] = (hb_level_t) { s_num (args, "ask", 0), s_num (args, "size", 1) };
    }
    else
    if (strcmp (type, "fill") == 0) {
        hb_fill_t *fill = &msg->u.fill;
        msg->env.type = HB_MSG_FILL;
        s_copy (fill->venue, sizeof fill->venue, s_get (args, "venue", "alpha"));
        s_copy (fill->symbol, sizeof fill->symbol, s_get (args, "symbol", "BTC-USD"));
        s_copy (fill->client_id, sizeof fill->client_id, s_get (args, "client_id", "forged"));
        s_copy (fill->order_id, sizeof fill->order_id, s_get (args, "order_id", "forged"));
        s_copy (fill->fill_id, sizeof fill->fill_id, s_get (args, "fill_id", "forged"));
        fill->side = strcmp (s_get (args, "side", "buy"), "sell") == 0 ? HB_SIDE_SELL : HB_SIDE_BUY;
        fill->liquidity = 2;
        fill->qty = s_num (args, "qty", 1);
        fill->px = s_num (args, "px", 1);
        fill->fee = s_num (args, "fee", 0);
        s_copy (fill->fee_asset, sizeof fill->fee_asset, s_get (args, "fee_asset", "USD"));
    }
    else
    if (strcmp (type, "heartbeat") == 0) {
        msg->env.type = HB_MSG_HEARTBEAT;
        s_copy (msg->u.heartbeat.component, HB_NAME_MAX, s_get (args, "component", msg->env.publisher));
    }
    else
    if (strcmp (type, "hedge") == 0) {
        hb_risk_hedge_t *hedge = &msg->u.risk_hedge;
        msg->env.type = HB_MSG_RISK_HEDGE;
        s_copy (hedge->id, sizeof hedge->id, s_get (args, "id", "forged-hedge"));
        hedge->reasons = 1;                 //  HB_RISK_REASON_BAND
        hedge->sample = 1;
        hedge->effectiveness = 1;
        hedge->n_targets = 1;
        hb_risk_target_t *target = &hedge->targets [0];
        s_copy (target->asset, sizeof target->asset, s_get (args, "asset", "BTC"));
        target->index = s_num (args, "index", 65000);
        target->target_usd = s_num (args, "target_usd", 100000);
        target->exposure_usd = s_num (args, "exposure_usd", -target->target_usd);
        target->target_qty = target->target_usd / target->index;
    }
    else
    if (strcmp (type, "margin") == 0) {
        hb_margin_t *margin = &msg->u.margin;
        msg->env.type = HB_MSG_MARGIN;
        s_copy (margin->venue, sizeof margin->venue, s_get (args, "venue", "alpha"));
        margin->equity_usd = s_num (args, "equity", 1000000);
        margin->collateral_usd = margin->equity_usd;
        margin->maintenance_usd = s_num (args, "maintenance", 0);
        margin->initial_usd = s_num (args, "initial", 0);
        margin->n_assets = 1;
        s_copy (margin->assets [0].asset, HB_NAME_MAX, s_get (args, "asset", "BTC"));
        margin->assets [0].exposure_usd = s_num (args, "exposure_usd", 0);
        margin->flags = s_num (args, "breach", 0) != 0 ? HB_MARGIN_BREACH : 0;
    }
    else
    if (strcmp (type, "control") == 0) {
        hb_hedger_control_t *control = &msg->u.hedger_control;
        msg->env.type = HB_MSG_HEDGER_CONTROL;
        s_copy (control->id, sizeof control->id, s_get (args, "id", "forged-control"));
        control->command = strcmp (s_get (args, "command", "reset"), "kill") == 0
                         ? HB_CONTROL_KILL : HB_CONTROL_RESET;
        s_copy (control->by, sizeof control->by, s_get (args, "by", "forger"));
        s_copy (control->text, sizeof control->text, s_get (args, "text", ""));
    }
    else
        return -1;
    return 0;
}

static int
s_send (s_forge_t *self, const char *type, const s_args_t *args)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.version = HB_SCHEMA_VERSION;
    s_copy (msg.env.publisher, sizeof msg.env.publisher, s_get (args, "publisher", self->publisher));
    if (s_body (&msg, type, args) != 0) {
        fprintf (stderr, "hb-forge: unknown message type '%s'\n", type);
        return -1;
    }
    char topic [HB_TOPIC_MAX];
    if (s_get (args, "topic", NULL))
        s_copy (topic, sizeof topic, s_get (args, "topic", NULL));
    else
    if (hb_msg_topic (&msg, topic) < 0) {
        fprintf (stderr, "hb-forge: a %s has no default topic: give topic=\n", type);
        return -1;
    }
    const char *epoch = s_get (args, "epoch", NULL);
    msg.env.epoch = epoch ? strtoull (epoch, NULL, 10) : self->epoch;
    const char *seq = s_get (args, "seq", NULL);
    msg.env.seq = seq ? strtoull (seq, NULL, 10) : s_next_seq (self, topic);
    int64_t now = hb_wall_ns ();
    msg.env.ts_venue = msg.env.ts_recv = now;
    msg.env.ts_pub = now + (int64_t) (s_num (args, "ahead_s", 0) * 1e9);
    hb_buf_t buf;
    if (hb_msg_encode (&msg, &buf) != 0) {
        fprintf (stderr, "hb-forge: the %s on %s does not encode (a field out of range)\n", type, topic);
        return -1;
    }
    void *handle = zsock_resolve (self->sock);
    if (zmq_send (handle, topic, strlen (topic), ZMQ_SNDMORE) == -1
    ||  zmq_send (handle, buf.data, buf.size, 0) == -1) {
        fprintf (stderr, "hb-forge: cannot send on %s: %s\n", topic, zmq_strerror (zmq_errno ()));
        return -1;
    }
    char json [8192];
    hb_msg_to_json (&msg, topic, json, sizeof json);
    printf ("%s\n", json);
    fflush (stdout);
    return 0;
}

//  One line of the script; 0, or -1 to stop with exit 1
static int
s_line (s_forge_t *self, char *line, int lineno)
{
    char *hash = strchr (line, '#');
    if (hash)
        *hash = 0;
    char *words [S_MAX_KEYS + 2];
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r (line, " \t\r\n", &save); w && n < S_MAX_KEYS + 2; w = strtok_r (NULL, " \t\r\n", &save))
        words [n++] = w;
    if (n == 0)
        return 0;
    if (strcmp (words [0], "wait") == 0 && n == 3)
        return s_wait (self, words [1], atoi (words [2]));
    if (strcmp (words [0], "sleep") == 0 && n == 2) {
        zclock_sleep (atoi (words [1]));
        return 0;
    }
    if (strcmp (words [0], "send") == 0 && n >= 2) {
        s_args_t args = { .n = 0 };
        for (int i = 2; i < n; i++) {
            char *eq = strchr (words [i], '=');
            if (!eq) {
                fprintf (stderr, "hb-forge: line %d: '%s' is not KEY=VALUE\n", lineno, words [i]);
                return -1;
            }
            *eq = 0;
            args.key [args.n] = words [i];
            args.value [args.n++] = eq + 1;
        }
        return s_send (self, words [1], &args);
    }
    fprintf (stderr, "hb-forge: line %d: expected wait TOPIC N, sleep MS or send TYPE KEY=VALUE...\n", lineno);
    return -1;
}

int
main (int argc, char **argv)
{
    s_forge_t self = { .publisher = "forger", .wait_ms = 10000 };
    const char *endpoint = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv [i], "--bind") == 0 && i + 1 < argc)
            endpoint = argv [++i];
        else
        if (strcmp (argv [i], "--publisher") == 0 && i + 1 < argc)
            self.publisher = argv [++i];
        else
        if (strcmp (argv [i], "--wait-ms") == 0 && i + 1 < argc)
            self.wait_ms = atoi (argv [++i]);
        else {
            fprintf (stderr, "usage: hb-forge --bind ENDPOINT [--publisher NAME] [--wait-ms MS] <SCRIPT\n");
            return 2;
        }
    }
    if (!endpoint) {
        fprintf (stderr, "usage: hb-forge --bind ENDPOINT [--publisher NAME] [--wait-ms MS] <SCRIPT\n");
        return 2;
    }
    zsys_init ();
    zsys_set_linger (2000);         //  what was sent goes out before the exit
    self.epoch = (uint64_t) hb_wall_ns ();
    self.sock = zsock_new (ZMQ_XPUB);
    if (!self.sock)
        return 1;
    zsock_set_xpub_verbose (self.sock, 1);
    if (zsock_bind (self.sock, "%s", endpoint) == -1) {
        fprintf (stderr, "hb-forge: cannot bind %s: %s\n", endpoint, zmq_strerror (zmq_errno ()));
        zsock_destroy (&self.sock);
        return 1;
    }
    char line [2048];
    int lineno = 0, rc = 0;
    while (rc == 0 && fgets (line, sizeof line, stdin)) {
        lineno++;
        rc = s_line (&self, line, lineno);
    }
    zsock_destroy (&self.sock);
    return rc == 0 ? 0 : 1;
}
