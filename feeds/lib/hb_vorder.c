/*  hb_vorder: order checks, decimals and acks shared by venue plugins.
    See hb_vorder.h.                                                       */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "hb_vorder.h"

int
hb_vorder_check (const hb_instrument_cfg_t *inst, const hb_order_t *order, const char **text)
{
    if ((order->side != HB_SIDE_BUY && order->side != HB_SIDE_SELL) || !(order->qty > 0)
    ||  (order->ord_type != HB_ORD_MARKET && order->ord_type != HB_ORD_LIMIT)) {
        *text = "bad side, type or quantity";
        return HB_REJ_BAD_ORDER;
    }
    if (order->ord_type == HB_ORD_LIMIT && !(order->px > 0)) {
        *text = "a limit order needs a price > 0";
        return HB_REJ_BAD_PRICE;
    }
    if (order->qty < inst->min_qty) {
        *text = "below the minimum size";
        return HB_REJ_BELOW_MIN_SIZE;
    }
    if (!hb_vorder_on_grid (order->qty, inst->lot_size)) {
        *text = "not a multiple of the lot size";
        return HB_REJ_OFF_LOT;
    }
    return HB_REJ_NONE;
}

bool
hb_vorder_on_grid (double x, double unit)
{
    double q = x / unit;
    return fabs (q - round (q)) <= 1e-9 * fmax (1.0, fabs (q));
}

void
hb_vorder_decimal (double x, double unit, char *out, size_t size)
{
    int digits = 0;
    while (digits < 12 && fabs (unit * pow (10, digits) - round (unit * pow (10, digits))) > 1e-9)
        digits++;
    snprintf (out, size, "%.*f", digits, x);
    if (strchr (out, '.')) {
        char *end = out + strlen (out) - 1;
        while (*end == '0')
            *end-- = 0;
        if (*end == '.')
            *end = 0;
    }
}

void
hb_vorder_ack (hb_msg_t *msg, const char *venue, const hb_order_t *order,
               const char *order_id, int status, int reason, const char *text, double filled)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_ACK;
    hb_ack_t *ack = &msg->u.ack;
    snprintf (ack->venue, sizeof ack->venue, "%s", venue);
    snprintf (ack->symbol, sizeof ack->symbol, "%s", order->symbol);
    snprintf (ack->client_id, sizeof ack->client_id, "%s", order->client_id);
    snprintf (ack->order_id, sizeof ack->order_id, "%s", order_id? order_id: "");
    snprintf (ack->text, sizeof ack->text, "%s", text? text: "");
    ack->status = (uint8_t) status;
    ack->reason = (uint8_t) reason;
    ack->filled_qty = filled;
    ack->leaves_qty = status == HB_ACK_ACCEPTED && order->qty > filled? order->qty - filled: 0;
}
