#!/bin/sh
# hb-treasury: three sim venues and hb-aggregator; beta holds a short of
# 10 BTC perp (650,000 USD) on 100,000 USD of collateral, so that under the
# configured stress (BTC +25 % over 20 minutes) it needs about 200,000 USD of
# equity and would be liquidated within about 8 minutes; alpha has
# 2,000,000 USD to spare. Routes alpha -> beta: a free one that takes an
# hour (too slow), a USDC one at 1 USDC in 2 minutes (+ 30 s spread), an
# internal one at 5 USDC in 10 s. gamma is short too (long 5 BTC on 50,000
# USD), but its only route takes an hour. hb-tap records capital.* until
# every venue has had a few plans; jq then checks that
#   - beta's plan is short, covered, with one transfer alpha -> beta of its
#     shortfall on the cheapest timely route (usdc-arb), eta ~2 minutes on;
#   - alpha's plan lists that transfer as outgoing, and survives the stress;
#   - gamma's plan says too_slow, with no transfer, and the log says so;
#   - beta's transfer is published as capital.transfer, status suggested
#     (no route is auto), and nothing is requested;
#   - the summary view (hb-tap --summary, hb-top's body) shows all three;
#   - hb-treasury stops cleanly on SIGTERM (the ASan build finds no leak).
# Exit 77 when a binary or the sim plugin is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-treasury hb_venue_sim.so jq

it_tmpdir treasury
mkdir -p "$DIR/run"
CFG=$DIR/it.yaml
{
    it_yaml_head it-treasury info
    it_yaml_market 19 "$(date +%s)"
    echo "venues:"
    it_yaml_sim_venue alpha "collateral: { USD: 2000000 }" "margin: { initial: 0.10, maintenance: 0.05 }" \
        "sim: { seed: 1, publish_ms: 100 }"
    it_yaml_instruments BTC-USD BTC-PERP
    it_yaml_sim_venue beta "collateral: { USD: 100000 }" "margin: { initial: 0.10, maintenance: 0.05 }" \
        "positions:" "  - { symbol: BTC-PERP, qty: -10, entry: 65000 }" "sim: { seed: 2, publish_ms: 100 }"
    it_yaml_instruments BTC-PERP
    it_yaml_sim_venue gamma "collateral: { USD: 50000 }" "margin: { initial: 0.10, maintenance: 0.05 }" \
        "positions:" "  - { symbol: BTC-PERP, qty: 5, entry: 65000 }" "sim: { seed: 3, publish_ms: 100 }"
    it_yaml_instruments BTC-PERP
    echo "components:"
    it_yaml_aggregator
    echo "  treasury: { endpoint: \"ipc://$DIR/run/treasury.pub\" }"
    cat <<EOF
treasury:
  stress_moves: { BTC: 0.25, ETH: 0.3 }
  stress_minutes: 20
  plan_ms: 200
  routes:
    free-slow: { from: alpha, to: beta, asset: USDC, network: ethereum, delay_s: 3600 }
    usdc-arb:  { from: alpha, to: beta, asset: USDC, network: arbitrum, delay_s: 120, spread_s: 30,
                 fee: 1, min: 10, max: 10000000, daily_limit: 50000000 }
    internal:  { from: alpha, to: beta, asset: USDC, network: internal, delay_s: 10, fee: 5 }
    to-gamma:  { from: alpha, to: gamma, asset: BTC, network: bitcoin, delay_s: 3600, fee: 0.0001 }
EOF
} >"$CFG"

for v in alpha beta gamma; do it_bg $v "$BIN/hb-feed" --config "$CFG" --venue $v; done
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
it_bg treasury "$BIN/hb-treasury" --config "$CFG"; treasury=$it_pid
it_bg tap "$BIN/hb-tap" --config "$CFG" --topic capital. --timeout-ms 120000; tap=$it_pid
TAP=$DIR/tap.log
# a few plans of every venue: a later one than the first
plans_in() { [ "$(grep -c "\"capital.plan.$1\"" "$TAP" 2>/dev/null)" -ge 3 ]; }
wait_for 60 plans_in beta || fail "no capital.plan.beta on the bus"
wait_for 30 plans_in alpha || fail "no capital.plan.alpha on the bus"
wait_for 30 plans_in gamma || fail "no capital.plan.gamma on the bus"
# the compact live view (hb-top's body) shows the plans
"$BIN/hb-tap" --config "$CFG" --summary --interval-ms 500 --timeout-ms 3000 >"$DIR/summary.out" 2>>"$DIR/summary.log"
grep -q "^PLAN *beta *SHORT .*usdc-arb .* from alpha" "$DIR/summary.out" || fail "no beta plan in the summary"
grep -q "^PLAN *gamma *SHORT .*NOT COVERED, too_slow" "$DIR/summary.out" || fail "no gamma plan in the summary"
grep -q "^PLAN *alpha *survives the stress" "$DIR/summary.out" || fail "no alpha plan in the summary"
kill -0 "$treasury" 2>/dev/null || fail "hb-treasury exited"
it_stop_ok "$treasury" "$DIR/treasury.log" hb-treasury
it_stop "$tap"

last() { grep "\"capital.plan.$1\"" "$TAP" | tail -1 | jq -c .capital_plan; }
beta=$(last beta); alpha=$(last alpha); gamma=$(last gamma)
echo "$beta" | jq -e '
    (.flags | index ("short") != null) and (.flags | index ("covered") != null)
    and .reason == "none" and .direction == 1
    and .surplus_usd < -50000 and .surplus_usd > -150000
    and .liq_s > 150 and .liq_s < 1200
    and (.transfers | length) == 1
    and .transfers[0].route == "usdc-arb" and .transfers[0].from == "alpha" and .transfers[0].to == "beta"
    and .transfers[0].asset == "USDC" and .transfers[0].network == "arbitrum"
    and ((.transfers[0].amount + .surplus_usd - 0.05 * .required_usd) | fabs) < 0.02
    and .transfers[0].fee == 1
    and .covered_usd >= -.surplus_usd - 0.02' >/dev/null || fail "beta's plan: $beta"
# the transfer is expected 120 s after the plan was made
echo "$beta" | jq -e --argjson now "$(date +%s)" \
    '(.transfers[0].eta_ns / 1e9 - $now) > 60 and (.transfers[0].eta_ns / 1e9 - $now) < 130' >/dev/null \
    || fail "beta's transfer eta not about 2 minutes on: $beta"
echo "$alpha" | jq -e '
    (.flags | index ("short") == null) and .reason == "none" and .liq_s == -1 and .surplus_usd > 1000000
    and (.transfers | length) == 1 and .transfers[0].to == "beta" and .available_usd > 0' >/dev/null \
    || fail "alpha's plan: $alpha"
echo "$gamma" | jq -e '
    (.flags | index ("short") != null) and (.flags | index ("covered") == null)
    and .reason == "too_slow" and (.transfers | length) == 0' >/dev/null || fail "gamma's plan: $gamma"
grep -q "gamma: short .* not covered: too_slow" "$DIR/treasury.log" || fail "no warning for gamma in the log"
grep -q "0 of them auto (the others suggest only)" "$DIR/treasury.log" \
    || fail "hb-treasury does not say it only suggests"
# beta's transfer is suggested on the bus for the desk (no route is auto),
# and nothing is requested
sug=$(grep '"capital.transfer.alpha.beta"' "$TAP" | head -1 | jq -c .capital_transfer)
echo "$sug" | jq -e '.status == "suggested" and .route == "usdc-arb" and (.id | startswith ("usdc-arb.s"))
    and .amount > 50000 and .fee == 1 and .credited_ns == 0 and .eta_ns > .requested_ns' >/dev/null \
    || fail "no suggested transfer alpha -> beta: $sug"
grep -q '"status":"requested"' "$TAP" && fail "a transfer was requested with no auto route"
echo "ok: beta short $(echo "$beta" | jq -r '-.surplus_usd | floor') USD, covered by $(echo "$beta" \
    | jq -c '.transfers[0] | {route, amount}'); gamma: $(echo "$gamma" | jq -r .reason)"
