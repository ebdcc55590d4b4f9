# Shared by the hedger integration tests (sourced, not run): a temp directory
# with cleanup and fail helpers, and the config of a small hedging pipeline:
# two sim venues (alpha: BTC spot and perp, taker fee 30 bps, a starting
# book long 10 BTC spot; beta: BTC perp, taker fee 2 bps), the aggregator,
# risk sampling every 100 ms with a BTC band of $BAND USD, and the hedger.
# In: NAME (temp directory prefix), optionally BAND. Out: DIR, CFG, pids,
# fail(). Kept in one place so the tests that drive this pipeline agree
# on it.
BAND=${BAND:-20000}
DIR=$(mktemp -d /tmp/hb-it-$NAME.XXXXXX) || exit 1
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    [ -n "$KEEP" ] || rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
    echo "FAIL: $*"
    for f in "$DIR"/*.log; do echo "--- $f"; tail -20 "$f"; done
    exit 1
}

mkdir -p "$DIR/run"
CFG=$DIR/it.yaml
cat >"$CFG" <<CONFIG
hedgebus: 1
deployment: it-$NAME
run_dir: $DIR/run
log_level: info
assets:
  BTC: { price: 65000, vol: 0.55 }
  ETH: { price: 3400, vol: 0.70 }
market:
  seed: 11
  step_ms: 50
  correlation: [[1, 0.8], [0.8, 1]]
venues:
  alpha:
    plugin: sim
    collateral: { USD: 1000000 }
    fees: { maker: 0.001, taker: 0.003 }
    positions:
      - { symbol: BTC-USD, qty: 10, entry: 64000 }
    sim: { seed: 1, publish_ms: 50, spread_bps: 2, level_bps: 1, level_usd: 500000 }
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }
      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }
      - { symbol: ETH-USD, asset: ETH, kind: spot, tick: 0.01, lot: 0.001 }
  beta:
    plugin: sim
    collateral: { USD: 1000000 }
    fees: { maker: 0.0001, taker: 0.0002 }
    sim: { seed: 2, publish_ms: 50, spread_bps: 2, level_bps: 1, level_usd: 500000 }
    instruments:
      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }
      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, tick: 0.01, lot: 0.01 }
components:
  aggregator: { endpoint: "ipc://$DIR/run/aggregator.pub", snapshot_ms: 200 }
  risk:
    endpoint: ipc://$DIR/run/risk.pub
    sample_ms: 100
    publish_ms: 200
    quote_stale_ms: 1000
    min_samples: 10
    band: 1000000000
    bands: { BTC: $BAND }
  hedger:
    endpoint: ipc://$DIR/run/hedger.pub
    orders: true
    max_order_usd: 1000000
    collar_bps: 100
    orders_per_s: 5
    max_net_usd: 10000000
    max_day_usd: 100000000
    max_request_age_ms: 2000
CONFIG
