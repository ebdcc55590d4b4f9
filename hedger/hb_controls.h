/*  hb_controls: pre-trade controls of the hedger. Pure: the clock is an
    argument, nothing touches the bus or a file; no allocation after new.

    An order is admitted only if every control passes; the first that fails
    is returned with a reason code and a detail line naming the value and
    the limit, for the hedger to publish. The order of the checks is fixed:
    kill switch, order notional, order quantity, price collar, net
    position, gross notional, day notional, order rate. The rate check comes
    last so that a refused order never spends a token.

    Limits are inclusive: an order exactly at a limit passes. The net
    position limit stops only orders that make things worse: an order that
    leaves the asset's net exposure above its limit but smaller in absolute
    value than before is admitted, since refusing it would keep the desk
    further from its limit. The gross limit assumes the order opens a
    position (a hedge usually does, on another venue): gross + qty x index.

    The day is the UTC day of now_ns: the traded notional restarts at 0 at
    midnight UTC. The order-rate throttle is a token bucket per venue of
    capacity burst, refilled at orders_per_s, full at start.              */
#ifndef HB_CONTROLS_H
#define HB_CONTROLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_config.h"

typedef enum {
    HB_CTL_OK = 0,
    HB_CTL_KILLED,                  //  the kill switch is latched
    HB_CTL_ORDER_USD,               //  order notional over max_order_usd
    HB_CTL_ORDER_QTY,               //  order quantity over max_order_qty of the asset
    HB_CTL_COLLAR,                  //  limit price beyond the collar around the index
    HB_CTL_NO_INDEX,                //  no index price to check the collar against
    HB_CTL_NET,                     //  net exposure after the order over max_net_usd
    HB_CTL_GROSS,                   //  gross exposure after the order over max_gross_usd
    HB_CTL_DAY,                     //  traded notional today would pass max_day_usd
    HB_CTL_RATE,                    //  the venue's order-rate bucket is empty
    HB_CTL_BAD_ORDER,               //  side, quantity, price, venue or asset out of range
    HB_CTL_COUNT
} hb_ctl_reason_t;

typedef struct _hb_controls_t hb_controls_t;

typedef struct {
    int      venue;                 //  index into the config's venues
    int      asset;                 //  index into the config's assets
    uint8_t  side;                  //  hb_side_t
    double   qty;                   //  asset units (> 0)
    double   px;                    //  limit price, USD per asset unit (> 0)
    double   index;                 //  the asset's index price (0: none)
    double   net_usd;               //  the asset's net exposure now, hedges in flight included
    double   gross_usd;             //  sum of |position exposure| now (aggregator's
                                    //  gross_usd summed over assets), in flight included
} hb_ctl_order_t;

//  Limits are read from cfg->hedger when each check runs (cfg must outlive
//  the controls). Returns NULL on allocation failure.
hb_controls_t *hb_controls_new (const hb_config_t *cfg);

//  NULL-safe; nulls the caller's pointer.
void hb_controls_destroy (hb_controls_t **self_p);

//  Checks order at now_ns. On HB_CTL_OK the order is counted as sent: a
//  token of its venue is spent and its notional added to today's. On any
//  other result nothing is counted and, when detail is not NULL, a line
//  like "notional 10001.00 > max_order_usd 10000.00" is written into it.
hb_ctl_reason_t hb_controls_admit (hb_controls_t *self, const hb_ctl_order_t *order, int64_t now_ns,
                                   char *detail, size_t size);

//  Sets (true) or resets (false) the latched kill switch. The caller
//  persists it; the controls only obey it.
void hb_controls_set_killed (hb_controls_t *self, bool killed);
bool hb_controls_killed (const hb_controls_t *self);

//  Notional admitted in the UTC day of now_ns (0 after midnight).
double hb_controls_day_usd (hb_controls_t *self, int64_t now_ns);

//  Adds notional to today's total without a rate token: used at restart
//  for the intents replayed from the journal. Never fails.
void hb_controls_add_day (hb_controls_t *self, double notional_usd, int64_t now_ns);

//  Takes back the part of an admitted order that did not trade (an IOC
//  remainder, a venue reject), so that the day total is traded notional
//  plus what is still in flight. sent_ns is when the order was admitted:
//  an order of a previous UTC day gives nothing back. Never goes below 0.
void hb_controls_release_day (hb_controls_t *self, double notional_usd, int64_t sent_ns,
                              int64_t now_ns);

//  The day total as it stands, whatever the clock says now: *day gets its
//  UTC day number (-1 before anything was counted). For the hedger's
//  second record of it (hb_hedger.h, Day totals).
double hb_controls_day_state (const hb_controls_t *self, int64_t *day);

//  Puts the day total of UTC day number day back to usd, as that second
//  record says it was, when the journal lost records. Non-finite or
//  negative usd is ignored.
void hb_controls_set_day (hb_controls_t *self, int64_t day, double usd);

//  "ok", "killed", "max_order_usd", ...
const char *hb_ctl_reason_name (int reason);

#endif
