#!/bin/sh
# The capital story of issue 19 on sims, a scripted rally (market.script):
# BTC rises 25 % in a straight line (in log) from 12 s after the anchor.
# alpha holds 2,000,000 USD and buys 1.5 BTC spot a second in; beta sells
# a 1.5 BTC perp (about 97,500 USD) on 20,000 USD, maintenance 5 % (manual
# trades: the sim's engine leaves configured starting positions out of its
# equity, so only traded positions can be liquidated): beta breaches at
# about +15 %, with the spot's profit sitting on alpha. The route alpha ->
# beta (USDC) takes 5 s, fee 2 USDC. The issue's scenario is 25 % over 20
# minutes with a 5-minute route: this is the same story 60 times faster
# (the rally over 20 s, the route 5 s, stress_minutes 1/3), because the sim
# clock is the wall clock.
#   run 1, the route manual (suggestions only, nobody acts): beta is
#     liquidated: fills marked liquidation on the bus, its log says the
#     P&L it lost; the treasury suggested transfers that nobody made;
#   run 2, the route auto: the treasury requests the top-up before the
#     rally, it is credited after its delay, and beta is never liquidated
#     through the whole rally; the fees paid are the route's fee per
#     transfer, and margin.alpha fell by the amounts plus fees when sent.
# Exit 77 when a binary, the sim plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-treasury hb_venue_sim.so jq
it_tmpdir capital_rally

# s_config AUTO: the deployment of a run (true: the route executes)
s_config() {
    it_yaml_head it-capital-rally info "$DIR/run"
    it_yaml_capital_rally
    echo "components:"
    it_yaml_aggregator
    echo "  treasury: { endpoint: \"ipc://$DIR/run/treasury.pub\" }"
    it_yaml_capital_treasury 5 "$1"
}

# s_run NAME AUTO: one run of the story, its bus in $DIR/NAME.jsonl, until
# the rally is over (the path at its top for a few seconds)
s_run() {
    rm -rf "$DIR/run"; mkdir -p "$DIR/run"
    CFG=$DIR/$1.yaml
    s_config "$2" >"$CFG"
    BUS=$DIR/$1.jsonl
    "$BIN/hb-tap" --config "$CFG" --topic capital. --topic margin. --topic fill. --topic tick.beta \
        >"$BUS" 2>"$DIR/$1.tap.log" &
    pids="$pids $!"
    sleep 0.5
    for v in alpha beta; do it_bg "$1.$v" "$BIN/hb-feed" --config "$CFG" --venue $v; done
    it_bg "$1.aggregator" "$BIN/hb-aggregator" --config "$CFG"
    it_bg "$1.treasury" "$BIN/hb-treasury" --config "$CFG"
    # the top of the rally: beta's BTC-PERP at 1.22 x 65,000 or more
    top() { jq -s -e 'map(select(.tick and .tick.bids[0][0] > 79300)) | length > 0' "$BUS" >/dev/null; }
    wait_for 60 top || fail "$1: the scripted rally never reached +22 % on beta"
    sleep 4
    it_stop_all
    pids=
}

liq_fills() { jq -c 'select(.fill and .fill.venue == "beta" and (.fill.flags | index("liquidation")))' "$1"; }
moves() { jq -c 'select(.capital_transfer) | .capital_transfer + {publisher: .env.publisher}' "$1"; }

# run 1: the route is manual
s_run manual false
liq_fills "$DIR/manual.jsonl" | grep -q . || fail "manual route: beta was not liquidated by the rally"
qty=$(liq_fills "$DIR/manual.jsonl" | jq -s '[.[].fill.qty] | add')
it_within "$(jq -n "$qty - 1.5")" 1e-9 || fail "manual route: liquidation fills of $qty BTC, not the 1.5 short"
lost=$(sed -n 's/.*LIQUIDATION 1 at step .*lost \([0-9.]*\) USD to the liquidation.*/\1/p' "$DIR/manual.beta.log")
[ -n "$lost" ] || fail "manual route: beta's log does not say what the liquidation lost: $(grep LIQUIDATION "$DIR/manual.beta.log")"
jq -n -e --argjson l "$lost" '$l > 0' >/dev/null || fail "manual route: lost $lost USD"
moves "$DIR/manual.jsonl" | jq -s -e 'map(select(.status == "suggested" and .to == "beta")) | length > 0' >/dev/null \
    || fail "manual route: the treasury suggested nothing to beta"
moves "$DIR/manual.jsonl" | jq -s -e 'map(select(.status != "suggested")) | length == 0' >/dev/null \
    || fail "manual route: a transfer other than suggested: $(moves "$DIR/manual.jsonl" | grep -v suggested | head -3)"
echo "ok   manual route: beta liquidated ($qty BTC in $(liq_fills "$DIR/manual.jsonl" | wc -l) fills), lost $lost USD to the liquidation; the suggestions went unheard"

# run 2: the route is auto
s_run auto true
BUS=$DIR/auto.jsonl
liq_fills "$BUS" | grep -q . && fail "auto route: beta was liquidated: $(liq_fills "$BUS" | head -2)"
grep -q "LIQUIDATION" "$DIR/auto.beta.log" && fail "auto route: beta's log: $(grep LIQUIDATION "$DIR/auto.beta.log")"
req=$(moves "$BUS" | jq -c 'select(.status == "requested")' | head -1)
[ -n "$req" ] || fail "auto route: nothing requested"
id=$(echo "$req" | jq -r .id)
cred=$(moves "$BUS" | jq -c --arg id "$id" 'select(.id == $id and .status == "credited")' | head -1)
[ -n "$cred" ] || fail "auto route: $id never credited"
# requested before the rally began (anchor + 12 s), credited no earlier than its eta
anchor=$(sed -n 's/^  anchor: //p' "$DIR/auto.yaml")
echo "$req" | jq -e --argjson a "$anchor" '.requested_ns < ($a + 12) * 1e9 and .eta_ns - .requested_ns == 5e9 and .fee == 2' \
    >/dev/null || fail "auto route: the first request $req (anchor $anchor)"
echo "$cred" | jq -e --argjson eta "$(echo "$req" | jq .eta_ns)" '.credited_ns >= $eta' >/dev/null \
    || fail "auto route: credited before its eta: $cred"
n=$(moves "$BUS" | jq -r 'select(.status == "requested") | .id' | sort -u | wc -l)
ncred=$(moves "$BUS" | jq -r 'select(.status == "credited") | .id' | sort -u | wc -l)
fees=$(moves "$BUS" | jq -s 'map(select(.status == "requested")) | unique_by(.id) | map(.fee) | add')
amount=$(moves "$BUS" | jq -s 'map(select(.status == "requested")) | unique_by(.id) | map(.amount) | add')
[ "$fees" = "$((n * 2))" ] || fail "auto route: fees $fees for $n transfers of fee 2"
for t in $(moves "$BUS" | jq -r 'select(.status == "sent") | .id' | sort -u); do
    grep -q "aggregator: transfer $t sent: .* left alpha" "$DIR/auto.aggregator.log" \
        || fail "auto route: the aggregator did not take $t out of alpha"
done
echo "ok   auto route: $n transfers ($ncred credited), $amount USDC for $fees USDC of fees; the first requested $(jq -n "($anchor + 12) - $(echo "$req" | jq .requested_ns) / 1e9" | cut -c1-5) s before the rally; beta never liquidated"
exit 0
