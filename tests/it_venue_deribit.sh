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
#  4b. an order whose answer is lost in a disconnect is asked about after
#     the reconnect: done + one fill; one the venue never saw: rejected;
#  4c. an option leg of a hedge plan (risk.optplan as hb-hedger sends it:
#     limit IOC in USD, client id <plan>.<leg>): the venue gets a sell of
#     the option in BTC at the limit over the index, on the option tick,
#     IOC; it fills once, back in USD at the trade's index, fee in BTC;
#  6. discovery (venues.deribit.discover): public/get_instruments answered
#     by the venue becomes instrument.deribit with the right contract units
#     (inverse perp and future: USD contracts; the linear USDC perp: coin
#     per contract; the option: one coin; lots in contracts), a combo is
#     left out, and the put the second connection's answer no longer lists
#     is delisted: the bus ends with exactly what the venue lists.
#  5. SIGTERM: clean exit (ASan: no leak), and the secret is in no log.
# Skips (77) when the binaries, the plugin or python3-websockets are missing.
. "$(dirname "$0")/lib/it.sh"
. "$TOP/tests/lib/venue.sh"
venue_require deribit jq
it_tmpdir deribit

SECRET="dRbT-secret-never-in-a-log-$$"
venue_secret key "client-$$"
venue_secret secret "$SECRET"

venue_serve deribit_driver.py
WS_PORT=$(venue_port ports ws_port)

OPT=BTC-27DEC30-80000-C
venue_config it-deribit <<EOF
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
    discover: { assets: [BTC] }
    instruments:
      - { symbol: BTC-PERP, asset: BTC, kind: inverse_perp, multiplier: 10, tick: 0.5, lot: 1, min: 1 }
      - { symbol: $OPT, asset: BTC, kind: option, type: call, strike: 80000,
          expiry: 2030-12-27T08:00:00Z, iv: 0.55, tick: 5, lot: 0.1, min: 0.1 }
EOF

venue_tap 90000 tick.deribit. trade.deribit. hb.feed.deribit instrument.deribit
venue_feed deribit

# 1. the reconnect's session has played (its trades are the last market message)
venue_wait_log 40 '"event": "ws_connect", "n": 1' "$DIR/server.jsonl" || fail "no reconnect after the reset"
venue_wait_log 20 '"event": "session_done", "n": 1' "$DIR/server.jsonl" || fail "session 1 did not end"
venue_wait_log 20 '"event": "auth_ok", "n": 1' "$DIR/server.jsonl" || fail "no authentication on the reconnect"
sleep 2
for p in BTC-PERP $OPT; do
    venue_check_book "$p" "$p" "[0, 4]" 1e-6
done
echo "ok   last ticks equal the books computed from the scripted messages"

# 2. gap -> resubscription, stale tick, stale heartbeat, then healthy again
grep '"event": "ws_recv", "n": 0' "$DIR/server.jsonl" | grep -q 'public/unsubscribe' ||
    fail "no book unsubscribe/resubscribe after the gap"
grep -q '"event": "resubscribed", "n": 0' "$DIR/server.jsonl" || fail "no resubscription"
grep -q 'BTC-PERPETUAL: book gap' "$DIR/feed.log" || fail "no gap logged"
jq -se '[.[] | select(.tick.symbol == "BTC-PERP") | .tick] | any(.flags == 1 and (.bids | length) == 0)' \
    "$DIR/tap.out" >/dev/null || fail "no stale BTC-PERP tick"
venue_heartbeat deribit
echo "ok   gap: book resubscribed, stale tick and status, rebuilt"

# 3. bad input counted, heartbeat answered, trades and iv normalized
grep -q 'malformed frame: not JSON' "$DIR/feed.log" || fail "malformed frame not logged"
grep -q "ignored frame: unknown method 'mystery_method'" "$DIR/feed.log" || fail "unknown method not logged"
grep -q '"event": "test_answered", "n": 0' "$DIR/server.jsonl" || fail "test_request not answered"
venue_trades '["BTC-PERP 48001 buy 65000.5 25", "'"$OPT"' 48002 sell 3315 1.5"]'
jq -se --arg o "$OPT" '[.[] | select(.tick.symbol == $o) | .tick] | last
        | .flags == 4 and (.mark_iv - 0.555 | fabs) < 1e-12 and (.mark - 0.0502 * 64000 | fabs) < 1e-6
          and .underlying == 64400' "$DIR/tap.out" >/dev/null ||
    fail "option tick: $(jq -c --arg o "$OPT" 'select(.tick.symbol == $o) | .tick | [.flags, .mark, .mark_iv, .underlying]' "$DIR/tap.out" | tail -1)"
echo "ok   malformed/unknown counted, test_request answered, trades and mark iv normalized"

# 4. auth verified by the venue; an order filled once; one refused
grep -q '"event": "auth_bad"' "$DIR/server.jsonl" && fail "the venue refused a signature"
venue_order order deribit BTC-PERP buy 3 --limit 65020 --client-id "ok-$$"
rc=$?
[ "$rc" = 0 ] || fail "order: exit $rc: $(cat "$DIR/order.out")"
venue_acks '["done"]'
jq -se '[.[] | select(.fill) | .fill] | length == 1 and .[0].px == 65010.5 and .[0].qty == 3
        and .[0].fee == 0.0000023 and .[0].fee_asset == "BTC" and .[0].liquidity == "taker"' \
    "$DIR/order.out" >/dev/null || fail "fill: $(jq -c 'select(.fill) | .fill' "$DIR/order.out")"
grep '"event": "order_filled"' "$DIR/server.jsonl" | grep -q '"amount": 30' ||
    fail "the venue did not get 30 USD: $(grep order_filled "$DIR/server.jsonl")"
venue_order reject deribit BTC-PERP sell 2 --client-id "rej-$$"
rc=$?
[ "$rc" = 4 ] || fail "refused order: exit $rc (want 4): $(cat "$DIR/reject.out")"
venue_rejected not_enough_funds
[ "$(grep -c '"event": "auth_ok"' "$DIR/server.jsonl")" -ge 2 ] || fail "not authenticated on both connections"
echo "ok   client_signature verified; order filled once (done); refused order insufficient_collateral"

# 4b. the connection drops after an order is sent, before its answer: after
#     the reconnect and auth the plugin asks the venue (by label: it has no
#     order id yet) and publishes one outcome: the fill and done for an order
#     the venue took, a reject for one it never saw
venue_order lost deribit BTC-PERP buy 2 --client-id "lost-$$"
rc=$?
[ "$rc" = 0 ] || fail "lost-answer order: exit $rc: $(cat "$DIR/lost.out")"
jq -se '[.[] | select(.ack) | .ack.status] == ["done"]
        and ([.[] | select(.fill) | .fill] | length == 1 and .[0].qty == 2 and .[0].px == 65010.5)' \
    "$DIR/lost.out" >/dev/null || fail "lost-answer order: $(jq -c 'select(.ack or .fill)' "$DIR/lost.out")"
grep '"event": "order_queried"' "$DIR/server.jsonl" | grep '"by": "label"' | grep -q "lost-$$" ||
    fail "the plugin did not ask the venue about lost-$$"
venue_order gone deribit BTC-PERP buy 1 --client-id "gone-$$"
rc=$?
[ "$rc" = 4 ] || fail "order lost before the venue: exit $rc (want 4): $(cat "$DIR/gone.out")"
jq -se '[.[] | select(.ack) | .ack] | length == 1 and .[0].status == "rejected"
        and (.[0].text | test("does not know"))' "$DIR/gone.out" >/dev/null ||
    fail "gone order: $(jq -c 'select(.ack)' "$DIR/gone.out")"
[ "$(grep -c '"event": "ws_connect"' "$DIR/server.jsonl")" = 4 ] || fail "not 4 connections"
echo "ok   answers lost with the connection: asked after the reconnect, one outcome each"

# 4c. an option leg: sell 0.5 at 3,200 USD, limit IOC (hedger/hb_optexec.h);
#     the last index the plugin saw is 64,995 (the index_price of the
#     venue's trades above): 3,200 / 64,995 = 0.04923 BTC, up to the 0.0005
#     tick (a sale never gets less than asked): 0.0495, 3,217.25 USD
leg="it-deribit-o1700000000000-0.0"
venue_order optleg deribit "$OPT" sell 0.5 --limit 3200 --client-id "$leg"
rc=$?
[ "$rc" = 0 ] || fail "option leg: exit $rc: $(cat "$DIR/optleg.out")"
grep '"event": "order_filled"' "$DIR/server.jsonl" | grep "\"$leg\"" >"$DIR/optleg.venue"
[ "$(wc -l <"$DIR/optleg.venue")" = 1 ] || fail "the venue took the option leg $(wc -l <"$DIR/optleg.venue") times"
jq -e --arg o "$OPT" '.instrument == $o and .amount == 0.5 and .type == "limit" and .price == 0.0495' \
    "$DIR/optleg.venue" >/dev/null || fail "option leg at the venue: $(cat "$DIR/optleg.venue")"
grep '"event": "ws_recv"' "$DIR/server.jsonl" | grep "$leg" | grep -q 'immediate_or_cancel' ||
    fail "the option leg was not sent immediate_or_cancel"
jq -se --arg o "$OPT" '([.[] | select(.ack) | .ack.status] == ["done"])
        and ([.[] | select(.fill) | .fill] | length == 1 and .[0].symbol == $o and .[0].side == "sell"
             and .[0].qty == 0.5 and (.[0].px - 0.0495 * 64995 | fabs) < 1e-6 and .[0].px >= 3200
             and .[0].fee == 0.0000023 and .[0].fee_asset == "BTC")' "$DIR/optleg.out" >/dev/null ||
    fail "option leg outcome: $(jq -c 'select(.ack or .fill)' "$DIR/optleg.out")"
echo "ok   option leg: sold in BTC at the limit over the index, IOC, one fill back in USD"
# 6. discovery: the bus holds exactly what the venue lists now, in hb units
# (instrument messages applied in order: a delisting removes)
venue_check_instruments deribit "$DIR/expected.json.instruments"
jq -se '[.[] | select(.instrument.symbol == "BTC-27DEC30-60000-P") | .instrument.flags]
        | length == 2 and .[0] == [] and .[1] == ["delisted"]' "$DIR/tap.out" >/dev/null ||
    fail "the put was not listed then delisted"
grep -q '"event": "instruments_listed", "n": 1' "$DIR/server.jsonl" || fail "no listing asked on the reconnect"
echo "ok   discovery: instrument.deribit holds exactly the venue's instruments in hb units; the put delisted"

# 5. clean stop; the secret never reached a log
it_stop_ok "$pid_feed" "$DIR/feed.log" hb-feed
it_stop "$pid_tap"
venue_no_secret "the API secret appears in a log" "$SECRET"
echo "ok   clean SIGTERM, no secret in any log"
exit 0
