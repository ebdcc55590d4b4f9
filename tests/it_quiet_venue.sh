#!/bin/sh
# Decisions at arrival speed with one venue quiet and one dead (issue 15;
# docs/RISK.md, Arrival order): four sim venues quote BTC, alpha and beta
# every 50 ms, gamma once a minute (between its quotes only heartbeats: a
# quiet venue), delta is killed 4 s in (a dead venue: its last quotes
# go stale). alpha starts long 10 BTC, and someone trades 4 BTC on
# alpha's account 9 s in (a sim manual trade), so hedges are requested
# before and after delta dies. From the recording alone:
#  - every risk.hedge went out right after the newest input it names
#    (hb-tap --latency-json: decision ts_pub minus that input's ts_pub)
#    far below the quiet venue's heartbeat period (1 s): no decision
#    waited for gamma or delta; with the data-time merge each waited at
#    least for gamma's next heartbeat;
#  - no request made once delta's quotes are stale names a delta tick
#    among its inputs, and no order goes to delta then;
#  - a request was made after delta died, and orders went to the live
#    venues.
# Exit 77 when a binary, the sim plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-risk hb-hedger hb-record hb_venue_sim.so jq
it_tmpdir quiet
mkdir -p "$DIR/run"
CFG=$DIR/it.yaml
book="spread_bps: 2, level_bps: 1, level_usd: 500000"
{
    it_yaml_head it-quiet
    it_yaml_market 11
    echo "venues:"
    it_yaml_sim_venue alpha "collateral: { USD: 5000000 }" "fees: { maker: 0.001, taker: 0.003 }" \
        "positions:" "  - { symbol: BTC-USD, qty: 10, entry: 64000 }" \
        "sim: { seed: 1, publish_ms: 50, $book, manual_trades: [ { after: 9, symbol: BTC-USD, side: buy, qty: 4 } ] }"
    it_yaml_instruments BTC-USD BTC-PERP
    it_yaml_sim_venue beta "collateral: { USD: 1000000 }" "fees: { maker: 0.0001, taker: 0.0002 }" \
        "sim: { seed: 2, publish_ms: 50, $book }"
    it_yaml_instruments BTC-PERP
    it_yaml_sim_venue gamma "collateral: { USD: 1000000 }" "fees: { maker: 0.0001, taker: 0.0002 }" \
        "sim: { seed: 3, publish_ms: 60000, $book }"
    it_yaml_instruments BTC-PERP
    it_yaml_sim_venue delta "collateral: { USD: 1000000 }" "fees: { maker: 0.0001, taker: 0.0001 }" \
        "sim: { seed: 4, publish_ms: 50, $book }"
    it_yaml_instruments BTC-PERP
    echo "components:"
    it_yaml_aggregator
    it_yaml_risk 20000 10
    it_yaml_hedger 5
} >"$CFG"

it_bg record "$BIN/hb-record" --config "$CFG" --out "$DIR/rec" --fsync never; rec=$it_pid
sleep 0.5
for v in alpha beta gamma delta; do
    it_bg "$v" "$BIN/hb-feed" --config "$CFG" --venue "$v"
    eval "feed_$v=\$it_pid"
done
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
it_bg risk "$BIN/hb-risk" --config "$CFG"
it_bg hedger "$BIN/hb-hedger" --config "$CFG"
sleep 4
# shellcheck disable=SC2154
kill -KILL "$feed_delta"; it_stop "$feed_delta"
dead_ns=$(date +%s%N)
stale_ns=$((dead_ns + 1000000000))     # quote_stale_ms after its last quote, at most
sleep 12
it_stop_all

"$BIN/hb-tap" --in "$DIR/rec" --latency-json >"$DIR/latency.jsonl" 2>"$DIR/tap-latency.log" ||
    fail "hb-tap --latency-json exited $?"
"$BIN/hb-tap" --in "$DIR/rec" --topic risk.hedge --topic order. >"$DIR/decisions.jsonl" \
    2>"$DIR/tap.log" || fail "hb-tap --in exited $?"
n=$(jq -s '[.[] | select(.kind == "risk")] | length' "$DIR/latency.jsonl")
[ "$n" -ge 2 ] || fail "only $n hedge requests with a latency"
worst=$(jq -s '[.[] | select(.kind == "risk") | .latency_us] | max' "$DIR/latency.jsonl")
median=$(jq -s '[.[] | select(.kind == "risk") | .latency_us] | sort | .[length / 2 | floor]' \
    "$DIR/latency.jsonl")
unknown=$(jq -s '[.[] | select(.kind == "risk") | .unknown_inputs] | add' "$DIR/latency.jsonl")
[ "$unknown" = 0 ] || fail "$unknown inputs of hedge requests are not in the recording"
# the quiet venue's heartbeat period is 1 s: a decision that waited for it
# (or for the dead venue) is at least that late
jq -e -s '[.[] | select(.kind == "risk" and .latency_us >= 250000)] | length == 0' \
    "$DIR/latency.jsonl" >/dev/null ||
    fail "a hedge request waited for a quiet or dead venue: $(jq -c 'select(.kind == "risk" and .latency_us >= 250000)' "$DIR/latency.jsonl" | head -3)"
echo "ok   $n hedge requests, input to decision p50 ${median} us, max ${worst} us (quiet venue: a heartbeat a second)"

late=$(jq -s --argjson t "$stale_ns" '[.[] | select(.topic == "risk.hedge" and .env.ts_pub > $t)] | length' \
    "$DIR/decisions.jsonl")
[ "$late" -ge 1 ] || fail "no hedge request after delta died (the manual trade at 9 s should make one)"
jq -e -s --argjson t "$stale_ns" '[.[] | select(.topic == "risk.hedge" and .env.ts_pub > $t)
        | .risk_hedge.inputs[] | select(.topic | startswith("tick.delta."))] | length == 0' \
    "$DIR/decisions.jsonl" >/dev/null || fail "a request made after delta's quotes went stale names a delta tick"
jq -e -s --argjson t "$stale_ns" '[.[] | select((.topic | startswith("order.delta.")) and .env.ts_pub > $t)]
        | length == 0' "$DIR/decisions.jsonl" >/dev/null || fail "an order went to the dead venue"
after=$(jq -s --argjson t "$stale_ns" '[.[] | select((.topic | startswith("order.")) and .env.ts_pub > $t)] | length' \
    "$DIR/decisions.jsonl")
[ "$after" -ge 1 ] || fail "no order after delta died"
echo "ok   $late requests and $after orders after delta died: none on its stale quotes"
exit 0
