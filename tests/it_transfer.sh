#!/bin/sh
# Collateral moves between sims (issue 19): beta holds a short of 1.5 BTC
# perp (about 97,500 USD) on 10,000 USD, short of what the treasury's
# stress (BTC +25 % over 20 minutes) needs; alpha holds 2,000,000 USD and a
# long 1.5 BTC spot. The route alpha -> beta (USDC, 4 s) is auto, and
# alpha's sim allows transfers to beta only. gamma is short too, and its
# auto route from alpha is refused (not on alpha's allow-list). On the bus
# (hb-tap capital. and margin.):
#   - hb-treasury requests alpha-beta-usdc.1 (journaled), alpha's feed says
#     sent, then credited at or after its eta; hb-treasury is killed (-9)
#     and restarted while it is in flight: the restart says it is in
#     doubt and awaited, and nothing else is requested to beta before the
#     credit (one need, one transfer), across the restart;
#   - alpha's feed is killed (-9) and restarted while it is in flight too:
#     the credit still comes (the feed's transfer journal resumes it in
#     the sim), once, and the transfer is sent once;
#   - the aggregator's margin.beta rises by the amount once credited, and
#     margin.alpha fell by amount + fee when it was sent;
#   - the transfer to gamma is refused with the allow-list as its reason,
#     and the route then only suggests, across the restart too (its hold
#     is rebuilt from the journal: one request to gamma in all), under
#     suggestion ids that never repeat;
#   - beta is not liquidated; hb-top's body (hb-tap --summary) lists the
#     transfers.
# Exit 77 when a binary, the sim plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-treasury hb_venue_sim.so jq
it_tmpdir transfer
mkdir -p "$DIR/run"
CFG=$DIR/it.yaml
margin="margin: { initial: 0.1, maintenance: 0.05 }"
{
    it_yaml_head it-transfer info
    it_yaml_market 23 "$(date +%s)"
    echo "venues:"
    it_yaml_sim_venue alpha "collateral: { USD: 2000000 }" "$margin" \
        "positions:" "  - { symbol: BTC-USD, qty: 1.5, entry: 65000 }" \
        "sim: { seed: 1, publish_ms: 100, transfers: { allow: [beta] } }"
    it_yaml_instruments BTC-USD BTC-PERP
    it_yaml_sim_venue beta "collateral: { USD: 10000 }" "$margin" \
        "positions:" "  - { symbol: BTC-PERP, qty: -1.5, entry: 65000 }" \
        "sim: { seed: 2, publish_ms: 100, liquidation: { enabled: true } }"
    it_yaml_instruments BTC-PERP
    it_yaml_sim_venue gamma "collateral: { USD: 10000 }" "$margin" \
        "positions:" "  - { symbol: BTC-PERP, qty: -1.5, entry: 65000 }" \
        "sim: { seed: 3, publish_ms: 100 }"
    it_yaml_instruments BTC-PERP
    echo "components:"
    it_yaml_aggregator
    echo "  treasury: { endpoint: \"ipc://$DIR/run/treasury.pub\" }"
    cat <<YAML
treasury:
  stress_move: 0.25
  stress_minutes: 20
  plan_ms: 200
  suggest_s: 1
  routes:
    alpha-beta-usdc:  { from: alpha, to: beta, asset: USDC, network: arbitrum, delay_s: 4, fee: 1, auto: true }
    alpha-gamma-usdc: { from: alpha, to: gamma, asset: USDC, network: arbitrum, delay_s: 4, fee: 1, auto: true }
YAML
} >"$CFG"

BUS=$DIR/bus.jsonl
"$BIN/hb-tap" --config "$CFG" --topic capital.transfer. --topic margin. --topic fill. >"$BUS" 2>"$DIR/tap.log" &
pids="$pids $!"
sleep 0.5
it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha; alpha=$it_pid
for v in beta gamma; do it_bg $v "$BIN/hb-feed" --config "$CFG" --venue $v; done
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
it_bg treasury "$BIN/hb-treasury" --config "$CFG"; treasury=$it_pid

moves() { jq -c 'select(.capital_transfer) | .capital_transfer + {publisher: .env.publisher}' "$BUS"; }
# true when a transfer message matches the jq condition (jq -e judges the last input only)
any_move() { moves | jq -s -e "map(select($1)) | length > 0" >/dev/null; }
status_of() { moves | jq -c --arg id "$1" --arg s "$2" 'select(.id == $id and .status == $s)' | head -1; }
requested() { [ -n "$(status_of alpha-beta-usdc.1 requested)" ]; }
sent() { [ -n "$(status_of alpha-beta-usdc.1 sent)" ]; }
credited() { [ -n "$(status_of alpha-beta-usdc.1 credited)" ]; }

wait_for 30 requested || fail "no transfer alpha-beta-usdc.1 requested: $(moves | head -5)"
wait_for 10 sent || fail "alpha's feed did not send alpha-beta-usdc.1: $(moves | head -5)"
refused() { any_move '.to == "gamma" and .status == "refused"'; }
wait_for 10 refused || fail "the transfer to gamma was not refused: $(moves | grep gamma | head -3)"
# a crash of the planner with the transfer in flight, after gamma's refusal
kill -9 "$treasury"; it_forget "$treasury"
mv "$DIR/treasury.log" "$DIR/treasury.1.log"
it_bg treasury "$BIN/hb-treasury" --config "$CFG"; treasury=$it_pid
# and of the source's feed: its sim had scheduled the credit (the feed
# journals what its venue sent and hands it back to the plugin at start)
credited && fail "alpha-beta-usdc.1 credited before the source's feed could be killed (4 s route)"
kill -9 "$alpha"; it_forget "$alpha"
mv "$DIR/alpha.log" "$DIR/alpha.1.log"
it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha
wait_for 20 credited || fail "alpha-beta-usdc.1 never credited: $(moves | grep alpha-beta | tail -3)"
req=$(status_of alpha-beta-usdc.1 requested); cred=$(status_of alpha-beta-usdc.1 credited)
echo "$req" | jq -e '.publisher == "treasury" and .from == "alpha" and .to == "beta" and .asset == "USDC"
    and .amount > 15000 and .fee == 1 and .eta_ns - .requested_ns == 4000000000' >/dev/null \
    || fail "the request: $req"
echo "$cred" | jq -e --argjson eta "$(echo "$req" | jq .eta_ns)" '.publisher == "feed.alpha"
    and .credited_ns >= $eta' >/dev/null || fail "the credit: $cred (eta $(echo "$req" | jq .eta_ns))"
grep -q "transfer alpha-beta-usdc.1 was sent before the restart .* its credit is awaited again, nothing is sent" \
    "$DIR/alpha.log" || fail "the restarted feed of alpha did not resume alpha-beta-usdc.1"
n=$(moves | jq -c 'select(.id == "alpha-beta-usdc.1" and .status == "sent")' | wc -l)
[ "$n" -eq 1 ] || fail "alpha-beta-usdc.1 sent $n times"
grep -q "transfer alpha-beta-usdc.1 .* is [a-z]*: in doubt, awaited from alpha's feed, never requested again" \
    "$DIR/treasury.log" || fail "the restarted treasury did not take up the transfer in flight"
wait_for 10 grep -q "transfer alpha-beta-usdc.1 .*credited" "$DIR/treasury.log" \
    || fail "the restarted treasury did not apply the credit"
# one need, one transfer: nothing else requested to beta before the credit
at=$(echo "$cred" | jq .credited_ns)
n=$(moves | jq -c --argjson at "$at" 'select(.to == "beta" and .status == "requested" and .requested_ns <= $at)' | wc -l)
[ "$n" -eq 1 ] || fail "$n transfers requested to beta before the first was credited: $(moves | grep requested)"
# the aggregator: beta's equity up by the amount once credited, alpha's down when sent
amount=$(echo "$req" | jq .amount)
margin_of() { grep "\"topic\":\"margin.$1\"" "$BUS" | tail -1 | jq .margin.equity_usd; }
funded() { jq -n -e --argjson e "$(margin_of beta)" --argjson a "$amount" '$e > 10000 + 0.9 * $a' >/dev/null; }
wait_for 10 funded || fail "margin.beta equity $(margin_of beta) does not show the $amount credited"
grep -q "aggregator: transfer alpha-beta-usdc.1 sent: .* left alpha" "$DIR/aggregator.log" \
    || fail "the aggregator did not count the transfer leaving alpha"
# the refused one: a reason, and the route holds back
any_move '.to == "gamma" and .status == "refused" and .publisher == "feed.alpha"
    and (.reason | test ("allow"))' || fail "refused without the allow-list reason"
sleep 2
n=$(moves | jq -c 'select(.to == "gamma" and .status == "requested")' | wc -l)
[ "$n" -eq 1 ] || fail "$n transfers requested to gamma: the refused route was asked again (its hold lost by the restart?)"
grep -q "journal: transfer alpha-gamma-usdc.1 over alpha-gamma-usdc was refused (.*allow.*): the route suggests only" \
    "$DIR/treasury.log" || fail "the restarted treasury did not take up the refused route's hold"
# suggestion ids are never repeated, across the restart too
moves | jq -s -e 'map(select(.status == "suggested") | .id) | length > 0 and length == (unique | length)' >/dev/null \
    || fail "suggestion ids repeat: $(moves | jq -r 'select(.status == "suggested") | .id' | sort | uniq -d | head -3)"
grep -q "refused: .*allow.*suggests only" "$DIR/treasury.log" "$DIR/treasury.1.log" \
    || fail "the treasury did not log the refusal"
jq -s -e 'map(select(.fill and .fill.venue == "beta" and (.fill.flags | index("liquidation")))) | length > 0' \
    "$BUS" >/dev/null && fail "beta was liquidated"
# hb-top's body lists the transfers (a new suggestion or request may come
# in between: the gamma route suggests while it is held)
"$BIN/hb-tap" --config "$CFG" --summary --interval-ms 500 --timeout-ms 3000 >"$DIR/summary.out" 2>>"$DIR/summary.log"
grep -q "^MOVE .*alpha-gamma-usdc.* alpha -> gamma .* USDC (arbitrum) \(suggested\|refused\)" "$DIR/summary.out" \
    || fail "no transfer to gamma in the summary: $(grep MOVE "$DIR/summary.out")"
it_stop_ok "$treasury" "$DIR/treasury.log" hb-treasury
it_stop_all
echo "ok   alpha-beta-usdc.1: $amount USDC requested, sent, treasury killed, credited at $(echo "$cred" \
    | jq .credited_ns) (eta $(echo "$req" | jq .eta_ns)); margin.beta $(margin_of beta); gamma refused"
exit 0
