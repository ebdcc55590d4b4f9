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
#  - a filter typed on the screen (/ btc Enter) keeps the BTC rows only,
#    with the line that counts the rows it hid; / Ctrl-U Enter clears it;
#  - an order sent from the console (hb-tap --send-order) in the ORDERS
#    panel: who sent it, venue, symbol, side, qty, client id, status done
#    and the quantity filled at a price (the acks and fills of the venue);
#  - the decision latencies: risk's (input -> risk.hedge) as soon as risk
#    asks for hedges (the book is long BTC beyond the default band; the
#    hedger sells derivatives only, so south's BTC-PERP is its route), then,
#    once hb-hedger (configured, enabled: false for hb-run, started here
#    after the checks above so that the positions stay as configured) sends
#    orders, the hedger's (risk.hedge -> order) and the total (input ->
#    order): each line with a count > 0 and p50/p99/max in us;
# and q must quit it (exit 0).
# Skips (77) when tmux, hb-top, hb-run or the sim plugin is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-top hb-run hb-feed hb-hedger hb_venue_sim.so tmux

it_tmpdir top
IT_TAIL=60                      # fail shows the whole screen (screen.log)
CFG=$DIR/it.yaml
SESSION=hb-it-top-$$
export TMUX_TMPDIR=$DIR         # a tmux server of our own, gone with the directory
it_at_exit 'tmux kill-server 2>/dev/null; pkill -9 -f -- "--config $CFG" 2>/dev/null'

{
    it_yaml_head it-top
    cat <<EOF
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
      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }
    positions:
      - { symbol: SOL-PERP, qty: -100, entry: 150 }
components:
  aggregator: { endpoint: ipc://$DIR/run/aggregator.pub, journal: $DIR/run/agg.journal }
  risk:       { endpoint: ipc://$DIR/run/risk.pub, sample_ms: 100, min_samples: 10 }
EOF
    it_yaml_hedger 5 "enabled: false"
    it_yaml_console
} >"$CFG"

it_bg run "$BIN/hb-run" --config "$CFG"
tmux new-session -d -s "$SESSION" -x 160 -y 60 \
    "$BIN/hb-top --config $CFG --interval-ms 200; echo hb-top-exit \$?; sleep 30" ||
    fail "tmux new-session"

# ok_screen: every venue row live with numbers, every asset with an index
ok_screen() {
    tmux capture-pane -p -t "$SESSION" >"$DIR/screen.log" 2>/dev/null || return 1
    for v in north:BTC-USD north:ETH-USD south:SOL-PERP south:ETH-PERP south:BTC-PERP; do
        grep -Eq "^${v%%:*} +${v#*:} +[a-z_]+ +[0-9.]+ +[0-9.]+ .* live" "$DIR/screen.log" || return 1
    done
    for a in BTC ETH SOL; do
        grep -Eq "^$a +[1-9][0-9.]* " "$DIR/screen.log" || return 1
    done
    # the aggregator's positions: BTC long 2 on north, SOL short 100 on south
    grep -Eq "^BTC +[0-9.]+ +[1-9][0-9.]* .* ok *$" "$DIR/screen.log" || return 1
    grep -Eq "^SOL +[0-9.]+ +-[1-9][0-9.]* .* ok *$" "$DIR/screen.log" || return 1
    grep -Eq "^feed.north +[0-9]+ .*ms" "$DIR/screen.log" && grep -Eq "^feed.south +[0-9]+ .*ms" "$DIR/screen.log" || return 1
    # health from heartbeats: age, uptime, in, out, gaps, drops, queue, latencies
    for c in feed.north feed.south aggregator risk; do
        grep -Eq "^$c +[0-9]+ms +[0-9]+s +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+us +[0-9.]+us +ok" \
            "$DIR/screen.log" || return 1
    done
    # the correlation matrix from risk: a row per asset, unit diagonal
    grep -Eq "^BTC +1\.00 +-?[01]\.[0-9]+ +-?[01]\.[0-9]+ *$" "$DIR/screen.log" &&
    grep -Eq "^SOL +-?[01]\.[0-9]+ +-?[01]\.[0-9]+ +1\.00 *$" "$DIR/screen.log"
}
wait_for 60 ok_screen || fail "the screen never showed every venue and asset live"
echo "ok   hb-top shows venues north and south (5 instruments live) and BTC, ETH, SOL with an index:"
grep -v "^ *$" "$DIR/screen.log" | sed 's/  */ /g; s/^/     /'

# numbers move: the screen a second later differs in the price columns
cp "$DIR/screen.log" "$DIR/screen.1"
sleep 1.5
ok_screen || fail "the screen lost a venue or asset"
a=$(grep -E "^(north|south) " "$DIR/screen.1" | awk '{print $4, $5}')
b=$(grep -E "^(north|south) " "$DIR/screen.log" | awk '{print $4, $5}')
[ "$a" != "$b" ] || fail "prices did not change in 1.5 s: $a"
echo "ok   prices live (changed between two captures)"

# a filter typed on the screen: / btc Enter keeps the BTC rows (any case),
# says what it hid and names itself in the title; / Enter clears it
tmux send-keys -t "$SESSION" / b t c Enter
filtered() {
    tmux capture-pane -p -t "$SESSION" >"$DIR/screen.log" 2>/dev/null &&
    grep -q 'filter "btc"' "$DIR/screen.log" &&
    grep -Eq "^north +BTC-USD .* live" "$DIR/screen.log" && grep -Eq "^south +BTC-PERP .* live" "$DIR/screen.log" &&
    ! grep -Eq "^(north|south) +(ETH|SOL)-" "$DIR/screen.log" &&
    grep -q '^  \.\.\. 0 more (1-2 of 2 instruments matching "btc", 3 filtered out)' "$DIR/screen.log"
}
wait_for 10 filtered || fail "the filter btc did not keep the BTC rows only"
echo "ok   / btc filters: $(grep -c -E "^(north|south) " "$DIR/screen.log") instrument rows, $(grep -F '... 0 more (1-2' "$DIR/screen.log" | sed 's/^ *//')"
tmux send-keys -t "$SESSION" / C-u Enter
wait_for 10 ok_screen || fail "clearing the filter did not bring every row back"
grep -q 'filter "' "$DIR/screen.log" && fail "the title still names a filter"
echo "ok   / Enter clears the filter"

# an order from the console: sent, acked, filled, on the screen
"$BIN/hb-tap" --config "$CFG" --send-order north BTC-USD buy 0.01 --client-id it-top-1 \
    --timeout-ms 20000 >"$DIR/order.out" 2>"$DIR/order.log" || fail "console order: exit $?: $(cat "$DIR/order.log")"
order_row() {
    tmux capture-pane -p -t "$SESSION" >"$DIR/screen.log" 2>/dev/null &&
    grep -Eq "^console +north +BTC-USD +buy +0\.01 +market +it-top-1 +done +0\.01 +[1-9][0-9.]* *$" "$DIR/screen.log"
}
n=0
until order_row; do
    n=$((n + 1)); [ "$n" -ge 100 ] && fail "the order it-top-1 is not on the screen as done and filled"
    [ "$n" = 20 ] && tmux send-keys -t "$SESSION" End      # below the fold on a short screen
    sleep 0.2
done
echo "ok   the console order on the screen: $(grep -E "^console +north" "$DIR/screen.log" | sed 's/  */ /g')"

# the decision latencies: a line per kind with a count > 0
latency_line() {    # KIND: its line shows a count > 0 and three times in us
    grep -Eq "^  $1 +[1-9][0-9]* +[0-9.]+us +[0-9.]+us +[0-9.]+us " "$DIR/screen.log"
}
latency_risk() {
    tmux send-keys -t "$SESSION" End        # the panel is below the fold
    tmux capture-pane -p -t "$SESSION" >"$DIR/screen.log" 2>/dev/null &&
    grep -q "^DECISION LATENCY" "$DIR/screen.log" && latency_line risk
}
wait_for 30 latency_risk || fail "no risk latency line with a count > 0 on the screen"
echo "ok   $(grep -E "^  risk " "$DIR/screen.log" | sed 's/  */ /g')"
it_bg hedger "$BIN/hb-hedger" --config "$CFG"
# The hedger flattens BTC within ms of its start, maybe before hb-top's
# subscription reached it. Once hb-top shows the hedger's heartbeat it
# hears every later order: a console buy of 2 BTC on north then makes the
# book long again, and risk's request and the hedger's orders are seen.
hedger_seen() {
    tmux capture-pane -p -t "$SESSION" >"$DIR/screen.log" 2>/dev/null &&
    grep -Eq "^hedger +[0-9]+ms +[0-9]+s " "$DIR/screen.log"
}
wait_for 30 hedger_seen || fail "hb-top never showed the hedger's heartbeat"
"$BIN/hb-tap" --config "$CFG" --send-order north BTC-USD buy 2 --client-id it-top-2 \
    --timeout-ms 20000 >"$DIR/order2.out" 2>"$DIR/order2.log" || fail "console order 2: exit $?: $(cat "$DIR/order2.log")"
latency_orders() {
    latency_risk && latency_line hedger && latency_line total
}
wait_for 60 latency_orders || fail "no hedger and total latency lines with a count > 0 on the screen"
echo "ok   the decision latencies on the screen:"
grep -A3 "^DECISION LATENCY" "$DIR/screen.log" | sed 's/  */ /g; s/^/     /'

tmux send-keys -t "$SESSION" q
quit_seen() { tmux capture-pane -p -t "$SESSION" | grep -q "hb-top-exit"; }
wait_for 10 quit_seen || fail "q did not quit hb-top"
tmux capture-pane -p -t "$SESSION" | grep -q "hb-top-exit 0" || fail "hb-top exit: $(tmux capture-pane -p -t "$SESSION" | grep hb-top-exit)"
echo "ok   q quits hb-top (exit 0)"
exit 0
