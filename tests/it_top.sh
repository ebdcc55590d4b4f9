#!/bin/sh
# hb-top as a person sees it: a pipeline (two sim venues, aggregator, risk)
# started by hb-run, hb-top in a tmux pane; the captured screen must show
#  - every configured venue, each instrument row with a bid and an ask
#    (numbers) and the state "live";
#  - every configured asset with an index price (a number > 0), and the
#    aggregator's net positions (BTC long, SOL short, from positions:);
#  - the publishers (both feeds) with a heartbeat age, and each component's
#    health from its heartbeats (age, uptime, in/out, gaps, drops, queue,
#    latency p50/p99);
#  - the correlation matrix from hb-risk (a row per asset, unit diagonal);
#  - an order sent from the console (hb-tap --send-order) in the ORDERS
#    panel: who sent it, venue, symbol, side, qty, client id, status done
#    and the quantity filled at a price (the acks and fills of the venue);
# and q must quit it (exit 0).
# Skips (77) when tmux, hb-top, hb-run or the sim plugin is missing.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
for b in hb-top hb-run hb-feed; do
    [ -x "$BIN/$b" ] || { echo "skip: $BIN/$b not built"; exit 77; }
done
[ -f "$HB_PLUGIN_PATH/hb_venue_sim.so" ] || { echo "skip: no sim plugin in $HB_PLUGIN_PATH"; exit 77; }
command -v tmux >/dev/null || { echo "skip: tmux not installed"; exit 77; }

DIR=$(mktemp -d /tmp/hb-it-top.XXXXXX) || exit 1
CFG=$DIR/it.yaml
SESSION=hb-it-top-$$
export TMUX_TMPDIR=$DIR         # a tmux server of our own, gone with the directory
pids=""
cleanup() {
    tmux kill-server 2>/dev/null
    for p in $pids; do kill -TERM "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    pkill -9 -f -- "--config $CFG" 2>/dev/null
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
    echo "FAIL: $*"
    echo "--- screen"; cat "$DIR/screen" 2>/dev/null
    echo "--- hb-run"; tail -20 "$DIR/run.log"
    exit 1
}

cat >"$CFG" <<EOF
hedgebus: 1
deployment: it-top
run_dir: $DIR/run
log_level: info
assets:
  BTC: { price: 65000, vol: 0.55 }
  ETH: { price: 3400,  vol: 0.70 }
  SOL: { price: 150,   vol: 0.90 }
market:
  seed: 5
  correlation: [[1.0, 0.8, 0.7], [0.8, 1.0, 0.75], [0.7, 0.75, 1.0]]
venues:
  north:
    plugin: sim
    collateral: { USD: 1000000 }
    sim: { seed: 1, publish_ms: 100 }
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }
      - { symbol: ETH-USD, asset: ETH, kind: spot, tick: 0.01, lot: 0.001 }
    positions:
      - { symbol: BTC-USD, qty: 2, entry: 64000 }
  south:
    plugin: sim
    collateral: { USD: 1000000 }
    sim: { seed: 2, publish_ms: 100, basis_bps: 2 }
    instruments:
      - { symbol: SOL-PERP, asset: SOL, kind: linear_perp, tick: 0.001, lot: 0.1 }
      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, tick: 0.01, lot: 0.01 }
    positions:
      - { symbol: SOL-PERP, qty: -100, entry: 150 }
components:
  aggregator: { endpoint: ipc://$DIR/run/aggregator.pub, journal: $DIR/run/agg.journal }
  risk:       { endpoint: ipc://$DIR/run/risk.pub }
  console:    { endpoint: ipc://$DIR/run/console.pub, orders: true }
EOF

"$BIN/hb-run" --config "$CFG" >"$DIR/run.log" 2>&1 &
pids="$!"
tmux new-session -d -s "$SESSION" -x 160 -y 60 \
    "$BIN/hb-top --config $CFG --interval-ms 200; echo hb-top-exit \$?; sleep 30" ||
    fail "tmux new-session"

# ok_screen: every venue row live with numbers, every asset with an index
ok_screen() {
    tmux capture-pane -p -t "$SESSION" >"$DIR/screen" 2>/dev/null || return 1
    for v in north:BTC-USD north:ETH-USD south:SOL-PERP south:ETH-PERP; do
        grep -Eq "^${v%%:*} +${v#*:} +[a-z_]+ +[0-9.]+ +[0-9.]+ .* live" "$DIR/screen" || return 1
    done
    for a in BTC ETH SOL; do
        grep -Eq "^$a +[1-9][0-9.]* " "$DIR/screen" || return 1
    done
    # the aggregator's positions: BTC long 2 on north, SOL short 100 on south
    grep -Eq "^BTC +[0-9.]+ +[1-9][0-9.]* .* ok *$" "$DIR/screen" || return 1
    grep -Eq "^SOL +[0-9.]+ +-[1-9][0-9.]* .* ok *$" "$DIR/screen" || return 1
    grep -Eq "^feed.north +[0-9]+ .*ms" "$DIR/screen" && grep -Eq "^feed.south +[0-9]+ .*ms" "$DIR/screen" || return 1
    # health from heartbeats: age, uptime, in, out, gaps, drops, queue, latencies
    for c in feed.north feed.south aggregator risk; do
        grep -Eq "^$c +[0-9]+ms +[0-9]+s +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+us +[0-9.]+us +ok" \
            "$DIR/screen" || return 1
    done
    # the correlation matrix from risk: a row per asset, unit diagonal
    grep -Eq "^BTC +1\.00 +-?[01]\.[0-9]+ +-?[01]\.[0-9]+ *$" "$DIR/screen" &&
    grep -Eq "^SOL +-?[01]\.[0-9]+ +-?[01]\.[0-9]+ +1\.00 *$" "$DIR/screen"
}
n=0
until ok_screen; do
    n=$((n + 1)); [ "$n" -ge 300 ] && fail "the screen never showed every venue and asset live"
    sleep 0.2
done
echo "ok   hb-top shows venues north and south (4 instruments live) and BTC, ETH, SOL with an index:"
grep -v "^ *$" "$DIR/screen" | sed 's/  */ /g; s/^/     /'

# numbers move: the screen a second later differs in the price columns
cp "$DIR/screen" "$DIR/screen.1"
sleep 1.5
ok_screen || fail "the screen lost a venue or asset"
a=$(grep -E "^(north|south) " "$DIR/screen.1" | awk '{print $4, $5}')
b=$(grep -E "^(north|south) " "$DIR/screen" | awk '{print $4, $5}')
[ "$a" != "$b" ] || fail "prices did not change in 1.5 s: $a"
echo "ok   prices live (changed between two captures)"

# an order from the console: sent, acked, filled, on the screen
"$BIN/hb-tap" --config "$CFG" --send-order north BTC-USD buy 0.01 --client-id it-top-1 \
    --timeout-ms 20000 >"$DIR/order.out" 2>"$DIR/order.log" || fail "console order: exit $?: $(cat "$DIR/order.log")"
order_row() {
    tmux capture-pane -p -t "$SESSION" >"$DIR/screen" 2>/dev/null &&
    grep -Eq "^console +north +BTC-USD +buy +0\.01 +market +it-top-1 +done +0\.01 +[1-9][0-9.]* *$" "$DIR/screen"
}
n=0
until order_row; do
    n=$((n + 1)); [ "$n" -ge 100 ] && fail "the order it-top-1 is not on the screen as done and filled"
    [ "$n" = 20 ] && tmux send-keys -t "$SESSION" End      # below the fold on a short screen
    sleep 0.2
done
echo "ok   the console order on the screen: $(grep -E "^console +north" "$DIR/screen" | sed 's/  */ /g')"

tmux send-keys -t "$SESSION" q
n=0
until tmux capture-pane -p -t "$SESSION" | grep -q "hb-top-exit"; do
    n=$((n + 1)); [ "$n" -ge 100 ] && fail "q did not quit hb-top"
    sleep 0.1
done
tmux capture-pane -p -t "$SESSION" | grep -q "hb-top-exit 0" || fail "hb-top exit: $(tmux capture-pane -p -t "$SESSION" | grep hb-top-exit)"
echo "ok   q quits hb-top (exit 0)"
exit 0
