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
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-risk hb-hedger hb_venue_sim.so jq

NAME=hedger BAND=20000
. "$TOP/tests/lib/hedger_pipeline.sh"     # DIR, CFG, BUS, pipeline_start, inside

# the tap first: it sees every order
"$BIN/hb-tap" --config "$CFG" --topic order. --topic fill. --topic ack. --topic hedger. \
    --topic pos.BTC --timeout-ms 120000 >"$BUS" 2>"$DIR/tap.log" & pids="$pids $!"
pipeline_start

hedged() {      # inside the band, while hb-hedger runs
    inside && return 0
    kill -0 "$hedger" 2>/dev/null || fail "hb-hedger exited"
    return 1
}
wait_for ${WAIT_S:-60} hedged || fail "pos.BTC net_usd $(net_usd) not within $BAND after 60 s"
echo "inside the band: net_usd $(net_usd)"

check_orders() {
    grep '"topic":"order\.' "$BUS" | jq -r '.order.client_id' >"$DIR/orders.txt"
    [ -s "$DIR/orders.txt" ] || fail "no order on the bus"
    d=$(sort "$DIR/orders.txt" | uniq -d)
    [ -z "$d" ] || fail "client order ids sent twice: $d"
    grep '"topic":"fill\.' "$BUS" | jq -r '.fill.venue + " " + .fill.fill_id' >"$DIR/fills.txt"
    [ -s "$DIR/fills.txt" ] || fail "no fill"
    d=$(sort "$DIR/fills.txt" | uniq -d)
    [ -z "$d" ] || fail "fill ids repeat: $d"
    grep -v '^beta ' "$DIR/fills.txt" && fail "fills not on beta, the cheaper venue"
    return 0
}
check_orders
echo "orders $(wc -l <"$DIR/orders.txt"), fills $(wc -l <"$DIR/fills.txt"), all on beta"

# kill -9 and restart: the journal is replayed, nothing is sent again
kill -9 "$hedger"; wait "$hedger" 2>/dev/null; it_forget "$hedger"
it_bg hedger "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid
sleep 5
kill -0 "$hedger" 2>/dev/null || fail "restarted hb-hedger exited"
wait_for 30 hedged || fail "after the restart pos.BTC net_usd $(net_usd) not within $BAND"
check_orders
grep -q "intents" "$DIR/hedger.log" || fail "the restarted hedger did not replay its journal"
it_stop "$hedger" || fail "hb-hedger exit status $? on SIGTERM"
echo "ok: hedged on beta, no duplicate order after kill -9 and restart"
exit 0
