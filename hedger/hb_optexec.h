/*  hb_optexec: the pre-trade controls of the option legs of a plan
    (risk.optplan; docs/CONFIG.md, components.hedger.options). Pure: the
    clock is an argument, nothing touches the bus or a file.

    A plan is admitted whole or not at all: the hedge of gamma and vega is
    the legs together, so one leg refused refuses the plan (half a hedge
    could add vega). Per leg: |gamma| <= max_order_gamma, |vega| <=
    max_order_vega, premium (qty x limit x USD per price unit) <=
    max_order_premium, and its limit within band_bps of the venue's mark
    (the book's mid when the venue gives none; no book: refused). The
    limit is the one sent: the plan's, with the slippage allowance
    (max_slippage_bps, hb_optexec_limit), so the band bounds it. Per UTC
    day of now_ns, with the plan's legs added: sum |gamma|, sum |vega|,
    sum premium within max_day_*. A limit of 0 is none. The greeks are the
    plan's (risk's model, per leg): the hedger has no model of its own.

    On success the plan's figures are added to the day; a restart puts
    back what its journal holds (hb_optexec_add_day).                     */
#ifndef HB_OPTEXEC_H
#define HB_OPTEXEC_H

#include <stddef.h>
#include <stdint.h>
#include "hb_config.h"
#include "hb_msg.h"

typedef struct _hb_optexec_t hb_optexec_t;

//  What the hedger knows of one leg's instrument
typedef struct {
    const hb_instrument_cfg_t *ins; //  NULL: unknown venue or symbol
    const hb_tick_t *book;          //  the newest book (NULL: none)
} hb_optexec_leg_t;

//  Limits are read from cfg->hedger when a check runs (cfg must outlive
//  the object). NULL on allocation failure.
hb_optexec_t *hb_optexec_new (const hb_config_t *cfg);

//  NULL-safe; nulls *self_p.
void hb_optexec_destroy (hb_optexec_t **self_p);

//  The premium of a leg at price px, USD: qty x px x multiplier, x the
//  underlying the book shows for a coin-settled option (0 when unknown).
double hb_optexec_premium (const hb_optplan_leg_msg_t *leg, const hb_optexec_leg_t *info, double px);

//  The price a leg is sent at: the plan's limit moved max_slippage_bps
//  against the desk (a buy higher, a sale lower), so that a book that
//  moved a little since risk priced the plan still fills the IOC; on the
//  instrument's tick, rounded back toward the plan's limit, never past
//  it. max_slippage_bps 0 (the default): the plan's limit.
double hb_optexec_limit (const hb_optexec_t *self, const hb_optplan_leg_msg_t *leg,
                         const hb_optexec_leg_t *info);

//  Checks every leg of plan at now_ns (info [k] for legs [k]). Returns
//  NULL when admitted (the day counts it), else the reason name
//  ("not_option", "no_mark", "price_band", "max_order_gamma", ..,
//  "max_day_premium") with *bad the leg (-1: the plan's day total) and a
//  line naming the value and the limit in detail.
const char *hb_optexec_admit (hb_optexec_t *self, const hb_risk_optplan_t *plan,
                              const hb_optexec_leg_t *info, int64_t now_ns, int *bad,
                              char *detail, size_t size);

//  Adds a leg journaled before a restart to its day (ns: when it was sent).
void hb_optexec_add_day (hb_optexec_t *self, double gamma_usd, double vega, double premium,
                         int64_t ns);

//  Today's totals (the UTC day of now_ns): |gamma|, |vega|, premium.
void hb_optexec_day (hb_optexec_t *self, int64_t now_ns, double *gamma, double *vega,
                     double *premium);

#endif
