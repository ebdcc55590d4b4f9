/*  hb_hedger_kill: the hedger's side of the kill switch (see hb_hedger.h
    and hb_killswitch.h): applying a kill or a reset, from the kill file or
    a hedger.control command, and canceling the working orders.             */
#include "hb_hedger_int.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hb_log.h"

//  A cancel for every order sent without a final ack; returns how many
static uint32_t
s_cancel_working (hb_hedger_t *self, int64_t now_ns)
{
    uint32_t n = 0;
    for (int i = 0; i < HB_HEDGERI_MAX_ORDERS; i++) {
        hb_hedgeri_order_t *order = &self->orders [i];
        if (!order->used || order->final || order->cancel_sent)
            continue;
        const hb_venue_cfg_t *venue = &self->cfg->venues [order->venue];
        hb_msg_t *msg = &self->out;
        memset (msg, 0, sizeof *msg);
        msg->env.type = HB_MSG_CANCEL;
        msg->env.ts_recv = now_ns;
        hb_cancel_t *c = &msg->u.cancel;
        snprintf (c->venue, sizeof c->venue, "%s", venue->name);
        snprintf (c->symbol, sizeof c->symbol, "%s", venue->instruments [order->instrument].symbol);
        snprintf (c->client_id, sizeof c->client_id, "%s", order->client_id);
        char topic [HB_TOPIC_MAX];
        hb_msg_topic (msg, topic);
        if (self->send (topic, msg, self->send_arg) != 0)
            hb_error ("hedger: cannot send the cancel of %s", order->client_id);
        order->cancel_sent = true;
        self->stats.cancels++;
        n++;
    }
    return n;
}

//  The applied command, on hedger.control: who, why, what was canceled
static void
s_echo (hb_hedger_t *self, const hb_hedger_control_t *applied, uint32_t canceled, int64_t now_ns)
{
    hb_msg_t *msg = &self->out;
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_HEDGER_CONTROL;
    msg->env.ts_recv = now_ns;
    msg->u.hedger_control = *applied;
    msg->u.hedger_control.canceled = canceled;
    if (self->send ("hedger.control", msg, self->send_arg) != 0)
        hb_warn ("hedger: cannot publish the kill switch's state on hedger.control");
}

void
hb_hedgeri_apply_kill (hb_hedger_t *self, const hb_hedger_control_t *by, int64_t now_ns)
{
    hb_controls_set_killed (self->controls, true);
    hb_metric_set (self->m_kill, 1);
    uint32_t canceled = s_cancel_working (self, now_ns);
    hb_warn ("hedger: KILL SWITCH SET by %s (%s): %s; %u working orders canceled; no order "
             "until reset", by->by, by->id, by->text, canceled);
    s_echo (self, by, canceled, now_ns);
}

static void
s_apply_reset (hb_hedger_t *self, const hb_hedger_control_t *by, int64_t now_ns)
{
    hb_controls_set_killed (self->controls, false);
    hb_metric_set (self->m_kill, 0);
    hb_warn ("hedger: kill switch reset by %s (%s): %s", by->by, by->id, by->text);
    s_echo (self, by, 0, now_ns);
}

void
hb_hedger_check_kill (hb_hedger_t *self, int64_t now_ns)
{
    assert (self);
    hb_hedger_control_t change;
    if (hb_killswitch_poll (self->kill, &change) == 0)
        return;
    if (change.command == HB_CONTROL_KILL)
        hb_hedgeri_apply_kill (self, &change, now_ns);
    else
        s_apply_reset (self, &change, now_ns);
}

int
hb_hedger_on_control (hb_hedger_t *self, const hb_msg_t *msg, int64_t now_ns)
{
    assert (self && msg);
    if (msg->env.type != HB_MSG_HEDGER_CONTROL)
        return -1;
    const hb_hedger_control_t *command = &msg->u.hedger_control;
    char detail [HB_TEXT_MAX];
    hb_hedger_check_kill (self, now_ns);
    if (command->command == HB_CONTROL_KILL) {
        //  never refused: stopping is always safe
        if (hb_killswitch_set (self->kill, command) != 0) {
            hb_error ("hedger: kill switch latched but NOT persisted in %s: %s (a restart "
                      "clears it)", self->cfg->hedger.kill_file, strerror (errno));
            snprintf (detail, sizeof detail, "kill by %s not persisted: %s", command->by,
                      strerror (errno));
            hb_hedgeri_reject (self, command->id, NULL, NULL, "kill_not_persisted", 0, detail);
        }
        self->stats.controls++;
        hb_hedgeri_apply_kill (self, command, now_ns);
        return 0;
    }
    //  a reset re-arms the hedger: an old one (a replayed recording) must not
    int64_t sent_ns = msg->env.ts_pub? msg->env.ts_pub: msg->env.ts_recv;
    int64_t age_ms = (now_ns - sent_ns) / 1000000;
    if (age_ms > self->cfg->hedger.max_request_age_ms) {
        snprintf (detail, sizeof detail, "reset by %s: age %lld ms > max_request_age_ms %d",
                  command->by, (long long) age_ms, self->cfg->hedger.max_request_age_ms);
        hb_hedgeri_reject (self, command->id, NULL, NULL, "stale_control", 0, detail);
        return -1;
    }
    if (hb_killswitch_set (self->kill, command) != 0) {
        snprintf (detail, sizeof detail, "reset by %s: cannot remove the kill file: %s",
                  command->by, strerror (errno));
        hb_hedgeri_reject (self, command->id, NULL, NULL, "reset_failed", 0, detail);
        return -1;
    }
    self->stats.controls++;
    s_apply_reset (self, command, now_ns);
    return 0;
}

bool
hb_hedger_killed (hb_hedger_t *self)
{
    assert (self);
    return hb_killswitch_killed (self->kill);
}

int
hb_hedger_kill_file_set (const hb_config_t *cfg, bool killed)
{
    assert (cfg);
    hb_hedger_control_t command = {
        .command = killed? HB_CONTROL_KILL: HB_CONTROL_RESET, .id = "hb-hedger", .by = "hb-hedger"
    };
    return hb_killswitch_file_set (cfg->hedger.kill_file, &command);
}
