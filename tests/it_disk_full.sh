#!/bin/sh
# A full disk under a running deployment (hb-run) is a loud state that
# trades nothing and clears by itself when space comes back. The run
# directory is a small tmpfs; the pipeline of tests/lib/hedger_pipeline.sh
# (long 10 BTC spot on alpha) is hedged inside its band first. Then:
#  1. the tmpfs is filled and console orders add BTC until a journal has
#     no room left: the process that cannot journal (the aggregator: a
#     fill; or the hedger: an intent) stops and hb-run retries it with its
#     back-off (hb-run status shows it, the log says why); no hedge order
#     goes out meanwhile (risk has no positions, or the hedger is down);
#  2. the filler is removed: it comes back by itself (the feed kept the
#     fills for replay) and the hedger brings BTC back inside the band.
# Needs root (mount); exit 77 otherwise, or when a binary is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-run hb-feed hb-tap hb-aggregator hb-risk hb-hedger hb_venue_sim.so jq
[ "$(id -u)" = 0 ] || it_skip "needs root to mount a tmpfs"

NAME=disk-full BAND=20000
. "$TOP/tests/lib/hedger_pipeline.sh"       # DIR, CFG, BUS, net_usd, inside
it_yaml_console >>"$CFG"
mount -t tmpfs -o size=4m,mode=0700 tmpfs "$DIR/run" 2>/dev/null || it_skip "cannot mount a tmpfs here"
it_at_exit 'umount -l "$DIR/run" 2>/dev/null'
it_at_exit 'pkill -9 -f -- "--config $CFG" 2>/dev/null'

"$BIN/hb-tap" --config "$CFG" --topic order. --topic pos.BTC --timeout-ms 180000 >"$BUS" 2>"$DIR/tap.log" &
pids="$pids $!"
it_bg run "$BIN/hb-run" --config "$CFG"
hedged() { inside && grep -q '"publisher":"hedger"' "$BUS"; }
wait_for 60 hedged || fail "not hedged inside $BAND before the disk filled: net_usd $(net_usd)"
echo "ok   hedged inside the band: net_usd $(net_usd)"

# 1. the disk fills; fills keep arriving (console buys of 0.5 BTC) until a
# journal has no room left even in its last page: the process that cannot
# journal (the aggregator, or the hedger) stops and hb-run retries it
dd if=/dev/zero of="$DIR/run/filler" bs=4k >/dev/null 2>&1
[ "$(df --output=avail "$DIR/run" | tail -1)" -lt 16 ] || fail "the tmpfs did not fill: $(df "$DIR/run")"
down() {
    "$BIN/hb-run" --config "$CFG" status >"$DIR/status.txt" 2>&1 &&
        awk '($1 == "aggregator" || $1 == "hedger") && ($2 == "backing-off" || $4 > 0) { ok = 1 }
             END { exit !ok }' "$DIR/status.txt"
}
i=0
while ! down; do
    i=$((i + 1))
    [ $i -le 40 ] || fail "40 fills on a full disk and nothing stopped: $(cat "$DIR/status.txt")"
    "$BIN/hb-tap" --config "$CFG" --send-order alpha BTC-USD buy 0.5 --client-id "it-$$-$i" \
        --timeout-ms 5000 >>"$DIR/order.out" 2>&1
done
grep -q "No space left on device" "$DIR/run.log" ||
    fail "no reason in hb-run's log: $(grep -i "journal" "$DIR/run.log" | tail -3)"
stopped=$(awk '($1 == "aggregator" || $1 == "hedger") && ($2 == "backing-off" || $4 > 0) { print $1 }' "$DIR/status.txt" | head -1)
# what was journaled before the disk filled may still be hedged (risk knew
# it); once that is done, nothing new can be learned: the hedger goes quiet
hedger_orders() { grep -c '"publisher":"hedger"' "$BUS"; }
quiet() { q=$(hedger_orders); sleep 3; [ "$(hedger_orders)" = "$q" ]; }
wait_for 60 quiet || fail "the hedger kept trading while $stopped could not journal"
orders_before=$(hedger_orders)
sleep 4
[ "$(grep -c '"publisher":"hedger"' "$BUS")" = "$orders_before" ] ||
    fail "the hedger traded while $stopped could not journal"
echo "ok   disk full after $i fills: $stopped stopped and is retried ($(awk -v c="$stopped" '$1 == c' "$DIR/status.txt")), no hedge order meanwhile"

# 2. space comes back: everything recovers by itself
rm -f "$DIR/run/filler"
# a new hedge once the aggregator is back; when the hedger was the one
# stopped, what it sent before its journal failed may have hedged it all
running() {
    "$BIN/hb-run" --config "$CFG" status >"$DIR/status.txt" 2>&1 &&
        awk -v c="$stopped" '$1 == c && $2 == "running" { ok = 1 } END { exit !ok }' "$DIR/status.txt"
}
back() {
    hedged && running && sleep 2 && running && {
        [ "$stopped" = hedger ] || [ "$(grep -c '"publisher":"hedger"' "$BUS")" -gt "$orders_before" ]; }
}
wait_for 90 back || fail "not back inside $BAND after space returned: net_usd $(net_usd); $(tail -5 "$DIR/run.log")"
"$BIN/hb-run" --config "$CFG" status >"$DIR/status.txt" 2>&1
awk -v c="$stopped" '$1 == c && $2 == "running" { ok = 1 } END { exit !ok }' "$DIR/status.txt" ||
    fail "$stopped is not running: $(cat "$DIR/status.txt")"
echo "ok   space back: $stopped runs again, the book is hedged back inside the band: net_usd $(net_usd)"
