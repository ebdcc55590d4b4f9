#!/bin/sh
# `hb-risk analyze --prices FILE.csv --regime [--json]` as a desk runs it on
# its own history (docs/RISK.md, Correlation regimes). CSVs come from
# tests/tools/hb-pricegen (fixed seeds, so every run sees the same rows):
#   - a correlation break 0.8 -> 0.0 at row 2000 of 4000: one corr_down
#     alarm, within 150 rows after the break, none before it, its
#     change-point estimate within 40 rows of it, and the hedge ratio it
#     would have used going from about 0.8 to about 0;
#   - no break (Gaussian; Student-t(4) GARCH(1,1) with a vol x3 jump at row
#     2000): no alarm;
#   - text output: the same alarm line (row, time text, pair, kind);
#   - --config: components.risk.regime read (a lower threshold raises more
#     alarms on the stationary file), a config without the section gives
#     the output of no config at all (the two sets of defaults agree);
#   - bad CSVs refused with FILE:LINE and the field, exit 1, no stdout; bad
#     arguments exit 2.
. "$(dirname "$0")/lib/it.sh"
it_require hb-risk jq hb_venue_sim.so
TOOLS=${HB_TEST_TOOLS:-$(cd "$BIN/.." && pwd)/tests/tools}
[ -x "$TOOLS/hb-pricegen" ] || it_skip "$TOOLS/hb-pricegen not built"
it_tmpdir regime
GEN=$TOOLS/hb-pricegen
RISK=$BIN/hb-risk

"$GEN" --rows 4000 --rho 0.8 --break 2000 --rho-after 0.0 --seed 7 >"$DIR/break.csv" || fail "pricegen"
"$GEN" --rows 4000 --rho 0.8 --seed 8 >"$DIR/flat.csv" || fail "pricegen"
"$GEN" --rows 4000 --rho 0.8 --nu 4 --garch --vol-jump 2000 --seed 9 >"$DIR/garch.csv" || fail "pricegen"

# --- a break in the middle
"$RISK" analyze --prices "$DIR/break.csv" --regime --json --every 1000 >"$DIR/break.json" 2>"$DIR/err.log" \
    || fail "analyze break.csv: exit $?"
jq -c '.alarms' "$DIR/break.json"
jq -e '(.alarms | length) == 1
       and .alarms[0].kind == "corr_down" and .alarms[0].target == "TGT" and .alarms[0].proxy == "PRX"
       and .alarms[0].row >= 2000 and .alarms[0].row <= 2150
       and (.alarms[0].change_row - 2000 | fabs) <= 40
       and .alarms[0].statistic >= .regime.threshold
       and (.alarms[0].time | test("^2026-01-01T00:[0-9:]+Z$"))
       and .n_returns == 3999' "$DIR/break.json" >/dev/null \
    || fail "break.csv: want one corr_down alarm at rows 2000..2150: $(jq -c .alarms "$DIR/break.json")"
# the time text is that of the alarm's row (data row r is line r + 1)
row=$(jq '.alarms[0].row' "$DIR/break.json")
want=$(sed -n "$((row + 1))p" "$DIR/break.csv" | cut -d, -f1)
jq -e --arg t "$want" '.alarms[0].time == $t' "$DIR/break.json" >/dev/null \
    || fail "alarm at row $row: time $(jq '.alarms[0].time' "$DIR/break.json"), the CSV says $want"
# the ratio it would have used: about 0.8 before the break, about 0 at the end
jq -e '(.ratios[] | select(.row == 2000) | .ratio) > 0.6
       and (.pairs[0].ratio | fabs) < 0.3 and .pairs[0].alarms == 1' "$DIR/break.json" >/dev/null \
    || fail "break.csv ratios: $(jq -c '[.ratios, .pairs]' "$DIR/break.json")"
echo "break at row 2000: alarm at row $row ($(jq -r '.alarms[0] | "change_row \(.change_row), statistic \(.statistic)"' "$DIR/break.json"))"

# --- no break, and a vol jump on a fat-tailed clustered series
for f in flat garch; do
    "$RISK" analyze --prices "$DIR/$f.csv" --regime --json >"$DIR/$f.json" 2>"$DIR/err.log" \
        || fail "analyze $f.csv: exit $?"
    jq -e '(.alarms | length) == 0 and .pairs[0].alarms == 0' "$DIR/$f.json" >/dev/null \
        || fail "$f.csv has no break, alarms: $(jq -c .alarms "$DIR/$f.json")"
done

# --- text output
"$RISK" analyze --prices "$DIR/break.csv" --regime >"$DIR/break.txt" 2>"$DIR/err.log" || fail "text: exit $?"
grep -q "^alarm   row $row time $want TGT:PRX kind corr_down statistic " "$DIR/break.txt" \
    || fail "text output: $(cat "$DIR/break.txt")"
[ "$(grep -c '^alarm' "$DIR/break.txt")" = 1 ] || fail "text: want one alarm line"
grep -q "^pair    TGT:PRX alarms 1 " "$DIR/break.txt" || fail "text: no pair summary"

# --- --config
cat >"$DIR/cfg.yaml" <<YAML
hedgebus: 1
deployment: regime
run_dir: $DIR/run
assets:
  BTC: { price: 65000, vol: 0.55 }
market: {}
components:
  risk:
    regime: { threshold: 3, hold: 20 }
venues:
  alpha:
    plugin: sim
    sim: {}
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }
YAML
sed 's/regime: {.*}/sample_ms: 1000/' "$DIR/cfg.yaml" >"$DIR/plain.yaml"
"$RISK" analyze --prices "$DIR/flat.csv" --regime --json --config "$DIR/cfg.yaml" >"$DIR/low.json" 2>"$DIR/err.log" \
    || fail "--config: exit $?"
jq -e '.regime.threshold == 3 and .regime.hold == 20 and (.alarms | length) >= 1' "$DIR/low.json" >/dev/null \
    || fail "--config threshold 3: $(jq -c '[.regime, (.alarms | length)]' "$DIR/low.json")"
"$RISK" analyze --prices "$DIR/break.csv" --regime --json --every 1000 --config "$DIR/plain.yaml" \
    >"$DIR/plain.json" 2>"$DIR/err.log" || fail "--config plain: exit $?"
cmp -s "$DIR/plain.json" "$DIR/break.json" || fail "a config without risk.regime differs from the defaults"
echo "threshold 3 from --config: $(jq '.alarms | length' "$DIR/low.json") alarms on the stationary file"

# --- bad CSVs: FILE:LINE and the field; exit 1, nothing on stdout
head -4 "$DIR/break.csv" >"$DIR/bad1.csv"
echo "2026-01-01T00:00:04Z,100.5,fifty" >>"$DIR/bad1.csv"
head -3 "$DIR/break.csv" >"$DIR/bad2.csv"
echo "2026-01-01T00:00:03Z,100.5" >>"$DIR/bad2.csv"
head -3 "$DIR/break.csv" >"$DIR/bad3.csv"
echo "2026-01-01T00:00:03Z,-1,50" >>"$DIR/bad3.csv"
check_bad() {   # FILE WANT
    "$RISK" analyze --prices "$1" --regime --json >"$DIR/out" 2>"$DIR/err"
    it_rc=$?
    [ "$it_rc" = 1 ] || fail "$1: exit $it_rc, want 1"
    [ ! -s "$DIR/out" ] || fail "$1: printed on stdout: $(cat "$DIR/out")"
    grep -qF "$2" "$DIR/err" || fail "$1: want '$2' in: $(cat "$DIR/err")"
}
check_bad "$DIR/bad1.csv" "$DIR/bad1.csv:5: column 3 (PRX): 'fifty' is not a number"
check_bad "$DIR/bad2.csv" "$DIR/bad2.csv:4: 2 fields, expected 3"
check_bad "$DIR/bad3.csv" "$DIR/bad3.csv:4: column 2 (TGT): price -1 is not positive"

# --- bad arguments: exit 2
for args in "--every -1" "--hedge TGT:TGT" "--hedge TGT:XRP" "--lambda 0.9" "--threshold 0" "--config $DIR/nothing.yaml"; do
    # shellcheck disable=SC2086
    "$RISK" analyze --prices "$DIR/break.csv" --regime $args >"$DIR/out" 2>"$DIR/err"
    it_rc=$?
    [ "$it_rc" = 2 ] || fail "--regime $args: exit $it_rc, want 2 ($(cat "$DIR/err"))"
    [ -s "$DIR/err" ] || fail "--regime $args: no message"
done
echo "ok"
