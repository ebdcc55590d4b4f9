/*  sim_config: the sim plugin's own part of the deployment file, read
    through the host's cfg_* functions (hb_plugin.h, ABI v2): the
    top-level market: section (the simulated market every sim venue
    shares) and venues.X.sim (this venue's parameters). Keys, defaults and
    ranges are in docs/CONFIG.md; errors are reported by the host as
    FILE:LINE: KEY.PATH: message, like the core config's.                  */
#ifndef SIM_CONFIG_H
#define SIM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_config.h"
#include "hb_plugin.h"
#include "sim_chain.h"
#include "sim_vol.h"

#define SIM_MAX_WINDOWS     8       //  scheduled outages per venue
#define SIM_MAX_MANUAL      8       //  scheduled manual trades per venue
#define SIM_MAX_ALLOW       16      //  destinations of transfers.allow
#define SIM_MAX_SCRIPT      16      //  segments of market.script

//  A trade made on the venue by someone else than this system (a trader on
//  the exchange's UI, a liquidation engine): after_s seconds after the
//  plugin starts, a market order of qty on instrument (an index into the
//  venue's instruments) is executed on the account, and its fills are
//  published marked HB_FILL_EXTERNAL.
typedef struct {
    double  after_s;
    int     instrument;
    int     side;                   //  hb_side_t
    double  qty;
} sim_manual_t;

//  A time window on the sim clock: starts at_s seconds after the market
//  anchor, lasts duration_s, repeats every every_s seconds (0: once).
typedef struct {
    double  at_s;
    double  duration_s;
    double  every_s;
} sim_window_t;

//  True when t_s (seconds after the anchor) falls inside the window.
bool sim_window_active (const sim_window_t *window, double t_s);

//  A scripted move of the market (market.script): from at_s seconds after
//  the anchor, over over_s seconds, the log price of asset (-1: every
//  asset) gains move (ln (1 + move_pct / 100)) linearly, on top of the
//  random path, and keeps it after. A test's rally or crash, the same on
//  every venue and every run.
typedef struct {
    double  at_s;
    double  over_s;
    double  move;
    int     asset;
} sim_script_t;

//  The simulated market shared by every sim venue (market: section).
typedef struct {
    bool            present;        //  false when the file has no market: section
    uint64_t        seed;
    double          step_ms;        //  price path resolution (> 0)
    int64_t         anchor_ns;      //  t = 0 of the sim clock; 0 = start of the current UTC day
    bool            regime_present;
    sim_window_t    regime;         //  while active, regime_corr replaces corr
    double          jumps_per_day;  //  Poisson intensity per asset (0: none)
    double          jump_mean;      //  log-return jump size ~ N(mean, std)
    double          jump_std;
    //  market.vol_surface: the options' implied vols (sim_vol.h); an asset
    //  without one quotes its options at the instrument's iv
    bool            vol_present;
    sim_vol_asset_t vol [HB_MAX_ASSETS];
    int             n_vol_shocks;
    sim_vol_shock_t vol_shocks [SIM_VOL_SHOCKS];
    int             n_script;
    sim_script_t    script [SIM_MAX_SCRIPT];
    //  Last, and only their n_assets x n_assets corner written or read
    //  (stride HB_MAX_ASSETS): the rest of these 1 MB is never touched, so
    //  it costs no memory with a few assets (sim_config_read clears the
    //  struct up to corr only)
    double          corr [HB_MAX_ASSETS][HB_MAX_ASSETS];    //  n_assets x n_assets, PSD
    double          regime_corr [HB_MAX_ASSETS][HB_MAX_ASSETS];
} sim_market_cfg_t;

//  Parameters of one sim venue (venues.X.sim).
typedef struct {
    uint64_t        seed;               //  venue noise seed
    double          basis_bps;          //  constant offset of this venue's mids
    double          noise_bps;          //  independent N(0, noise) per publish, per asset
    double          spread_bps;         //  full spread at the touch
    double          level_bps;          //  distance between depth levels
    int             depth;              //  levels per side, 1..HB_BOOK_DEPTH
    double          level_usd;          //  notional per level at the touch
    double          publish_ms;         //  tick interval per instrument
    double          latency_ms;         //  order handling delay
    double          account_ms;         //  account.<venue> report interval (0: none)
    bool            account_margin;     //  the report carries equity and margin (else positions only)
    double          funding_ms;         //  funding payment interval on perps (0: none)
    double          funding_rate;       //  per payment, signed (> 0: longs pay)
    int             n_outages;
    sim_window_t    outages [SIM_MAX_WINDOWS];
    int             n_manual;
    sim_manual_t    manual [SIM_MAX_MANUAL];    //  manual_trades:
    //  liquidation: when equity <= maintenance margin the venue closes the
    //  margined positions at the book walked, worse by penalty_bps
    bool            liq_enabled;
    double          liq_penalty_bps;
    //  transfers.allow: the venues this one may send collateral to (none:
    //  every transfer is refused)
    int             n_allow;
    char            allow [SIM_MAX_ALLOW][HB_NAME_MAX];
    //  chain: the option chains this venue lists (sim_chain.h), with
    //  venues.X.discover
    sim_chain_cfg_t chain;
} sim_venue_cfg_t;

//  The sections the sim owns at the top of the file (ops->sections).
extern const char *const sim_config_sections [];

//  Reads market: and venues.X.sim through host (which must have the cfg_*
//  functions of ABI v2). Returns 0, or -1 when a problem was recorded
//  (the host reports it) or the host has no cfg_*.
int sim_config_read (const hb_host_api_t *host, sim_market_cfg_t *market, sim_venue_cfg_t *sim);

//  The sim clock's t = 0 in wall ns (anchor_ns, or the start of the UTC
//  day that contains now_ns when anchor_ns is 0).
int64_t sim_market_anchor_ns (const sim_market_cfg_t *market, int64_t now_ns);

#endif
