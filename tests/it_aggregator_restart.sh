#!/bin/sh
# hb-test: serial (a kill storm: timing-sensitive under a second test's load)
# hb-aggregator survives kill -9: two sim venues (alpha: spot + linear perps
# and a starting position; gamma: an inverse perp) fill a stream of market
# orders sent with hb-tap --send-order while hb-tap records every fill on the
# bus. The aggregator is killed with -9 at least 20 times at a random moment
# (0 to 300 ms into a burst of orders being sent and filled: in the middle
# of taking a fill, of journaling it, of publishing, of the snapshot timer,
# of a fill replay), more orders are sent and filled while it is dead, and
# it is restarted; after every restart its snapshot (hb-aggsnap) must hold,
# per position, the quantity and the fill count that this script recomputes
# on its own from the recorded fills plus the configured starting position:
# zero fills lost (those it never saw come from the feeds' fill replay,
# docs/PROTOCOL.md, Fill replay), zero counted twice.
# Skips (77) when the binaries or the sim plugin are not built.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-aggsnap hb_venue_sim.so python3

KILLS=${KILLS:-22}
START=alpha/ETH-PERP=-10        # the starting position below
it_tmpdir agg
CFG=$DIR/it.yaml
{
    it_yaml_head it-aggregator warn
    cat <<CONFIG
assets:
  BTC: { price: 65000, vol: 0.55 }
  ETH: { price: 3400, vol: 0.70 }
market: { seed: 5 }
venues:
CONFIG
    it_yaml_sim_venue alpha "collateral: { USD: 100000, BTC: 1 }" \
        "positions:" "  - { symbol: ETH-PERP, qty: -10, entry: 3300 }" "sim: { seed: 1, publish_ms: 50 }"
    it_yaml_instruments BTC-USD BTC-PERP ETH-PERP
    it_yaml_sim_venue gamma "collateral: { BTC: 2 }" "sim: { seed: 3, publish_ms: 50 }"
    it_yaml_instruments BTC-INV
    echo "components:"
    echo "  aggregator: { fsync: always, snapshot_ms: 100 }"
    it_yaml_console
} >"$CFG"

it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha
it_bg gamma "$BIN/hb-feed" --config "$CFG" --venue gamma
"$BIN/hb-tap" --config "$CFG" --topic fill. >"$DIR/fills.jsonl" 2>"$DIR/tap.log" & pids="$pids $!"

start_agg() {
    it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"; agg=$it_pid
    wait_for 4 answers || fail "aggregator does not answer snapshots"
}
answers() {     # a snapshot from the aggregator, while it runs
    "$BIN/hb-aggsnap" --config "$CFG" --timeout-ms 500 >"$DIR/snap.jsonl" 2>/dev/null && return 0
    kill -0 "$agg" 2>/dev/null || fail "aggregator exited"
    return 1
}

# Waits (up to 5 s) until the aggregator's snapshot agrees with the fills
# (tests/fillcheck.py recomputes the positions; its verdict is in n).
agrees() {
    "$BIN/hb-aggsnap" --config "$CFG" --timeout-ms 1000 >"$DIR/snap.jsonl" 2>/dev/null &&
        n=$("$PY" "$TOP/tests/fillcheck.py" "$DIR/fills.jsonl" "$DIR/snap.jsonl" $START)
}
settle() { wait_for 5 agrees || fail "after $1: $n"; }

random() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }

# Sends order number $1 (one at a time: each hb-tap binds the console's
# endpoint) and waits until it is filled; exit 1 when it is not.
send_order() {
    r=$(random)
    case $((r % 4)) in
        0) v=alpha; s=BTC-PERP; q=0.0$((r % 9 + 1)) ;;
        1) v=alpha; s=ETH-PERP; q=0.$((r % 9 + 1)) ;;
        2) v=alpha; s=BTC-USD;  q=0.00$((r % 9 + 1)) ;;
        *) v=gamma; s=BTC-INV;  q=$((r % 50 + 1)) ;;
    esac
    side=buy; [ $((r / 4 % 2)) = 1 ] && side=sell
    "$BIN/hb-tap" --config "$CFG" --send-order $v $s $side $q --client-id "it-$$-$1" \
        --timeout-ms 5000 >>"$DIR/orders.log" 2>&1
}

sleep 1
start_agg
orders=0
k=0
while [ $k -lt "$KILLS" ]; do
    # a burst of orders being filled, and the kill somewhere inside it
    burst=$(( $(random) % 3 + 1 ))
    ( n=$orders; for j in $(seq $burst); do send_order $((n + j)) || exit 1; done ) &
    sender=$!
    orders=$((orders + burst))
    ms=$(( $(random) % 300 ))
    sleep "$((ms / 1000)).$((ms / 100 % 10))$((ms / 10 % 10))$((ms % 10))"
    kill -9 "$agg"; wait "$agg" 2>/dev/null; it_forget "$agg"
    wait $sender || fail "an order of the burst before kill $((k + 1)) was not filled"
    # and more while it is dead
    dead=$(( $(random) % 2 + 1 ))
    for j in $(seq $dead); do
        orders=$((orders + 1))
        send_order $orders || fail "order $orders (aggregator down) not filled"
    done
    k=$((k + 1))
    start_agg
    settle "restart $k"
done
n=$("$PY" "$TOP/tests/fillcheck.py" "$DIR/fills.jsonl" "$DIR/snap.jsonl" $START) || fail "final check: $n"
[ "$n" -ge "$orders" ] || fail "only $n fills for $orders orders"
# a clean stop: SIGTERM, exit 0 (under ASan: no leak either)
it_stop "$agg" || fail "aggregator exit $? on SIGTERM"
echo "ok: $KILLS kill -9 restarts, $orders orders, $n fills, positions match after every restart"
exit 0
