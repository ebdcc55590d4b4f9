/*  hb_optplan_sim_bench: what hedging gamma and vega with options buys a
    short-options book, over simulated days, costs included (issue 17).

    Market: BTC spot from 60,000 USD, hourly steps, GBM whose vol is an
    implied-vol level following a log Ornstein-Uhlenbeck process (mean 0.60,
    reversion 4 a year, vol of vol 1.2) with its shocks correlated -0.5 to
    the spot's (hb_simpair: a fixed seed per path), and a scheduled shock
    on day 12: spot -8 % and the vol level x1.5 in one hour. The surface
    around the level: skew -0.15 per unit of log-moneyness, term structure
    (T / 30 d)^-0.08. Options are valued with Black-Scholes (hb_bs) on it.

    Book: short 100 straddles at the money, 45 days at the start. Each day
    at 00:00 the desk rebalances one of three ways, then holds for the day:
      unhedged        nothing;
      delta           the delta to zero with a perp (cost 3 bp of notional);
      gamma+vega      hb_optplan chooses options (calls and puts at 80 to
                      120 % of spot, expiries now + 7, 30 and 90 days, books
                      of 3 levels of 25 contracts, half spread 0.5 vol point
                      plus 0.5 more per level, fee 0.03 % of spot per
                      contract) to bring gamma within 25 % of the book's
                      starting gamma and each vega bucket (<= 7 d, 7-30,
                      30-90, > 90 d) within 10 % of its starting vega,
                      then the delta to zero with the perp.
    Expired options settle at intrinsic value. Reported: the standard
    deviation of the daily P&L (marked to the surface, costs included)
    over every day of every path, the mean daily P&L and the mean daily
    cost, per strategy. A bench, not a test: the figures depend only on
    the seed.                                                            */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_bs.h"
#include "hb_optplan.h"
#include "hb_simpair.h"

#define S_PATHS     40
#define S_DAYS      30
#define S_STEPS     24                  //  per day
#define S_YEAR      365.0
#define S_POS_MAX   512
#define S_STRATS    3

typedef struct {
    bool   call;
    double strike, expiry;              //  expiry in days from the path's start
    double qty;                         //  contracts (1 BTC each), > 0 long
} s_opt_t;

typedef struct {
    s_opt_t opts [S_POS_MAX];
    int     n;
    double  perp;                       //  BTC
    double  cash;                       //  USD
    double  cost;                       //  USD paid beyond the mid, cumulated
} s_book_t;

typedef struct {
    double spot, level;                 //  spot and the implied-vol level
} s_mkt_t;

static double
s_vol (const s_mkt_t *m, double strike, double t_days)
{
    double term = pow (fmax (t_days, 1) / 30, -0.08);
    double vol = m->level * term * (1 - 0.15 * log (strike / m->spot));
    return fmax (vol, 0.05);
}

static hb_greeks_t
s_value (const s_mkt_t *m, bool call, double strike, double t_days)
{
    hb_greeks_t g;
    if (t_days <= 0) {
        memset (&g, 0, sizeof g);
        g.price = fmax (call? m->spot - strike: strike - m->spot, 0);
        return g;
    }
    hb_bs (call, m->spot, strike, t_days / S_YEAR, 0, 0, s_vol (m, strike, t_days), &g);
    return g;
}

static double
s_mark (const s_book_t *b, const s_mkt_t *m, double now)
{
    double v = b->cash + b->perp * m->spot;
    for (int i = 0; i < b->n; i++)
        v += b->opts [i].qty * s_value (m, b->opts [i].call, b->opts [i].strike,
                                         b->opts [i].expiry - now).price;
    return v;
}

//  Adds qty of an option bought or sold at px (cash), merging a repeat
static void
s_trade (s_book_t *b, bool call, double strike, double expiry, double qty, double px)
{
    b->cash -= qty * px;
    for (int i = 0; i < b->n; i++)
        if (b->opts [i].call == call && b->opts [i].strike == strike && b->opts [i].expiry == expiry) {
            b->opts [i].qty += qty;
            return;
        }
    if (b->n < S_POS_MAX)
        b->opts [b->n++] = (s_opt_t) { call, strike, expiry, qty };
}

//  Expired options settle at intrinsic value and leave the book
static void
s_settle (s_book_t *b, const s_mkt_t *m, double now)
{
    int k = 0;
    for (int i = 0; i < b->n; i++) {
        const s_opt_t *o = &b->opts [i];
        if (o->expiry <= now)
            b->cash += o->qty * fmax (o->call? m->spot - o->strike: o->strike - m->spot, 0);
        else
            b->opts [k++] = *o;
    }
    b->n = k;
}

static int
s_bucket (double t_days)
{
    return t_days <= 7? 0: t_days <= 30? 1: t_days <= 90? 2: 3;
}

//  The book's delta, gamma and vega per bucket (vega per 1.00 of vol)
static void
s_greeks (const s_book_t *b, const s_mkt_t *m, double now, double *delta, double *gamma, double *vega)
{
    *delta = b->perp;
    *gamma = 0;
    memset (vega, 0, sizeof (double) * 4);
    for (int i = 0; i < b->n; i++) {
        const s_opt_t *o = &b->opts [i];
        hb_greeks_t g = s_value (m, o->call, o->strike, o->expiry - now);
        *delta += o->qty * g.delta;
        *gamma += o->qty * g.gamma;
        vega [s_bucket (o->expiry - now)] += o->qty * g.vega;
    }
}

static void
s_hedge_delta (s_book_t *b, double delta, const s_mkt_t *m)
{
    double cost = fabs (delta) * m->spot * 3e-4;
    b->perp -= delta;
    b->cash += delta * m->spot - cost;
    b->cost += cost;
}

//  The day's candidates and their books, then the plan and its trades
static void
s_hedge_options (s_book_t *b, const s_mkt_t *m, double now, const double *bands, int *legs_out,
                 hb_optplan_reason_t *reason_out)
{
    static const double moneyness [] = { 0.8, 0.9, 0.95, 1.0, 1.05, 1.1, 1.2 };
    static const double tenors [] = { 7, 30, 90 };
    hb_optplan_cand_t cands [42];
    bool calls [42];
    double strikes [42], expiries [42];
    int n = 0;
    for (size_t t = 0; t < 3; t++)
        for (size_t k = 0; k < 7; k++)
            for (int c = 0; c < 2; c++) {
                double strike = round (m->spot * moneyness [k] / 1000) * 1000;
                hb_greeks_t g = s_value (m, c, strike, tenors [t]);
                hb_optplan_cand_t *cand = &cands [n];
                memset (cand, 0, sizeof *cand);
                cand->id = n;
                cand->delta = g.delta;
                cand->gamma = g.gamma;
                cand->vega = g.vega;
                cand->bucket = s_bucket (tenors [t]);
                cand->lot = 0.1;
                cand->min = 0.1;
                cand->fee_fixed = 3e-4 * m->spot;
                cand->n_bids = cand->n_asks = 3;
                for (int l = 0; l < 3; l++) {
                    double half = g.vega * 0.005 * (1 + l) + 0.5;
                    cand->bids [l] = (hb_optplan_level_t) { fmax (g.price - half, 0.01), 25 };
                    cand->asks [l] = (hb_optplan_level_t) { g.price + half, 25 };
                }
                calls [n] = c;
                strikes [n] = strike;
                expiries [n] = now + tenors [t];
                n++;
            }
    double delta, gamma, vega [4];
    s_greeks (b, m, now, &delta, &gamma, vega);
    hb_optplan_input_t in;
    memset (&in, 0, sizeof in);
    in.gamma = gamma;
    in.gamma_band = bands [0];
    in.n_buckets = 4;
    for (int k = 0; k < 4; k++) {
        in.vega [k] = vega [k];
        in.vega_band [k] = bands [1 + k];
    }
    in.target = 0.5;
    in.n_cands = n;
    in.cands = cands;
    hb_optplan_t plan;
    *reason_out = hb_optplan_solve (&in, &plan);
    static int said;
    if (*reason_out == HB_OPTPLAN_SOLVER && !said++)
        printf ("  (first plan without legs for the solver: %s)\n", plan.why);
    *legs_out = plan.n_legs;
    for (int k = 0; k < plan.n_legs; k++) {
        const hb_optplan_leg_t *leg = &plan.legs [k];
        int i = leg->cand;
        //  paid: the premium at the levels walked, and the fees
        double fees = fabs (leg->qty) * cands [i].fee_fixed;
        s_trade (b, calls [i], strikes [i], expiries [i], leg->qty, leg->premium / leg->qty);
        b->cash -= fees;
        b->cost += leg->cost;
    }
}

int
main (void)
{
    static const char *names [S_STRATS] = { "unhedged", "delta (perp)", "gamma+vega+delta" };
    double sum [S_STRATS] = { 0 }, sum2 [S_STRATS] = { 0 }, costs [S_STRATS] = { 0 };
    int days = 0, legs = 0, plans = 0, reasons [HB_OPTPLAN_REASONS] = { 0 };
    for (int path = 0; path < S_PATHS; path++) {
        hb_simpair_t rng;
        hb_simpair_cfg_t cfg = { .rho = -0.5 };
        hb_simpair_init (&rng, 1000 + (uint64_t) path, &cfg);
        s_mkt_t m = { 60000, 0.60 };
        static s_book_t books [S_STRATS];
        double bands [5];
        for (int s = 0; s < S_STRATS; s++) {
            memset (&books [s], 0, sizeof books [s]);
            for (int c = 0; c < 2; c++) {
                double px = s_value (&m, c, 60000, 45).price;
                s_trade (&books [s], c, 60000, 45, -100, px);
            }
        }
        double d0, g0, v0 [4];
        s_greeks (&books [0], &m, 0, &d0, &g0, v0);
        bands [0] = 0.25 * fabs (g0);
        for (int k = 0; k < 4; k++)
            bands [1 + k] = 0.10 * (fabs (v0 [0]) + fabs (v0 [1]) + fabs (v0 [2]) + fabs (v0 [3]));
        double dt = 1 / (S_YEAR * S_STEPS);
        for (int day = 0; day < S_DAYS; day++) {
            double now = day, start [S_STRATS], cost0 [S_STRATS];
            for (int s = 0; s < S_STRATS; s++) {
                s_settle (&books [s], &m, now);
                cost0 [s] = books [s].cost;
                double delta, gamma, vega [4];
                if (s == 2) {
                    int n_legs = 0;
                    hb_optplan_reason_t reason;
                    s_hedge_options (&books [s], &m, now, bands, &n_legs, &reason);
                    reasons [reason]++;
                    legs += n_legs;
                    plans += reason == HB_OPTPLAN_OK;
                }
                s_greeks (&books [s], &m, now, &delta, &gamma, vega);
                if (s >= 1)
                    s_hedge_delta (&books [s], delta, &m);
            }
            //  marks after the trades: what the day then earns or loses,
            //  the trades' costs added back below as that day's loss
            for (int s = 0; s < S_STRATS; s++)
                start [s] = s_mark (&books [s], &m, now);
            for (int step = 0; step < S_STEPS; step++) {
                double z_spot, z_vol;
                hb_simpair_next (&rng, &z_spot, &z_vol);
                double sigma = m.level;
                m.spot *= exp (-0.5 * sigma * sigma * dt + sigma * sqrt (dt) * z_spot);
                m.level = exp (log (m.level) + 4 * (log (0.60) - log (m.level)) * dt + 1.2 * sqrt (dt) * z_vol);
                if (day == 12 && step == 10) {
                    m.spot *= 0.92;
                    m.level *= 1.5;
                }
            }
            double end_t = now + 1;
            for (int s = 0; s < S_STRATS; s++) {
                double pnl = s_mark (&books [s], &m, end_t) - start [s] - (books [s].cost - cost0 [s]);
                sum [s] += pnl;
                sum2 [s] += pnl * pnl;
                costs [s] += books [s].cost - cost0 [s];
            }
            days++;
        }
    }
    printf ("hb_optplan_sim_bench: short 100 ATM 45-day straddles, %d paths x %d days, hourly GBM with a "
            "stochastic vol (-0.5 spot-vol correlation) and a day-12 shock (spot -8 %%, vol x1.5)\n",
            S_PATHS, S_DAYS);
    for (int s = 0; s < S_STRATS; s++) {
        double mean = sum [s] / days, var = sum2 [s] / days - mean * mean;
        printf ("  %-18s daily P&L std %12.0f USD  (%.2fx unhedged), mean %10.0f USD, mean cost %8.0f USD/day\n",
                names [s], sqrt (fmax (var, 0)), sqrt (fmax (var, 0)) / sqrt (fmax (sum2 [0] / days - (sum [0] / days) * (sum [0] / days), 1e-300)),
                mean, costs [s] / days);
    }
    printf ("  option plans: %d with legs of %d days (%.1f legs each);", plans, days,
            plans? (double) legs / plans: 0.0);
    for (int r = 1; r < HB_OPTPLAN_REASONS; r++)
        if (reasons [r])
            printf (" %s %d", hb_optplan_reason_name ((hb_optplan_reason_t) r), reasons [r]);
    printf ("\n");
    return 0;
}
