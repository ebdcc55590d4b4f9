#!/bin/sh
# hb-aggregator survives kill -9: two sim venues (alpha: spot + linear perps
# and a starting position; gamma: an inverse perp) fill a stream of market
# orders sent with hb-tap --send-order while hb-tap records every fill on the
# bus. The aggregator is killed with -9 at least 20 times at a random moment
# (0 to 40 ms after it has taken the latest fill: in the middle of
# publishing, of the snapshot timer, of heartbeats, of ticks) and restarted;
# after every restart its snapshot (hb-aggsnap) must hold, per position, the
# quantity and the fill count that this script recomputes on its own from
# the recorded fills plus the configured starting position: zero fills lost,
# zero counted twice. Some fills are also re-offered: nothing double counts.
#
# Not covered (see issue 3 notes): a fill still in flight to a dead
# aggregator is gone for it; that needs a replay from the feed.
# Skips (77) when the binaries or the sim plugin are not built.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
for b in hb-feed hb-tap hb-aggregator hb-aggsnap; do
    [ -x "$BIN/$b" ] || { echo "skip: $BIN/$b not built"; exit 77; }
done
[ -f "$HB_PLUGIN_PATH/hb_venue_sim.so" ] || { echo "skip: no sim plugin"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }

KILLS=${KILLS:-22}
DIR=$(mktemp -d /tmp/hb-it-agg.XXXXXX) || exit 1
pids=""
agg=""
cleanup() {
    [ -n "$agg" ] && kill -9 "$agg" 2>/dev/null
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    for p in $pids $agg; do wait "$p" 2>/dev/null; done
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
    echo "FAIL: $*"
    for f in "$DIR"/*.log; do echo "--- $f"; tail -15 "$f"; done
    exit 1
}

CFG=$DIR/it.yaml
cat >"$CFG" <<EOF
hedgebus: 1
deployment: it-aggregator
run_dir: $DIR/run
log_level: warn
assets:
  BTC: { price: 65000, vol: 0.55 }
  ETH: { price: 3400, vol: 0.70 }
market: { seed: 5 }
venues:
  alpha:
    plugin: sim
    collateral: { USD: 100000, BTC: 1 }
    positions:
      - { symbol: ETH-PERP, qty: -10, entry: 3300 }
    sim: { seed: 1, publish_ms: 50 }
    instruments:
      - { symbol: BTC-USD,  asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }
      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }
      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, tick: 0.01, lot: 0.01 }
  gamma:
    plugin: sim
    collateral: { BTC: 2 }
    sim: { seed: 3, publish_ms: 50 }
    instruments:
      - { symbol: BTC-INV, asset: BTC, kind: inverse_perp, multiplier: 100, tick: 0.5, lot: 1 }
components:
  aggregator: { fsync: always, snapshot_ms: 100 }
  console: { endpoint: ipc://$DIR/run/console.pub, orders: true }
