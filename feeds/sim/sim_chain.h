/*  sim_chain: the option chains a sim venue lists when it discovers
    (venues.X.sim.chain, with venues.X.discover; plugin ABI v5). Like
    Deribit: expiries at 08:00 of a day, the next `dailies` days, the next
    `weeklies` Fridays, the next `monthlies` last Fridays of a month and the
    next `quarterlies` last Fridays of March, June, September and December;
    for each asset of the chain and each expiry, calls and puts at
    2 x strikes + 1 strikes around the asset's index at the time the expiry
    is listed, spaced by a round step near step_pct % of it. As time passes
    an expiry that is reached is delisted and the next one listed (the day
    roll). A sim day lasts roll_s seconds (86,400: real days; shorter in a
    demo, so that listings and expiries happen while one watches); the
    calendar starts at the market's anchor. No I/O: the caller lists.      */
#ifndef SIM_CHAIN_H
#define SIM_CHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_config.h"
#include "hb_msg.h"

#define SIM_CHAIN_EXPIRIES  32      //  expiries listed at once, at most

//  venues.X.sim.chain (sim_config.c reads it; docs/CONFIG.md)
typedef struct {
    bool    present;
    bool    assets [HB_MAX_ASSETS]; //  by asset index: the assets with a chain
    int     dailies;                //  0..8
    int     weeklies;               //  0..8
    int     monthlies;              //  0..8
    int     quarterlies;            //  0..8
    int     strikes;                //  1..200 each side of the index
    double  step_pct;               //  strike step near this % of the index (0, 50]
    double  roll_s;                 //  seconds of a sim day, 10..86400
    bool    coin_settled;           //  settle: coin (inverse, Deribit) or usd
} sim_chain_cfg_t;

typedef struct sim_chain_s sim_chain_t;

//  The price of asset (its index) now, for new strikes
typedef double (sim_chain_index_fn) (void *arg, int asset);
//  A series listed or delisted: count instruments, or one symbol
typedef int (sim_chain_list_fn) (void *arg, const hb_instrument_t *items, size_t count);
typedef int (sim_chain_delist_fn) (void *arg, const char *symbol);

//  A chain of config's assets per cfg (both borrowed), its calendar from
//  anchor_ns. NULL when out of memory.
sim_chain_t *sim_chain_new (const sim_chain_cfg_t *cfg, const hb_config_t *config, int64_t anchor_ns);
void sim_chain_destroy (sim_chain_t **self_p);

//  The expiries listed at now_ns, increasing, into out (up to max).
//  Returns how many.
int sim_chain_expiries (const sim_chain_t *self, int64_t now_ns, int64_t *out, int max);

//  The round strike step near step_pct % of index.
double sim_chain_step (double index, double step_pct);

//  Brings what is listed up to now_ns: delists every instrument of an
//  expiry reached (delist, one symbol at a time), lists the series of
//  each new expiry (list, one call per asset and expiry, strikes from
//  index). Returns 0, or -1 when a list call said -1 (the series stays
//  listed here: it is not asked again until its expiry).
int sim_chain_roll (sim_chain_t *self, int64_t now_ns, sim_chain_index_fn *index,
                    sim_chain_list_fn *list, sim_chain_delist_fn *delist, void *arg);

//  Instruments listed now (the series' calls and puts).
size_t sim_chain_size (const sim_chain_t *self);

#endif
