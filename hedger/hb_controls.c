/*  hb_controls: pre-trade controls (hb_controls.h).                       */
#include "hb_controls.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define S_DAY_NS    (86400LL * 1000000000LL)
//  a value computed as qty x px that lands exactly on a limit must pass
#define S_EPS       1e-9

struct _hb_controls_t {
    const hb_config_t *cfg;
    bool     killed;
    int64_t  day;                   //  UTC day number of day_usd
    double   day_usd;
    double   tokens [HB_MAX_VENUES];
    int64_t  refill_ns [HB_MAX_VENUES]; //  when tokens were last refilled (0: never: full)
};

static const char *s_names [HB_CTL_COUNT] = {
    "ok", "killed", "max_order_usd", "max_order_qty", "collar", "no_index", "max_net_usd",
    "max_gross_usd", "max_day_usd", "orders_per_s", "bad_order"
};

const char *
hb_ctl_reason_name (int reason)
{
    return reason >= 0 && reason < HB_CTL_COUNT ? s_names [reason] : "unknown";
}

hb_controls_t *
hb_controls_new (const hb_config_t *cfg)
{
    hb_controls_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->day = -1;
    return self;
}

void
hb_controls_destroy (hb_controls_t **self_p)
{
    if (self_p && *self_p) {
        free (*self_p);
        *self_p = NULL;
    }
}

void
hb_controls_set_killed (hb_controls_t *self, bool killed)
{
    self->killed = killed;
}

bool
hb_controls_killed (const hb_controls_t *self)
{
    return self->killed;
}

//  The UTC day number of a time (floor, also before 1970)
static int64_t
s_day_of (int64_t ns)
{
    return ns >= 0 ? ns / S_DAY_NS : (ns + 1) / S_DAY_NS - 1;
}

static void
s_roll_day (hb_controls_t *self, int64_t now_ns)
{
    int64_t day = s_day_of (now_ns);
    if (day != self->day) {
        self->day = day;
        self->day_usd = 0;
    }
}

double
hb_controls_day_usd (hb_controls_t *self, int64_t now_ns)
{
    s_roll_day (self, now_ns);
    return self->day_usd;
}

void
hb_controls_add_day (hb_controls_t *self, double notional_usd, int64_t now_ns)
{
    s_roll_day (self, now_ns);
    if (isfinite (notional_usd) && notional_usd > 0)
        self->day_usd += notional_usd;
}

void
hb_controls_release_day (hb_controls_t *self, double notional_usd, int64_t sent_ns,
                         int64_t now_ns)
{
    s_roll_day (self, now_ns);
    if (s_day_of (sent_ns) != self->day || !isfinite (notional_usd) || notional_usd <= 0)
        return;
    self->day_usd = self->day_usd > notional_usd ? self->day_usd - notional_usd : 0;
}

double
hb_controls_day_state (const hb_controls_t *self, int64_t *day)
{
    assert (self && day);
    *day = self->day;
    return self->day_usd;
}

void
hb_controls_set_day (hb_controls_t *self, int64_t day, double usd)
{
    assert (self);
    if (!isfinite (usd) || usd < 0)
        return;
    self->day = day;
    self->day_usd = usd;
}

static bool
s_over (double value, double limit)
{
    return value > limit * (1 + S_EPS);
}

//  Refills the venue's bucket to now; returns the tokens available.
static double
s_tokens (hb_controls_t *self, int venue, int64_t now_ns)
{
    const hb_hedger_cfg_t *hedger = &self->cfg->hedger;
    if (self->refill_ns [venue] == 0) {
        self->tokens [venue] = hedger->burst;
        self->refill_ns [venue] = now_ns;
    }
    if (now_ns > self->refill_ns [venue]) {
        double add = (double) (now_ns - self->refill_ns [venue]) / 1e9 * hedger->orders_per_s [venue];
        self->tokens [venue] = fmin (hedger->burst, self->tokens [venue] + add);
        self->refill_ns [venue] = now_ns;
    }
    return self->tokens [venue];
}

hb_ctl_reason_t
hb_controls_admit (hb_controls_t *self, const hb_ctl_order_t *order, int64_t now_ns,
                   char *detail, size_t size)
{
    const hb_hedger_cfg_t *hedger = &self->cfg->hedger;
    char none [8];
    if (!detail) {
        detail = none;
        size = sizeof none;
    }
    detail [0] = 0;
    if (order->venue < 0 || order->venue >= self->cfg->n_venues
    ||  order->asset < 0 || order->asset >= self->cfg->n_assets
    ||  (order->side != HB_SIDE_BUY && order->side != HB_SIDE_SELL)
    ||  !isfinite (order->qty) || order->qty <= 0 || !isfinite (order->px) || order->px <= 0
    ||  !isfinite (order->net_usd) || !isfinite (order->gross_usd) || !isfinite (order->index)) {
        snprintf (detail, size, "venue, asset, side, qty or price out of range");
        return HB_CTL_BAD_ORDER;
    }
    if (self->killed) {
        snprintf (detail, size, "kill switch latched: hb-hedger reset clears it");
        return HB_CTL_KILLED;
    }
    double notional = order->qty * order->px;
    if (s_over (notional, hedger->max_order_usd)) {
        snprintf (detail, size, "notional %.2f > max_order_usd %.2f", notional, hedger->max_order_usd);
        return HB_CTL_ORDER_USD;
    }
    double max_qty = hedger->max_order_qty [order->asset];
    if (max_qty > 0 && s_over (order->qty, max_qty)) {
        snprintf (detail, size, "qty %.8g > max_order_qty %.8g", order->qty, max_qty);
        return HB_CTL_ORDER_QTY;
    }
    if (!(order->index > 0)) {
        snprintf (detail, size, "no index price for the collar");
        return HB_CTL_NO_INDEX;
    }
    //  Both sides: a buy far below the index is harmless as a limit, but it
    //  means the book we routed on disagrees with every other venue (forged,
    //  crossed, stale), and that is no picture to trade on.
    double band = order->index * hedger->collar_bps / 1e4;
    bool buy = order->side == HB_SIDE_BUY;
    double hi = order->index + band, lo = order->index - band;
    if (s_over (order->px, hi) || order->px < lo * (1 - S_EPS)) {
        double bound = order->px > order->index ? hi : lo;
        snprintf (detail, size, "price %.8g beyond collar %.8g (%.1f bps of index %.8g)",
                  order->px, bound, hedger->collar_bps, order->index);
        return HB_CTL_COLLAR;
    }
    //  the exposure moves by the order's notional at the index
    double delta = (buy ? 1 : -1) * order->qty * order->index;
    double net_after = order->net_usd + delta;
    double max_net = hedger->max_net_usd [order->asset];
    if (s_over (fabs (net_after), max_net) && fabs (net_after) > fabs (order->net_usd)) {
        snprintf (detail, size, "net %.2f after the order > max_net_usd %.2f", net_after, max_net);
        return HB_CTL_NET;
    }
    //  a hedge usually opens a position on another venue: gross grows
    double gross_after = order->gross_usd + order->qty * order->index;
    if (hedger->max_gross_usd > 0 && s_over (gross_after, hedger->max_gross_usd)) {
        snprintf (detail, size, "gross %.2f after the order > max_gross_usd %.2f", gross_after,
                  hedger->max_gross_usd);
        return HB_CTL_GROSS;
    }
    s_roll_day (self, now_ns);
    if (s_over (self->day_usd + notional, hedger->max_day_usd)) {
        snprintf (detail, size, "day notional %.2f + %.2f > max_day_usd %.2f", self->day_usd, notional,
                  hedger->max_day_usd);
        return HB_CTL_DAY;
    }
    if (s_tokens (self, order->venue, now_ns) < 1 - S_EPS) {
        snprintf (detail, size, "venue %s over %.3g orders/s (burst %.0f)",
                  self->cfg->venues [order->venue].name, hedger->orders_per_s [order->venue],
                  hedger->burst);
        return HB_CTL_RATE;
    }
    self->tokens [order->venue] -= 1;
    self->day_usd += notional;
    return HB_CTL_OK;
}
