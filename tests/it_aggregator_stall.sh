#!/bin/sh
# A frozen aggregator never makes hb-risk decide on a partial position
# picture (docs/RISK.md, Positions pending). Under hb-run: two sim venues
# (alpha long 10 BTC spot), the aggregator, risk (BTC band 20,000 USD, so
# it requests hedges every sample: no hedger runs, nothing acts on them)
# and a console. For each freeze of 3, 8 and 15 s (SIGSTOP ... SIGCONT),
# console orders trade 6 BTC on alpha's perp (and, in the long ones, 1 on
# beta's) while the aggregator is frozen. From what hb-tap saw:
#  - no risk.hedge for a data time after the first fill is published
#    before the aggregator published the state that includes the fills;
#  - every risk.exposure of a sample after the first fill carries
#    positions_pending (or no_positions) or holds exactly the fills up to
#    its sample; in the 8 and 15 s freezes flagged ones are published
#    before that state (the flag is set meanwhile);
#  - the first risk.exposure of a sample at least one sample (100 ms)
#    after that state has no such flag and its BTC units (delta1_usd /
#    index) equal the units recomputed from the aggregator's positions
#    (pos.BTC.<venue>.<symbol>).
# Before the fix (the "latest" state taken after 3 s, never corrected)
# risk requested hedges on 10 BTC while it held 4, unflagged.
# Exit 77 when a binary or the sim plugin is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-run hb-feed hb-tap hb-aggregator hb-risk hb_venue_sim.so jq

NAME=agg-stall
it_tmpdir "$NAME"
mkdir -p "$DIR/run"
CFG=$DIR/it.yaml
BAND=20000
{
    it_yaml_head "it-$NAME"
    it_yaml_market 11
    it_yaml_hedge_venues "{ symbol: BTC-USD, qty: 10, entry: 64000 }"
    echo "components:"
    it_yaml_aggregator
    it_yaml_risk "$BAND" 10
    it_yaml_console
} >"$CFG"
BUS=$DIR/bus.jsonl
agg=""
it_at_exit '[ -z "$agg" ] || kill -CONT "$agg" 2>/dev/null'

"$BIN/hb-tap" --config "$CFG" --topic fill. --topic pos.BTC --topic risk. --timeout-ms 150000 \
    >"$BUS" 2>"$DIR/tap.log" & pids="$pids $!"
it_bg run "$BIN/hb-run" --config "$CFG"

# the aggregator's pid, from hb-run
agg_pid() {
    "$BIN/hb-run" --config "$CFG" status 2>/dev/null |
        awk '$1 == "aggregator" && $2 == "running" { print $3 }'
}
agg_running() { agg=$(agg_pid); [ -n "$agg" ]; }
wait_for 30 agg_running || fail "hb-run does not run the aggregator: $(tail -5 "$DIR/run.log")"

# BTC units: of risk's last risk.exposure from line $1 of BUS on (none
# while flagged), and recomputed from the aggregator's positions (the
# latest pos.BTC.<venue>.<symbol> of each: spot and linear perps, one BTC
# a unit; no coin balances in this config)
risk_units() {
    tail -n +"$1" "$BUS" | grep '"topic":"risk.exposure"' | tail -1 |
        jq -r '.risk_exposure | select((.flags | index("positions_pending") or index("no_positions")) | not)
               | .assets[] | select(.asset == "BTC") | .delta1_usd / .index'
}
agg_units() {
    grep '"topic":"pos\.BTC\.' "${1:-$BUS}" | jq -s 'group_by(.topic) | map(last.position.qty) | add'
}
same() {
    [ -n "$1" ] && [ -n "$2" ] && [ "$1" != null ] && [ "$2" != null ] &&
        jq -n --argjson a "$1" --argjson b "$2" '($a - $b | fabs) < 1e-6' | grep -q true
}
settled() { same "$(risk_units "$1")" "$(agg_units)" && grep -q '"topic":"risk.hedge"' "$BUS"; }

wait_for 60 settled 1 || fail "risk never agreed with the aggregator: risk $(risk_units 1), aggregator $(agg_units)"
echo "ok   started: BTC units risk $(risk_units 1), aggregator $(agg_units); hedge requests flow"

n=0
order() {       # VENUE SYMBOL SIDE QTY
    n=$((n + 1))
    "$BIN/hb-tap" --config "$CFG" --send-order "$1" "$2" "$3" "$4" --client-id "it-$$-$n" \
        --timeout-ms 10000 >>"$DIR/orders.out" 2>&1 || fail "order $n ($*) not done: $(tail -3 "$DIR/orders.out")"
}

side=sell
for secs in 3 8 15; do
    from=$(($(wc -l <"$BUS") + 1))
    before=$(agg_units)
    kill -STOP "$agg"
    t0=$(date +%s)
    order alpha BTC-PERP $side 6
    [ "$secs" -lt 8 ] || order beta BTC-PERP buy 1
    # the rest of the freeze (the clock only paces the test)
    left=$((secs - ($(date +%s) - t0)))
    [ "$left" -le 0 ] || sleep "$left"
    kill -CONT "$agg"
    wait_for 30 settled "$from" ||
        fail "${secs} s freeze: risk $(risk_units "$from") never agreed with the aggregator $(agg_units)"
    sleep 1
    W=$DIR/freeze-$secs.jsonl
    tail -n +"$from" "$BUS" >"$W"
    # the fills, and a: when the aggregator published the last of the
    # states that name them (its picture includes every fill from then on)
    # (whole fill messages only: not a line hb-tap is still writing, nor
    # one of its gap or restart events on a fill topic)
    grep '"topic":"fill\..*}$' "$W" | jq -c 'select(.fill)' >"$W.fills"
    nfills=$(wc -l <"$W.fills")
    [ "$nfills" -ge 1 ] || fail "${secs} s freeze: no fill on the bus"
    f=$(jq -s 'map(.env.ts_pub) | min' "$W.fills")
    moved=$(jq -s 'map(if .fill.side == "buy" then .fill.qty else -.fill.qty end) | add' "$W.fills")
    a=$(jq -r '.fill.fill_id' "$W.fills" | while read -r id; do
            grep '"topic":"pos\.BTC\.' "$W" | jq -r --arg id "$id" 'select(.position.last_fill == $id) | .env.ts_pub' | head -1
        done | sort -n | tail -1)
    [ -n "$a" ] || fail "${secs} s freeze: no aggregator state names the fills"
    after=$(agg_units)
    same "$after" "$(jq -n "$before + $moved")" || fail "${secs} s freeze: the aggregator holds $after BTC, not $before + $moved"
    # 1. no hedge request made on a fill risk had applied (a request names,
    # among its inputs, the last fill message risk applied on each
    # instrument of its targets) before the aggregator had even published
    # its state with the fills. Risk decides on what it has received: a
    # request made while a fill was still on the wire is made on the
    # picture before that fill, which is whole
    jq -c '[.topic, .env.publisher, .env.epoch, .env.seq]' "$W.fills" >"$W.fillkeys"
    bad=$(grep '"topic":"risk.hedge"' "$W" |
        jq -r --argjson a "$a" --slurpfile k "$W.fillkeys" '
            select(.env.ts_pub < $a)
            | select([.risk_hedge.inputs[] | [.topic, .publisher, .epoch, .seq]] as $in
                     | any($k[]; . as $x | $in | index([$x]) != null))
            | .risk_hedge.id')
    [ -z "$bad" ] || fail "${secs} s freeze: hedge requests on a partial picture: $bad"
    # 2. every risk.exposure of a sample after the first fill is flagged, or
    # holds exactly the fills up to its sample (data time: the grid may
    # wait for the state and decide later, on the whole picture)
    jq -s 'map(if .fill.side == "buy" then [.env.ts_pub, .fill.qty] else [.env.ts_pub, -.fill.qty] end)' \
        "$W.fills" >"$W.moves"
    grep '"topic":"risk.exposure"' "$W" |
        jq -c --argjson f "$f" --argjson a "$a" --argjson b "$before" --slurpfile m "$W.moves" '
            select(.env.ts_venue >= $f) | .env.ts_venue as $t
            | {t: $t, early: (.env.ts_pub < $a),
               flagged: (.risk_exposure.flags | (index("positions_pending") or index("no_positions")) != null),
               units: (.risk_exposure.assets[] | select(.asset == "BTC") | .delta1_usd / .index),
               want: ($b + ($m[0] | map(select(.[0] <= $t) | .[1]) | add // 0))}
            | .wrong = ((.flagged | not) and ((.units - .want) | fabs) > 1e-6)' >"$DIR/window-$secs.jsonl"
    wrong=$(grep -c '"wrong":true' "$DIR/window-$secs.jsonl")
    flagged=$(grep -c '"early":true,"flagged":true' "$DIR/window-$secs.jsonl")
    [ "$wrong" = 0 ] || fail "${secs} s freeze: $wrong risk.exposure unflagged on a partial picture: $(grep -m1 '"wrong":true' "$DIR/window-$secs.jsonl")"
    [ "$secs" -lt 8 ] || [ "$flagged" -gt 0 ] || fail "${secs} s freeze: no risk.exposure flagged positions_pending"
    # 3. one sample after the state: right, unflagged
    r=$(grep '"topic":"risk.exposure"' "$W" | jq -c --argjson a "$a" 'select(.env.ts_venue >= $a + 100000000)' | head -1)
    [ -n "$r" ] || fail "${secs} s freeze: no risk.exposure after the aggregator's state"
    echo "$r" | jq -e '.risk_exposure.flags | (index("positions_pending") or index("no_positions")) | not' >/dev/null ||
        fail "${secs} s freeze: risk still flagged one sample after the aggregator's state: $(echo "$r" | jq -c .risk_exposure.flags)"
    units=$(echo "$r" | jq -r '.risk_exposure.assets[] | select(.asset == "BTC") | .delta1_usd / .index')
    same "$units" "$after" || fail "${secs} s freeze: risk holds $units BTC one sample after the aggregator's state, the aggregator $after"
    echo "ok   ${secs} s freeze: $nfills fills, $flagged exposures flagged pending, no hedge request meanwhile; one sample after the state risk holds $units BTC = the aggregator's $after"
    [ "$side" = sell ] && side=buy || side=sell
done
grep -q "positions pending" "$DIR/run.log" || fail "risk did not log its pending positions"
exit 0
