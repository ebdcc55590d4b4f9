#!/bin/sh
# hb-hedger end to end across a venue outage (issue 5). Three sim venues:
#   alpha: BTC spot and perp, taker fee 30 bps; the starting book is long
#          10 BTC spot here;
#   beta:  BTC and SOL perps, taker fee 2 bps: the cheapest for both;
#   gamma: SOL spot and perp, taker fee 5 bps;
# alpha and beta share one outage window (sim.outages, on a sim clock
# anchored at the test's start); gamma stays up. With hb-aggregator,
# hb-risk (bands 20,000 USD) and hb-hedger, and hb-tap recording the bus:
#   1. before the outage, pos.BTC net_usd comes back inside its band, every
#      fill on beta (the cheaper venue), and risk had BTC hedgeable;
#   2. the outage is real: both feeds report it in their heartbeat;
#   3. once the quotes of alpha and beta are older than quote_stale_ms, the
#      console buys 2,000 SOL spot on gamma (about 300,000 USD). While the
#      outage lasts:
#      - no order goes to alpha or beta (beta is the cheapest SOL venue: a
#        hedger that ignored the outage would pick it);
#      - every risk.exposure has BTC stale and not hedgeable, and no
#        risk.hedge carries a BTC target;
#      - SOL is hedged as the plan says: the orders of the request behind
#        the first SOL order go to gamma and add up to its SOL target_qty
#        (to a lot; nothing of SOL was in flight before), all
#        SOL fills are on gamma, and pos.SOL net_usd comes back inside its
#        band before the outage ends.
# No duplicate client order id anywhere. Exit 77 when a binary, the sim
# plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-risk hb-hedger hb_venue_sim.so jq

BAND=20000
T1=${OUTAGE_AT:-12}         # s after the anchor: alpha and beta go down
D=${OUTAGE_S:-14}           # s they stay down
STALE_MS=1000               # risk.quote_stale_ms (it_yaml_risk's): how long an outage goes unseen
SOL_QTY=2000

it_tmpdir outage
mkdir -p "$DIR/run"
ANCHOR=$(date +%s)
CFG=$DIR/it.yaml
book="publish_ms: 50, spread_bps: 2, level_bps: 1, level_usd: 500000"
outage="outages: [ { at: $T1, duration: $D } ]"
{
    it_yaml_head it-outage
    cat <<CONFIG
assets:
  BTC: { price: 65000, vol: 0.55 }
  SOL: { price: 150, vol: 0.90 }
market:
  seed: 17
  step_ms: 50
  anchor: $ANCHOR
  correlation: [[1, 0.7], [0.7, 1]]
venues:
CONFIG
    it_yaml_sim_venue alpha "collateral: { USD: 1000000 }" "fees: { maker: 0.001, taker: 0.003 }" \
        "positions:" "  - { symbol: BTC-USD, qty: 10, entry: 64000 }" "sim: { seed: 1, $book, $outage }"
    it_yaml_instruments BTC-USD BTC-PERP
    it_yaml_sim_venue beta "collateral: { USD: 1000000 }" "fees: { maker: 0.0001, taker: 0.0002 }" \
        "sim: { seed: 2, $book, $outage }"
    it_yaml_instruments BTC-PERP SOL-PERP
    it_yaml_sim_venue gamma "collateral: { USD: 1000000 }" "fees: { maker: 0.0002, taker: 0.0005 }" \
        "sim: { seed: 3, $book }"
    it_yaml_instruments SOL-USD SOL-PERP
    echo "components:"
    it_yaml_aggregator
    it_yaml_console
    it_yaml_risk "$BAND" 10 "SOL: $BAND"
    it_yaml_hedger 5
} >"$CFG"
grep -q "quote_stale_ms: $STALE_MS\$" "$CFG" || fail "risk.quote_stale_ms is not STALE_MS ($STALE_MS)"

for v in alpha beta gamma; do
    it_bg "$v" "$BIN/hb-feed" --config "$CFG" --venue $v
done
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
"$BIN/hb-tap" --config "$CFG" --topic order. --topic fill. --topic ack. --topic hedger. \
    --topic pos.BTC --topic pos.SOL --topic risk. --topic hb.feed. \
    --timeout-ms 120000 >"$DIR/bus.jsonl" 2>"$DIR/tap.log" & pids="$pids $!"
it_bg risk "$BIN/hb-risk" --config "$CFG"
it_bg hedger "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid

# ns since the epoch of a point t seconds (may be fractional) after the anchor
at_ns() { jq -n --argjson t "$1" --argjson a "$ANCHOR" '(($a + $t) * 1e9) | floor'; }
now_s() { echo $(( $(date +%s) - ANCHOR )); }
# the latest pos.<asset> exposure (not a per-venue position) net_usd
net_usd() {
    grep "\"topic\":\"pos.$1\"" "$DIR/bus.jsonl" | tail -1 | jq -r '.exposure.net_usd // empty'
}
inside() { it_within "$(net_usd "$1")" "$BAND"; }
# waits until asset $1 is inside its band, at the latest until $2 s after the anchor
wait_inside() {
    while [ "$(now_s)" -lt "$2" ]; do
        inside "$1" && return 0
        kill -0 "$hedger" 2>/dev/null || fail "hb-hedger exited"
        sleep 1
    done
    return 1
}
# bus lines whose ts_pub lies in [$1, $2) (ns), from the topics matching $3
window() {
    jq -c --argjson lo "$1" --argjson hi "$2" --arg t "$3" \
        'select((.topic | test($t)) and .env.ts_pub >= $lo and .env.ts_pub < $hi)' "$DIR/bus.jsonl"
}

# 1. BTC hedged on beta before the outage
[ "$(now_s)" -lt "$T1" ] || fail "the start took longer than the outage offset ($T1 s)"
wait_inside BTC $((T1 - 1)) || fail "pos.BTC net_usd $(net_usd BTC) not within $BAND before the outage (t=$T1 s)"
echo "t=$(now_s) s: BTC inside its band before the outage: net_usd $(net_usd BTC)"
before=$(at_ns "$T1")
window 0 "$before" '^fill\.' | jq -r '.fill.venue + " " + .fill.symbol' >"$DIR/btc_fills.txt"
[ -s "$DIR/btc_fills.txt" ] || fail "no BTC fill before the outage"
grep -v '^beta BTC-PERP$' "$DIR/btc_fills.txt" && fail "BTC fills not on beta, the cheaper venue"
window 0 "$before" '^risk\.exposure$' \
    | jq -e 'select(.risk_exposure.assets[] | select(.asset == "BTC") | .flags | index("hedgeable"))' \
    >/dev/null || fail "risk never had BTC hedgeable before the outage"

# 2.-3. the outage; the SOL exposure once it shows as stale quotes
quiet=$(jq -n --argjson t "$T1" --argjson s "$STALE_MS" '$t + $s / 1000 + 1')
while [ "$(now_s)" -lt "$(jq -n --argjson q "$quiet" '$q | ceil')" ]; do sleep 1; done
sent=0
for try in 1 2 3; do
    "$BIN/hb-tap" --config "$CFG" --send-order gamma SOL-USD buy $SOL_QTY \
        --client-id "it-sol-$$-$try" --timeout-ms 4000 >>"$DIR/console.log" 2>&1 && { sent=1; break; }
done
[ "$sent" = 1 ] || fail "the console's SOL order was not filled"
echo "t=$(now_s) s: bought $SOL_QTY SOL spot on gamma"
wait_inside SOL $((T1 + D - 1)) || fail "pos.SOL net_usd $(net_usd SOL) not within $BAND before the outage ended"
echo "t=$(now_s) s: SOL inside its band: net_usd $(net_usd SOL)"
while [ "$(now_s)" -lt $((T1 + D)) ]; do sleep 1; done
kill -0 "$hedger" 2>/dev/null || fail "hb-hedger exited"

lo=$(at_ns "$quiet")
hi=$(at_ns "$((T1 + D))")
# the outage happened: each BTC feed's heartbeat said so inside the window
for v in alpha beta; do
    window "$lo" "$hi" "^hb\\.feed\\.$v\$" | jq -e 'select(.heartbeat.status != 0)' >/dev/null \
        || fail "hb.feed.$v never reported the outage"
done
# no order to a venue in outage
window "$lo" "$hi" '^order\.(alpha|beta)\.' >"$DIR/bad_orders.jsonl"
[ -s "$DIR/bad_orders.jsonl" ] && fail "orders to a venue in outage: $(cat "$DIR/bad_orders.jsonl")"
# BTC out of the hedgeable set, and out of every hedge request
window "$lo" "$hi" '^risk\.exposure$' \
    | jq -c '.risk_exposure.assets[] | select(.asset == "BTC") | .flags' >"$DIR/btc_flags.txt"
n=$(wc -l <"$DIR/btc_flags.txt")
[ "$n" -ge 10 ] || fail "only $n risk.exposure messages during the outage"
grep -v '"stale"' "$DIR/btc_flags.txt" | head -1 | grep . && fail "BTC not stale during the outage"
grep '"hedgeable"' "$DIR/btc_flags.txt" | head -1 | grep . && fail "BTC hedgeable during the outage"
window "$lo" "$hi" '^risk\.hedge$' >"$DIR/requests.jsonl"
jq -e 'select(.risk_hedge.targets[] | .asset == "BTC")' "$DIR/requests.jsonl" >/dev/null \
    && fail "a hedge request with a BTC target during the outage"
# SOL: hedged as the plan says, on gamma: the request of the first SOL
# order (nothing of SOL in flight before it) against its orders
first=$(window "$lo" "$hi" '^order\.' \
    | jq -r 'select(.env.publisher == "hedger" and (.order.symbol | startswith("SOL"))) | .order.client_id' \
    | head -1)
[ -n "$first" ] || fail "no SOL order during the outage"
id=${first%.*}
req=$(jq -c --arg id "$id" 'select(.risk_hedge.id == $id)' "$DIR/requests.jsonl" | head -1)
[ -n "$req" ] || fail "the request $id of the first SOL order is not on the bus"
target=$(echo "$req" | jq '.risk_hedge.targets[] | select(.asset == "SOL") | .target_qty')
exposure=$(echo "$req" | jq '.risk_hedge.targets[] | select(.asset == "SOL") | .exposure_usd')
jq -n --argjson e "$exposure" --argjson b "$BAND" '($e | fabs) > 5 * $b' | grep -q true \
    || fail "the SOL request $id saw exposure $exposure, not the console's purchase"
grep '"topic":"order\.' "$DIR/bus.jsonl" | jq -c --arg id "$id." \
    'select(.env.publisher == "hedger" and (.order.client_id | startswith($id))
           and (.order.symbol | startswith("SOL"))) | .order' \
    >"$DIR/sol_orders.jsonl"
jq -r '.venue' "$DIR/sol_orders.jsonl" | grep -v '^gamma$' && fail "SOL orders of $id not on gamma"
sum=$(jq -s 'map(if .side == "sell" then -.qty else .qty end) | add' "$DIR/sol_orders.jsonl")
jq -n --argjson s "$sum" --argjson t "$target" '($s - $t | fabs) <= 0.011' | grep -q true \
    || fail "orders of $id add up to $sum SOL, the plan said $target"
window "$lo" "$hi" '^fill\.' | jq -r 'select(.fill.symbol | startswith("SOL")) | .fill.venue' \
    >"$DIR/sol_fills.txt"
[ -s "$DIR/sol_fills.txt" ] || fail "no SOL fill during the outage"
grep -v '^gamma$' "$DIR/sol_fills.txt" && fail "SOL fills not on gamma"
# never the same client order id twice
d=$(grep '"topic":"order\.' "$DIR/bus.jsonl" | jq -r '.order.client_id' | sort | uniq -d)
[ -z "$d" ] || fail "client order ids sent twice: $d"

echo "ok: BTC hedged on beta; during the outage $n risk reports with BTC stale and" \
     "not hedgeable, no order to alpha or beta, SOL hedged on gamma ($sum of plan $target)"
exit 0
