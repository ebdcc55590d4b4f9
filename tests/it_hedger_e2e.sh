#!/bin/sh
# hb-hedger end to end: two sim venues (alpha: BTC spot and perp, taker fee
# 30 bps; beta: BTC perp, taker fee 2 bps, deep book), hb-aggregator with a
# starting book long 10 BTC spot on alpha, hb-risk sampling every 100 ms
# with a BTC band of 20,000 USD, and hb-hedger. Checks, from what hb-tap
# saw on the bus:
#   - the aggregator's pos.BTC net_usd comes back inside the band within
#     60 s (it starts at about 650,000 USD);
#   - the hedge went to beta, the cheaper venue after fees (all fills);
#   - no client order id is sent twice, no fill id repeats;
#   - then hb-hedger is killed with -9 and restarted: it replays its
#     journal, sends nothing again (still no duplicate client id) and the
#     book stays inside the band.
# Exit 77 when a binary or the sim plugin is missing.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
for b in hb-feed hb-tap hb-aggregator hb-risk hb-hedger; do
    [ -x "$BIN/$b" ] || { echo "skip: $BIN/$b not built"; exit 77; }
done
[ -f "$HB_PLUGIN_PATH/hb_venue_sim.so" ] || { echo "skip: no sim plugin"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }

NAME=hedger BAND=20000
. "$TOP/tests/lib/hedger_pipeline.sh"     # DIR, CFG, pids, cleanup, fail

"$BIN/hb-feed" --config "$CFG" --venue alpha >"$DIR/alpha.log" 2>&1 & pids="$pids $!"
"$BIN/hb-feed" --config "$CFG" --venue beta >"$DIR/beta.log" 2>&1 & pids="$pids $!"
"$BIN/hb-aggregator" --config "$CFG" >"$DIR/aggregator.log" 2>&1 & pids="$pids $!"
"$BIN/hb-tap" --config "$CFG" --topic order. --topic fill. --topic ack. --topic hedger. \
    --topic pos.BTC --timeout-ms 120000 >"$DIR/bus.jsonl" 2>"$DIR/tap.log" & pids="$pids $!"
"$BIN/hb-risk" --config "$CFG" >"$DIR/risk.log" 2>&1 & pids="$pids $!"
"$BIN/hb-hedger" --config "$CFG" >"$DIR/hedger.log" 2>&1 & hedger=$!; pids="$pids $hedger"

# the latest pos.BTC (the exposure, not a per-venue position) net_usd
net_usd() {
    grep '"topic":"pos.BTC"' "$DIR/bus.jsonl" | tail -1 | jq -r '.exposure.net_usd // empty'
}
inside() {
    n=$(net_usd)
    [ -n "$n" ] && jq -n --argjson n "$n" --argjson b "$BAND" '($n | fabs) <= $b' | grep -q true
}
wait_inside() {
    i=0
    while [ $i -lt "$1" ]; do
        inside && return 0
        kill -0 "$hedger" 2>/dev/null || fail "hb-hedger exited"
        sleep 1; i=$((i + 1))
    done
    return 1
}
wait_inside ${WAIT_S:-60} || fail "pos.BTC net_usd $(net_usd) not within $BAND after 60 s"
echo "inside the band: net_usd $(net_usd)"

check_orders() {
    grep '"topic":"order\.' "$DIR/bus.jsonl" | jq -r '.order.client_id' >"$DIR/orders.txt"
    [ -s "$DIR/orders.txt" ] || fail "no order on the bus"
    d=$(sort "$DIR/orders.txt" | uniq -d)
    [ -z "$d" ] || fail "client order ids sent twice: $d"
    grep '"topic":"fill\.' "$DIR/bus.jsonl" | jq -r '.fill.venue + " " + .fill.fill_id' >"$DIR/fills.txt"
    [ -s "$DIR/fills.txt" ] || fail "no fill"
    d=$(sort "$DIR/fills.txt" | uniq -d)
    [ -z "$d" ] || fail "fill ids repeat: $d"
    grep -v '^beta ' "$DIR/fills.txt" && fail "fills not on beta, the cheaper venue"
    return 0
}
check_orders
echo "orders $(wc -l <"$DIR/orders.txt"), fills $(wc -l <"$DIR/fills.txt"), all on beta"

# kill -9 and restart: the journal is replayed, nothing is sent again
kill -9 "$hedger"; wait "$hedger" 2>/dev/null
pids=$(echo "$pids" | sed "s/ $hedger\$//")
"$BIN/hb-hedger" --config "$CFG" >>"$DIR/hedger.log" 2>&1 & hedger=$!; pids="$pids $hedger"
sleep 5
kill -0 "$hedger" 2>/dev/null || fail "restarted hb-hedger exited"
wait_inside 30 || fail "after the restart pos.BTC net_usd $(net_usd) not within $BAND"
check_orders
grep -q "intents" "$DIR/hedger.log" || fail "the restarted hedger did not replay its journal"
kill -TERM "$hedger"; wait "$hedger"; rc=$?
pids=$(echo "$pids" | sed "s/ $hedger\$//")
[ "$rc" = 0 ] || fail "hb-hedger exit status $rc on SIGTERM"
echo "ok: hedged on beta, no duplicate order after kill -9 and restart"
exit 0
