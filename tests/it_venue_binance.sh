#!/bin/sh
# The binance plugin hosted by the real hb-feed, against the local Binance
# of tests/venues/binance_session.py (the session feeds/binance/
# binance_plugin_test.c also plays, there on an in-process host):
#  1. hb-tap sees the feed's ticks; the last one equals the book the driver
#     computed from the same messages and is not flagged stale; ticks
#     flagged HB_TICK_STALE were published (the gap, the disconnect);
#  2. an order sent with hb-tap --send-order is filled: the server verified
#     its signature (sig_ok, no sig_bad); the secret is not in the log;
#  3. the user data stream: the order's stream reports publish nothing
#     twice; a resting order gets its fills (commission, maker flag) and
#     done from the stream; listenKeyExpired brings a new key and a
#     reconnect on it; the keepalive reaches the server;
#  4. SIGTERM stops the feed cleanly (exit 0: under ASan, no leak).
# Skips (77) when hb-feed, hb-tap, the plugin or python3-websockets is missing.
. "$(dirname "$0")/lib/it.sh"
. "$TOP/tests/lib/venue.sh"
venue_require binance
it_tmpdir binance

KEY=it-key-$$
SECRET=it-secret-$$
venue_secret secret "$SECRET"
venue_driver driver binance_session.py --port-file "$DIR/ports" --log "$DIR/server.jsonl" \
    --expected "$DIR/expected.json" --key "$KEY" --secret "$SECRET" --timeout 60
venue_ports "the driver did not start" ports
WS=$(venue_port ports ws_port)
HTTP=$(venue_port ports http_port)

venue_config it-binance <<EOF
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
      listen_keepalive_s: 1
      api_key_env: HB_IT_BINANCE_KEY
      api_secret_file: "$DIR/secret"
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001, min: 0.0001 }
EOF

venue_tap 60000 tick.bnc. ack.bnc. fill.bnc.
venue_feed bnc HB_IT_BINANCE_KEY="$KEY"

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
book_seen() { check_book >"$DIR/check.out" 2>&1; }
wait_for 20 book_seen || fail "final book not seen: $(cat "$DIR/check.out")"
echo "ok   last tick equals the driver's book; stale ticks published ($(cat "$DIR/check.out"))"

# 2. an order, signed and verified by the server
"$BIN/hb-tap" --config "$CFG" --send-order bnc BTC-USD buy 0.5 --client-id "it-$$" --timeout-ms 10000 \
    >"$DIR/order.out" 2>"$DIR/order.log" || fail "hb-tap --send-order"
filled() { grep -q '"fill"' "$DIR/tap.out" && grep -q '"done"' "$DIR/tap.out"; }
wait_for 10 filled || fail "no fill or done ack on the bus"
[ "$(grep -c '"event": "sig_ok"' "$DIR/server.jsonl")" -ge 1 ] || fail "the server verified no signature"
[ "$(grep -c '"event": "sig_bad"' "$DIR/server.jsonl")" = 0 ] || fail "a bad signature reached the server"
if grep -q "$SECRET" "$DIR/feed.log"; then fail "the secret is in the feed's log"; fi
echo "ok   order filled, its signature verified by the server, secret not logged"

# 3. the user data stream: the same order's reports published nothing twice;
#    a resting order's fills come from the stream (commission, maker flag);
#    listenKeyExpired -> a new key and a reconnect on it; keepalives
sent() { [ "$(grep -c '"event": "user_sent"' "$DIR/server.jsonl")" -ge 3 ]; }
wait_for 10 sent || fail "the user stream did not carry the order's reports"
sleep 1
jq -se --arg c "it-$$" '([.[] | select(.fill.client_id == $c)] | length) == 2
        and ([.[] | select(.ack.client_id == $c and .ack.status == "done")] | length) == 1' \
    "$DIR/tap.out" >/dev/null || fail "stream duplicates published: $(jq -c --arg c "it-$$" 'select(.fill.client_id == $c or .ack.client_id == $c)' "$DIR/tap.out")"
venue_order rest bnc BTC-USD buy 0.5 --limit 101 --client-id "rest-$$" || fail "resting order: exit $?"
jq -se '[.[] | select(.ack) | .ack.status] == ["accepted", "accepted", "done"]
        and ([.[] | select(.fill) | .fill] | length == 2
             and .[0].liquidity == "maker" and .[0].fee == 0.05 and .[0].fee_asset == "USD"
             and .[1].liquidity == "taker" and .[1].fee_asset == "BNB" and .[1].px == 100.5)' \
    "$DIR/rest.out" >/dev/null || fail "resting order: $(jq -c 'select(.ack or .fill)' "$DIR/rest.out")"
newkey() { grep '"event": "user_connect"' "$DIR/server.jsonl" | grep -q '"lk-2"' &&
           grep '"event": "keepalive"' "$DIR/server.jsonl" | grep -q '"ok": true'; }
wait_for 10 newkey || fail "no reconnect on a new listenKey, or no keepalive"
if grep -q '"event": "listen_bad_key"\|"event": "user_refused"' "$DIR/server.jsonl"; then
    fail "a listenKey request without the key, or a stream on a dead key"
fi
echo "ok   user stream: no duplicate fill, resting order filled from it, new listenKey, keepalive"

# 4. clean stop
it_stop_ok "$pid_feed" "$DIR/feed.log" hb-feed
echo "ok   hb-feed stopped cleanly"
exit 0
