#!/bin/sh
# hb-feed refuses a broken plugin before it touches the bus: for each of the
# deliberately broken plugins of tests/plugins (and a missing file), a config
# whose venue names it by path makes hb-feed exit non-zero with a message
# that says what is wrong, and no bus socket is created.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
PLUGINS=$(cd "$BIN/.." 2>/dev/null && pwd)/tests/plugins
if [ ! -x "$BIN/hb-feed" ] || [ ! -f "$PLUGINS/hb_venue_bad_abi.so" ]; then
    echo "skip: $BIN/hb-feed or $PLUGINS/hb_venue_*.so not built"
    exit 77
fi
DIR=$(mktemp -d /tmp/hb-it-refused.XXXXXX) || exit 1
trap 'rm -rf "$DIR"' EXIT INT TERM
failed=0

# $1 plugin path, $2 expected exit status, $3 expected text in stderr
check() {
    cat >"$DIR/c.yaml" <<EOF
hedgebus: 1
deployment: refused
run_dir: $DIR/run
log_level: info
assets:
  BTC: { price: 65000, vol: 0.5, drift: 0.0 }
venues:
  broken:
    plugin: $1
    fees: { maker: 0.0001, taker: 0.0004 }
    margin: { initial: 0.10, maintenance: 0.05 }
    collateral: { USD: 1000000 }
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001, min: 0.0001 }
components:
  console: { endpoint: ipc://$DIR/run/console.pub, orders: true }
EOF
    "$BIN/hb-feed" --config "$DIR/c.yaml" --venue broken >"$DIR/out" 2>"$DIR/err"
    rc=$?
    name=$(basename "$1")
    if [ "$rc" != "$2" ]; then
        echo "FAIL $name: exit $rc, expected $2"; sed 's/^/    /' "$DIR/err"; failed=1
    elif ! grep -qF -- "$3" "$DIR/err"; then
        echo "FAIL $name: stderr lacks '$3'"; sed 's/^/    /' "$DIR/err"; failed=1
    elif ! grep -qF -- "$1" "$DIR/err"; then
        echo "FAIL $name: the message does not name the file"; sed 's/^/    /' "$DIR/err"; failed=1
    elif [ -e "$DIR/run/feed.broken.pub" ]; then
        echo "FAIL $name: the bus was touched ($DIR/run/feed.broken.pub exists)"; failed=1
    else
        echo "ok   $name: exit $rc: $(grep -F -- "$3" "$DIR/err" | head -1 | cut -c1-200)"
    fi
}

abi=$(sed -n 's/^#define HB_PLUGIN_ABI_VERSION *\([0-9]*\).*/\1/p' "$TOP/feeds/hb_plugin.h")
check "$PLUGINS/hb_venue_bad_abi.so"      3 "built for ABI v999, this host speaks v$abi: rebuild it"
check "$PLUGINS/hb_venue_small_struct.so" 3 "struct too small: 8 bytes, need at least"
check "$PLUGINS/hb_venue_no_symbol.so"    3 "does not export 'hb_venue_plugin'"
check "$PLUGINS/hb_venue_null_op.so"      3 "required operation 'order' is NULL"
check "$PLUGINS/hb_venue_lying_size.so"   3 "but the symbol is only"
# a missing file is caught by the config check already (exit 2, file:line)
check "$DIR/nowhere/hb_venue_gone.so"     2 "no such file"
exit $failed
