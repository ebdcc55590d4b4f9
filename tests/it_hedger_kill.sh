#!/bin/sh
# The kill switch over the bus, end to end: the pipeline of
# tests/lib/hedger_pipeline.sh (long 10 BTC spot on alpha) with thin books
# (1,000 USD a level) and a slow order rate so that hedging takes several
# rounds, plus a console component (orders: true) for the operator's
# command. Checks, from what
# hb-tap saw on the bus:
#   - once hedging has started, `hb-hedger kill --bus` is echoed by the
#     hedger (by whom, how many working orders canceled: as many cancels
#     as it says), the kill file holds who set it, and no order follows the
#     echo while risk keeps asking (its requests are refused as "killed",
#     naming the operator);
#   - the latch survives a restart of hb-hedger (still refusing, still no
#     order);
#   - a reset from a component without orders: true is refused;
#     `hb-hedger reset --bus` re-arms it: orders follow the reset's echo,
#     the kill file is gone, and the book comes back inside the band.
# Exit 77 when a binary or the sim plugin is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-risk hb-hedger hb_venue_sim.so jq

NAME=hedger-kill BAND=20000
. "$TOP/tests/lib/hedger_pipeline.sh"     # DIR, CFG, BUS, pipeline_start, net_usd, inside
# thin books (about 1.5 BTC a side) and one order per venue every 2 s: a
# 10 BTC hedge takes several seconds, so the kill lands in the middle of it
sed -i -e 's/level_usd: 500000/level_usd: 1000/' -e 's/orders_per_s: 5/orders_per_s: 0.5\n    burst: 1/' "$CFG"
it_yaml_console >>"$CFG"
KILL_FILE=$DIR/run/hedger.kill

# the tap first: it sees every order
"$BIN/hb-tap" --config "$CFG" --topic order. --topic cancel. --topic hedger. --topic pos.BTC \
    --timeout-ms 120000 >"$BUS" 2>"$DIR/tap.log" & pids="$pids $!"
pipeline_start

# lines of the tap's output after the first line matching $1, matching $2
after() {
    awk -v mark="$1" -v want="$2" 'f && $0 ~ want { print } index($0, mark) { f = 1 }' "$DIR/bus.jsonl"
}
count() { grep -c "$1" "$DIR/bus.jsonl"; }
# hedging COMMAND...: COMMAND succeeds; else fail if hb-hedger exited (for wait_for)
hedging() {
    "$@" && return 0
    kill -0 "$hedger" 2>/dev/null || fail "hb-hedger exited"
    return 1
}
has_order() { grep -q '"topic":"order\.' "$DIR/bus.jsonl"; }

wait_for 60 hedging has_order || fail "no order within 60 s: hedging never started"
inside && fail "already inside the band when the kill was to be sent: the test proves nothing"
echo "hedging: $(count '"topic":"order\.') orders so far, net_usd $(net_usd)"

# -- kill over the bus -------------------------------------------------------
"$BIN/hb-hedger" --config "$CFG" kill --bus --by ops.alice --reason "it kill test" \
    >"$DIR/kill.out" 2>"$DIR/kill.log" || fail "hb-hedger kill --bus failed: $(cat "$DIR/kill.log")"
id=$(head -1 "$DIR/kill.out" | jq -r '.hedger_control.id')
echo_line=$(grep '"topic":"hedger.control"' "$DIR/kill.out" | jq -c 'select(.env.publisher == "hedger")')
[ -n "$echo_line" ] || fail "no echo of the kill from the hedger: $(cat "$DIR/kill.out")"
[ "$(echo "$echo_line" | jq -r '.hedger_control.by')" = ops.alice ] || fail "echo does not name ops.alice"
[ "$(echo "$echo_line" | jq -r '.hedger_control.command')" = kill ] || fail "echo is not a kill"
[ -f "$KILL_FILE" ] || fail "no kill file after the bus kill"
grep -q "^$id ops.alice it kill test" "$KILL_FILE" || fail "kill file does not say who: $(cat "$KILL_FILE")"
canceled=$(echo "$echo_line" | jq -r '.hedger_control.canceled')
mark="\"id\":\"$id\""
# the tap sees the hedger's echo too: everything the hedger publishes after
# it comes later in the tap's output (one socket, in order)
wait_for 10 hedging grep -q "$mark" "$DIR/bus.jsonl" || fail "the tap did not see the kill"
sleep 4         # risk keeps asking: about 40 samples outside the band
killed_after=$(after "$mark" '"reason":"killed"' | wc -l)
[ "$killed_after" -gt 0 ] || fail "no request refused as killed after the kill (no demand?)"
after "$mark" '"reason":"killed"' | head -1 | grep -q 'ops.alice' \
    || fail "the killed refusal does not name ops.alice"
orders_after=$(after "$mark" '"topic":"order\.' | wc -l)
[ "$orders_after" = 0 ] || fail "$orders_after orders sent after the kill"
cancels=$(grep -c '"topic":"cancel\.' "$DIR/bus.jsonl")
[ "$cancels" = "$canceled" ] || fail "the echo says $canceled canceled, the bus saw $cancels cancels"
inside && fail "inside the band while killed: the hedge went on"
echo "killed: echo by ops.alice, $canceled canceled, $killed_after requests refused, no order"

# -- the latch survives a restart -------------------------------------------
it_stop "$hedger"
lines=$(wc -l <"$DIR/bus.jsonl")
it_bg hedger "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid
sleep 4
kill -0 "$hedger" 2>/dev/null || fail "restarted hb-hedger exited"
tail -n +"$((lines + 1))" "$DIR/bus.jsonl" >"$DIR/restart.jsonl"
grep -q '"reason":"killed"' "$DIR/restart.jsonl" || fail "the restarted hedger does not refuse as killed"
grep -q '"topic":"order\.' "$DIR/restart.jsonl" && fail "the restarted hedger sent an order while killed"
echo "restart: still killed, $(grep -c '"reason":"killed"' "$DIR/restart.jsonl") refusals, no order"

# -- a reset from a component not trusted with orders (no orders: true) is
# refused before anything is sent (a stale reset is refused by the hedger:
# hb_hedger_test, test_bus_kill)
"$BIN/hb-hedger" --config "$CFG" reset --bus --from aggregator --timeout-ms 2000 \
    >/dev/null 2>&1 && fail "reset --bus from a component without orders: true succeeded"
[ -f "$KILL_FILE" ] || fail "the kill file went away"

# -- reset over the bus: hedging resumes -------------------------------------
"$BIN/hb-hedger" --config "$CFG" reset --bus --by ops.bob >"$DIR/reset.out" 2>"$DIR/reset.log" \
    || fail "hb-hedger reset --bus failed: $(cat "$DIR/reset.log")"
rid=$(head -1 "$DIR/reset.out" | jq -r '.hedger_control.id')
grep '"topic":"hedger.control"' "$DIR/reset.out" | jq -e 'select(.env.publisher == "hedger")
    | .hedger_control.command == "reset"' >/dev/null || fail "no reset echo: $(cat "$DIR/reset.out")"
[ -f "$KILL_FILE" ] && fail "the kill file is still there after the reset"
resumed() { after "\"id\":\"$rid\"" '"topic":"order\.' | grep -q .; }
wait_for 30 hedging resumed || fail "no order within 30 s of the reset"
wait_for 60 hedging inside || fail "pos.BTC net_usd $(net_usd) not within $BAND 60 s after the reset"
d=$(grep '"topic":"order\.' "$DIR/bus.jsonl" | jq -r '.order.client_id' | sort | uniq -d)
[ -z "$d" ] || fail "client order ids sent twice: $d"
it_stop "$hedger" || fail "hb-hedger exit status $? on SIGTERM"
echo "ok: killed over the bus, latched across a restart, reset: hedged back inside the band"
exit 0
