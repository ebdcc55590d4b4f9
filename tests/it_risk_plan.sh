#!/bin/sh
# `hb-risk plan` (the option-leg planner, risk/hb_optplan) on hand-built
# cases, as a desk runs it:
#  1. two candidates: the exact 2x2 solution (40 and 20 contracts), gamma
#     and vega brought to 0, the legs' delta and cost as computed by hand;
#  2. five candidates: the plan is the least cost found by a brute force
#     over every pair of candidates and every whole number of contracts up
#     to 60 (done here in jq, no code of the planner's);
#  3. ill-posed cases give no legs and the reason: a singular pair
#     (infeasible), one-sided books (no_candidates), lots too coarse,
#     a premium limit (limits); inside the bands: nothing to do;
#  4. a wrong case file exits 1 naming FILE:LINE and the key of every error,
#     and prints nothing on stdout.
. "$(dirname "$0")/lib/it.sh"
it_require hb-risk jq
it_tmpdir risk-plan

case_file() {   # NAME BOOK_GAMMA BOOK_VEGA TARGET CANDIDATES... (YAML flow maps)
    it_name=$1; it_g=$2; it_v=$3; it_t=$4; shift 4
    {
        echo "book:  { gamma: $it_g, vega: [$it_v] }"
        echo "bands: { gamma: 10, vega: [50], target: $it_t }"
        echo "candidates:"
        for it_c in "$@"; do echo "  - $it_c"; done
    } >"$DIR/$it_name.yaml"
}
plan() {        # NAME: the plan as JSON into DIR/NAME.json
    "$BIN/hb-risk" plan --case "$DIR/$1.yaml" --json >"$DIR/$1.json" 2>"$DIR/$1.log" ||
        fail "hb-risk plan $1 exited $?"
}
field() { jq -r "$2" "$DIR/$1.json"; }

A='{ name: A, delta: 0.5, gamma: 2, vega: 5, lot: 1, bids: [[99, 1000]], asks: [[101, 1000]] }'
B='{ name: B, delta: 0.3, gamma: 1, vega: 20, lot: 1, bids: [[49.5, 1000]], asks: [[50.5, 1000]] }'

# 1. 2a + b = 100, 5a + 20b = 600
case_file two -100 -600 0 "$A" "$B"
plan two
[ "$(field two .reason)" = ok ] || fail "two candidates: $(cat "$DIR/two.json")"
[ "$(field two '[.legs[] | "\(.name) \(.qty)"] | join(",")')" = "A 40,B 20" ] ||
    fail "two candidates: legs $(field two .legs)"
[ "$(field two '.gamma_after, .vega_after[0], .delta, .cost' | tr '\n' ' ')" = "0 0 26 50 " ] ||
    fail "two candidates: after, delta or cost: $(cat "$DIR/two.json")"
echo "ok   two candidates: the 2x2 solution, 40 A and 20 B, cost 50"

# 2. five candidates against a brute force over pairs
C1='{ name: C1, gamma: 1.5, vega: 12, lot: 1, bids: [[79, 500]], asks: [[81.5, 500]] }'
C2='{ name: C2, gamma: 0.4, vega: 25, lot: 1, bids: [[120, 500]], asks: [[121, 500]] }'
C3='{ name: C3, gamma: 2.5, vega: 4, lot: 1, bids: [[30, 500]], asks: [[30.4, 500]] }'
C4='{ name: C4, gamma: 0.8, vega: 30, lot: 1, bids: [[200, 500]], asks: [[203, 500]] }'
C5='{ name: C5, gamma: 1.1, vega: 9, lot: 1, bids: [[60, 500]], asks: [[60.3, 500]] }'
case_file five -80 -900 0.5 "$C1" "$C2" "$C3" "$C4" "$C5"
plan five
[ "$(field five .reason)" = ok ] || fail "five candidates: $(cat "$DIR/five.json")"
# every pair (i, j), every a, b in -60..60: inside |gamma| <= 5 and |vega| <= 25
best=$(jq -n '
    [[1.5,12,1.25],[0.4,25,0.5],[2.5,4,0.2],[0.8,30,1.5],[1.1,9,0.15]] as $c |
    [ range(5) as $i | range($i + 1; 5) as $j | range(-60; 61) as $a | range(-60; 61) as $b |
      select(((-80 + $a * $c[$i][0] + $b * $c[$j][0]) | fabs) <= 5
         and ((-900 + $a * $c[$i][1] + $b * $c[$j][1]) | fabs) <= 25) |
      ($a | fabs) * $c[$i][2] + ($b | fabs) * $c[$j][2] ] | min')
[ "$best" != null ] || fail "the brute force found no pair: fix the test's case"
got=$(field five .cost)
jq -n --argjson got "$got" --argjson best "$best" '$got <= $best * 1.001 + 1e-9' | grep -q true ||
    fail "five candidates: plan costs $got, a pair costs $best"
jq -e '(.gamma_after | fabs) <= 5 and (.vega_after[0] | fabs) <= 25' "$DIR/five.json" >/dev/null ||
    fail "five candidates: not inside the targets: $(cat "$DIR/five.json")"
echo "ok   five candidates: cost $got, the best pair by brute force $best"

# 3. ill-posed
A2='{ name: A2, gamma: 4, vega: 10, lot: 1, bids: [[99, 1000]], asks: [[101, 1000]] }'
case_file singular -100 -600 0 "$A" "$A2"
plan singular
[ "$(field singular '.reason, (.legs | length)' | tr '\n' ' ')" = "infeasible 0 " ] ||
    fail "a singular pair: $(cat "$DIR/singular.json")"
case_file onesided -100 -600 0 '{ name: S, gamma: 2, vega: 5, lot: 1, bids: [[99, 10]] }' \
    '{ name: T, gamma: 1, vega: 20, lot: 1, asks: [[50, 10]] }'
plan onesided
[ "$(field onesided .reason)" = no_candidates ] || fail "one-sided books: $(cat "$DIR/onesided.json")"
case_file coarse -100 -500 0 "$A" "$B"
plan coarse
[ "$(field coarse .reason)" = lots ] || fail "lots too coarse: $(cat "$DIR/coarse.json")"
case_file inside 5 20 0 "$A" "$B"
plan inside
[ "$(field inside .reason)" = inside ] || fail "inside the bands: $(cat "$DIR/inside.json")"
case_file premium -100 -600 0 "$A" "$B"
echo "limits: { max_premium: 1000 }" >>"$DIR/premium.yaml"
plan premium
[ "$(field premium .reason)" = limits ] || fail "premium limit: $(cat "$DIR/premium.json")"
# and the text form says why
"$BIN/hb-risk" plan --case "$DIR/singular.yaml" >"$DIR/singular.txt" 2>&1 ||
    fail "hb-risk plan (text) exited $?"
grep -q "^plan infeasible: no combination of 2 candidates reaches the targets" "$DIR/singular.txt" ||
    fail "the text form: $(cat "$DIR/singular.txt")"
echo "ok   ill-posed: infeasible, no_candidates, lots, inside, limits, each without legs"

# 4. a wrong case file
cat >"$DIR/bad.yaml" <<'EOF'
book:  { gamma: -100, vega: [-600] }
bands: { gamma: 10, vega: [50], target: 0, extra: 1 }
candidates:
  - { name: X, gamma: 2, vega: 5, lot: 0, bids: [[99, -1]], asks: [[101, 1000]] }
  - { name: Y, gamma: .nan, vega: 20, lot: 1, bucket: 4 }
EOF
"$BIN/hb-risk" plan --case "$DIR/bad.yaml" >"$DIR/bad.out" 2>"$DIR/bad.err"
rc=$?
[ "$rc" = 1 ] || fail "a wrong case file exited $rc"
[ -s "$DIR/bad.out" ] && fail "a wrong case file printed on stdout: $(cat "$DIR/bad.out")"
for want in "bad.yaml:2: bands.extra: unknown key" "bad.yaml:4: candidates\[0\].lot: must be > 0" \
            "bad.yaml:4: candidates\[0\].bids\[0\]\[1\]: quantity must be > 0" \
            "bad.yaml:5: candidates\[1\].gamma:" "bad.yaml:5: candidates\[1\].bucket:"; do
    grep -q "$want" "$DIR/bad.err" || fail "no '$want' in: $(cat "$DIR/bad.err")"
done
"$BIN/hb-risk" plan >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] || fail "no --case exited $rc"
echo "ok   a wrong case file: exit 1, every error at FILE:LINE; no --case: exit 2"
