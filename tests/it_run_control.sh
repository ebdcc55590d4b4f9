#!/bin/sh
# hb-run's supervision and control, end to end (temp config, own run_dir):
#  1. a venue whose plugin exits at start (tests/plugins/exit_at_start.c,
#     named by a path) is retried with growing delays, read from hb-run's
#     log, and `hb-run status` shows it backing off with its restarts, last
#     exit and next retry; every component is listed;
#  2. the cause removed (the plugin file replaced by a working one), it
#     comes back by itself: running, and its heartbeat is on the bus;
#  3. `hb-run restart aggregator` restarts only the aggregator (its pid
#     changes, no other does); an unknown name is an error (exit 1);
#  4. the run dir hb-run made is 0700, its sockets and journals are not
#     open to others, the control socket is 0600;
#  5. after SIGTERM, `hb-run status` says nothing serves the run dir;
#  6. a run dir writable by others is refused: exit 2, nothing started
#     (and by --check).
# Skips (77) when a program or plugin is not built.
. "$(dirname "$0")/lib/it.sh"
it_require hb-run hb-feed hb-tap hb-aggregator hb_venue_sim.so hb_venue_example.so pgrep stat
TPLUGINS=$(cd "$BIN/.." 2>/dev/null && pwd)/tests/plugins
[ -f "$TPLUGINS/hb_venue_exit_at_start.so" ] || it_skip "$TPLUGINS/hb_venue_exit_at_start.so not built"
EXAMPLE=""
for d in $(echo "$HB_PLUGIN_PATH" | tr ':' ' '); do
    [ -f "$d/hb_venue_example.so" ] && EXAMPLE=$d/hb_venue_example.so && break
done

it_tmpdir runctl
CFG=$DIR/it.yaml
IT_TAIL=40
it_at_exit 'pkill -9 -f -- "--config $CFG" 2>/dev/null'
mkdir "$DIR/plug"
cp "$TPLUGINS/hb_venue_exit_at_start.so" "$DIR/plug/hb_venue_flaky.so"

{
    it_yaml_head it-runctl
    it_yaml_market 11
    echo "venues:"
    it_yaml_sim_venue alpha "sim: { seed: 1, publish_ms: 100 }"
    it_yaml_instruments BTC-USD ETH-USD
    cat <<EOF
  flaky:
    plugin: $DIR/plug/hb_venue_flaky.so
    fees: { maker: 0.0001, taker: 0.0004 }
    margin: { initial: 0.10, maintenance: 0.05 }
    collateral: { USD: 1000000 }
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001, min: 0.0001 }
components:
EOF
    it_yaml_aggregator
    it_yaml_console
} >"$CFG"

ctl() { "$BIN/hb-run" --config "$CFG" "$@"; }
# field COMPONENT COLUMN: a column of the status table (1 NAME, 2 STATE, 3 PID, 4 RESTARTS, ...)
field() { ctl status 2>/dev/null | awk -v n="$1" -v c="$2" '$1 == n { print $c }'; }

"$BIN/hb-tap" --config "$CFG" --topic hb.feed.flaky --timeout-ms 120000 >"$DIR/hb.out" 2>"$DIR/tap.log" &
pids="$pids $!"
it_bg run "$BIN/hb-run" --config "$CFG"; run=$it_pid

# 1. growing delays, from the log: "feed.flaky (pid N) exit status 3 after X ms; retry K in D ms"
retries() { grep -c "feed\.flaky (pid [0-9]*) exit status 3 after [0-9]* ms; retry [0-9]* in [0-9]* ms" "$DIR/run.log"; }
four() { [ "$(retries)" -ge 4 ]; }
wait_for 60 four || fail "feed.flaky retried $(retries) times, expected 4"
delays=$(grep -o "feed\.flaky (pid [0-9]*) exit status 3 after [0-9]* ms; retry [0-9]* in [0-9]* ms" "$DIR/run.log" |
         awk '{ print $NF == "ms" ? $(NF-1) : $NF }' | head -4 | tr '\n' ' ')
set -- $delays
[ "$1" -lt "$2" ] && [ "$2" -lt "$3" ] && [ "$3" -lt "$4" ] || fail "delays do not grow: $delays"
echo "ok   feed.flaky (plugin exits at start) retried with growing delays: $delays ms"

ctl status >"$DIR/status1.txt" 2>&1 || fail "hb-run status exit $?: $(cat "$DIR/status1.txt")"
for c in feed.alpha feed.flaky aggregator; do
    grep -q "^$c " "$DIR/status1.txt" || fail "status does not list $c: $(cat "$DIR/status1.txt")"
done
[ "$(wc -l <"$DIR/status1.txt")" = 4 ] || fail "status: expected a header and 3 components: $(cat "$DIR/status1.txt")"
# the flaky one, whenever we look: backing off with a next retry, or in its short run
up_or_backing() {
    line=$(ctl status | awk '$1 == "feed.flaky"')
    echo "$line" | grep -q "backing-off .* exit status 3$" || return 1
    [ "$(echo "$line" | awk '{ print $4 }')" -ge 4 ] && [ "$(echo "$line" | awk '{ print $6 }')" -ge 0 ]
}
wait_for 30 up_or_backing || fail "status: feed.flaky not seen backing off: $(ctl status)"
echo "ok   hb-run status lists every component; feed.flaky: $(ctl status | awk '$1 == "feed.flaky"' | tr -s ' ')"
[ "$(field feed.alpha 2)" = running ] && [ "$(field aggregator 2)" = running ] ||
    fail "the others are not running: $(ctl status)"

# 2. the cause removed: a working plugin in its place (renamed in: no torn file)
cp "$EXAMPLE" "$DIR/plug/.new.so" && mv "$DIR/plug/.new.so" "$DIR/plug/hb_venue_flaky.so"
heartbeat() { grep -q '"topic":"hb.feed.flaky"' "$DIR/hb.out"; }
wait_for 90 heartbeat || fail "feed.flaky did not come back (status: $(ctl status | awk '$1 == "feed.flaky"'))"
[ "$(field feed.flaky 2)" = running ] || fail "feed.flaky heartbeat seen but status says $(field feed.flaky 2)"
echo "ok   plugin fixed: feed.flaky came back by itself (pid $(field feed.flaky 3), heartbeat on the bus)"

# 3. restart the aggregator only
a0=$(field aggregator 3); f0=$(field feed.alpha 3); k0=$(field feed.flaky 3)
[ -n "$a0" ] && kill -0 "$a0" || fail "no live aggregator pid in status ($a0)"
ctl restart aggregator >"$DIR/restart.txt" 2>&1 || fail "hb-run restart aggregator exit $?: $(cat "$DIR/restart.txt")"
a1=$(field aggregator 3); f1=$(field feed.alpha 3); k1=$(field feed.flaky 3)
[ "$a1" != "$a0" ] && kill -0 "$a1" || fail "aggregator pid $a0 -> $a1"
kill -0 "$a0" 2>/dev/null && fail "the old aggregator $a0 still runs"
[ "$f1" = "$f0" ] && [ "$k1" = "$k0" ] || fail "other pids changed: feed.alpha $f0 -> $f1, feed.flaky $k0 -> $k1"
[ "$(field aggregator 2)" = running ] || fail "aggregator not running after the restart"
grep -q "aggregator restarted: pid $a0 -> $a1" "$DIR/restart.txt" || fail "restart reply: $(cat "$DIR/restart.txt")"
echo "ok   hb-run restart aggregator: pid $a0 -> $a1; feed.alpha $f0 and feed.flaky $k0 untouched"
ctl restart nosuch >"$DIR/nosuch.txt" 2>&1; rc=$?
[ "$rc" = 1 ] && grep -q "no component 'nosuch'" "$DIR/nosuch.txt" ||
    fail "restart of an unknown name: exit $rc, $(cat "$DIR/nosuch.txt")"
ctl restart >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || fail "restart without a name: exit $rc, expected 2"
echo "ok   unknown component: exit 1 ($(cat "$DIR/nosuch.txt")); no name: exit 2"

# 4. modes: nothing in the run dir is open to others
[ "$(stat -c %a "$DIR/run")" = 700 ] || fail "run dir mode $(stat -c %a "$DIR/run"), expected 700"
[ "$(stat -c %a "$DIR/run/hb-run.ctl")" = 600 ] || fail "hb-run.ctl mode $(stat -c %a "$DIR/run/hb-run.ctl")"
for f in aggregator.pub feed.alpha.pub feed.alpha.fills aggregator.journal; do
    [ -e "$DIR/run/$f" ] || fail "no $DIR/run/$f"
done
open=$(find "$DIR/run" -mindepth 1 -perm /007)
[ -z "$open" ] || fail "open to others: $(ls -l $open)"
echo "ok   run dir 0700, hb-run.ctl 0600, sockets and journals closed to others: $(cd "$DIR/run" &&
    stat -c '%n=%a' aggregator.pub feed.alpha.fills aggregator.journal | tr '\n' ' ')"

# 4b. one instance per component and run dir: a second aggregator started
# by hand is refused (the lock names the first one's pid)
"$BIN/hb-aggregator" --config "$CFG" >"$DIR/second.out" 2>&1; rc=$?
[ "$rc" = 2 ] || fail "a second aggregator: exit $rc, expected 2: $(cat "$DIR/second.out")"
grep -q "another aggregator runs on this run_dir already" "$DIR/second.out" ||
    fail "no clear reason for the second aggregator: $(cat "$DIR/second.out")"
echo "ok   a second aggregator refused: $(grep -o 'another aggregator.*' "$DIR/second.out")"

# 5. SIGTERM: then nothing answers
it_stop "$run"; rc=$?
[ "$rc" = 0 ] || fail "hb-run exited $rc after SIGTERM with everything up"
ctl status >"$DIR/after.txt" 2>&1; rc=$?
[ "$rc" = 1 ] && grep -q "no hb-run serves" "$DIR/after.txt" || fail "status after stop: exit $rc, $(cat "$DIR/after.txt")"
echo "ok   after SIGTERM (exit 0): $(cat "$DIR/after.txt")"

# 6. a run dir anyone may write to is refused before anything starts
mkdir -m 0777 "$DIR/open"
chmod 0777 "$DIR/open"
sed "s|^run_dir: .*|run_dir: $DIR/open|; s|ipc://$DIR/run/|ipc://$DIR/open/|" "$CFG" >"$DIR/open.yaml"
"$BIN/hb-run" --config "$DIR/open.yaml" >"$DIR/open.out" 2>&1; rc=$?
[ "$rc" = 2 ] || fail "hb-run on a 0777 run dir: exit $rc, expected 2: $(cat "$DIR/open.out")"
grep -q "writable by others" "$DIR/open.out" || fail "no reason given: $(cat "$DIR/open.out")"
[ -z "$(pgrep -f -- "--config $DIR/open.yaml")" ] || fail "something started on the open run dir"
# --check says so too, before anything would start
"$BIN/hb-run" --config "$DIR/open.yaml" --check >"$DIR/check.out" 2>&1; rc=$?
[ "$rc" = 2 ] && grep -q "writable by others" "$DIR/check.out" || fail "--check on a 0777 run dir: exit $rc: $(cat "$DIR/check.out")"
echo "ok   run dir 0777 refused: $(grep "writable by others" "$DIR/open.out" | head -1)"
