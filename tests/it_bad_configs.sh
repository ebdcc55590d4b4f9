#!/bin/sh
# Every broken config under tests/configs/bad/ must stop hb-feed before it
# touches the bus: non-zero exit, and stderr naming the file, the line and
# the key path of each '# expect: LINE: KEY.PATH' line at the top of the file.
# The errors in a plugin's own sections (the sim's market: and
# venues.X.sim) come from the plugin itself, which hb-feed runs against a
# config-only host before the bus: the real sim plugin is loaded, so those
# files fail with the same FILE:LINE: KEY.PATH as the core's.
# Env (set by tests/run.sh): HB_BIN, HB_TOP, HB_PLUGIN_PATH.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
FEED=$BIN/hb-feed
if [ ! -x "$FEED" ]; then
    echo "skip: $FEED not built yet"
    exit 77
fi
cd "$TOP" || exit 1

tmp=$(mktemp -d /tmp/hb_it_bad_configs.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

pass=0; fail=0
for config in tests/configs/bad/*.yaml; do
    expects=$(sed -n 's/^# expect: \([0-9]*\): \(.*\)$/\1 \2/p' "$config")
    if [ -z "$expects" ]; then
        echo "FAIL $config: no '# expect: LINE: KEY.PATH' line"
        fail=$((fail + 1)); continue
    fi
    timeout 20 "$FEED" --config "$config" --venue alpha >"$tmp/out" 2>"$tmp/err"
    rc=$?
    problem=""
    [ "$rc" = 0 ] && problem="exit status 0"
    [ "$rc" = 124 ] && problem="still running after 20 s"
    # each expected line and key, as FILE:LINE: KEY.PATH:
    echo "$expects" | while read -r line key; do
        grep -qF "$config:$line: $key:" "$tmp/err" || echo "$config:$line: $key:"
    done >"$tmp/missing"
    [ -s "$tmp/missing" ] && problem="${problem:+$problem; }stderr lacks $(tr '\n' ' ' <"$tmp/missing")"
    if [ -z "$problem" ]; then
        echo "ok   $config (exit $rc): $(grep -F "$config:" "$tmp/err" | head -1)"
        pass=$((pass + 1))
    else
        echo "FAIL $config (exit $rc): $problem"
        sed 's/^/    /' "$tmp/err" | head -20
        fail=$((fail + 1))
    fi
done
# --check: the same checks, then exit 0 for a good config (no bus)
if "$FEED" --config config/default.yaml --venue alpha --check >"$tmp/out" 2>"$tmp/err"; then
    echo "ok   --check config/default.yaml (exit 0)"; pass=$((pass + 1))
else
    echo "FAIL --check config/default.yaml: exit $?"; sed 's/^/    /' "$tmp/err" | head; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -ge 20 ]
