#!/bin/sh
# Deribit plugin end to end against a scripted local venue
# (tests/venues/deribit_driver.py on venue_server.py, JSON-RPC over
# WebSocket): hb-feed hosts the deribit plugin, hb-tap watches the bus.
#  1. after the session (snapshots, changes, tickers, malformed JSON, an
#     unknown method, a heartbeat test_request, a change_id gap, a reset in
#     the middle of a burst, a reconnect) the last tick of the perpetual and
#     of the option equals the book the driver computed from the same
#     messages (hb units: contracts of 10 USD, option prices in USD);
#  2. the gap made the plugin resubscribe the book channel, publish a stale
#     tick and report a stale status in the feed's heartbeat, then healthy;
#  3. malformed and unknown frames were counted and logged, test_request
#     answered with public/test, the feed kept running; trades and the
#     option's mark iv came through normalized;
#  4. public/auth: the venue verified the client_signature; an order fills
#     (one fill although the venue reports the execution twice, done ack);
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
    [ -f "$d/hb_venue_deribit.so" ] && found=1
done
[ -n "$found" ] || { echo "skip: hb_venue_deribit.so not in $HB_PLUGIN_PATH"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }
$PY -c 'import websockets' 2>/dev/null || { echo "skip: python3-websockets missing"; exit 77; }

DIR=$(mktemp -d /tmp/hb-it-deribit.XXXXXX) || exit 1
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

SECRET="dRbT-secret-never-in-a-log-$$"
printf 'client-%s\n' "$$" >"$DIR/key"
printf '%s\n' "$SECRET" >"$DIR/secret"
chmod 600 "$DIR/key" "$DIR/secret"

$PY "$TOP/tests/venues/deribit_driver.py" --key-file "$DIR/key" --secret-file "$DIR/secret" \
    --expected "$DIR/expected.json" --port-file "$DIR/ports" --log "$DIR/server.jsonl" \
    --timeout 90 >"$DIR/server.out" 2>"$DIR/server.log" &
pids="$pids $!"
n=0
while [ ! -f "$DIR/ports" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -f "$DIR/ports" ] || fail "venue server did not start"
WS_PORT=$(awk '/ws_port/ {print $2}' "$DIR/ports")

OPT=BTC-27DEC30-80000-C
CFG=$DIR/it.yaml
cat >"$CFG" <<EOF
hedgebus: 1
deployment: it-deribit
run_dir: $DIR/run
log_level: info
assets:
  BTC: { price: 65000, vol: 0.5, drift: 0.0 }
venues:
  deribit:
    plugin: deribit
    fees: { maker: -0.0001, taker: 0.0005 }
    margin: { initial: 0.1, maintenance: 0.05 }
    collateral: { BTC: 10 }
    params:
      url: ws://127.0.0.1:$WS_PORT/ws/api/v2
      api_key_file: $DIR/key
      api_secret_file: $DIR/secret
      reconnect_max_ms: 1000
    instruments:
      - { symbol: BTC-PERP, asset: BTC, kind: inverse_perp, multiplier: 10, tick: 0.5, lot: 1, min: 1 }
      - { symbol: $OPT, asset: BTC, kind: option, type: call, strike: 80000,
          expiry: 2030-12-27T08:00:00Z, iv: 0.55, tick: 5, lot: 0.1, min: 0.1 }
components:
  console: { endpoint: ipc://$DIR/run/console.pub, orders: true }
EOF

"$BIN/hb-tap" --config "$CFG" --topic tick.deribit. --topic trade.deribit. --topic hb.feed.deribit \
    --timeout-ms 90000 >"$DIR/tap.out" 2>"$DIR/tap.log" &
pid_tap=$!
pids="$pids $pid_tap"
"$BIN/hb-feed" --config "$CFG" --venue deribit >"$DIR/feed.log" 2>&1 &
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

# 1. the reconnect's session has played (its trades are the last market message)
wait_log 40 '"event": "ws_connect", "n": 1' "$DIR/server.jsonl" || fail "no reconnect after the reset"
wait_log 20 '"event": "session_done", "n": 1' "$DIR/server.jsonl" || fail "session 1 did not end"
wait_log 20 '"event": "auth_ok", "n": 1' "$DIR/server.jsonl" || fail "no authentication on the reconnect"
sleep 2
for p in BTC-PERP $OPT; do
    jq -se --arg p "$p" --slurpfile want "$DIR/expected.json" '
        [.[] | select(.tick.symbol == $p)] | last | .tick as $t
        | ($want[0][$p]) as $w
        | ($t.flags == 0 or $t.flags == 4)
          and ($t.bids | length) == ($w.bids | length) and ($t.asks | length) == ($w.asks | length)
          and ([range(0; $w.bids | length)] | all((($t.bids[.][0] - $w.bids[.][0]) | fabs) < 1e-6
                                                 and (($t.bids[.][1] - $w.bids[.][1]) | fabs) < 1e-9))
          and ([range(0; $w.asks | length)] | all((($t.asks[.][0] - $w.asks[.][0]) | fabs) < 1e-6
                                                 and (($t.asks[.][1] - $w.asks[.][1]) | fabs) < 1e-9))' \
        "$DIR/tap.out" >/dev/null ||
        fail "$p: last tick $(jq -c --arg p "$p" 'select(.tick.symbol == $p) | .tick | [.flags, .bids[0:3], .asks[0:3]]' "$DIR/tap.out" | tail -1) != expected $(jq -c --arg p "$p" '.[$p] | [.bids[0:3], .asks[0:3]]' "$DIR/expected.json")"
done
echo "ok   last ticks equal the books computed from the scripted messages"

# 2. gap -> resubscription, stale tick, stale heartbeat, then healthy again
grep '"event": "ws_recv", "n": 0' "$DIR/server.jsonl" | grep -q 'public/unsubscribe' ||
    fail "no book unsubscribe/resubscribe after the gap"
grep -q '"event": "resubscribed", "n": 0' "$DIR/server.jsonl" || fail "no resubscription"
grep -q 'BTC-PERPETUAL: book gap' "$DIR/feed.log" || fail "no gap logged"
jq -se '[.[] | select(.tick.symbol == "BTC-PERP") | .tick] | any(.flags == 1 and (.bids | length) == 0)' \
    "$DIR/tap.out" >/dev/null || fail "no stale BTC-PERP tick"
jq -se '[.[] | select(.heartbeat.component == "feed.deribit") | .heartbeat.status] as $s
        | ($s | index(1)) != null and ($s | last) == 0' "$DIR/tap.out" >/dev/null ||
    fail "heartbeat status never stale then healthy: $(jq -c 'select(.heartbeat) | .heartbeat.status' "$DIR/tap.out" | tr '\n' ' ')"
echo "ok   gap: book resubscribed, stale tick and status, rebuilt"

# 3. bad input counted, heartbeat answered, trades and iv normalized
grep -q 'malformed frame: not JSON' "$DIR/feed.log" || fail "malformed frame not logged"
grep -q "ignored frame: unknown method 'mystery_method'" "$DIR/feed.log" || fail "unknown method not logged"
grep -q '"event": "test_answered", "n": 0' "$DIR/server.jsonl" || fail "test_request not answered"
jq -se --arg o "$OPT" '[.[] | select(.trade)] | map(.trade | "\(.symbol) \(.trade_id) \(.side) \(.px) \(.qty)")
        | . == ["BTC-PERP 48001 buy 65000.5 25", ($o + " 48002 sell 3315 1.5")]' \
    "$DIR/tap.out" >/dev/null || fail "trades: $(jq -c 'select(.trade) | .trade' "$DIR/tap.out")"
jq -se --arg o "$OPT" '[.[] | select(.tick.symbol == $o) | .tick] | last
        | .flags == 4 and (.mark_iv - 0.555 | fabs) < 1e-12 and (.mark - 0.0502 * 64000 | fabs) < 1e-6
          and .underlying == 64400' "$DIR/tap.out" >/dev/null ||
    fail "option tick: $(jq -c --arg o "$OPT" 'select(.tick.symbol == $o) | .tick | [.flags, .mark, .mark_iv, .underlying]' "$DIR/tap.out" | tail -1)"
echo "ok   malformed/unknown counted, test_request answered, trades and mark iv normalized"

# 4. auth verified by the venue; an order filled once; one refused
grep -q '"event": "auth_bad"' "$DIR/server.jsonl" && fail "the venue refused a signature"
"$BIN/hb-tap" --config "$CFG" --send-order deribit BTC-PERP buy 3 --limit 65020 --client-id "ok-$$" \
    --timeout-ms 20000 >"$DIR/order.out" 2>"$DIR/order.log"
rc=$?
[ "$rc" = 0 ] || fail "order: exit $rc: $(cat "$DIR/order.out")"
jq -se '[.[] | select(.ack) | .ack.status] == ["done"]' "$DIR/order.out" >/dev/null ||
    fail "acks: $(jq -c 'select(.ack) | .ack' "$DIR/order.out")"
jq -se '[.[] | select(.fill) | .fill] | length == 1 and .[0].px == 65010.5 and .[0].qty == 3
        and .[0].fee == 0.0000023 and .[0].fee_asset == "BTC" and .[0].liquidity == "taker"' \
    "$DIR/order.out" >/dev/null || fail "fill: $(jq -c 'select(.fill) | .fill' "$DIR/order.out")"
grep '"event": "order_filled"' "$DIR/server.jsonl" | grep -q '"amount": 30' ||
    fail "the venue did not get 30 USD: $(grep order_filled "$DIR/server.jsonl")"
"$BIN/hb-tap" --config "$CFG" --send-order deribit BTC-PERP sell 2 --client-id "rej-$$" \
    --timeout-ms 20000 >"$DIR/reject.out" 2>"$DIR/reject.log"
rc=$?
[ "$rc" = 4 ] || fail "refused order: exit $rc (want 4): $(cat "$DIR/reject.out")"
jq -se '[.[] | select(.ack) | .ack] | length == 1 and .[0].status == "rejected"
        and .[0].reason == "insufficient_collateral" and (.[0].text | test("not_enough_funds"))' \
    "$DIR/reject.out" >/dev/null || fail "reject: $(jq -c 'select(.ack) | .ack' "$DIR/reject.out")"
[ "$(grep -c '"event": "auth_ok"' "$DIR/server.jsonl")" -ge 2 ] || fail "not authenticated on both connections"
echo "ok   client_signature verified; order filled once (done); refused order insufficient_collateral"

# 5. clean stop; the secret never reached a log
kill -TERM "$pid_feed"; wait "$pid_feed"; rc=$?
[ "$rc" = 0 ] || fail "hb-feed exited $rc after SIGTERM"
kill -TERM "$pid_tap"; wait "$pid_tap" 2>/dev/null
if grep -l -- "$SECRET" "$DIR"/*.log "$DIR"/*.out "$DIR"/*.jsonl 2>/dev/null; then
    fail "the API secret appears in a log"
fi
echo "ok   clean SIGTERM, no secret in any log"
exit 0
