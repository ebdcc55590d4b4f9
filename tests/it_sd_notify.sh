#!/bin/sh
# systemd readiness and watchdog (hb_service.h), without systemd as PID 1:
# a fake NOTIFY_SOCKET (a unix datagram socket this script reads with
# python3) and WATCHDOG_USEC=200000 given to a real hb-aggregator. It must
# send READY=1 once started, then WATCHDOG=1 again and again; while its
# reactor is blocked on purpose (HB_TEST_BLOCK_FILE, a hook of the test
# build) no WATCHDOG=1 may come, and they come back once it is unblocked;
# SIGTERM gives STOPPING=1 and exit 0.
# Skips (77) without the binaries, the sim plugin or python3.
. "$(dirname "$0")/lib/it.sh"
it_require hb-aggregator hb_venue_sim.so python3
it_tmpdir sdnotify
CFG=$DIR/it.yaml
{
    it_yaml_head it-sdnotify info
    it_yaml_market 1
    echo "venues:"
    it_yaml_sim_venue alpha "collateral: { USD: 100000 }" "sim: { seed: 1, publish_ms: 50 }"
    it_yaml_instruments BTC-USD
} >"$CFG"

SOCK=$DIR/notify.sock
LOG=$DIR/notify.txt
: >"$LOG"
# one line per datagram, flushed at once
it_bg listener "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as out:
    while True:
        data = s.recv(4096).decode(errors="replace")
        for line in data.splitlines():
            out.write(line + "\n")
        out.flush()
' "$SOCK" "$LOG"
wait_for 5 test -S "$SOCK" || fail "the listener did not bind $SOCK"

BLOCK=$DIR/block
mkdir -m 700 "$DIR/run"     # hb-run or a feed makes it in a deployment
NOTIFY_SOCKET=$SOCK WATCHDOG_USEC=200000 HB_TEST_BLOCK_FILE=$BLOCK \
    it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
agg=$it_pid

count() { grep -c "^$1\$" "$LOG"; }
# lines of the log after the first one equal to $1 that are $2
count_after() { awk -v a="$1" -v b="$2" 'seen && $0 == b { n++ } $0 == a { seen = 1 } END { print n + 0 }' "$LOG"; }

wait_for 10 grep -q '^READY=1$' "$LOG" || fail "no READY=1"
wait_for 10 sh -c "[ \$(awk 'r && /^WATCHDOG=1\$/ { n++ } /^READY=1\$/ { r = 1 } END { print n + 0 }' '$LOG') -ge 3 ]" \
    || fail "fewer than 3 WATCHDOG=1 after READY=1"

touch "$BLOCK"
wait_for 10 grep -q '^STATUS=reactor blocked' "$LOG" || fail "the reactor did not block"
BLOCKED='STATUS=reactor blocked by HB_TEST_BLOCK_FILE'
# 10 watchdog periods: a live reactor would have sent 10
sleep 1
n=$(count_after "$BLOCKED" WATCHDOG=1)
[ "$n" = 0 ] || fail "$n WATCHDOG=1 while the reactor was blocked"
rm -f "$BLOCK"
wait_for 10 sh -c "[ \$(awk -v a='$BLOCKED' 'seen && /^WATCHDOG=1\$/ { n++ } \$0 == a { seen = 1 } END { print n + 0 }' '$LOG') -ge 2 ]" \
    || fail "no WATCHDOG=1 after the reactor was unblocked"

kill -TERM "$agg"
wait "$agg"; rc=$?
it_forget "$agg"
[ "$rc" = 0 ] || fail "hb-aggregator exited $rc on SIGTERM"
[ "$(count STOPPING=1)" = 1 ] || fail "no STOPPING=1 on SIGTERM"
[ "$(count READY=1)" = 1 ] || fail "READY=1 sent $(count READY=1) times"
echo "ok: READY=1, $(count WATCHDOG=1) WATCHDOG=1 (none while blocked), STOPPING=1"
