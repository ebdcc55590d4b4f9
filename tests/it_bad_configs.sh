#!/bin/sh
# Every broken config under tests/configs/bad/ must stop hb-feed before it
# touches the bus: non-zero exit, and stderr naming the file, the line and
# the key path of each '# expect: LINE: KEY.PATH' line at the top of the file.
# Env (set by tests/run.sh): HB_BIN, HB_TOP; HB_PLUGIN_PATH is extended with
# a directory holding an empty hb_venue_sim.so, so that no config fails for
# want of a built plugin (hb-feed must refuse the config before loading it).
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
mkdir "$tmp/plugins" && : >"$tmp/plugins/hb_venue_sim.so"
export HB_PLUGIN_PATH="$tmp/plugins${HB_PLUGIN_PATH:+:$HB_PLUGIN_PATH}"

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
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -ge 20 ]
