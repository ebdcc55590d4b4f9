/*  hb_hedger_apply: one path from an applied input to the engine, live
    and in a replay (hb_hedger_apply.h).                                  */
#include "hb_hedger_apply.h"

#include <assert.h>

bool
hb_hedger_apply_wanted (const hb_msg_t *msg, hb_seq_status_t status)
{
    assert (msg);
    //  a STALE request is refused in its turn, and said so; even a STALE
    //  kill is obeyed; a STALE market message is a repeat, dropped
    return msg->env.type == HB_MSG_RISK_HEDGE || msg->env.type == HB_MSG_HEDGER_CONTROL
        || msg->env.type == HB_MSG_RISK_OPTPLAN || msg->env.type == HB_MSG_CAPITAL_REDUCE
        || status != HB_SEQ_STALE;
}

void
hb_hedger_apply_input (hb_hedger_t *hedger, const hb_msg_t *msg, hb_seq_status_t status,
                       int64_t t)
{
    assert (hedger && msg);
    if (!hb_hedger_apply_wanted (msg, status))
        return;
    if (msg->env.type == HB_MSG_RISK_HEDGE)
        hb_hedger_on_request (hedger, msg, status, t);
    else
    if (msg->env.type == HB_MSG_RISK_OPTPLAN)
        hb_hedger_on_optplan (hedger, msg, status, t);
    else
    if (msg->env.type == HB_MSG_CAPITAL_REDUCE)
        hb_hedger_on_reduce (hedger, msg, status, t);
    else
    if (msg->env.type == HB_MSG_HEDGER_CONTROL)
        hb_hedger_on_control (hedger, msg, t);
    else
        hb_hedger_on_msg (hedger, msg, t);
}

int
hb_hedger_apply_timer (hb_hedger_t *hedger, uint8_t timer, int64_t t)
{
    assert (hedger);
    if (timer == HB_HEDGER_TIMER_START)
        hb_hedger_check_timeouts (hedger, t);
    else
    if (timer == HB_HEDGER_TIMER_TIMEOUTS) {
        hb_hedger_check_timeouts (hedger, t);
        hb_hedger_check_kill (hedger, t);
    }
    else
        return -1;
    return 0;
}

int
hb_hedger_apply_blob (hb_hedger_t *hedger, uint8_t kind, const void *data, size_t size)
{
    assert (hedger);
    hb_killswitch_look_t look;
    if (kind != HB_HEDGER_BLOB_KILL || !data
    ||  hb_killswitch_look_decode ((const uint8_t *) data, size, &look) != 0)
        return -1;
    hb_hedger_kill_look (hedger, &look);
    return 0;
}
