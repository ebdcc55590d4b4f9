#!/bin/sh
# Determinism by sequence (docs/OPERATIONS.md, Replay and determinism): the
# deciding processes act on each input as it arrives and record the order
# they applied them in (seq.<name>); replayed in that order from the
# recording, they decide exactly what they decided live, across a SIGKILL
# and restart in the middle.
#  1. live: hb-record and the default deployment (config/default.yaml: four
#     sim venues with spot, perps, futures and options, the aggregator,
#     hb-risk, hb-hedger) in a run directory of its own, for LIVE_S s (130);
#     beta has a scheduled outage of 4 s every 50 s; trades made by hand on
#     alpha's account (sim manual trades: the config's at 40 s, more at 75
#     and 105 s) breach BTC's band, so hedges are requested and executed in
#     every life; hb-risk is killed (SIGKILL) at 60 s and started again (it
#     goes on from its checkpoint), hb-hedger at 90 s (it goes on from its
#     journal);
#  2. replay: hb-risk --replay and hb-hedger --replay of the recording;
#  3. compare every risk.hedge (id, reasons, sample, targets, inputs), every
#     risk.exposure and risk.regime (every figure, as printed: shortest round-trip decimal,
#     so equal text is equal bits) and every order (client id, venue,
#     symbol, side, qty, price), stamped with the time each was decided:
#     identical, over both lives of each process, each life deciding;
#  4. a recording with one venue's prices changed from one tick on
#     (tests/tools/hb-recmut) replays to other decisions, and one with a
#     tick left out is refused.
# Exit 77 when a binary, the sim plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-risk hb-hedger hb-record hb_venue_sim.so jq
it_tmpdir determinism
mkdir -p "$DIR/run"
LIVE_S=${LIVE_S:-130}
TOOLS=${HB_TEST_TOOLS:-$(cd "$BIN/.." && pwd)/tests/tools}
CFG=$DIR/demo.yaml
# the demo in a run directory of its own; beta's outage every 50 s; two
# more trades on alpha's account, after the restarts; a regime detector
# quick to speak (threshold 2, warm-up 10) so that risk.regime events are
# among the decisions compared
sed -e "s|^deployment: demo|deployment: demo\nrun_dir: $DIR/run|" \
    -e 's/- { at: 900, duration: 60, every: 1200 }   # seconds after the anchor/- { at: 0, duration: 4, every: 50 }/' \
    -e 's/- { after: 40, symbol: BTC-PERP, side: buy, qty: 6 }/&\n        - { after: 75, symbol: BTC-PERP, side: sell, qty: 6 }\n        - { after: 105, symbol: BTC-PERP, side: buy, qty: 5 }/' \
    -e 's/^\(      \)threshold: 9 .*/\1threshold: 2\n\1warmup: 10/' \
    "$TOP/config/default.yaml" >"$CFG"
grep -q "run_dir: $DIR/run" "$CFG" && grep -q "every: 50 }" "$CFG" && grep -q "after: 105" "$CFG" &&
    grep -q "^      warmup: 10$" "$CFG" ||
    fail "config/default.yaml changed: update the test's edits"
grep -q "^run_dir:" "$TOP/config/default.yaml" && fail "config/default.yaml names a run_dir: update the test"

stop() {   # PID...: SIGTERM to all, then each waited for and forgotten
    for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
    for p in "$@"; do it_stop "$p"; done
}
at() {     # S: sleeps until S s after the feeds started
    it_left=$(( $1 - ($(date +%s) - t0) ))
    [ "$it_left" -le 0 ] || sleep "$it_left"
}

# 1. live
it_bg record "$BIN/hb-record" --config "$CFG" --out "$DIR/rec" --fsync never; rec=$it_pid
sleep 0.5
t0=$(date +%s)
feeds=""
for v in alpha beta gamma; do
    it_bg "$v" "$BIN/hb-feed" --config "$CFG" --venue "$v"; feeds="$feeds $it_pid"
done
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"; agg=$it_pid
it_bg risk "$BIN/hb-risk" --config "$CFG"; risk=$it_pid
it_bg hedger "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid
at 60
kill -KILL "$risk"; it_stop "$risk"
it_bg risk "$BIN/hb-risk" --config "$CFG"; risk=$it_pid
at 90
kill -KILL "$hedger"; it_stop "$hedger"
it_bg hedger "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid
at "$LIVE_S"
for p in $feeds $agg $risk $hedger; do
    kill -0 "$p" 2>/dev/null || fail "a live process exited early"
done
stop $hedger $risk
stop $feeds $agg
stop $rec
echo "live run recorded ($LIVE_S s of the default deployment; risk and hedger killed and restarted)"

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
             elif .topic == "risk.regime" then
               ["regime", .env.ts_venue, .risk_regime]
             elif .topic == "risk.corr" then
               ["corr", .env.ts_venue, .risk_corr]
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
[ "$ne" -ge 60 ] || fail "only $ne risk.exposure live"
cmp -s "$DIR/live.risk" "$DIR/replay.risk" ||
    fail "hb-risk's replay decided otherwise: $(diff "$DIR/live.risk" "$DIR/replay.risk" | head -6 | cut -c1-300)"
lives=$(jq -s '[.[] | select(.topic == "risk.hedge") | .env.epoch] | unique | length' "$DIR/live.jsonl")
[ "$lives" -ge 2 ] || fail "hedge requests in only $lives life of hb-risk"
nr=$(grep -c '^\["regime"' "$DIR/live.risk")
[ "$nr" -ge 1 ] || fail "nothing to compare: no risk.regime live"
echo "ok   hb-risk replayed exactly: $nh hedge requests, $ne risk.exposure, $nr risk.regime, in both lives"
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
