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
. "$(dirname "$0")/lib/it.sh"
it_require hb-run hb-feed hb-tap hb_venue_sim.so jq pgrep

it_tmpdir run
CFG=$DIR/it.yaml
it_at_exit 'pkill -9 -f -- "--config $CFG" 2>/dev/null'    # whatever hb-run left

{
    it_yaml_head it-run
    cat <<EOF
assets:
  BTC: { price: 65000, vol: 0.55 }
  ETH: { price: 3400,  vol: 0.70 }
market:
  seed: 11
  correlation: [[1.0, 0.8], [0.8, 1.0]]
venues:
EOF
    it_yaml_sim_venue alpha "sim: { seed: 1, publish_ms: 100 }"
    it_yaml_instruments BTC-USD ETH-USD
    it_yaml_sim_venue beta "sim: { seed: 2, publish_ms: 100, basis_bps: 3 }"
    echo "      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.5, lot: 0.001 }"
    echo "components:"
    it_yaml_console
} >"$CFG"

# the processes of this test, by their command line (hb-tap's excluded)
procs() { pgrep -f -- "--config $CFG" | while read -r p; do
    grep -q hb-tap "/proc/$p/cmdline" 2>/dev/null || echo "$p"; done; }
# gone: no process of ours is left
gone() { [ -z "$(procs)" ]; }

# count_ticks VENUE: ticks of VENUE in the tap output so far
count_ticks() { grep -c "\"tick\":{\"venue\":\"$1\"" "$DIR/tap.out"; }

"$BIN/hb-tap" --config "$CFG" --timeout-ms 90000 >"$DIR/tap.out" 2>"$DIR/tap.log" &
tap=$!
pids="$pids $tap"
it_bg run "$BIN/hb-run" --config "$CFG"; run=$it_pid

ticking() { [ "$(count_ticks alpha)" -ge 5 ] && [ "$(count_ticks beta)" -ge 5 ]; }
wait_for 30 ticking || fail "no ticks from both venues (alpha $(count_ticks alpha), beta $(count_ticks beta))"
grep -q '^feed.alpha | ' "$DIR/run.log" || fail "no 'feed.alpha | ' prefixed line in hb-run's output"
echo "ok   hb-run started both feeds: alpha $(count_ticks alpha), beta $(count_ticks beta) ticks; lines prefixed"

# 2. kill -9 beta
old=$(pgrep -f -- "--config $CFG --venue beta")
[ -n "$old" ] && [ "$(echo "$old" | wc -l)" = 1 ] || fail "expected one feed.beta process, got '$old'"
kill -9 "$old"
before=$(count_ticks beta)
restarted() { grep -q "\"event\":\"restart\".*\"publisher\":\"feed.beta\"\|\"publisher\":\"feed.beta\".*\"event\":\"restart\"" "$DIR/tap.out"; }
wait_for 30 restarted || fail "no restart event for feed.beta in the tap"
new=$(pgrep -f -- "--config $CFG --venue beta")
[ -n "$new" ] && [ "$new" != "$old" ] || fail "feed.beta pid $old -> '$new'"
grep -q "feed.beta (pid $old) killed by signal 9 (KILL)" "$DIR/run.log" ||
    fail "hb-run did not log the reason for pid $old"
resumed() { [ "$(count_ticks beta)" -ge $((before + 10)) ]; }
wait_for 30 resumed || fail "beta ticks did not resume ($before -> $(count_ticks beta))"
echo "ok   feed.beta killed (pid $old): logged, restarted as pid $new, restart seen by the tap, ticks resumed"
grep "feed.beta (pid $old)" "$DIR/run.log" | sed 's/^/     /'

# 3. SIGTERM: everything gone within 2 s, exit 0
it_stop "$tap"
[ -n "$(procs)" ] || fail "no process of the deployment before SIGTERM"
kill -TERM "$run"
wait_for 2 gone || fail "still running 2 s after SIGTERM: $(procs | tr '\n' ' ')"
wait "$run"; rc=$?
it_forget "$run"
[ "$rc" = 0 ] || fail "hb-run exited $rc after SIGTERM"
echo "ok   SIGTERM: hb-run exit 0, no process left within 2 s"

# 4. hb-run killed with -9: the children follow
it_bg run2 "$BIN/hb-run" --config "$CFG"; run=$it_pid
two() { [ "$(procs | wc -l)" -ge 3 ]; }
wait_for 20 two || fail "second hb-run did not start its feeds"
sleep 1
kill -9 "$run"; wait "$run" 2>/dev/null; it_forget "$run"
wait_for 2 gone || fail "children still running 2 s after hb-run was killed: $(procs | tr '\n' ' ')"
echo "ok   hb-run killed with -9: its feeds were gone within 2 s"
exit 0
