#!/bin/sh
# The unit templates under config/systemd pass `systemd-analyze verify`
# without a word (an unknown key or a bad value is only a warning there, so
# any output fails), with ExecStart pointed at the built hb-run since
# /usr/local/bin is not installed here; and the settings docs/OPERATIONS.md
# relies on are there. Skips (77) without systemd-analyze or hb-run.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
command -v systemd-analyze >/dev/null || { echo "skip: systemd-analyze not installed"; exit 77; }
[ -x "$BIN/hb-run" ] || { echo "skip: $BIN/hb-run not built"; exit 77; }
UNIT=$TOP/config/systemd/hedgebus@.service
DIR=$(mktemp -d /tmp/hb-it-units.XXXXXX) || exit 1
trap 'rm -rf "$DIR"' EXIT
for key in Restart=on-failure KillMode=mixed TimeoutStopSec= User=hedgebus Type=notify WatchdogSec= \
           'ExecStart=/usr/local/bin/hb-run --config /etc/hedgebus/%i.yaml'; do
    grep -q "^$key" "$UNIT" || { echo "FAIL: no '$key' in $UNIT"; exit 1; }
done
sed "s|/usr/local/bin/hb-run|$BIN/hb-run|" "$UNIT" >"$DIR/hedgebus@desk.service"
out=$(cd "$DIR" && systemd-analyze verify ./hedgebus@desk.service 2>&1); rc=$?
[ "$rc" = 0 ] && [ -z "$out" ] || { echo "FAIL: systemd-analyze verify (rc $rc): $out"; exit 1; }
echo "ok: $UNIT verifies"
