#!/bin/sh
# The binance plugin hosted by the real hb-feed, against the local Binance
# of tests/venues/binance_session.py (the session feeds/binance/
# binance_plugin_test.c also plays, there on an in-process host):
#  1. hb-tap sees the feed's ticks; the last one equals the book the driver
#     computed from the same messages and is not flagged stale; ticks
#     flagged HB_TICK_STALE were published (the gap, the disconnect);
#  2. an order sent with hb-tap --send-order is filled: the server verified
#     its signature (sig_ok, no sig_bad); the secret is not in the log;
#  3. SIGTERM stops the feed cleanly (exit 0: under ASan, no leak).
# Skips (77) when hb-feed, hb-tap or the plugin is not built.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
PY=/usr/bin/python3
plugin=""
for d in $(echo "$HB_PLUGIN_PATH" | tr ':' ' '); do
    [ -f "$d/hb_venue_binance.so" ] && plugin=$d/hb_venue_binance.so
done
if [ ! -x "$BIN/hb-feed" ] || [ ! -x "$BIN/hb-tap" ] || [ -z "$plugin" ] || [ ! -x $PY ]; then
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
SECRET=it-secret-$$
printf '%s\n' "$SECRET" >"$DIR/secret"
chmod 600 "$DIR/secret"
$PY "$TOP/tests/venues/binance_session.py" --port-file "$DIR/ports" --log "$DIR/server.jsonl" \
    --expected "$DIR/expected.json" --key "$KEY" --secret "$SECRET" --timeout 60 \
    >/dev/null 2>"$DIR/driver.log" &
pids="$pids $!"
n=0
while [ ! -f "$DIR/ports" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -f "$DIR/ports" ] || fail "the driver did not start"
WS=$(awk '/ws_port/ {print $2}' "$DIR/ports")
HTTP=$(awk '/http_port/ {print $2}' "$DIR/ports")

CFG=$DIR/it.yaml
{
    echo "hedgebus: 1"
    echo "deployment: it-binance"
    echo "run_dir: $DIR/run"
    echo "log_level: info"
    echo "assets:"
    echo "  BTC: { price: 100, vol: 0.55 }"
    echo "venues:"
    echo "  bnc:"
    echo "    plugin: binance"
    echo "    fees: { maker: 0.001, taker: 0.001 }"
    echo "    collateral: { USD: 100000 }"
    echo "    params:"
    echo "      market: spot"
    echo "      ws_url: \"ws://127.0.0.1:$WS\""
    echo "      rest_url: \"http://127.0.0.1:$HTTP\""
    echo "      backoff_base_ms: 50"
    echo "      backoff_max_ms: 200"
    echo "      api_key_env: HB_IT_BINANCE_KEY"
    echo "      api_secret_file: \"$DIR/secret\""
    echo "    instruments:"
    echo "      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001, min: 0.0001 }"
    echo "components:"
    echo "  console: { endpoint: ipc://$DIR/run/console.pub, orders: true }"
} >"$CFG"

"$BIN/hb-tap" --config "$CFG" --topic tick.bnc. --topic ack.bnc. --topic fill.bnc. --timeout-ms 60000 \
    >"$DIR/tap.out" 2>"$DIR/tap.log" &
pids="$pids $!"
HB_IT_BINANCE_KEY=$KEY "$BIN/hb-feed" --config "$CFG" --venue bnc >"$DIR/feed.log" 2>&1 &
pid_feed=$!
pids="$pids $pid_feed"

# 1. the final book; stale ticks on the way
check_book() {
    $PY -c '
import json, sys
exp = json.load (open (sys.argv [2]))
ticks = []
for line in open (sys.argv [1]):
    try:
        m = json.loads (line)
    except ValueError:
        continue
    if "tick" in m:
        ticks.append (m ["tick"])
if not ticks:
    print ("no ticks yet")
    sys.exit (1)
t = ticks [-1]
def side (levels):
    return [[l ["px"], l ["qty"]] if isinstance (l, dict) else list (l) for l in levels]
ok = side (t ["bids"]) == exp ["bids"] and side (t ["asks"]) == exp ["asks"] and not (t ["flags"] & 1)
stale = sum (1 for x in ticks if x ["flags"] & 1)
print ("%d ticks, %d stale, last equal: %s" % (len (ticks), stale, ok))
sys.exit (0 if ok and stale >= 2 else 1)
' "$DIR/tap.out" "$DIR/expected.json"
}
n=0
until check_book >"$DIR/check.out" 2>&1; do
    n=$((n + 1)); [ $n -lt 100 ] || fail "final book not seen: $(cat "$DIR/check.out")"
    sleep 0.2
done
echo "ok   last tick equals the driver's book; stale ticks published ($(cat "$DIR/check.out"))"

# 2. an order, signed and verified by the server
"$BIN/hb-tap" --config "$CFG" --send-order bnc BTC-USD buy 0.5 --client-id "it-$$" --timeout-ms 10000 \
    >"$DIR/order.out" 2>"$DIR/order.log" || fail "hb-tap --send-order"
n=0
until grep -q '"fill"' "$DIR/tap.out" && grep -q '"done"' "$DIR/tap.out"; do
    n=$((n + 1)); [ $n -lt 50 ] || fail "no fill or done ack on the bus"
    sleep 0.2
done
[ "$(grep -c '"event": "sig_ok"' "$DIR/server.jsonl")" -ge 1 ] || fail "the server verified no signature"
[ "$(grep -c '"event": "sig_bad"' "$DIR/server.jsonl")" = 0 ] || fail "a bad signature reached the server"
if grep -q "$SECRET" "$DIR/feed.log"; then fail "the secret is in the feed's log"; fi
echo "ok   order filled, its signature verified by the server, secret not logged"

# 3. clean stop
kill -TERM "$pid_feed"
wait "$pid_feed"; rc=$?
[ "$rc" = 0 ] || fail "hb-feed exit $rc after SIGTERM"
echo "ok   hb-feed stopped cleanly"
exit 0
