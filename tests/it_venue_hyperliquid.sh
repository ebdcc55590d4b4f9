#!/bin/sh
# Hyperliquid plugin end to end against a scripted local venue
# (tests/venues/hl_driver.py on venue_server.py: /info, /exchange and the
# WebSocket): hb-feed hosts the hyperliquid plugin, hb-tap watches the bus.
#  1. /info meta gives the coins their assets, spotMeta the spot pair its
#     asset (10000 + index) and szDecimals; after the sessions (whole
#     l2Book messages, trades, malformed JSON, an unknown channel, a book
#     with a bad level, silence, a reset, a reconnect) the last tick of each
#     perp and of the spot pair equals the driver's last book, in bus
#     units (BTC-PERP contracts of 0.001 BTC);
#  2. the silent books were published stale and resubscribed, the feed's
#     heartbeat went stale, then healthy again;
#  3. malformed / unknown messages counted and logged, trades normalized;
#  4. orders, signed with the agent key as L1 actions and verified by the
#     server (signer recovered from r, s, v with python-ecdsa, compared with
#     the agent's address; nonces never reused): a buy rests and is filled
#     in two fills from userFills (the subscription's snapshot of past
#     fills is not published), acks accepted then done; its cloid is the
#     Keccak-256 of hedgebus:<venue>:<client id> (computed here), so the
#     same client id sent again is refused by the venue as a duplicate; a
#     size finer than szDecimals and a price of 6 significant figures are
#     refused before anything is sent; the venue's refusal (insufficient
#     margin) maps to insufficient_collateral; two answers lost (HTTP
#     502): the plugin asks /info orderStatus by cloid after status_after_s,
#     and the order the venue has is accepted and filled, the one it never
#     had rejected (unknownOid); a GTC order rests and is canceled by its
#     cloid (hb-tap --cancel-after-ms): acks accepted, canceled; a second
#     venue whose agent the server does not know gets its order refused
#     (bad signature);
#  5. clearinghouseState, polled every second: published as account.hl
#     (value, margin, withdrawable, funding, positions in bus units) and
#     logged; before the orders no BTC position (a coin the config does not
#     list counted apart), after them the position the venue's fills made
#     (two orders of 2 BTC-PERP contracts, each filled at 65000.5 and 65001);
#  6. funding (userFundings): the snapshot of past payments, sent on both
#     connections, is published once (funding.hl.BTC-PERP, the coin the
#     config does not list left out), the payment after the fills too, in
#     bus units; hb-aggregator journals each once and counts it in the
#     position's realized P&L and the venue's equity; restarted, it
#     replays them from its journal (the same realized P&L);
#  7. SIGTERM: clean exit (ASan: no leak), the agent keys in no log.
# Skips (77) when the binaries, the plugin or python3-websockets are missing.
. "$(dirname "$0")/lib/it.sh"
. "$TOP/tests/lib/venue.sh"
venue_require hyperliquid jq
it_require hb-aggregator
it_tmpdir hyperliquid
mkdir -p "$DIR/run"

KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
BADKEY=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
venue_secret agent "0x$KEY"
venue_secret badagent "$BADKEY"
ACCOUNT=0x$(printf '%s' "$KEY" | cut -c1-40)
venue_driver server hl_driver.py --expected "$DIR/expected.json" --port-file "$DIR/ports" \
    --log "$DIR/server.jsonl" --timeout 120 --agent-key-file "$DIR/agent" --account "$ACCOUNT" --testnet 1
venue_ports "venue server did not start" ports
WS_PORT=$(venue_port ports ws_port)
HTTP_PORT=$(venue_port ports http_port)

venue_config it-hyperliquid <<EOF
assets:
  BTC: { price: 65000, vol: 0.5, drift: 0.0 }
  ETH: { price: 3400, vol: 0.6, drift: 0.0 }
  PURR: { price: 0.2, vol: 1.0, drift: 0.0 }
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
      agent_key_file: $DIR/agent
      account: "$ACCOUNT"
      status_after_s: 1
      state_s: 1
    instruments:
      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, multiplier: 0.001, tick: 1, lot: 1, min: 1 }
      # the config's lot is finer than the venue's szDecimals (4): the plugin refuses
      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, multiplier: 1, tick: 0.1, lot: 0.00001, min: 0.001 }
      # a spot pair (spotMeta: asset 10000), its coin PURR/USDC by default
      - { symbol: PURR-USDC, asset: PURR, kind: spot, tick: 0.0001, lot: 1, min: 1 }
  hlbad:
    plugin: hyperliquid
    fees: { maker: 0.00015, taker: 0.00045 }
    margin: { initial: 0.05, maintenance: 0.025 }
    collateral: { USD: 100000 }
    params:
      network: testnet
      ws_url: ws://127.0.0.1:$WS_PORT/ws
      rest_url: http://127.0.0.1:$HTTP_PORT
      agent_key_file: $DIR/badagent
      account: "$ACCOUNT"
    instruments:
      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, multiplier: 0.001, tick: 1, lot: 1, min: 1 }
      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, multiplier: 1, tick: 0.1, lot: 0.00001, min: 0.001 }
EOF
it_yaml_aggregator >>"$CFG"

venue_tap 120000 tick.hl. trade.hl. hb.feed.hl fill.hl. account.hl funding.hl. pos.BTC.hl.BTC-PERP
venue_feed hl
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
pid_agg=$it_pid

# 1. the reconnect's session has played: books equal the driver's
venue_wait_log 40 '"event": "ws_connect", "n": 1' "$DIR/server.jsonl" || fail "no reconnect after the reset"
venue_wait_log 20 '"event": "ws_sent", "n": 1' "$DIR/server.jsonl" ||
    venue_wait_log 20 '"event": "session_done", "n": 1' "$DIR/server.jsonl" || fail "session 1 did not end"
sleep 2
grep -q 'BTC-PERP: coin BTC, asset 3, szDecimals 5, maxLeverage 40' "$DIR/feed.log" ||
    fail "meta not applied: $(grep -i meta "$DIR/feed.log" | head -3)"
grep -q 'testnet: ws://127.0.0.1' "$DIR/feed.log" || fail "network switch not logged"
grep -q 'PURR-USDC: coin PURR/USDC, asset 10000, szDecimals 0' "$DIR/feed.log" ||
    fail "spotMeta not applied: $(grep -i 'PURR\|spotMeta' "$DIR/feed.log" | head -3)"
for p in BTC-PERP ETH-PERP PURR-USDC; do
    venue_check_book "$p" "$p"
done
echo "ok   meta and spotMeta applied; last ticks equal the books the driver sent (perps and the spot pair)"

# 2. silence -> stale tick, resubscribed, stale heartbeat, then healthy
[ "$(grep '"event": "ws_recv", "n": 0' "$DIR/server.jsonl" | grep -c 'unsubscribe')" = 3 ] ||
    fail "want three l2Book unsubscribes (BTC, ETH, PURR/USDC): $(grep -c unsubscribe "$DIR/server.jsonl")"
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

# 4. orders
venue_order order hl BTC-PERP buy 2 --limit 65000 --client-id "ok-$$"
rc=$?
[ "$rc" = 0 ] || fail "order: exit $rc: $(cat "$DIR/order.out")"
CLOID=$("$PY" -c "import sys; sys.path.insert (0, '$TOP/tests/venues'); from hl_vectors import keccak256
print ('0x' + keccak256 (b'hedgebus:hl:ok-$$') [:16].hex ())")
grep '"event": "order_ok"' "$DIR/server.jsonl" | jq -e --arg c "$CLOID" '.order == {"a": 3, "b": true,
    "p": "65000", "s": "0.002", "r": false, "t": {"limit": {"tif": "Ioc"}}, "c": $c}' >/dev/null ||
    fail "order as sent: $(grep order_ok "$DIR/server.jsonl"), want cloid $CLOID"
venue_acks '["accepted", "done"]'
jq -se '[.[] | select(.fill) | .fill] | length == 2 and .[0].px == 65000.5 and .[1].px == 65001
        and .[0].qty == 1 and .[1].qty == 1 and .[0].fee == 0.0123 and .[0].fee_asset == "USD"
        and .[0].liquidity == "maker" and .[1].liquidity == "taker" and .[0].fill_id != .[1].fill_id
        and .[0].order_id == "1001"' "$DIR/order.out" >/dev/null ||
    fail "fills: $(jq -c 'select(.fill) | .fill' "$DIR/order.out")"
venue_wait_log 10 '"fill_sent"' "$DIR/server.jsonl" || fail "no fills sent"
sleep 1
[ "$(jq -se '[.[] | select(.fill)] | length' "$DIR/tap.out")" = 2 ] ||
    fail "fills on the bus (the snapshot's past fill must not be one): $(jq -c 'select(.fill) | .fill' "$DIR/tap.out")"
echo "ok   signed order verified by the venue, rested, filled in two fills (accepted, done)"

venue_order dup hl BTC-PERP buy 2 --limit 65000 --client-id "ok-$$"
jq -se '[.[] | select(.ack) | .ack] | length == 1 and .[0].status == "rejected"
        and .[0].reason == "duplicate_id" and (.[0].text | test("Duplicate cloid"))' "$DIR/dup.out" >/dev/null ||
    fail "resent client id: $(jq -c 'select(.ack) | .ack' "$DIR/dup.out")"
echo "ok   the same client id again: same cloid, refused by the venue as a duplicate"

signed=$(grep -c '"event": "sig_ok"' "$DIR/server.jsonl")
venue_order size hl ETH-PERP buy 0.12345 --limit 3400 --client-id "sz-$$"
jq -se '[.[] | select(.ack) | .ack] | length == 1 and .[0].status == "rejected" and .[0].reason == "off_lot"
        and (.[0].text | test("ETH: size 0.12345 is finer than szDecimals 4"))' "$DIR/size.out" >/dev/null ||
    fail "bad size: $(jq -c 'select(.ack) | .ack' "$DIR/size.out")"
venue_order price hl BTC-PERP buy 1 --limit 65000.5 --client-id "px-$$"
jq -se '[.[] | select(.ack) | .ack] | length == 1 and .[0].status == "rejected" and .[0].reason == "bad_price"
        and (.[0].text | test("6 significant figures"))' "$DIR/price.out" >/dev/null ||
    fail "bad price: $(jq -c 'select(.ack) | .ack' "$DIR/price.out")"
[ "$(grep -c '"event": "sig_ok"' "$DIR/server.jsonl")" = "$signed" ] || fail "a refused order reached the venue"
echo "ok   size finer than szDecimals, price of 6 significant figures: refused before sending"

venue_order reject hl ETH-PERP sell 0.1 --limit 3400 --client-id "rej-$$"
rc=$?
[ "$rc" = 4 ] || fail "refused order: exit $rc (want 4): $(cat "$DIR/reject.out")"
venue_rejected 'Insufficient margin'
echo "ok   the venue's refusal: rejected, insufficient_collateral"

# answers lost: the venue has the order (orderStatus: open, then filled),
# or never had it (orderStatus: unknownOid -> rejected)
venue_order lost hl BTC-PERP buy 2 --limit 63000 --client-id "lost-$$"
rc=$?
[ "$rc" = 0 ] || fail "lost answer, order at the venue: exit $rc: $(jq -c 'select(.ack) | .ack' "$DIR/lost.out")"
jq -se '[.[] | select(.ack) | .ack.status] == ["accepted", "done"]' "$DIR/lost.out" >/dev/null ||
    fail "lost answer, order at the venue: acks $(jq -c 'select(.ack) | .ack' "$DIR/lost.out")"
grep -q '"event": "order_lost_answer"' "$DIR/server.jsonl" && grep -q '"event": "status_asked".*"known": true' "$DIR/server.jsonl" ||
    fail "the venue did not lose the answer or was not asked: $(grep -E 'lost|status_asked' "$DIR/server.jsonl")"
venue_order never hl ETH-PERP buy 0.1 --limit 3000 --client-id "never-$$"
rc=$?
[ "$rc" = 4 ] || fail "lost before arrival: exit $rc (want 4): $(jq -c 'select(.ack) | .ack' "$DIR/never.out")"
jq -se '[.[] | select(.ack) | .ack] | length == 1 and .[0].status == "rejected"
        and (.[0].text | test("unknownOid"))' "$DIR/never.out" >/dev/null ||
    fail "lost before arrival: $(jq -c 'select(.ack) | .ack' "$DIR/never.out")"
grep -q '"event": "status_asked".*"known": false' "$DIR/server.jsonl" || fail "orderStatus not asked for the lost order"
echo "ok   answers lost: asked by cloid (orderStatus): at the venue -> accepted and filled; never there -> rejected"

# a cancel: a GTC buy below the market rests at the venue (accepted), the
# console cancels it by client id (cancelByCloid, signed and verified), the
# venue says canceled (orderUpdates): acks accepted, canceled; nothing filled
venue_order cancel hl BTC-PERP buy 2 --limit 62000 --client-id "cxl-$$" --cancel-after-ms 300
rc=$?
[ "$rc" = 0 ] || fail "cancel: exit $rc: $(cat "$DIR/cancel.out")"
CXL=$("$PY" -c "import sys; sys.path.insert (0, '$TOP/tests/venues'); from hl_vectors import keccak256
print ('0x' + keccak256 (b'hedgebus:hl:cxl-$$') [:16].hex ())")
grep '"event": "order_rest"' "$DIR/server.jsonl" | jq -e --arg c "$CXL" 'select(.cloid == $c)
    | .order.t == {"limit": {"tif": "Gtc"}} and .order.p == "62000"' >/dev/null ||
    fail "the GTC order did not rest: $(grep -E 'order_rest' "$DIR/server.jsonl" | tail -2)"
grep '"event": "cancel_ok"' "$DIR/server.jsonl" | jq -e --arg c "$CXL" 'select(.cloid == $c)' >/dev/null ||
    fail "no cancel by cloid at the venue: $(grep -E 'cancel_' "$DIR/server.jsonl" | tail -2)"
jq -se '[.[] | select(.cancel)] | length == 1' "$DIR/cancel.out" >/dev/null || fail "no cancel sent: $(cat "$DIR/cancel.out")"
jq -se '[.[] | select(.ack) | .ack] | (map(.status) == ["accepted", "canceled"]) and .[1].filled_qty == 0
        and .[1].leaves_qty == 0' "$DIR/cancel.out" >/dev/null ||
    fail "cancel acks: $(jq -c 'select(.ack) | .ack' "$DIR/cancel.out")"
jq -se '[.[] | select(.fill)] | length == 0' "$DIR/cancel.out" >/dev/null || fail "a canceled order filled"
echo "ok   a resting GTC order canceled by cloid (signed cancelByCloid verified): accepted, canceled"

venue_feed_bad() { it_bg feedbad "$BIN/hb-feed" --config "$CFG" --venue hlbad; pid_bad=$it_pid; }
venue_feed_bad
venue_wait_log 30 'meta: 2 of 2 coins known' "$DIR/feedbad.log" || fail "second feed did not start"
venue_order bad hlbad BTC-PERP buy 2 --limit 65000 --client-id "bad-$$"
jq -se '[.[] | select(.ack) | .ack] | length == 1 and .[0].status == "rejected" and .[0].reason == "venue"
        and (.[0].text | test("does not exist"))' "$DIR/bad.out" >/dev/null ||
    fail "bad signature: $(jq -c 'select(.ack) | .ack' "$DIR/bad.out")"
[ "$(grep -c '"event": "sig_bad"' "$DIR/server.jsonl")" = 1 ] || fail "the server did not refuse one signature"
[ "$(grep -c '"event": "sig_ok"' "$DIR/server.jsonl")" = 7 ] ||
    fail "signatures verified: $(grep -c sig_ok "$DIR/server.jsonl"), want 7 (5 orders, a GTC order and its cancel)"
grep -q nonce_reused "$DIR/server.jsonl" && fail "a nonce was reused"
echo "ok   an agent the venue does not know: signature refused, order rejected"

# the venue refuses a reused nonce: one cancelByCloid signed here with the
# agent's key (hl_vectors.py, no code of the plugin's), posted twice
"$PY" - "$DIR/agent" "$HTTP_PORT" "$TOP/tests/venues" >"$DIR/replay.out" 2>&1 <<'PYEND' || fail "replay: $(cat "$DIR/replay.out")"
import json, sys, urllib.request
sys.path.insert (0, sys.argv [3])
from hl_vectors import action_hash, agent_digest, cancel_by_cloid_action, sign
import msgpack
key = int (open (sys.argv [1]).read ().strip ().replace ('0x', ''), 16)
action = cancel_by_cloid_action (['3:0x' + '00' * 15 + '01'])
nonce = 1700000000000
r, s, v = sign (key, agent_digest (action_hash (msgpack.packb (action), nonce, None, 0), False))
body = json.dumps ({'action': action, 'nonce': nonce, 'signature': {'r': '0x%064x' % r, 's': '0x%064x' % s, 'v': v},
                    'vaultAddress': None}).encode ()
for _ in range (2):
    req = urllib.request.Request ('http://127.0.0.1:%s/exchange' % sys.argv [2], body, {'Content-Type': 'application/json'})
    print (urllib.request.urlopen (req).read ().decode ())
PYEND
head -1 "$DIR/replay.out" | grep -q '"status": *"ok"' || fail "the first post was not taken: $(cat "$DIR/replay.out")"
sed -n 2p "$DIR/replay.out" | grep -q 'duplicate nonce 1700000000000' || fail "the reused nonce was taken: $(cat "$DIR/replay.out")"
[ "$(grep -c '"event": "nonce_reused", "nonce": 1700000000000' "$DIR/server.jsonl")" = 1 ] ||
    fail "the server did not log the reused nonce once: $(grep nonce_reused "$DIR/server.jsonl")"
echo "ok   the venue refuses a reused nonce (a body signed by the test, posted twice)"

# 5. the account as the venue sees it: account.hl, before and after the fills
grep -q "clearinghouseState: account $ACCOUNT: value 100012.50 USD, margin used 26.25, maintenance 13.12, withdrawable 99986.25; 1 position(s) in coins not listed here" "$DIR/feed.log" ||
    fail "clearinghouseState before the orders not logged: $(grep -i clearinghouse "$DIR/feed.log" | head -3)"
jq -se '[.[] | select(.account) | .account] | .[0] | .venue == "hl" and .equity_usd == 100012.5
        and .initial_usd == 26.25 and .maintenance_usd == 13.125 and .withdrawable_usd == 99986.25
        and .n_other == 1 and .positions == []' "$DIR/tap.out" >/dev/null ||
    fail "first account.hl: $(jq -c 'select(.account) | .account' "$DIR/tap.out" | head -1)"
venue_wait_log 10 'BTC-PERP +4 @ 65000.75' "$DIR/feed.log" ||
    fail "clearinghouseState after the fills not logged: $(grep -i clearinghouse "$DIR/feed.log" | tail -2)"
sleep 1
jq -se '[.[] | select(.account) | .account | select(.positions != [])] | length > 0 and (.[-1] |
        .positions == [{"symbol": "BTC-PERP", "qty": 4, "entry_px": 65000.75, "unrealized_usd": 0,
                        "liq_px": 32500.4, "funding_usd": 0.25}]
        and .funding_usd == 1.5 and .flags == ["no_spot"] and .n_other == 1
        and (.initial_usd - 39.25015 | fabs) < 1e-3 and (.maintenance_usd - 19.625075 | fabs) < 1e-3)' \
    "$DIR/tap.out" >/dev/null ||
    fail "account.hl after the fills: $(jq -c 'select(.account) | .account' "$DIR/tap.out" | tail -1)"
echo "ok   clearinghouseState: account.hl (value, margin, funding, positions in bus units) before and after the fills"

# 6. funding payments: each published once, counted once by the aggregator
venue_wait_log 10 '"event": "funding_sent"' "$DIR/server.jsonl" || fail "the venue sent no funding payment"
venue_wait_log 10 'funding hl/BTC:1700003600000: paid 1.3 USD on BTC-PERP' "$DIR/aggregator.log" ||
    fail "the aggregator did not take the payment: $(grep -i funding "$DIR/aggregator.log")"
[ "$(grep -c '"event": "ws_connect"' "$DIR/server.jsonl")" -ge 2 ] || fail "want the snapshot on two connections"
jq -se '[.[] | select(.funding) | .funding] | length == 2
        and .[0] == {"venue": "hl", "symbol": "BTC-PERP", "id": "BTC:1700000000000", "usd": 0.26,
                     "rate": 1.25e-05, "qty": 4}
        and .[1] == {"venue": "hl", "symbol": "BTC-PERP", "id": "BTC:1700003600000", "usd": 1.3,
                     "rate": 5e-05, "qty": 2}' "$DIR/tap.out" >/dev/null ||
    fail "funding on the bus (each payment once): $(jq -c 'select(.funding) | .funding' "$DIR/tap.out")"
[ "$(grep -c 'aggregator: funding hl/' "$DIR/aggregator.log")" = 2 ] ||
    fail "the aggregator took $(grep -c 'aggregator: funding hl/' "$DIR/aggregator.log") payments, want 2"
realized() { jq -se '[.[] | select(.position) | .position.realized] | last' "$DIR/$1"; }
near() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(d < 1e-9 && d > -1e-9) }'; }
funded() { near "$(realized tap.out)" -1.56; }
wait_for 10 funded || fail "pos.BTC.hl.BTC-PERP realized $(realized tap.out), want -1.56 (0.26 + 1.3 paid)"
it_stop_ok "$pid_agg" "$DIR/aggregator.log" hb-aggregator
"$BIN/hb-tap" --config "$CFG" --topic pos.BTC.hl.BTC-PERP --timeout-ms 20000 >"$DIR/tap2.out" 2>"$DIR/tap2.log" &
pid_tap2=$!
pids="$pids $pid_tap2"
sleep 0.5
mv "$DIR/aggregator.log" "$DIR/aggregator.1.log"
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
pid_agg=$it_pid
wait_for 10 grep -q 'fills and 2 funding payments replayed' "$DIR/aggregator.log" ||
    fail "restart: $(grep replayed "$DIR/aggregator.log")"
refunded() { [ -s "$DIR/tap2.out" ] && near "$(realized tap2.out)" -1.56; }
wait_for 10 refunded || fail "restarted: realized $(realized tap2.out), want -1.56 from the journal"
echo "ok   funding: each payment published once (snapshot on two connections), journaled and counted once (realized -1.56), replayed at a restart"

# 7. clean stop; no key in a log
it_stop_ok "$pid_agg" "$DIR/aggregator.log" hb-aggregator
it_stop "$pid_tap2"
it_stop_ok "$pid_bad" "$DIR/feedbad.log" hb-feed
it_stop_ok "$pid_feed" "$DIR/feed.log" hb-feed
it_stop "$pid_tap"
venue_no_secret "an agent key appears in a log" "$KEY" "$BADKEY"
echo "ok   clean SIGTERM, no agent key in any log"
exit 0
