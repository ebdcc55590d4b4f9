#!/bin/sh
# Kill each component with -9 while the pipeline runs (issue 6).
# hb-run supervises two sim venues (alpha with a starting book long 10 BTC
# spot, beta with a short ETH perp), hb-aggregator, hb-risk (100 ms samples,
# 10 of them before a request; BTC band 20,000 USD) and hb-hedger, while
# hb-tap records every fill.*, order.* and hb.* message. In turn, each of
# feed.alpha, feed.beta, aggregator, risk and hedger is killed with -9:
#   - before the kill, a console order moves BTC out of its band and the
#     script waits until the hedge is done and the aggregator's snapshot
#     agrees with the fills (so the kill hits a live, quiet pipeline);
#   - hb-run must restart it: a new pid, its reason logged, a restart event
#     in the tap for its publisher and a heartbeat hb.<name> of the new
#     epoch;
#   - then another console order (and its hedge) must go through and the
#     snapshot must agree again.
# At the end: every component is running, hb-run has given none up (exit 0
# on SIGTERM, nothing left behind), no client order id appears twice in
# order.* (no order sent twice), and per position the aggregator's
# snapshot holds the fill count and the quantity recomputed by
# tests/fillcheck.py from every fill seen on the bus plus the starting
# book (no fill lost, none counted twice).
# Skips (77) when a binary, the sim plugin, jq or python3 is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-run hb-feed hb-tap hb-aggregator hb-aggsnap hb-risk hb-hedger hb_venue_sim.so \
    jq pgrep python3

BAND=20000
START="alpha/BTC-USD=10 beta/ETH-PERP=-10"      # the starting book below
IT_TAIL=25
it_tmpdir kill
CFG=$DIR/it.yaml
BUS=$DIR/bus.jsonl
# what hb-run started, should it have been killed before its components
it_at_exit 'pkill -9 -f -- "--config $CFG" 2>/dev/null'

mkdir -p "$DIR/run"
{
    it_yaml_head it-kill-each warn
    it_yaml_market 11
    it_yaml_hedge_venues "{ symbol: BTC-USD, qty: 10, entry: 64000 }" \
                         "{ symbol: ETH-PERP, qty: -10, entry: 3300 }"
    echo "components:"
    it_yaml_aggregator
    it_yaml_risk "$BAND" 10
    it_yaml_hedger 5
    it_yaml_console
} >"$CFG"

# pid_of NAME: the pid(s) of the component hb-run calls NAME
pid_of() {
    case $1 in
        feed.*) pgrep -f -- "/hb-feed --config $CFG --venue ${1#feed.}\$" ;;
        *)      pgrep -f -- "/hb-$1 --config $CFG\$" ;;
    esac
}
COMPONENTS="feed.alpha feed.beta aggregator risk hedger"
all_up() {
    for c in $COMPONENTS; do
        [ "$(pid_of "$c" | wc -l)" = 1 ] || return 1
        grep -q "\"topic\":\"hb\\.$c\"" "$BUS" || return 1
    done
}

# Orders are recorded by their full topics, not "order.": hb-tap
# --send-order waits for a subscription that would receive "order.<venue>.",
# and a recorder's "order." would pass for the feed's own, so the order
# could go out before the feed has reconnected to the new console.
ORDERS=""
for t in alpha.BTC-USD alpha.BTC-PERP alpha.ETH-USD beta.BTC-PERP beta.ETH-PERP; do
    ORDERS="$ORDERS --topic order.$t"
done
"$BIN/hb-tap" --config "$CFG" --topic fill. $ORDERS --topic hb. \
    --timeout-ms 170000 >"$BUS" 2>"$DIR/tap.log" & tap=$!; pids="$pids $tap"
it_bg run "$BIN/hb-run" --config "$CFG" --log-level info; run=$it_pid
wait_for 30 all_up || fail "not every component up with a heartbeat: $(for c in $COMPONENTS; do
    printf '%s=%s ' "$c" "$(pid_of "$c" | tr '\n' ,)"; done)"

btc_net_usd() { jq -r 'select(.exposure.asset == "BTC") | .exposure.net_usd' "$DIR/snap.jsonl" | tail -1; }
inside() { it_within "$(btc_net_usd)" "$BAND"; }

# settle WHEN: waits (up to 30 s) until BTC is inside its band, the snapshot
# agrees with the fills on the bus, and no fill came for half a second.
settle() {
    i=0; last=""
    while :; do
        if "$BIN/hb-aggsnap" --config "$CFG" --timeout-ms 1000 >"$DIR/snap.jsonl" 2>/dev/null &&
           n=$($PY "$TOP/tests/fillcheck.py" "$BUS" "$DIR/snap.jsonl" $START) && inside; then
            [ "$n" = "$last" ] && return 0
            last=$n
        else
            last=""
        fi
        i=$((i + 1))
        [ $i -lt 60 ] || fail "$1: not settled: ${n:-no snapshot}; BTC net_usd $(btc_net_usd)"
        sleep 0.5
    done
}

# send_order: one console order (they go one at a time: each hb-tap binds
# the console's endpoint), alternately buying and selling 0.5 BTC-PERP on
# alpha (about 33,000 USD: out of the band, so hb-hedger trades too) and a
# little ETH-PERP on beta. Waits for its final ack.
orders=0
send_order() {
    orders=$((orders + 1))
    case $((orders % 4)) in
        1) set -- alpha BTC-PERP buy 0.5 ;;
        2) set -- beta ETH-PERP sell 0.3 ;;
        3) set -- alpha BTC-PERP sell 0.5 ;;
        *) set -- beta ETH-PERP buy 0.3 ;;
    esac
    "$BIN/hb-tap" --config "$CFG" --send-order "$@" --client-id "it-kill-$orders" --from console \
        --timeout-ms 10000 >>"$DIR/orders.log" 2>&1 || fail "console order $orders ($*) not filled"
}

settle "start"
echo "ok   all up; starting book hedged: BTC net_usd $(btc_net_usd)"

for c in $COMPONENTS; do
    send_order; send_order
    settle "before killing $c"
    old=$(pid_of "$c")
    mark=$(($(wc -l <"$BUS") + 1))
    kill -9 "$old"
    # the tap names the publisher's new epoch; a heartbeat of that epoch
    epoch() {
        tail -n +"$mark" "$BUS" | grep "\"event\":\"restart\"" | grep "\"publisher\":\"$c\"" |
            sed -n 's/.*"epoch":\([0-9]*\).*/\1/p' | tail -1
    }
    back() {
        new=$(pid_of "$c")
        e=$(epoch)
        [ -n "$new" ] && [ "$new" != "$old" ] && [ -n "$e" ] &&
            tail -n +"$mark" "$BUS" | grep "\"topic\":\"hb\\.$c\"" | grep -q "\"epoch\":$e,"
    }
    wait_for 30 back || fail "$c (pid $old) not back: pid '$(pid_of "$c")', epoch '$(epoch)'"
    grep -q "$c (pid $old) killed by signal 9 (KILL)" "$DIR/run.log" ||
        fail "hb-run did not log why $c (pid $old) exited"
    send_order; send_order
    settle "after restarting $c"
    echo "ok   $c: pid $old killed, restarted as $new (epoch $(epoch)), heartbeat back;" \
         "$n fills agree, BTC net_usd $(btc_net_usd)"
done

# every component still (or again) running, none given up
for c in $COMPONENTS; do
    [ "$(pid_of "$c" | wc -l)" = 1 ] || fail "$c not running at the end: '$(pid_of "$c")'"
done
kill -0 "$run" 2>/dev/null || fail "hb-run exited"

grep '"topic":"order\.' "$BUS" | jq -r '.order.client_id' >"$DIR/client_ids.txt"
total=$(wc -l <"$DIR/client_ids.txt")
# the hedger's ids start with the deployment name too (docs/RISK.md): count by publisher
hedges=$(grep '"topic":"order\.' "$BUS" | jq -r '.env.publisher' | grep -c '^hedger$')
[ "$hedges" -ge 5 ] || fail "only $hedges hedge orders on the bus"
d=$(sort "$DIR/client_ids.txt" | uniq -d)
[ -z "$d" ] || fail "client order ids sent twice: $d"
n=$($PY "$TOP/tests/fillcheck.py" "$BUS" "$DIR/snap.jsonl" $START) || fail "final check: $n"
[ "$n" -ge "$total" ] || fail "only $n fills for $total orders"

it_stop "$tap"
it_stop "$run" || fail "hb-run exit status $? on SIGTERM (a component given up?)"
none_left() { ! pgrep -f -- "--config $CFG" >/dev/null; }
wait_for 2 none_left || fail "processes left 2 s after SIGTERM: $(pgrep -f -- "--config $CFG" | tr '\n' ' ')"
echo "ok: each of $COMPONENTS killed with -9 and restarted; $orders console + $hedges hedge" \
     "orders, no client id twice, $n fills, every position agrees"
exit 0
