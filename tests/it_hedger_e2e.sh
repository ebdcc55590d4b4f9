#!/bin/sh
# hb-hedger end to end: two sim venues (alpha: BTC spot and perp, taker fee
# 30 bps; beta: BTC perp, taker fee 2 bps, deep book), hb-aggregator with a
# starting book long 10 BTC spot on alpha, hb-risk sampling every 100 ms
# with a BTC band of 20,000 USD, and hb-hedger. Checks, from what hb-tap
# saw on the bus:
#   - the aggregator's pos.BTC net_usd comes back inside the band within
#     60 s (it starts at about 650,000 USD);
#   - the hedge went to beta, the cheaper venue after fees (all fills);
#   - no client order id is sent twice, no fill id repeats;
#   - then hb-hedger is killed with -9 and restarted: it replays its
#     journal, sends nothing again (still no duplicate client id) and the
#     book stays inside the band.
# Exit 77 when a binary or the sim plugin is missing.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
for b in hb-feed hb-tap hb-aggregator hb-risk hb-hedger; do
    [ -x "$BIN/$b" ] || { echo "skip: $BIN/$b not built"; exit 77; }
done
[ -f "$HB_PLUGIN_PATH/hb_venue_sim.so" ] || { echo "skip: no sim plugin"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }

BAND=20000
DIR=$(mktemp -d /tmp/hb-it-hedger.XXXXXX) || exit 1
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
deployment: it-hedger
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

"$BIN/hb-feed" --config "$CFG" --venue alpha >"$DIR/alpha.log" 2>&1 & pids="$pids $!"
"$BIN/hb-feed" --config "$CFG" --venue beta >"$DIR/beta.log" 2>&1 & pids="$pids $!"
"$BIN/hb-aggregator" --config "$CFG" >"$DIR/aggregator.log" 2>&1 & pids="$pids $!"
"$BIN/hb-tap" --config "$CFG" --topic order. --topic fill. --topic ack. --topic hedger. \
    --topic pos.BTC --timeout-ms 120000 >"$DIR/bus.jsonl" 2>"$DIR/tap.log" & pids="$pids $!"
"$BIN/hb-risk" --config "$CFG" >"$DIR/risk.log" 2>&1 & pids="$pids $!"
"$BIN/hb-hedger" --config "$CFG" >"$DIR/hedger.log" 2>&1 & hedger=$!; pids="$pids $hedger"

# the latest pos.BTC (the exposure, not a per-venue position) net_usd
net_usd() {
    grep '"topic":"pos.BTC"' "$DIR/bus.jsonl" | tail -1 | jq -r '.exposure.net_usd // empty'
}
inside() {
    n=$(net_usd)
    [ -n "$n" ] && jq -n --argjson n "$n" --argjson b "$BAND" '($n | fabs) <= $b' | grep -q true
}
wait_inside() {
    i=0
    while [ $i -lt "$1" ]; do
        inside && return 0
        kill -0 "$hedger" 2>/dev/null || fail "hb-hedger exited"
        sleep 1; i=$((i + 1))
    done
    return 1
}
wait_inside ${WAIT_S:-60} || fail "pos.BTC net_usd $(net_usd) not within $BAND after 60 s"
echo "inside the band: net_usd $(net_usd)"

check_orders() {
    grep '"topic":"order\.' "$DIR/bus.jsonl" | jq -r '.order.client_id' >"$DIR/orders.txt"
    [ -s "$DIR/orders.txt" ] || fail "no order on the bus"
    d=$(sort "$DIR/orders.txt" | uniq -d)
    [ -z "$d" ] || fail "client order ids sent twice: $d"
    grep '"topic":"fill\.' "$DIR/bus.jsonl" | jq -r '.fill.venue + " " + .fill.fill_id' >"$DIR/fills.txt"
    [ -s "$DIR/fills.txt" ] || fail "no fill"
    d=$(sort "$DIR/fills.txt" | uniq -d)
    [ -z "$d" ] || fail "fill ids repeat: $d"
    grep -v '^beta ' "$DIR/fills.txt" && fail "fills not on beta, the cheaper venue"
    return 0
}
check_orders
echo "orders $(wc -l <"$DIR/orders.txt"), fills $(wc -l <"$DIR/fills.txt"), all on beta"

# kill -9 and restart: the journal is replayed, nothing is sent again
kill -9 "$hedger"; wait "$hedger" 2>/dev/null
pids=$(echo "$pids" | sed "s/ $hedger\$//")
"$BIN/hb-hedger" --config "$CFG" >>"$DIR/hedger.log" 2>&1 & hedger=$!; pids="$pids $hedger"
sleep 5
kill -0 "$hedger" 2>/dev/null || fail "restarted hb-hedger exited"
wait_inside 30 || fail "after the restart pos.BTC net_usd $(net_usd) not within $BAND"
check_orders
grep -q "intents" "$DIR/hedger.log" || fail "the restarted hedger did not replay its journal"
kill -TERM "$hedger"; wait "$hedger"; rc=$?
pids=$(echo "$pids" | sed "s/ $hedger\$//")
[ "$rc" = 0 ] || fail "hb-hedger exit status $rc on SIGTERM"
echo "ok: hedged on beta, no duplicate order after kill -9 and restart"
exit 0
