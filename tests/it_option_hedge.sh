#!/bin/sh
# Option legs end to end on a sim (docs/RISK.md, Option legs: live): one
# derivatives venue, gamma, quoting BTC-PERP and two BTC options from the
# sim's vol surface; the desk holds 20 long BTC calls, about 12,000 USD of
# dollar gamma per 1 % (band 10,000) and 3,700 USD of vega per vol point
# past 90 days (band 3,000). hb-risk publishes risk.optplan, hb-hedger
# sends its legs as limit IOC orders. The first hb-hedger is armed to kill
# itself (SIGKILL) right after sending the first order: between the two
# legs of the first plan. Checks, from what hb-tap saw on the bus:
#   - the injected crash happened after exactly one order of the plan;
#   - a restarted hb-hedger never sends a leg of that plan again (its
#     intents are journaled), risk re-plans once the hold has passed;
#   - option orders went out, and BTC's dollar gamma ends inside its band;
#   - no client order id is sent twice, no fill id repeats.
# Exit 77 when a binary or the sim plugin is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-risk hb-hedger hb_venue_sim.so jq

it_tmpdir option
mkdir -p "$DIR/run"
CFG=$DIR/it.yaml
{
    it_yaml_head it-option
    it_yaml_option_market 5 20 2000000
    echo "components:"
    it_yaml_aggregator
    it_yaml_risk 100000 10
    echo "    vega_buckets: [7, 30, 90]"
    echo "    gamma_bands: { BTC: 10000 }"
    echo "    vega_bands: { BTC: [1000, 1500, 2500, 3000] }"
    it_yaml_hedger 20 "options: { max_order_gamma: 20000, max_order_vega: 5000, band_bps: 1500 }"
} >"$CFG"
BUS=$DIR/bus.jsonl

"$BIN/hb-tap" --config "$CFG" --topic order. --topic fill. --topic hedger. --topic risk.optplan \
    --topic risk.exposure --timeout-ms 180000 >"$BUS" 2>"$DIR/tap.log" & pids="$pids $!"
it_bg gamma "$BIN/hb-feed" --config "$CFG" --venue gamma
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
it_bg risk "$BIN/hb-risk" --config "$CFG"
it_bg hedger env HB_HEDGER_CRASH=after_send "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid

# BTC's dollar gamma in the latest risk.exposure
gamma_usd() {
    grep '"topic":"risk.exposure"' "$BUS" | tail -1 |
        jq -r '.risk_exposure.assets[]? | select(.asset == "BTC") | .gamma_usd' | tail -1
}
option_orders() { grep '"topic":"order\.gamma\.BTC-25JUN27' "$BUS" | jq -r '.order.client_id'; }

# the armed hedger dies at its first order sent: one leg out, the other not
crashed() { ! kill -0 "$hedger" 2>/dev/null; }
wait_for 60 crashed || fail "the hedger did not reach its crash point in 60 s (gamma $(gamma_usd))"
wait "$hedger"; rc=$?; it_forget "$hedger"
[ "$rc" = 137 ] || fail "hedger exit status $rc, not the injected SIGKILL"
# the hedger names the order it died after (the tap may have joined its
# publisher too late to see that one order: hb-hedger's log is the witness)
first=$(sed -n 's/.*injected crash after_send at \([^ ]*\).*/\1/p' "$DIR/hedger.log" | head -1)
[ -n "$first" ] || fail "no injected crash after an order in hedger.log"
plan=${first%.*}
case $first in *.0) ;; *) fail "the crash came after $first, not after the first leg of a plan" ;; esac
# both legs' intents are journaled (one group) though only the first went out
grep -a -q "I $plan.1 " "$DIR/run/hedger.journal" || fail "plan $plan: the second leg's intent is not in the journal"
echo "plan $plan: crash after its first leg $first, the second journaled, not sent"

it_bg hedger "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid
inside() {
    g=$(gamma_usd)
    [ -n "$g" ] && jq -n --argjson g "$g" '($g | fabs) <= 10000' | grep -q true && return 0
    kill -0 "$hedger" 2>/dev/null || fail "hb-hedger exited"
    return 1
}
wait_for 90 inside || fail "BTC dollar gamma $(gamma_usd) not inside its band 10,000 after 90 s"
echo "inside the gamma band: gamma_usd $(gamma_usd)"
sleep 2

option_orders >"$DIR/option_orders.txt"
grep '"topic":"order\.' "$BUS" | jq -r '.order.client_id' >"$DIR/orders.txt"
d=$(sort "$DIR/orders.txt" | uniq -d)
[ -z "$d" ] || fail "client order ids sent twice: $d"
grep -q "^$plan\.1\$" "$DIR/option_orders.txt" && fail "plan $plan: its second leg was sent after the restart"
grep '"topic":"fill\.' "$BUS" | jq -r '.fill.venue + " " + .fill.fill_id' >"$DIR/fills.txt"
d=$(sort "$DIR/fills.txt" | uniq -d)
[ -z "$d" ] || fail "fill ids repeat: $d"
grep -q '"topic":"fill\.gamma\.BTC-25JUN27' "$BUS" || fail "no option fill"
plans=$(grep '"topic":"risk.optplan"' "$BUS" | jq -r 'select((.risk_optplan.legs | length) > 0) | .risk_optplan.id' | sort -u | wc -l)
it_stop "$hedger" || fail "hb-hedger exit status $? on SIGTERM"
echo "ok: $plans option plans, $(wc -l <"$DIR/option_orders.txt") option orders, none twice; gamma $(gamma_usd) inside 10,000"
exit 0
