#!/bin/sh
# Prometheus metrics of a short deployment: one sim feed (alpha), the
# aggregator, risk and the hedger, each with a metrics: address on a
# loopback port (served by the service skeleton of every program).
#  1. each serves GET /metrics (text format 0.0.4) and 404 elsewhere;
#  2. a second scrape shows the tick counters moved as ticks flowed
#     (published by the feed, received by the aggregator);
#  3. an order sent with hb-tap --send-order moves the feed's orders and
#     fills counters, the aggregator's fills and its journal's appends and
#     fsync histogram;
#  4. promtool check metrics accepts every scrape, lint included: any
#     output from it is a failure;
#  5. a metrics: port already taken stops the process with a clear error.
# Skips (77) when the binaries, the sim plugin, curl or promtool are missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-aggregator hb-risk hb-hedger hb-tap hb_venue_sim.so curl promtool python3 jq

it_tmpdir metrics
CFG=$DIR/it.yaml
# two ports nobody listens on now
set -- $("$PY" -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')
FEED_PORT=$1 AGG_PORT=$2 RISK_PORT=$3 HEDGER_PORT=$4
{
    it_yaml_head it-metrics
    it_yaml_market 3
    echo "venues:"
    it_yaml_sim_venue alpha "collateral: { USD: 1000000 }" "metrics: 127.0.0.1:$FEED_PORT" \
        "sim: { seed: 1, publish_ms: 20, level_usd: 500000 }"
    it_yaml_instruments BTC-USD BTC-PERP ETH-USD
    echo "components:"
    echo "  aggregator: { endpoint: \"ipc://$DIR/run/aggregator.pub\", snapshot_ms: 200, metrics: \"127.0.0.1:$AGG_PORT\" }"
    it_yaml_risk 1000000 10
    echo "    metrics: 127.0.0.1:$RISK_PORT"
    it_yaml_hedger 5 "metrics: 127.0.0.1:$HEDGER_PORT"
    it_yaml_console
} >"$CFG"

mkdir -p "$DIR/run"      # the aggregator opens its journal before any bind makes it
it_bg feed "$BIN/hb-feed" --config "$CFG" --venue alpha; feed=$it_pid
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"; agg=$it_pid
it_bg risk "$BIN/hb-risk" --config "$CFG"; risk=$it_pid
it_bg hedger "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid

# scrape NAME PORT: the exposition into DIR/NAME.N.prom (N counts up)
scrape_n=0
scrape() {
    scrape_n=$((scrape_n + 1))
    out=$DIR/$1.$scrape_n.prom
    eval "last_$1=\$out"
    curl -sf --max-time 5 "http://127.0.0.1:$2/metrics" >"$out"
}
# value FILE SAMPLE: the value of SAMPLE (name{labels} as written), or 0
value() {
    awk -v s="$2" '$1 == s { v = $2 } END { print (v == "" ? 0 : v) }' "$1"
}
# moved NAME PORT SAMPLE MIN: a fresh scrape has SAMPLE >= MIN
moved() {
    scrape "$1" "$2" || return 1
    awk -v v="$(value "$out" "$3")" -v m="$4" 'BEGIN { exit !(v + 0 >= m + 0) }'
}
# lint FILE: promtool accepts it, and says nothing (lint warnings fail too)
lint() {
    promtool check metrics <"$1" >"$DIR/promtool.out" 2>&1 ||
        fail "promtool refuses $1: $(cat "$DIR/promtool.out")"
    [ ! -s "$DIR/promtool.out" ] || fail "promtool lint on $1: $(cat "$DIR/promtool.out")"
}

# 1. both serve; the counters the test reads are there from the start
wait_for 20 scrape feed "$FEED_PORT" || fail "feed does not serve /metrics on $FEED_PORT"
wait_for 20 scrape aggregator "$AGG_PORT" || fail "aggregator does not serve /metrics on $AGG_PORT"
head=$(curl -s --max-time 5 -D - -o /dev/null "http://127.0.0.1:$FEED_PORT/metrics")
echo "$head" | grep -qi '^content-type: text/plain; version=0.0.4' || fail "content type: $head"
code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$FEED_PORT/")
[ "$code" = 404 ] || fail "GET / answered $code, not 404"
code=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$AGG_PORT/metrics/x")
[ "$code" = 404 ] || fail "GET /metrics/x answered $code, not 404"
echo "ok   both serve /metrics (0.0.4), 404 elsewhere"
# risk and the hedger serve theirs too: ticks and positions reach them, the
# hedger's kill switch is there and clear
wait_for 20 moved risk "$RISK_PORT" 'hb_bus_messages_received_total{family="tick"}' 1 ||
    fail "risk does not serve /metrics on $RISK_PORT, or receives no tick"
wait_for 20 moved hedger "$HEDGER_PORT" 'hb_bus_messages_received_total{family="tick"}' 1 ||
    fail "the hedger does not serve /metrics on $HEDGER_PORT, or receives no tick"
grep -q '^hb_hedger_kill_switch 0$' "$last_hedger" || fail "no hb_hedger_kill_switch 0 in $last_hedger"
grep -q '^hb_decision_latency_seconds_count{component="risk"}' "$last_risk" ||
    fail "no decision latency histogram in risk's metrics"
echo "ok   risk and the hedger serve /metrics: ticks received, kill switch clear"

# 2. ticks flow: counters move between two scrapes
TICK_SENT='hb_bus_messages_sent_total{family="tick"}'
TICK_RECV='hb_bus_messages_received_total{family="tick"}'
wait_for 20 moved feed "$FEED_PORT" "$TICK_SENT" 1 || fail "the feed's $TICK_SENT stays 0"
wait_for 20 moved aggregator "$AGG_PORT" "$TICK_RECV" 1 || fail "the aggregator's $TICK_RECV stays 0"
feed1=$last_feed; agg1=$last_aggregator
sent1=$(value "$feed1" "$TICK_SENT"); recv1=$(value "$agg1" "$TICK_RECV")
wait_for 20 moved feed "$FEED_PORT" "$TICK_SENT" $((sent1 + 10)) || fail "$TICK_SENT does not move past $sent1"
feed2=$out
wait_for 20 moved aggregator "$AGG_PORT" "$TICK_RECV" $((recv1 + 10)) || fail "$TICK_RECV does not move past $recv1"
agg2=$out
echo "ok   ticks: sent $sent1 -> $(value "$feed2" "$TICK_SENT"), received $recv1 -> $(value "$agg2" "$TICK_RECV")"
[ "$(value "$feed2" 'hb_feed_last_tick_timestamp_seconds{venue="alpha"}')" != 0 ] ||
    fail "no hb_feed_last_tick_timestamp_seconds for alpha"

# 3. an order: orders and fills counted on both sides, the fill journaled
"$BIN/hb-tap" --config "$CFG" --send-order alpha BTC-USD buy 0.01 --client-id "it-$$-1" \
    --timeout-ms 15000 >"$DIR/order.out" 2>"$DIR/order.log" ||
    fail "--send-order exit $?: $(cat "$DIR/order.out")"
jq -se 'any(.[]; .fill)' "$DIR/order.out" >/dev/null 2>&1 || fail "no fill: $(cat "$DIR/order.out")"
wait_for 10 moved feed "$FEED_PORT" 'hb_feed_orders_total{venue="alpha"}' 1 || fail "hb_feed_orders_total stays 0"
wait_for 10 moved feed "$FEED_PORT" 'hb_feed_fills_total{venue="alpha"}' 1 || fail "hb_feed_fills_total stays 0"
wait_for 10 moved feed "$FEED_PORT" 'hb_journal_appends_total{journal="feed.alpha.fills"}' 1 ||
    fail "the feed's fill journal appends stay 0"
feed3=$out
wait_for 10 moved aggregator "$AGG_PORT" 'hb_aggregator_fills_total' 1 || fail "hb_aggregator_fills_total stays 0"
wait_for 10 moved aggregator "$AGG_PORT" 'hb_bus_messages_received_total{family="fill"}' 1 ||
    fail "the aggregator received no fill"
wait_for 10 moved aggregator "$AGG_PORT" 'hb_journal_fsync_seconds_count{journal="aggregator.journal"}' 1 ||
    fail "the aggregator's journal fsync histogram is empty"
agg3=$out
echo "ok   order: feed orders $(value "$feed3" 'hb_feed_orders_total{venue="alpha"}'), fills $(value "$feed3" 'hb_feed_fills_total{venue="alpha"}'); aggregator fills $(value "$agg3" hb_aggregator_fills_total), journal fsyncs $(value "$agg3" 'hb_journal_fsync_seconds_count{journal="aggregator.journal"}')"

# 4. promtool on every scrape
n=0
for f in "$DIR"/*.prom; do lint "$f"; n=$((n + 1)); done
echo "ok   promtool check metrics: $n scrapes, no error, no lint"

# 5. a taken port: the second feed of the same venue refuses to start
# (its journal is locked too, but the metrics port is checked first)
"$BIN/hb-feed" --config "$CFG" --venue alpha >"$DIR/second.out" 2>&1 &
second=$!
wait_for 10 sh -c "! kill -0 $second 2>/dev/null" || { kill "$second"; fail "a second feed on a taken port runs"; }
wait "$second" && fail "a second feed on a taken port exits 0"
grep -q "metrics: cannot listen on 127.0.0.1:$FEED_PORT" "$DIR/second.out" ||
    fail "no clear error for the taken port: $(cat "$DIR/second.out")"
echo "ok   a taken metrics port is refused: $(grep -o 'metrics: cannot listen.*' "$DIR/second.out" | head -1)"

it_stop "$hedger" || fail "hedger exit $? on SIGTERM"
it_stop "$risk" || fail "risk exit $? on SIGTERM"
it_stop "$feed" || fail "feed exit $? on SIGTERM"
it_stop "$agg" || fail "aggregator exit $? on SIGTERM"
echo "ok   SIGTERM: every process exits 0"
