#!/bin/sh
# hb-hedger killed at injected points, restarted, never hedges twice and
# loses no hedge. Two sim venues (alpha, beta), hb-aggregator, hb-risk
# (BTC band 20,000 USD) and hb-hedger started with HB_HEDGER_CRASH set to
# after_journal, after_send, then after_ack, $CYCLES times each (default
# 20): every start dies (SIGKILL) at its first such point and is restarted.
# When the book is inside the band, the console buys 0.5 BTC spot on
# alpha (about 32,000 USD) so there is always something to hedge. Then a
# hedger without crash brings the book back. Checks, from hb-tap and the
# hedger's journal:
#   - every start died by the injected SIGKILL, CYCLES per point;
#   - no client order id appears twice among the order.* on the bus;
#   - every order on the bus was journaled first, and every journaled
#     intent has an outcome (a final ack, or given up after
#     order_timeout_ms): none is lost or left counting in flight;
#   - pos.BTC net_usd ends inside the band.
# Exit 77 when a binary, the sim plugin or jq is missing.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
for b in hb-feed hb-tap hb-aggregator hb-risk hb-hedger; do
    [ -x "$BIN/$b" ] || { echo "skip: $BIN/$b not built"; exit 77; }
done
[ -f "$HB_PLUGIN_PATH/hb_venue_sim.so" ] || { echo "skip: no sim plugin"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }

CYCLES=${CYCLES:-20}
BAND=20000
DIR=$(mktemp -d /tmp/hb-it-hrestart.XXXXXX) || exit 1
pids=""
hedger=""
# SIGTERM, and SIGKILL for whatever still runs 5 s later: once a test run
# waited here for hb-tap's whole --timeout-ms
cleanup() {
    for p in $pids $hedger; do kill "$p" 2>/dev/null; done
    for p in $pids $hedger; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
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
deployment: it-hedger-restart
run_dir: $DIR/run
log_level: info
assets:
  BTC: { price: 65000, vol: 0.55 }
  ETH: { price: 3400, vol: 0.70 }
market:
  seed: 13
  step_ms: 50
  correlation: [[1, 0.8], [0.8, 1]]
venues:
  alpha:
    plugin: sim
    collateral: { USD: 1000000 }
    fees: { maker: 0.001, taker: 0.003 }
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
  console: { endpoint: ipc://$DIR/run/console.pub, orders: true }
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
    orders_per_s: 20
    max_net_usd: 10000000
    max_day_usd: 100000000
    max_request_age_ms: 2000
    order_timeout_ms: 200
CONFIG

"$BIN/hb-feed" --config "$CFG" --venue alpha >"$DIR/alpha.log" 2>&1 & pids="$pids $!"
"$BIN/hb-feed" --config "$CFG" --venue beta >"$DIR/beta.log" 2>&1 & pids="$pids $!"
"$BIN/hb-aggregator" --config "$CFG" >"$DIR/aggregator.log" 2>&1 & pids="$pids $!"
"$BIN/hb-tap" --config "$CFG" --topic order. --topic ack. --topic hedger. --topic pos.BTC \
    --timeout-ms 300000 >"$DIR/bus.jsonl" 2>"$DIR/tap.log" & pids="$pids $!"
"$BIN/hb-risk" --config "$CFG" >"$DIR/risk.log" 2>&1 & pids="$pids $!"

net_usd() {
    grep '"topic":"pos.BTC"' "$DIR/bus.jsonl" | tail -1 | jq -r '.exposure.net_usd // empty'
}
inside() {
    n=$(net_usd)
    [ -z "$n" ] || jq -n --argjson n "$n" --argjson b "$BAND" '($n | fabs) <= $b' | grep -q true
}
# Each hb-tap --send-order binds the console's endpoint anew; an order of
# one that the feed never heard is tried again (more exposure is harmless).
buys=0
buy() {
    for try in 1 2 3; do
        buys=$((buys + 1))
        "$BIN/hb-tap" --config "$CFG" --send-order alpha BTC-USD buy 0.5 \
            --client-id "it-$$-$buys" --timeout-ms 3000 >>"$DIR/console.log" 2>&1 && return 0
    done
    fail "console orders not filled 3 times"
}

# One start of the hedger armed at $1: it must die by its injected SIGKILL
# within 20 s; the console adds exposure when there is nothing to hedge.
cycle() {
    HB_HEDGER_CRASH=$1 "$BIN/hb-hedger" --config "$CFG" >>"$DIR/hedger.log" 2>&1 &
    hedger=$!
    t=0 bought=""
    while kill -0 "$hedger" 2>/dev/null; do
        t=$((t + 1))
        [ $t -le 200 ] || fail "$1 cycle $2: the hedger did not reach its crash point in 20 s"
        if [ -z "$bought" ] && [ $t -gt 5 ] && inside; then buy; bought=1; fi
        sleep 0.1
    done
    wait "$hedger"; rc=$?
    hedger=""
    [ "$rc" = 137 ] || fail "$1 cycle $2: hedger exit status $rc, not the injected SIGKILL"
}

for point in after_journal after_send after_ack; do
    i=1
    while [ $i -le "$CYCLES" ]; do cycle $point $i; i=$((i + 1)); done
    n=$(grep -c "injected crash $point" "$DIR/hedger.log")
    [ "$n" = "$CYCLES" ] || fail "$n injected crashes at $point, expected $CYCLES"
    echo "$point: $CYCLES crashes and restarts"
done

# a hedger without crash: back inside the band, nothing left in flight
"$BIN/hb-hedger" --config "$CFG" >>"$DIR/hedger.log" 2>&1 & hedger=$!
i=0
until inside && [ -n "$(net_usd)" ]; do
    i=$((i + 1)); [ $i -le 300 ] || fail "pos.BTC net_usd $(net_usd) not within $BAND after 30 s"
    kill -0 "$hedger" 2>/dev/null || fail "hb-hedger exited"
    sleep 0.1
done
sleep 1
kill -TERM "$hedger"; wait "$hedger"; rc=$?; hedger=""
[ "$rc" = 0 ] || fail "hb-hedger exit status $rc on SIGTERM"
inside || fail "pos.BTC net_usd $(net_usd) left the band"

grep '"topic":"order\.' "$DIR/bus.jsonl" | jq -r '.order.client_id' | grep -v "^it-$$-" \
    >"$DIR/orders.txt"
[ -s "$DIR/orders.txt" ] || fail "no hedger order on the bus"
d=$(sort "$DIR/orders.txt" | uniq -d)
[ -z "$d" ] || fail "client order ids sent twice: $d"
# journal records are text lines inside binary framing (hb_hedger.c)
records() {
    grep -a -o -E "$1 [0-9]+-[0-9]+\.[0-9]+ " "$DIR/run/hedger.journal" | cut -d' ' -f2 | sort -u
}
records I >"$DIR/intents.txt"
records O >"$DIR/outcomes.txt"
n=$(grep -a -o -E "I [0-9]+-[0-9]+\.[0-9]+ " "$DIR/run/hedger.journal" | wc -l)
[ "$n" = "$(wc -l <"$DIR/intents.txt")" ] || fail "an intent journaled twice"
d=$(sort "$DIR/orders.txt" | comm -23 - "$DIR/intents.txt")
[ -z "$d" ] || fail "orders on the bus never journaled: $d"
d=$(comm -23 "$DIR/intents.txt" "$DIR/outcomes.txt")
[ -z "$d" ] || fail "journaled intents without an outcome (lost, or still in flight): $d"
echo "ok: $(wc -l <"$DIR/intents.txt") intents, $(wc -l <"$DIR/orders.txt") orders on the bus," \
     "none twice, all with an outcome; $buys console buys; net_usd $(net_usd) within $BAND"
exit 0
