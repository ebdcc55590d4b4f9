/*  hb_hedger_int: what the three parts of the hedger share. hb_hedger.c
    holds construction, requests to orders (routing, controls, sending)
    and market input; hb_hedger_order.c the order table and its life cycle
    (journal, replay, acks, timeouts, crash points); hb_hedger_kill.c the
    kill switch, which cancels what the order table holds as working.
    Internal to those three files.                                          */
#ifndef HB_HEDGER_INT_H
#define HB_HEDGER_INT_H

#include "hb_hedger.h"
#include "hb_asof.h"
#include "hb_controls.h"
#include "hb_journal.h"
#include "hb_killswitch.h"
#include "hb_metrics.h"
#include "hb_route.h"

#define HB_HEDGERI_MAX_ORDERS   4096
#define HB_HEDGERI_SEEN_IDS     64          //  request ids remembered against repeats

typedef struct {
    bool     used;
    bool     final;
    bool     timed_out;
    bool     cancel_sent;           //  by the kill switch: a rejected ack is ambiguous
    char     client_id [HB_ID_MAX];
    int      venue, instrument, asset;
    uint8_t  side;
    double   qty;                   //  instrument units
    double   mult;                  //  asset units per instrument unit
    double   px;
    double   filled;                //  instrument units, from the final ack
    int64_t  sent_ns;
    int64_t  last_ns;               //  final ack (or the intent)
} hb_hedgeri_order_t;

typedef struct {
    bool     known;
    double   equity, initial;
} hb_hedgeri_margin_t;

struct _hb_hedger_t {
    const hb_config_t *cfg;
    hb_hedger_send_fn *send;
    void          *send_arg;
    hb_journal_t  *journal;
    hb_controls_t *controls;
    hb_killswitch_t *kill;
    bool           broken;          //  the journal failed: no more orders
    hb_asof_t     *asof;            //  books by data time, acks ahead of their order
    int64_t        data_ns;         //  the latest data time seen from a venue
    int64_t        data_wall;       //  the wall clock then
    hb_hedgeri_margin_t margins [HB_MAX_VENUES];
    double         gross [HB_MAX_ASSETS];
    hb_hedgeri_order_t *orders;     //  HB_HEDGERI_MAX_ORDERS
    char           seen [HB_HEDGERI_SEEN_IDS][HB_ID_MAX];
    int            seen_next;
    hb_hedger_stats_t stats;
    hb_msg_t       out;
    hb_route_plan_t plan;
    hb_route_cand_t cands [HB_ROUTE_MAX_CANDIDATES];
    int            cand_venue [HB_ROUTE_MAX_CANDIDATES];
    int            cand_instr [HB_ROUTE_MAX_CANDIDATES];
    hb_hedger_crash_t crash;        //  the restart tests' injected kill -9
    int            crash_left;      //  points of that kind to pass before it
    //  process metrics (docs/OPERATIONS.md, Metrics)
    hb_metric_t   *m_requests, *m_refused, *m_orders, *m_leg_rejects, *m_fills;
    hb_metric_t   *m_kill;          //  hb_hedger_kill_switch: 1 set, 0 clear
    hb_metric_t   *m_decision;      //  hb_decision_latency_seconds{component="hedger"}
    int64_t        input_ts;        //  ts_pub of the risk.hedge being decided, 0 outside
};

static inline double
hb_hedgeri_sign (uint8_t side)
{
    return side == HB_SIDE_BUY? 1.0: -1.0;
}

//  Publishes a hedger.reject (hb_hedger.c); asset, venue and detail may be
//  NULL, a non-finite qty is sent as 0. A failed publish is logged only.
void hb_hedgeri_reject (hb_hedger_t *self, const char *request_id, const char *asset,
                        const char *venue, const char *reason, double qty, const char *detail);

//  The order table (hb_hedger_order.c).

//  The order with client_id, NULL when there is none.
hb_hedgeri_order_t *hb_hedgeri_order_find (hb_hedger_t *self, const char *client_id);

//  A free slot at now_ns: never used, or final and settled long ago. NULL
//  when the table is full.
hb_hedgeri_order_t *hb_hedgeri_order_slot (hb_hedger_t *self, int64_t now_ns);

//  Journals the intent of an order (fsync) and then, only then, fills the
//  slot order with it, sent at now_ns. 0, or -1 when the journal failed
//  (logged; the hedger is broken: no more orders).
int hb_hedgeri_order_intent (hb_hedger_t *self, hb_hedgeri_order_t *order, const char *client_id,
                             int venue, int instrument, int asset, uint8_t side, double qty,
                             double px, int64_t now_ns);

//  The ack of order (ours, found by its client id), stamped at now_ns (data
//  time): a final one ends the order and is journaled; the rest is ignored.
void hb_hedgeri_on_ack (hb_hedger_t *self, hb_hedgeri_order_t *order, const hb_ack_t *ack,
                        int64_t now_ns);

//  hb_journal_replay's callback (arg: the hedger): rebuilds the order table
//  and the day notional from the journal. Always 0; a bad record is logged
//  and skipped.
int hb_hedgeri_replay (const void *data, size_t size, uint64_t index, void *arg);

//  The injected crash, when point is armed and its count is reached.
void hb_hedgeri_crash_point (hb_hedger_t *self, hb_hedger_crash_t point, const char *client_id);

//  The kill switch (hb_hedger_kill.c): latches the kill in the controls,
//  cancels every working order and echoes the command on hedger.control.
void hb_hedgeri_apply_kill (hb_hedger_t *self, const hb_hedger_control_t *by, int64_t now_ns);

#endif
