#!/bin/sh
# Hyperliquid plugin end to end against a scripted local venue
# (tests/venues/hl_driver.py on venue_server.py: /info, /exchange and the
# WebSocket): hb-feed hosts the hyperliquid plugin, hb-tap watches the bus.
#  1. /info meta gives the coins their assets; after the sessions (whole
#     l2Book messages, trades, malformed JSON, an unknown channel, a book
#     with a bad level, silence, a reset, a reconnect) the last tick of each
#     perp equals the driver's last book, in bus units (BTC-PERP contracts
#     of 0.001 BTC);
#  2. the silent books were published stale and resubscribed, the feed's
#     heartbeat went stale, then healthy again;
#  3. malformed / unknown messages counted and logged, trades normalized;
#  4. SIGTERM: clean exit (ASan: no leak).
# Skips (77) when the binaries, the plugin or python3-websockets are missing.
. "$(dirname "$0")/lib/it.sh"
. "$TOP/tests/lib/venue.sh"
venue_require hyperliquid jq
it_tmpdir hyperliquid

venue_driver server hl_driver.py --expected "$DIR/expected.json" --port-file "$DIR/ports" \
    --log "$DIR/server.jsonl" --timeout 90
venue_ports "venue server did not start" ports
WS_PORT=$(venue_port ports ws_port)
HTTP_PORT=$(venue_port ports http_port)

venue_config it-hyperliquid <<EOF
assets:
  BTC: { price: 65000, vol: 0.5, drift: 0.0 }
  ETH: { price: 3400, vol: 0.6, drift: 0.0 }
venues:
  hl:
    plugin: hyperliquid
    fees: { maker: 0.00015, taker: 0.00045 }
    margin: { initial: 0.05, maintenance: 0.025 }
    collateral: { USD: 100000 }
    params:
      network: testnet
      ws_url: ws://127.0.0.1:$WS_PORT/ws
      rest_url: http://127.0.0.1:$HTTP_PORT
      stale_s: 2
    instruments:
      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, multiplier: 0.001, tick: 1, lot: 1, min: 1 }
      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, multiplier: 1, tick: 0.1, lot: 0.0001, min: 0.001 }
EOF

venue_tap 90000 tick.hl. trade.hl. hb.feed.hl
venue_feed hl

# 1. the reconnect's session has played: books equal the driver's
venue_wait_log 40 '"event": "ws_connect", "n": 1' "$DIR/server.jsonl" || fail "no reconnect after the reset"
venue_wait_log 20 '"event": "ws_sent", "n": 1' "$DIR/server.jsonl" ||
    venue_wait_log 20 '"event": "session_done", "n": 1' "$DIR/server.jsonl" || fail "session 1 did not end"
sleep 2
grep -q 'BTC-PERP: coin BTC, asset 3, szDecimals 5, maxLeverage 40' "$DIR/feed.log" ||
    fail "meta not applied: $(grep -i meta "$DIR/feed.log" | head -3)"
grep -q 'testnet: ws://127.0.0.1' "$DIR/feed.log" || fail "network switch not logged"
for p in BTC-PERP ETH-PERP; do
    venue_check_book "$p" "$p"
done
echo "ok   meta applied; last ticks equal the books the driver sent"

# 2. silence -> stale tick, resubscribed, stale heartbeat, then healthy
[ "$(grep '"event": "ws_recv", "n": 0' "$DIR/server.jsonl" | grep -c 'unsubscribe')" = 2 ] ||
    fail "want two l2Book unsubscribes (BTC, ETH): $(grep -c unsubscribe "$DIR/server.jsonl")"
grep -q 'l2Book BTC: no message for 2.0 s: resubscribing' "$DIR/feed.log" || fail "no stale BTC logged"
for s in BTC-PERP ETH-PERP; do
    jq -se --arg s "$s" '[.[] | select(.tick.symbol == $s) | .tick.flags] | index(1) != null' \
        "$DIR/tap.out" >/dev/null || fail "no stale $s tick"
done
venue_heartbeat hl
echo "ok   silent books: stale ticks and status, resubscribed, whole again"

# 3. bad input counted, trades normalized
grep -q 'message refused (3 so far)' "$DIR/feed.log" ||
    fail "malformed / unknown messages not counted: $(grep 'refused' "$DIR/feed.log" | head -5)"
venue_trades '["BTC-PERP 5001 buy 65001 25", "ETH-PERP 5002 sell 3399.5 1.5", "BTC-PERP 5003 sell 64999 500"]'
echo "ok   malformed/unknown counted, trades normalized"

# 4. clean stop
it_stop_ok "$pid_feed" "$DIR/feed.log" hb-feed
it_stop "$pid_tap"
echo "ok   clean SIGTERM"
exit 0
