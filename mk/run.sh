#!/bin/sh
# make run: starts the deployment in $CONFIG on this machine (one hb-feed per
# enabled venue) and shows the live summary of the bus until Ctrl-C, or for
# $DURATION seconds when it is > 0. Process logs go to build/run/*.log.
# (The supervising launcher hb-run, with restarts and hosts, replaces this
# script once it exists.)
cd "$(dirname "$0")/.." || exit 1
CONFIG=${CONFIG:-config/default.yaml}
DURATION=${DURATION:-0}
BIN=build/bin
export HB_PLUGIN_PATH=$(pwd)/build/lib/hedgebus
LOGS=build/run
mkdir -p "$LOGS"

venues=$($BIN/hb-feed --config "$CONFIG" --list-venues) || exit 2
pids=""
stop() {
    trap - INT TERM EXIT
    [ -n "$pids" ] && kill $pids 2>/dev/null
    for p in $pids; do wait "$p" 2>/dev/null; done
    echo "hedgebus: stopped (logs in $LOGS/)"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

for v in $venues; do
    $BIN/hb-feed --config "$CONFIG" --venue "$v" >"$LOGS/feed.$v.log" 2>&1 &
    pids="$pids $!"
    echo "hedgebus: started feed.$v (pid $!, log $LOGS/feed.$v.log)"
done

if [ "$DURATION" -gt 0 ] 2>/dev/null; then
    $BIN/hb-tap --config "$CONFIG" --summary --timeout-ms $((DURATION * 1000)) &
else
    $BIN/hb-tap --config "$CONFIG" --summary &
fi
tap=$!
pids="$pids $tap"
wait $tap
