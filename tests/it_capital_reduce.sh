#!/bin/sh
# A route slower than the move (issue 19): the capital rally of
# it_capital_rally.sh (BTC +25 % over 20 s from 12 s after the anchor; beta
# short 1.5 BTC perp on 20,000 USD, alpha long 1.5 BTC spot on 2,000,000
# USD), but the only route alpha -> beta takes 60 s while the stress
# liquidates beta in about 12 s. On the bus:
#   - capital.plan.beta says too_slow and hb-treasury publishes
#     capital.reduce.beta (reason too_slow, a BTC quantity to buy back);
#   - hb-hedger moves it: sells that much BTC-PERP on alpha and buys as
#     much back on beta, client ids <reduce id>.<leg>: beta's short
#     shrinks, alpha's perp short grows by as much (the net does not move);
#   - nothing is requested over the slow route before the rally, and beta
#     is never liquidated through the whole rally.
# Exit 77 when a binary, the sim plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-treasury hb-hedger hb_venue_sim.so jq
it_tmpdir capital_reduce
mkdir -p "$DIR/run"
CFG=$DIR/it.yaml
{
    it_yaml_head it-capital-reduce info
    it_yaml_capital_rally
    echo "components:"
    it_yaml_aggregator
    it_yaml_hedger 20
    echo "  treasury: { endpoint: \"ipc://$DIR/run/treasury.pub\" }"
    it_yaml_capital_treasury 60 true
} >"$CFG"

BUS=$DIR/bus.jsonl
"$BIN/hb-tap" --config "$CFG" --topic capital. --topic fill. --topic pos.BTC. --topic tick.beta \
    --topic hedger.reject >"$BUS" 2>"$DIR/tap.log" &
pids="$pids $!"
sleep 0.5
for v in alpha beta; do it_bg $v "$BIN/hb-feed" --config "$CFG" --venue $v; done
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
it_bg hedger "$BIN/hb-hedger" --config "$CFG"
it_bg treasury "$BIN/hb-treasury" --config "$CFG"

reduces() { jq -c 'select(.capital_reduce) | .capital_reduce' "$BUS"; }
pos_of() { grep "\"topic\":\"pos\.BTC\.$1\.$2\"" "$BUS" | tail -1 | jq -r '.position.qty // 0'; }
reduced() { reduces | grep -q .; }
wait_for 20 reduced || fail "no capital.reduce on the bus: $(grep capital.plan.beta "$BUS" | tail -1)"
first=$(reduces | head -1)
echo "$first" | jq -e '.venue == "beta" and .asset == "BTC" and .reason == "too_slow" and .qty > 0
    and .exposure_usd < 0 and .reduce_usd > 0' >/dev/null || fail "the reduce: $first"
id=$(echo "$first" | jq -r .id)
grep "\"topic\":\"capital.plan.beta\"" "$BUS" | jq -s -e 'map(select(.capital_plan.reason == "too_slow")) | length > 0' \
    >/dev/null || fail "capital.plan.beta never said too_slow"
grep -q "treasury: beta: no transfer covers it in time (too_slow): capital.reduce $id" "$DIR/treasury.log" \
    || fail "the treasury did not log the reduce"
# the hedger's two legs: sold on alpha, bought back on beta
ours() { jq -c --arg id "$id." 'select(.fill and (.fill.client_id | startswith($id)))' "$BUS"; }
both() { ours | jq -s -e 'map(.fill.venue) | unique == ["alpha", "beta"]' >/dev/null; }
wait_for 10 both || fail "the hedger did not fill both legs of $id: $(ours | head -3) $(grep hedger.reject "$BUS" | tail -2)"
ours | jq -s -e 'map(select(.fill.venue == "alpha")) | all(.fill.side == "sell")' >/dev/null \
    || fail "the leg on alpha is not a sale: $(ours)"
ours | jq -s -e 'map(select(.fill.venue == "beta")) | all(.fill.side == "buy")' >/dev/null \
    || fail "the leg on beta is not a buy back: $(ours)"
grep -q "hedger: capital.reduce $id (too_slow): " "$DIR/hedger.log" || fail "the hedger did not log the reduce"
# the rally: to its top, and beta is never liquidated
top() { jq -s -e 'map(select(.tick and .tick.bids[0][0] > 79300)) | length > 0' "$BUS" >/dev/null; }
wait_for 60 top || fail "the scripted rally never reached +22 % on beta"
sleep 3
liq=$(jq -c 'select(.fill and (.fill.flags | index("liquidation")))' "$BUS" | head -2)
[ -z "$liq" ] || fail "liquidated although the position was reduced: $liq"
# the net did not move: beta's short shrank by what alpha's perp took,
# but for the legs a venue refused (an IOC in a fast rally can find
# nothing at its limit: the hedger logs it, risk would hedge the rest)
b=$(pos_of beta BTC-PERP); a=$(pos_of alpha BTC-PERP)
rejected=$(for o in $(sed -n 's/.*hedger: order \([^ ]*\) rejected by.*/\1/p' "$DIR/hedger.log"); do
        sed -n "s/.*hedger: order $o [a-z]* \([0-9.]*\) .*/\1/p" "$DIR/hedger.log"; done | awk '{s += $1} END {print s + 0}')
jq -n -e --argjson a "$a" --argjson b "$b" --argjson r "$rejected" \
        '$b > -1.5 and $a < 0 and (($a + $b + 1.5) | fabs) <= $r + 1e-6' >/dev/null \
    || fail "positions after the reductions: beta BTC-PERP $b, alpha BTC-PERP $a (sum should stay -1.5 but for $rejected rejected)"
n=$(reduces | wc -l)
req=$(jq -c 'select(.capital_transfer and .capital_transfer.status == "requested")' "$BUS" | head -1)
anchor=$(sed -n 's/^  anchor: //p' "$CFG")
[ -z "$req" ] || echo "$req" | jq -e --argjson a "$anchor" '.capital_transfer.requested_ns >= ($a + 12) * 1e9' >/dev/null \
    || fail "a transfer over the slow route before the rally: $req"
it_stop_all
echo "ok   $n capital.reduce (first $id: $(echo "$first" | jq .qty) BTC, too_slow); beta BTC-PERP $b, alpha BTC-PERP $a; never liquidated"
exit 0
