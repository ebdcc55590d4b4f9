#!/bin/sh
# End to end: record two sim feeds, print the recording, replay a slice.
#  1. hb-record records two hb-feed processes (alpha, beta) for a few
#     seconds and stops cleanly on SIGTERM;
#  2. hb-tap --in prints the recording: ticks of both venues, each with a
#     recv_ts, seq +1 per (publisher, topic), no rec.gap records;
#  3. hb-replay --from/--to --topic tick.alpha --max onto a replay endpoint,
#     received by hb-tap pointed at a config whose only live publisher is
#     that endpoint, gives back EXACTLY the expected messages (computed with
#     jq from the hb-tap --in output): same topics, publishers, epochs,
#     seqs and best bids, in the same order.
# Skips (77) when a binary, the sim plugin or jq is missing.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
for b in hb-feed hb-tap hb-record hb-replay; do
    [ -x "$BIN/$b" ] || { echo "skip: $BIN/$b not built"; exit 77; }
done
[ -f "$HB_PLUGIN_PATH/hb_venue_sim.so" ] || { echo "skip: sim plugin not built"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }

DIR=$(mktemp -d /tmp/hb-it-rec.XXXXXX) || exit 1
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

# config RUN_DIR CONSOLE_ENDPOINT
config() {
cat <<CFG
hedgebus: 1
deployment: it-record-replay
run_dir: $1
log_level: info
assets:
  BTC: { price: 65000, vol: 0.55, drift: 0.0 }
  ETH: { price: 3400,  vol: 0.70, drift: 0.0 }
market:
  seed: 7
  step_ms: 100
  anchor: day
  correlation:
    - [1.00, 0.85]
    - [0.85, 1.00]
venues:
  alpha:
    plugin: sim
    fees: { maker: 0.0001, taker: 0.0004 }
    margin: { initial: 0.10, maintenance: 0.05 }
    collateral: { USD: 2000000, BTC: 5 }
    sim: { seed: 1, basis_bps: 0, noise_bps: 0.5, spread_bps: 2, level_bps: 1, depth: 5,
           level_usd: 250000, publish_ms: 50, latency_ms: 1 }
    instruments:
      - { symbol: BTC-USD,  asset: BTC, kind: spot, tick: 0.01, lot: 0.0001, min: 0.0001 }
      - { symbol: ETH-USD,  asset: ETH, kind: spot, tick: 0.01, lot: 0.001,  min: 0.001 }
  beta:
    plugin: sim
    fees: { maker: 0.0002, taker: 0.0005 }
    margin: { initial: 0.05, maintenance: 0.025 }
    collateral: { USD: 1000000 }
    sim: { seed: 2, basis_bps: 3, noise_bps: 1.0, spread_bps: 4, level_bps: 2, depth: 5,
           level_usd: 100000, publish_ms: 50, latency_ms: 1 }
    instruments:
      - { symbol: BTC-USD,  asset: BTC, kind: spot, tick: 0.1, lot: 0.0001, min: 0.0005 }
      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, tick: 0.05, lot: 0.01, min: 0.01 }
components:
  console: { endpoint: $2, orders: true }
CFG
}
CFG=$DIR/live.yaml
config "$DIR/run" "ipc://$DIR/run/console.pub" >"$CFG"
# the receiving side: venues point where nothing is bound; the console
# endpoint is the replay endpoint
REPLAY_EP="ipc://$DIR/replay/replay.pub"
config "$DIR/nothing" "$REPLAY_EP" >"$DIR/replay.yaml"
mkdir -p "$DIR/run" "$DIR/replay" "$DIR/nothing"

# 1. record
"$BIN/hb-record" --config "$CFG" --out "$DIR/rec" --fsync interval --segment-s 1 \
    >"$DIR/record.log" 2>&1 &
pid_rec=$!; pids="$pids $pid_rec"
sleep 0.5
for v in alpha beta; do
    "$BIN/hb-feed" --config "$CFG" --venue "$v" >>"$DIR/feed.$v.log" 2>&1 &
    eval "pid_$v=\$!"; pids="$pids $!"
done
sleep 4
for v in alpha beta; do
    eval "p=\$pid_$v"; kill -TERM "$p"; wait "$p"
done
kill -TERM "$pid_rec"; wait "$pid_rec"; rc=$?
pids=""
[ "$rc" = 0 ] || fail "hb-record exited $rc after SIGTERM"
nseg=$(ls "$DIR/rec" | grep -c '\.hbr$')
[ "$nseg" -ge 3 ] || fail "expected >= 3 segments (rotation every 1 s), got $nseg"
[ "$(ls "$DIR/rec" | grep -c '\.hbi$')" = "$nseg" ] || fail "an index per segment expected"
echo "ok   recorded $nseg segments"

# 2. print it
"$BIN/hb-tap" --in "$DIR/rec" >"$DIR/all.json" 2>"$DIR/tapin.log" || fail "hb-tap --in"
for v in alpha beta; do
    n=$(jq -c "select(.tick.venue == \"$v\")" "$DIR/all.json" | wc -l)
    [ "$n" -ge 20 ] || fail "only $n ticks of $v in the recording"
done
jq -se 'all(.[]; .recv_ts > 0)' "$DIR/all.json" >/dev/null || fail "a line without recv_ts"
jq -se '[.[].recv_ts] | . == sort' "$DIR/all.json" >/dev/null || fail "recv_ts out of order"
jq -se '[.[] | select(.env)] | group_by([.env.publisher, .env.epoch, .topic])
        | map(map(.env.seq) | . as $s | [range(1; length)] | all($s[.] == $s[. - 1] + 1)) | all' \
    "$DIR/all.json" >/dev/null || fail "recorded seqs not consecutive per topic"
[ "$(grep -c '"rec.gap"' "$DIR/all.json")" = 0 ] || fail "gap records in a clean recording"
echo "ok   hb-tap --in: $(wc -l <"$DIR/all.json") records, ordered, seqs consecutive"

# 3. a slice of it: from the 20th to the 60th percentile of the recording,
# ticks of alpha only
first=$(jq -s '.[0].recv_ts' "$DIR/all.json")
last=$(jq -s '.[-1].recv_ts' "$DIR/all.json")
from=$((first + (last - first) / 5))
to=$((first + (last - first) * 3 / 5))
jq -c --argjson f "$from" --argjson t "$to" \
    'select(.recv_ts >= $f and .recv_ts <= $t and (.topic | startswith("tick.alpha")))
     | [.topic, .env.publisher, .env.epoch, .env.seq, .tick.bids[0][0]]' \
    "$DIR/all.json" >"$DIR/expected"
[ "$(wc -l <"$DIR/expected")" -ge 10 ] || fail "too few expected messages: $(wc -l <"$DIR/expected")"

"$BIN/hb-tap" --config "$DIR/replay.yaml" --topic tick.alpha --timeout-ms 60000 \
    >"$DIR/replayed.json" 2>"$DIR/tapout.log" &
pid_tap=$!; pids="$pids $pid_tap"
"$BIN/hb-replay" --in "$DIR/rec" --endpoint "$REPLAY_EP" --from "$from" --to "$to" \
    --topic tick.alpha --max --wait-ms 20000 >"$DIR/replay.log" 2>&1 || fail "hb-replay exited $?"
# the tap has them once as many lines as expected have arrived
n=0
while [ "$(grep -c '"env"' "$DIR/replayed.json")" -lt "$(wc -l <"$DIR/expected")" ] && [ $n -lt 100 ]; do
    sleep 0.1; n=$((n + 1))
done
sleep 0.5
kill -TERM "$pid_tap"; wait "$pid_tap"; pids=""
jq -c 'select(.env) | [.topic, .env.publisher, .env.epoch, .env.seq, .tick.bids[0][0]]' \
    "$DIR/replayed.json" >"$DIR/got"
cmp -s "$DIR/expected" "$DIR/got" ||
    fail "replayed slice differs from the expected one: $(diff "$DIR/expected" "$DIR/got" | head -10)"
echo "ok   hb-replay --from/--to --topic tick.alpha: exactly the $(wc -l <"$DIR/got") expected messages"

# the same slice given as +seconds relative to the start is accepted
"$BIN/hb-replay" --in "$DIR/rec" --endpoint "$REPLAY_EP" --from +0.5 --to +0.6 --max \
    --wait-ms 300 >"$DIR/replay2.log" 2>&1
[ $? = 1 ] || fail "hb-replay with no subscriber should exit 1"
"$BIN/hb-replay" --in "$DIR/rec" --endpoint "$REPLAY_EP" --from yesterday >/dev/null 2>&1
[ $? = 2 ] || fail "a bad --from should be a usage error"
echo "ok   no subscriber exits 1, bad --from exits 2"
exit 0
