/*  hl_testing: the venue the Hyperliquid unit tests share: venue "hlt"
    of linear perps (tick 0.1, lot and min 1) and the /info meta that
    knows ETH (asset 0, szDecimals 4) and BTC (asset 1, szDecimals 5).
    Header-only: every function is static, and this file is never
    compiled on its own (as deribit_testing.h).                         */
#ifndef HL_TESTING_H
#define HL_TESTING_H

#include <stdio.h>
#include <string.h>
#include "hb_config.h"
#include "hl_md.h"

static const char hl_testing_meta [] =
    "{\"universe\":[{\"name\":\"ETH\",\"szDecimals\":4,\"maxLeverage\":25},"
    "{\"name\":\"BTC\",\"szDecimals\":5,\"maxLeverage\":40}]}";

//  config's only venue "hlt": n perps of symbols and multipliers. The
//  venue, whose instruments the caller releases (hb_venue_cfg_release).
static hb_venue_cfg_t *
hl_testing_venue (hb_config_t *config, const char *const *symbols, const double *multipliers, int n)
{
    hb_venue_cfg_t *v = &config->venues [0];
    config->n_venues = 1;
    snprintf (v->name, HB_NAME_MAX, "hlt");
    for (int i = 0; i < n; i++) {
        hb_instrument_cfg_t *ins = hb_venue_cfg_add_instrument (v);
        if (!ins)
            return NULL;
        snprintf (ins->symbol, HB_NAME_MAX, "%s", symbols [i]);
        ins->kind = HB_KIND_LINEAR_PERP;
        ins->multiplier = multipliers [i];
        ins->tick_size = 0.1;
        ins->lot_size = 1;
        ins->min_qty = 1;
    }
    return v;
}

//  hl_testing_meta into md: 0, or -1.
static int
hl_testing_meta_in (hl_md_t *md)
{
    char err [200];
    return hl_md_on_meta (md, hl_testing_meta, strlen (hl_testing_meta), err, sizeof err);
}

//  The end of a test: md destroyed, the venue's instruments released.
static void
hl_testing_release (hb_config_t *config, hl_md_t **md)
{
    hl_md_destroy (md);
    hb_venue_cfg_release (&config->venues [0]);
}

#endif
