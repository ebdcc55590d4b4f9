/*  The deployment the sim tests run against, built by hand (no YAML): four
    assets on one market, two sim venues (alpha, beta) with one instrument
    of every kind. Included by the sim *_test.c files only, after cmocka.h
    (it asserts).                                                           */
#ifndef SIM_TEST_CONFIG_H
#define SIM_TEST_CONFIG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_config.h"
#include "sim_config.h"

//  The sim's own sections of the deployment built here (sim_config.h): one
//  market, one sim section per venue index.
static sim_market_cfg_t sim_test_market;
static sim_venue_cfg_t  sim_test_sims [HB_MAX_VENUES];

#define ANCHOR_NS   INT64_C (1700000000000000000)
#define DAY_NS      (INT64_C (86400) * 1000000000)

enum { I_SPOT, I_PERP, I_INV, I_ETH_PERP, I_CALL, I_SOL, I_PUT, N_INSTR };

//  ---------------------------------------------------------------------------
//  Instruments of venue 0 and 1, in this order

static inline hb_instrument_cfg_t *
sim_test_instrument (hb_venue_cfg_t *v, const char *symbol, int asset, hb_kind_t kind,
         double mult, double tick, double lot, double min_qty)
{
    hb_instrument_cfg_t *ins = hb_venue_cfg_add_instrument (v);
    snprintf (ins->symbol, HB_NAME_MAX, "%s", symbol);
    ins->asset = asset;
    ins->kind = kind;
    ins->multiplier = mult;
    ins->tick_size = tick;
    ins->lot_size = lot;
    ins->min_qty = min_qty;
    return ins;
}

static inline void
sim_test_venue_cfg (hb_config_t *config, int index, const char *name, uint64_t seed,
             double basis_bps, double noise_bps)
{
    hb_venue_cfg_t *v = &config->venues [index];
    memset (v, 0, sizeof *v);
    snprintf (v->name, HB_NAME_MAX, "%s", name);
    snprintf (v->plugin, HB_NAME_MAX, "sim");
    v->fee_maker = 0.0001;
    v->fee_taker = 0.0005;
    v->initial_margin = 0.1;
    v->maintenance_margin = 0.05;
    v->collateral_usd = 1e6;
    v->balances [0] = 2;            //  BTC
    v->balances [1] = 20;           //  ETH
    v->cpu = -1;
    v->enabled = true;
    sim_test_instrument (v, "BTC-USD", 0, HB_KIND_SPOT, 1, 0.1, 0.0001, 0.0001);
    sim_test_instrument (v, "BTC-PERP", 0, HB_KIND_LINEAR_PERP, 1, 0.1, 0.001, 0.001);
    sim_test_instrument (v, "BTC-USD-INV", 0, HB_KIND_INVERSE_PERP, 100, 0.5, 1, 1);
    sim_test_instrument (v, "ETH-PERP", 1, HB_KIND_LINEAR_PERP, 1, 0.01, 0.01, 0.01);
    hb_instrument_cfg_t *call = sim_test_instrument (v, "BTC-C-65000", 0, HB_KIND_OPTION, 1, 5, 0.01, 0.01);
    call->is_call = true;
    call->strike = 65000;
    call->expiry_ns = ANCHOR_NS + 30 * DAY_NS;
    call->iv = 0.6;
    sim_test_instrument (v, "SOL-USD", 2, HB_KIND_SPOT, 1, 0.001, 0.01, 0.1);
    hb_instrument_cfg_t *put = sim_test_instrument (v, "ETH-P-2990", 1, HB_KIND_OPTION, 1, 0.1, 0.1, 0.1);
    put->is_call = false;
    put->strike = 2990;
    put->expiry_ns = ANCHOR_NS + 3600 * INT64_C (1000000000);     //  one hour
    put->iv = 0.7;
    sim_venue_cfg_t *sim = &sim_test_sims [index];
    memset (sim, 0, sizeof *sim);
    sim->seed = seed;
    sim->basis_bps = basis_bps;
    sim->noise_bps = noise_bps;
    sim->spread_bps = 2;
    sim->level_bps = 1;
    sim->depth = 5;
    sim->level_usd = 50000;
    sim->publish_ms = 250;
    sim->latency_ms = 20;
    //  a 60 s outage from t = 1000 s (steps 10000 .. 10599)
    sim->n_outages = 1;
    sim->outages [0].at_s = 1000;
    sim->outages [0].duration_s = 60;
    if (config->n_venues <= index)
        config->n_venues = index + 1;
}

static inline hb_config_t *
sim_test_config (uint64_t market_seed)
{
    hb_config_t *config = (hb_config_t *) calloc (1, sizeof *config);
    assert_non_null (config);
    const char *names [] = { "BTC", "ETH", "SOL", "DOGE" };
    const double prices [] = { 60000, 3000, 150, 0.15 };
    const double vols [] = { 0.6, 0.75, 1.0, 0.9 };
    memset (&sim_test_market, 0, sizeof sim_test_market);
    config->n_assets = 4;
    for (int i = 0; i < 4; i++) {
        snprintf (config->assets [i].name, HB_NAME_MAX, "%s", names [i]);
        config->assets [i].price = prices [i];
        config->assets [i].vol = vols [i];
        for (int j = 0; j < 4; j++)
            sim_test_market.corr [i][j] = i == j? 1: 0.6;
    }
    sim_test_market.present = true;
    sim_test_market.seed = market_seed;
    sim_test_market.step_ms = 100;
    sim_test_market.anchor_ns = ANCHOR_NS;
    sim_test_market.jumps_per_day = 10;
    sim_test_market.jump_std = 0.02;
    sim_test_venue_cfg (config, 0, "alpha", 7, 0, 2);
    sim_test_venue_cfg (config, 1, "beta", 8, 5, 3);
    return config;
}

#endif
