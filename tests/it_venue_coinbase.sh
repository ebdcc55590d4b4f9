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
#  6. discovery (venues.cb.discover): products becomes instrument.cb with
#     exactly the online products in hb units (spot: coin, lot
#     base_increment; futures: contracts of contract_size, the perpetual a
#     linear perp, the dated one a future at contract_expiry);
#  5. SIGTERM: clean exit (ASan: no leak), and the secret is in no log.
# Skips (77) when the binaries, the plugin or python3-websockets are missing.
. "$(dirname "$0")/lib/it.sh"
. "$TOP/tests/lib/venue.sh"
venue_require coinbase jq
it_tmpdir coinbase

SECRET="c2VjcmV0LW5ldmVyLWluLWEtbG9n-$$"
venue_secret key "organizations/test/apiKeys/k-$$"
venue_secret secret "$SECRET"

venue_serve coinbase_driver.py
WS_PORT=$(venue_port ports ws_port)
HTTP_PORT=$(venue_port ports http_port)

venue_config it-coinbase <<EOF
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
    discover: {}
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.00000001, min: 0.00001 }
      - { symbol: ETH-USD, asset: ETH, kind: spot, tick: 0.01, lot: 0.00000001, min: 0.0001 }
EOF

venue_tap 90000 tick.cb. trade.cb. hb.feed.cb instrument.cb
venue_feed cb

# 1. the reconnect's session has played (its ticker is the last market message)
venue_wait_log 40 '"event": "ws_connect", "n": 1' "$DIR/server.jsonl" || fail "no reconnect after the reset"
venue_wait_log 20 '"event": "ws_sent", "n": 0' "$DIR/server.jsonl" || fail "session 0 did not end"
sleep 2
for p in BTC-USD ETH-USD; do
    venue_check_book "$p" "$p"
done
echo "ok   last ticks equal the books computed from the scripted messages"

# 2. gap -> resubscribe, stale ticks, stale heartbeat, then healthy again
grep '"event": "ws_recv", "n": 0' "$DIR/server.jsonl" | grep -q 'unsubscribe' ||
    fail "no level2 unsubscribe/resubscribe after the gap"
grep -q 'level2 resync' "$DIR/feed.log" || fail "no resync logged"
jq -se '[.[] | select(.tick.symbol == "BTC-USD") | .tick.flags] | index(1) != null' "$DIR/tap.out" \
    >/dev/null || fail "no stale BTC-USD tick"
venue_heartbeat cb
echo "ok   gap: level2 resubscribed, stale ticks and status, rebuilt"

# 6. discovery: exactly the online products, in hb units
venue_check_instruments cb "$DIR/expected.json.instruments"
echo "ok   discovery: instrument.cb holds exactly the venue's online products in hb units"

# 3. bad input counted, trades normalized
grep -q 'message refused (3 so far)' "$DIR/feed.log" ||
    fail "malformed / unknown messages not counted: $(grep 'refused' "$DIR/feed.log" | head -5)"
venue_trades '["BTC-USD t-1001 buy 60000.5 0.25", "ETH-USD t-1002 sell 2999.5 1.5"]'
echo "ok   malformed/unknown counted, trades normalized"

# 4. orders: signed, accepted + filled; refused by the venue
venue_order order cb BTC-USD buy 0.01 --client-id "ok-$$"
rc=$?
[ "$rc" = 0 ] || fail "order: exit $rc: $(cat "$DIR/order.out")"
venue_acks '["accepted", "done"]'
jq -se --arg id "ok-$$" '[.[] | select(.fill) | .fill] | length == 1 and .[0].px == 60050
        and .[0].qty == 0.01 and .[0].fee == 2.4 and .[0].fee_asset == "USD"
        and .[0].order_id == ("cb-oid-" + $id) and .[0].liquidity == "taker"' "$DIR/order.out" >/dev/null ||
    fail "fill: $(jq -c 'select(.fill) | .fill' "$DIR/order.out")"
venue_order reject cb ETH-USD sell 0.5 --limit 2990 --client-id "rej-$$"
rc=$?
[ "$rc" = 4 ] || fail "refused order: exit $rc (want 4): $(cat "$DIR/reject.out")"
venue_rejected INSUFFICIENT_FUND
[ "$(grep -c '"event": "sig_ok"' "$DIR/server.jsonl")" = 2 ] ||
    fail "signatures verified: $(grep -c sig_ok "$DIR/server.jsonl") ok, $(grep -c sig_bad "$DIR/server.jsonl") bad"
grep -q '"sor_limit_ioc"' "$DIR/server.jsonl" || true
echo "ok   signed orders: filled (accepted, fill, done) and refused (insufficient_collateral)"

# 5. clean stop; the secret never reached a log
it_stop_ok "$pid_feed" "$DIR/feed.log" hb-feed
it_stop "$pid_tap"
venue_no_secret "the API secret appears in a log" "$SECRET"
echo "ok   clean SIGTERM, no secret in any log"
exit 0
