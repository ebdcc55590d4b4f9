/*  hb_msg_sample: see hb_msg_sample.h. */
#include "hb_msg_sample.h"

#include <assert.h>
#include <float.h>
#include <string.h>

static const char *s_names [HB_MSG_SAMPLE_COUNT] = {
    "tick", "tick_top", "tick_empty", "trade", "order", "order_market", "cancel",
    "ack", "ack_rejected", "fill", "heartbeat", "edge_tick", "edge_fill",
    "edge_ack", "edge_heartbeat", "hedger_control", "applog", "capital_plan", "account",
    "instrument"
};

const char *
hb_msg_sample_name (hb_msg_sample_t which)
{
    return which < HB_MSG_SAMPLE_COUNT? s_names [which]: "unknown";
}

static void
s_env (hb_msg_t *msg, int type)
{
    memset (msg, 0, sizeof *msg);
    msg->env.version = HB_SCHEMA_VERSION;
    msg->env.type = (uint8_t) type;
    strcpy (msg->env.publisher, "feed.alpha");
    msg->env.epoch = UINT64_C (1763700000123456789);
    msg->env.seq = 42;
    msg->env.ts_venue = INT64_C (1763700001000000000);
    msg->env.ts_recv = INT64_C (1763700001000250000);
    msg->env.ts_pub = INT64_C (1763700001000260001);
}

static void
s_book (hb_tick_t *tick, int depth)
{
    tick->n_bids = tick->n_asks = (uint8_t) depth;
    for (int i = 0; i < depth; i++) {
        tick->bids [i].px = 65000.5 - 0.5 * i;
        tick->bids [i].qty = 0.1 * (i + 1);         //  not a float32: packed as float64
        tick->asks [i].px = 65001.0 + 0.5 * i;
        tick->asks [i].qty = 1.25 + i;
    }
}

void
hb_msg_sample (hb_msg_t *msg, hb_msg_sample_t which)
{
    switch (which) {
        case HB_MSG_SAMPLE_TICK:
        case HB_MSG_SAMPLE_TICK_TOP:
        case HB_MSG_SAMPLE_TICK_EMPTY: {
            s_env (msg, HB_MSG_TICK);
            hb_tick_t *t = &msg->u.tick;
            strcpy (t->venue, "alpha");
            strcpy (t->symbol, "BTC-USD");
            t->flags = HB_TICK_STALE | 0x100;       //  unknown bits travel
            t->mark = 65000.75;
            t->underlying = 64990.12;
            s_book (t, which == HB_MSG_SAMPLE_TICK? HB_BOOK_DEPTH: which == HB_MSG_SAMPLE_TICK_TOP? 1: 0);
            break;
        }
        case HB_MSG_SAMPLE_TRADE: {
            s_env (msg, HB_MSG_TRADE);
            hb_trade_t *t = &msg->u.trade;
            strcpy (t->venue, "beta");
            strcpy (t->symbol, "ETH-PERP");
            strcpy (t->trade_id, "T-991");
            t->side = HB_SIDE_SELL;
            t->px = 3150.25;
            t->qty = 0.3;
            break;
        }
        case HB_MSG_SAMPLE_ORDER:
        case HB_MSG_SAMPLE_ORDER_MARKET: {
            s_env (msg, HB_MSG_ORDER);
            hb_order_t *o = &msg->u.order;
            strcpy (o->venue, "alpha");
            strcpy (o->symbol, "SOL-USD");
            strcpy (o->client_id, "hedger-7-0001");
            o->side = HB_SIDE_BUY;
            o->ord_type = which == HB_MSG_SAMPLE_ORDER? HB_ORD_LIMIT: HB_ORD_MARKET;
            o->tif = which == HB_MSG_SAMPLE_ORDER? HB_TIF_GTC: HB_TIF_IOC;
            o->qty = 12.5;
            o->px = which == HB_MSG_SAMPLE_ORDER? 187.33: 0;
            break;
        }
        case HB_MSG_SAMPLE_CANCEL: {
            s_env (msg, HB_MSG_CANCEL);
            hb_cancel_t *c = &msg->u.cancel;
            strcpy (c->venue, "alpha");
            strcpy (c->symbol, "SOL-USD");
            strcpy (c->client_id, "hedger-7-0001");
            break;
        }
        case HB_MSG_SAMPLE_ACK:
        case HB_MSG_SAMPLE_ACK_REJECTED: {
            s_env (msg, HB_MSG_ACK);
            hb_ack_t *a = &msg->u.ack;
            strcpy (a->venue, "alpha");
            strcpy (a->symbol, "SOL-USD");
            strcpy (a->client_id, "hedger-7-0001");
            if (which == HB_MSG_SAMPLE_ACK) {
                strcpy (a->order_id, "V12345");
                a->status = HB_ACK_ACCEPTED;
                a->filled_qty = 2.5;
                a->leaves_qty = 10;
            }
            else {
                a->status = HB_ACK_REJECTED;
                a->reason = HB_REJ_INSUFFICIENT_COLLATERAL;
                strcpy (a->text, "margin 1.2M > free 0.8M");
            }
            break;
        }
        case HB_MSG_SAMPLE_FILL: {
            s_env (msg, HB_MSG_FILL);
            hb_fill_t *f = &msg->u.fill;
            strcpy (f->venue, "beta");
            strcpy (f->symbol, "BTC-INV");
            strcpy (f->client_id, "hedger-7-0002");
            strcpy (f->order_id, "B-77");
            strcpy (f->fill_id, "F-1");
            f->side = HB_SIDE_SELL;
            f->liquidity = 2;
            f->px = 64999.5;
            f->qty = 100;
            f->fee = 0.0000231;
            strcpy (f->fee_asset, "BTC");
            break;
        }
        case HB_MSG_SAMPLE_HEARTBEAT: {
            s_env (msg, HB_MSG_HEARTBEAT);
            hb_heartbeat_t *h = &msg->u.heartbeat;
            strcpy (h->component, "feed.alpha");
            h->uptime_ms = 3600001;
            h->last_seq = 99;
            h->msgs_in = 1000;
            h->msgs_out = 2000;
            h->gaps = 1;
            h->drops = 2;
            h->decode_errors = 3;
            h->restarts_seen = 4;
            h->queue_depth = 5;
            h->lat_p50_ns = 60000;
            h->lat_p99_ns = 250000;
            h->lat_p999_ns = 900000;
            h->status = 1;
            break;
        }
        //  Edges: longest strings, extreme numbers
        case HB_MSG_SAMPLE_EDGE_TICK: {
            hb_msg_sample (msg, HB_MSG_SAMPLE_TICK);
            msg->env.epoch = UINT64_MAX;
            msg->env.seq = UINT64_MAX;
            msg->env.ts_venue = 0;
            msg->env.ts_recv = INT64_MAX;
            strcpy (msg->env.publisher, HB_MSG_SAMPLE_NAME31);
            hb_tick_t *t = &msg->u.tick;
            strcpy (t->venue, HB_MSG_SAMPLE_NAME31);
            strcpy (t->symbol, "ABCDEFGHIJKLMNOPQRSTUVWXYZ01234");
            t->flags = UINT32_MAX;
            t->mark = DBL_MAX;
            t->mark_iv = 5e-324;                //  smallest denormal
            t->underlying = -0.0;               //  >= 0, and its sign survives
            t->bids [0].px = DBL_MAX;
            t->bids [9].qty = DBL_MIN;
            t->asks [9].px = 1e300;
            break;
        }
        case HB_MSG_SAMPLE_EDGE_FILL: {
            hb_msg_sample (msg, HB_MSG_SAMPLE_FILL);
            hb_fill_t *f = &msg->u.fill;
            strcpy (f->venue, HB_MSG_SAMPLE_NAME31);
            strcpy (f->symbol, HB_MSG_SAMPLE_NAME31);
            strcpy (f->client_id, HB_MSG_SAMPLE_ID47);
            strcpy (f->order_id, HB_MSG_SAMPLE_ID47);
            strcpy (f->fill_id, HB_MSG_SAMPLE_ID47);
            strcpy (f->fee_asset, HB_MSG_SAMPLE_NAME31);
            f->fee = -DBL_MAX;                  //  a rebate, however absurd
            f->qty = 5e-324;
            f->flags = UINT32_MAX;              //  bits not known yet are carried (flags gain bits)
            break;
        }
        case HB_MSG_SAMPLE_EDGE_ACK: {
            hb_msg_sample (msg, HB_MSG_SAMPLE_ACK);
            hb_ack_t *a = &msg->u.ack;
            a->status = HB_ACK_CANCELED;
            a->leaves_qty = 0;
            memset (a->text, 0xff, HB_TEXT_MAX - 1);    //  any bytes but NUL
            a->text [0] = '\n';
            strcpy (a->client_id, HB_MSG_SAMPLE_ID47);
            break;
        }
        case HB_MSG_SAMPLE_EDGE_HEARTBEAT: {
            hb_msg_sample (msg, HB_MSG_SAMPLE_HEARTBEAT);
            hb_heartbeat_t *h = &msg->u.heartbeat;
            h->uptime_ms = UINT64_MAX;
            h->last_seq = UINT64_MAX - 1;
            h->msgs_in = UINT64_MAX - 2;
            h->msgs_out = UINT64_MAX - 3;
            h->gaps = UINT64_MAX - 4;
            h->drops = UINT64_MAX - 5;
            h->decode_errors = UINT64_MAX - 6;
            h->restarts_seen = UINT64_MAX - 7;
            h->queue_depth = UINT64_MAX - 8;
            h->lat_p50_ns = UINT64_MAX - 9;
            h->lat_p99_ns = UINT64_MAX - 10;
            h->lat_p999_ns = UINT64_MAX - 11;
            h->status = UINT32_MAX;
            break;
        }
        case HB_MSG_SAMPLE_HEDGER_CONTROL: {
            s_env (msg, HB_MSG_HEDGER_CONTROL);
            memset (msg->env.publisher, 0, sizeof msg->env.publisher);
            strcpy (msg->env.publisher, "console");
            hb_hedger_control_t *c = &msg->u.hedger_control;
            strcpy (c->id, "console.1763700001000000000");
            c->command = HB_CONTROL_KILL;
            strcpy (c->by, "ops.alice");
            strcpy (c->text, "venue beta misbehaving");
            c->canceled = 3;
            break;
        }
        case HB_MSG_SAMPLE_APPLOG: {
            s_env (msg, HB_MSG_APPLOG);
            memset (msg->env.publisher, 0, sizeof msg->env.publisher);
            strcpy (msg->env.publisher, "risk");
            hb_applog_msg_t *a = &msg->u.applog;
            a->first = 1234;
            a->count = 3;
            a->size = 40;
            for (int i = 0; i < a->size; i++)
                a->data [i] = (uint8_t) (i * 7 + 1);
            break;
        }
        case HB_MSG_SAMPLE_CAPITAL_PLAN: {
            s_env (msg, HB_MSG_CAPITAL_PLAN);
            memset (msg->env.publisher, 0, sizeof msg->env.publisher);
            strcpy (msg->env.publisher, "treasury");
            hb_capital_plan_t *p = &msg->u.capital_plan;
            strcpy (p->venue, "beta");
            p->flags = HB_PLAN_SHORT | HB_PLAN_COVERED;
            p->direction = 1;
            p->plan = 4242;
            p->equity_usd = 99946.5;
            p->maintenance_usd = 32502.68;
            p->stress_loss_usd = 162513.4;
            p->required_usd = 203141.75;
            p->surplus_usd = -103195.25;
            p->liq_s = 474.25;
            p->covered_usd = 103195.25;
            p->n_transfers = 2;
            const char *routes [2] = { "usdc-arb", "btc-chain" };
            for (int i = 0; i < 2; i++) {
                hb_capital_transfer_t *t = &p->transfers [i];
                strcpy (t->route, routes [i]);
                strcpy (t->from, i ? "gamma" : "alpha");
                strcpy (t->to, "beta");
                strcpy (t->asset, i ? "BTC" : "USDC");
                strcpy (t->network, i ? "bitcoin" : "arbitrum");
                t->amount = i ? 0.5 : 70695.25;
                t->amount_usd = i ? 32500 : 70695.25;
                t->fee = i ? 0.0001 : 1;
                t->delay_s = i ? 300 : 120;
                t->spread_s = i ? 60 : 30;
                t->eta_ns = 1763700000000000000ll + (int64_t) (t->delay_s * 1e9);
            }
            break;
        }
        case HB_MSG_SAMPLE_ACCOUNT: {
            s_env (msg, HB_MSG_ACCOUNT);
            hb_account_t *a = &msg->u.account;
            strcpy (a->venue, "alpha");
            a->flags = HB_ACCOUNT_NO_SPOT;
            a->equity_usd = 100012.5;
            a->initial_usd = 39.25;
            a->maintenance_usd = 19.625;
            a->withdrawable_usd = 99973.25;
            a->funding_usd = -1.5;
            a->n_other = 3;
            a->n_positions = 2;
            const char *symbols [2] = { "BTC-PERP", "ETH-PERP" };
            for (int i = 0; i < 2; i++) {
                hb_account_position_t *p = &a->positions [i];
                strcpy (p->symbol, symbols [i]);
                p->qty = i ? -2.5 : 4;
                p->entry_px = i ? 3401.25 : 65000.75;
                p->unrealized_usd = i ? 12.5 : -0.75;
                p->liq_px = i ? 0 : 32500.5;
                p->funding_usd = i ? -0.125 : 0.25;
            }
            break;
        }
        case HB_MSG_SAMPLE_INSTRUMENT: {
            s_env (msg, HB_MSG_INSTRUMENT);
            hb_instrument_t *i = &msg->u.instrument;
            strcpy (i->venue, "gamma");
            strcpy (i->symbol, "BTC-27MAR26-80000-C");
            strcpy (i->asset, "BTC");
            i->kind = 5;
            i->flags = HB_INSTRUMENT_CALL;
            i->multiplier = 1;
            i->tick_size = 0.0005;
            i->lot_size = i->min_qty = 0.1;
            i->expiry_ns = 1774598400000000000ll;
            i->strike = 80000;
            strcpy (i->settle, "BTC");
            break;
        }
        default:
            assert (false);
    }
}

