/*  hb_config: the deployment file.

    One YAML file describes a whole deployment (assets, venues with their
    instruments, bus endpoints, components). A venue's plugin owns the
    section named after it (venues.X.<plugin>) and the top-level sections it
    declares (the sim's market:): the core only hands those over, and the
    plugin reads and checks them through the host (hb_plugin.h). Every process
    loads the same file and reads its own part. Loading validates the whole
    file: every problem is reported as

        FILE:LINE: KEY.PATH: message (value 'X')

    on stderr, all of them, not just the first; any error means NULL and the
    process must exit non-zero before touching the bus. docs/CONFIG.md is the
    reference for every key.

    The loaded config is plain read-only data: fields are public, nothing in
    it changes after hb_config_load returns.                                   */
#ifndef HB_CONFIG_H
#define HB_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_journal.h"
#include "hb_msg.h"

/*  Documented maxima (docs/CONFIG.md, Limits). A file over one is refused
    at load, never truncated. Assets and venues are small fixed tables (a
    few hundred KB at these maxima); instruments and positions are
    allocated per venue from the file's counts, so a venue with 10 of them
    costs 10, not 10,000. Processes size their per-instrument state the same
    way (hb_config_instrument_slots).                                       */
#define HB_MAX_ASSETS       256
#define HB_MAX_VENUES       32
#define HB_MAX_INSTRUMENTS  10000   //  per venue
#define HB_MAX_SECTIONS     8       //  top-level sections owned by plugins
#define HB_MAX_PARAMS       32      //  plugin-specific key/values per venue
#define HB_MAX_COMPONENTS   16
#define HB_MAX_POSITIONS    HB_MAX_INSTRUMENTS  //  starting positions per venue (one per instrument)
#define HB_PATH_MAX         256
#define HB_ENDPOINT_MAX     128
#define HB_MAX_HOSTS        16
#define HB_MAX_ALLOW        32      //  client certificates in security.allow
#define HB_KEY_NAME_MAX     48      //  a certificate name: "feed.<venue>" or a component's

typedef enum {
    HB_KIND_SPOT = 1,
    HB_KIND_LINEAR_PERP = 2,        //  USD-margined perpetual, qty x multiplier = asset units
    HB_KIND_INVERSE_PERP = 3,       //  coin-margined perpetual, each contract = multiplier USD
    HB_KIND_FUTURE = 4,             //  linear dated future
    HB_KIND_OPTION = 5              //  European option on the asset (qty x multiplier = asset units)
} hb_kind_t;

const char *hb_kind_name (hb_kind_t kind);      //  "spot", "linear_perp", ...

typedef struct {
    char    name [HB_NAME_MAX];     //  "BTC"
    double  price;                  //  reference price in USD (> 0): the sim starts there
    double  vol;                    //  annualized volatility (>= 0)
    double  drift;                  //  annualized drift
    int     line;                   //  where it was defined
} hb_asset_cfg_t;

typedef struct {
    char        symbol [HB_NAME_MAX];   //  unique within the venue
    int         asset;                  //  index into hb_config_t.assets
    hb_kind_t   kind;
    double      multiplier;             //  see hb_kind_t; 1 for spot
    double      tick_size;              //  price increment (> 0)
    double      lot_size;               //  quantity increment (> 0)
    double      min_qty;                //  smallest order (>= lot_size)
    //  options only
    bool        is_call;
    //  options only: settled in the asset's coin (inverse, Deribit style):
    //  hb-risk counts the coin premium in the USD delta (docs/RISK.md). In
    //  is_call's padding: the struct's size and offsets, which plugins of
    //  ABI 3 index, are unchanged.
    bool        coin_settled;
    double      strike;
    int64_t     expiry_ns;              //  wall ns
    double      iv;                     //  implied vol the sim quotes at
    int         line;
    //  options only: symbol of the future or perpetual of the same venue
    //  and asset the option is written on (Black-76 on its price); "":
    //  on the spot (Black-Scholes on the index). Checked at load.
    char        underlying [HB_NAME_MAX];
} hb_instrument_cfg_t;

//  venues.X.discover: which of the instruments the venue lists (plugin
//  ABI v5, hb_plugin.h) hb-feed keeps and publishes on instrument.<venue>
//  (docs/CONFIG.md, Discovery). Every test passes for an instrument kept;
//  a test that does not apply to its kind passes (a perp has no expiry).
typedef struct {
    bool        present;                //  the venue has a discover: section
    bool        all_assets;             //  no assets: key: every asset of assets:
    bool        assets [HB_MAX_ASSETS]; //  by asset index; an asset not in assets: never passes
    uint32_t    kinds;                  //  1u << hb_kind_t bits; every kind when the key is absent
    double      expiry_days [2];        //  [min, max] days to expiry, futures and options
    double      moneyness [2];          //  [lo, hi] strike / the asset's price, options
    int         max_count;              //  the most kept at once (<= HB_MAX_INSTRUMENTS): a
                                        //  listing over it is refused, never truncated
    int         line;
} hb_discover_cfg_t;

//  A position the desk already holds when the deployment starts
//  (venues.X.positions): the aggregator starts from it, then applies fills.
typedef struct {
    int     instrument;             //  index into the venue's instruments
    double  qty;                    //  signed (< 0 short), instrument quantity units; never 0
    double  entry;                  //  average entry price (> 0)
    int     line;
} hb_position_cfg_t;

typedef struct {
    char    key [HB_NAME_MAX];
    char    value [HB_PATH_MAX];
    int     line;
} hb_param_t;

typedef struct {
    char                name [HB_NAME_MAX];     //  "alpha"
    char                plugin [HB_NAME_MAX];   //  "sim"
    char                plugin_path [HB_PATH_MAX];  //  resolved .so
    char                endpoint [HB_ENDPOINT_MAX]; //  where hb-feed publishes
    double              fee_maker;              //  fraction of notional (may be < 0: rebate)
    double              fee_taker;
    double              initial_margin;         //  fraction of notional
    double              maintenance_margin;     //  <= initial_margin
    double              collateral_usd;
    double              balances [HB_MAX_ASSETS];   //  coin balances per asset index
    int                 cpu;                    //  CPU affinity, -1: none
    int                 max_order_age_ms;       //  an order older than this (from its sender's
                                                //  ts_pub) is refused as expired, never executed
    bool                enabled;                //  false: configured but not started
    int                 n_instruments;
    hb_instrument_cfg_t *instruments;           //  n_instruments, owned (hb_venue_cfg_alloc)
    int                 n_params;               //  plugin-specific settings (params:)
    hb_param_t          params [HB_MAX_PARAMS];
    int                 line;
    double              mark_stale_ms;          //  a mark older than this is stale (0: aggregator.stale_ms)
    int                 n_positions;            //  starting positions (positions:)
    hb_position_cfg_t   *positions;             //  n_positions, owned (hb_venue_cfg_alloc)
    //  indices of the instruments sorted by symbol, for hb_venue_instrument
    //  (hb_venue_cfg_index, done at load); NULL or stale (n_by_symbol !=
    //  n_instruments): a linear search
    int                 *by_symbol;
    int                 n_by_symbol;
    char                host [HB_NAME_MAX];     //  the host hb-run starts it on (hosts:)
    //  hb-feed keeps every fill its plugin publishes in this journal before
    //  publishing it, and serves them again on replay_endpoint (a ROUTER,
    //  docs/PROTOCOL.md, Fill replay). Defaults: <run_dir>/feed.<venue>.fills,
    //  fsync always, ipc://<run_dir>/feed.<venue>.replay. "" (a config built
    //  by hand): no journal, resp. no replay socket.
    char                fills_journal [HB_PATH_MAX];
    hb_journal_policy_t fills_fsync;
    //  how long hb-feed remembers an order it handed to the plugin, to
    //  match the fills of it (docs/OPERATIONS.md, Failing closed)
    int                 fill_window_s;
    char                replay_endpoint [HB_ENDPOINT_MAX];
    char                metrics [HB_ENDPOINT_MAX];  //  host:port of hb-feed's /metrics ("": none)
    hb_discover_cfg_t   discover;               //  venues.X.discover (present false: none)
} hb_venue_cfg_t;

//  A non-venue process (aggregator, risk, hedger, console, ...).
typedef struct {
    char    name [HB_NAME_MAX];
    char    endpoint [HB_ENDPOINT_MAX];     //  where it publishes ("" when it does not)
    int     cpu;
    bool    sends_orders;                   //  feeds subscribe to order.* from it
    int     line;
    char    host [HB_NAME_MAX];             //  the host hb-run starts it on (hosts:)
    bool    enabled;                        //  false: configured but hb-run leaves it out
    char    program [HB_PATH_MAX];          //  what hb-run starts ("": not a process)
    char    metrics [HB_ENDPOINT_MAX];      //  host:port of its /metrics ("": none)
} hb_component_cfg_t;

//  A machine of the deployment (hosts:). Without a hosts: section there is
//  one, "local", and everything runs on it.
typedef struct {
    char    name [HB_NAME_MAX];
    char    address [HB_ENDPOINT_MAX];      //  how others reach it (docs; "" when not given)
    bool    is_default;                     //  takes what names no host
    int     line;
} hb_host_cfg_t;

//  CURVE security (security:, docs/CONFIG.md and hb_curve.h). Every tcp
//  endpoint off loopback (every tcp endpoint with loopback: true) is
//  served and reached with CURVE only: each process has a certificate
//  NAME in keys_dir (NAME.key public, NAME.key_secret private, both made
//  by hb-keygen) and a server lets in only the clients named in allow.
//  Without a security: section such an endpoint is a config error.
typedef struct {
    bool    present;                        //  the file has a security: section
    char    keys_dir [HB_PATH_MAX];         //  absolute
    bool    loopback;                       //  CURVE on tcp loopback too (default: plain)
    int     n_allow;
    char    allow [HB_MAX_ALLOW][HB_KEY_NAME_MAX];  //  certificate names of the clients let in
    int     line;                           //  of keys_dir (or of security:)
} hb_security_cfg_t;

//  hb-aggregator's settings (components.aggregator), defaults filled in
//  even when the file has no such component.
typedef struct {
    char                endpoint [HB_ENDPOINT_MAX];         //  pos.*, margin.*, hb.aggregator
    char                snapshot_endpoint [HB_ENDPOINT_MAX];    //  ROUTER for snapshot requests
    char                journal [HB_PATH_MAX];  //  fill journal
    hb_journal_policy_t fsync;
    int                 fsync_ms;               //  interval policy: sync at least this often
    int                 snapshot_ms;            //  full snapshot published this often
    int                 stale_ms;               //  default mark staleness limit
    double              max_fill_usd;           //  a fill worth more is implausible: refused
    int                 cpu;
} hb_aggregator_cfg_t;

//  components.risk.regime: the correlation-regime detector's parameters
//  (risk/hb_regime.h, which checks the same ranges; docs/RISK.md,
//  Correlation regimes). Used by `hb-risk analyze --regime --config FILE`
//  and by hb-risk live (one detector per pair of assets).
typedef struct {
    double  threshold;                      //  CUSUM decision interval, (0, 1000]
    double  shift_z;                        //  alternative shift in atanh units, (0, 3]
    double  lambda_ref;                     //  reference sign probability decay, (0, 1)
    double  lambda_fast;                    //  fast covariance decay, (0, 1)
    double  lambda_slow;                    //  slow covariance decay, (0, 1)
    int     warmup;                         //  signed samples before an alarm, >= 10
    int     hold;                           //  samples an alarm keeps a pair shifted, >= 1
    //  what hb-risk live does with it (docs/RISK.md, Correlation regimes, Hedge)
    bool    hedge;                          //  the plan takes each proxy pair's recommended ratio
    double  proxy_floor;                    //  |fast correlation| under which a proxy is dropped, [0, 1)
    bool    stress_var;                     //  VaR moves to the stress VaR during a break
} hb_regime_cfg_t;

#define HB_CFG_VEGA_BUCKETS 8       //  vega expiry buckets at most (HB_RISK_VEGA_BUCKETS)

//  hb-risk's settings (components.risk), defaults filled in even when the
//  file has no such component. docs/CONFIG.md and docs/RISK.md say more.
typedef struct {
    char    endpoint [HB_ENDPOINT_MAX];     //  risk.exposure, risk.hedge, hb.risk
    int     cpu;
    int     sample_ms;                      //  return sampling grid
    double  lambda;                         //  EWMA decay, (0, 1)
    int     quote_stale_ms;                 //  a venue quote older than this leaves the index
    int     publish_ms;                     //  risk.exposure timer
    double  var_confidence;                 //  (0.5, 1)
    double  var_horizon_s;                  //  VaR and sigma horizon (> 0)
    double  stress_corr;                    //  [-1, 1]
    double  band_usd [HB_MAX_ASSETS];       //  per asset: |residual exposure| allowed (> 0)
    //  option greeks in desk units (docs/RISK.md, Greeks in desk units)
    int     n_vega_edges;                   //  0..HB_CFG_VEGA_BUCKETS-1
    int     vega_edges [HB_CFG_VEGA_BUCKETS - 1];   //  days, strictly increasing, >= 1
    double  gamma_band_usd [HB_MAX_ASSETS]; //  |dollar gamma| allowed, USD per 1 % (0: none)
    double  vega_band_usd [HB_MAX_ASSETS][HB_CFG_VEGA_BUCKETS];    //  |vega| per bucket, USD per vol point (0: none)
    double  option_target;                  //  a breached figure's option legs bring it to this fraction of its band, [0, 1]
    int     option_hold_ms;                 //  a plan with legs holds its asset at most this long (data time)
    double  residual_sigma_limit;           //  USD over the horizon; 0: no sigma trigger
    int     min_samples;                    //  returns needed before any hedge request
    double  rate;                           //  risk-free rate for option greeks
    //  the estimator's checkpoint (risk/hb_risk_ckpt.h); max age 0 or an
    //  empty path (a config built in code): none read or written
    char    checkpoint [HB_PATH_MAX];       //  default <run_dir>/risk.ckpt
    int     checkpoint_max_age_s;           //  an older one is discarded
    int     checkpoint_every_s;             //  written every this much data time
    double  max_index_deviation;            //  a venue mid this far (fraction) from the others is quarantined; 0: off
    hb_regime_cfg_t regime;                 //  components.risk.regime
} hb_risk_cfg_t;

//  hb-hedger's settings (components.hedger), defaults filled in even when
//  the file has no such component. docs/CONFIG.md, components.hedger. A
//  limit of 0 where the text says so means "no limit".
typedef struct {
    char    endpoint [HB_ENDPOINT_MAX];     //  order.*, hedger.reject, hb.hedger
    int     cpu;
    double  max_order_usd;                  //  notional of one order (> 0)
    double  max_order_qty [HB_MAX_ASSETS];  //  per asset, asset units (0: no limit)
    double  collar_bps;                     //  worst price vs the index (> 0)
    double  orders_per_s [HB_MAX_VENUES];   //  per venue (> 0): token bucket refill
    double  burst;                          //  token bucket capacity (>= 1)
    double  max_net_usd [HB_MAX_ASSETS];    //  |net exposure| after the order (> 0)
    double  max_gross_usd;                  //  sum |exposure| after the order (0: no limit)
    double  max_day_usd;                    //  notional traded per UTC day (> 0)
    int     max_request_age_ms;             //  an older risk.hedge is refused
    int     order_timeout_ms;               //  no ack by then: ask the venue (fill replay)
    double  max_utilization;                //  venue margin utilization after the order, (0, 1]
    char    journal [HB_PATH_MAX];          //  order intents and outcomes
    hb_journal_policy_t fsync;
    char    kill_file [HB_PATH_MAX];        //  exists: the kill switch is latched
    //  Carry in the venue choice (hedger/hb_route.h), per [venue][instrument],
    //  0 where the file gives none: what holding a long costs over hold_hours.
    //  Each venue's row has its n_instruments entries, owned by the config;
    //  a NULL row (a config built in code) is all 0 (hb_config_carry).
    double  hold_hours;                     //  how long a hedge is expected to be held (> 0)
    double  *funding_bps [HB_MAX_VENUES];   //  perps: expected funding per
                                            //  8 h, bps, signed (> 0: longs pay shorts)
    double  *basis_bps [HB_MAX_VENUES];     //  futures: annualized basis
                                            //  cost, bps, signed (> 0: a long pays it)
    //  option legs of risk.optplan (components.hedger.options; 0: no limit):
    //  |gamma| in USD per 1 % move, |vega| in USD per vol point, premium USD
    double  opt_max_order_gamma;            //  one leg
    double  opt_max_order_vega;
    double  opt_max_order_premium;
    double  opt_max_day_gamma;              //  summed over the legs of a UTC day
    double  opt_max_day_vega;
    double  opt_max_day_premium;
    double  opt_band_bps;                   //  a leg's limit vs the venue mark (else book mid), > 0
    double  opt_max_slippage_bps;           //  a leg sent this much worse than the plan's limit, >= 0
} hb_hedger_cfg_t;

//  hb-treasury's capital planning (treasury:, docs/CONFIG.md and
//  docs/OPERATIONS.md, Capital planning). Plans only: nothing here moves
//  money. Amounts of a route are in units of its asset.
#define HB_MAX_ROUTES       64

typedef struct {
    char    name [HB_NAME_MAX];     //  the key under treasury.routes
    int     from;                   //  source venue (index into venues)
    int     to;                     //  destination venue, != from
    char    asset [HB_NAME_MAX];    //  "USDC" (not in assets: a USD stablecoin, 1 USD), "BTC" ..
    char    network [HB_NAME_MAX];  //  "arbitrum", "bitcoin", "internal" ..
    double  delay_s;                //  expected time to arrive (>= 0)
    double  spread_s;               //  its spread (>= 0): planned as arriving at delay + spread
    double  fee;                    //  per transfer, paid by the source (>= 0)
    double  min;                    //  smallest transfer (>= 0)
    double  max;                    //  largest transfer (0: no limit)
    double  daily_limit;            //  per UTC day (0: no limit)
    bool    automatic;              //  auto: true: hb-treasury requests its transfers itself
    int     line;
} hb_route_cfg_t;

typedef struct {
    bool    present;                //  the file has a treasury: section
    char    endpoint [HB_ENDPOINT_MAX];     //  capital.plan.*, hb.treasury
    int     cpu;
    double  stress_move [HB_MAX_ASSETS];    //  per asset: the relative move survived, (0, 10]
    double  stress_minutes;         //  the time that move takes to develop (> 0)
    int     plan_ms;                //  plans made and published this often
    int     stale_ms;               //  a venue's margin state older than this is stale
    char    journal [HB_PATH_MAX];  //  transfers in flight (hb-treasury's own journal)
    double  timeout_s;              //  a transfer not credited this long after its eta: timed_out
    double  suggest_s;              //  a suggestion unchanged is published again this often
    double  topup_buffer;           //  a short venue is topped up to required x (1 + this)
    int     n_routes;
    hb_route_cfg_t routes [HB_MAX_ROUTES];
    int     line;
} hb_treasury_cfg_t;

//  A top-level section left to the plugins (hb_config_t.sections).
typedef struct {
    char    name [HB_NAME_MAX];
    int     line;
} hb_section_cfg_t;

typedef struct {
    char                path [HB_PATH_MAX];     //  the file it was loaded from
    char                deployment [HB_NAME_MAX];
    char                run_dir [HB_PATH_MAX];  //  ipc sockets, journals
    int                 log_level;              //  hb_log_level_t
    int                 n_assets;
    hb_asset_cfg_t      assets [HB_MAX_ASSETS];
    int                 n_venues;
    hb_venue_cfg_t      venues [HB_MAX_VENUES];
    int                 n_components;
    hb_component_cfg_t  components [HB_MAX_COMPONENTS];
    hb_aggregator_cfg_t aggregator;
    hb_risk_cfg_t       risk;
    hb_hedger_cfg_t     hedger;
    hb_treasury_cfg_t   treasury;
    bool                hosts_present;  //  false: no hosts: section, hosts [0] is "local"
    int                 n_hosts;
    hb_host_cfg_t       hosts [HB_MAX_HOSTS];
    hb_security_cfg_t   security;
    //  Top-level sections the core does not read (the sim's market:): they
    //  belong to venue plugins, which declare and check them (hb_plugin.h);
    //  hb-feed refuses one that no plugin of the file declares.
    int                 n_sections;
    hb_section_cfg_t    sections [HB_MAX_SECTIONS];
} hb_config_t;

//  Loads and validates path. Every error is printed to stderr as described
//  above; returns NULL if there was any. Plugins are looked up as
//  <dir>/hb_venue_<plugin>.so in each directory of $HB_PLUGIN_PATH (':'
//  separated), then in HB_PLUGIN_DIR (set at build time); a plugin value that
//  contains '/' is taken as a path.
hb_config_t *hb_config_load (const char *path);

//  Same, but reports errors by appending lines to errbuf (errsize bytes)
//  instead of stderr, for tests. Returns NULL on any error.
hb_config_t *hb_config_load_quiet (const char *path, char *errbuf, size_t errsize);

//  Frees the config and what it owns (each venue's instruments and
//  positions, the hedger's carry rows).
void hb_config_destroy (hb_config_t **self_p);

//  For a config built in code (tests, tools): gives venue zeroed room for
//  n_instruments instruments and n_positions positions, replacing (and
//  freeing) what it had; the counts are left to the caller.
//  hb_config_destroy frees them with the config; a venue that is not part
//  of one is released with hb_venue_cfg_release. 0, or -1 when out of
//  memory or a count is outside 0..HB_MAX_INSTRUMENTS.
int hb_venue_cfg_alloc (hb_venue_cfg_t *venue, int n_instruments, int n_positions);
void hb_venue_cfg_release (hb_venue_cfg_t *venue);

//  Sorts the venue's instruments by symbol into by_symbol, so that
//  hb_venue_instrument is a binary search rather than a scan of up to
//  HB_MAX_INSTRUMENTS per tick. The loader does it; a config built in code
//  may. 0, or -1 when out of memory (lookups stay linear).
int hb_venue_cfg_index (hb_venue_cfg_t *venue);

//  Same, one at a time: grows the venue's instruments (positions) by one
//  zeroed entry, counted, and returns it; NULL when out of memory or at
//  the maximum. Pointers into the array taken before may move.
hb_instrument_cfg_t *hb_venue_cfg_add_instrument (hb_venue_cfg_t *venue);
hb_position_cfg_t *hb_venue_cfg_add_position (hb_venue_cfg_t *venue);

//  Per-instrument state of a process, flat over every venue: the number
//  of (venue, instrument) slots of the config, and in first (HB_MAX_VENUES
//  entries, may be NULL) where each venue's instruments start, so that
//  instrument i of venue v is slot first [v] + i. A process allocates
//  its tables from this count, not from the maxima.
size_t hb_config_instrument_slots (const hb_config_t *self, size_t *first);

//  The hedger's carry for instrument i of venue v (0 where none given).
double hb_config_funding_bps (const hb_config_t *self, int v, int i);
double hb_config_basis_bps (const hb_config_t *self, int v, int i);

//  Lookups: NULL / -1 when absent.
const hb_venue_cfg_t *hb_config_venue (const hb_config_t *self, const char *name);
const hb_component_cfg_t *hb_config_component (const hb_config_t *self, const char *name);
int hb_config_asset_index (const hb_config_t *self, const char *name);
const hb_host_cfg_t *hb_config_host (const hb_config_t *self, const char *name);

//  The metrics: address (host:port, checked at load) of the process named
//  name: a component ("aggregator", "risk", ...), or a venue's feed
//  ("alpha" or "feed.alpha"). "" when it has none or is unknown.
const char *hb_config_metrics (const hb_config_t *self, const char *name);

//  True when endpoint is served and reached with CURVE under this config:
//  a tcp endpoint whose host is not a loopback address (127.0.0.0/8,
//  [::1], localhost), or any tcp endpoint with security.loopback. ipc://
//  never (file permissions guard it). self may be NULL: the rule without
//  a config (loopback stays plain).
bool hb_config_endpoint_curve (const hb_config_t *self, const char *endpoint);

//  The index-th endpoint (0, 1, ...) that a process of the config binds,
//  each endpoint once; NULL past the last. owner (HB_KEY_NAME_MAX bytes,
//  may be NULL) gets the certificate name of that process: "feed.<venue>"
//  for a venue's endpoint and replay_endpoint, the component's name for a
//  component's (aggregator for its snapshot_endpoint too).
//  True when name can be a certificate name: 1 to HB_KEY_NAME_MAX - 1 of
//  A-Z a-z 0-9 . _ : - not starting with a dot.
bool hb_config_key_name_valid (const char *name);

const char *hb_config_bound_endpoint (const hb_config_t *self, int index, char *owner);
const hb_instrument_cfg_t *hb_venue_instrument (const hb_venue_cfg_t *venue, const char *symbol);
const char *hb_venue_param (const hb_venue_cfg_t *venue, const char *key);

//  What fill is worth in USD by the config's instruments: an inverse
//  contract is multiplier USD, anything else multiplier units of the asset
//  at the fill's price; an instrument the config does not know counts one
//  unit per contract. Not finite for a broken fill.
double hb_config_fill_usd (const hb_config_t *self, const hb_fill_t *fill);

//  False when fill is implausible: not a finite amount, or worth more than
//  components.aggregator.max_fill_usd (0: no limit). The aggregator refuses
//  such a fill before its journal, and hb-risk does not wait for positions
//  that will never name it; both ask this one question.
bool hb_config_fill_plausible (const hb_config_t *self, const hb_fill_t *fill);

#endif
