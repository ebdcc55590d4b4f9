#!/bin/sh
# hb-risk live: two sim venues (alpha: BTC and ETH spot; beta: BTC and ETH
# perps), hb-aggregator with a starting position of 10 BTC spot on alpha,
# and hb-risk sampling every 100 ms with a BTC band of 1000 USD. hb-tap
# records risk.* for about 10 s; jq then checks that
#   - risk.exposure arrives, positions known, with BTC exposure = 10 x index
#     (+- 1 %: the aggregator marks at its own mid, risk at the index) plus
#     the alpha BTC collateral (1 BTC) = 11 x index, both indices within 5 %
#     of the configured start, annualized vols > 0, a correlation matrix
#     that is symmetric with a unit diagonal, entries in [-1, 1];
#   - a risk.hedge request appears (after min_samples = 20 samples) with
#     reason band, a BTC target of -exposure (+- 1 %, ETH has no exposure),
#     a unique id per request, and input references to pos.BTC and a BTC tick.
# Exit 77 when a binary or the sim plugin is missing.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
for b in hb-feed hb-tap hb-aggregator hb-risk; do
    [ -x "$BIN/$b" ] || { echo "skip: $BIN/$b not built"; exit 77; }
done
[ -f "$HB_PLUGIN_PATH/hb_venue_sim.so" ] || { echo "skip: no sim plugin"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }

RUN_S=${RUN_S:-10}
DIR=$(mktemp -d /tmp/hb-it-risk.XXXXXX) || exit 1
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
    echo "FAIL: $*"
    for f in "$DIR"/*.log; do echo "--- $f"; tail -15 "$f"; done
    exit 1
}

mkdir -p "$DIR/run"                 # the aggregator's journal lives there
CFG=$DIR/it.yaml
cat >"$CFG" <<CONFIG
hedgebus: 1
deployment: it-risk
run_dir: $DIR/run
log_level: warn
assets:
  BTC: { price: 65000, vol: 0.55 }
  ETH: { price: 3400, vol: 0.70 }
market:
  seed: 11
  step_ms: 50
  anchor: $(date +%s)              # the path starts at the reference prices now, so
                                   # the index checks below do not depend on the time of day
  correlation: [[1, 0.8], [0.8, 1]]
venues:
  alpha:
    plugin: sim
    collateral: { USD: 100000, BTC: 1 }
    positions:
      - { symbol: BTC-USD, qty: 10, entry: 64000 }
    sim: { seed: 1, publish_ms: 50 }
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }
      - { symbol: ETH-USD, asset: ETH, kind: spot, tick: 0.01, lot: 0.001 }
  beta:
    plugin: sim
    collateral: { USD: 100000 }
    sim: { seed: 2, publish_ms: 50 }
    instruments:
      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }
      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, tick: 0.01, lot: 0.01 }
components:
  aggregator: { snapshot_ms: 200 }
  risk:
    endpoint: ipc://$DIR/run/risk.pub
    sample_ms: 100
    publish_ms: 200
    quote_stale_ms: 1000
    min_samples: 20
    band: 1000000000
    bands: { BTC: 1000 }
CONFIG

"$BIN/hb-feed" --config "$CFG" --venue alpha >"$DIR/alpha.log" 2>&1 & pids="$pids $!"
"$BIN/hb-feed" --config "$CFG" --venue beta >"$DIR/beta.log" 2>&1 & pids="$pids $!"
"$BIN/hb-aggregator" --config "$CFG" >"$DIR/aggregator.log" 2>&1 & pids="$pids $!"
"$BIN/hb-risk" --config "$CFG" >"$DIR/risk.log" 2>&1 & risk=$!; pids="$pids $risk"
"$BIN/hb-tap" --config "$CFG" --topic risk. --timeout-ms $((RUN_S * 1000)) \
    >"$DIR/risk.jsonl" 2>"$DIR/tap.log"
kill -0 "$risk" 2>/dev/null || fail "hb-risk exited"
kill -TERM "$risk"
wait "$risk"; rc=$?
pids=$(echo "$pids" | sed "s/ $risk\$//")
[ "$rc" = 0 ] || fail "hb-risk exit status $rc on SIGTERM"

EXP=$DIR/exposure.jsonl
grep '"risk_exposure"' "$DIR/risk.jsonl" | jq -c '.risk_exposure' >"$EXP"
n=$(wc -l <"$EXP")
[ "$n" -ge 10 ] || fail "only $n risk.exposure messages"
last=$(grep -v no_positions "$EXP" | tail -1)
[ -n "$last" ] || fail "positions never known (no snapshot from the aggregator?)"
echo "$last" | jq -e '
    (.assets | map ({(.asset): .}) | add) as $a
    | ($a.BTC.index > 65000 * 0.95 and $a.BTC.index < 65000 * 1.05)
    and ($a.ETH.index > 3400 * 0.95 and $a.ETH.index < 3400 * 1.05)
    and (($a.BTC.exposure_usd - 11 * $a.BTC.index) | fabs) < 0.01 * 11 * $a.BTC.index
    and ($a.ETH.exposure_usd | fabs) < 1
    and $a.BTC.vol > 0 and $a.ETH.vol > 0
    and (.corr | length) == 2
    and .corr[0][0] == 1 and .corr[1][1] == 1 and .corr[0][1] == .corr[1][0]
    and .corr[0][1] >= -1 and .corr[0][1] <= 1
    and .var_usd > 0 and .stress_var_usd > 0 and .samples >= 20
    and (.assets | map (.flags | index ("hedgeable") != null) | all)' >/dev/null \
    || fail "implausible risk.exposure: $last"

HEDGE=$DIR/hedge.jsonl
grep '"risk_hedge"' "$DIR/risk.jsonl" | jq -c '.risk_hedge' >"$HEDGE"
h=$(wc -l <"$HEDGE")
[ "$h" -ge 1 ] || fail "no risk.hedge request"
[ "$(jq -r .id "$HEDGE" | sort | uniq -d | wc -l)" = 0 ] || fail "a hedge id repeats"
first=$(head -1 "$HEDGE")
echo "$first" | jq -e '
    (.targets | map ({(.asset): .}) | add) as $t
    | (.reasons | index ("band") != null)
    and ($t.BTC.target_usd < 0)
    and (($t.BTC.target_usd + $t.BTC.exposure_usd) | fabs) < 0.01 * ($t.BTC.exposure_usd | fabs)
    and (($t.BTC.target_qty * $t.BTC.index - $t.BTC.target_usd) | fabs) < 1e-6 * ($t.BTC.target_usd | fabs)
    and ([.inputs[].topic] | index ("pos.BTC") != null)
    and ([.inputs[].topic | select (startswith ("tick."))] | length) >= 1
    and .sample >= 20' >/dev/null || fail "implausible risk.hedge: $first"
echo "ok: $n exposures, $h hedge requests; first: $(echo "$first" | jq -c '{id, t: .targets[0].target_qty}')"
