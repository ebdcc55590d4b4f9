/*  sim_venue: one simulated venue, without a host. It owns a sim_market
    (the shared path), derives this venue's mids (basis + independent noise),
    quotes every instrument with a book, emits public trades, matches orders
    against the books and keeps the account (balances, positions, margin).

    Time is the step index k of the market grid; the caller says which step
    "now" is (the plugin derives it from the wall clock, tests pass it
    directly). Everything the venue emits is a pure function of the config
    and the sequence of calls with their k: the same calls give the same
    bytes. Messages go out through an emit callback, one at a time, in a
    hb_msg_t the venue owns and zeroes first (padding included); the callee
    may change the envelope it is given (the host stamps it).

    Books are rebuilt when a call names a step newer than the books' step,
    so liquidity taken by an order stays taken until the step changes.
    Nothing here allocates after sim_venue_new.                             */
#ifndef SIM_VENUE_H
#define SIM_VENUE_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_config.h"
#include "hb_msg.h"
#include "sim_book.h"
#include "sim_market.h"

typedef struct sim_venue_s sim_venue_t;

//  Receives one message; the return value is ignored by the venue (a failed
//  publish is the host's to count).
typedef int (sim_emit_fn) (void *arg, hb_msg_t *msg);

//  The account, in the venue's units. Derivative positions carry a running
//  cash flow so that value = cash + position at the mark:
//    linear/future: cash in USD, value = cash + pos * mult * price
//    inverse:       cash in coin, value (coin) = cash - pos * mult / price
//    option:        the premium moves usd; value = pos * mult * price
typedef struct {
    double usd;
    double coin [HB_MAX_ASSETS];
    double *pos;                        //  per instrument of the venue: units (contracts), signed
    double *cash;                       //  per instrument of the venue
} sim_account_t;

//  Builds the venue from config and its section venue (both borrowed: they
//  must outlive the venue), with the sim clock's t = 0 at anchor_ns.
//  Returns NULL and writes why into err when a sim parameter is out of range, an
//  instrument is unusable (bad asset index, tick, lot, multiplier; option
//  without strike or iv), or the market cannot be built.
//  market and sim are the plugin's own sections (sim_config.h), borrowed too.
sim_venue_t *sim_venue_new (const hb_config_t *config, const hb_venue_cfg_t *venue,
                            const sim_market_cfg_t *market, const sim_venue_cfg_t *sim,
                            int64_t anchor_ns, char *err, size_t errsize);

//  NULL-safe; nulls *self_p.
void sim_venue_destroy (sim_venue_t **self_p);

//  The step that contains wall time wall_ns (0 before the anchor), and the
//  sim time of step k in wall ns.
uint64_t sim_venue_step_at (const sim_venue_t *self, int64_t wall_ns);
int64_t  sim_venue_time_ns (const sim_venue_t *self, uint64_t k);

//  True when an outage window of this venue covers step k.
bool sim_venue_outage (const sim_venue_t *self, uint64_t k);

//  Brings the market path to step k now (the fast-forward at start-up).
void sim_venue_seek (sim_venue_t *self, uint64_t k);

//  Publishes the state at step k: one tick per quoted instrument (an
//  expired option is not quoted), then the public trades of step k (once
//  per step however often this is called). Emits nothing during an outage.
//  Returns the number of messages emitted.
int sim_venue_publish (sim_venue_t *self, uint64_t k, sim_emit_fn *emit, void *arg);

//  Handles an order at step k: validates it, walks the book (market and
//  limit IOC; GTC is refused), emits one fill per level touched and then a
//  final ack: DONE (all filled), CANCELED (IOC remainder; filled_qty says
//  how much filled) or REJECTED with the reason. Returns 0 when it filled
//  anything, -1 when rejected.
int sim_venue_order (sim_venue_t *self, const hb_order_t *order, uint64_t k,
                     sim_emit_fn *emit, void *arg);

//  What a liquidation check saw and did (USD at the step's fair prices).
typedef struct {
    double equity;              //  before
    double maintenance;         //  maintenance margin before
    double equity_after;
    double maintenance_after;
    int    positions;           //  positions closed
    int    fills;               //  fills emitted
} sim_liquidation_t;

//  The venue's liquidation engine at step k (venues.X.sim.liquidation;
//  feeds/sim/README.md): when enabled, outside outages, and equity <=
//  maintenance margin (> 0), closes every margined position whole at the
//  book walked (the rest at the last level reached), each price worse by
//  penalty_bps, taker fee charged, and emits the fills marked
//  HB_FILL_EXTERNAL | HB_FILL_LIQUIDATION (client id sim-<order id>, order
//  id <venue>-liq<k>-<n>). Once per breach: after a liquidation nothing more
//  happens until a check finds equity above maintenance. Fills out (always
//  written). Returns the number of positions closed (0: no liquidation).
int sim_venue_liquidate (sim_venue_t *self, uint64_t k, sim_emit_fn *emit, void *arg,
                         sim_liquidation_t *out);

//  A withdrawal at step k (a transfer to another venue, feeds/sim/README.md):
//  takes amount + fee of asset (an index of config assets; -1: USD, which
//  every stablecoin is here) out of the account when equity after it stays
//  above the initial margin (only free margin leaves a venue). Returns 0,
//  or -1 with why (not enough free margin, a bad amount) and nothing taken.
int sim_venue_withdraw (sim_venue_t *self, int asset, double amount, double fee, uint64_t k,
                        char *why, size_t size);
//  A deposit (a transfer credited): amount of asset (-1: USD) into the account.
void sim_venue_deposit (sim_venue_t *self, int asset, double amount);

//  Liquidations done since the venue was built.
uint64_t sim_venue_liquidations (const sim_venue_t *self);

//  Nothing rests on a sim venue (IOC only), so a cancel always gets a
//  REJECTED ack with HB_REJ_UNKNOWN_ORDER. Returns -1.
int sim_venue_cancel (sim_venue_t *self, const hb_cancel_t *cancel, uint64_t k,
                      sim_emit_fn *emit, void *arg);

//  State at step k (the books are rebuilt first when k is newer). instrument
//  and asset are indexes into the venue's instruments and config assets.
const sim_book_t *sim_venue_book (sim_venue_t *self, int instrument, uint64_t k);
double sim_venue_mid (sim_venue_t *self, int asset, uint64_t k);
double sim_venue_fair (sim_venue_t *self, int instrument, uint64_t k);
bool   sim_venue_quoted (sim_venue_t *self, int instrument, uint64_t k);
double sim_venue_equity (sim_venue_t *self, uint64_t k);
double sim_venue_margin (sim_venue_t *self, uint64_t k);
double sim_venue_maintenance (sim_venue_t *self, uint64_t k);

//  The account as the venue reports it (account.<venue>): the engine's
//  account plus the desk's starting positions (venues.X.positions, opened
//  at their entry price, no fee), at step k's prices: the same sum the
//  aggregator makes from the config and the fills.
typedef struct {
    double equity;                  //  USD
    double initial;                 //  margin used, USD
    double maintenance;             //  USD
    double withdrawable;            //  equity less margin used, >= 0
} sim_figures_t;
void sim_venue_figures (sim_venue_t *self, uint64_t k, sim_figures_t *out);

//  The venue's position in instrument i: what the engine traded plus the
//  desk's starting position there.
double sim_venue_position (const sim_venue_t *self, int i);

//  One funding payment on every perpetual with a position, at step k's
//  fair price and rate (per payment, signed: > 0 longs pay shorts): the
//  amount leaves (or reaches) the account (linear in USD, inverse in
//  coin) and goes out as funding.<venue>.<symbol> through emit, id
//  "<symbol>:<time_ms>". Returns how many were paid.
int sim_venue_funding (sim_venue_t *self, uint64_t k, double rate, int64_t time_ms,
                       sim_emit_fn *emit, void *arg);

const sim_account_t *sim_venue_account (const sim_venue_t *self);
const sim_market_t  *sim_venue_market (const sim_venue_t *self);

#endif
