#!/bin/sh
# hb-treasury on bad input: a forger bound on the aggregator's endpoint
# (hb-forge, publisher "aggregator") sends margin states of a venue that is
# not in the config (delta), of alpha (2,000,000 USD to spare) and of beta
# (short 10 BTC perp on 100,000 USD), then one of alpha signed "risk" on
# the aggregator's connection (equity 1 USD: the role must drop it). Checks
# that
#   - hb-treasury keeps running and plans alpha and beta as usual: beta
#     covered from alpha (so the forged alpha state was not taken), no
#     plan for delta;
#   - hb_treasury_bad_input_total counts the unknown venue once, and the
#     bus refusal counter the forged signature.
# Exit 77 when a binary, curl or jq is missing.
. "$(dirname "$0")/lib/it.sh"
TOOLS=${HB_TEST_TOOLS:-$(cd "$BIN/.." && pwd)/tests/tools}
it_require hb-treasury hb-tap curl jq
[ -x "$TOOLS/hb-forge" ] || it_skip "$TOOLS/hb-forge not built"

it_tmpdir treasury-bad
mkdir -p "$DIR/run"
PORT=$("$PY" -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
AGG=ipc://$DIR/run/aggregator.pub
CFG=$DIR/it.yaml
{
    it_yaml_head it-treasury-bad info
    it_yaml_market 5
    echo "venues:"
    it_yaml_sim_venue alpha "sim: { seed: 1 }"
    it_yaml_instruments BTC-PERP
    it_yaml_sim_venue beta "sim: { seed: 2 }"
    it_yaml_instruments BTC-PERP
    echo "components:"
    echo "  aggregator: { endpoint: \"$AGG\" }"
    echo "  treasury: { endpoint: \"ipc://$DIR/run/treasury.pub\", metrics: \"127.0.0.1:$PORT\" }"
    cat <<EOF
treasury:
  stress_move: 0.25
  plan_ms: 100
  stale_ms: 60000
  routes:
    usdc: { from: alpha, to: beta, asset: USDC, network: arbitrum, delay_s: 60, fee: 1 }
EOF
} >"$CFG"

# the forger first: hb-treasury connects to it as to the aggregator
{
    echo "wait margin. 1"
    echo "send margin venue=delta equity=1000000"
    echo "send margin venue=alpha equity=2000000"
    echo "send margin venue=beta equity=100000 maintenance=32500 initial=65000 exposure_usd=-650000"
    echo "send margin venue=alpha equity=1 publisher=risk"
    echo "sleep 30000"
} >"$DIR/script"
# (not it_bg: an asynchronous command's stdin would be /dev/null)
"$TOOLS/hb-forge" --bind "$AGG" --publisher aggregator --wait-ms 30000 <"$DIR/script" >"$DIR/forge.log" 2>&1 &
pids="$pids $!"
it_bg treasury "$BIN/hb-treasury" --config "$CFG"; treasury=$it_pid
it_bg tap "$BIN/hb-tap" --config "$CFG" --topic capital. --timeout-ms 60000; tap=$it_pid
TAP=$DIR/tap.log
plans_in() { [ "$(grep -c "\"capital.plan.$1\"" "$TAP" 2>/dev/null)" -ge 3 ]; }
wait_for 60 plans_in beta || fail "no capital.plan.beta on the bus"
wait_for 30 plans_in alpha || fail "no capital.plan.alpha on the bus"
metric() {      # NAME: its value (the sum over its labels) in hb-treasury's /metrics
    curl -sf --max-time 5 "http://127.0.0.1:$PORT/metrics" \
        | awk -v n="$1" '$1 == n || index ($1, n "{") == 1 { s += $2 } END { print s + 0 }'
}
counted() { [ "$(metric hb_treasury_bad_input_total)" = 1 ]; }
wait_for 20 counted || fail "hb_treasury_bad_input_total is $(metric hb_treasury_bad_input_total), not 1"
refused=$(metric hb_bus_refused_messages_total)
[ "${refused:-0}" -ge 1 ] || fail "the margin signed 'risk' was not refused on the aggregator's connection"
kill -0 "$treasury" 2>/dev/null || fail "hb-treasury exited"
it_stop_ok "$treasury" "$DIR/treasury.log" hb-treasury
it_stop "$tap"

grep -q '"capital.plan.delta"' "$TAP" && fail "a plan for delta, a venue not in the config"
beta=$(grep '"capital.plan.beta"' "$TAP" | tail -1 | jq -c .capital_plan)
alpha=$(grep '"capital.plan.alpha"' "$TAP" | tail -1 | jq -c .capital_plan)
echo "$alpha" | jq -e '.equity_usd == 2000000 and .reason == "none"' >/dev/null || fail "alpha's plan: $alpha"
echo "$beta" | jq -e '.reason == "none" and (.flags | index ("covered") != null)
    and .transfers[0].from == "alpha" and .transfers[0].route == "usdc"' >/dev/null || fail "beta's plan: $beta"
grep -q "delta is not in the config" "$DIR/treasury.log" || fail "no log line for the unknown venue"
echo "ok: unknown venue counted once, forged signature refused ($refused), alpha and beta planned"
