/*  hb_hedger_testing: the config the hedger's test programs share
    (hb_hedger_test.c, hb_hedger_replay_test.c): one asset, BTC at 65,000,
    and two venues quoting BTC-PERP, alpha (taker 30 bps) and beta (2 bps),
    wide limits, the journal and kill file in dir. Header-only (static
    inline): from test programs only.                                      */
#ifndef HB_HEDGER_TESTING_H
#define HB_HEDGER_TESTING_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_config.h"
#include "hb_msg.h"
#include "hb_journal_testing.h"     //  after <cmocka.h>, as this one

static inline void
hb_hedger_testing_venue (hb_venue_cfg_t *venue, const char *name, double fee)
{
    strcpy (venue->name, name);
    venue->enabled = true;
    venue->fee_taker = fee;
    venue->initial_margin = 0.1;
    hb_venue_cfg_alloc (venue, 1, 1);
    venue->n_instruments = 1;
    hb_instrument_cfg_t *ins = &venue->instruments [0];
    strcpy (ins->symbol, "BTC-PERP");
    ins->asset = 0;
    ins->kind = HB_KIND_LINEAR_PERP;
    ins->multiplier = 1;
    ins->tick_size = 0.1;
    ins->lot_size = 0.001;
    ins->min_qty = 0.001;
    venue->max_order_age_ms = 1000;
}

//  A risk.hedge from "risk" selling qty BTC at 65,000 (envelope times,
//  epoch and seq left to the caller)
static inline void
hb_hedger_testing_request (hb_msg_t *msg, const char *id, double qty)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_RISK_HEDGE;
    strcpy (msg->env.publisher, "risk");
    hb_risk_hedge_t *r = &msg->u.risk_hedge;
    snprintf (r->id, sizeof r->id, "%s", id);
    r->reasons = HB_RISK_REASON_BAND;
    r->n_targets = 1;
    strcpy (r->targets [0].asset, "BTC");
    r->targets [0].index = 65000;
    r->targets [0].exposure_usd = qty * 65000;
    r->targets [0].target_qty = -qty;
    r->targets [0].target_usd = -qty * 65000;
}

//  A new config (the caller frees it) with orders in doubt after
//  order_timeout_ms; NULL when out of memory
static inline hb_config_t *
hb_hedger_testing_config (const char *dir, int order_timeout_ms)
{
    hb_config_t *cfg = (hb_config_t *) calloc (1, sizeof *cfg);
    if (!cfg)
        return NULL;
    cfg->n_assets = 1;
    strcpy (cfg->assets [0].name, "BTC");
    cfg->assets [0].price = 65000;
    cfg->n_venues = 2;
    hb_hedger_testing_venue (&cfg->venues [0], "alpha", 0.003);
    hb_hedger_testing_venue (&cfg->venues [1], "beta", 0.0002);
    cfg->risk.quote_stale_ms = 1000;
    hb_hedger_cfg_t *h = &cfg->hedger;
    h->max_order_usd = 1e7;
    h->collar_bps = 100;
    h->orders_per_s [0] = h->orders_per_s [1] = 100;
    h->burst = 100;
    h->max_net_usd [0] = 1e8;
    h->max_day_usd = 1e9;
    h->max_request_age_ms = 2000;
    h->order_timeout_ms = order_timeout_ms;
    h->max_utilization = 0.8;
    snprintf (h->journal, sizeof h->journal, "%s/hedger.journal", dir);
    snprintf (h->kill_file, sizeof h->kill_file, "%s/hedger.kill", dir);
    return cfg;
}

//  Removes what hb_hedger_testing_config put in dir (the journal, its
//  totals and markers, the kill file, dir itself) and frees the config.
static inline void
hb_hedger_testing_cleanup (hb_config_t **cfg_p, const char *dir)
{
    hb_config_t *cfg = *cfg_p;
    hb_journal_testing_unlink (cfg->hedger.journal);
    char totals [sizeof cfg->hedger.journal + 8];
    snprintf (totals, sizeof totals, "%s.totals", cfg->hedger.journal);
    hb_journal_testing_unlink (totals);
    unlink (cfg->hedger.kill_file);
    rmdir (dir);
    hb_config_destroy (cfg_p);
}

#endif
