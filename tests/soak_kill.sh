#!/bin/sh
# Kill storm (issue 14): KILLS SIGKILLs (default 100) of each of
# hb-aggregator, hb-hedger, hb-risk and feed alpha's hb-feed, with trading
# going on, under hb-run. Run short by tests/it_kill_storm.sh (in make
# test) and long by `make soak` (docs/OPERATIONS.md, Kill storms).
#
# The deployment of tests/it_kill_each.sh: two sim venues (alpha long 10
# BTC spot, beta short 10 ETH perp), aggregator, risk (BTC band 20,000
# USD), hedger, console. Meanwhile a trader sends console orders one after
# another (0.5 BTC perp on alpha: out of the band, so the hedger trades
# too; 0.3 ETH perp on beta), and hb-tap records fill.*, order.* and hb.*.
# Round after round, each component in turn is killed with -9 at a random
# moment and must come back (hb-run: a new pid, a heartbeat of a new
# epoch). A component is killed again only after it has been up for
# STABLE_S (10.5) seconds, so that hb-run's back-off stays at its minimum
# (it doubles for a process that dies within 10 s of its start) and the
# storm keeps its pace. Then the trader stops, the book settles, and:
#   - 0 fills lost, 0 counted twice: per position, the aggregator's
#     snapshot holds the quantity and the fill count recomputed
#     (tests/fillcheck.py) from every fill: those the tap saw on the bus
#     and those each feed's fill replay holds (tests/tools/hb-fills: what
#     the feed journaled, so a fill a tap missed while reconnecting to a
#     restarted feed still counts), plus the starting book;
#   - every fill seen on the bus is in its feed's replay (journaled);
#   - 0 orders twice: no client order id twice among order.* on the bus,
#     no hedger intent journaled twice;
#   - hb-run gave nothing up: every component runs, and hb-run exits 0 on
#     SIGTERM.
# Prints the numbers at the end: kills per component, fills and orders
# checked, duration. Skips (77) when a binary, the sim plugin, hb-fills,
# jq or python3 is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-run hb-feed hb-tap hb-aggregator hb-aggsnap hb-risk hb-hedger hb_venue_sim.so \
    jq pgrep python3
FILLS_TOOL=$(cd "$BIN/.." 2>/dev/null && pwd)/tests/tools/hb-fills
[ -x "$FILLS_TOOL" ] || it_skip "$FILLS_TOOL not built"

KILLS=${KILLS:-100}
STABLE_S=${STABLE_S:-10.5}
VICTIMS="aggregator hedger risk feed.alpha"
COMPONENTS="feed.alpha feed.beta aggregator risk hedger"
BAND=20000
START="alpha/BTC-USD=10 beta/ETH-PERP=-10"
IT_TAIL=25
it_tmpdir soak
CFG=$DIR/it.yaml
BUS=$DIR/bus.jsonl
it_at_exit 'pkill -9 -f -- "--config $CFG" 2>/dev/null'
started=$(date +%s)

mkdir -p "$DIR/run"
{
    it_yaml_head it-soak warn
    it_yaml_market 17
    it_yaml_hedge_venues "{ symbol: BTC-USD, qty: 10, entry: 64000 }" \
                         "{ symbol: ETH-PERP, qty: -10, entry: 3300 }"
    echo "components:"
    it_yaml_aggregator
    it_yaml_risk "$BAND" 10
    it_yaml_hedger 5
    it_yaml_console
} >"$CFG"

pid_of() {
    case $1 in
        feed.*) pgrep -f -- "/hb-feed --config $CFG --venue ${1#feed.}\$" ;;
        *)      pgrep -f -- "/hb-$1 --config $CFG\$" ;;
    esac
}
all_up() {
    for c in $COMPONENTS; do
        [ "$(pid_of "$c" | wc -l)" = 1 ] || return 1
        grep -q "\"topic\":\"hb\\.$c\"" "$BUS" || return 1
    done
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
random() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }

# order topics in full (see it_kill_each.sh: a recorder's "order." would
# pass for the feed's own subscription)
ORDERS=""
for t in alpha.BTC-USD alpha.BTC-PERP alpha.ETH-USD beta.BTC-PERP beta.ETH-PERP; do
    ORDERS="$ORDERS --topic order.$t"
done
"$BIN/hb-tap" --config "$CFG" --topic fill. $ORDERS --topic hb. \
    --timeout-ms 86400000 >"$BUS" 2>"$DIR/tap.log" & tap=$!; pids="$pids $tap"
it_bg run "$BIN/hb-run" --config "$CFG" --log-level info; run=$it_pid
wait_for 60 all_up || fail "not every component up with a heartbeat"
echo "ok   all up"

# --- the trader: console orders, one at a time, until $DIR/stop exists -------
trader() {
    i=0
    while [ ! -f "$DIR/stop" ]; do
        i=$((i + 1))
        case $((i % 4)) in
            1) set -- alpha BTC-PERP buy 0.5 ;;
            2) set -- beta ETH-PERP sell 0.3 ;;
            3) set -- alpha BTC-PERP sell 0.5 ;;
            *) set -- beta ETH-PERP buy 0.3 ;;
        esac
        # an order to a feed that is down, or killed with it, may fail:
        # counted, never retried under the same id
        if "$BIN/hb-tap" --config "$CFG" --send-order "$@" --client-id "soak-$$-$i" --from console \
               --timeout-ms 5000 >>"$DIR/orders.out" 2>&1; then
            echo ok >>"$DIR/trader.count"
        else
            echo failed >>"$DIR/trader.count"
        fi
        sleep 0.2
    done
}
trader & trader_pid=$!; pids="$pids $trader_pid"

# --- the storm -------------------------------------------------------------------
# back_at_<c>: when c was last seen back (ms); a component is killed again
# only STABLE_S after that
for c in $VICTIMS; do eval "back_at_$(echo "$c" | tr . _)=$(now_ms)"; done
stable_ms=$(awk -v s="$STABLE_S" 'BEGIN { print int(s * 1000) }')
round=0
while [ $round -lt "$KILLS" ]; do
    round=$((round + 1))
    for c in $VICTIMS; do
        v=$(echo "$c" | tr . _)
        eval "since=\$back_at_$v"
        wait_ms=$(( since + stable_ms - $(now_ms) ))
        [ $wait_ms -le 0 ] || sleep "$(awk -v m="$wait_ms" 'BEGIN { printf "%.3f", m / 1000 }')"
        # a random moment of the trading (0 to 999 ms more)
        sleep "0.$(printf '%03d' $(( $(random) % 1000 )))"
        old=$(pid_of "$c")
        [ "$(echo "$old" | wc -w)" = 1 ] || fail "round $round: $c is not running once: '$old'"
        mark=$(($(wc -l <"$BUS") + 1))
        kill -9 "$old"
        # back: a new pid, and a heartbeat of a new epoch (the tap's restart event names it)
        back() {
            new=$(pid_of "$c")
            e=$(tail -n +"$mark" "$BUS" | grep '"event":"restart"' | grep "\"publisher\":\"$c\"" |
                sed -n 's/.*"epoch":\([0-9]*\).*/\1/p' | tail -1)
            [ -n "$new" ] && [ "$new" != "$old" ] && [ -n "$e" ] &&
                tail -n +"$mark" "$BUS" | grep "\"topic\":\"hb\\.$c\"" | grep -q "\"epoch\":$e,"
        }
        wait_for 90 back || fail "round $round: $c (pid $old) not back: pid '$(pid_of "$c")'"
        eval "back_at_$v=$(now_ms)"
        eval "kills_$v=\$((\${kills_$v:-0} + 1))"
    done
    [ $((round % 10)) != 0 ] && [ "$round" != "$KILLS" ] ||
        echo "     round $round: $((round * 4)) kills, $(grep -c . "$DIR/trader.count" 2>/dev/null) console orders so far"
done
touch "$DIR/stop"
wait "$trader_pid"; it_forget "$trader_pid"
for c in $VICTIMS; do
    v=$(echo "$c" | tr . _)
    eval "n=\${kills_$v:-0}"
    [ "$n" = "$KILLS" ] || fail "$c killed $n times, not $KILLS"
    grep -c "$c (pid [0-9]*) killed by signal 9 (KILL)" "$DIR/run.log" >"$DIR/logged" || true
    [ "$(cat "$DIR/logged")" -ge "$KILLS" ] || fail "hb-run logged $(cat "$DIR/logged") kills of $c, not $KILLS"
done
echo "ok   $KILLS kills of each of $VICTIMS, each back every time"

# --- settle, then check -------------------------------------------------------------
for c in $COMPONENTS; do
    [ "$(pid_of "$c" | wc -l)" = 1 ] || fail "$c not running at the end: '$(pid_of "$c")'"
done
kill -0 "$run" 2>/dev/null || fail "hb-run exited"
# every fill: the tap's and each feed's replay (the journaled ones)
all_fills() {
    : >"$DIR/replay.jsonl"
    for v in alpha beta; do
        "$FILLS_TOOL" "ipc://$DIR/run/feed.$v.replay" --timeout-ms 5000 >>"$DIR/replay.jsonl" 2>>"$DIR/fills.log" ||
            return 1
    done
    cat "$BUS" "$DIR/replay.jsonl" >"$DIR/all.jsonl"
}
# agrees: the snapshot agrees with every fill, the same count twice in a
# row half a second apart (nothing in flight)
last=""
agrees() {
    all_fills && "$BIN/hb-aggsnap" --config "$CFG" --timeout-ms 2000 >"$DIR/snap.jsonl" 2>/dev/null &&
        n=$("$PY" "$TOP/tests/fillcheck.py" "$DIR/all.jsonl" "$DIR/snap.jsonl" $START) || { last=""; return 1; }
    [ "$n" = "$last" ] && return 0
    last=$n; sleep 0.5; return 1
}
tries=0
until agrees; do
    tries=$((tries + 1))
    [ $tries -lt 120 ] || fail "the aggregator does not agree with the fills: ${n:-no snapshot}"
done
fills=$n
# every fill the tap saw is in its feed's replay: journaled before it was published
keys() { jq -r 'select(.fill) | "\(.fill.venue) \(.fill.fill_id)"' "$1" | sort -u; }
keys "$BUS" >"$DIR/bus.fills"
keys "$DIR/replay.jsonl" >"$DIR/replay.fills"
d=$(comm -23 "$DIR/bus.fills" "$DIR/replay.fills" | head -5)
[ -z "$d" ] || fail "fills on the bus that no feed replays (not journaled): $d"
missed=$(comm -13 "$DIR/bus.fills" "$DIR/replay.fills" | wc -l)

grep '"topic":"order\.' "$BUS" | jq -r '.order.client_id' >"$DIR/client_ids.txt"
orders=$(sort -u "$DIR/client_ids.txt" | wc -l)
d=$(sort "$DIR/client_ids.txt" | uniq -d | head -5)
[ -z "$d" ] || fail "client order ids sent twice: $d"
hedges=$(grep '"topic":"order\.' "$BUS" | jq -r 'select(.env.publisher == "hedger") | .order.client_id' | wc -l)
[ "$hedges" -gt 0 ] || fail "no hedge order on the bus: the hedger never traded"
# journal records are text lines inside binary framing (hb_hedger.c)
grep -a -o -E "I [A-Za-z0-9:._-]+-[0-9]+\.[0-9]+ " "$DIR/run/hedger.journal" | cut -d' ' -f2 >"$DIR/intents.txt"
d=$(sort "$DIR/intents.txt" | uniq -d | head -5)
[ -z "$d" ] || fail "hedger intents journaled twice: $d"
ok_orders=$(grep -c '^ok$' "$DIR/trader.count")
failed_orders=$(grep -c '^failed$' "$DIR/trader.count")
[ "$ok_orders" -gt 0 ] || fail "no console order was filled"

it_stop "$tap"
it_stop "$run" || fail "hb-run exit status $? on SIGTERM (a component given up?)"
none_left() { ! pgrep -f -- "--config $CFG" >/dev/null; }
wait_for 5 none_left || fail "processes left after SIGTERM: $(pgrep -f -- "--config $CFG" | tr '\n' ' ')"
took=$(( $(date +%s) - started ))
echo "ok: kill storm: $KILLS SIGKILLs each of $VICTIMS ($((KILLS * 4)) in all);" \
     "$fills fills checked (0 lost, 0 counted twice; $missed seen only in a feed's replay);" \
     "$orders orders checked, none twice ($hedges from the hedger, $(wc -l <"$DIR/intents.txt") intents" \
     "journaled once each; $ok_orders console orders filled, $failed_orders not); ${took}s"
exit 0
