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
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-record hb-replay hb_venue_sim.so jq

it_tmpdir rec

# config RUN_DIR CONSOLE_ENDPOINT
config() {
    it_yaml_head it-record-replay info "$1"
    it_yaml_feed_market
    it_yaml_feed_venues 50
    echo "components:"
    it_yaml_console "$2"
}
CFG=$DIR/live.yaml
config "$DIR/run" "ipc://$DIR/run/console.pub" >"$CFG"
# the receiving side: venues point where nothing is bound; the console
# endpoint is the replay endpoint
REPLAY_EP="ipc://$DIR/replay/replay.pub"
config "$DIR/nothing" "$REPLAY_EP" >"$DIR/replay.yaml"
mkdir -p "$DIR/run" "$DIR/replay" "$DIR/nothing"

# 1. record
it_bg record "$BIN/hb-record" --config "$CFG" --out "$DIR/rec" --fsync interval --segment-s 1
pid_rec=$it_pid
sleep 0.5
for v in alpha beta; do
    it_bg "feed.$v" "$BIN/hb-feed" --config "$CFG" --venue "$v"; eval "pid_$v=\$it_pid"
done
sleep 4
for v in alpha beta; do
    eval "p=\$pid_$v"; it_stop "$p"
done
it_stop "$pid_rec" || fail "hb-record exited $? after SIGTERM"
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
# the tap has them once as many lines as expected have arrived (if they
# never do, the comparison below says what is missing)
replayed_all() { [ "$(grep -c '"env"' "$DIR/replayed.json")" -ge "$(wc -l <"$DIR/expected")" ]; }
wait_for 10 replayed_all
sleep 0.5
it_stop "$pid_tap"
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
