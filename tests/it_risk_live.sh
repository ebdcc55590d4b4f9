#!/bin/sh
# hb-risk live: two sim venues (alpha: BTC and ETH spot; beta: BTC and ETH
# perps), hb-aggregator with a starting position of 10 BTC spot on alpha,
# and hb-risk sampling every 100 ms with a BTC band of 1000 USD. hb-tap
# records risk.* for about 10 s; jq then checks that
#   - risk.exposure arrives, positions known, with BTC exposure = 10 x index
#     (+- 1 %: the aggregator marks at its own mid, risk at the index) plus
#     the alpha BTC collateral (1 BTC) = 11 x index, both indices within 5 %
#     of the configured start, annualized vols > 0, a correlation matrix
#     that is symmetric with a unit diagonal, entries in [-1, 1];
#   - a risk.hedge request appears (after min_samples = 20 samples) with
#     reason band, a BTC target of -exposure (+- 1 %, ETH has no exposure),
#     a unique id per request, and input references to pos.BTC and a BTC tick.
# Exit 77 when a binary or the sim plugin is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-risk hb_venue_sim.so jq

RUN_S=${RUN_S:-10}
it_tmpdir risk
mkdir -p "$DIR/run"                 # the aggregator's journal lives there
CFG=$DIR/it.yaml
{
    it_yaml_head it-risk warn
    # the path starts at the reference prices now, so the index checks
    # below do not depend on the time of day
    it_yaml_market 11 "$(date +%s)"
    echo "venues:"
    it_yaml_sim_venue alpha "collateral: { USD: 100000, BTC: 1 }" \
        "positions:" "  - { symbol: BTC-USD, qty: 10, entry: 64000 }" "sim: { seed: 1, publish_ms: 50 }"
    it_yaml_instruments BTC-USD ETH-USD
    it_yaml_sim_venue beta "collateral: { USD: 100000 }" "sim: { seed: 2, publish_ms: 50 }"
    it_yaml_instruments BTC-PERP ETH-PERP
    echo "components:"
    echo "  aggregator: { snapshot_ms: 200 }"
    it_yaml_risk 1000 20
} >"$CFG"

it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha
it_bg beta "$BIN/hb-feed" --config "$CFG" --venue beta
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
it_bg risk "$BIN/hb-risk" --config "$CFG"; risk=$it_pid
"$BIN/hb-tap" --config "$CFG" --topic risk. --timeout-ms $((RUN_S * 1000)) \
    >"$DIR/risk.jsonl" 2>"$DIR/tap.log"
kill -0 "$risk" 2>/dev/null || fail "hb-risk exited"
it_stop "$risk" || fail "hb-risk exit status $? on SIGTERM"

EXP=$DIR/exposure.jsonl
grep '"risk_exposure"' "$DIR/risk.jsonl" | jq -c '.risk_exposure' >"$EXP"
n=$(wc -l <"$EXP")
[ "$n" -ge 10 ] || fail "only $n risk.exposure messages"
last=$(grep -v no_positions "$EXP" | tail -1)
[ -n "$last" ] || fail "positions never known (no snapshot from the aggregator?)"
echo "$last" | jq -e '
    (.assets | map ({(.asset): .}) | add) as $a
    | ($a.BTC.index > 65000 * 0.95 and $a.BTC.index < 65000 * 1.05)
    and ($a.ETH.index > 3400 * 0.95 and $a.ETH.index < 3400 * 1.05)
    and (($a.BTC.exposure_usd - 11 * $a.BTC.index) | fabs) < 0.01 * 11 * $a.BTC.index
    and ($a.ETH.exposure_usd | fabs) < 1
    and $a.BTC.vol > 0 and $a.ETH.vol > 0
    and .var_usd > 0 and .stress_var_usd > 0 and .samples >= 20
    and (.assets | map (.flags | index ("hedgeable") != null) | all)' >/dev/null \
    || fail "implausible risk.exposure: $last"
# the correlations of that sample: risk.corr, one part holding the one pair
sample=$(echo "$last" | jq -r .sample)
corr=$(grep '"risk_corr"' "$DIR/risk.jsonl" | jq -c --argjson s "$sample" 'select(.risk_corr.sample == $s) | .risk_corr')
echo "$corr" | jq -e '.n_assets == 2 and .part == 0 and .parts == 1 and .first == 0
    and (.corr | length) == 1 and .corr[0] >= -1 and .corr[0] <= 1' >/dev/null \
    || fail "no plausible risk.corr of sample $sample: $corr"

HEDGE=$DIR/hedge.jsonl
grep '"risk_hedge"' "$DIR/risk.jsonl" | jq -c '.risk_hedge' >"$HEDGE"
h=$(wc -l <"$HEDGE")
[ "$h" -ge 1 ] || fail "no risk.hedge request"
[ "$(jq -r .id "$HEDGE" | sort | uniq -d | wc -l)" = 0 ] || fail "a hedge id repeats"
first=$(head -1 "$HEDGE")
echo "$first" | jq -e '
    (.targets | map ({(.asset): .}) | add) as $t
    | (.reasons | index ("band") != null)
    and ($t.BTC.target_usd < 0)
    and (($t.BTC.target_usd + $t.BTC.exposure_usd) | fabs) < 0.01 * ($t.BTC.exposure_usd | fabs)
    and (($t.BTC.target_qty * $t.BTC.index - $t.BTC.target_usd) | fabs) < 1e-6 * ($t.BTC.target_usd | fabs)
    and ([.inputs[].topic] | index ("pos.BTC") != null)
    and ([.inputs[].topic | select (startswith ("tick."))] | length) >= 1
    and .sample >= 20' >/dev/null || fail "implausible risk.hedge: $first"
echo "ok: $n exposures, $h hedge requests; first: $(echo "$first" | jq -c '{id, t: .targets[0].target_qty}')"
