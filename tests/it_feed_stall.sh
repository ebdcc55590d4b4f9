#!/bin/sh
# A feed stalled with a hedge order queued (issue 14), under hb-run: the
# pipeline of tests/lib/hedger_pipeline.sh (long 10 BTC spot on alpha,
# hedged on beta, the cheaper venue) is hedged inside its band first. Then
# beta's feed is stopped (SIGSTOP) and a console buy of 2 BTC spot on
# alpha makes a new need: its hedge goes to beta (its book stays usable for
# routing quote_stale_ms, 6 s here) and waits, unread, in the stopped feed.
# The hedger times it out (order_timeout_ms 5 s) and puts it in doubt:
#   - while beta stays stopped, no second order covering the same need
#     goes out (the old hedger gave it up as filled for 500 ms, then hedged
#     again elsewhere); hedger.reject says order_in_doubt and the hedger's
#     heartbeat has status bit 4;
#   - after SIGCONT the feed refuses the queued order as expired (an ack
#     with reason expired on the bus), the hedger hedges what is left and
#     the book ends inside its band;
#   - the hedge is never done twice: what the hedger's orders after the
#     stop filled is at most the need plus one lot (0.001 BTC).
# Exit 77 when a binary or the sim plugin is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-run hb-feed hb-tap hb-aggregator hb-risk hb-hedger hb_venue_sim.so jq

NAME=feed-stall BAND=20000
. "$TOP/tests/lib/hedger_pipeline.sh"       # DIR, CFG, BUS, net_usd, inside
it_yaml_console >>"$CFG"
sed -i 's/quote_stale_ms: 1000/quote_stale_ms: 6000/' "$CFG"
grep -q "quote_stale_ms: 6000" "$CFG" || fail "cannot set quote_stale_ms in $CFG"
LOT=0.001

"$BIN/hb-tap" --config "$CFG" --topic order. --topic ack. --topic fill. --topic hedger. \
    --topic pos.BTC --topic hb.hedger --timeout-ms 300000 >"$BUS" 2>"$DIR/tap.log" &
pids="$pids $!"
it_bg run "$BIN/hb-run" --config "$CFG"

# what the hedger did and said, for a failure's message
diag() {
    echo; grep 'hedger |' "$DIR/run.log" | grep -v 'hedge request' | tail -15
    grep '"topic":"hedger.reject"' "$BUS" | jq -r '.hedge_reject.reason + ": " + .hedge_reject.detail' | sort | uniq -c | tail -8
}
hedger_orders() { grep '"topic":"order\.' "$BUS" | grep -c '"publisher":"hedger"'; }
hedged() { inside && [ "$(hedger_orders)" -gt 0 ]; }
quiet() { q=$(hedger_orders); sleep 3; [ "$(hedger_orders)" = "$q" ] && inside; }
wait_for 120 hedged || fail "not hedged inside $BAND: net_usd $(net_usd)"
wait_for 60 quiet || fail "the hedger did not settle: net_usd $(net_usd)"
echo "ok   hedged inside the band: net_usd $(net_usd)"

# beta's feed, as hb-run started it
"$BIN/hb-run" --config "$CFG" status >"$DIR/status.txt" 2>&1 || fail "hb-run status: $(cat "$DIR/status.txt")"
beta=$(awk '$1 ~ /beta$/ && $2 == "running" { print $3 }' "$DIR/status.txt")
[ -n "$beta" ] && kill -0 "$beta" 2>/dev/null || fail "no running beta feed: $(cat "$DIR/status.txt")"
it_at_exit "kill -CONT $beta 2>/dev/null"

# the need: 2 BTC more, bought on alpha while beta is stopped
from=$(($(wc -l <"$BUS") + 1))
price=$(grep '"topic":"pos.BTC"' "$BUS" | tail -1 | jq -r '.exposure.price')
need=$(jq -n --argjson n "$(net_usd)" --argjson p "$price" '$n / $p + 2')
kill -STOP "$beta"
stopped=$(date +%s)
"$BIN/hb-tap" --config "$CFG" --send-order alpha BTC-USD buy 2 --client-id "stall-$$" \
    --timeout-ms 10000 >"$DIR/order.out" 2>&1 || fail "console order: $(cat "$DIR/order.out")"
since() { tail -n "+$from" "$BUS"; }
new_orders() { since | grep '"topic":"order\.' | grep '"publisher":"hedger"'; }
first_order() { [ -n "$(new_orders | head -1)" ]; }
wait_for 30 first_order || fail "no hedge order for the new need within 30 s: net_usd $(net_usd)$(diag)"
cid=$(new_orders | head -1 | jq -r '.order.client_id')
venue=$(new_orders | head -1 | jq -r '.order.venue')
[ "$venue" = beta ] || fail "the hedge $cid went to $venue, not to the stopped beta: nothing to test$(diag)"
echo "ok   hedge order $cid sent to beta, whose feed is stopped"

# in doubt once order_timeout_ms has passed (the old hedger said
# order_timeout and gave it up)
given_up() { since | grep '"topic":"hedger.reject"' | grep -q "$cid"; }
wait_for 30 given_up || fail "no hedger.reject about $cid within 30 s of its send"
# beta stays stopped 8 s more: nothing covers the same need meanwhile
doubt_hb=0
until [ $(($(date +%s) - stopped)) -ge 20 ] && [ "$doubt_hb" = 1 ] || [ $(($(date +%s) - stopped)) -ge 40 ]; do
    n=$(new_orders | wc -l)
    [ "$n" -le 1 ] || fail "a second hedge order while $cid is in doubt (beta stopped): $(new_orders | tail -1 | jq -c '.order')$(diag)"
    since | grep '"topic":"hb.hedger"' | tail -1 | jq -e '.heartbeat.status | . % 8 >= 4' >/dev/null 2>&1 &&
        doubt_hb=1
    sleep 1
done
since | grep '"topic":"hedger.reject"' | grep "$cid" | grep -q '"reason":"order_in_doubt"' ||
    fail "hedger.reject about $cid does not say order_in_doubt: $(since | grep "$cid" | grep reject | head -1)"
[ "$doubt_hb" = 1 ] || fail "the hedger's heartbeat never showed the order in doubt (status bit 4)"
echo "ok   $cid in doubt ($(($(date +%s) - stopped)) s stopped): no second order, order_in_doubt, heartbeat status bit 4"

kill -CONT "$beta"
expired() { since | grep '"topic":"ack\.' | grep "\"$cid\"" | grep -q '"reason":"expired"'; }
wait_for 30 expired || fail "beta did not refuse $cid as expired after SIGCONT: $(since | grep "\"$cid\"" | grep '"topic":"ack' | head -3)"
# until that answer, one order only
at=$(since | grep -n '"topic":"ack\.' | grep "\"$cid\"" | grep '"reason":"expired"' | head -1 | cut -d: -f1)
n=$(since | head -n "$at" | grep '"topic":"order\.' | grep -c '"publisher":"hedger"')
[ "$n" = 1 ] || fail "$n hedge orders before $cid was known to be expired"
echo "ok   after SIGCONT beta refused $cid as expired"

wait_for 90 quiet || fail "not hedged back inside $BAND after beta resumed: net_usd $(net_usd)$(diag)"
# what the hedger's orders since the stop filled: the largest cumulative
# filled_qty of each one's acks, all sells
since | grep '"topic":"ack\.' | jq -r '.ack.client_id + " " + (.ack.filled_qty | tostring)' >"$DIR/acks.txt"
new_orders | jq -r '.order.client_id + " " + (.order.qty | tostring) + " " + (.order.side | tostring)' >"$DIR/hedges.txt"
grep -q ' buy$' "$DIR/hedges.txt" && fail "a hedge bought back: $(cat "$DIR/hedges.txt")"
filled=$(awk 'NR == FNR { f[$1] = $2 > f[$1] ? $2 : f[$1]; next } { s += f[$1] } END { printf "%.9f", s }' \
    "$DIR/acks.txt" "$DIR/hedges.txt")
jq -n --argjson f "$filled" --argjson n "$need" --argjson l "$LOT" '$f <= $n + $l + 1e-9' | grep -q true ||
    fail "hedged $filled BTC for a need of $need (+ one lot): done twice; orders: $(cat "$DIR/hedges.txt")$(diag)"
grep -q "^$cid 0$" "$DIR/acks.txt" || fail "$cid filled: $(grep "^$cid " "$DIR/acks.txt")"
echo "ok   need $need BTC, hedged $filled BTC in $(wc -l <"$DIR/hedges.txt") orders, $cid filled nothing; net_usd $(net_usd)"
exit 0
