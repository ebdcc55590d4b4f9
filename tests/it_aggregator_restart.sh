#!/bin/sh
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
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
for b in hb-feed hb-tap hb-aggregator hb-aggsnap; do
    [ -x "$BIN/$b" ] || { echo "skip: $BIN/$b not built"; exit 77; }
done
[ -f "$HB_PLUGIN_PATH/hb_venue_sim.so" ] || { echo "skip: no sim plugin"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }

KILLS=${KILLS:-22}
DIR=$(mktemp -d /tmp/hb-it-agg.XXXXXX) || exit 1
pids=""
agg=""
cleanup() {
    [ -n "$agg" ] && kill -9 "$agg" 2>/dev/null
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    for p in $pids $agg; do wait "$p" 2>/dev/null; done
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
    echo "FAIL: $*"
    for f in "$DIR"/*.log; do echo "--- $f"; tail -15 "$f"; done
    exit 1
}

CFG=$DIR/it.yaml
cat >"$CFG" <<CONFIG
hedgebus: 1
deployment: it-aggregator
run_dir: $DIR/run
log_level: warn
assets:
  BTC: { price: 65000, vol: 0.55 }
  ETH: { price: 3400, vol: 0.70 }
market: { seed: 5 }
venues:
  alpha:
    plugin: sim
    collateral: { USD: 100000, BTC: 1 }
    positions:
      - { symbol: ETH-PERP, qty: -10, entry: 3300 }
    sim: { seed: 1, publish_ms: 50 }
    instruments:
      - { symbol: BTC-USD,  asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }
      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }
      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, tick: 0.01, lot: 0.01 }
  gamma:
    plugin: sim
    collateral: { BTC: 2 }
    sim: { seed: 3, publish_ms: 50 }
    instruments:
      - { symbol: BTC-INV, asset: BTC, kind: inverse_perp, multiplier: 100, tick: 0.5, lot: 1 }
components:
  aggregator: { fsync: always, snapshot_ms: 100 }
  console: { endpoint: ipc://$DIR/run/console.pub, orders: true }
CONFIG

cat >"$DIR/check.py" <<'CHECK'
# Recomputes positions from the recorded fills and compares them with the
# aggregator's snapshot; prints the number of distinct fills, or exits 1
# naming every position that differs.
import json, sys
want = {("alpha", "ETH-PERP"): -10.0}
seen, counts = set (), {}
for line in open (sys.argv [1]):
    line = line.strip ()
    if not line.startswith ("{"):
        continue
    f = json.loads (line).get ("fill")
    if not f or (f ["venue"], f ["fill_id"]) in seen:
        continue                    # a fill id counts once
    seen.add ((f ["venue"], f ["fill_id"]))
    pos = (f ["venue"], f ["symbol"])
    want [pos] = want.get (pos, 0.0) + (f ["qty"] if f ["side"] == "buy" else -f ["qty"])
    counts [pos] = counts.get (pos, 0) + 1
got, got_fills = {}, {}
for line in open (sys.argv [2]):
    p = json.loads (line).get ("position")
    if p:
        got [(p ["venue"], p ["symbol"])] = p ["qty"]
        got_fills [(p ["venue"], p ["symbol"])] = p ["fills"]
bad = []
for pos in sorted (set (want) | set (got)):
    w, g = want.get (pos, 0.0), got.get (pos, 0.0)
    if abs (w - g) > 1e-9 * max (1.0, abs (w)) or counts.get (pos, 0) != got_fills.get (pos, 0):
        bad.append ("%s/%s: recomputed qty %r from %d fills, aggregator %r from %d"
                    % (pos [0], pos [1], w, counts.get (pos, 0), g, got_fills.get (pos, 0)))
if bad:
    print ("; ".join (bad))
    sys.exit (1)
print (len (seen))
CHECK

"$BIN/hb-feed" --config "$CFG" --venue alpha >"$DIR/alpha.log" 2>&1 & pids="$pids $!"
"$BIN/hb-feed" --config "$CFG" --venue gamma >"$DIR/gamma.log" 2>&1 & pids="$pids $!"
"$BIN/hb-tap" --config "$CFG" --topic fill. >"$DIR/fills.jsonl" 2>"$DIR/tap.log" & pids="$pids $!"

start_agg() {
    "$BIN/hb-aggregator" --config "$CFG" >>"$DIR/aggregator.log" 2>&1 & agg=$!
    i=0
    until "$BIN/hb-aggsnap" --config "$CFG" --timeout-ms 500 >"$DIR/snap.jsonl" 2>/dev/null; do
        i=$((i + 1)); [ $i -lt 40 ] || fail "aggregator does not answer snapshots"
        kill -0 "$agg" 2>/dev/null || fail "aggregator exited"
    done
}

# Waits (up to 5 s) until the aggregator's snapshot agrees with the fills.
settle() {
    i=0
    while :; do
        if "$BIN/hb-aggsnap" --config "$CFG" --timeout-ms 1000 >"$DIR/snap.jsonl" 2>/dev/null; then
            n=$(python3 "$DIR/check.py" "$DIR/fills.jsonl" "$DIR/snap.jsonl") && return 0
        fi
        i=$((i + 1))
        [ $i -lt 50 ] || fail "after $1: $n"
        sleep 0.1
    done
}

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
    kill -9 "$agg"; wait "$agg" 2>/dev/null; agg=""
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
n=$(python3 "$DIR/check.py" "$DIR/fills.jsonl" "$DIR/snap.jsonl") || fail "final check: $n"
[ "$n" -ge "$orders" ] || fail "only $n fills for $orders orders"
# a clean stop: SIGTERM, exit 0 (under ASan: no leak either)
kill -TERM "$agg"; wait "$agg"; rc=$?; agg=""
[ $rc = 0 ] || fail "aggregator exit $rc on SIGTERM"
echo "ok: $KILLS kill -9 restarts, $orders orders, $n fills, positions match after every restart"
exit 0
