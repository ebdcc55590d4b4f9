#!/bin/sh
# hb-run end to end, on a temp config (two sim venues, own run_dir):
#  1. hb-run starts one hb-feed per venue; hb-tap sees ticks from both;
#  2. feed.beta killed with -9: hb-run logs the signal, starts a new
#     process (new pid), hb-tap reports the restart of feed.beta, and beta
#     ticks again;
#  3. SIGTERM to hb-run: exit 0, and within 2 s no process is left with
#     the temp config in its command line;
#  4. hb-run killed with -9: its children go too (they asked for SIGTERM
#     on the death of their parent), within 2 s.
# Skips (77) when hb-run, hb-feed, hb-tap or the sim plugin is not built.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
for b in hb-run hb-feed hb-tap; do
    [ -x "$BIN/$b" ] || { echo "skip: $BIN/$b not built"; exit 77; }
done
[ -f "$HB_PLUGIN_PATH/hb_venue_sim.so" ] || { echo "skip: no sim plugin in $HB_PLUGIN_PATH"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }
command -v pgrep >/dev/null || { echo "skip: pgrep not installed"; exit 77; }

DIR=$(mktemp -d /tmp/hb-it-run.XXXXXX) || exit 1
CFG=$DIR/it.yaml
pids=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    pkill -9 -f -- "--config $CFG" 2>/dev/null
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
    echo "FAIL: $*"
    for f in "$DIR"/*.log; do echo "--- $f"; tail -25 "$f"; done
    exit 1
}

cat >"$CFG" <<EOF
hedgebus: 1
deployment: it-run
run_dir: $DIR/run
log_level: info
assets:
  BTC: { price: 65000, vol: 0.55 }
  ETH: { price: 3400,  vol: 0.70 }
market:
  seed: 11
  correlation: [[1.0, 0.8], [0.8, 1.0]]
venues:
  alpha:
    plugin: sim
    sim: { seed: 1, publish_ms: 100 }
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }
      - { symbol: ETH-USD, asset: ETH, kind: spot, tick: 0.01, lot: 0.001 }
  beta:
    plugin: sim
    sim: { seed: 2, publish_ms: 100, basis_bps: 3 }
    instruments:
      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.5, lot: 0.001 }
components:
  console: { endpoint: ipc://$DIR/run/console.pub, orders: true }
EOF

# the processes of this test, by their command line (hb-tap's excluded)
procs() { pgrep -f -- "--config $CFG" | while read -r p; do
    grep -q hb-tap "/proc/$p/cmdline" 2>/dev/null || echo "$p"; done; }

# gone_within TENTHS: true when no process of ours is left in time
gone_within() {
    n=0
    while [ -n "$(procs)" ]; do
        [ "$n" -ge "$1" ] && return 1
        sleep 0.1; n=$((n + 1))
    done
    return 0
}

# count_ticks VENUE: ticks of VENUE in the tap output so far
count_ticks() { grep -c "\"tick\":{\"venue\":\"$1\"" "$DIR/tap.out"; }

"$BIN/hb-tap" --config "$CFG" --timeout-ms 90000 >"$DIR/tap.out" 2>"$DIR/tap.log" &
tap=$!
pids="$pids $tap"
"$BIN/hb-run" --config "$CFG" >"$DIR/run.log" 2>&1 &
run=$!
pids="$pids $run"

wait_for() {    # wait_for TENTHS COMMAND...
    n=$1; shift
    while ! "$@"; do
        [ "$n" -le 0 ] && return 1
        sleep 0.1; n=$((n - 1))
    done
}
ticking() { [ "$(count_ticks alpha)" -ge 5 ] && [ "$(count_ticks beta)" -ge 5 ]; }
wait_for 300 ticking || fail "no ticks from both venues (alpha $(count_ticks alpha), beta $(count_ticks beta))"
grep -q '^feed.alpha | ' "$DIR/run.log" || fail "no 'feed.alpha | ' prefixed line in hb-run's output"
echo "ok   hb-run started both feeds: alpha $(count_ticks alpha), beta $(count_ticks beta) ticks; lines prefixed"

# 2. kill -9 beta
old=$(pgrep -f -- "--config $CFG --venue beta")
[ -n "$old" ] && [ "$(echo "$old" | wc -l)" = 1 ] || fail "expected one feed.beta process, got '$old'"
kill -9 "$old"
before=$(count_ticks beta)
restarted() { grep -q "\"event\":\"restart\".*\"publisher\":\"feed.beta\"\|\"publisher\":\"feed.beta\".*\"event\":\"restart\"" "$DIR/tap.out"; }
wait_for 300 restarted || fail "no restart event for feed.beta in the tap"
new=$(pgrep -f -- "--config $CFG --venue beta")
[ -n "$new" ] && [ "$new" != "$old" ] || fail "feed.beta pid $old -> '$new'"
grep -q "feed.beta (pid $old) killed by signal 9 (KILL)" "$DIR/run.log" ||
    fail "hb-run did not log the reason for pid $old"
resumed() { [ "$(count_ticks beta)" -ge $((before + 10)) ]; }
wait_for 300 resumed || fail "beta ticks did not resume ($before -> $(count_ticks beta))"
echo "ok   feed.beta killed (pid $old): logged, restarted as pid $new, restart seen by the tap, ticks resumed"
grep "feed.beta (pid $old)" "$DIR/run.log" | sed 's/^/     /'

# 3. SIGTERM: everything gone within 2 s, exit 0
kill -TERM "$tap"; wait "$tap"
[ -n "$(procs)" ] || fail "no process of the deployment before SIGTERM"
kill -TERM "$run"
gone_within 20 || fail "still running 2 s after SIGTERM: $(procs | tr '\n' ' ')"
wait "$run"; rc=$?
[ "$rc" = 0 ] || fail "hb-run exited $rc after SIGTERM"
pids=""
echo "ok   SIGTERM: hb-run exit 0, no process left within 2 s"

# 4. hb-run killed with -9: the children follow
"$BIN/hb-run" --config "$CFG" >"$DIR/run2.log" 2>&1 &
run=$!
pids="$run"
two() { [ "$(procs | wc -l)" -ge 3 ]; }
wait_for 200 two || fail "second hb-run did not start its feeds"
sleep 1
kill -9 "$run"; wait "$run" 2>/dev/null
gone_within 20 || fail "children still running 2 s after hb-run was killed: $(procs | tr '\n' ' ')"
pids=""
echo "ok   hb-run killed with -9: its feeds were gone within 2 s"
exit 0
