/*  hb_console: see hb_console.h. */
#include "hb_console.h"
#include "hb_log.h"
#include "hb_pub.h"
#include "hb_sub.h"
#include "hb_time.h"

#include <errno.h>
#include <string.h>

struct _hb_console_t {
    const hb_venue_cfg_t *venue;
    hb_pub_t             *pub;
    hb_sub_t             *sub;
    char                  hb_topic [HB_TOPIC_MAX];   //  the feed's heartbeat
    hb_msg_t              msg;
    char                  line [8192];
};

hb_console_t *
hb_console_new (const hb_config_t *config, const char *component, const char *venue)
{
    assert (config && component && venue);
    const hb_component_cfg_t *comp = hb_config_component (config, component);
    const hb_venue_cfg_t *ven = hb_config_venue (config, venue);
    if (!comp || !comp->endpoint [0] || !comp->sends_orders) {
        hb_error ("%s: components: no component '%s' with an endpoint and orders: true "
                  "(feeds only listen to those)", config->path, component);
        return NULL;
    }
    if (!ven) {
        hb_error ("%s: venues: no venue named '%s'", config->path, venue);
        return NULL;
    }
    hb_console_t *self = (hb_console_t *) zmalloc (sizeof *self);
    if (!self)
        return NULL;
    self->venue = ven;
    snprintf (self->hb_topic, sizeof self->hb_topic, "hb.feed.%s", ven->name);
    self->pub = hb_pub_new (comp->endpoint, comp->name, 0);
    self->sub = hb_sub_new (0);
    char ack [HB_TOPIC_MAX], fill [HB_TOPIC_MAX];
    snprintf (ack, sizeof ack, "ack.%s.", ven->name);
    snprintf (fill, sizeof fill, "fill.%s.", ven->name);
    if (!self->pub || !self->sub
    ||  hb_sub_connect (self->sub, ven->endpoint)
    ||  hb_sub_subscribe (self->sub, ack)
    ||  hb_sub_subscribe (self->sub, fill)
    ||  hb_sub_subscribe (self->sub, self->hb_topic)) {
        hb_error ("cannot set up the bus (%s, %s)", comp->endpoint, ven->endpoint);
        hb_console_destroy (&self);
        return NULL;
    }
    return self;
}

void
hb_console_destroy (hb_console_t **self_p)
{
    assert (self_p);
    hb_console_t *self = *self_p;
    if (!self)
        return;
    hb_sub_destroy (&self->sub);
    hb_pub_destroy (&self->pub);
    free (self);
    *self_p = NULL;
}

static int
s_left_ms (int64_t deadline)
{
    int64_t left = (deadline - hb_mono_ns ()) / HB_NS_PER_MS;
    return left > 0 ? (int) left : 0;
}

int
hb_console_wait_ready (hb_console_t *self, int timeout_ms)
{
    assert (self);
    int64_t deadline = hb_mono_ns () + (int64_t) timeout_ms * HB_NS_PER_MS;
    char topic [HB_TOPIC_MAX];
    snprintf (topic, sizeof topic, "order.%s.", self->venue->name);
    //  exactly the feed's own prefix: a tap or recorder subscribed to all of
    //  "order." is no proof that the feed is there
    if (hb_pub_wait_prefix (self->pub, topic, timeout_ms)) {
        hb_error ("feed.%s has not subscribed to our orders within %d ms: is it running?",
                  self->venue->name, timeout_ms);
        return -1;
    }
    //  A heartbeat proves our subscriptions reached the feed: acks and
    //  fills published from now on reach us.
    while (true) {
        int left = s_left_ms (deadline);
        if (left == 0)
            break;
        if (hb_sub_recv (self->sub, topic, sizeof topic, &self->msg, NULL, left)) {
            if (errno == EPROTO || errno == EAGAIN)
                continue;
            return -1;                  //  interrupted
        }
        if (strcmp (topic, self->hb_topic) == 0)
            return 0;
    }
    hb_error ("no heartbeat from feed.%s within %d ms", self->venue->name, timeout_ms);
    return -1;
}

//  Sends the cancel of order and writes it to out: 0 or -1 (logged).
static int
s_cancel (hb_console_t *self, const hb_order_t *order, FILE *out)
{
    hb_msg_t cancel;
    memset (&cancel, 0, sizeof cancel);
    cancel.env.type = HB_MSG_CANCEL;
    cancel.env.ts_recv = hb_wall_ns ();
    memcpy (cancel.u.cancel.venue, order->venue, HB_NAME_MAX);
    memcpy (cancel.u.cancel.symbol, order->symbol, HB_NAME_MAX);
    memcpy (cancel.u.cancel.client_id, order->client_id, HB_ID_MAX);
    if (hb_pub_send (self->pub, NULL, &cancel)) {
        hb_error ("cancel of %s not sent", order->client_id);
        return -1;
    }
    char topic [HB_TOPIC_MAX];
    if (hb_msg_topic (&cancel, topic) < 0)
        topic [0] = 0;
    hb_msg_to_json (&cancel, topic, self->line, sizeof self->line);
    fprintf (out, "%s\n", self->line);
    fflush (out);
    return 0;
}

int
hb_console_order (hb_console_t *self, hb_order_t *order, FILE *out, int timeout_ms,
                  int cancel_after_ms)
{
    assert (self && order && out);
    memcpy (order->venue, self->venue->name, HB_NAME_MAX);
    hb_msg_t *msg = &self->msg;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_ORDER;
    msg->env.ts_recv = hb_wall_ns ();
    msg->u.order = *order;
    if (hb_pub_send (self->pub, NULL, msg)) {
        hb_error ("order %s not sent: invalid (check side, type, quantity and price)",
                  order->client_id);
        return -1;
    }
    char topic [HB_TOPIC_MAX];
    if (hb_msg_topic (msg, topic) < 0)
        topic [0] = 0;
    hb_msg_to_json (msg, topic, self->line, sizeof self->line);
    fprintf (out, "%s\n", self->line);
    fflush (out);

    int64_t deadline = hb_mono_ns () + (int64_t) timeout_ms * HB_NS_PER_MS;
    int64_t cancel_at = 0;          //  mono ns the cancel goes at (0: not yet accepted)
    bool canceled = false;
    while (true) {
        int left = s_left_ms (deadline);
        if (left == 0)
            break;
        if (cancel_at > 0 && !canceled) {
            int until = s_left_ms (cancel_at);
            if (until == 0) {
                if (s_cancel (self, order, out))
                    return -1;
                canceled = true;
            }
            else
            if (until < left)
                left = until;
        }
        if (hb_sub_recv (self->sub, topic, sizeof topic, msg, NULL, left)) {
            if (errno == EPROTO || errno == EAGAIN)
                continue;
            return -1;
        }
        const char *client_id = msg->env.type == HB_MSG_ACK ? msg->u.ack.client_id
                              : msg->env.type == HB_MSG_FILL ? msg->u.fill.client_id : NULL;
        if (!client_id || strcmp (client_id, order->client_id) != 0)
            continue;
        hb_msg_to_json (msg, topic, self->line, sizeof self->line);
        fprintf (out, "%s\n", self->line);
        fflush (out);
        if (msg->env.type == HB_MSG_ACK && msg->u.ack.status != HB_ACK_ACCEPTED)
            return msg->u.ack.status;
        if (msg->env.type == HB_MSG_ACK && cancel_after_ms >= 0 && cancel_at == 0)
            cancel_at = hb_mono_ns () + (int64_t) cancel_after_ms * HB_NS_PER_MS;
    }
    hb_error ("no final ack for order %s within %d ms", order->client_id, timeout_ms);
    return -1;
}
