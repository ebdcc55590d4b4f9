#!/bin/sh
# Forged messages over real processes (issue 14, fail closed). Two hosts of
# one config, each under its own hb-run: "desk" (feed beta, hb-aggregator,
# hb-risk, hb-hedger; a console with orders: true) and "colo" (feed alpha,
# long 10 BTC spot). Once the book is hedged and quiet, the operator sets
# the kill switch over the bus (hb-hedger kill --bus). Then the colo host
# is taken over: its hb-run stops, and tests/tools/hb-forge binds feed
# alpha's endpoint, so that what it sends comes in on "feed alpha's
# connection" (docs/PROTOCOL.md, Who may send what), and then the console's
# endpoint (a component with no role for those messages). It sends, with
# the one encoder of common/hb_msg (so exactly the wire format):
#   1. risk.hedge signed risk, and signed feed.alpha       (feed's connection)
#   2. hedger.control reset signed console, and feed.alpha (feed's connection)
#   3. a fill for venue beta                               (feed's connection)
#   4. a fill signed by an unknown publisher, feed.zeta    (feed's connection)
#   5. a fill of qty 1e300 for alpha, signed feed.alpha    (its role allows fills)
#   6. a tick and a heartbeat of feed.beta with a newer epoch (feed's connection)
#   7. a book 90 % below the index, signed feed.alpha
#   8. ticks stamped 120 s and 80 years ahead, signed feed.alpha
#   9. risk.hedge signed risk and signed console, a fill for beta signed
#      console                                              (console's connection)
# Checks, from the processes' Prometheus metrics, hb-aggsnap and hb-tap:
#   - refused and counted: hb_bus_refused_messages_total{reason=
#     "unauthorized"} moves by exactly the number of messages each of
#     hedger, risk and aggregator received outside their connection's role
#     (11, 3, 3: hb-risk takes no feed heartbeat, so not the forged one of
#     feed.beta), {reason="ahead"} by 2 each; the aggregator counts the
#     1e300 fill in hb_aggregator_implausible_fills_total and never
#     journals it, hb-risk in hb_risk_implausible_fills_total; hb-risk
#     quarantines the 90 %-off book (hb_risk_ticks_quarantined_total);
#   - no fill applied: the aggregator's positions (qty and fill count) are
#     the same before and after;
#   - the newer epoch changed nothing: no message dropped as stale anywhere
#     while feed beta's real ticks go on being received;
#   - no order on the bus after the kill, no hedger.reject naming a forged
#     request (a killed hedger refuses every request it takes, so one it
#     took would show), no reset echo from the hedger;
#   - the kill switch stays set: the kill file, hb_hedger_kill_switch 1 and
#     the hedger's heartbeat status bit 1 (KILLED), also after feed alpha
#     comes back;
#   - risk keeps publishing risk.exposure afterwards; every process exits 0
#     on SIGTERM at the end.
# Skips (77) when a binary, the sim plugin, hb-forge, curl, jq or python3
# is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-run hb-feed hb-tap hb-aggregator hb-aggsnap hb-risk hb-hedger hb_venue_sim.so \
    curl jq pgrep python3
FORGE=$(cd "$BIN/.." 2>/dev/null && pwd)/tests/tools/hb-forge
[ -x "$FORGE" ] || it_skip "$FORGE not built"

BAND=20000
IT_TAIL=30
it_tmpdir forged
CFG=$DIR/it.yaml
BUS=$DIR/bus.jsonl
KILL_FILE=$DIR/run/hedger.kill
it_at_exit 'pkill -9 -f -- "--config $CFG" 2>/dev/null'
set -- $("$PY" -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')
AGG_PORT=$1 RISK_PORT=$2 HEDGER_PORT=$3
mkdir -p "$DIR/run"
{
    it_yaml_head it-forged info
    echo "hosts:"
    echo "  desk: { address: 127.0.0.1, default: true }"
    echo "  colo: { address: 127.0.0.1 }"
    it_yaml_market 11
    it_yaml_hedge_venues "{ symbol: BTC-USD, qty: 10, entry: 64000 }" | sed 's/^  alpha:$/  alpha:\n    host: colo/'
    echo "components:"
    echo "  aggregator: { endpoint: \"ipc://$DIR/run/aggregator.pub\", snapshot_ms: 200, metrics: \"127.0.0.1:$AGG_PORT\" }"
    it_yaml_risk "$BAND" 10
    echo "    metrics: 127.0.0.1:$RISK_PORT"
    it_yaml_hedger 5 "metrics: 127.0.0.1:$HEDGER_PORT"
    it_yaml_console
} >"$CFG"
ALPHA_EP=ipc://$DIR/run/feed.alpha.pub
CONSOLE_EP=ipc://$DIR/run/console.pub

# --- metrics ---------------------------------------------------------------
# scrape NAME PORT: the exposition into DIR/NAME.prom (the latest)
scrape() { curl -sf --max-time 5 "http://127.0.0.1:$2/metrics" >"$DIR/$1.prom.new" && mv "$DIR/$1.prom.new" "$DIR/$1.prom"; }
# value NAME SAMPLE: the value of SAMPLE (name{labels} as written) in the
# latest scrape of NAME, or 0
value() { awk -v s="$2" '$1 == s { v = $2 } END { print (v == "" ? 0 : v) }' "$DIR/$1.prom"; }
# sum NAME FAMILY: every series of FAMILY added up
sum() { awk -v f="$1" 'index($1, f) == 1 && substr($1, length(f) + 1, 1) ~ /^[{ ]?$/ { s += $2 } END { print s + 0 }' "$DIR/$2.prom"; }
scrape_all() {
    scrape aggregator "$AGG_PORT" && scrape risk "$RISK_PORT" && scrape hedger "$HEDGER_PORT"
}
UNAUTH='hb_bus_refused_messages_total{reason="unauthorized"}'
AHEAD='hb_bus_refused_messages_total{reason="ahead"}'
STALE=hb_bus_stale_messages_total
TICKS='hb_bus_messages_received_total{family="tick"}'

# --- the deployment ---------------------------------------------------------
"$BIN/hb-tap" --config "$CFG" --topic order. --topic hedger. --topic risk.exposure --topic pos.BTC \
    --topic hb. --timeout-ms 300000 >"$BUS" 2>"$DIR/tap.log" & pids="$pids $!"
it_bg run "$BIN/hb-run" --config "$CFG" --host desk; desk=$it_pid
it_bg colo "$BIN/hb-run" --config "$CFG" --host colo; colo=$it_pid

pid_of() {
    case $1 in
        feed.*) pgrep -f -- "/hb-feed --config $CFG --venue ${1#feed.}\$" ;;
        *)      pgrep -f -- "/hb-$1 --config $CFG\$" ;;
    esac
}
up() {
    for c in feed.alpha feed.beta aggregator risk hedger; do
        [ -n "$(pid_of $c)" ] && grep -q "\"topic\":\"hb\\.$c\"" "$BUS" || return 1
    done
    kill -0 "$desk" && kill -0 "$colo" || fail "an hb-run exited"
}
wait_for 60 up || fail "not every component up with a heartbeat"
wait_for 30 scrape_all || fail "the metrics endpoints do not answer"

orders() { grep -c '"topic":"order\.' "$BUS"; }
net_usd() { it_net_usd "$BUS"; }
# quiet: inside the band, and no new order over the last 30 looks (3 s
# and more: wait_for looks every 0.1 s)
q_last="" q_same=0
quiet() {
    q_n=$(orders)
    if it_within "$(net_usd)" "$BAND" && [ "$q_n" = "$q_last" ]; then
        q_same=$((q_same + 1))
    else
        q_same=0 q_last=$q_n
    fi
    [ $q_same -ge 30 ]
}
wait_for 90 quiet || fail "not hedged and quiet within 90 s: net_usd $(net_usd), $(orders) orders"
[ "$(orders)" -gt 0 ] || fail "no hedge order: the starting book was never hedged, the test proves nothing"
echo "ok   hedged and quiet: $(orders) orders, BTC net_usd $(net_usd)"

# --- the operator's kill switch -------------------------------------------------
"$BIN/hb-hedger" --config "$CFG" kill --bus --by ops.alice --reason "it forged" \
    >"$DIR/kill.out" 2>"$DIR/kill.log" || fail "hb-hedger kill --bus failed: $(cat "$DIR/kill.out")"
grep '"topic":"hedger.control"' "$DIR/kill.out" | jq -e 'select(.env.publisher == "hedger")
    | .hedger_control.command == "kill"' >/dev/null || fail "no kill echo: $(cat "$DIR/kill.out")"
[ -f "$KILL_FILE" ] || fail "no kill file after the kill"
kill_id=$(head -1 "$DIR/kill.out" | jq -r '.hedger_control.id')
wait_for 10 grep -q "\"id\":\"$kill_id\"" "$BUS" || fail "the tap did not see the kill"
KILL_MARK=$(wc -l <"$BUS")
killed_metric() { scrape hedger "$HEDGER_PORT" && [ "$(value hedger hb_hedger_kill_switch)" = 1 ]; }
wait_for 10 killed_metric || fail "hb_hedger_kill_switch is not 1 after the kill"
echo "ok   kill switch set by ops.alice (echo, kill file, hb_hedger_kill_switch 1)"

# --- colo taken over: feed alpha stops, the forger binds its endpoint ----------
it_stop "$colo" || fail "colo hb-run exit status $? on SIGTERM"
alpha_gone() { [ -z "$(pid_of feed.alpha)" ]; }
wait_for 10 alpha_gone || fail "feed alpha still runs after its hb-run stopped"
"$BIN/hb-aggsnap" --config "$CFG" --timeout-ms 5000 >"$DIR/snap.before" 2>"$DIR/aggsnap.log" ||
    fail "no snapshot from the aggregator"
scrape_all || fail "metrics endpoints do not answer"
for c in aggregator risk hedger; do cp "$DIR/$c.prom" "$DIR/$c.before"; done
before() { awk -v s="$2" '$1 == s { v = $2 } END { print (v == "" ? 0 : v) }' "$DIR/$1.before"; }
FORGE_MARK=$(wc -l <"$BUS")

NEW_EPOCH=$(( $(date +%s) * 1000000000 + 1000000000000000 ))    # about 11 days ahead
EIGHTY_YEARS=2524608000
cat >"$DIR/alpha.forge" <<EOF
# every receiver has (re)connected to "feed alpha" and subscribed (hb.feed.<venue>:
# the aggregator and the hedger; hb-risk, deciding on arrival, takes no feed heartbeat)
wait fill.alpha.BTC-USD 3
wait fill.beta.BTC-PERP 3
wait tick.alpha.BTC-USD 3
wait risk.hedge 1
wait hedger.control 2
wait hb.feed.beta 2
# 1. a hedge request: signed risk, then signed as the feed itself
send hedge publisher=risk id=forged-hedge-1 asset=BTC index=65000 target_usd=-600000
send hedge publisher=feed.alpha id=forged-hedge-2 asset=BTC index=65000 target_usd=600000
# 2. the kill switch reset: signed console (an operator's name), then feed.alpha
send control publisher=console command=reset id=forged-reset-1 by=ops.mallory
send control publisher=feed.alpha command=reset id=forged-reset-2 by=ops.mallory
# 3. a fill for another venue
send fill publisher=feed.alpha venue=beta symbol=BTC-PERP side=sell qty=5 px=65000 fill_id=forged-fill-beta client_id=forged-1
# 4. a fill from a publisher nobody configured
send fill publisher=feed.zeta venue=alpha symbol=BTC-USD side=sell qty=5 px=65000 fill_id=forged-fill-zeta client_id=forged-2
# 5. a fill of qty 1e300, within the feed's own role
send fill publisher=feed.alpha venue=alpha symbol=BTC-USD side=sell qty=1e300 px=65000 fill_id=forged-fill-huge client_id=forged-3
# 6. a newer epoch of feed.beta on its own topics
send tick publisher=feed.beta epoch=$NEW_EPOCH seq=1 venue=beta symbol=BTC-PERP bid=64990 ask=65010
send heartbeat publisher=feed.beta epoch=$NEW_EPOCH seq=1 component=feed.beta
# 7. a book 90 % below the index, as the feed itself, a few times
send tick publisher=feed.alpha venue=alpha symbol=BTC-USD bid=6499 ask=6501 size=100
sleep 300
send tick publisher=feed.alpha venue=alpha symbol=BTC-USD bid=6499 ask=6501 size=100
sleep 300
send tick publisher=feed.alpha venue=alpha symbol=BTC-USD bid=6499 ask=6501 size=100
# 8. a clock step on the colo host: 120 s, then 80 years ahead
send tick publisher=feed.alpha venue=alpha symbol=BTC-USD bid=64990 ask=65010 ahead_s=120
send tick publisher=feed.alpha venue=alpha symbol=BTC-USD bid=64990 ask=65010 ahead_s=$EIGHTY_YEARS
sleep 1000
EOF
"$FORGE" --bind "$ALPHA_EP" --wait-ms 30000 <"$DIR/alpha.forge" >"$DIR/forged.jsonl" 2>"$DIR/forge-alpha.log" ||
    fail "hb-forge on feed alpha's endpoint: $(cat "$DIR/forge-alpha.log")"
cat >"$DIR/console.forge" <<EOF
wait risk.hedge 1
wait fill.beta.BTC-PERP 1
send hedge publisher=risk id=forged-hedge-3 asset=BTC index=65000 target_usd=-600000
send hedge publisher=console id=forged-hedge-4 asset=BTC index=65000 target_usd=-600000
send fill publisher=console venue=beta symbol=BTC-PERP side=buy qty=5 px=65000 fill_id=forged-fill-console client_id=forged-4
sleep 1000
EOF
"$FORGE" --bind "$CONSOLE_EP" --wait-ms 30000 <"$DIR/console.forge" >>"$DIR/forged.jsonl" 2>"$DIR/forge-console.log" ||
    fail "hb-forge on the console's endpoint: $(cat "$DIR/forge-console.log")"
sent=$(wc -l <"$DIR/forged.jsonl")
[ "$sent" = 17 ] || fail "hb-forge sent $sent messages, not 17"
echo "ok   $sent forged messages sent on feed alpha's and the console's endpoints"

# --- refused and counted ---------------------------------------------------------
# moved NAME SAMPLE WANT: SAMPLE grew by exactly WANT since before the forger
moved() { [ "$(awk -v a="$(value "$1" "$2")" -v b="$(before "$1" "$2")" 'BEGIN { print a - b }')" = "$3" ]; }
counted() {
    scrape_all || return 1
    moved hedger "$UNAUTH" 11 && moved risk "$UNAUTH" 3 && moved aggregator "$UNAUTH" 3 &&
        moved hedger "$AHEAD" 2 && moved risk "$AHEAD" 2 && moved aggregator "$AHEAD" 2 &&
        moved aggregator hb_aggregator_implausible_fills_total 1
}
wait_for 15 counted || {
    for c in hedger risk aggregator; do
        echo "$c: unauthorized $(before $c "$UNAUTH") -> $(value $c "$UNAUTH")," \
             "ahead $(before $c "$AHEAD") -> $(value $c "$AHEAD")"
    done
    echo "aggregator implausible fills $(before aggregator hb_aggregator_implausible_fills_total)" \
         "-> $(value aggregator hb_aggregator_implausible_fills_total)"
    fail "the forged messages are not refused and counted as expected (hedger 11, risk 3," \
         "aggregator 3 unauthorized; 2 ahead each; 1 implausible fill)"
}
echo "ok   refused and counted: unauthorized hedger +11, risk +3, aggregator +3; ahead +2 each;" \
     "the 1e300 fill refused by the aggregator"
grep -a -q forged-fill "$DIR/run/aggregator.journal" && fail "a forged fill is in the aggregator's journal"

# the 90 %-off book: hb-risk quarantines ticks far from its index
# (hb_risk_ticks_quarantined_total{reason=...}); the 1e300 fill, refused by
# the aggregator, is not applied by hb-risk either (the same max_fill_usd
# rule), so it never leaves risk waiting for a position that cannot come.
# The kill switch is set and the hedger's collar bounds both sides too.
quarantined() { scrape_all && [ "$(sum hb_risk_ticks_quarantined_total risk)" -ge 3 ]; }
wait_for 15 quarantined ||
    fail "hb-risk quarantined $(sum hb_risk_ticks_quarantined_total risk) ticks, not the 3 forged books 90 % below the index"
echo "ok   hb-risk quarantined the 90 %-off book: hb_risk_ticks_quarantined_total $(sum hb_risk_ticks_quarantined_total risk)"
implausible() { scrape_all && moved risk hb_risk_implausible_fills_total 1; }
wait_for 15 implausible || fail "hb-risk did not refuse the 1e300 fill (hb_risk_implausible_fills_total)"
echo "ok   hb-risk refused the 1e300 fill as implausible"

# --- no fill applied, no stale drop -----------------------------------------------
"$BIN/hb-aggsnap" --config "$CFG" --timeout-ms 5000 >"$DIR/snap.after" 2>>"$DIR/aggsnap.log" ||
    fail "no snapshot from the aggregator after the forger"
positions() { jq -c 'select(.position) | [.position.venue, .position.symbol, .position.qty, .position.fills]' "$1" | sort; }
positions "$DIR/snap.before" >"$DIR/pos.before"
positions "$DIR/snap.after" >"$DIR/pos.after"
[ -s "$DIR/pos.before" ] || fail "no position in the aggregator's snapshot"
cmp -s "$DIR/pos.before" "$DIR/pos.after" ||
    fail "positions changed: $(diff "$DIR/pos.before" "$DIR/pos.after" | tr '\n' ' ')"
# feed beta goes on: its real ticks are received, none dropped as stale (a
# newer epoch taken from the wrong connection would make every one stale)
t0=$(value hedger "$TICKS")
more_ticks() { scrape_all && [ "$(value hedger "$TICKS")" -ge $((t0 + 20)) ]; }
wait_for 20 more_ticks || fail "the hedger receives no more ticks (from feed beta)"
for c in hedger risk aggregator; do
    moved $c "$STALE" 0 || fail "$c dropped $(value $c "$STALE") messages as stale (was $(before $c "$STALE"))"
done
echo "ok   no fill applied (positions unchanged: $(wc -l <"$DIR/pos.after") positions), no stale drop," \
     "feed beta's ticks flow"

# --- no order, no reset, still killed; risk goes on -------------------------------
tail -n +"$((KILL_MARK + 1))" "$BUS" >"$DIR/after_kill.jsonl"
n=$(grep -c '"topic":"order\.' "$DIR/after_kill.jsonl")
[ "$n" = 0 ] || fail "$n orders after the kill"
grep '"topic":"hedger.reject"' "$DIR/after_kill.jsonl" | grep -q '"request_id":"forged-' &&
    fail "the hedger took a forged risk.hedge: $(grep '"request_id":"forged-' "$DIR/after_kill.jsonl" | head -1)"
grep '"topic":"hedger.control"' "$DIR/after_kill.jsonl" |
    jq -e 'select(.env.publisher == "hedger" and .hedger_control.command == "reset")' >/dev/null &&
    fail "the hedger echoed a reset"
[ -f "$KILL_FILE" ] || fail "the kill file is gone"
scrape hedger "$HEDGER_PORT" && [ "$(value hedger hb_hedger_kill_switch)" = 1 ] ||
    fail "hb_hedger_kill_switch is $(value hedger hb_hedger_kill_switch), not 1"
# heartbeats of the hedger after the forger say KILLED (status bit 1)
killed_heartbeat() {
    tail -n +"$((FORGE_MARK + 1))" "$BUS" | grep '"topic":"hb.hedger"' | tail -1 |
        jq -e '.heartbeat.status % 2 == 1' >/dev/null
}
wait_for 10 killed_heartbeat || fail "no hedger heartbeat with status KILLED after the forger"
exposures() { tail -n +"$((FORGE_MARK + 1))" "$BUS" | grep -c '"topic":"risk.exposure"'; }
at_least() { [ "$(exposures)" -ge "$1" ]; }
wait_for 30 at_least $(($(exposures) + 10)) || fail "risk stopped publishing risk.exposure after the forger ($(exposures) since)"
echo "ok   no order, no forged request taken, no reset; still KILLED; risk publishes ($(exposures) risk.exposure since)"

# --- colo back: the real feed alpha; still killed, risk goes on ------------------------
it_bg colo "$BIN/hb-run" --config "$CFG" --host colo; colo=$it_pid
ALPHA_MARK=$(wc -l <"$BUS")
alpha_back() { tail -n +"$((ALPHA_MARK + 1))" "$BUS" | grep -q '"topic":"hb.feed.alpha"'; }
wait_for 30 alpha_back || fail "feed alpha not back"
wait_for 30 at_least $(($(exposures) + 10)) ||
    fail "risk does not publish with feed alpha back"
sleep 2
tail -n +"$((KILL_MARK + 1))" "$BUS" | grep -q '"topic":"order\.' && fail "an order after feed alpha came back"
scrape hedger "$HEDGER_PORT" && [ "$(value hedger hb_hedger_kill_switch)" = 1 ] || fail "the kill switch cleared"
echo "ok   feed alpha back: risk publishes, still killed, no order"

it_stop "$colo" || fail "colo hb-run exit status $? on SIGTERM"
it_stop "$desk" || fail "desk hb-run exit status $? on SIGTERM (a component exited badly?)"
echo "ok: 17 forged messages refused and counted, nothing traded, the kill switch held"
exit 0
