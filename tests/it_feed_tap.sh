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
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb_venue_sim.so jq

it_tmpdir feed
CFG=$DIR/it.yaml
{
    it_yaml_head it-feed-tap
    it_yaml_feed_market SOL
    it_yaml_feed_venues 100 \
        "      - { symbol: SOL-PERP, asset: SOL, kind: linear_perp, tick: 0.001, lot: 0.1, min: 0.1 }" \
        "      - { symbol: BTC-INV,  asset: BTC, kind: inverse_perp, multiplier: 100, tick: 0.5, lot: 1, min: 1 }
      - { symbol: BTC-25JUN27-80000-C, asset: BTC, kind: option, type: call, strike: 80000,
          expiry: 2027-06-25T08:00:00Z, iv: 0.55, tick: 5, lot: 0.01, min: 0.01 }"
    echo "components:"
    it_yaml_console
} >"$CFG"

"$BIN/hb-tap" --config "$CFG" --list-instruments >"$DIR/instruments.json" 2>"$DIR/list.log" ||
    fail "hb-tap --list-instruments"
jq -r 'select(.venue == "alpha" or .venue == "beta") | "\(.venue) \(.symbol)"' \
    "$DIR/instruments.json" | sort -u >"$DIR/expected"
[ "$(wc -l <"$DIR/expected")" -ge 7 ] || fail "expected 7 instruments from the config, got: $(cat "$DIR/expected")"

# No mkdir of the run directory here: both feeds start at once and create it
# themselves, which is what a real start does.

start_feed() {
    it_bg "feed.$1" "$BIN/hb-feed" --config "$CFG" --venue "$1"
    eval "pid_$1=\$it_pid"
}

# The tap first, so it sees every feed from its first message.
"$BIN/hb-tap" --config "$CFG" --timeout-ms 60000 >"$DIR/tap.out" 2>"$DIR/tap.log" &
pid_tap=$!
pids="$pids $pid_tap"
start_feed alpha
start_feed beta

# tap_has JQ-FILTER: the filter over the slurped tap output is true
tap_has() { jq -se "$1" "$DIR/tap.out" >/dev/null 2>&1; }

# 1. every configured instrument ticks, both feeds heartbeat (~5 s of data)
sleep 5
covered='[.[] | select(.tick) | "\(.tick.venue) \(.tick.symbol)"] | unique | length >= '$(wc -l <"$DIR/expected")
wait_for 20 tap_has "($covered) and ([.[] | select(.heartbeat) | .heartbeat.component] | unique | length >= 2)" || true
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
wait "$pid_beta" 2>/dev/null; it_forget "$pid_beta"
sleep 0.5
start_feed beta
wait_for 20 tap_has 'any(.[]; .event == "restart" and .publisher == "feed.beta")' ||
    fail "no restart event for feed.beta"
echo "ok   $(grep '"event":"restart"' "$DIR/tap.out" | head -1)"

# 5. clean shutdown on SIGTERM: exit 0 (and, under ASan, no leaks)
for v in alpha beta; do
    eval "p=\$pid_$v"
    it_stop "$p" || fail "feed.$v exited $? after SIGTERM"
done
it_stop "$pid_tap" || fail "hb-tap exited $? after SIGTERM"
echo "ok   feeds and tap stopped cleanly on SIGTERM"
exit 0
