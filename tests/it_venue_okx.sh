#!/bin/sh
# OKX plugin end to end against a scripted local venue
# (tests/venues/okx_driver.py on venue_server.py, one process for the
# public stream, one for the private stream and REST): hb-feed hosts the
# okx plugin, hb-tap watches the bus.
#  1. after the session (snapshots, updates with seqId/prevSeqId and CRC32
#     checksums, malformed JSON, an unknown event and channel, a prevSeqId
#     gap, a checksum mismatch, a reset in the middle of a burst, a
#     reconnect) the last tick of each instrument equals the book the driver
#     computed from the same messages, in bus units (contracts of 0.001 BTC
#     for BTC-PERP = BTC-USDT-SWAP with ctVal 0.01);
#  2. the gap and the bad checksum each made the plugin resubscribe that
#     book, published stale ticks and a stale heartbeat status, then
#     healthy ticks again;
#  3. malformed / unknown messages counted and logged, the feed kept
#     running; trades normalized;
#  4. the private login and every REST request were signed as OKX wants
#     (verified by the server); a buy is accepted and filled in two fills
#     from the orders channel; a sell is refused (sCode 51008 ->
#     insufficient_collateral);
#  5. SIGTERM: clean exit (ASan: no leak), no secret in any log.
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
    [ -f "$d/hb_venue_okx.so" ] && found=1
done
[ -n "$found" ] || { echo "skip: hb_venue_okx.so not in $HB_PLUGIN_PATH"; exit 77; }
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }
$PY -c 'import websockets' 2>/dev/null || { echo "skip: python3-websockets missing"; exit 77; }

DIR=$(mktemp -d /tmp/hb-it-okx.XXXXXX) || exit 1
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

SECRET="OKXSECRET0123456789ABCDEF$$"
PASSPHRASE="pass-phrase-$$"
printf 'okx-api-key-%s\n' "$$" >"$DIR/key"
printf '%s\n' "$SECRET" >"$DIR/secret"
printf '%s\n' "$PASSPHRASE" >"$DIR/passphrase"
chmod 600 "$DIR/key" "$DIR/secret" "$DIR/passphrase"

$PY "$TOP/tests/venues/okx_driver.py" --role public --expected "$DIR/expected.json" \
    --port-file "$DIR/ports.pub" --log "$DIR/public.jsonl" --timeout 90 >"$DIR/public.out" 2>"$DIR/public.log" &
pids="$pids $!"
$PY "$TOP/tests/venues/okx_driver.py" --role private --key-file "$DIR/key" --secret-file "$DIR/secret" \
    --passphrase-file "$DIR/passphrase" --port-file "$DIR/ports.priv" --log "$DIR/private.jsonl" \
    --timeout 90 >"$DIR/private.out" 2>"$DIR/private.log" &
pids="$pids $!"
n=0
while { [ ! -f "$DIR/ports.pub" ] || [ ! -f "$DIR/ports.priv" ]; } && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
[ -f "$DIR/ports.pub" ] && [ -f "$DIR/ports.priv" ] || fail "venue servers did not start"
WS_PORT=$(awk '/ws_port/ {print $2}' "$DIR/ports.pub")
PRIV_PORT=$(awk '/ws_port/ {print $2}' "$DIR/ports.priv")
HTTP_PORT=$(awk '/http_port/ {print $2}' "$DIR/ports.priv")

CFG=$DIR/it.yaml
cat >"$CFG" <<EOF
hedgebus: 1
deployment: it-okx
run_dir: $DIR/run
log_level: info
assets:
  BTC: { price: 65000, vol: 0.5, drift: 0.0 }
venues:
  okx:
    plugin: okx
    fees: { maker: 0.0008, taker: 0.001 }
    margin: { initial: 0.1, maintenance: 0.05 }
    collateral: { USD: 100000 }
    params:
      ws_url: ws://127.0.0.1:$WS_PORT/ws/v5/public
      ws_private_url: ws://127.0.0.1:$PRIV_PORT/ws/v5/private
      rest_url: http://127.0.0.1:$HTTP_PORT
      api_key_file: $DIR/key
      api_secret_file: $DIR/secret
      api_passphrase_file: $DIR/passphrase
      sym.BTC-PERP: BTC-USDT-SWAP
      ctval.BTC-PERP: "0.01"
    instruments:
      - { symbol: BTC-USDT, asset: BTC, kind: spot, tick: 0.1, lot: 0.00000001, min: 0.00001 }
      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, multiplier: 0.001, tick: 0.1, lot: 10, min: 10 }
components:
  console: { endpoint: ipc://$DIR/run/console.pub, orders: true }
EOF

"$BIN/hb-tap" --config "$CFG" --topic tick.okx. --topic trade.okx. --topic hb.feed.okx \
    --timeout-ms 90000 >"$DIR/tap.out" 2>"$DIR/tap.log" &
pid_tap=$!
pids="$pids $pid_tap"
# The plugin holds two hb_ws clients (public, private), i.e. two
# libwebsockets contexts; lws 4.1 keeps its OpenSSL ex_data index in a
# process-wide variable that the second context overwrites, so the first
# context's client SSL_CTX (the system CA store) is never freed at exit
# (warmcat/libwebsockets#2044). Only OpenSSL allocations are suppressed,
# and only for this feed.
printf 'leak:libcrypto.so\nleak:libssl.so\n' >"$DIR/lsan.supp"
LSAN_OPTIONS="suppressions=$DIR/lsan.supp:print_suppressions=0" \
    "$BIN/hb-feed" --config "$CFG" --venue okx >"$DIR/feed.log" 2>&1 &
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

# 1. the reconnect's session has played: books equal the driver's
wait_log 40 '"event": "ws_connect", "n": 1' "$DIR/public.jsonl" || fail "no reconnect after the reset"
wait_log 20 '"event": "session_done", "n": 1' "$DIR/public.jsonl" || fail "session 1 did not end"
sleep 2
for p in BTC-USDT:BTC-USDT BTC-PERP:BTC-USDT-SWAP; do
    sym=${p%%:*}; inst=${p#*:}
    jq -se --arg p "$sym" --arg i "$inst" --slurpfile want "$DIR/expected.json" '
        [.[] | select(.tick.symbol == $p)] | last | .tick as $t
        | ($want[0][$i]) as $w
        | ($t.flags == 0)
          and ($t.bids | length) == ($w.bids | length) and ($t.asks | length) == ($w.asks | length)
          and ([range(0; $w.bids | length)] | all(($t.bids[.][0] == $w.bids[.][0])
                                                 and (($t.bids[.][1] - $w.bids[.][1]) | fabs) < 1e-9))
          and ([range(0; $w.asks | length)] | all(($t.asks[.][0] == $w.asks[.][0])
                                                 and (($t.asks[.][1] - $w.asks[.][1]) | fabs) < 1e-9))' \
        "$DIR/tap.out" >/dev/null ||
        fail "$sym: last tick $(jq -c --arg p "$sym" 'select(.tick.symbol == $p) | .tick | [.flags, .bids[0:3], .asks[0:3]]' "$DIR/tap.out" | tail -1) != expected $(jq -c --arg i "$inst" '.[$i] | [.bids[0:3], .asks[0:3]]' "$DIR/expected.json")"
done
echo "ok   last ticks equal the books computed from the scripted messages"

# 2. gap and bad checksum -> resubscribe, stale, rebuilt
[ "$(grep '"event": "ws_recv", "n": 0' "$DIR/public.jsonl" | grep -c 'unsubscribe')" = 2 ] ||
    fail "want two books unsubscribes (gap, checksum): $(grep -c unsubscribe "$DIR/public.jsonl")"
grep -q 'books BTC-USDT resync (books BTC-USDT: prevSeqId' "$DIR/feed.log" || fail "no gap resync logged"
grep -q 'books BTC-USDT-SWAP resync (books BTC-USDT-SWAP: checksum' "$DIR/feed.log" ||
    fail "no checksum resync logged"
for s in BTC-USDT BTC-PERP; do
    jq -se --arg s "$s" '[.[] | select(.tick.symbol == $s) | .tick.flags] | index(1) != null' \
        "$DIR/tap.out" >/dev/null || fail "no stale $s tick"
done
jq -se '[.[] | select(.heartbeat.component == "feed.okx") | .heartbeat.status] as $s
        | ($s | index(1)) != null and ($s | last) == 0' "$DIR/tap.out" >/dev/null ||
    fail "heartbeat status never stale then healthy: $(jq -c 'select(.heartbeat) | .heartbeat.status' "$DIR/tap.out" | tr '\n' ' ')"
echo "ok   gap and checksum mismatch: resubscribed, stale ticks and status, rebuilt"

# 3. bad input counted, trades normalized
grep -q 'message refused (3 so far)' "$DIR/feed.log" ||
    fail "malformed / unknown messages not counted: $(grep 'refused' "$DIR/feed.log" | head -5)"
grep -q 'private message refused' "$DIR/feed.log" || fail "bad private message not counted"
jq -se '[.[] | select(.trade)] | map(.trade | "\(.symbol) \(.trade_id) \(.side) \(.px) \(.qty)")
        | . == ["BTC-PERP 130639474 sell 65011.5 30"]' \
    "$DIR/tap.out" >/dev/null || fail "trades: $(jq -c 'select(.trade) | .trade' "$DIR/tap.out")"
echo "ok   malformed/unknown counted, trades normalized"

# 4. login and orders signed; filled in two fills; refused
grep -q '"event": "login_ok"' "$DIR/private.jsonl" || fail "private login not verified"
"$BIN/hb-tap" --config "$CFG" --send-order okx BTC-PERP buy 20 --client-id "ok-$$" \
    --timeout-ms 20000 >"$DIR/order.out" 2>"$DIR/order.log"
rc=$?
[ "$rc" = 0 ] || fail "order: exit $rc: $(cat "$DIR/order.out")"
grep '"event": "order_ok"' "$DIR/private.jsonl" | grep -q '"sz": "2"' ||
    fail "order size not 2 OKX contracts: $(grep order_ok "$DIR/private.jsonl")"
jq -se '[.[] | select(.ack) | .ack.status] == ["accepted", "done"]' "$DIR/order.out" >/dev/null ||
    fail "acks: $(jq -c 'select(.ack) | .ack' "$DIR/order.out")"
jq -se '[.[] | select(.fill) | .fill] | length == 2 and .[0].px == 65010.5 and .[1].px == 65011.5
        and .[0].qty == 10 and .[1].qty == 10 and .[0].fee == 0.1 and .[1].fee == 0.2
        and .[0].fee_asset == "USD" and .[0].liquidity == "taker" and .[0].fill_id != .[1].fill_id' \
    "$DIR/order.out" >/dev/null || fail "fills: $(jq -c 'select(.fill) | .fill' "$DIR/order.out")"
"$BIN/hb-tap" --config "$CFG" --send-order okx BTC-USDT sell 0.01 --client-id "rej-$$" \
    --timeout-ms 20000 >"$DIR/reject.out" 2>"$DIR/reject.log"
rc=$?
[ "$rc" = 4 ] || fail "refused order: exit $rc (want 4): $(cat "$DIR/reject.out")"
jq -se '[.[] | select(.ack) | .ack] | length == 1 and .[0].status == "rejected"
        and .[0].reason == "insufficient_collateral" and (.[0].text | test("51008"))' \
    "$DIR/reject.out" >/dev/null || fail "reject: $(jq -c 'select(.ack) | .ack' "$DIR/reject.out")"
[ "$(grep -c '"event": "sig_ok"' "$DIR/private.jsonl")" = 2 ] ||
    fail "signatures verified: $(grep -c sig_ok "$DIR/private.jsonl") ok, $(grep -c sig_bad "$DIR/private.jsonl") bad"
echo "ok   signed login and orders: filled (accepted, 2 fills, done) and refused (insufficient_collateral)"

# 5. clean stop; no secret in a log
kill -TERM "$pid_feed"; wait "$pid_feed"; rc=$?
[ "$rc" = 0 ] || fail "hb-feed exited $rc after SIGTERM"
kill -TERM "$pid_tap"; wait "$pid_tap" 2>/dev/null
if grep -l -e "$SECRET" -e "$PASSPHRASE" "$DIR"/*.log "$DIR"/*.out "$DIR"/*.jsonl 2>/dev/null; then
    fail "the API secret or passphrase appears in a log"
fi
echo "ok   clean SIGTERM, no secret in any log"
exit 0
