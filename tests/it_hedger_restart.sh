#!/bin/sh
# hb-test: serial (a kill storm: timing-sensitive under a second test's load)
# hb-hedger killed at injected points, restarted, never hedges twice and
# loses no hedge. Two sim venues (alpha, beta), hb-aggregator, hb-risk
# (BTC band 20,000 USD) and hb-hedger started with HB_HEDGER_CRASH set to
# after_journal, after_send, then after_ack, $CYCLES times each (default
# 20): every start dies (SIGKILL) at its first such point and is restarted.
# When the book is inside the band, the console buys 0.5 BTC spot on
# alpha (about 32,000 USD) so there is always something to hedge. Then a
# hedger without crash brings the book back. Checks, from hb-tap and the
# hedger's journal:
#   - every start died by the injected SIGKILL, CYCLES per point;
#   - no client order id appears twice among the order.* on the bus;
#   - every order on the bus was journaled first, and every journaled
#     intent has an outcome (a final ack, or given up after
#     order_timeout_ms): none is lost or left counting in flight;
#   - pos.BTC net_usd ends inside the band.
# Exit 77 when a binary, the sim plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-risk hb-hedger hb_venue_sim.so jq

CYCLES=${CYCLES:-20}
BAND=20000
it_tmpdir hrestart
mkdir -p "$DIR/run"
CFG=$DIR/it.yaml
{
    it_yaml_head it-hedger-restart
    it_yaml_market 13
    it_alpha_usd=5000000 it_yaml_hedge_venues     # 60 cycles may buy 0.5 BTC spot each
    echo "components:"
    it_yaml_aggregator
    it_yaml_console
    it_yaml_risk "$BAND" 10
    it_yaml_hedger 20 "order_timeout_ms: 200"
} >"$CFG"

it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha
it_bg beta "$BIN/hb-feed" --config "$CFG" --venue beta
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
"$BIN/hb-tap" --config "$CFG" --topic order. --topic ack. --topic hedger. --topic pos.BTC \
    --timeout-ms 300000 >"$DIR/bus.jsonl" 2>"$DIR/tap.log" & pids="$pids $!"
it_bg risk "$BIN/hb-risk" --config "$CFG"

net_usd() { it_net_usd "$DIR/bus.jsonl"; }
inside() {      # within the band, or not known yet
    n=$(net_usd)
    [ -z "$n" ] || it_within "$n" "$BAND"
}
# Each hb-tap --send-order binds the console's endpoint anew; an order of
# one that the feed never heard is tried again (more exposure is harmless).
buys=0
buy() {
    for try in 1 2 3; do
        buys=$((buys + 1))
        "$BIN/hb-tap" --config "$CFG" --send-order alpha BTC-USD buy 0.5 \
            --client-id "it-$$-$buys" --timeout-ms 3000 >>"$DIR/console.log" 2>&1 && return 0
    done
    fail "console orders not filled 3 times"
}


for point in after_journal after_send after_ack; do
    i=1
    while [ $i -le "$CYCLES" ]; do it_crash_cycle "$point cycle $i" $point 1; i=$((i + 1)); done
    n=$(grep -c "injected crash $point" "$DIR/hedger.log")
    [ "$n" = "$CYCLES" ] || fail "$n injected crashes at $point, expected $CYCLES"
    echo "$point: $CYCLES crashes and restarts"
done

# a hedger without crash: back inside the band, nothing left in flight
known_inside() { it_within "$(net_usd)" "$BAND"; }
it_hedger_finish known_inside "pos.BTC net_usd within $BAND"
inside || fail "pos.BTC net_usd $(net_usd) left the band"

grep '"topic":"order\.' "$DIR/bus.jsonl" | jq -r '.order.client_id' | grep -v "^it-$$-" \
    >"$DIR/orders.txt"
[ -s "$DIR/orders.txt" ] || fail "no hedger order on the bus"
d=$(sort "$DIR/orders.txt" | uniq -d)
[ -z "$d" ] || fail "client order ids sent twice: $d"
it_journal_settled || true     # the ids, judged below
n=$(grep -a -o -E "I [A-Za-z0-9:._-]+-[0-9]+\.[0-9]+ " "$DIR/run/hedger.journal" | wc -l)
[ "$n" = "$(wc -l <"$DIR/intents.txt")" ] || fail "an intent journaled twice"
d=$(sort "$DIR/orders.txt" | comm -23 - "$DIR/intents.txt")
[ -z "$d" ] || fail "orders on the bus never journaled: $d"
d=$(comm -23 "$DIR/intents.txt" "$DIR/outcomes.txt")
[ -z "$d" ] || fail "journaled intents without an outcome (lost, or still in flight): $d"
echo "ok: $(wc -l <"$DIR/intents.txt") intents, $(wc -l <"$DIR/orders.txt") orders on the bus," \
     "none twice, all with an outcome; $buys console buys; net_usd $(net_usd) within $BAND"
exit 0
