/*  hb_msg: the wire protocol. Every message on the bus is two frames: a topic
    (text) and a msgpack payload. The payload is an envelope followed by one
    body; docs/PROTOCOL.md is the reference for the layout.

    Messages are plain fixed-size structs so that decoding never allocates:
    a decoder fills a caller-owned hb_msg_t. There is exactly one encoder and
    one decoder for each message type, both in hb_msg.c.

    Decoding is total: any input (truncated, bit-flipped, wrong types, wrong
    schema version, oversized, trailing bytes, NaN prices, negative sizes,
    names with bytes outside [A-Za-z0-9._:-]) returns -1 with a reason; it
    never reads out of bounds and never crashes.                             */
#ifndef HB_MSG_H
#define HB_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HB_SCHEMA_VERSION   2       //  2: risk.exposure in parts, risk.corr (docs/PROTOCOL.md)
#define HB_NAME_MAX         32      //  venue, symbol, asset, publisher (incl. NUL)
#define HB_ID_MAX           48      //  client order id, venue order id, fill id
#define HB_TEXT_MAX         96      //  free text (reject reasons)
#define HB_TOPIC_MAX        96
#define HB_BOOK_DEPTH       10      //  levels per side carried on a tick
#define HB_MSG_MAX_SIZE     4096    //  largest payload accepted by a decoder

typedef enum {
    HB_MSG_NONE      = 0,
    HB_MSG_TICK      = 1,       //  quote + book depth
    HB_MSG_TRADE     = 2,       //  a public trade on a venue
    HB_MSG_ORDER     = 3,       //  new order request, to a venue
    HB_MSG_CANCEL    = 4,       //  cancel request, to a venue
    HB_MSG_ACK       = 5,       //  order status from a venue: accepted, rejected, canceled, done
    HB_MSG_FILL      = 6,       //  an execution of one of our orders
    HB_MSG_HEARTBEAT = 7,       //  liveness + counters of a process
    HB_MSG_POSITION  = 8,       //  one (venue, instrument) position, from the aggregator
    HB_MSG_EXPOSURE  = 9,       //  net USD exposure of one asset across venues
    HB_MSG_MARGIN    = 10,      //  collateral, margin use, liquidation distance of one venue
    HB_MSG_SNAPSHOT_END = 11,   //  closes a snapshot reply (docs/PROTOCOL.md, Snapshots)
    HB_MSG_RISK_EXPOSURE = 12,  //  risk.exposure: exposures, greeks, vols, correlations, VaR
    HB_MSG_RISK_HEDGE = 13,     //  risk.hedge: a hedge request from hb-risk
    HB_MSG_HEDGE_REJECT = 14,   //  hedger.reject: hb-hedger refused a request or an order
    HB_MSG_HEDGER_CONTROL = 15, //  hedger.control: kill / reset the hedger's kill switch, and its echo
    HB_MSG_APPLOG    = 16,      //  seq.<publisher>: the order a deciding process applied its inputs in
    HB_MSG_CAPITAL_PLAN = 17,   //  capital.plan.<venue>: hb-treasury's plan for one venue (no money moves)
    HB_MSG_RISK_REGIME = 18,    //  risk.regime: a pair's correlation regime changed state
    HB_MSG_RISK_CORR = 19,      //  risk.corr: one part of a risk sample's correlation triangle
    HB_MSG_RISK_OPTPLAN = 20,   //  risk.optplan: the option legs that bring an asset's gamma/vega inside its bands
    HB_MSG_CAPITAL_TRANSFER = 21, //  capital.transfer.<from>.<to>: one transfer of collateral and its status
    HB_MSG_ACCOUNT   = 22,      //  account.<venue>: the venue's own view of our account (equity, margin, positions)
    HB_MSG_INSTRUMENT = 23,     //  instrument.<venue>: an instrument the venue lists (or delisted), discovered by its feed
    HB_MSG_CAPITAL_REDUCE = 24, //  capital.reduce.<venue>: no transfer arrives in time, move the position off the venue
    HB_MSG_FUNDING   = 25,      //  funding.<venue>.<symbol>: one funding payment of a position at its venue
    HB_MSG_TYPE_COUNT
} hb_msg_type_t;

//  ---------------------------------------------------------------------------
//  Envelope: on every message.
typedef struct {
    uint8_t  version;               //  HB_SCHEMA_VERSION
    uint8_t  type;                  //  hb_msg_type_t
    char     publisher [HB_NAME_MAX];   //  e.g. "feed.alpha"
    uint64_t epoch;                 //  wall ns at the publisher's start: changes on restart
    uint64_t seq;                   //  per (publisher, epoch, topic), from 1, no holes
    int64_t  ts_venue;              //  ns: event time at the venue (0: unknown)
    int64_t  ts_recv;               //  ns: when the publisher received the input
    int64_t  ts_pub;                //  ns: when the publisher sent this message
} hb_env_t;

//  ---------------------------------------------------------------------------
//  Bodies

typedef enum { HB_SIDE_BUY = 1, HB_SIDE_SELL = 2 } hb_side_t;

typedef struct {
    double px;
    double qty;
} hb_level_t;

//  Tick flags
#define HB_TICK_STALE   0x01u       //  the venue knows its book is not current (rebuilding)
#define HB_TICK_OUTAGE  0x02u       //  the venue reports an outage / maintenance
#define HB_TICK_HAS_IV  0x04u       //  mark_iv is meaningful (options)

//  Best bid/ask plus depth. bids[0] is the best bid, asks[0] the best ask;
//  prices strictly monotonic away from the touch. A side may be empty
//  (n_* = 0). A crossed book decodes (it is the venue's data), consumers
//  decide what to do with it; hb_tick_crossed() tells.
typedef struct {
    char       venue [HB_NAME_MAX];
    char       symbol [HB_NAME_MAX];
    uint32_t   flags;
    double     mark;                //  venue mark price, 0 when none
    double     mark_iv;             //  annualized implied vol (options), valid with HB_TICK_HAS_IV
    double     underlying;          //  underlying/index price seen by the venue, 0 when none
    uint8_t    n_bids;
    uint8_t    n_asks;
    hb_level_t bids [HB_BOOK_DEPTH];
    hb_level_t asks [HB_BOOK_DEPTH];
} hb_tick_t;

typedef struct {
    char     venue [HB_NAME_MAX];
    char     symbol [HB_NAME_MAX];
    char     trade_id [HB_ID_MAX];
    uint8_t  side;                  //  aggressor side, hb_side_t
    double   px;
    double   qty;
} hb_trade_t;

typedef enum { HB_ORD_MARKET = 1, HB_ORD_LIMIT = 2 } hb_ord_type_t;
typedef enum { HB_TIF_IOC = 1, HB_TIF_GTC = 2 } hb_tif_t;

typedef struct {
    char     venue [HB_NAME_MAX];
    char     symbol [HB_NAME_MAX];
    char     client_id [HB_ID_MAX]; //  unique per order, chosen by the sender
    uint8_t  side;                  //  hb_side_t
    uint8_t  ord_type;              //  hb_ord_type_t
    uint8_t  tif;                   //  hb_tif_t
    double   qty;                   //  > 0, in the instrument's quantity unit
    double   px;                    //  limit price (> 0 for LIMIT, 0 for MARKET)
} hb_order_t;

typedef struct {
    char     venue [HB_NAME_MAX];
    char     symbol [HB_NAME_MAX];
    char     client_id [HB_ID_MAX];
} hb_cancel_t;

typedef enum {
    HB_ACK_ACCEPTED = 1,            //  the venue has the order
    HB_ACK_REJECTED = 2,            //  refused; reason says why; nothing filled
    HB_ACK_CANCELED = 3,            //  no longer working; filled_qty may be > 0 (IOC remainder, cancel)
    HB_ACK_DONE     = 4             //  completely filled
} hb_ack_status_t;

typedef enum {
    HB_REJ_NONE = 0,
    HB_REJ_UNKNOWN_INSTRUMENT = 1,
    HB_REJ_BELOW_MIN_SIZE = 2,
    HB_REJ_OFF_LOT = 3,
    HB_REJ_INSUFFICIENT_COLLATERAL = 4,
    HB_REJ_OUTAGE = 5,
    HB_REJ_BAD_PRICE = 6,
    HB_REJ_BAD_ORDER = 7,           //  malformed field (side, type, tif, qty)
    HB_REJ_DUPLICATE_ID = 8,
    HB_REJ_UNKNOWN_ORDER = 9,       //  cancel of an order the venue does not know
    HB_REJ_NO_LIQUIDITY = 10,
    HB_REJ_RATE_LIMIT = 11,
    HB_REJ_VENUE = 12,              //  the venue's own reason, see text
    HB_REJ_EXPIRED = 13,            //  older than the feed's max_order_age_ms: never sent
    HB_REJ_COUNT
} hb_reject_t;

typedef struct {
    char     venue [HB_NAME_MAX];
    char     symbol [HB_NAME_MAX];
    char     client_id [HB_ID_MAX];
    char     order_id [HB_ID_MAX];  //  the venue's id ("" when rejected before it had one)
    uint8_t  status;                //  hb_ack_status_t
    uint8_t  reason;                //  hb_reject_t (HB_REJ_NONE unless rejected)
    char     text [HB_TEXT_MAX];    //  human-readable detail
    double   filled_qty;            //  cumulative
    double   leaves_qty;            //  still working
} hb_ack_t;

//  Fill flags
#define HB_FILL_EXTERNAL 0x01u      //  not an order of ours: a manual trade, a liquidation, an
                                    //  expiry, ADL; it changes positions all the same, and its
                                    //  client_id is the venue's (never one a sender of ours chose)
#define HB_FILL_LIQUIDATION 0x02u   //  the venue's liquidation engine closed our position (equity
                                    //  fell to its maintenance margin); always with HB_FILL_EXTERNAL

typedef struct {
    char     venue [HB_NAME_MAX];
    char     symbol [HB_NAME_MAX];
    char     client_id [HB_ID_MAX];
    char     order_id [HB_ID_MAX];
    char     fill_id [HB_ID_MAX];   //  unique per venue: (venue, fill_id) identifies a fill
    uint8_t  side;                  //  hb_side_t
    uint8_t  liquidity;             //  1 maker, 2 taker
    double   px;
    double   qty;                   //  > 0
    double   fee;                   //  >= 0 paid, < 0 rebate; in fee_asset units
    char     fee_asset [HB_NAME_MAX];   //  "USD" or an asset name (inverse contracts pay in coin)
    uint32_t flags;                 //  HB_FILL_*; appended (absent on the wire: 0)
} hb_fill_t;

//  Counters every process publishes on hb.<component>
typedef struct {
    char     component [HB_NAME_MAX];
    uint64_t uptime_ms;
    uint64_t last_seq;              //  highest seq this publisher has sent
    uint64_t msgs_in;
    uint64_t msgs_out;
    uint64_t gaps;                  //  sequence gaps seen on input
    uint64_t drops;                 //  messages dropped (conflated ticks included)
    uint64_t decode_errors;
    uint64_t restarts_seen;         //  publisher restarts seen on input
    uint64_t queue_depth;
    uint64_t lat_p50_ns;            //  input-to-output latency percentiles
    uint64_t lat_p99_ns;
    uint64_t lat_p999_ns;
    uint32_t status;                //  0 ok, else component-specific (e.g. 1 = venue in outage)
} hb_heartbeat_t;

//  Aggregator state (docs/PROTOCOL.md, Positions). Money is USD unless
//  said otherwise; quantities are signed (< 0 short).

//  Position / exposure / margin flags
#define HB_POS_STALE        0x01u   //  the mark is older than the configured limit
#define HB_POS_NO_MARK      0x02u   //  no mark seen yet: valued at the entry price
#define HB_MARGIN_TRUNCATED 0x04u   //  more assets than HB_MARGIN_ASSETS: the largest are listed
#define HB_MARGIN_BREACH    0x08u   //  equity at or below the maintenance margin now
#define HB_MARGIN_VENUE     0x10u   //  equity, maintenance and initial are the venue's (account.<venue>),
                                    //  not computed from the configured collateral and rates
#define HB_MARGIN_MISMATCH  0x20u   //  the venue reports positions that disagree with ours (reconciliation)
#define HB_MARGIN_RECONCILED 0x40u  //  the venue reports its positions (account.<venue>) and they are
                                    //  compared with ours: they agree unless HB_MARGIN_MISMATCH
#define HB_MARGIN_TOPUP     0x80u   //  collateral is on its way to the venue (a transfer sent, not yet
                                    //  credited): the hedger puts new margin elsewhere when it can

//  Per-asset entries carried on a margin message: the largest exposures;
//  48 of the longest names encode in 2,575 bytes and hb_msg_t does
//  not grow for them. Past that HB_MARGIN_TRUNCATED: a reader takes the
//  others from pos.<asset>.<venue>.<symbol> (hb-treasury does).
#define HB_MARGIN_ASSETS    48

//  pos.<asset>.<venue>.<symbol>
typedef struct {
    char     venue [HB_NAME_MAX];
    char     symbol [HB_NAME_MAX];
    char     asset [HB_NAME_MAX];
    uint8_t  kind;                  //  hb_kind_t of hb_config.h: 1 spot .. 5 option
    uint32_t flags;                 //  HB_POS_*
    double   qty;                   //  instrument units (contracts for an inverse perp)
    double   entry_px;              //  average entry price (0 when flat)
    double   mark_px;               //  latest mid (0 when none)
    double   realized;              //  realized P&L, in settle units, fees not included
    double   fees;                  //  fees paid (< 0: rebates), in settle units
    double   unrealized;            //  at mark_px, in settle units
    double   exposure_usd;          //  USD delta of the asset (see PROTOCOL.md)
    char     settle [HB_NAME_MAX];  //  "USD", or the coin for an inverse perp
    uint64_t fills;                 //  fills applied to this position
    int64_t  mark_ts;               //  wall ns of the mark (0: none)
    char     last_fill [HB_ID_MAX]; //  fill id of the last fill applied ("": none): which
                                    //  fills a state includes (hb-risk applies a fill with the state naming it)
    uint64_t last_fill_epoch;       //  that fill's message on fill.<venue>.<symbol>: its feed's
    uint64_t last_fill_seq;         //  epoch and seq (0: not known), so a state orders every fill
                                    //  of that feed epoch: those at or before seq are in it
} hb_position_t;

//  pos.<asset>: the sum over every venue
typedef struct {
    char     asset [HB_NAME_MAX];
    uint32_t flags;                 //  HB_POS_STALE when any part is stale
    double   price;                 //  reference price used (latest mid seen, 0: none)
    double   net_qty;               //  asset units (USD delta / price)
    double   net_usd;               //  net USD delta: positions, plus coin collateral
    double   gross_usd;             //  sum of |exposure| of the positions
    uint32_t positions;             //  open positions counted
} hb_exposure_t;

typedef struct {
    char     asset [HB_NAME_MAX];
    double   exposure_usd;          //  USD delta of this asset on this venue, coins included
    double   liq_move;              //  relative move of the asset (-0.2: a 20 % fall) at which
                                    //  equity meets maintenance margin, others held fixed
    uint8_t  has_liq;               //  0: no move in [-100 %, +1000 %] does (liq_move 0)
} hb_margin_asset_t;

//  margin.<venue>
typedef struct {
    char     venue [HB_NAME_MAX];
    uint32_t flags;                 //  HB_POS_STALE, HB_MARGIN_*
    double   collateral_usd;        //  USD + coins at mark
    double   unrealized_usd;        //  unrealized P&L of the positions + realized - fees
    double   equity_usd;            //  collateral + unrealized
    double   initial_usd;           //  sum |notional| x initial rate
    double   maintenance_usd;       //  sum |notional| x maintenance rate
    double   utilization;           //  initial / equity (>= 0; 0 when equity <= 0 and nothing used)
    uint8_t  n_assets;
    hb_margin_asset_t assets [HB_MARGIN_ASSETS];
} hb_margin_t;

//  snapshot.end: the last frame pair of a snapshot reply
typedef struct {
    uint64_t count;                 //  messages in the reply before this one
} hb_snapshot_end_t;

//  Risk (docs/PROTOCOL.md, Risk). A risk sample (hb_risk_report_t below)
//  of up to HB_RISK_MAX_ASSETS assets does not fit one payload: it goes as
//  parts of fixed size, each a message within HB_MSG_MAX_SIZE, that a
//  reader joins (common/hb_risk_sample.h): risk.exposure parts of
//  HB_RISK_PART_ASSETS asset records, then risk.corr parts of
//  HB_RISK_PART_CORR correlations. Doubles for money, float32 for
//  correlations.
#define HB_RISK_MAX_ASSETS  256     //  assets of one risk sample
#define HB_RISK_CORR_MAX    (HB_RISK_MAX_ASSETS * (HB_RISK_MAX_ASSETS - 1) / 2)
#define HB_RISK_PART_ASSETS 16      //  asset records one risk.exposure carries
#define HB_RISK_PART_CORR   480     //  correlations one risk.corr carries
#define HB_RISK_HEDGE_TARGETS 16    //  targets one risk.hedge carries
#define HB_RISK_INPUTS_MAX  12      //  input references carried by a hedge request

//  Per-asset risk flags
#define HB_RISK_ASSET_STALE     0x01u   //  no fresh venue quote: index is the last known (or 0)
#define HB_RISK_ASSET_HEDGEABLE 0x02u   //  in H: a healthy venue trades a non-option instrument
#define HB_RISK_ASSET_FORWARD_STALE 0x04u   //  a Black-76 option's future/perp had no fresh quote: its forward was estimated
#define HB_RISK_ASSET_GAMMA_BAND 0x08u  //  |gamma_usd| over the asset's gamma band
#define HB_RISK_ASSET_VEGA_BAND 0x10u   //  some bucket's |vega| over its band
#define HB_RISK_ASSET_UNHEDGEABLE 0x20u //  not in H and every proxy dropped under proxy_floor: its exposure is not hedged
//  Vega by expiry: buckets split at up to HB_RISK_VEGA_BUCKETS - 1 edges (days)
#define HB_RISK_VEGA_BUCKETS    8
//  Portfolio risk flags
#define HB_RISK_NO_POSITIONS    0x01u   //  positions not known yet: exposures are incomplete
#define HB_RISK_WARMING_UP      0x02u   //  fewer samples than min_samples: no hedge requests
#define HB_RISK_PLAN_FAILED     0x04u   //  the hedge solve failed: no plan this time
#define HB_RISK_POSITIONS_PENDING 0x08u //  a fill seen is in no aggregator state applied yet: no hedge requests
//  Correlation regime of a pair (risk/hb_regime.h; docs/RISK.md)
#define HB_RISK_REGIMES_MAX     16      //  pair records a risk.exposure carries
#define HB_RISK_REGIME_STATES   3       //  0 stable, 1 shifting, 2 shifted
#define HB_RISK_REGIME_KINDS    3       //  0 none, 1 corr_down, 2 corr_up
//  Hedge request reasons (bits)
#define HB_RISK_REASON_BAND     0x01u   //  an asset's residual exposure left its band
#define HB_RISK_REASON_SIGMA    0x02u   //  the residual sigma exceeded its limit

typedef struct {
    char     asset [HB_NAME_MAX];
    uint32_t flags;                 //  HB_RISK_ASSET_*
    double   index;                 //  composite index price (>= 0; 0: never priced)
    double   exposure_usd;          //  delta1_usd + option_delta_usd
    double   delta1_usd;            //  linear positions and coins, at the index
    double   option_delta_usd;      //  sum qty x mult x BS delta x index
    double   gamma;                 //  sum qty x mult x BS gamma (asset units per USD)
    double   vega;                  //  USD per 1.00 of vol
    double   theta;                 //  USD per year
    double   rho;                   //  USD per 1.00 of rate
    double   vol;                   //  EWMA vol, annualized (>= 0)
    double   contribution;          //  Euler contribution to sigma over the horizon, USD
    double   residual_usd;          //  exposure left after the hedge plan
    //  appended in a minor revision (the desk block, docs/PROTOCOL.md); 0
    //  from a publisher before it
    double   gamma_usd;             //  dollar gamma: USD delta change per 1 % move (Gamma S^2 / 100)
    double   theta_day;             //  USD per calendar day
    float    vega_bucket [HB_RISK_VEGA_BUCKETS];   //  USD per vol point, per expiry bucket (n_vega_edges + 1)
    //  layout 2 (HB_RISK_EXPOSURE_LAYOUT): the asset's coin-settled
    //  (inverse) options in coin, the greeks of V/S summed (docs/RISK.md,
    //  Greeks in desk units); all 0 without such an option
    float    delta_coin;            //  coins: units x (Delta - V/S), the delta a coin-margined venue shows
    float    gamma_coin;            //  coins per USD^2: units x d2(V/S)/dS2
    float    vega_coin;             //  coins per 1.00 of vol
    float    theta_coin;            //  coins per year
    float    value_coin;            //  coins: units x V/S, the options' value (premium) in coin
} hb_risk_asset_t;

//  The layout of the risk.exposure body (docs/PROTOCOL.md, risk_exposure):
//  2 added the layout field and the coin block; a body without them, or
//  of another layout, or longer, is refused
#define HB_RISK_EXPOSURE_LAYOUT 2

//  One pair's regime on risk.exposure: pair is its index in corr (the
//  strict upper triangle), the earlier asset the target, the later the proxy.
typedef struct {
    uint16_t pair;                  //  < n(n-1)/2
    uint8_t  state;                 //  < HB_RISK_REGIME_STATES
    uint8_t  kind;                  //  < HB_RISK_REGIME_KINDS: of the last alarm or the leading side
    float    statistic;             //  CUSUM log-likelihood ratio (>= 0)
    int64_t  last_alarm_ns;         //  data time of the last alarm (0: none)
} hb_risk_pair_regime_t;

//  The portfolio fields of a risk sample, on every risk.exposure part
#define HB_RISK_PORTFOLIO_FIELDS \
    uint32_t flags;                 /*  HB_RISK_NO_POSITIONS | ..                 */ \
    uint64_t samples;               /*  returns taken into the covariance         */ \
    double   sample_s;              /*  sampling interval (> 0)                   */ \
    double   horizon_s;             /*  VaR / sigma horizon (> 0)                 */ \
    double   confidence;            /*  VaR confidence in (0.5, 1)                */ \
    double   var_usd;               /*  parametric VaR (>= 0)                     */ \
    double   stress_var_usd;        /*  with every correlation at stress_corr     */ \
    double   stress_corr;           /*  [-1, 1]                                   */ \
    double   unhedged_sigma;        /*  USD over the horizon (>= 0)               */ \
    double   residual_sigma;        /*  after the hedge plan (>= 0)               */ \
    double   effectiveness;         /*  1 - residual var / unhedged var, <= 1     */ \
    uint8_t  n_vega_edges;          /*  0..HB_RISK_VEGA_BUCKETS-1 (0: one bucket) */ \
    uint16_t vega_edges [HB_RISK_VEGA_BUCKETS - 1];    /*  days, increasing, >= 1  */

//  A whole risk sample as hb-risk computes it and a reader assembles it
//  (common/hb_risk_sample.h); never on the wire as one message, and large
//  (about 160 KB): allocate it, do not put it on a small stack. corr holds
//  the strict upper triangle of the correlation matrix row by row: (0,1),
//  (0,2) .. (0,n-1), (1,2) ..; n(n-1)/2 values. regimes lists the pairs
//  not stable, then those stable with an alarm behind them, in pair order,
//  HB_RISK_REGIMES_MAX at most; a pair not listed is stable with no alarm
//  (or did not fit: n_regimes_omitted counts those).
typedef struct {
    uint64_t sample;                //  the publisher's grid sample: names the parts
    HB_RISK_PORTFOLIO_FIELDS
    uint16_t n_assets;              //  1..HB_RISK_MAX_ASSETS
    hb_risk_asset_t assets [HB_RISK_MAX_ASSETS];
    uint64_t corr_sample;           //  the sample corr is of (an assembled report:
                                    //  it completes after the exposures; 0: none yet)
    float    corr [HB_RISK_CORR_MAX];   //  each in [-1, 1]
    uint8_t  n_regimes;             //  0..HB_RISK_REGIMES_MAX
    uint16_t n_regimes_omitted;     //  pairs to list that did not fit
    hb_risk_pair_regime_t regimes [HB_RISK_REGIMES_MAX];
} hb_risk_report_t;

//  risk.exposure: part `part` of `parts` of sample `sample`: the portfolio
//  fields, the asset records first .. first + count - 1 of n_assets, and on
//  part 0 only the regime block. The layout is fixed (docs/PROTOCOL.md):
//  parts = ceil(n_assets / HB_RISK_PART_ASSETS), first = part x
//  HB_RISK_PART_ASSETS, count = what is left up to HB_RISK_PART_ASSETS.
typedef struct {
    uint64_t sample;                //  the publisher's grid sample, the same on every part
    uint16_t part;                  //  0..parts-1
    uint16_t parts;                 //  ceil(n_assets / HB_RISK_PART_ASSETS)
    uint16_t n_assets;              //  1..HB_RISK_MAX_ASSETS: of the whole sample
    uint16_t first;                 //  the sample's index of assets [0]
    HB_RISK_PORTFOLIO_FIELDS
    uint8_t  count;                 //  1..HB_RISK_PART_ASSETS records in assets
    hb_risk_asset_t assets [HB_RISK_PART_ASSETS];
    uint8_t  n_regimes;             //  0..HB_RISK_REGIMES_MAX (0 but on part 0)
    uint16_t n_regimes_omitted;     //  (0 but on part 0)
    hb_risk_pair_regime_t regimes [HB_RISK_REGIMES_MAX];
} hb_risk_exposure_t;

//  risk.corr: correlations first .. first + count - 1 of the triangle of a
//  sample of n_assets (>= 2) assets, part `part` of `parts`; fixed layout as
//  for risk.exposure with HB_RISK_PART_CORR.
typedef struct {
    uint64_t sample;
    uint16_t part;
    uint16_t parts;                 //  ceil(n(n-1)/2 / HB_RISK_PART_CORR)
    uint16_t n_assets;              //  2..HB_RISK_MAX_ASSETS
    uint32_t first;                 //  pair index of corr [0]
    uint16_t count;                 //  1..HB_RISK_PART_CORR
    float    corr [HB_RISK_PART_CORR];  //  each in [-1, 1]
} hb_risk_corr_t;

//  risk.regime: one pair's regime changed state at a sample (hb-risk, on
//  its own topic so that a tool waits for it without decoding exposures)
typedef struct {
    char     target [HB_NAME_MAX];
    char     proxy [HB_NAME_MAX];
    uint8_t  state;                 //  the new state, < HB_RISK_REGIME_STATES
    uint8_t  previous;              //  the state before, != state
    uint8_t  kind;                  //  < HB_RISK_REGIME_KINDS
    uint64_t sample;                //  the grid sample (>= 1)
    double   statistic;             //  >= 0
    int64_t  last_alarm_ns;         //  >= 0 (0: none)
    double   corr_ref;              //  the detector's reference correlation, [-1, 1]
    double   corr_fast;             //  fast EWMA correlation, [-1, 1]
    double   ratio;                 //  recommended hedge ratio (proxy per target), finite
} hb_risk_regime_t;

typedef struct {
    char     asset [HB_NAME_MAX];
    double   index;                 //  > 0
    double   exposure_usd;          //  exposure before the hedge
    double   target_usd;            //  hedge to add, USD (signed: < 0 sell)
    double   target_qty;            //  the same in asset units (target_usd / index)
} hb_risk_target_t;

//  What a decision was computed from: the message on topic from
//  publisher with (epoch, seq).
typedef struct {
    char     topic [HB_TOPIC_MAX];
    char     publisher [HB_NAME_MAX];
    uint64_t epoch;
    uint64_t seq;
} hb_risk_input_t;

//  risk.hedge
typedef struct {
    char     id [HB_ID_MAX];        //  required: unique per request
    uint32_t reasons;               //  HB_RISK_REASON_* (at least one)
    uint64_t sample;                //  the sample the plan was made on
    double   residual_sigma;        //  before the hedge, USD over the horizon
    double   effectiveness;         //  the plan's
    uint8_t  n_targets;             //  1..HB_RISK_HEDGE_TARGETS
    hb_risk_target_t targets [HB_RISK_HEDGE_TARGETS];
    uint8_t  n_inputs;              //  0..HB_RISK_INPUTS_MAX
    hb_risk_input_t inputs [HB_RISK_INPUTS_MAX];
} hb_risk_hedge_t;

//  risk.optplan (docs/PROTOCOL.md, Option plans): hb-risk's option legs
//  for one asset whose gamma or a vega bucket is over its band
//  (risk/hb_optplan.h), or the reason there are none. Greeks in desk units:
//  gamma in USD of delta per 1 % move, vega in USD per vol point; a leg's
//  gamma_usd and vega are those of its whole quantity, signed.
#define HB_OPTPLAN_MSG_LEGS     16      //  legs one plan carries (HB_OPTPLAN_LEGS)
#define HB_OPTPLAN_MSG_REASONS  8       //  reasons: 0 ok, 1 inside, 2 no_candidates, 3 infeasible,
                                        //  4 limits, 5 lots, 6 bad_input, 7 solver

typedef struct {
    char     venue [HB_NAME_MAX];
    char     symbol [HB_NAME_MAX];
    uint8_t  side;                  //  hb_side_t
    uint8_t  bucket;                //  its expiry's vega bucket, < n_buckets
    double   qty;                   //  > 0, contracts
    double   limit_px;              //  > 0, the plan's limit: the deepest book level walked (instrument price)
    double   gamma_usd;             //  of the leg, signed
    double   vega;                  //  of the leg, signed, USD per vol point
    double   delta;                 //  of the leg, asset units, signed
    double   premium;               //  USD paid (> 0) or received (< 0) at the limits
} hb_optplan_leg_msg_t;

typedef struct {
    char     id [HB_ID_MAX];        //  required: unique, "<deployment>-o<sample ms>-<asset>"
    char     asset [HB_NAME_MAX];
    uint8_t  reason;                //  < HB_OPTPLAN_MSG_REASONS; legs only with 0 (ok)
    char     why [HB_TEXT_MAX];     //  the reason in words
    uint64_t sample;                //  the grid sample it was made at
    double   index;                 //  > 0, the asset's index then
    double   gamma_band;            //  >= 0 (0: none)
    double   gamma_before;          //  USD per 1 %
    double   gamma_after;           //  with the legs (= before without legs)
    double   cost;                  //  >= 0, USD beyond the mids, fees included
    double   premium;               //  USD, paid (> 0) or received (< 0)
    double   delta;                 //  the legs' delta, asset units: risk hedges it once they fill
    uint8_t  n_buckets;             //  1..HB_RISK_VEGA_BUCKETS
    float    vega_band [HB_RISK_VEGA_BUCKETS];      //  >= 0 (0: none)
    float    vega_before [HB_RISK_VEGA_BUCKETS];
    float    vega_after [HB_RISK_VEGA_BUCKETS];
    uint8_t  n_legs;                //  0..HB_OPTPLAN_MSG_LEGS
    hb_optplan_leg_msg_t legs [HB_OPTPLAN_MSG_LEGS];
} hb_risk_optplan_t;

//  hedger.reject: why hb-hedger did not trade (all or part of) a request
typedef struct {
    char     request_id [HB_ID_MAX];    //  required: the risk.hedge id
    char     asset [HB_NAME_MAX];   //  "" when the whole request is refused
    char     venue [HB_NAME_MAX];   //  "" when not about one venue
    char     reason [HB_NAME_MAX];  //  name: "stale_request", "gap", "killed", "max_order_usd" ..
    char     detail [HB_TEXT_MAX];  //  text: the value and the limit
    double   qty;                   //  asset units refused (signed, < 0 sell; 0: not known)
} hb_hedge_reject_t;

//  hedger.control: an operator's command to hb-hedger (published by a
//  component with orders: true, e.g. `hb-hedger kill --bus`), and the
//  hedger's echo once it has applied it (publisher "hedger"): docs/PROTOCOL.md.
typedef enum { HB_CONTROL_KILL = 1, HB_CONTROL_RESET = 2 } hb_control_cmd_t;

typedef struct {
    char     id [HB_ID_MAX];        //  required: unique per command; the echo repeats it
    uint8_t  command;               //  hb_control_cmd_t
    char     by [HB_NAME_MAX];      //  required: who sent it (an operator or tool name)
    char     text [HB_TEXT_MAX];    //  why, free text ("" allowed)
    uint32_t canceled;              //  echo: working orders the hedger canceled; 0 in a command
} hb_hedger_control_t;

//  seq.<publisher>: a batch of a deciding process's application log
//  (common/hb_applog.h lays out the entries; docs/PROTOCOL.md). first
//  counts the entries of the publisher's life (epoch) before this batch,
//  so a reader knows it has them all.
#define HB_APPLOG_DATA_MAX  2048
typedef struct {
    uint64_t first;                 //  entries of this epoch before this batch
    uint32_t count;                 //  entries in data (>= 1)
    uint16_t size;                  //  bytes of data (1..HB_APPLOG_DATA_MAX)
    uint8_t  data [HB_APPLOG_DATA_MAX];
} hb_applog_msg_t;

//  capital.plan.<venue> (docs/PROTOCOL.md, Capital): what one venue needs
//  to survive the configured stress move and the transfers that would get
//  it there. A suggestion only: nothing on the bus moves money.
#define HB_PLAN_TRANSFERS   8       //  transfers carried on one plan

//  Plan flags
#define HB_PLAN_SHORT       0x01u   //  equity below what the stress needs (surplus_usd < 0)
#define HB_PLAN_COVERED     0x02u   //  short, and the transfers to it cover the shortfall in time
#define HB_PLAN_STALE       0x04u   //  the venue's margin state is stale: not used as a source
#define HB_PLAN_TRUNCATED   0x08u   //  more transfers than HB_PLAN_TRANSFERS: the first are listed
#define HB_PLAN_BREACH      0x10u   //  equity at or below maintenance now

//  Why a shortfall is not covered (reason of a plan)
typedef enum {
    HB_PLAN_REASON_NONE = 0,        //  no shortfall, or covered in time
    HB_PLAN_REASON_NO_ROUTE = 1,    //  no route in the config ends at this venue
    HB_PLAN_REASON_TOO_SLOW = 2,    //  routes exist, none arrives before the stressed liquidation
    HB_PLAN_REASON_NO_SURPLUS = 3,  //  timely routes, but their sources have not enough to spare
    HB_PLAN_REASON_LIMIT = 4,       //  timely routes with surplus, held back by min / max / daily limit
    HB_PLAN_REASON_BREACH = 5,      //  already at or below maintenance: nothing arrives in time
    HB_PLAN_REASON_COUNT
} hb_plan_reason_t;

typedef struct {
    char     route [HB_NAME_MAX];   //  the route's name (treasury.routes)
    char     from [HB_NAME_MAX];    //  source venue
    char     to [HB_NAME_MAX];      //  destination venue
    char     asset [HB_NAME_MAX];   //  what moves: "USDC", "BTC" ..
    char     network [HB_NAME_MAX]; //  how: "arbitrum", "bitcoin", "internal" ..
    double   amount;                //  > 0, asset units the destination receives
    double   amount_usd;            //  >= 0, the same in USD at the plan's price
    double   fee;                   //  >= 0, asset units, paid by the source on top
    double   delay_s;               //  >= 0, expected transfer time
    double   spread_s;              //  >= 0, its spread (arrival counted at delay + spread)
    int64_t  eta_ns;                //  >= 0, wall ns: expected arrival if requested at the plan
} hb_capital_transfer_t;

typedef struct {
    char     venue [HB_NAME_MAX];
    uint32_t flags;                 //  HB_PLAN_*
    uint8_t  reason;                //  hb_plan_reason_t
    int8_t   direction;             //  the move that hurts: 1 up, -1 down, 0 neither
    uint64_t plan;                  //  decision number in the publisher's epoch: plans of
                                    //  all venues made together carry the same one
    double   equity_usd;            //  from margin.<venue>
    double   maintenance_usd;       //  from margin.<venue> (>= 0)
    double   stress_loss_usd;       //  loss under the stress move in that direction (>= 0)
    double   required_usd;          //  equity that survives the stress (>= 0)
    double   surplus_usd;           //  equity - required: < 0 a shortfall
    double   available_usd;         //  what may leave the venue (>= 0)
    double   liq_s;                 //  seconds to liquidation at the stress speed (>= 0);
                                    //  -1: not liquidated by the stress
    double   covered_usd;           //  planned arrivals at this venue, USD (>= 0)
    uint8_t  n_transfers;           //  0..HB_PLAN_TRANSFERS: transfers from or to this venue
    hb_capital_transfer_t transfers [HB_PLAN_TRANSFERS];
} hb_capital_plan_t;

//  account.<venue> (docs/PROTOCOL.md, Account): the account as the venue
//  itself reports it (Hyperliquid's clearinghouseState, the sim's own
//  book), published by the venue's feed. Money in USD; quantities in the
//  instrument's units (contracts of its multiplier), signed (< 0 short).
//  A position the message does not list is flat at the venue, unless the
//  message is HB_ACCOUNT_TRUNCATED.
#define HB_ACCOUNT_POSITIONS 32     //  positions one account message carries

//  Account flags
#define HB_ACCOUNT_TRUNCATED 0x01u  //  more positions than HB_ACCOUNT_POSITIONS: the first are listed
#define HB_ACCOUNT_NO_MARGIN 0x02u  //  the venue reports positions only: equity and margin fields are 0
                                    //  and mean nothing (margin.<venue> keeps the configured figures)
#define HB_ACCOUNT_NO_SPOT   0x04u  //  spot holdings are balances at this venue, not positions: spot
                                    //  instruments are never listed, and not judged flat

typedef struct {
    char     symbol [HB_NAME_MAX];  //  the instrument as configured for the venue
    double   qty;                   //  signed, != 0 (a flat position is not listed)
    double   entry_px;              //  >= 0, average entry price
    double   unrealized_usd;        //  finite, at the venue's mark
    double   liq_px;                //  >= 0, the venue's liquidation price (0: none or unknown)
    double   funding_usd;           //  finite, funding since the position opened (> 0: paid)
} hb_account_position_t;

typedef struct {
    char     venue [HB_NAME_MAX];
    uint32_t flags;                 //  HB_ACCOUNT_*
    double   equity_usd;            //  finite: account value (collateral + unrealized)
    double   initial_usd;           //  >= 0, margin used (initial)
    double   maintenance_usd;       //  >= 0, maintenance margin used
    double   withdrawable_usd;      //  >= 0, what may leave the venue now
    double   funding_usd;           //  finite, cumulative funding of the account over its
                                    //  life at the venue (> 0: paid); what the venue reports
    uint16_t n_other;               //  positions in instruments not configured for the venue
    uint8_t  n_positions;           //  0..HB_ACCOUNT_POSITIONS
    hb_account_position_t positions [HB_ACCOUNT_POSITIONS];
} hb_account_t;

//  funding.<venue>.<symbol> (docs/PROTOCOL.md, Funding): one funding
//  payment of our position in a perpetual, as the venue reports it
//  (Hyperliquid's userFundings). The id is the venue's or built from what
//  identifies the payment (coin and time): the same payment always carries
//  the same id, so a reader takes it once however often a feed republishes
//  it (a reconnect's snapshot, a restart). env.ts_venue: the payment's time.
typedef struct {
    char     venue [HB_NAME_MAX];
    char     symbol [HB_NAME_MAX];  //  the instrument as configured for the venue
    char     id [HB_ID_MAX];        //  unique per venue: (venue, id) identifies a payment
    double   usd;                   //  finite, USD: > 0 paid by us, < 0 received (as account.<venue>)
    double   rate;                  //  finite, the funding rate applied (per period, signed)
    double   qty;                   //  finite, our position when paid, instrument units, signed
} hb_funding_t;
//  capital.transfer.<from>.<to> (docs/PROTOCOL.md, Capital): one transfer
//  of collateral between two venues and where it stands. hb-treasury
//  publishes it (suggested: for the desk; requested: an auto route asks the
//  source venue's feed to send it); the source venue's feed publishes what
//  its venue says (sent, credited, refused). The id is the transfer's for
//  its whole life: every status of one transfer carries the same id.
typedef enum {
    HB_TRANSFER_SUGGESTED = 0,      //  a plan's transfer for the desk to make: nothing is executed
    HB_TRANSFER_REQUESTED = 1,      //  journaled by hb-treasury and asked of the source venue
    HB_TRANSFER_SENT = 2,           //  the source venue took it: the money left, not yet credited
    HB_TRANSFER_CREDITED = 3,       //  the destination credited it (final)
    HB_TRANSFER_REFUSED = 4,        //  the source venue refused it, reason says why (final)
    HB_TRANSFER_TIMED_OUT = 5,      //  not credited long after its expected arrival (final, for a person)
    HB_TRANSFER_STATUS_COUNT
} hb_transfer_status_t;

typedef struct {
    char     id [HB_ID_MAX];        //  deterministic, unique: never reused for another transfer
    char     route [HB_NAME_MAX];   //  the route's name (treasury.routes)
    char     from [HB_NAME_MAX];    //  source venue
    char     to [HB_NAME_MAX];      //  destination venue, != from
    char     asset [HB_NAME_MAX];   //  "USDC", "BTC" ..
    char     network [HB_NAME_MAX]; //  "arbitrum", "bitcoin", "internal" ..
    uint8_t  status;                //  hb_transfer_status_t
    double   amount;                //  > 0, asset units the destination receives
    double   amount_usd;            //  >= 0, the same in USD at the request's price
    double   fee;                   //  >= 0, asset units, paid by the source on top
    int64_t  requested_ns;          //  >= 0, wall ns: when it was suggested or requested
    int64_t  eta_ns;                //  >= requested_ns, wall ns: expected arrival
    int64_t  credited_ns;           //  wall ns of the credit; 0 unless credited
    char     reason [HB_TEXT_MAX];  //  why (refused, timed_out; free text otherwise, "" allowed)
} hb_transfer_t;

//  capital.reduce.<venue> (docs/PROTOCOL.md, Capital): hb-treasury found
//  a venue short under the stress that no transfer covers in time
//  (reason), and asks that part of its exposure to asset move to another
//  venue: hb-hedger trades qty of asset on the venue (opposite to the
//  exposure: a short is bought back) and the same quantity the other way
//  on the other venues, so the net exposure does not change and the venue
//  needs less margin.
typedef struct {
    char     id [HB_ID_MAX];        //  unique, across hb-treasury's runs too
    char     venue [HB_NAME_MAX];   //  the endangered venue
    char     asset [HB_NAME_MAX];
    uint8_t  reason;                //  hb_plan_reason_t, not none
    uint64_t plan;                  //  the decision it comes from (capital.plan's plan)
    double   exposure_usd;          //  the venue's exposure to asset, signed, != 0
    double   reduce_usd;            //  (0, |exposure_usd|]: how much of it to move off
    double   qty;                   //  asset units to trade on the venue, signed opposite to the
                                    //  exposure (> 0: buy back a short), != 0
    double   shortfall_usd;         //  >= 0: what no transfer covers
    double   liq_s;                 //  >= 0: the stressed time to liquidation
} hb_reduce_t;
//  instrument.<venue> (docs/PROTOCOL.md, Instruments): one instrument the
//  venue lists, as its feed discovered it (hb_plugin.h, ABI v5) and kept
//  under the venue's discover: filter; or, with HB_INSTRUMENT_DELISTED, one
//  it no longer lists (expired, delisted). (venue, symbol) names it. The
//  contract unit: qty x multiplier is asset units, except for an inverse
//  contract (HB_INSTRUMENT_INVERSE) where each contract is multiplier USD.
#define HB_INSTRUMENT_DELISTED  0x01u   //  the venue no longer lists it: forget it
#define HB_INSTRUMENT_INVERSE   0x02u   //  USD-sized contract, margined and settled in the coin
                                        //  (always with kind inverse_perp; an inverse future too)
#define HB_INSTRUMENT_CALL      0x04u   //  an option: a call (a put without it)

typedef struct {
    char     venue [HB_NAME_MAX];
    char     symbol [HB_NAME_MAX];  //  the venue's own name for it
    char     asset [HB_NAME_MAX];   //  the asset it is on ("BTC")
    uint8_t  kind;                  //  hb_kind_t of hb_config.h: 1 spot .. 5 option
    uint32_t flags;                 //  HB_INSTRUMENT_*
    double   multiplier;            //  > 0: contract size (see above); 1 for spot
    double   tick_size;             //  > 0, price increment
    double   lot_size;              //  > 0, quantity increment
    double   min_qty;               //  >= lot_size, smallest order
    int64_t  expiry_ns;             //  wall ns: > 0 for a future or an option, else 0
    double   strike;                //  > 0 for an option, else 0
    char     settle [HB_NAME_MAX];  //  settlement currency ("USD", "USDT", "BTC")
    char     underlying [HB_NAME_MAX];  //  option: the future or perp of the venue it is
                                    //  written on; "": the index (always "" for others)
} hb_instrument_t;

//  NULL when instrument is one the codec accepts, else why not (a phrase
//  naming the field). The encoder and the decoder apply the same rules.
const char *hb_instrument_check (const hb_instrument_t *instrument);

//  ---------------------------------------------------------------------------
//  A decoded message: envelope + the body named by env.type.
typedef struct {
    hb_env_t env;
    union {
        hb_tick_t      tick;
        hb_trade_t     trade;
        hb_order_t     order;
        hb_cancel_t    cancel;
        hb_ack_t       ack;
        hb_fill_t      fill;
        hb_heartbeat_t heartbeat;
        hb_position_t  position;
        hb_exposure_t  exposure;
        hb_margin_t    margin;
        hb_snapshot_end_t snapshot_end;
        hb_risk_exposure_t risk_exposure;
        hb_risk_hedge_t risk_hedge;
        hb_risk_regime_t risk_regime;
        hb_risk_corr_t risk_corr;
        hb_risk_optplan_t risk_optplan;
        hb_hedge_reject_t hedge_reject;
        hb_hedger_control_t hedger_control;
        hb_applog_msg_t applog;
        hb_capital_plan_t capital_plan;
        hb_account_t   account;
        hb_transfer_t  transfer;
        hb_reduce_t    reduce;
        hb_funding_t   funding;
        hb_instrument_t instrument;
    } u;
} hb_msg_t;

//  Decode failure reasons (hb_msg_decode_error()).
typedef enum {
    HB_DECODE_OK = 0,
    HB_DECODE_TRUNCATED,            //  msgpack ended early
    HB_DECODE_MALFORMED,            //  not msgpack / trailing bytes
    HB_DECODE_OVERSIZED,            //  payload, string or array too large
    HB_DECODE_VERSION,              //  schema version not supported
    HB_DECODE_TYPE,                 //  unknown message type
    HB_DECODE_FIELD_TYPE,           //  a field has the wrong msgpack type
    HB_DECODE_RANGE,                //  a value out of range (NaN, negative size, bad enum, bad name)
    HB_DECODE_PART,                 //  a part's place (part, parts, first, count) disagrees with its n_assets
    HB_DECODE_REASON_COUNT
} hb_decode_reason_t;

//  Output buffer for encoders: fixed capacity, no allocation.
typedef struct {
    size_t  size;
    uint8_t data [HB_MSG_MAX_SIZE];
} hb_buf_t;

//  Encodes msg (envelope + the body for msg->env.type; env.version is
//  written as HB_SCHEMA_VERSION whatever the struct holds) into out,
//  replacing its content. Returns 0, or -1 if the type is unknown, a field is
//  invalid (the same rules as the decoder, so we never emit what we would
//  refuse) or the result would not fit.
int hb_msg_encode (const hb_msg_t *msg, hb_buf_t *out);

//  Decodes exactly one message occupying all of data[0..size). Returns 0 and
//  fills *msg, or -1 and sets *reason (when reason is not NULL); *msg is then
//  unspecified. Never allocates on the heap after the first call in a thread.
int hb_msg_decode (hb_msg_t *msg, const void *data, size_t size, hb_decode_reason_t *reason);

const char *hb_msg_type_name (int type);            //  "tick", ... or "unknown"
const char *hb_decode_reason_name (hb_decode_reason_t reason);
const char *hb_reject_name (int reason);            //  "unknown_instrument", ...
const char *hb_ack_status_name (int status);        //  "accepted", ...
const char *hb_side_name (int side);                //  "buy", "sell"
const char *hb_plan_reason_name (int reason);       //  "none", "no_route", ...
const char *hb_transfer_status_name (int status);   //  "suggested", "requested", ...
//  The status named name (as hb_transfer_status_name writes it), or -1.
int hb_transfer_status_parse (const char *name);

//  True when the name is 1..HB_NAME_MAX-1 bytes of [A-Za-z0-9._:-].
bool hb_name_valid (const char *name);

//  True when both sides are present and best bid >= best ask.
bool hb_tick_crossed (const hb_tick_t *tick);

//  Topics. Writes the topic for msg into topic (HB_TOPIC_MAX bytes) and
//  returns its length, or -1 when the message type has no default topic.
//      tick.<venue>.<symbol>   trade.<venue>.<symbol>
//      order.<venue>.<symbol>  cancel.<venue>.<symbol>
//      ack.<venue>.<symbol>    fill.<venue>.<symbol>
//      hb.<component>
//      pos.<asset>.<venue>.<symbol> (position)   pos.<asset> (exposure)
//      margin.<venue>          snapshot.end
//      risk.exposure           risk.hedge          hedger.reject
//      hedger.control          capital.plan.<venue>
//      risk.regime            risk.corr           risk.optplan
//      account.<venue>        capital.transfer.<from>.<to>
//      funding.<venue>.<symbol>
//      instrument.<venue>
int hb_msg_topic (const hb_msg_t *msg, char *topic);

//  Writes msg as one JSON object (no newline), every envelope and payload
//  field named, into out (size bytes, NUL-terminated, truncated if needed).
//  Returns the length written (excluding NUL).
int hb_msg_to_json (const hb_msg_t *msg, const char *topic, char *out, size_t size);

//  text as the body of a JSON string: quotes, backslashes and control bytes
//  escaped, anything not ASCII as '?' (a topic or a name is whatever a peer
//  or a file sent). Cut at a whole character to fit size with its NUL.
//  Returns out.
const char *hb_json_escape (const char *text, char *out, size_t size);

#endif
