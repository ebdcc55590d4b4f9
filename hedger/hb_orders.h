/*  hb_orders: the hedger's order table, and the proof that the fills of
    our orders are in the aggregator's picture.

    The hedger nets what it has in flight against each request: an order
    counts (asset units, signed) from its intent until the aggregator's
    positions hold all it filled. This class holds the orders and answers
    that question; the hedger (hb_hedger.c) decides what happens to them
    (journal, sends, acks, timeouts) and writes their fields directly:
    an order is a record, the table is the object.

    The proof (docs/OPERATIONS.md, Restarts): the aggregator names the
    last fill it applied on each position state (pos.<asset>.<venue>.
    <symbol>, last_fill, and that fill message's place), and the next
    pos.<asset> of the same epoch or a later one includes everything named
    before it. A fill is held by a request whose picture (its pos.<asset>
    input) is at or after the inclusion, or whose inputs name the fill
    message itself (the exact rule, the same in a replay). An order all of
    whose fills are included is proven: hb_orders_new's proven callback is
    called once, so that the hedger journals it.

    Orders take the lowest free slot, so the slots in use are a prefix of
    the table and every walk stops at hb_orders_count: the table holds
    4,096 orders of over a kilobyte, and walking all of it per message was
    the hedger's whole latency budget.                                    */
#ifndef HB_ORDERS_H
#define HB_ORDERS_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_config.h"
#include "hb_msg.h"

#define HB_ORDERS_MAX       4096
#define HB_ORDER_FILLS      8       //  fills of one order known one by one; more are "unseen"
#define HB_ORDERS_QTY_EPS   1e-9    //  relative: quantities this close are equal

//  One fill of ours as the feed published it (fill.<venue>.<symbol>), and
//  from which pos.<asset> of the aggregator on it is known to include it
typedef struct {
    char     fill_id [HB_ID_MAX];
    double   qty;                   //  instrument units
    uint64_t rank;                  //  when we saw it, among every fill of ours
    bool     named;                 //  a position state of epoch named_epoch named it
    uint64_t named_epoch;
    bool     included;              //  in pos.<asset> from (epoch, seq) on
    uint64_t epoch, seq;
    //  its message's envelope (none when read back from an old journal):
    //  a request naming fill.<venue>.<symbol> of this publisher and epoch
    //  at this seq or later holds it (risk applied it: docs/RISK.md)
    bool     has_msg;
    char     publisher [HB_NAME_MAX];
    uint64_t msg_epoch, msg_seq;
} hb_orders_fill_t;

typedef struct {
    bool     used;
    bool     final;
    bool     timed_out;             //  in doubt: no final ack by order_timeout_ms
    bool     answered;              //  the venue said something about the order itself
    bool     no_release;            //  its unfilled part stays in the day total
    bool     replayed;              //  read back from the journal at start
    bool     cancel_sent;           //  a rejected ack is ambiguous (the order's or the cancel's)
    bool     proven;                //  its whole filled part is in pos.<asset> from (p_epoch, p_seq)
    char     client_id [HB_ID_MAX];
    int      venue, instrument, asset;
    uint8_t  side;
    double   qty;                   //  instrument units
    double   mult;                  //  asset units per instrument unit
    double   px;
    double   filled;                //  instrument units: the final ack's, or the fills' if more
    int64_t  sent_ns;               //  when its request was applied (the engine's now)
    int64_t  pub_ns;                //  wall clock when it was handed to the bus (at most)
    int64_t  last_ns;               //  final ack (or the intent)
    int64_t  done_ns;               //  when it stopped counting for the newest picture
    uint64_t final_rank;            //  fill rank when it became final (ordering proof)
    uint64_t p_epoch, p_seq;
    int      n_fills;
    double   seen_qty;              //  sum of the fills seen
    hb_orders_fill_t fills [HB_ORDER_FILLS];
} hb_orders_entry_t;

//  A picture of the aggregator: the pos.<asset> (epoch, seq) a request
//  was computed from (its input), or the newest seen
typedef struct {
    bool     known;
    uint64_t epoch, seq;
} hb_orders_pos_t;

//  order became proven (its fields p_epoch, p_seq, done_ns set); how says
//  by what ("named", "a later fill")
typedef void (hb_orders_proven_fn) (void *arg, hb_orders_entry_t *order, const char *how);

typedef struct _hb_orders_t hb_orders_t;

//  An empty table for the instruments of cfg (kept, not owned). NULL when
//  out of memory.
hb_orders_t *
    hb_orders_new (const hb_config_t *cfg, hb_orders_proven_fn *proven, void *arg);

void
    hb_orders_destroy (hb_orders_t **self_p);

//  The order with client_id, NULL when there is none
hb_orders_entry_t *
    hb_orders_find (hb_orders_t *self, const char *client_id);

//  A free slot at now_ns: never used, or finished and counting for
//  nothing for longer than a request can be late. NULL when the table is
//  full. The caller fills it (used = true).
hb_orders_entry_t *
    hb_orders_slot (hb_orders_t *self, int64_t now_ns);

//  Slots ever handed out: the orders are hb_orders_at (self, 0 .. count - 1),
//  unused ones included
int
    hb_orders_count (const hb_orders_t *self);

hb_orders_entry_t *
    hb_orders_at (hb_orders_t *self, int index);

//  Fills of ours seen (and replayed) so far, in order: an order's
//  final_rank is this when it became final
uint64_t
    hb_orders_rank (const hb_orders_t *self);

//  Fill fill_id of qty instrument units of order, from publisher's
//  message (epoch, seq) (publisher NULL: its place is not known). A fill
//  order already has changes nothing: false. Past HB_ORDER_FILLS the fill
//  is counted in the rank only, its part stays unseen.
bool
    hb_orders_add_fill (hb_orders_t *self, hb_orders_entry_t *order, const char *fill_id, double qty,
                        const char *publisher, uint64_t epoch, uint64_t seq);

//  A final order whose every fill is included becomes proven (the
//  callback is called)
void
    hb_orders_check_proven (hb_orders_t *self, hb_orders_entry_t *order, int64_t now_ns);

//  pos.<asset>.<venue>.<symbol> of the aggregator: the fill it names,
//  and every fill of ours of that feed epoch at or before it, will be in
//  its next pos.<asset>
void
    hb_orders_on_position (hb_orders_t *self, const hb_msg_t *msg);

//  pos.<asset> of the aggregator: the newest picture of asset (index in
//  the config); the fills named before it are in it
void
    hb_orders_on_exposure (hb_orders_t *self, const hb_msg_t *msg, int asset, int64_t now_ns);

//  The newest pos.<asset> seen (known false before the first)
hb_orders_pos_t
    hb_orders_newest (const hb_orders_t *self, int asset);

//  The picture request req was computed from for asset (name): its
//  pos.<asset> input, from the aggregator positions come from
hb_orders_pos_t
    hb_orders_request_pos (const hb_orders_t *self, const hb_risk_hedge_t *req, const char *asset);

//  What order still counts for (asset units, signed), as seen by request
//  req (NULL: none) on picture pos (NULL: none). Not final yet, or in
//  doubt: all of it. Final: what filled, less the fills pos includes or
//  req names.
double
    hb_orders_flight (const hb_orders_t *self, const hb_orders_entry_t *order, const hb_orders_pos_t *pos,
                      const hb_risk_hedge_t *req);

//  The sum of hb_orders_flight over the orders of asset that trade its
//  delta (option legs count in the positions only, docs/RISK.md)
double
    hb_orders_asset_flight (const hb_orders_t *self, int asset, const hb_orders_pos_t *pos,
                            const hb_risk_hedge_t *req);

#endif
