#!/bin/sh
# make run: starts the deployment in $CONFIG on this machine with hb-run
# (every enabled venue and component the config assigns to this host,
# supervised and restarted when one dies; all their output, each line
# prefixed with its name, in build/run/hb-run.log) and shows the live
# view of the bus (hb-top on a terminal, else the compact summary) until
# q / Ctrl-C, or for $DURATION seconds when it is > 0.
# On the way out hb-run gets SIGTERM and stops everything it started.
# The bus is recorded meanwhile (build/run/rec, the last run's only), and
# at the end hb-risk replays its decisions from the recording in the order
# it applied its inputs (docs/OPERATIONS.md, Replay and determinism) and
# says whether they came out identical (REPLAY=0 skips it).
cd "$(dirname "$0")/.." || exit 1
CONFIG=${CONFIG:-config/default.yaml}
DURATION=${DURATION:-0}
BIN=build/bin
export HB_PLUGIN_PATH=$(pwd)/build/lib/hedgebus
LOGS=build/run
LOG=$LOGS/hb-run.log
mkdir -p "$LOGS"

# The demo's run directory (journals, sockets) is its own, under
# build/run, and empty at each start (KEEP=1 keeps the last run's): the sim
# venues start from their configured accounts every run (a sim keeps no
# ledger), so an earlier run's journals would make the aggregator's
# positions and the venues' own reports disagree (docs/OPERATIONS.md,
# Reconciliation), and the demo book's breaches would be hedged already.
# A config that names its run_dir keeps it. Tools in another terminal find
# the demo with the same XDG_RUNTIME_DIR (printed below).
STATE=$(pwd)/$LOGS/state
mkdir -p "$STATE" && chmod 700 "$STATE"
export XDG_RUNTIME_DIR=$STATE

# The pre-flight checks first (config, programs, endpoints free: nothing
# serves this run directory now), so a mistake shows here rather than in
# the log.
$BIN/hb-run --config "$CONFIG" --check || exit 2
[ "${KEEP:-0}" = 1 ] || rm -rf "$STATE/hedgebus"
echo "hedgebus: demo state in $STATE/hedgebus ($([ "${KEEP:-0}" = 1 ] && echo kept || echo fresh); KEEP=1 keeps it);" \
     "from another terminal: XDG_RUNTIME_DIR=$STATE $BIN/hb-top --config $CONFIG"

REC=$LOGS/rec
rm -rf "$REC" "$LOGS/replay"
rec=""
if [ "${REPLAY:-1}" != 0 ]; then
    $BIN/hb-record --config "$CONFIG" --out "$REC" --fsync never >"$LOGS/hb-record.log" 2>&1 &
    rec=$!
fi
$BIN/hb-run --config "$CONFIG" >"$LOG" 2>&1 &
run=$!
# the replay's decisions against the recorded ones: every risk.hedge and
# risk.exposure, each with the time it was decided at
decisions() {
    $BIN/hb-tap --in "$1" --topic risk. 2>/dev/null |
        jq -c 'select(.env.publisher == "risk") | [.topic, .env.ts_venue, .risk_hedge, .risk_exposure, .risk_corr, .risk_regime, .risk_optplan]'
}
replay_check() {
    [ -n "$rec" ] && command -v jq >/dev/null || return 0
    kill -TERM "$rec" 2>/dev/null
    wait "$rec"
    if ! $BIN/hb-risk --config "$CONFIG" --replay "$REC" --out "$LOGS/replay" >"$LOGS/replay.log" 2>&1; then
        echo "hedgebus: the replay of hb-risk stopped: $(grep ERROR "$LOGS/replay.log" | tail -1)"
        return 0
    fi
    decisions "$REC" >"$LOGS/live.decisions"
    decisions "$LOGS/replay" >"$LOGS/replay.decisions"
    n=$(wc -l <"$LOGS/live.decisions")
    h=$(grep -c '^\["risk.hedge"' "$LOGS/live.decisions")
    if cmp -s "$LOGS/live.decisions" "$LOGS/replay.decisions"; then
        echo "hedgebus: hb-risk replayed from $REC: $n decisions ($h hedge requests), identical to the live run"
    else
        echo "hedgebus: hb-risk's replay differs from the live run (see $LOGS/live.decisions, $LOGS/replay.decisions)"
    fi
}
stop() {
    trap - INT TERM HUP EXIT
    kill -TERM "$run" 2>/dev/null
    wait "$run"
    rc=$?
    echo "hedgebus: stopped (hb-run exit $rc; log in $LOG)"
    [ "$rc" = 0 ] || grep -E ' (ERROR|WARN) ' "$LOG" | tail -5
    replay_check
}
trap 'stop; exit 0' INT TERM HUP
trap stop EXIT
echo "hedgebus: hb-run started (pid $run), log in $LOG"

# On a terminal the live view is hb-top (q quits); in a pipe or a log, the
# compact summary every few seconds. HB_VIEW=summary forces the latter.
if [ -t 0 ] && [ -t 1 ] && [ -x $BIN/hb-top ] && [ "${HB_VIEW:-top}" != summary ]; then
    if [ "$DURATION" -gt 0 ] 2>/dev/null; then
        timeout --foreground -s TERM "$DURATION" $BIN/hb-top --config "$CONFIG" --log "$LOGS/hb-top.log"
    else
        $BIN/hb-top --config "$CONFIG" --log "$LOGS/hb-top.log"
    fi
elif [ "$DURATION" -gt 0 ] 2>/dev/null; then
    $BIN/hb-tap --config "$CONFIG" --summary --timeout-ms $((DURATION * 1000))
else
    $BIN/hb-tap --config "$CONFIG" --summary
fi
