/*  hb_msg_spec: see hb_msg_spec.h. Written from docs/PROTOCOL.md, not from
    hb_msg.c: the two agreeing is what the layout tests check.            */
#include "hb_msg_spec.h"

#include <assert.h>

static void
s_pack_val (msgpack_packer *pk, const hb_spec_val_t *v)
{
    switch (v->kind) {
        case HB_SPEC_UINT: msgpack_pack_uint64 (pk, v->u); break;
        case HB_SPEC_INT:  msgpack_pack_int64 (pk, v->i); break;
        case HB_SPEC_F64:  msgpack_pack_double (pk, v->d); break;
        case HB_SPEC_F32:  msgpack_pack_float (pk, (float) v->d); break;
        case HB_SPEC_STR:
            msgpack_pack_str (pk, v->n);
            msgpack_pack_str_body (pk, v->s, v->n);
            break;
        case HB_SPEC_BIN:
            msgpack_pack_bin (pk, v->n);
            msgpack_pack_bin_body (pk, v->s, v->n);
            break;
        case HB_SPEC_NIL:  msgpack_pack_nil (pk); break;
        case HB_SPEC_MAP:
            msgpack_pack_map (pk, 1);
            msgpack_pack_str (pk, 1);
            msgpack_pack_str_body (pk, "k", 1);
            msgpack_pack_true (pk);
            break;
        case HB_SPEC_LEVELS:
        case HB_SPEC_INT_LEVELS:
            msgpack_pack_array (pk, v->n);
            for (size_t i = 0; i < v->n; i++)
                if (v->kind == HB_SPEC_LEVELS)
                    msgpack_pack_double (pk, v->values [i]);
                else
                    msgpack_pack_int64 (pk, (int64_t) v->values [i]);
            break;
        case HB_SPEC_ITEMS:
            msgpack_pack_array (pk, v->n);
            for (size_t i = 0; i < v->n; i++)
                s_pack_val (pk, &v->items [i]);
            break;
        default:
            assert (false && "no such value kind");
    }
}

void
hb_msg_spec_pack (const hb_msg_spec_t *self, msgpack_sbuffer *sb)
{
    msgpack_sbuffer_init (sb);
    msgpack_packer pk;
    msgpack_packer_init (&pk, sb, msgpack_sbuffer_write);
    bool full = self->n_env == 8;
    msgpack_pack_array (&pk, self->n_env + (full? 1 + self->extra_top: 0));
    for (size_t i = 0; i < self->n_env; i++)
        s_pack_val (&pk, &self->env [i]);
    if (!full)
        return;
    if (self->body_is_map)
        msgpack_pack_map (&pk, self->n_body);
    else
        msgpack_pack_array (&pk, self->n_body);
    for (size_t i = 0; i < self->n_body; i++) {
        if (self->body_is_map)
            msgpack_pack_uint64 (&pk, i);
        s_pack_val (&pk, &self->body [i]);
    }
    for (size_t i = 0; i < self->extra_top; i++)
        msgpack_pack_nil (&pk);
}

static size_t
s_flatten (double *out, const hb_level_t *levels, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        out [2 * i] = levels [i].px;
        out [2 * i + 1] = levels [i].qty;
    }
    return 2 * count;
}

void
hb_msg_spec_of (hb_msg_spec_t *self, const hb_msg_t *msg)
{
    assert (self && msg);
    memset (self, 0, sizeof *self);
    const hb_env_t *e = &msg->env;
    hb_spec_val_t env [8] = { U (2), U (e->type), S (e->publisher), U (e->epoch), U (e->seq),
                              I (e->ts_venue), I (e->ts_recv), I (e->ts_pub) };
    memcpy (self->env, env, sizeof env);
    self->n_env = 8;
    hb_spec_val_t *b = self->body;
    switch (e->type) {
        case HB_MSG_TICK: {
            const hb_tick_t *t = &msg->u.tick;
            size_t nb = s_flatten (self->bids, t->bids, t->n_bids);
            size_t na = s_flatten (self->asks, t->asks, t->n_asks);
            hb_spec_val_t v [] = { S (t->venue), S (t->symbol), U (t->flags), D (t->mark),
                                   D (t->mark_iv), D (t->underlying), LV (self->bids, nb),
                                   LV (self->asks, na) };
            memcpy (b, v, sizeof v);
            self->n_body = 8;
            break;
        }
        case HB_MSG_TRADE: {
            const hb_trade_t *t = &msg->u.trade;
            hb_spec_val_t v [] = { S (t->venue), S (t->symbol), S (t->trade_id), U (t->side),
                                   D (t->px), D (t->qty) };
            memcpy (b, v, sizeof v);
            self->n_body = 6;
            break;
        }
        case HB_MSG_ORDER: {
            const hb_order_t *o = &msg->u.order;
            hb_spec_val_t v [] = { S (o->venue), S (o->symbol), S (o->client_id), U (o->side),
                                   U (o->ord_type), U (o->tif), D (o->qty), D (o->px) };
            memcpy (b, v, sizeof v);
            self->n_body = 8;
            break;
        }
        case HB_MSG_CANCEL: {
            const hb_cancel_t *c = &msg->u.cancel;
            hb_spec_val_t v [] = { S (c->venue), S (c->symbol), S (c->client_id) };
            memcpy (b, v, sizeof v);
            self->n_body = 3;
            break;
        }
        case HB_MSG_ACK: {
            const hb_ack_t *a = &msg->u.ack;
            hb_spec_val_t v [] = { S (a->venue), S (a->symbol), S (a->client_id), S (a->order_id),
                                   U (a->status), U (a->reason), S (a->text), D (a->filled_qty),
                                   D (a->leaves_qty) };
            memcpy (b, v, sizeof v);
            self->n_body = 9;
            break;
        }
        case HB_MSG_FILL: {
            const hb_fill_t *f = &msg->u.fill;
            hb_spec_val_t v [] = { S (f->venue), S (f->symbol), S (f->client_id), S (f->order_id),
                                   S (f->fill_id), U (f->side), U (f->liquidity), D (f->px),
                                   D (f->qty), D (f->fee), S (f->fee_asset), U (f->flags) };
            memcpy (b, v, sizeof v);
            self->n_body = 12;
            break;
        }
        case HB_MSG_HEARTBEAT: {
            const hb_heartbeat_t *h = &msg->u.heartbeat;
            hb_spec_val_t v [] = { S (h->component), U (h->uptime_ms), U (h->last_seq),
                                   U (h->msgs_in), U (h->msgs_out), U (h->gaps), U (h->drops),
                                   U (h->decode_errors), U (h->restarts_seen),
                                   U (h->queue_depth), U (h->lat_p50_ns), U (h->lat_p99_ns),
                                   U (h->lat_p999_ns), U (h->status) };
            memcpy (b, v, sizeof v);
            self->n_body = 14;
            break;
        }
        case HB_MSG_HEDGER_CONTROL: {
            const hb_hedger_control_t *c = &msg->u.hedger_control;
            hb_spec_val_t v [] = { S (c->id), U (c->command), S (c->by), S (c->text),
                                   U (c->canceled) };
            memcpy (b, v, sizeof v);
            self->n_body = 5;
            break;
        }
        case HB_MSG_APPLOG: {
            const hb_applog_msg_t *a = &msg->u.applog;
            hb_spec_val_t v [] = { U (a->first), U (a->count),
                                   { .kind = HB_SPEC_BIN, .s = (const char *) a->data, .n = a->size } };
            memcpy (b, v, sizeof v);
            self->n_body = 3;
            break;
        }
        case HB_MSG_CAPITAL_PLAN: {
            const hb_capital_plan_t *p = &msg->u.capital_plan;
            for (int i = 0; i < p->n_transfers; i++) {
                const hb_capital_transfer_t *t = &p->transfers [i];
                hb_spec_val_t item [11] = { S (t->route), S (t->from), S (t->to), S (t->asset),
                                            S (t->network), D (t->amount), D (t->amount_usd),
                                            D (t->fee), D (t->delay_s), D (t->spread_s), I (t->eta_ns) };
                memcpy (self->items + 11 * i, item, sizeof item);
            }
            hb_spec_val_t v [] = { S (p->venue), U (p->flags), U (p->reason), I (p->direction),
                                   U (p->plan), D (p->equity_usd), D (p->maintenance_usd),
                                   D (p->stress_loss_usd), D (p->required_usd), D (p->surplus_usd),
                                   D (p->available_usd), D (p->liq_s), D (p->covered_usd),
                                   U (p->n_transfers),
                                   { .kind = HB_SPEC_ITEMS, .items = self->items,
                                     .n = (size_t) p->n_transfers * 11 } };
            memcpy (b, v, sizeof v);
            self->n_body = 15;
            break;
        }
        case HB_MSG_ACCOUNT: {
            const hb_account_t *a = &msg->u.account;
            for (int i = 0; i < a->n_positions; i++) {
                const hb_account_position_t *p = &a->positions [i];
                hb_spec_val_t item [6] = { S (p->symbol), D (p->qty), D (p->entry_px),
                                           D (p->unrealized_usd), D (p->liq_px), D (p->funding_usd) };
                memcpy (self->items + 6 * i, item, sizeof item);
            }
            hb_spec_val_t v [] = { S (a->venue), U (a->flags), D (a->equity_usd), D (a->initial_usd),
                                   D (a->maintenance_usd), D (a->withdrawable_usd), D (a->funding_usd),
                                   U (a->n_other), U (a->n_positions),
                                   { .kind = HB_SPEC_ITEMS, .items = self->items,
                                     .n = (size_t) a->n_positions * 6 } };
            memcpy (b, v, sizeof v);
            self->n_body = 10;
            break;
        }
        case HB_MSG_INSTRUMENT: {
            const hb_instrument_t *i = &msg->u.instrument;
            hb_spec_val_t v [] = { S (i->venue), S (i->symbol), S (i->asset), U (i->kind), U (i->flags),
                                   D (i->multiplier), D (i->tick_size), D (i->lot_size), D (i->min_qty),
                                   I (i->expiry_ns), D (i->strike), S (i->settle), S (i->underlying),
                                   I (0) };
            memcpy (b, v, sizeof v);
            self->n_body = 14;
            break;
        }
        default:
            assert (false && "no spec for this message type");
    }
}
