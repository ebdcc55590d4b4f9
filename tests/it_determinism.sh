#!/bin/sh
# Determinism: aggregator, risk and hedger run on a replay of a recording
# decide exactly what the recorded live run decided (docs/OPERATIONS.md,
# Replay and determinism).
#  1. live: hb-record, two sim feeds, then (2 s later) hb-aggregator,
#     hb-risk and hb-hedger on the hedging pipeline of it_hedger_e2e (a
#     starting book long 10 BTC on alpha, BTC band 20,000 USD: hedges
#     happen), for about 20 s;
#  2. replay: fresh aggregator, risk (--grid-from the live run's first
#     sample, from its log) and hedger in a fresh run directory, fed by
#     hb-replay standing in for each feed (its topics, recorded pace),
#     recorded by a second hb-record; and hb-hedger --replay on the live
#     recording (hb-hedger decides on arrival: its orders are reproduced
#     from its application log, seq.hedger, not from a replay of the
#     feeds, whose arrival order is not the live one);
#  3. compare, over the data-time window both runs had whole (from the
#     first sample to the end of the feeds' data less the lateness
#     bound): risk.hedge (id, reasons, sample, targets), every order of
#     those requests (client id, venue, symbol, side, qty, price: the
#     live recording's against hb-hedger --replay's) and
#     risk.exposure (every figure, as printed: shortest round-trip
#     decimal, so equal text is equal bits). They must be identical, and
#     there must be hedges to compare. The comparison is shown to fail on
#     a copy with one order quantity changed.
# Exit 77 when a binary, the sim plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-risk hb-hedger hb-record hb-replay hb_venue_sim.so jq
NAME=determinism BAND=20000
. "$TOP/tests/lib/hedger_pipeline.sh"     # DIR, CFG
LIVE_S=${LIVE_S:-20}
LATE_S=4                                  # hb-risk's lateness bound (3 s) and a margin

# thin books (two levels of 60,000 USD on each venue): the hedge takes
# several requests, split between the venues, with orders in flight
# between them
sed -i -e 's/\(seed: [12], publish_ms: 50, spread_bps: 2, level_bps: 1, level_usd:\) 500000/\1 60000, depth: 2/' "$CFG"
[ "$(grep -c 'level_usd: 60000, depth: 2' "$CFG")" = 2 ] ||
    fail "the pipeline's config changed: update the thin books"
# the replay's deployment: the same file, another run directory
mkdir -p "$DIR/rerun"
sed "s|$DIR/run|$DIR/rerun|g" "$CFG" >"$DIR/replay.yaml"

stop() {   # PID...: SIGTERM to all, then each waited for and forgotten
    for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
    for p in "$@"; do it_stop "$p"; done
}

# 1. live
it_bg record "$BIN/hb-record" --config "$CFG" --out "$DIR/rec" --fsync never; rec=$it_pid
sleep 0.5
it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha; alpha=$it_pid
it_bg beta "$BIN/hb-feed" --config "$CFG" --venue beta; beta=$it_pid
# the consumers join a running market: the replay has this lead to connect in
sleep 2
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"; agg=$it_pid
it_bg risk "$BIN/hb-risk" --config "$CFG"; risk=$it_pid
it_bg hedger "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid
sleep "$LIVE_S"
for p in $alpha $beta $agg $risk $hedger; do
    kill -0 "$p" 2>/dev/null || fail "a live process exited early"
done
stop $alpha $beta
sleep 1
stop $hedger $risk $agg
stop $rec
grid_from=$(sed -n 's/.*data-time grid from \([0-9]*\).*/\1/p' "$DIR/risk.log" | head -1)
[ -n "$grid_from" ] || fail "the live hb-risk never sampled"
echo "live run recorded; risk's grid from $grid_from"

# 2. replay into fresh processes
it_bg rerecord "$BIN/hb-record" --config "$DIR/replay.yaml" --out "$DIR/rerec" --fsync never \
    --topic risk. --topic order. --topic hedger.; rerec=$it_pid
it_bg re-aggregator "$BIN/hb-aggregator" --config "$DIR/replay.yaml"; agg=$it_pid
it_bg re-risk "$BIN/hb-risk" --config "$DIR/replay.yaml" --grid-from "$grid_from"; risk=$it_pid
it_bg re-hedger "$BIN/hb-hedger" --config "$DIR/replay.yaml"; hedger=$it_pid
sleep 1
replays=""
for v in alpha beta; do
    it_bg "replay.$v" "$BIN/hb-replay" --in "$DIR/rec" --config "$DIR/replay.yaml" --as "$v" \
        --speed 1 --topic "tick.$v." --topic "fill.$v." --topic "ack.$v." --topic "hb.feed.$v" \
        --wait-ms 20000
    replays="$replays $it_pid"
done
for p in $replays; do
    wait "$p" || fail "hb-replay exited $?"
    it_forget "$p"
done
sleep 1
stop $hedger $risk $agg
stop $rerec
"$BIN/hb-hedger" --config "$CFG" --replay "$DIR/rec" --out "$DIR/hrep" >"$DIR/hedger-replay.log" 2>&1 \
    || fail "hb-hedger --replay exit status $?"

# 3. compare
"$BIN/hb-tap" --in "$DIR/rec" --topic risk. --topic order. --topic tick. >"$DIR/live.jsonl" \
    2>"$DIR/tap-live.log" || fail "hb-tap --in the live recording"
"$BIN/hb-tap" --in "$DIR/rerec" --topic risk. >"$DIR/replay.jsonl" \
    2>"$DIR/tap-replay.log" || fail "hb-tap --in the replay's recording"
"$BIN/hb-tap" --in "$DIR/hrep" --topic order. >"$DIR/hrep.jsonl" \
    2>>"$DIR/tap-replay.log" || fail "hb-tap --in hb-hedger --replay's recording"
# the window: both venues' data is whole up to the earlier end, less lateness
end=$(jq -s '[.[] | select(.topic | startswith("tick.")) | {v: .tick.venue, t: .env.ts_pub}]
             | group_by(.v) | map(max_by(.t).t) | min' "$DIR/live.jsonl")
[ "$end" != null ] || fail "no ticks in the live recording"
until=$((end - LATE_S * 1000000000))

# extract FILE [ORDERS IDS]: requests, orders of those requests (from
# ORDERS, of the requests in IDS, when given), exposures, as text lines
extract() {
    jq -c --argjson f "$grid_from" --argjson u "$until" '
        select(.topic == "risk.hedge" and .env.ts_venue >= $f and .env.ts_venue <= $u)
        | ["hedge", .env.ts_venue, .risk_hedge.id, .risk_hedge.reasons, .risk_hedge.sample,
           (.risk_hedge.targets | map([.asset, .index, .exposure_usd, .target_usd, .target_qty]))]' \
        "$1" >"$1.hedges"
    jq -r '.[2]' "$1.hedges" >"$1.ids"
    jq -c --rawfile ids "${3:-$1.ids}" '
        select(.topic | startswith("order."))
        | select(.order.client_id | sub("\\.[0-9]+$"; "") as $r | ($ids | split("\n") | index($r)))
        | ["order", .order.client_id, .order.venue, .order.symbol, .order.side, .order.qty, .order.px]' \
        "${2:-$1}" >"$1.orders"
    jq -c --argjson f "$grid_from" --argjson u "$until" '
        select(.topic == "risk.exposure" and .env.ts_venue >= $f and .env.ts_venue <= $u)
        | ["exposure", .env.ts_venue, .risk_exposure]' "$1" >"$1.exposures"
    cat "$1.hedges" "$1.orders" "$1.exposures"
}
extract "$DIR/live.jsonl" >"$DIR/live.txt"
extract "$DIR/replay.jsonl" "$DIR/hrep.jsonl" "$DIR/live.jsonl.ids" >"$DIR/replay.txt"
nh=$(wc -l <"$DIR/live.jsonl.hedges"); no=$(wc -l <"$DIR/live.jsonl.orders")
ne=$(wc -l <"$DIR/live.jsonl.exposures")
[ "$nh" -ge 1 ] && [ "$no" -ge 1 ] || fail "nothing to compare: $nh hedge requests, $no orders live"
[ "$ne" -ge 20 ] || fail "only $ne risk.exposure in the window"
same() { cmp -s "$1" "$2"; }
same "$DIR/live.txt" "$DIR/replay.txt" ||
    fail "the replay decided otherwise: $(diff "$DIR/live.txt" "$DIR/replay.txt" | head -6 | cut -c1-300)"
echo "ok   identical: $nh hedge requests, $no orders, $ne risk.exposure (data time $grid_from..$until)"

# the comparison can fail: one order quantity changed
{ head -1 "$DIR/replay.jsonl.orders" | jq -c '.[5] += 0.001'
  tail -n +2 "$DIR/replay.jsonl.orders"; } >"$DIR/altered.orders"
cat "$DIR/replay.jsonl.hedges" "$DIR/altered.orders" "$DIR/replay.jsonl.exposures" >"$DIR/altered.txt"
same "$DIR/live.txt" "$DIR/altered.txt" && fail "a changed order quantity went unnoticed"
echo "ok   a changed order quantity is caught"
exit 0
