#!/bin/sh
# The binance plugin hosted by the real hb-feed, against the local Binance
# of tests/venues/binance_session.py (the session feeds/binance/
# binance_plugin_test.c also plays, there on an in-process host):
#  1. hb-tap sees the feed's ticks; the last one equals the book the driver
#     computed from the same messages, and is not flagged stale;
#  2. ticks flagged HB_TICK_STALE were published (the gap, the disconnect);
#  3. an order sent with hb-tap --send-order is filled: the server verified
#     its signature (sig_ok, no sig_bad);
#  4. SIGTERM stops the feed cleanly (exit 0: under ASan, no leak).
# Skips (77) when hb-feed, hb-tap or the plugin is not built.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
PY=/usr/bin/python3
if [ ! -x "$BIN/hb-feed" ] || [ ! -x "$BIN/hb-tap" ] || ! ls "$HB_PLUGIN_PATH"/hb_venue_binance.so >/dev/null 2>&1 \
   || [ ! -x $PY ]; then
    echo "skip: hb-feed, hb-tap, hb_venue_binance.so or $PY missing"
    exit 77
fi

DIR=$(mktemp -d /tmp/hb-it-binance.XXXXXX) || exit 1
pids=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
    echo "FAIL: $*"
    for f in "$DIR"/*.log; do echo "--- $f"; tail -15 "$f"; done
    exit 1
}

KEY=it-key-$$
printf 'it-secret-%s\n' $$ >"$DIR/secret"
chmod 600 "$DIR/secret"
$PY "$TOP/tests/venues/binance_session.py" --port-file "$DIR/ports" --log "$DIR/server.log" \
    --expected "$DIR/expected.json" --key "$KEY" --secret "it-secret-$$" --timeout 60 >/dev/null 2>"$DIR/driver.log" &
pids="$pids $!"
n=0
while [ ! -f "$DIR/ports" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -f "$DIR/ports" ] || fail "the driver did not start"
WS=$(awk '/ws_port/ {print $2}' "$DIR/ports")
HTTP=$(awk '/http_port/ {print $2}' "$DIR/ports")

CFG=$DIR/it.yaml
cat >"$CFG" <<EOF
hedgebus: 1
deployment: it-binance
run_dir: $DIR/run
log_level: info
assets:
  BTC: { price: 100, vol: 0.55 }
venues:
  bnc:
    plugin: binance
    fees: { maker: 0.001, taker: 0.001 }
    collateral: { USD: 100000 }
    params:
      market: spot
      ws_url: "ws://127.0.0.1:$WS"
      rest_url: "http://127.0.0.1:$HTTP"
      backoff_base_ms: 50
      backoff_max_ms: 200
      api_key_env: HB_IT_BINANCE_KEY
      api_secret_file: "$DIR/secret"
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001, min: 0.0001 }
components:
  console: { endpoint: ipc://$DIR/run/console.pub, orders: true }
