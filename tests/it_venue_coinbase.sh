#!/bin/sh
# Coinbase plugin end to end against a scripted local venue
# (tests/venues/coinbase_driver.py on venue_server.py): hb-feed hosts the
# coinbase plugin, hb-tap watches the bus.
#  1. after the session (snapshots, updates, malformed JSON, an unknown
#     channel and message type, a sequence gap, a reset in the middle of a
#     burst, a reconnect) the last tick of each product equals the book the
#     driver computed from the same messages;
#  2. the gap made the plugin resubscribe level2, published stale ticks and
#     a stale status in the feed's heartbeat, then healthy ticks again;
#  3. malformed and unknown messages were counted and logged, the feed
#     kept running; trades came through normalized;
#  4. an order: the venue verified the signature (CB-ACCESS-*), accepted,
#     the user channel filled it: accepted ack, fill, done ack;
#     an order the venue refuses: rejected ack, insufficient_collateral;
#  5. SIGTERM: clean exit (ASan: no leak), and the secret is in no log.
# Skips (77) when the binaries, the plugin or python3-websockets are missing.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
PY=/usr/bin/python3
if [ ! -x "$BIN/hb-feed" ] || [ ! -x "$BIN/hb-tap" ]; then
    echo "skip: $BIN/hb-feed or hb-tap not built"; exit 77
fi
found=""
for d in $(echo "$HB_PLUGIN_PATH" | tr ':' ' '); do
    [ -f "$d/hb_venue_coinbase.so" ] && found=1
done
[ -n "$found" ] || { echo "skip: hb_venue_coinbase.so not in $HB_PLUGIN_PATH"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }
$PY -c 'import websockets' 2>/dev/null || { echo "skip: python3-websockets missing"; exit 77; }

DIR=$(mktemp -d /tmp/hb-it-coinbase.XXXXXX) || exit 1
pids=""
cleanup() {
    for p in $pids; do kill -9 "$p" 2>/dev/null; done
    for p in $pids; do wait "$p" 2>/dev/null; done
    [ -n "$KEEP" ] || rm -rf "$DIR"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
    echo "FAIL: $*"
    for f in "$DIR"/*.log; do echo "--- $f"; tail -25 "$f"; done
    exit 1
}

SECRET="c2VjcmV0LW5ldmVyLWluLWEtbG9n-$$"
printf 'organizations/test/apiKeys/k-%s\n' "$$" >"$DIR/key"
printf '%s\n' "$SECRET" >"$DIR/secret"
chmod 600 "$DIR/key" "$DIR/secret"

$PY "$TOP/tests/venues/coinbase_driver.py" --key-file "$DIR/key" --secret-file "$DIR/secret" \
    --expected "$DIR/expected.json" --port-file "$DIR/ports" --log "$DIR/server.jsonl" \
    --timeout 90 >"$DIR/server.out" 2>"$DIR/server.log" &
pids="$pids $!"
n=0
while [ ! -f "$DIR/ports" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -f "$DIR/ports" ] || fail "venue server did not start"
WS_PORT=$(awk '/ws_port/ {print $2}' "$DIR/ports")
HTTP_PORT=$(awk '/http_port/ {print $2}' "$DIR/ports")

CFG=$DIR/it.yaml
cat >"$CFG" <<EOF
hedgebus: 1
deployment: it-coinbase
run_dir: $DIR/run
log_level: info
assets:
  BTC: { price: 60000, vol: 0.5, drift: 0.0 }
  ETH: { price: 3000,  vol: 0.6, drift: 0.0 }
venues:
  cb:
    plugin: coinbase
    fees: { maker: 0.004, taker: 0.006 }
    margin: { initial: 1.0, maintenance: 1.0 }
    collateral: { USD: 100000 }
    params:
      ws_url: ws://127.0.0.1:$WS_PORT/
      rest_url: http://127.0.0.1:$HTTP_PORT
      api_key_file: $DIR/key
      api_secret_file: $DIR/secret
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.00000001, min: 0.00001 }
      - { symbol: ETH-USD, asset: ETH, kind: spot, tick: 0.01, lot: 0.00000001, min: 0.0001 }
components:
  console: { endpoint: ipc://$DIR/run/console.pub, orders: true }
EOF

"$BIN/hb-tap" --config "$CFG" --topic tick.cb. --topic trade.cb. --topic hb.feed.cb \
    --timeout-ms 90000 >"$DIR/tap.out" 2>"$DIR/tap.log" &
pid_tap=$!
pids="$pids $pid_tap"
"$BIN/hb-feed" --config "$CFG" --venue cb >"$DIR/feed.log" 2>&1 &
pid_feed=$!
pids="$pids $pid_feed"

wait_log() {    # wait_log SECONDS PATTERN FILE
    n=0
    while [ $n -lt $(($1 * 5)) ]; do
        grep -q -- "$2" "$3" 2>/dev/null && return 0
        kill -0 "$pid_feed" 2>/dev/null || fail "hb-feed died"
        sleep 0.2; n=$((n + 1))
    done
    return 1
}

# 1. the reconnect's session has played (its ticker is the last market message)
wait_log 40 '"event": "ws_connect", "n": 1' "$DIR/server.jsonl" || fail "no reconnect after the reset"
wait_log 20 '"event": "ws_sent", "n": 0' "$DIR/server.jsonl" || fail "session 0 did not end"
sleep 2
for p in BTC-USD ETH-USD; do
    jq -se --arg p "$p" --slurpfile want "$DIR/expected.json" '
        [.[] | select(.tick.symbol == $p)] | last | .tick as $t
        | ($want[0][$p]) as $w
        | ($t.flags == 0)
          and ($t.bids | length) == ($w.bids | length) and ($t.asks | length) == ($w.asks | length)
          and ([range(0; $w.bids | length)] | all(($t.bids[.][0] == $w.bids[.][0])
                                                 and (($t.bids[.][1] - $w.bids[.][1]) | fabs) < 1e-9))
          and ([range(0; $w.asks | length)] | all(($t.asks[.][0] == $w.asks[.][0])
                                                 and (($t.asks[.][1] - $w.asks[.][1]) | fabs) < 1e-9))' \
        "$DIR/tap.out" >/dev/null ||
        fail "$p: last tick $(jq -c --arg p "$p" 'select(.tick.symbol == $p) | .tick | [.flags, .bids[0:3], .asks[0:3]]' "$DIR/tap.out" | tail -1) != expected $(jq -c --arg p "$p" '.[$p] | [.bids[0:3], .asks[0:3]]' "$DIR/expected.json")"
done
echo "ok   last ticks equal the books computed from the scripted messages"

# 2. gap -> resubscribe, stale ticks, stale heartbeat, then healthy again
grep '"event": "ws_recv", "n": 0' "$DIR/server.jsonl" | grep -q 'unsubscribe' ||
    fail "no level2 unsubscribe/resubscribe after the gap"
grep -q 'level2 resync' "$DIR/feed.log" || fail "no resync logged"
jq -se '[.[] | select(.tick.symbol == "BTC-USD") | .tick.flags] | index(1) != null' "$DIR/tap.out" \
    >/dev/null || fail "no stale BTC-USD tick"
jq -se '[.[] | select(.heartbeat.component == "feed.cb") | .heartbeat.status] as $s
        | ($s | index(1)) != null and ($s | last) == 0' "$DIR/tap.out" >/dev/null ||
    fail "heartbeat status never stale then healthy: $(jq -c 'select(.heartbeat) | .heartbeat.status' "$DIR/tap.out" | tr '\n' ' ')"
echo "ok   gap: level2 resubscribed, stale ticks and status, rebuilt"

# 3. bad input counted, trades normalized
grep -q 'message refused (3 so far)' "$DIR/feed.log" ||
    fail "malformed / unknown messages not counted: $(grep 'refused' "$DIR/feed.log" | head -5)"
jq -se '[.[] | select(.trade)] | map(.trade | "\(.symbol) \(.trade_id) \(.side) \(.px) \(.qty)")
        | . == ["BTC-USD t-1001 buy 60000.5 0.25", "ETH-USD t-1002 sell 2999.5 1.5"]' \
    "$DIR/tap.out" >/dev/null || fail "trades: $(jq -c 'select(.trade) | .trade' "$DIR/tap.out")"
echo "ok   malformed/unknown counted, trades normalized"

# 4. orders: signed, accepted + filled; refused by the venue
"$BIN/hb-tap" --config "$CFG" --send-order cb BTC-USD buy 0.01 --client-id "ok-$$" \
    --timeout-ms 20000 >"$DIR/order.out" 2>"$DIR/order.log"
rc=$?
[ "$rc" = 0 ] || fail "order: exit $rc: $(cat "$DIR/order.out")"
jq -se '[.[] | select(.ack) | .ack.status] == ["accepted", "done"]' "$DIR/order.out" >/dev/null ||
    fail "acks: $(jq -c 'select(.ack) | .ack' "$DIR/order.out")"
jq -se --arg id "ok-$$" '[.[] | select(.fill) | .fill] | length == 1 and .[0].px == 60050
        and .[0].qty == 0.01 and .[0].fee == 2.4 and .[0].fee_asset == "USD"
        and .[0].order_id == ("cb-oid-" + $id) and .[0].liquidity == "taker"' "$DIR/order.out" >/dev/null ||
    fail "fill: $(jq -c 'select(.fill) | .fill' "$DIR/order.out")"
"$BIN/hb-tap" --config "$CFG" --send-order cb ETH-USD sell 0.5 --limit 2990 --client-id "rej-$$" \
    --timeout-ms 20000 >"$DIR/reject.out" 2>"$DIR/reject.log"
rc=$?
[ "$rc" = 4 ] || fail "refused order: exit $rc (want 4): $(cat "$DIR/reject.out")"
jq -se '[.[] | select(.ack) | .ack] | length == 1 and .[0].status == "rejected"
        and .[0].reason == "insufficient_collateral" and (.[0].text | test("INSUFFICIENT_FUND"))' \
    "$DIR/reject.out" >/dev/null || fail "reject: $(jq -c 'select(.ack) | .ack' "$DIR/reject.out")"
[ "$(grep -c '"event": "sig_ok"' "$DIR/server.jsonl")" = 2 ] ||
    fail "signatures verified: $(grep -c sig_ok "$DIR/server.jsonl") ok, $(grep -c sig_bad "$DIR/server.jsonl") bad"
grep -q '"sor_limit_ioc"' "$DIR/server.jsonl" || true
echo "ok   signed orders: filled (accepted, fill, done) and refused (insufficient_collateral)"

# 5. clean stop; the secret never reached a log
kill -TERM "$pid_feed"; wait "$pid_feed"; rc=$?
[ "$rc" = 0 ] || fail "hb-feed exited $rc after SIGTERM"
kill -TERM "$pid_tap"; wait "$pid_tap" 2>/dev/null
if grep -l -- "$SECRET" "$DIR"/*.log "$DIR"/*.out "$DIR"/*.jsonl 2>/dev/null; then
    fail "the API secret appears in a log"
fi
echo "ok   clean SIGTERM, no secret in any log"
exit 0
