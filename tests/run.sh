#!/bin/sh
# Runs every test and ends with one line: "N passed, N failed, N skipped".
#  - unit tests: build/asan/tests/* (cmocka; each test case counts)
#  - fuzz smoke: build/fuzz/fuzz/* for a bounded time each
#  - static checks: cppcheck, folder-circles (tests/check_circles.py)
#  - integration: tests/it_*.sh, each one test; exit 0 pass, 77 skip
# Integration tests run the ASan+UBSan binaries: HB_BIN, HB_PLUGIN_PATH.
# TESTS="regex" (extended, e.g. "risk|hedger") runs only matching names
# (logs in build/test-logs-PID). HB_IT_JOBS: integration scripts at once.
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
ASAN=$TOP/build/asan
export HB_BIN=$ASAN/bin
export HB_PLUGIN_PATH=$ASAN/lib/hedgebus
export HB_TOP=$TOP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$TOP/tests/lsan.supp:print_suppressions=0}
export CMOCKA_MESSAGE_OUTPUT=stdout
# a subset (TESTS=...) keeps its logs apart, so runs side by side do not
# delete each other's
if [ -z "$TESTS" ]; then LOG=$TOP/build/test-logs; else LOG=$TOP/build/test-logs-$$; fi
rm -rf "$LOG"; mkdir -p "$LOG"
pass=0; fail=0; skip=0; failed_names=""

want() { [ -z "$TESTS" ] || echo "$1" | grep -Eq -- "$TESTS"; }

for t in "$ASAN"/tests/*; do
    [ -f "$t" ] && [ -x "$t" ] || continue
    name=$(basename "$t"); want "$name" || continue
    out=$LOG/$name.log
    start=$(date +%s)
    ( cd "$TOP" && timeout 600 "$t" ) >"$out" 2>&1; rc=$?
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | awk '{s+=$1} END {print s+0}')
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; fi     # crashed or sanitizer report
    pass=$((pass + p)); fail=$((fail + f))
    if [ "$f" -gt 0 ]; then
        failed_names="$failed_names $name"
        echo "FAIL $name ($p passed, $f failed, rc $rc, $(( $(date +%s) - start ))s) -- $out"
        tail -30 "$out" | sed 's/^/    /'
    else
        echo "ok   $name ($p tests, $(( $(date +%s) - start ))s)"
    fi
done

for f in "$TOP"/build/fuzz/fuzz/*; do
    [ -f "$f" ] && [ -x "$f" ] || continue
    name=$(basename "$f"); want "$name" || continue
    out=$LOG/$name.log
    corpus=$TOP/build/fuzz/corpus-$name; mkdir -p "$corpus" "$TOP/tests/corpus/$name"
    # the wire decoder every process shares gets the longest run
    secs=${FUZZ_SECONDS:-10}; [ "$name" != hb_msg_fuzz ] || secs=${FUZZ_SECONDS:-20}
    if "$f" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 "$corpus" $TOP/tests/corpus/$name >"$out" 2>&1; then
        pass=$((pass + 1)); echo "ok   $name (fuzzed ${secs}s: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$out" | awk '{print $2}') runs)"
    else
        fail=$((fail + 1)); failed_names="$failed_names $name"
        echo "FAIL $name -- $out"; tail -30 "$out" | sed 's/^/    /'
    fi
done

# Static analysis: cppcheck must stay quiet on every source (one test).
if want cppcheck; then
    if command -v cppcheck >/dev/null; then
        if cppcheck --enable=warning,performance,portability --error-exitcode=1 -q \
               -I common -I feeds -I feeds/lib -I common/testing -I feeds/lib/testing --suppress=missingIncludeSystem \
               common feeds tap record run aggregator risk hedger treasury bench tests/plugins tests/tools >"$LOG/cppcheck.log" 2>&1; then
            pass=$((pass + 1)); echo "ok   cppcheck"
        else
            fail=$((fail + 1)); failed_names="$failed_names cppcheck"
            echo "FAIL cppcheck -- $LOG/cppcheck.log"; tail -20 "$LOG/cppcheck.log" | sed 's/^/    /'
        fi
    else
        skip=$((skip + 1)); echo "skip cppcheck: not installed"
    fi
fi

# Folder circles: the files of one folder call each other as a tree, never
# in a circle (tests/check_circles.py, on the ASan build's objects; one test).
if want folder-circles; then
    if [ -d "$ASAN/obj" ]; then
        if /usr/bin/python3 "$TOP/tests/check_circles.py" --src "$TOP" "$ASAN/obj" >"$LOG/folder-circles.log" 2>&1; then
            pass=$((pass + 1)); echo "ok   folder-circles"
        else
            fail=$((fail + 1)); failed_names="$failed_names folder-circles"
            echo "FAIL folder-circles -- $LOG/folder-circles.log"; head -40 "$LOG/folder-circles.log" | sed 's/^/    /'
        fi
    else
        skip=$((skip + 1)); echo "skip folder-circles: no $ASAN/obj (make check-asan)"
    fi
fi

# Integration scripts run HB_IT_JOBS at a time (default 2): each has its
# own temp dir, ipc endpoints and free ports. A script whose header says
# "# hb-test: serial" runs alone, after the others (network namespaces, a
# machine-wide mount, or a load-sensitive kill storm).
JOBS=${HB_IT_JOBS:-2}
it_report() {       # NAME: counts and prints the result of a finished script
    rc=$(cat "$LOG/$1.rc"); took=$(cat "$LOG/$1.took")
    case $rc in
        0)  pass=$((pass + 1)); echo "ok   $1 (${took}s)" ;;
        77) skip=$((skip + 1)); echo "skip $1: $(tail -1 "$LOG/$1.log")" ;;
        *)  fail=$((fail + 1)); failed_names="$failed_names $1"
            echo "FAIL $1 (rc $rc, ${took}s) -- $LOG/$1.log"; tail -40 "$LOG/$1.log" | sed 's/^/    /' ;;
    esac
}
it_start() {        # SCRIPT NAME: runs it in the background; NAME.rc when done
    ( start=$(date +%s)
      timeout 900 sh "$1" >"$LOG/$2.log" 2>&1; echo $? >"$LOG/$2.rc.tmp"
      echo $(( $(date +%s) - start )) >"$LOG/$2.took"
      mv "$LOG/$2.rc.tmp" "$LOG/$2.rc" ) &
}
running=""
it_reap() {         # reports whatever finished; running: those still going
    still=""
    for r in $running; do
        if [ -f "$LOG/$r.rc" ]; then it_report "$r"; else still="$still $r"; fi
    done
    running=$still
}
it_count() { set -- $running; echo $#; }
serial=""
for s in "$TOP"/tests/it_*.sh; do
    [ -f "$s" ] || continue
    name=$(basename "$s" .sh); want "$name" || continue
    if grep -q '^# hb-test: serial' "$s"; then serial="$serial $s"; continue; fi
    while [ "$(it_count)" -ge "$JOBS" ]; do sleep 1; it_reap; done
    it_start "$s" "$name"; running="$running $name"
done
while [ -n "$running" ]; do sleep 1; it_reap; done
for s in $serial; do
    name=$(basename "$s" .sh)
    it_start "$s" "$name"; wait; it_report "$name"
done

[ -n "$failed_names" ] && echo "failed:$failed_names"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ] && [ $((pass + skip)) -gt 0 ]
