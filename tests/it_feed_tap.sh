#!/bin/sh
# End to end: two hb-feed processes (sim venues alpha and beta) and hb-tap.
#  1. the tap shows ticks from both venues for every instrument the config
#     gives them (the list comes from the config via hb-tap --list-instruments),
#     and heartbeats from both feeds;
#  2. sequence numbers run +1 per (publisher, epoch, topic), no gap events;
#  3. an order sent with hb-tap --send-order is filled at a price inside the
#     book the tap saw, and ends done or canceled;
#  4. beta killed with -9 and restarted: the tap reports its restart;
#  5. SIGTERM stops the feeds and the tap cleanly (exit 0, which under ASan
#     also means no leak).
# Skips (77) when hb-feed or the sim plugin is not built.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
if [ ! -x "$BIN/hb-feed" ] || [ ! -x "$BIN/hb-tap" ] || [ ! -f "$HB_PLUGIN_PATH/hb_venue_sim.so" ]; then
    echo "skip: $BIN/hb-feed, $BIN/hb-tap or $HB_PLUGIN_PATH/hb_venue_sim.so not built"
    exit 77
fi
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }

DIR=$(mktemp -d /tmp/hb-it-feed.XXXXXX) || exit 1
pids=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
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

CFG=$DIR/it.yaml
cat >"$CFG" <<EOF
hedgebus: 1
deployment: it-feed-tap
run_dir: $DIR/run
log_level: info
assets:
  BTC: { price: 65000, vol: 0.55, drift: 0.0 }
  ETH: { price: 3400,  vol: 0.70, drift: 0.0 }
  SOL: { price: 150,   vol: 0.90, drift: 0.0 }
market:
  seed: 7
  step_ms: 100
  anchor: day
  correlation:
    - [1.00, 0.85, 0.75]
    - [0.85, 1.00, 0.78]
    - [0.75, 0.78, 1.00]
venues:
  alpha:
    plugin: sim
    fees: { maker: 0.0001, taker: 0.0004 }
    margin: { initial: 0.10, maintenance: 0.05 }
    collateral: { USD: 2000000, BTC: 5 }
    sim: { seed: 1, basis_bps: 0, noise_bps: 0.5, spread_bps: 2, level_bps: 1, depth: 5,
           level_usd: 250000, publish_ms: 100, latency_ms: 1 }
    instruments:
      - { symbol: BTC-USD,  asset: BTC, kind: spot, tick: 0.01, lot: 0.0001, min: 0.0001 }
      - { symbol: ETH-USD,  asset: ETH, kind: spot, tick: 0.01, lot: 0.001,  min: 0.001 }
      - { symbol: SOL-PERP, asset: SOL, kind: linear_perp, tick: 0.001, lot: 0.1, min: 0.1 }
  beta:
    plugin: sim
    fees: { maker: 0.0002, taker: 0.0005 }
    margin: { initial: 0.05, maintenance: 0.025 }
    collateral: { USD: 1000000 }
    sim: { seed: 2, basis_bps: 3, noise_bps: 1.0, spread_bps: 4, level_bps: 2, depth: 5,
           level_usd: 100000, publish_ms: 100, latency_ms: 1 }
    instruments:
      - { symbol: BTC-USD,  asset: BTC, kind: spot, tick: 0.1, lot: 0.0001, min: 0.0005 }
      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, tick: 0.05, lot: 0.01, min: 0.01 }
      - { symbol: BTC-INV,  asset: BTC, kind: inverse_perp, multiplier: 100, tick: 0.5, lot: 1, min: 1 }
      - { symbol: BTC-25JUN27-80000-C, asset: BTC, kind: option, type: call, strike: 80000,
          expiry: 2027-06-25T08:00:00Z, iv: 0.55, tick: 5, lot: 0.01, min: 0.01 }
components:
  console: { endpoint: ipc://$DIR/run/console.pub, orders: true }
EOF

"$BIN/hb-tap" --config "$CFG" --list-instruments >"$DIR/instruments.json" 2>"$DIR/list.log" ||
    fail "hb-tap --list-instruments"
jq -r 'select(.venue == "alpha" or .venue == "beta") | "\(.venue) \(.symbol)"' \
    "$DIR/instruments.json" | sort -u >"$DIR/expected"
[ "$(wc -l <"$DIR/expected")" -ge 7 ] || fail "expected 7 instruments from the config, got: $(cat "$DIR/expected")"

# No mkdir of the run directory here: both feeds start at once and create it
# themselves, which is what a real start does.

start_feed() {
    "$BIN/hb-feed" --config "$CFG" --venue "$1" >>"$DIR/feed.$1.log" 2>&1 &
    eval "pid_$1=\$!"
    pids="$pids $!"
}

# The tap first, so it sees every feed from its first message.
"$BIN/hb-tap" --config "$CFG" --timeout-ms 60000 >"$DIR/tap.out" 2>"$DIR/tap.log" &
pid_tap=$!
pids="$pids $pid_tap"
start_feed alpha
start_feed beta

# wait_for SECONDS JQ-FILTER: until the filter (over the slurped tap output)
# is true; fails after SECONDS.
wait_for() {
    n=0
    while [ "$n" -lt $(($1 * 5)) ]; do
        if jq -se "$2" "$DIR/tap.out" >/dev/null 2>&1; then return 0; fi
        sleep 0.2; n=$((n + 1))
    done
    return 1
}

# 1. every configured instrument ticks, both feeds heartbeat (~5 s of data)
sleep 5
covered='[.[] | select(.tick) | "\(.tick.venue) \(.tick.symbol)"] | unique | length >= '$(wc -l <"$DIR/expected")
wait_for 20 "($covered) and ([.[] | select(.heartbeat) | .heartbeat.component] | unique | length >= 2)" || true
jq -r 'select(.tick) | "\(.tick.venue) \(.tick.symbol)"' "$DIR/tap.out" | sort -u >"$DIR/got"
missing=$(comm -23 "$DIR/expected" "$DIR/got")
[ -z "$missing" ] || fail "no ticks for: $missing"
echo "ok   ticks for all $(wc -l <"$DIR/expected") instruments of alpha and beta ($(grep -c '"tick":' "$DIR/tap.out") ticks)"
for v in alpha beta; do
    jq -se --arg c "feed.$v" '[.[] | select(.heartbeat.component == $c)] | length >= 1' \
        "$DIR/tap.out" >/dev/null || fail "no heartbeat from feed.$v"
done
echo "ok   heartbeats from feed.alpha and feed.beta"

# 2. sequence numbers: +1 per (publisher, epoch, topic), no gap events
cp "$DIR/tap.out" "$DIR/phase1.out"
jq -se '[.[] | select(.env)] | group_by([.env.publisher, .env.epoch, .topic])
        | map(map(.env.seq) | . as $s | [range(1; length)] | all($s[.] == $s[. - 1] + 1)) | all' \
    "$DIR/phase1.out" >/dev/null || fail "sequence numbers not consecutive per topic"
[ "$(grep -c '"event":"gap"' "$DIR/phase1.out")" = 0 ] || fail "gap events: $(grep '"event":"gap"' "$DIR/phase1.out" | head -3)"
echo "ok   seq +1 per topic on $(jq -se '[.[] | select(.env)] | group_by([.env.publisher, .topic]) | length' "$DIR/phase1.out") topics, no gaps"

# 3. an order round trip through the console
"$BIN/hb-tap" --config "$CFG" --send-order alpha BTC-USD buy 0.01 --client-id "it-$$-1" \
    --timeout-ms 15000 >"$DIR/order.out" 2>"$DIR/order.log"
rc=$?
[ "$rc" = 0 ] || fail "--send-order exit $rc: $(cat "$DIR/order.out" "$DIR/order.log")"
status=$(jq -r 'select(.ack) | .ack.status' "$DIR/order.out" | tail -1)
case $status in done|canceled) ;; *) fail "final ack status '$status'";; esac
px=$(jq -r 'select(.fill) | .fill.px' "$DIR/order.out" | head -1)
[ -n "$px" ] || fail "no fill: $(cat "$DIR/order.out")"
# inside the book: between the deepest bid and the deepest ask of the
# alpha BTC-USD ticks the tap saw around the order
jq -se --argjson px "$px" '[.[] | select(.tick.venue == "alpha" and .tick.symbol == "BTC-USD")] | .[-20:]
        | (map(.tick.bids[-1][0]) | min) <= $px and $px <= (map(.tick.asks[-1][0]) | max)' \
    "$DIR/tap.out" >/dev/null || fail "fill price $px outside the book"
echo "ok   order filled at $px, final ack $status"

# 4. kill -9 beta, restart it: the tap reports the restart of feed.beta
kill -9 "$pid_beta"
wait "$pid_beta" 2>/dev/null
sleep 0.5
start_feed beta
wait_for 20 'any(.[]; .event == "restart" and .publisher == "feed.beta")' ||
    fail "no restart event for feed.beta"
echo "ok   $(grep '"event":"restart"' "$DIR/tap.out" | head -1)"

# 5. clean shutdown on SIGTERM: exit 0 (and, under ASan, no leaks)
for v in alpha beta; do
    eval "p=\$pid_$v"
    kill -TERM "$p"; wait "$p"; rc=$?
    [ "$rc" = 0 ] || fail "feed.$v exited $rc after SIGTERM"
done
kill -TERM "$pid_tap"; wait "$pid_tap"; rc=$?
[ "$rc" = 0 ] || fail "hb-tap exited $rc after SIGTERM"
pids=""
echo "ok   feeds and tap stopped cleanly on SIGTERM"
exit 0
