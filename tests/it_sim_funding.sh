#!/bin/sh
# The sim venue's own margin figures and funding payments, end to end
# (venues.X.sim.account_margin, funding_ms; docs/CONFIG.md):
#  1. gamma starts with 2 BTC-PERP long and pays funding every 300 ms at
#     10 bp: each payment goes out once as funding.gamma.BTC-PERP (id
#     BTC-PERP:<ms>, usd = 2 x price x 0.001, qty 2) and hb-aggregator
#     takes each once: its log names every id on the bus once, and the
#     position's realized P&L is minus their sum;
#  2. account.gamma carries the venue's equity and margin (not no_margin),
#     hb-aggregator's margin.gamma takes them (flags venue, reconciled),
#     and they agree with the aggregator's own book: the venue's equity is
#     the collateral plus the position's realized and unrealized P&L less
#     fees as pos.BTC.gamma.BTC-PERP says, within 0.1 % (the venue values
#     at its fair price, the aggregator at the mid it last saw);
#  3. hb-tap --summary (hb-top's text): RECON ok,venue for gamma.
# Exit 77 when a binary, the sim plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb_venue_sim.so jq
it_tmpdir simfunding
mkdir -p "$DIR/run"
CFG=$DIR/it.yaml
{
    it_yaml_head it-sim-funding
    it_yaml_market 5 "$(date +%s)"
    echo "venues:"
    it_yaml_sim_venue gamma "collateral: { USD: 1000000 }" "fees: { maker: 0, taker: 0.0001 }" \
        "positions:" "  - { symbol: BTC-PERP, qty: 2, entry: 65000 }" \
        "sim: { seed: 1, publish_ms: 50, account_ms: 200, account_margin: true, funding_ms: 300, funding_rate: 0.001 }"
    it_yaml_instruments BTC-PERP
    echo "components:"
    it_yaml_aggregator
} >"$CFG"

BUS=$DIR/bus.jsonl
"$BIN/hb-tap" --config "$CFG" --topic margin.gamma --topic account.gamma --topic funding.gamma. \
    --topic pos.BTC.gamma.BTC-PERP >"$BUS" 2>"$DIR/tap.log" & pids="$pids $!"
sleep 0.5
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
pid_agg=$it_pid
sleep 0.5
it_bg gamma "$BIN/hb-feed" --config "$CFG" --venue gamma
pid_gamma=$it_pid

# 1. payments, each taken once
payments() { jq -s '[.[] | select(.funding)] | length' "$BUS"; }
five() { [ "$(payments)" -ge 5 ]; }
wait_for 20 five || fail "funding payments on the bus: $(payments), want 5"
it_stop_ok "$pid_gamma" "$DIR/gamma.log" hb-feed
sleep 0.5
jq -se '[.[] | select(.funding) | .funding] | (map(.id) | unique | length) == length
        and all(.[]; .venue == "gamma" and .symbol == "BTC-PERP" and .qty == 2 and .rate == 0.001
                     and (.id | startswith("BTC-PERP:")) and .usd > 2 * 60000 * 0.001 and .usd < 2 * 70000 * 0.001)' \
    "$BUS" >/dev/null || fail "payments: $(jq -c 'select(.funding) | .funding' "$BUS" | head -3)"
for id in $(jq -r 'select(.funding) | .funding.id' "$BUS"); do
    [ "$(grep -c "aggregator: funding gamma/$id: paid" "$DIR/aggregator.log")" = 1 ] ||
        fail "payment $id taken $(grep -c "funding gamma/$id:" "$DIR/aggregator.log") times by the aggregator"
done
paid=$(jq -s '[.[] | select(.funding) | .funding.usd] | add' "$BUS")
sleep 0.5
realized=$(jq -s '[.[] | select(.position) | .position.realized] | last' "$BUS")
awk -v r="$realized" -v p="$paid" 'BEGIN { d = r + p; exit !(d < 1e-6 && d > -1e-6) }' ||
    fail "realized $realized, want -$paid (the payments' sum)"
echo "ok   $(payments) funding payments, each published and taken once; realized $realized = -(their sum)"

# 2. the venue's equity and margin, taken by margin.gamma and equal to ours
jq -se '[.[] | select(.account) | .account] | last | (.flags == ["no_spot"]) and .equity_usd > 0
        and .initial_usd > 0 and .maintenance_usd > 0 and .funding_usd > 0' "$BUS" >/dev/null ||
    fail "account.gamma: $(grep '"topic":"account.gamma"' "$BUS" | tail -1)"
grep '"topic":"margin.gamma"' "$BUS" | tail -1 | jq -e '.margin.flags == ["venue", "reconciled"]' >/dev/null ||
    fail "margin.gamma: $(grep '"topic":"margin.gamma"' "$BUS" | tail -1)"
venue_eq=$(jq -s '[.[] | select(.account) | .account.equity_usd] | last' "$BUS")
ours=$(jq -s '[.[] | select(.position) | .position] | last | 1000000 + .realized - .fees + .unrealized' "$BUS")
awk -v a="$venue_eq" -v b="$ours" 'BEGIN { d = (a - b) / b; exit !(d < 0.001 && d > -0.001) }' ||
    fail "the venue's equity $venue_eq, ours $ours: more than 0.1 % apart"
echo "ok   account.gamma: the venue's equity $venue_eq and margin, taken by margin.gamma (venue); ours $ours"

# 3. hb-top's view
it_bg gamma "$BIN/hb-feed" --config "$CFG" --venue gamma
pid_gamma=$it_pid
"$BIN/hb-tap" --config "$CFG" --summary --timeout-ms 3000 --interval-ms 1000 >"$DIR/summary.txt" 2>/dev/null
grep -E '^gamma +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ ok,venue' "$DIR/summary.txt" >/dev/null ||
    fail "summary: $(grep -A2 RECON "$DIR/summary.txt" | tail -3)"
echo "ok   the live view: gamma RECON ok,venue"
it_stop_ok "$pid_gamma" "$DIR/gamma.log" hb-feed
it_stop_ok "$pid_agg" "$DIR/aggregator.log" hb-aggregator
it_stop_all
exit 0
