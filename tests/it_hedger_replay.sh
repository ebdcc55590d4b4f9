#!/bin/sh
# hb-hedger --replay reproduces every order and hedger.reject of a live run
# (docs/OPERATIONS.md, Replay and determinism): the hedging pipeline of
# tests/lib/hedger_pipeline.sh, recorded by hb-record from before hb-hedger
# starts; hb-hedger is killed with -9 once it has sent orders and started
# again (its second life restores from its journal); ~20 s in all. Then
# `hb-hedger --replay` applies the recorded application log (seq.hedger)
# to fresh engines, and the orders (client_id, venue, symbol, side, qty,
# px, ...), cancels, hedger.reject and hedger.control echo bodies (the
# second life sees the kill file set and cleared) of the recording and of
# the replay's
# output must be the same, in the same order, and not empty. A copy of the
# live list with one order's qty changed must not compare equal (the
# compare can fail).
# Exit 77 when a binary, the sim plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-risk hb-hedger hb-record hb_venue_sim.so jq

NAME=hedger_replay BAND=20000
. "$TOP/tests/lib/hedger_pipeline.sh"     # DIR, CFG, fail

# the recorder first, and every input of the hedger's running before it
# starts: a replay needs each message the hedger applied in the recording
it_bg record "$BIN/hb-record" --config "$CFG" --out "$DIR/rec" --fsync never; rec=$it_pid
it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha
it_bg beta "$BIN/hb-feed" --config "$CFG" --venue beta
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
it_bg risk "$BIN/hb-risk" --config "$CFG"
sleep 2
it_bg hedger "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid

orders_sent() {
    kill -0 "$hedger" 2>/dev/null || fail "hb-hedger exited"
    [ "$(grep -c 'hedger: order ' "$DIR/hedger.log")" -ge 1 ]
}
wait_for 60 orders_sent || fail "no order from hb-hedger in 60 s"
sleep 3
kill -9 "$hedger"; wait "$hedger" 2>/dev/null; it_forget "$hedger"
it_bg hedger "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid
restored() { grep -q "intents" "$DIR/hedger.log"; }
wait_for 30 restored || fail "the restarted hb-hedger did not restore its journal"
sleep 3
# the kill file set and cleared: looks the second life logs and applies
# (echoes on hedger.control, and cancels of what is working)
"$BIN/hb-hedger" --config "$CFG" kill --by it --reason replay >>"$DIR/cmd.log" 2>&1 || fail "hb-hedger kill"
killed() { grep -q "KILL SWITCH SET by it" "$DIR/hedger.log"; }
wait_for 30 killed || fail "the hedger did not see the kill file"
sleep 2
"$BIN/hb-hedger" --config "$CFG" reset >>"$DIR/cmd.log" 2>&1 || fail "hb-hedger reset"
reset_seen() { grep -q "kill switch reset" "$DIR/hedger.log"; }
wait_for 30 reset_seen || fail "the hedger did not see the kill file go"
sleep 3
kill -0 "$hedger" 2>/dev/null || fail "restarted hb-hedger exited"
it_stop "$hedger" || fail "hb-hedger exit status $? on SIGTERM"
it_stop "$rec" || fail "hb-record exit status $? on SIGTERM"
it_stop_all

# the replay, into its own recording
"$BIN/hb-hedger" --config "$CFG" --replay "$DIR/rec" --out "$DIR/out" >"$DIR/replay.log" 2>&1 \
    || fail "hb-hedger --replay exit status $?"
grep -q "2 lives" "$DIR/replay.log" || fail "the replay did not go through both lives: $(tail -1 "$DIR/replay.log")"

# bodies, in order: the envelope (stamps, seq) is the bus's, not the decision's
bodies() {
    "$BIN/hb-tap" --in "$1" --topic order. --topic cancel. --topic hedger.reject \
        --topic hedger.control 2>>"$DIR/tap.log" \
        | jq -c 'select(.env.publisher == "hedger") | del(.env, .recv_ts)' >"$2" \
        || fail "hb-tap --in $1"
}
bodies "$DIR/rec" "$DIR/live.jsonl"
bodies "$DIR/out" "$DIR/replay.jsonl"
n_orders=$(grep -c '"order"' "$DIR/live.jsonl")
[ "$n_orders" -ge 1 ] || fail "no order in the recording"
grep -q '"hedger.control"' "$DIR/live.jsonl" || fail "no kill switch echo in the recording"
cmp -s "$DIR/live.jsonl" "$DIR/replay.jsonl" || {
    diff "$DIR/live.jsonl" "$DIR/replay.jsonl" | head -20
    fail "the replay's orders and rejects differ from the recording's"
}
echo "replay: $(wc -l <"$DIR/live.jsonl") orders, cancels, rejects and echoes ($n_orders orders) identical"

# the compare can fail: one order's qty changed in a copy of the live list
first=$(grep -n '"order"' "$DIR/live.jsonl" | head -1 | cut -d: -f1)
awk -v n="$first" 'NR == n { sub(/"qty":[^,}]*/, "\"qty\":12345.678") } { print }' \
    "$DIR/live.jsonl" >"$DIR/mutated.jsonl"
cmp -s "$DIR/live.jsonl" "$DIR/mutated.jsonl" && fail "the mutation changed nothing"
cmp -s "$DIR/mutated.jsonl" "$DIR/replay.jsonl" && fail "a changed order qty was not caught"
echo "ok: a changed order qty is caught"
exit 0
