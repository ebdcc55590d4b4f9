/*  hb_optplan_cli: `hb-risk plan --case FILE.yaml [--json]`, the option-leg
    planner (hb_optplan.h) on a hand-built case, so a desk can see which
    options it would trade for a given book and what it would cost, or why
    it would trade none.

    The case (docs/RISK.md, Option legs):
        book:   { gamma: G, vega: [V0, V1, ...] }       one vega per bucket
        bands:  { gamma: GB, vega: [B0, B1, ...], target: T }
        limits: { max_premium: P, max_leg_gamma: LG, max_leg_vega: LV }  (optional)
        candidates:
          - { name: BTC-27DEC-70000-C, delta: D, gamma: G, vega: V,
              bucket: 0, lot: 0.1, min: 0.1, fee_rate: 0.0003, fee_fixed: 0,
              bids: [[PX, QTY], ...], asks: [[PX, QTY], ...] }
    Output: one line per leg and a summary (reason, cost, premium, delta to
    hedge with linear products, gamma and vegas after), or with --json one
    object. Exit 0 a plan (legs, or a reason for none), 1 a case file that
    is unreadable or wrong (every error as FILE:LINE: key: message), 2 bad
    arguments.                                                            */
#ifndef HB_OPTPLAN_CLI_H
#define HB_OPTPLAN_CLI_H

#include <stdio.h>

//  argv [0] is "plan", options follow.
int hb_optplan_cli_plan (int argc, char **argv, FILE *out, FILE *err);

#endif
