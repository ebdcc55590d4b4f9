#!/bin/sh
# Determinism by sequence (docs/OPERATIONS.md, Replay and determinism): the
# deciding processes act on each input as it arrives and record the order
# they applied them in (seq.<name>); replayed in that order from the
# recording, they decide exactly what they decided live, across a SIGKILL
# and restart in the middle.
#  1. live: hb-record, two sim feeds, hb-aggregator, hb-risk, hb-hedger on
#     the hedging pipeline of it_hedger_e2e with thin books (hedges happen,
#     split between the venues, and again after trades made on alpha's
#     account after each restart), for LIVE_S s; hb-risk is killed (SIGKILL)
#     a third of the way in and started again, so is hb-hedger two thirds
#     in; venue beta goes dark (SIGSTOP) for 3 s in between, so decisions
#     are made with one venue silent;
#  2. replay: hb-risk --replay and hb-hedger --replay of the recording;
#  3. compare every risk.hedge (id, reasons, sample, targets, inputs), every
#     risk.exposure (every figure, as printed: shortest round-trip decimal,
#     so equal text is equal bits) and every order (client id, venue,
#     symbol, side, qty, price), stamped with the time each was decided:
#     identical, over both lives of each process, and not empty;
#  4. a recording with one venue's prices changed from one tick on (tests/tools/hb-recmut)
#     replays to other decisions, and one with a tick left out is refused.
# Exit 77 when a binary, the sim plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-risk hb-hedger hb-record hb_venue_sim.so jq
NAME=determinism BAND=20000
. "$TOP/tests/lib/hedger_pipeline.sh"     # DIR, CFG
LIVE_S=${LIVE_S:-30}
TOOLS=${HB_TEST_TOOLS:-$(cd "$BIN/.." && pwd)/tests/tools}

# thin books (two levels of 60,000 USD on each venue): the hedge takes
# several requests, split between the venues, with orders in flight
# between them
sed -i -e 's/\(seed: [12], publish_ms: 50, spread_bps: 2, level_bps: 1, level_usd:\) 500000/\1 60000, depth: 2/' "$CFG"
[ "$(grep -c 'level_usd: 60000, depth: 2' "$CFG")" = 2 ] ||
    fail "the pipeline's config changed: update the thin books"
# someone trades on alpha's account after each restart (sim manual
# trades, LIVE_S 30: risk restarts at 10 s, the hedger at 20 s), so both
# lives of each process decide
sed -i -e "s/\(seed: 1, publish_ms: 50, spread_bps: 2, level_bps: 1, level_usd: 60000, depth: 2\)/\1, manual_trades: [ { after: $((LIVE_S / 3 + 4)), symbol: BTC-USD, side: buy, qty: 2 }, { after: $((2 * LIVE_S / 3 + 3)), symbol: BTC-USD, side: buy, qty: 3 } ]/" "$CFG"
grep -q manual_trades "$CFG" || fail "the pipeline's config changed: update the manual trades"

stop() {   # PID...: SIGTERM to all, then each waited for and forgotten
    for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
    for p in "$@"; do it_stop "$p"; done
}
third=$((LIVE_S / 3))

# 1. live
it_bg record "$BIN/hb-record" --config "$CFG" --out "$DIR/rec" --fsync never; rec=$it_pid
sleep 0.5
it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha; alpha=$it_pid
it_bg beta "$BIN/hb-feed" --config "$CFG" --venue beta; beta=$it_pid
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"; agg=$it_pid
it_bg risk "$BIN/hb-risk" --config "$CFG"; risk=$it_pid
it_bg hedger "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid
sleep "$third"
kill -KILL "$risk"; it_stop "$risk"
it_bg risk "$BIN/hb-risk" --config "$CFG"; risk=$it_pid
sleep 2
kill -STOP "$beta"; sleep 3; kill -CONT "$beta"
sleep $((third - 5))
if [ -z "$NO_HEDGER_KILL" ]; then
    kill -KILL "$hedger"; it_stop "$hedger"
    it_bg hedger "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid
fi
sleep "$third"
for p in $alpha $beta $agg $risk $hedger; do
    kill -0 "$p" 2>/dev/null || fail "a live process exited early"
done
stop $hedger $risk
stop $alpha $beta $agg
stop $rec
echo "live run recorded ($LIVE_S s, risk and hedger killed and restarted)"

# 2. replay
"$BIN/hb-risk" --config "$CFG" --replay "$DIR/rec" --out "$DIR/risk.out" >"$DIR/re-risk.log" 2>&1 ||
    fail "hb-risk --replay exited $?"
grep -q "replaying life" "$DIR/re-risk.log" || fail "hb-risk --replay replayed nothing"
[ "$(grep -c "replaying life" "$DIR/re-risk.log")" -ge 2 ] ||
    fail "hb-risk --replay did not see both lives of hb-risk"
HEDGER_REPLAY=""
if "$BIN/hb-hedger" --help 2>&1 | grep -q -- --replay; then
    HEDGER_REPLAY=1
    "$BIN/hb-hedger" --config "$CFG" --replay "$DIR/rec" --out "$DIR/hedger.out" \
        >"$DIR/re-hedger.log" 2>&1 || fail "hb-hedger --replay exited $?"
fi

# 3. compare: FILE (hb-tap JSON lines) -> decisions as text lines
decisions() {
    jq -c 'select(.env.publisher == "risk" or .env.publisher == "hedger")
           | if .topic == "risk.hedge" then
               ["hedge", .env.ts_venue, .risk_hedge]
             elif .topic == "risk.exposure" then
               ["exposure", .env.ts_venue, .risk_exposure]
             elif (.topic | startswith("order.")) then
               ["order", .order.client_id, .order.venue, .order.symbol, .order.side, .order.qty,
                .order.px]
             else empty end' "$1"
}
"$BIN/hb-tap" --in "$DIR/rec" --topic risk. --topic order. >"$DIR/live.jsonl" 2>"$DIR/tap-live.log" ||
    fail "hb-tap --in the live recording"
decisions "$DIR/live.jsonl" >"$DIR/live.all"
"$BIN/hb-tap" --in "$DIR/risk.out" >"$DIR/risk.jsonl" 2>"$DIR/tap-risk.log" ||
    fail "hb-tap --in the risk replay"
decisions "$DIR/risk.jsonl" >"$DIR/replay.risk"
grep -v '^\["order"' "$DIR/live.all" >"$DIR/live.risk"
nh=$(grep -c '^\["hedge"' "$DIR/live.risk"); ne=$(grep -c '^\["exposure"' "$DIR/live.risk")
[ "$nh" -ge 1 ] || fail "nothing to compare: no hedge request live"
[ "$ne" -ge 20 ] || fail "only $ne risk.exposure live"
cmp -s "$DIR/live.risk" "$DIR/replay.risk" ||
    fail "hb-risk's replay decided otherwise: $(diff "$DIR/live.risk" "$DIR/replay.risk" | head -6 | cut -c1-300)"
lives=$(jq -s '[.[] | select(.topic == "risk.hedge") | .env.epoch] | unique | length' "$DIR/live.jsonl")
[ "$lives" -ge 2 ] || fail "hedge requests in only $lives life of hb-risk"
echo "ok   hb-risk replayed exactly: $nh hedge requests, $ne risk.exposure, in both lives"
if [ -n "$HEDGER_REPLAY" ]; then
    "$BIN/hb-tap" --in "$DIR/hedger.out" --topic order. >"$DIR/hedger.jsonl" 2>"$DIR/tap-hedger.log" ||
        fail "hb-tap --in the hedger replay"
    decisions "$DIR/hedger.jsonl" >"$DIR/replay.orders"
    grep '^\["order"' "$DIR/live.all" >"$DIR/live.orders"
    no=$(wc -l <"$DIR/live.orders")
    [ "$no" -ge 1 ] || fail "nothing to compare: no order live"
    cmp -s "$DIR/live.orders" "$DIR/replay.orders" ||
        fail "hb-hedger's replay decided otherwise: $(diff "$DIR/live.orders" "$DIR/replay.orders" | head -6 | cut -c1-300)"
    lives=$(jq -s '[.[] | select(.topic | startswith("order.")) | .env.epoch] | unique | length' "$DIR/live.jsonl")
    [ "$lives" -ge 2 ] || fail "orders in only $lives life of hb-hedger"
    echo "ok   hb-hedger replayed exactly: $no orders, in both lives"
fi

# 4. the comparison can fail: a tick's price changed in a copy of the
# recording (that tick on) changes the decisions; a tick left out stops
# the replay
if [ -x "$TOOLS/hb-recmut" ]; then
    "$TOOLS/hb-recmut" --in "$DIR/rec" --out "$DIR/mut" --topic tick.alpha. --nth 400 --scale 1.01 \
        >"$DIR/mut.log" 2>&1 || fail "hb-recmut exited $?"
    "$BIN/hb-risk" --config "$CFG" --replay "$DIR/mut" --out "$DIR/mut.out" >"$DIR/re-mut.log" 2>&1 ||
        fail "the replay of the changed recording exited $?"
    "$BIN/hb-tap" --in "$DIR/mut.out" >"$DIR/mut.jsonl" 2>/dev/null
    decisions "$DIR/mut.jsonl" >"$DIR/mut.risk"
    cmp -s "$DIR/live.risk" "$DIR/mut.risk" && fail "a changed tick price went unnoticed"
    echo "ok   a changed tick price changes the replayed decisions"
    "$TOOLS/hb-recmut" --in "$DIR/rec" --out "$DIR/cut" --topic tick.alpha. --nth 400 --drop \
        >"$DIR/cut.log" 2>&1 || fail "hb-recmut --drop exited $?"
    "$BIN/hb-risk" --config "$CFG" --replay "$DIR/cut" --out "$DIR/cut.out" >"$DIR/re-cut.log" 2>&1 &&
        fail "the replay of a recording missing an input succeeded"
    grep -q "does not hold" "$DIR/re-cut.log" || fail "the replay did not say which input is missing"
    echo "ok   a recording missing an input is refused: $(grep -o 'applied "[^"]*"' "$DIR/re-cut.log" | head -1)"
else
    fail "$TOOLS/hb-recmut not built"
fi
exit 0
