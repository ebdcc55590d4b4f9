#!/bin/sh
# hb-test: serial (a kill storm: timing-sensitive under a second test's load)
# hb-hedger killed between the legs of option plans, dozens of times, at
# random points (docs/RISK.md, Option legs: live; docs/OPERATIONS.md,
# Restarts). One derivatives venue, gamma, quotes BTC-PERP and two BTC
# options; the desk holds 40 long BTC calls (dollar gamma about 24,000 USD
# per 1 %, band 10,000). A plan brings gamma to 5,000 (option_target 0.5),
# so a plan executed twice (or a leg doubled) would push gamma to about
# -14,000, past -band, where no single plan goes. Each start of hb-hedger is armed at a
# point drawn at random (seed $SEED, printed): after_journal (the plan's
# intents durable, no leg sent), after_send 1 (between leg 0 and leg 1),
# after_send 2 (after leg 1), after_ack 1 (leg 0 final, its outcome not
# durable); it kills itself there (SIGKILL) and is started again. When
# gamma is inside its band the console buys 40 calls, so there is always
# a plan to die in. Rounds go on until $CRASHES crashes (default 24) hit
# an option leg. Then a hedger without crash finishes. Checks:
#   - every start died by the injected SIGKILL;
#   - no client order id twice, on the bus or at the venue (hb-feed's
#     order journal); every order on the bus journaled first; every intent
#     with an outcome;
#   - every option order is the leg of a published plan (same symbol,
#     side, quantity); a leg after the crash point of its plan never sent
#     by a later hedger; no leg filled beyond its quantity;
#   - BTC dollar gamma never below -band in any risk.exposure (no plan
#     doubled), and it ends inside its band: every plan completed or was
#     re-planned.
# Exit 77 when a binary, the sim plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-risk hb-hedger hb_venue_sim.so jq

CRASHES=${CRASHES:-24}
SEED=${SEED:-$(date +%s)}
BAND=10000
CALL=BTC-25JUN27-80000-C
it_tmpdir optcrash
mkdir -p "$DIR/run"
CFG=$DIR/it.yaml
{
    it_yaml_head it-option-crash
    it_yaml_option_market 7 40 20000000
    echo "components:"
    it_yaml_aggregator
    it_yaml_console
    it_yaml_risk 100000000 10
    echo "    vega_buckets: [7, 30, 90]"
    echo "    gamma_bands: { BTC: $BAND }"
    echo "    option_hold_ms: 300"
    it_yaml_hedger 50 "order_timeout_ms: 300" \
        "options: { max_order_gamma: 100000, max_order_vega: 100000, band_bps: 1500 }"
} >"$CFG"
BUS=$DIR/bus.jsonl

"$BIN/hb-tap" --config "$CFG" --topic order. --topic fill. --topic ack. --topic hedger. \
    --topic risk.optplan --topic risk.exposure --timeout-ms 400000 >"$BUS" 2>"$DIR/tap.log" &
pids="$pids $!"
it_bg gamma "$BIN/hb-feed" --config "$CFG" --venue gamma
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
it_bg risk "$BIN/hb-risk" --config "$CFG"

# BTC's dollar gamma in the latest risk.exposure (empty: none yet)
gamma_usd() {
    grep '"topic":"risk.exposure"' "$BUS" | tail -1 |
        jq -r '.risk_exposure.assets[]? | select(.asset == "BTC") | .gamma_usd' | tail -1
}
inside() {
    g=$(gamma_usd)
    [ -n "$g" ] && jq -n --argjson g "$g" --argjson b "$BAND" '($g | fabs) <= $b' | grep -q true
}
buys=0
buy() {
    for try in 1 2 3; do
        buys=$((buys + 1))
        "$BIN/hb-tap" --config "$CFG" --send-order gamma "$CALL" buy 40 \
            --client-id "it-$$-$buys" --timeout-ms 3000 >>"$DIR/console.log" 2>&1 && return 0
    done
    fail "console orders not filled 3 times"
}

# the random points, one a line: "POINT NTH"
awk -v s="$SEED" 'BEGIN { srand (s); split ("after_journal 1,after_send 1,after_send 2,after_ack 1", p, ",");
    for (i = 0; i < 200; i++) print p [1 + int (rand () * 4)] }' >"$DIR/points.txt"
echo "seed $SEED"

# the crashes that hit an option leg ("<plan>-o<ms>-<asset>.<leg>")
leg_crashes() {
    cat "$DIR/hedger.log" 2>/dev/null | grep -c "injected crash [a-z_]* at [^ ]*-o[0-9]*-[0-9]*\.[0-9]"
}

round=0
known() { [ -n "$(gamma_usd)" ]; }
wait_for 30 known || fail "no risk.exposure of BTC in 30 s"
while [ "$(leg_crashes)" -lt "$CRASHES" ]; do
    round=$((round + 1))
    [ $round -le 60 ] || fail "only $(leg_crashes) crashes in an option leg in 60 rounds"
    set -- $(sed -n "${round}p" "$DIR/points.txt")
    it_crash_cycle "round $round ($1 $2)" "$1" "$2"
done
echo "$round rounds, $(leg_crashes) crashes in an option leg, $buys console buys:"
sed -n 's/.*injected crash \([a-z_]*\) at .*/\1/p' "$DIR/hedger.log" | sort | uniq -c

# a hedger without crash: gamma back inside its band, nothing in flight
it_hedger_finish inside "BTC dollar gamma inside its band $BAND"

# no client id twice, on the bus or at the venue
grep '"topic":"order\.' "$BUS" | jq -r '.order.client_id' | grep -v "^it-$$-" >"$DIR/orders.txt"
[ -s "$DIR/orders.txt" ] || fail "no hedger order on the bus"
d=$(sort "$DIR/orders.txt" | uniq -d)
[ -z "$d" ] || fail "client order ids sent twice on the bus: $d"
grep -a -o -E "[A-Za-z0-9:_-]+-o[0-9]+-[0-9]+\.[0-9]+" "$DIR/run/feed.gamma.fills.orders" \
    | sort | uniq -c | awk '$1 > 1 { print $2 }' >"$DIR/venue_twice.txt"
[ -s "$DIR/run/feed.gamma.fills.orders" ] || fail "no hb-feed order journal"
[ ! -s "$DIR/venue_twice.txt" ] || fail "option legs handed to the venue twice: $(cat "$DIR/venue_twice.txt")"
it_journal_settled || true
d=$(sort "$DIR/orders.txt" | comm -23 - "$DIR/intents.txt")
[ -z "$d" ] || fail "orders on the bus never journaled: $d"
d=$(comm -23 "$DIR/intents.txt" "$DIR/outcomes.txt")
[ -z "$d" ] || fail "journaled intents without an outcome (lost, or still in flight): $d"

# every option order is a leg of its plan, as published
grep '"topic":"risk.optplan"' "$BUS" | jq -c '.risk_optplan | select((.legs | length) > 0)
    | .id as $id | .legs | to_entries[] | [($id + "." + (.key | tostring)), .value.symbol,
      .value.side, .value.qty]' >"$DIR/legs.txt"
grep '"topic":"order\.gamma\.BTC-25JUN27' "$BUS" | jq -c 'select(.order.client_id | test("^it-[0-9]+-") | not)
    | .order | [.client_id, .symbol, .side, .qty]' >"$DIR/option_orders.txt"
[ -s "$DIR/option_orders.txt" ] || fail "no option order on the bus"
d=$(sort "$DIR/option_orders.txt" | comm -23 - "$(sort "$DIR/legs.txt" >"$DIR/legs.sorted"; echo "$DIR/legs.sorted")")
[ -z "$d" ] || fail "option orders that are no plan's leg as published: $d"
# the leg after an after_send crash's leg was never sent by a later hedger
for cid in $(sed -n 's/.*injected crash after_send at \([^ ]*-o[0-9]*-[0-9]*\)\.\([0-9]*\).*/\1.\2/p' "$DIR/hedger.log"); do
    next="${cid%.*}.$((${cid##*.} + 1))"
    if grep -q "\"$next\"" "$DIR/legs.txt" && grep -q "^$next\$" "$DIR/orders.txt"; then
        fail "plan ${cid%.*}: leg $next sent after the crash at $cid"
    fi
done
# no leg filled beyond its quantity
grep '"topic":"fill\.gamma\.BTC-25JUN27' "$BUS" | jq -r 'select(.fill.client_id | test("^it-[0-9]+-") | not)
    | .fill.client_id + " " + (.fill.qty | tostring)' |
    awk '{ f [$1] += $2 } END { for (c in f) print c, f [c] }' | sort >"$DIR/filled.txt"
jq -r '.[0] + " " + (.[3] | tostring)' "$DIR/option_orders.txt" | sort | join - "$DIR/filled.txt" |
    awk '$3 > $2 * 1.000001 + 1e-9 { print }' >"$DIR/overfilled.txt"
[ ! -s "$DIR/overfilled.txt" ] || fail "legs filled beyond their quantity: $(cat "$DIR/overfilled.txt")"
d=$(grep '"topic":"fill\.' "$BUS" | jq -r '.fill.venue + " " + .fill.fill_id' | sort | uniq -d)
[ -z "$d" ] || fail "fill ids repeat: $d"
# never a plan's worth beyond neutral
low=$(grep '"topic":"risk.exposure"' "$BUS" |
    jq -r '.risk_exposure.assets[]? | select(.asset == "BTC") | .gamma_usd' | sort -g | head -1)
jq -n --argjson g "$low" --argjson b "$BAND" '$g >= -$b' | grep -q true ||
    fail "BTC dollar gamma reached $low: past -$BAND, a plan or a leg doubled"
inside || fail "BTC dollar gamma $(gamma_usd) left its band"
plans=$(cut -d'"' -f2 "$DIR/legs.txt" | sed 's/\.[0-9]*$//' | sort -u | wc -l)
echo "ok: seed $SEED, $round crashes ($(leg_crashes) in an option leg), $plans plans with legs," \
     "$(wc -l <"$DIR/option_orders.txt") option orders, none twice, none beyond its leg;" \
     "lowest gamma $low, last $(gamma_usd) within $BAND"
exit 0
