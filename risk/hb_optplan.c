/*  hb_optplan: the option legs of a hedge plan, a small MILP for GLPK.
    The rule and the reasons are in hb_optplan.h and docs/RISK.md.        */
#include "hb_optplan.h"

#include <glpk.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

//  Work limits, counted rather than timed (a replay must plan the same):
//  simplex iterations of the relaxation, and branch-and-bound nodes, after
//  which the best plan found is taken
#define S_SIMPLEX_LIMIT 100000
#define S_NODE_LIMIT    20000
#define S_MIP_CANDS     (HB_OPTPLAN_LEGS / 2)   //  candidates the first search keeps
#define S_LOTS_MAX      1e9         //  lots per level: beyond it a book is not real
//  Relative gap at which the branch and bound stops: the plan costs at
//  most 1 % more than the best one. Proving the last percent optimal
//  takes GLPK up to 5 times longer over a month of simulated rebalances
//  (hb_optplan_sim_bench), for less than the costs' own uncertainty
#define S_MIP_GAP       1e-2

static const char *s_reason_names [HB_OPTPLAN_REASONS] = {
    [HB_OPTPLAN_OK] = "ok", [HB_OPTPLAN_INSIDE] = "inside",
    [HB_OPTPLAN_NO_CANDIDATES] = "no_candidates", [HB_OPTPLAN_INFEASIBLE] = "infeasible",
    [HB_OPTPLAN_LIMITS] = "limits", [HB_OPTPLAN_LOTS] = "lots",
    [HB_OPTPLAN_BAD_INPUT] = "bad_input", [HB_OPTPLAN_SOLVER] = "solver"
};

const char *
hb_optplan_reason_name (hb_optplan_reason_t reason)
{
    return reason >= 0 && reason < HB_OPTPLAN_REASONS? s_reason_names [reason]: "unknown";
}

static hb_optplan_reason_t
s_say (hb_optplan_t *out, hb_optplan_reason_t reason, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

static hb_optplan_reason_t
s_say (hb_optplan_t *out, hb_optplan_reason_t reason, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    vsnprintf (out->why, sizeof out->why, format, args);
    va_end (args);
    out->reason = reason;
    return reason;
}

static bool
s_finite_nonneg (double x)
{
    return isfinite (x) && x >= 0;
}

//  The first field out of range, written into out->why; true when all are in range.
static bool
s_check (const hb_optplan_input_t *in, hb_optplan_t *out)
{
    if (in->n_buckets < 1 || in->n_buckets > HB_OPTPLAN_BUCKETS)
        return s_say (out, HB_OPTPLAN_BAD_INPUT, "n_buckets %d not in 1..%d", in->n_buckets,
                      HB_OPTPLAN_BUCKETS), false;
    if (!isfinite (in->gamma) || !(in->gamma_band > 0) || !isfinite (in->gamma_band))
        return s_say (out, HB_OPTPLAN_BAD_INPUT, "gamma %g or gamma_band %g", in->gamma,
                      in->gamma_band), false;
    for (int b = 0; b < in->n_buckets; b++)
        if (!isfinite (in->vega [b]) || !(in->vega_band [b] > 0) || !isfinite (in->vega_band [b]))
            return s_say (out, HB_OPTPLAN_BAD_INPUT, "bucket %d: vega %g or vega_band %g", b,
                          in->vega [b], in->vega_band [b]), false;
    if (!(in->target >= 0 && in->target <= 1) || !s_finite_nonneg (in->max_premium)
    ||  !s_finite_nonneg (in->max_leg_gamma) || !s_finite_nonneg (in->max_leg_vega))
        return s_say (out, HB_OPTPLAN_BAD_INPUT, "target %g, max_premium %g or a leg limit out of range",
                      in->target, in->max_premium), false;
    if (in->n_cands < 0 || in->n_cands > HB_OPTPLAN_CANDS || (in->n_cands && !in->cands))
        return s_say (out, HB_OPTPLAN_BAD_INPUT, "n_cands %d not in 0..%d", in->n_cands,
                      HB_OPTPLAN_CANDS), false;
    for (int i = 0; i < in->n_cands; i++) {
        const hb_optplan_cand_t *c = &in->cands [i];
        if (!isfinite (c->delta) || !isfinite (c->gamma) || !isfinite (c->vega)
        ||  !(c->lot > 0) || !isfinite (c->lot) || !s_finite_nonneg (c->min)
        ||  !s_finite_nonneg (c->fee_rate) || !s_finite_nonneg (c->fee_fixed)
        ||  c->bucket < 0 || c->bucket >= in->n_buckets
        ||  c->n_bids < 0 || c->n_bids > HB_OPTPLAN_LEVELS
        ||  c->n_asks < 0 || c->n_asks > HB_OPTPLAN_LEVELS)
            return s_say (out, HB_OPTPLAN_BAD_INPUT, "candidate %d (id %d): a greek, lot, min, "
                          "fee, bucket or level count out of range", i, c->id), false;
        for (int s = 0; s < 2; s++) {
            const hb_optplan_level_t *lv = s? c->asks: c->bids;
            for (int l = 0; l < (s? c->n_asks: c->n_bids); l++)
                if (!(lv [l].px > 0) || !isfinite (lv [l].px) || !(lv [l].qty > 0)
                ||  !isfinite (lv [l].qty))
                    return s_say (out, HB_OPTPLAN_BAD_INPUT, "candidate %d (id %d): %s level %d: px %g qty %g",
                                  i, c->id, s? "ask": "bid", l, lv [l].px, lv [l].qty), false;
        }
    }
    return true;
}

//  A candidate is usable with a two-sided book whose touch is not crossed
static bool
s_usable (const hb_optplan_cand_t *c)
{
    return c->n_bids > 0 && c->n_asks > 0 && c->bids [0].px < c->asks [0].px;
}

//  One column of the program: lots of a candidate bought or sold at a level
typedef struct {
    int    cand, side, level;       //  side 0 sell at bids, 1 buy at asks
    int    glp_col;                 //  its column in the program (binaries interleave)
    double lots;                    //  its upper bound
    bool   narrowed;                //  fixed at 0 by s_narrow
    double lot_cost;                //  USD beyond the mid per lot, fees in
} s_col_t;

typedef struct {
    glp_prob *lp;
    s_col_t  *cols;
    int       n_cols;
    int       leg_rows [HB_OPTPLAN_CANDS][2];   //  row capping one leg's lots (0: none)
    int       premium_row;                      //  0: none
} s_prog_t;

static void
s_bounds (glp_prob *lp, int row, double lo, double hi)
{
    if (hi - lo <= 1e-12 * fmax (1, fabs (lo)))
        glp_set_row_bnds (lp, row, GLP_FX, lo, lo);
    else
        glp_set_row_bnds (lp, row, GLP_DB, lo, hi);
}

//  The target interval of a figure x with band: where it must end
static void
s_goal (double x, double band, double target, double *lo, double *hi)
{
    double edge = fabs (x) > band? target * band: band;
    *lo = -edge - x;
    *hi = edge - x;
}

//  Builds the program. Rows: 1 gamma, 2.. vegas, then premium, then the
//  leg caps and the minimum-size links. Returns -1 when out of memory.
static int
s_build (s_prog_t *p, const hb_optplan_input_t *in)
{
    memset (p, 0, sizeof *p);
    int max_cols = in->n_cands * 2 * HB_OPTPLAN_LEVELS;
    p->cols = (s_col_t *) calloc ((size_t) (max_cols > 0? max_cols: 1), sizeof (s_col_t));
    if (!p->cols)
        return -1;
    glp_prob *lp = p->lp = glp_create_prob ();
    glp_set_obj_dir (lp, GLP_MIN);
    int nb = in->n_buckets;
    glp_add_rows (lp, 1 + nb);
    double lo, hi;
    s_goal (in->gamma, in->gamma_band, in->target, &lo, &hi);
    s_bounds (lp, 1, lo, hi);
    for (int b = 0; b < nb; b++) {
        s_goal (in->vega [b], in->vega_band [b], in->target, &lo, &hi);
        s_bounds (lp, 2 + b, lo, hi);
    }
    if (in->max_premium > 0) {
        p->premium_row = glp_add_rows (lp, 1);
        glp_set_row_bnds (lp, p->premium_row, GLP_UP, 0, in->max_premium);
    }
    //  the columns, with their coefficients in gamma, their vega row and premium
    for (int i = 0; i < in->n_cands; i++) {
        const hb_optplan_cand_t *c = &in->cands [i];
        if (!s_usable (c))
            continue;
        //  costs are measured from the book's mid, so no leg is ever free
        double mid = (c->bids [0].px + c->asks [0].px) / 2;
        int y_col [2] = { 0, 0 };
        for (int s = 0; s < 2; s++) {
            const hb_optplan_level_t *lv = s? c->asks: c->bids;
            int n = s? c->n_asks: c->n_bids;
            double sign = s? 1: -1;
            int first = p->n_cols;
            for (int l = 0; l < n; l++) {
                double lots = floor (lv [l].qty / c->lot + 1e-9);
                if (lots < 1)
                    continue;
                if (lots > S_LOTS_MAX)
                    lots = S_LOTS_MAX;
                s_col_t *col = &p->cols [p->n_cols++];
                col->cand = i;
                col->side = s;
                col->level = l;
                col->lot_cost = c->lot * (sign * (lv [l].px - mid) + c->fee_rate * lv [l].px
                                          + c->fee_fixed);
                int j = col->glp_col = glp_add_cols (lp, 1);
                glp_set_col_kind (lp, j, GLP_IV);
                glp_set_col_bnds (lp, j, GLP_DB, 0, lots);
                col->lots = lots;
                glp_set_obj_coef (lp, j, col->lot_cost);
                int ind [4] = { 0, 1, 2 + c->bucket, p->premium_row };
                double val [4] = { 0, sign * c->lot * c->gamma, sign * c->lot * c->vega,
                                   c->lot * lv [l].px };
                glp_set_mat_col (lp, j, s && p->premium_row? 3: 2, ind, val);
            }
            if (p->n_cols == first)
                continue;
            //  a leg's cap (per-leg gamma and vega limits) and its minimum
            //  size, over the lots of all its levels
            double cap = INFINITY;
            if (in->max_leg_gamma > 0 && c->gamma != 0)
                cap = fmin (cap, floor (in->max_leg_gamma / (c->lot * fabs (c->gamma)) + 1e-9));
            if (in->max_leg_vega > 0 && c->vega != 0)
                cap = fmin (cap, floor (in->max_leg_vega / (c->lot * fabs (c->vega)) + 1e-9));
            double min_lots = ceil (c->min / c->lot - 1e-9);
            int k = p->n_cols - first;
            int ind [HB_OPTPLAN_LEVELS + 2];
            double val [HB_OPTPLAN_LEVELS + 2];
            for (int m = 0; m < k; m++) {
                ind [m + 1] = p->cols [first + m].glp_col;
                val [m + 1] = 1;
            }
            if (isfinite (cap)) {
                int row = glp_add_rows (lp, 1);
                glp_set_row_bnds (lp, row, GLP_UP, 0, cap);
                glp_set_mat_row (lp, row, k, ind, val);
                p->leg_rows [i][s] = row;
            }
            if (min_lots > 1) {
                //  y = 1 when the leg trades: min_lots·y <= Σ lots <= big·y
                int y = y_col [s] = glp_add_cols (lp, 1);
                glp_set_col_kind (lp, y, GLP_BV);
                double big = 0;
                for (int m = 0; m < k; m++)
                    big += glp_get_col_ub (lp, ind [m + 1]);
                int row = glp_add_rows (lp, 2);
                ind [k + 1] = y;
                val [k + 1] = -min_lots;
                glp_set_row_bnds (lp, row, GLP_LO, 0, 0);
                glp_set_mat_row (lp, row, k + 1, ind, val);
                val [k + 1] = -big;
                glp_set_row_bnds (lp, row + 1, GLP_UP, 0, 0);
                glp_set_mat_row (lp, row + 1, k + 1, ind, val);
            }
        }
        //  one side only: buying 65 and selling 50 is not a way round a
        //  minimum of 50 when 15 is what the plan needs
        if (y_col [0] && y_col [1]) {
            int row = glp_add_rows (lp, 1);
            int ind [3] = { 0, y_col [0], y_col [1] };
            double val [3] = { 0, 1, 1 };
            glp_set_row_bnds (lp, row, GLP_UP, 0, 1);
            glp_set_mat_row (lp, row, 2, ind, val);
        }
    }
    return 0;
}

static void
s_free (s_prog_t *p)
{
    if (p->lp)
        glp_delete_prob (p->lp);
    free (p->cols);
}

//  The relaxation: true when feasible
static bool
s_relaxed_feasible (glp_prob *lp)
{
    glp_smcp parm;
    glp_init_smcp (&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    parm.it_lim = S_SIMPLEX_LIMIT;
    int rc = glp_simplex (lp, &parm);
    return rc == 0 && (glp_get_status (lp) == GLP_OPT || glp_get_status (lp) == GLP_FEAS
                   ||  glp_get_status (lp) == GLP_UNBND);
}

//  Removes the limits (premium and leg caps) to tell limits from infeasible
static void
s_drop_limits (s_prog_t *p, int n_cands)
{
    if (p->premium_row)
        glp_set_row_bnds (p->lp, p->premium_row, GLP_FR, 0, 0);
    for (int i = 0; i < n_cands; i++)
        for (int s = 0; s < 2; s++)
            if (p->leg_rows [i][s])
                glp_set_row_bnds (p->lp, p->leg_rows [i][s], GLP_FR, 0, 0);
}

//  Stops the branch and bound after S_NODE_LIMIT nodes, keeping the best
//  plan found by then: a count, not a clock, so that a replay on another
//  machine or under another load plans the same legs
static void
s_on_node (glp_tree *tree, void *info)
{
    (void) info;
    int total = 0;
    if (glp_ios_reason (tree) == GLP_ISELECT) {
        glp_ios_tree_size (tree, NULL, NULL, &total);
        if (total > S_NODE_LIMIT)
            glp_ios_terminate (tree);
    }
}

static int
s_intopt (glp_prob *lp)
{
    glp_iocp parm;
    glp_init_iocp (&parm);
    parm.msg_lev = GLP_MSG_OFF;
    parm.presolve = GLP_ON;
    parm.cb_func = s_on_node;
    parm.mip_gap = S_MIP_GAP;
    parm.fp_heur = GLP_ON;
    //  without cuts the same plans take GLPK 4 to 30 times longer
    parm.gmi_cuts = GLP_ON;
    parm.mir_cuts = GLP_ON;
    return glp_intopt (lp, &parm);
}

//  Keeps the S_MIP_CANDS candidates nearest the relaxation's optimum (the
//  least reduced cost of any of their columns: 0 for the ones it trades)
//  and fixes the others' columns at 0. Why: the optimum of the relaxation
//  trades at most as many options as there are figures to bring in, and
//  a branch and bound over every candidate's lots takes GLPK seconds at
//  50 candidates (hb_optplan_bench) where over 8 it takes a millisecond.
//  True when it narrowed.
static bool
s_narrow (s_prog_t *p, int n_cands)
{
    double *score = (double *) malloc (sizeof (double) * (size_t) n_cands);
    if (!score)
        return false;
    for (int i = 0; i < n_cands; i++)
        score [i] = INFINITY;
    for (int j = 0; j < p->n_cols; j++) {
        int col = p->cols [j].glp_col;
        double dj = glp_get_col_prim (p->lp, col) > 1e-9? 0: fabs (glp_get_col_dual (p->lp, col));
        if (dj < score [p->cols [j].cand])
            score [p->cols [j].cand] = dj;
    }
    //  the S_MIP_CANDS-th least score: candidates above it are left out
    double cut = INFINITY;
    for (int k = 0; k < S_MIP_CANDS; k++) {
        double least = INFINITY;
        int at = -1;
        for (int i = 0; i < n_cands; i++)
            if (score [i] >= 0 && score [i] < least) {
                least = score [i];
                at = i;
            }
        if (at < 0)
            break;
        cut = least;
        score [at] = -1 - score [at];   //  taken (negative), never picked again
    }
    for (int j = 0; j < p->n_cols; j++)
        if (score [p->cols [j].cand] >= 0 && score [p->cols [j].cand] >= cut) {
            glp_set_col_bnds (p->lp, p->cols [j].glp_col, GLP_FX, 0, 0);
            p->cols [j].narrowed = true;
        }
    free (score);
    return true;
}

//  Undoes s_narrow
static void
s_widen (s_prog_t *p)
{
    for (int j = 0; j < p->n_cols; j++)
        if (p->cols [j].narrowed) {
            glp_set_col_bnds (p->lp, p->cols [j].glp_col, GLP_DB, 0, p->cols [j].lots);
            p->cols [j].narrowed = false;
        }
    //  over every candidate the cheapest plan may spread over dozens of
    //  legs; a binary per leg (one option, one side) and a row keep it to
    //  HB_OPTPLAN_LEGS. The columns of a leg are consecutive.
    int count_row = glp_add_rows (p->lp, 1);
    glp_set_row_bnds (p->lp, count_row, GLP_UP, 0, HB_OPTPLAN_LEGS);
    for (int j = 0; j < p->n_cols; ) {
        int k = j, ind [HB_OPTPLAN_LEVELS + 2];
        double val [HB_OPTPLAN_LEVELS + 2], lots = 0;
        while (k < p->n_cols && p->cols [k].cand == p->cols [j].cand && p->cols [k].side == p->cols [j].side) {
            ind [k - j + 1] = p->cols [k].glp_col;
            val [k - j + 1] = 1;
            lots += p->cols [k].lots;
            k++;
        }
        int z = glp_add_cols (p->lp, 1);
        glp_set_col_kind (p->lp, z, GLP_BV);
        ind [k - j + 1] = z;
        val [k - j + 1] = -lots;
        int row = glp_add_rows (p->lp, 1);
        glp_set_row_bnds (p->lp, row, GLP_UP, 0, 0);
        glp_set_mat_row (p->lp, row, k - j + 1, ind, val);
        //  the count row gains z: rebuilt from what it has
        int n = glp_get_mat_row (p->lp, count_row, NULL, NULL);
        int *cind = (int *) malloc (sizeof (int) * (size_t) (n + 2));
        double *cval = (double *) malloc (sizeof (double) * (size_t) (n + 2));
        if (cind && cval) {
            glp_get_mat_row (p->lp, count_row, cind, cval);
            cind [n + 1] = z;
            cval [n + 1] = 1;
            glp_set_mat_row (p->lp, count_row, n + 1, cind, cval);
        }
        free (cind);
        free (cval);
        j = k;
    }
}

static void
s_take (const s_prog_t *p, const hb_optplan_input_t *in, hb_optplan_t *out)
{
    int leg_of [HB_OPTPLAN_CANDS][2];
    memset (leg_of, -1, sizeof leg_of);
    for (int j = 0; j < p->n_cols; j++) {
        double lots = round (glp_mip_col_val (p->lp, p->cols [j].glp_col));
        if (lots < 0.5)
            continue;
        const s_col_t *col = &p->cols [j];
        const hb_optplan_cand_t *c = &in->cands [col->cand];
        int *slot = &leg_of [col->cand][col->side];
        if (*slot < 0) {
            if (out->n_legs == HB_OPTPLAN_LEGS) {
                s_say (out, HB_OPTPLAN_SOLVER, "more than %d legs", HB_OPTPLAN_LEGS);
                return;
            }
            *slot = out->n_legs++;
            out->legs [*slot].cand = col->cand;
        }
        hb_optplan_leg_t *leg = &out->legs [*slot];
        double sign = col->side? 1: -1;
        const hb_optplan_level_t *lv = col->side? &c->asks [col->level]: &c->bids [col->level];
        double qty = lots * c->lot;
        leg->qty += sign * qty;
        leg->limit_px = lv->px;         //  levels come best first: the last is the deepest
        leg->cost += lots * col->lot_cost;
        leg->premium += sign * qty * lv->px;
    }
    for (int k = 0; k < out->n_legs; k++) {
        const hb_optplan_leg_t *leg = &out->legs [k];
        const hb_optplan_cand_t *c = &in->cands [leg->cand];
        out->cost += leg->cost;
        out->premium += leg->premium;
        out->delta += leg->qty * c->delta;
        out->gamma_after += leg->qty * c->gamma;
        out->vega_after [c->bucket] += leg->qty * c->vega;
    }
    s_say (out, HB_OPTPLAN_OK, "%d legs, cost %.2f USD, premium %.2f USD", out->n_legs, out->cost,
           out->premium);
}

hb_optplan_reason_t
hb_optplan_solve (const hb_optplan_input_t *in, hb_optplan_t *out)
{
    memset (out, 0, sizeof *out);
    if (!in)
        return s_say (out, HB_OPTPLAN_BAD_INPUT, "no input");
    if (!s_check (in, out))
        return out->reason;
    out->gamma_after = in->gamma;
    bool breached = fabs (in->gamma) > in->gamma_band;
    for (int b = 0; b < in->n_buckets; b++) {
        out->vega_after [b] = in->vega [b];
        breached |= fabs (in->vega [b]) > in->vega_band [b];
    }
    if (!breached)
        return s_say (out, HB_OPTPLAN_INSIDE, "gamma and vega inside their bands");
    int usable = 0;
    for (int i = 0; i < in->n_cands; i++)
        usable += s_usable (&in->cands [i]);
    if (usable == 0)
        return s_say (out, HB_OPTPLAN_NO_CANDIDATES, "no option with a two-sided book (%d listed)",
                      in->n_cands);
    //  GLPK reports through its own printer and aborts on invalid calls;
    //  the input was checked so no call is invalid, and nothing is printed
    glp_term_out (GLP_OFF);
    s_prog_t prog;
    if (s_build (&prog, in) != 0) {
        s_free (&prog);
        return s_say (out, HB_OPTPLAN_SOLVER, "out of memory");
    }
    hb_optplan_reason_t reason = HB_OPTPLAN_OK;
    if (!s_relaxed_feasible (prog.lp)) {
        s_drop_limits (&prog, in->n_cands);
        reason = s_relaxed_feasible (prog.lp)? HB_OPTPLAN_LIMITS: HB_OPTPLAN_INFEASIBLE;
        s_say (out, reason, reason == HB_OPTPLAN_LIMITS
               ? "reachable only beyond the premium or per-leg limits (%d candidates)"
               : "no combination of %d candidates reaches the targets", usable);
    }
    else {
        //  first on the few candidates the relaxation points at, then, if
        //  whole lots of those cannot do it, on all of them
        bool narrowed = usable > S_MIP_CANDS && s_narrow (&prog, in->n_cands);
        int rc = s_intopt (prog.lp);
        if (narrowed && glp_mip_status (prog.lp) != GLP_OPT && glp_mip_status (prog.lp) != GLP_FEAS) {
            s_widen (&prog);
            rc = s_intopt (prog.lp);
        }
        int status = glp_mip_status (prog.lp);
        if ((rc == 0 || rc == GLP_ESTOP || rc == GLP_EMIPGAP) && (status == GLP_OPT || status == GLP_FEAS))
            s_take (&prog, in, out);
        else
        if (rc == GLP_ENOPFS || status == GLP_NOFEAS || rc == 0)
            s_say (out, HB_OPTPLAN_LOTS, "feasible in fractions of a lot only (%d candidates)", usable);
        else
            s_say (out, HB_OPTPLAN_SOLVER, "glp_intopt returned %d", rc);
        reason = out->reason;
    }
    s_free (&prog);
    if (reason != HB_OPTPLAN_OK) {
        //  no legs: the figures stay the book's
        out->n_legs = 0;
        out->cost = out->premium = out->delta = 0;
        out->gamma_after = in->gamma;
        for (int b = 0; b < in->n_buckets; b++)
            out->vega_after [b] = in->vega [b];
    }
    return reason;
}
