#!/bin/sh
# Reconciliation (docs/OPERATIONS.md, Reconciliation): the sim venue alpha
# reports our positions (account_ms: 200) as account.alpha; hb-aggregator
# compares them with the positions it built from the fills.
#  1. alpha starts with 2 ETH-PERP (positions:) and a manual trade buys 0.5
#     BTC-PERP a second in: the venue's account says ETH-PERP 2, BTC-PERP
#     0.5, as the aggregator's fills do: margin.alpha flagged reconciled,
#     never mismatch; heartbeat status without bit 4;
#  2. alpha's feed stops and starts again: the sim's account starts over
#     (starting position, BTC-PERP 0, then its manual trade once more:
#     0.5), while the aggregator holds 0.5, then both manual fills (1.0):
#     two reports later
#     margin.alpha is flagged mismatch, the aggregator's heartbeat has bit 4,
#     its log says POSITION MISMATCH with both figures, once, and its
#     metric counts 1 (beta, which reports nothing, stays unreconciled);
#  3. the live view (hb-tap --summary, hb-top's text): RECON MISMATCH for
#     alpha, - for beta; the aggregator's health POSITIONS MISMATCH.
# Exit 77 when a binary, the sim plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb_venue_sim.so jq
it_tmpdir reconcile
mkdir -p "$DIR/run"
CFG=$DIR/it.yaml
book="publish_ms: 50, spread_bps: 2, level_bps: 1, level_usd: 500000"
{
    it_yaml_head it-reconcile
    cat <<YAML
assets:
  BTC: { price: 65000, vol: 0.5 }
  ETH: { price: 3400, vol: 0.6 }
market:
  seed: 5
  step_ms: 50
  anchor: $(date +%s)
YAML
    echo "venues:"
    it_yaml_sim_venue alpha "collateral: { USD: 1000000 }" "fees: { maker: 0, taker: 0.0001 }" \
        "positions:" "  - { symbol: ETH-PERP, qty: 2, entry: 3400 }" \
        "sim: { seed: 1, $book, account_ms: 200, manual_trades: [ { after: 1, symbol: BTC-PERP, side: buy, qty: 0.5 } ] }"
    it_yaml_instruments BTC-PERP ETH-PERP BTC-USD
    it_yaml_sim_venue beta "collateral: { USD: 1000000 }" "fees: { maker: 0, taker: 0.0001 }" \
        "sim: { seed: 2, $book }"
    it_yaml_instruments BTC-PERP
    echo "components:"
    it_yaml_aggregator
} >"$CFG"

BUS=$DIR/bus.jsonl
"$BIN/hb-tap" --config "$CFG" --topic margin. --topic account. --topic hb.aggregator --topic fill. \
    >"$BUS" 2>"$DIR/tap.log" & pids="$pids $!"
sleep 0.5
it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha
pid_alpha=$it_pid
it_bg beta "$BIN/hb-feed" --config "$CFG" --venue beta
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"

# the flags of the aggregator's last margin.VENUE; of its last heartbeat
margin_flags() { grep "\"topic\":\"margin\.$1\"" "$BUS" | tail -1 | jq -c .margin.flags; }
hb_status() { grep '"topic":"hb.aggregator"' "$BUS" | tail -1 | jq -r .heartbeat.status; }
fills() { grep -c '"topic":"fill.alpha.BTC-PERP"' "$BUS"; }
one_fill() { [ "$(fills)" = 1 ]; }
reconciled() { [ "$(margin_flags alpha)" = '["reconciled"]' ]; }

# 1. agreement
wait_for 20 one_fill || fail "no manual fill on alpha: $(fills)"
sleep 1
wait_for 10 reconciled || fail "margin.alpha not reconciled: $(margin_flags alpha)"
grep '"topic":"account.alpha"' "$BUS" | tail -1 | jq -e '.account.flags == ["no_margin", "no_spot"]
        and ([.account.positions[] | {symbol, qty}] | sort_by(.symbol))
            == [{"symbol": "BTC-PERP", "qty": 0.5}, {"symbol": "ETH-PERP", "qty": 2}]' >/dev/null ||
    fail "account.alpha: $(grep '"topic":"account.alpha"' "$BUS" | tail -1)"
grep '"topic":"margin.alpha"' "$BUS" | jq -e 'select(.margin.flags | index("mismatch"))' >/dev/null &&
    fail "a mismatch while the venue and the fills agree"
[ "$(margin_flags beta)" = '[]' ] || fail "margin.beta (reports nothing): $(margin_flags beta)"
sleep 1.5
[ $(( $(hb_status) & 4 )) = 0 ] || fail "aggregator status $(hb_status) with bit 4 while all agree"
echo "ok   alpha's account (starting ETH-PERP 2, manual BTC-PERP 0.5) agrees with the fills: reconciled"

# 2. the venue forgets (the sim starts over), the aggregator does not
it_stop_ok "$pid_alpha" "$DIR/alpha.log" hb-feed
it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha
pid_alpha=$it_pid
two_fills() { [ "$(fills)" = 2 ]; }
wait_for 20 two_fills || fail "the restarted sim did not trade again: $(fills) fills"
mismatch() { [ "$(margin_flags alpha)" = '["mismatch","reconciled"]' ]; }
wait_for 10 mismatch || fail "no mismatch on margin.alpha: $(margin_flags alpha)"
status4() { [ $(( $(hb_status) & 4 )) = 4 ]; }
wait_for 5 status4 || fail "aggregator heartbeat status $(hb_status), want bit 4"
n=$(grep -c "POSITION MISMATCH" "$DIR/aggregator.log")
[ "$n" = 1 ] || fail "POSITION MISMATCH logged $n times, want once"
# the restarted venue reports 0 until its manual trade, then 0.5: the
# mismatch begins at the first and goes on (logged once)
grep -Eq "alpha BTC-PERP: POSITION MISMATCH: the venue reports (0, our fills make 0.5|0.5, our fills make 1) " \
        "$DIR/aggregator.log" ||
    fail "mismatch line: $(grep MISMATCH "$DIR/aggregator.log")"
[ "$(margin_flags beta)" = '[]' ] || fail "margin.beta: $(margin_flags beta)"
echo "ok   the venue starts over (0.5), the fills say 1: mismatch on margin.alpha, status bit 4, logged once"

# 3. hb-top's view (the summary is the same text): alpha MISMATCH, beta -
"$BIN/hb-tap" --config "$CFG" --summary --timeout-ms 3000 --interval-ms 1000 >"$DIR/summary.txt" 2>/dev/null
grep -E '^alpha +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ MISMATCH' "$DIR/summary.txt" >/dev/null ||
    fail "summary: $(grep -A3 RECON "$DIR/summary.txt" | tail -4)"
grep -E '^beta +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ - ' "$DIR/summary.txt" >/dev/null ||
    fail "summary: $(grep -A3 RECON "$DIR/summary.txt" | tail -4)"
grep -E '^ *aggregator .*POSITIONS MISMATCH' "$DIR/summary.txt" >/dev/null ||
    fail "summary health: $(grep -E '^ *aggregator ' "$DIR/summary.txt")"
echo "ok   the live view: alpha MISMATCH, beta - (reports nothing), aggregator POSITIONS MISMATCH"
it_stop_ok "$pid_alpha" "$DIR/alpha.log" hb-feed
it_stop_all
exit 0
