/*  hb_risk: the live risk engine as an object, without the bus, so that
    tests drive it with ticks, aggregator messages and time directly; the
    hb-risk process (hb_risk_main.c) feeds it from the bus and publishes
    what it returns.

    Inputs: venue ticks (index mids, option mark IVs), the aggregator's
    pos.<asset> exposures, per-instrument positions (options) and margin
    messages, and the clock. Outputs, on request: a risk.exposure body and,
    at most once per sample, a risk.hedge body. docs/RISK.md, Live process,
    states the rules; in short:
    - index per asset from hb_index (median of fresh venue mids);
    - on each sample: log return of each index since the previous sample,
      missing for an asset stale now or at the previous sample; EWMA update;
    - exposures: the aggregator's delta-1 USD (options' placeholders taken
      out) rescaled to the index, plus options with the venue's mark IV (or
      the config's iv): Black-Scholes on the index, or Black-76 on the mid
      of the future/perp named as the option's underlying (estimated from
      the index and the last basis when that quote is stale: flagged);
    - H: assets with an index, traded (non-option instrument with a fresh,
      uncrossed quote) on a venue not in margin breach;
    - hedge request when positions are known, samples >= min_samples and a
      hedgeable asset's target |h_i| exceeds its band, or the portfolio sigma
      over the horizon exceeds residual_sigma_limit (when set) and the plan
      lowers it.
    Nothing allocates after hb_risk_new.                                    */
#ifndef HB_RISK_H
#define HB_RISK_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_config.h"
#include "hb_ewma.h"
#include "hb_msg.h"
#include "hb_regime.h"

typedef struct _hb_risk_t hb_risk_t;

//  A first sample more than this many periods after the restored one
//  (hb_risk_import) takes no return, only new prices (docs/RISK.md,
//  Checkpoint).
#define HB_RISK_GAP_MAX_PERIODS  10

//  What the engine learned from the market, as a checkpoint keeps it
//  (risk/hb_risk_ckpt.h): the estimator and the prices its next return
//  starts from. Positions are not in it: the aggregator owns them.
typedef struct {
    int      n;                                 //  assets (the config's)
    int64_t  sample_ns;                         //  data time of the last sample
    uint64_t samples;                           //  grid samples taken
    uint64_t ewma_samples;                      //  EWMA updates (hb_ewma_samples)
    double   last_px [HB_RISK_MAX_ASSETS];      //  index at the last sample it was fresh, 0: never
    bool     last_fresh [HB_RISK_MAX_ASSETS];   //  fresh at the last sample
    uint64_t obs [HB_RISK_MAX_ASSETS];          //  hb_ewma_observations
    double   cov [HB_RISK_MAX_ASSETS * HB_RISK_MAX_ASSETS];    //  n x n, stride n
    //  the correlation-regime detectors, per pair in corr order (a break
    //  under way goes on, an alarm raised is not raised again)
    int      n_pairs;                           //  n (n - 1) / 2
    hb_regime_saved_t regimes [HB_RISK_CORR_MAX];
    bool     pair_dropped [HB_RISK_CORR_MAX];   //  the proxy under proxy_floor (hysteresis)
} hb_risk_state_t;                              //  large (about 9 MB): allocate it

//  New engine for cfg (which must outlive it); epoch goes into hedge ids
//  ("<epoch>-<sample>") unless in data-time mode. NULL (reason logged) when the config has no asset,
//  more than HB_RISK_MAX_ASSETS, an option whose underlying is not a
//  future or perpetual of its venue and asset, or memory runs out.
hb_risk_t *hb_risk_new (const hb_config_t *cfg, uint64_t epoch);

//  NULL-safe; nulls *self_p.
void hb_risk_destroy (hb_risk_t **self_p);

//  A tick received at now_ns. Returns 0 when it was used, -1 when it was
//  not (unknown venue or symbol, unusable quote: counted, never fatal).
int hb_risk_on_tick (hb_risk_t *self, const hb_msg_t *msg, int64_t now_ns);

//  Tick plausibility (docs/RISK.md): with max_index_deviation > 0, a
//  usable quote on a venue's index instrument whose mid is further than
//  that fraction from the median of the other venues' latest mids (or the
//  index, when no other venue quoted within quote_stale_ms) is quarantined:
//  not applied (-1), counted in hb_risk_ticks_quarantined_total
//  {reason="far_from_index"}, logged rate-limited. A venue quarantined for
//  a whole quote_stale_ms makes its asset stale.

//  The clock window: true (quarantined, counted with reason "clock",
//  logged rate-limited; the caller must neither apply it nor let it move
//  data time) when msg's ts_pub is more than ahead_ns ahead of wall_ns, or
//  (behind_ns > 0) more than behind_ns behind it or not positive.
bool hb_risk_quarantine_clock (hb_risk_t *self, const hb_msg_t *msg, int64_t wall_ns,
                               int64_t ahead_ns, int64_t behind_ns);

//  Ticks this engine quarantined, both reasons.
uint64_t hb_risk_quarantined (const hb_risk_t *self);

//  An aggregator message (position, exposure or margin) received on topic.
//  Returns 0 when used, -1 when ignored (unknown asset/venue/instrument,
//  other type).
int hb_risk_on_state (hb_risk_t *self, const char *topic, const hb_msg_t *msg);

//  Data-time mode (hb-risk on the bus sets it; docs/RISK.md, Data-time
//  grid): the caller calls hb_risk_on_tick with each message's data time
//  and hb_risk_sample at grid times, and sets the position states that hold
//  exactly the fills up to each sample (hb_risk_set_position). Then an
//  asset's delta-1 is its units (positions, coin balances of the config,
//  inverse coin P&L) times the index, free of the aggregator's marks, and a
//  hedge id is "<deployment (20 chars at most)>-<sample time in ms>": the
//  same data give the same ids, and ids never repeat across restarts.
//  Off (the default): delta-1 is the aggregator's pos.<asset> rescaled to
//  the index and ids are "<epoch>-<sample>".
void hb_risk_set_data_time (hb_risk_t *self, bool on);

//  Sets the state of one (venue, instrument) position as the caller
//  sequences it, whatever its envelope (no Clone rule: data-time mode).
//  Returns 0, or -1 (counted as ignored) for an unknown venue, instrument
//  or asset.
int hb_risk_set_position (hb_risk_t *self, const hb_position_t *pos);

//  The fill message (env, fill) was applied at data time at_ns (with the
//  aggregator's state that includes it, or pending): hedge requests made
//  within 30 s of data time after name it among their inputs (fill.<venue>.<symbol>,
//  the feed's publisher, epoch and seq), so the hedger knows which of its
//  own fills they hold. An unknown instrument is ignored.
void hb_risk_fill_applied (hb_risk_t *self, const hb_env_t *env, const hb_fill_t *fill, int64_t at_ns);

//  Marks the positions as known (a snapshot was applied, or the operator
//  says there are none to wait for): until then exposures carry
//  HB_RISK_NO_POSITIONS and no hedge is requested.
void hb_risk_set_positions_known (hb_risk_t *self, bool known);

//  Marks the positions as pending (docs/RISK.md, Positions pending): a
//  fill the caller has seen is in no aggregator state it has applied yet.
//  Meanwhile exposures carry HB_RISK_POSITIONS_PENDING and no hedge is
//  requested (the plan is joint across assets).
void hb_risk_set_positions_pending (hb_risk_t *self, bool pending);

//  A snapshot from the aggregator has been applied (hb_risk_on_state for
//  each of its messages); epoch is the envelope epoch of its snapshot.end,
//  i.e. the aggregator's current life. What is held from an older epoch
//  and was not refreshed by the snapshot is forgotten (a restarted
//  aggregator no longer has it: an exposure drops to 0, an option position
//  to none); positions are then known.
void hb_risk_snapshot_done (hb_risk_t *self, uint64_t epoch);

//  Takes one sample of the grid at now_ns: index prices, returns, EWMA
//  update. Returns the number of assets whose return entered (0 possible).
int hb_risk_sample (hb_risk_t *self, int64_t now_ns);

//  Fills *out with exposures, greeks, vols, correlations, VaR, stress VaR
//  and the current hedge plan at now_ns; out->sample (and corr_sample) is
//  the grid sample (hb_risk_sample: the parts on the bus carry it). out is
//  large: allocate it. Returns 0, or -1 when the plan failed (out is still
//  complete, with HB_RISK_PLAN_FAILED).
int hb_risk_report (hb_risk_t *self, int64_t now_ns, hb_risk_report_t *out);

//  Decides whether a hedge is due at now_ns (call after hb_risk_sample).
//  It computes exactly what hb_risk_report would for the plan (the same
//  code: prices, H, exposures, plan) and nothing else; the plan's factor
//  is kept while the covariance and H stay the same. Returns 1 with *out filled (id, reasons, targets, inputs), 0 when none
//  is due or one was already requested for the current sample.
int hb_risk_hedge_check (hb_risk_t *self, int64_t now_ns, hb_risk_hedge_t *out);

//  The detectors' parameters hb-risk uses with rc (components.risk.regime,
//  the defaults when none was loaded), which a checkpoint must share.
void hb_risk_regime_params (const hb_risk_cfg_t *rc, hb_regime_params_t *params);

//  The state a checkpoint keeps, as of the last sample.
void hb_risk_export (const hb_risk_t *self, hb_risk_state_t *out);

//  Continues from a saved state (before the first sample of this engine):
//  the estimator, the sample counts and the last prices are taken as if
//  this engine had taken those samples. The next sample's return spans the
//  gap since state->sample_ns: k periods enter as one return scaled by
//  1/sqrt(k) (the same variance per period) when k <= HB_RISK_GAP_MAX_PERIODS,
//  else none enters and the prices are only re-anchored. Returns 0, or -1
//  (nothing changed) when the state does not fit (another n, a value the
//  estimator refuses: hb_ewma_load, or a detector: hb_regime_load).
int hb_risk_import (hb_risk_t *self, const hb_risk_state_t *state);

//  Read access for tests and the heartbeat.
const hb_ewma_t *hb_risk_ewma (const hb_risk_t *self);
uint64_t hb_risk_samples (const hb_risk_t *self);       //  grid samples taken
int64_t hb_risk_sample_time (const hb_risk_t *self);    //  data time of the last sample, 0: none
//  Index of asset at the last sample (0: never priced); *stale (may be
//  NULL) true when it had no fresh venue then.
double hb_risk_index (const hb_risk_t *self, int asset, bool *stale);
//  Whether asset was in H at the last report or hedge check.
bool hb_risk_hedgeable (const hb_risk_t *self, int asset);
uint64_t hb_risk_ignored (const hb_risk_t *self);       //  inputs not used

//  Correlation regimes (docs/RISK.md, Correlation regimes, Live): each
//  sample feeds one detector (hb_regime) per pair of assets whose two
//  returns entered, the pairs in corr order (0,1), (0,2) .. (the earlier
//  asset the target, the later the proxy). The state changes of the last
//  sample, in pair order, as risk.regime bodies: returns their count and
//  points *events at them (valid until the next sample).
int hb_risk_regime_events (const hb_risk_t *self, const hb_risk_regime_t **events);
//  The detector of pair (< n(n-1)/2) after the last sample.
void hb_risk_regime_view (const hb_risk_t *self, int pair, hb_regime_view_t *view);

//  The covariance the hedge plan uses with the hedgeable set `hedgeable`
//  (n flags), into cov (n x n, per period): the EWMA's, except that a pair
//  of one hedgeable and one non-hedgeable asset follows its detector (the
//  regime's hedge ratio, or 0 for a dropped proxy; docs/RISK.md,
//  Correlation regimes, Hedge and VaR).
void hb_risk_plan_cov (const hb_risk_t *self, const bool *hedgeable, double *cov);

//  Counts the applied inputs that may change what hb_risk_hedge_check
//  decides (docs/RISK.md, When the check runs): a position, exposure or
//  option state applied, a margin breach that starts or ends, a fill
//  applied, positions known or pending flipping, a snapshot, a sample, a
//  checkpoint imported, and a tick that changes an index slot's mid or
//  freshness, an option's forward, an option's mark IV or a venue's
//  quarantine. Not counted: ticks of other instruments, quotes repeating a
//  fresh mid, inputs ignored. A caller may skip the check while this has
//  not moved since the last one; what only time changes (a quote ageing
//  out) is then seen at the next sample, which counts.
uint64_t hb_risk_changes (const hb_risk_t *self);

//  Option legs (docs/RISK.md, Option legs: live; risk/hb_optlive.h).
//  The desk figures of every asset at now_ns into assets (the config's
//  assets, zeroed first), as risk.exposure carries them (gamma_usd,
//  vega_bucket, the band flags); nothing of the engine changes. Returns
//  the count of assets.
int hb_risk_desk (hb_risk_t *self, int64_t now_ns, hb_risk_asset_t *assets);

//  One contract of an option, valued as the exposures value it
typedef struct {
    double delta;                   //  asset units per contract (inverse: with its coin premium)
    double gamma_usd;               //  dollar gamma per 1 % move, per contract
    double vega;                    //  USD per vol point, per contract
    int    bucket;                  //  its expiry's vega bucket
    double under;                   //  the underlying's price it is valued at
    double usd_per_px;              //  USD per contract per unit of its quoted price
    double qty;                     //  the position held (contracts, signed)
} hb_risk_contract_t;

//  The contract of venue v's instrument i at now_ns into *out: 0, or -1
//  when it is not an option or its asset has no fresh index.
int hb_risk_option_contract (hb_risk_t *self, int v, int i, int64_t now_ns, hb_risk_contract_t *out);

//  Positions known and none pending: a plan may be made on them.
bool hb_risk_positions_ready (const hb_risk_t *self);

#endif
