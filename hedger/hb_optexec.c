/*  hb_optexec: the option legs' pre-trade controls (see hb_optexec.h).   */
#include "hb_optexec.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_DAY_NS    (86400LL * 1000000000LL)

struct _hb_optexec_t {
    const hb_config_t *cfg;
    int64_t  day;                   //  UTC day number of the totals
    double   gamma, vega, premium;
};

hb_optexec_t *
hb_optexec_new (const hb_config_t *cfg)
{
    assert (cfg);
    hb_optexec_t *self = (hb_optexec_t *) calloc (1, sizeof *self);
    if (self)
        self->cfg = cfg;
    return self;
}

void
hb_optexec_destroy (hb_optexec_t **self_p)
{
    assert (self_p);
    free (*self_p);
    *self_p = NULL;
}

//  The totals of the day of ns (a new day starts at 0)
static void
s_roll (hb_optexec_t *self, int64_t ns)
{
    int64_t day = ns / S_DAY_NS;
    if (day != self->day) {
        self->day = day;
        self->gamma = self->vega = self->premium = 0;
    }
}

double
hb_optexec_premium (const hb_optplan_leg_msg_t *leg, const hb_optexec_leg_t *info, double px)
{
    assert (leg && info);
    if (!info->ins)
        return 0;
    double usd = leg->qty * px * info->ins->multiplier;
    if (info->ins->coin_settled)
        usd *= info->book && info->book->underlying > 0 ? info->book->underlying : 0;
    return usd;
}

double
hb_optexec_limit (const hb_optexec_t *self, const hb_optplan_leg_msg_t *leg,
                  const hb_optexec_leg_t *info)
{
    assert (self && leg && info);
    double bps = self->cfg->hedger.opt_max_slippage_bps;
    double limit = leg->limit_px;
    if (!(bps > 0) || !(limit > 0) || !isfinite (limit))
        return limit;
    bool buy = leg->side == HB_SIDE_BUY;
    double px = limit * (buy ? 1 + bps / 1e4 : 1 - bps / 1e4);
    double tick = info->ins ? info->ins->tick_size : 0;
    if (tick > 0) {
        //  toward the plan's limit: the allowance is a most, not a least
        //  (the 1e-9 keeps a price already on the tick where it is)
        px = buy ? floor (px / tick + 1e-9) * tick : ceil (px / tick - 1e-9) * tick;
        px = buy ? fmax (px, limit) : fmin (px, limit);
    }
    return px > 0 ? px : limit;
}

//  The venue's mark, else the book's mid; 0 when neither
static double
s_reference (const hb_tick_t *book)
{
    if (!book)
        return 0;
    if (book->mark > 0 && isfinite (book->mark))
        return book->mark;
    if (book->n_bids > 0 && book->n_asks > 0 && book->bids [0].px > 0
    &&  book->asks [0].px > book->bids [0].px)
        return (book->bids [0].px + book->asks [0].px) / 2;
    return 0;
}

//  value over limit (a limit of 0 is none)
static bool
s_over (double value, double limit)
{
    return limit > 0 && value > limit;
}

const char *
hb_optexec_admit (hb_optexec_t *self, const hb_risk_optplan_t *plan,
                  const hb_optexec_leg_t *info, int64_t now_ns, int *bad,
                  char *detail, size_t size)
{
    assert (self && plan && info && bad && detail && size > 0);
    const hb_hedger_cfg_t *hc = &self->cfg->hedger;
    double gamma = 0, vega = 0, premium = 0;
    detail [0] = '\0';
    for (int k = 0; k < plan->n_legs && k < HB_OPTPLAN_MSG_LEGS; k++) {
        const hb_optplan_leg_msg_t *leg = &plan->legs [k];
        *bad = k;
        if (!info [k].ins || info [k].ins->kind != HB_KIND_OPTION) {
            snprintf (detail, size, "%s/%s is not an option the config lists", leg->venue, leg->symbol);
            return "not_option";
        }
        double ref = s_reference (info [k].book);
        if (!(ref > 0)) {
            snprintf (detail, size, "%s/%s: no mark and no two-sided book", leg->venue, leg->symbol);
            return "no_mark";
        }
        double px = hb_optexec_limit (self, leg, &info [k]);
        double off = fabs (px - ref) / ref * 1e4;
        if (off > hc->opt_band_bps) {
            snprintf (detail, size, "%s limit %.8g (plan %.8g) is %.0f bps from the mark %.8g > "
                      "band_bps %.0f", leg->symbol, px, leg->limit_px, off, ref, hc->opt_band_bps);
            return "price_band";
        }
        double p = hb_optexec_premium (leg, &info [k], px);
        const struct { double value, limit; const char *name; } checks [] = {
            { fabs (leg->gamma_usd), hc->opt_max_order_gamma, "max_order_gamma" },
            { fabs (leg->vega), hc->opt_max_order_vega, "max_order_vega" },
            { p, hc->opt_max_order_premium, "max_order_premium" }
        };
        for (size_t c = 0; c < sizeof checks / sizeof checks [0]; c++)
            if (s_over (checks [c].value, checks [c].limit)) {
                snprintf (detail, size, "%s: %.2f > %s %.2f", leg->symbol, checks [c].value,
                          checks [c].name, checks [c].limit);
                return checks [c].name;
            }
        gamma += fabs (leg->gamma_usd);
        vega += fabs (leg->vega);
        premium += p;
    }
    *bad = -1;
    s_roll (self, now_ns);
    const struct { double value, limit; const char *name; } days [] = {
        { self->gamma + gamma, hc->opt_max_day_gamma, "max_day_gamma" },
        { self->vega + vega, hc->opt_max_day_vega, "max_day_vega" },
        { self->premium + premium, hc->opt_max_day_premium, "max_day_premium" }
    };
    for (size_t c = 0; c < sizeof days / sizeof days [0]; c++)
        if (s_over (days [c].value, days [c].limit)) {
            snprintf (detail, size, "today with the plan %.2f > %s %.2f", days [c].value,
                      days [c].name, days [c].limit);
            return days [c].name;
        }
    self->gamma += gamma;
    self->vega += vega;
    self->premium += premium;
    return NULL;
}

void
hb_optexec_add_day (hb_optexec_t *self, double gamma_usd, double vega, double premium, int64_t ns)
{
    assert (self);
    int64_t day = ns / S_DAY_NS;
    if (day < self->day)
        return;                     //  an older day counts for nothing today
    s_roll (self, ns);
    if (isfinite (gamma_usd) && isfinite (vega) && isfinite (premium)) {
        self->gamma += fabs (gamma_usd);
        self->vega += fabs (vega);
        self->premium += fabs (premium);
    }
}

void
hb_optexec_day (hb_optexec_t *self, int64_t now_ns, double *gamma, double *vega, double *premium)
{
    assert (self && gamma && vega && premium);
    s_roll (self, now_ns);
    *gamma = self->gamma;
    *vega = self->vega;
    *premium = self->premium;
}
