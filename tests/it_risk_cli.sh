#!/bin/sh
# hb-risk's offline commands as a user runs them: `analyze` on the reference
# data set must print what numpy computed (tests/data/risk/reference.json,
# made by tests/data/risk/make_reference.py) within 1e-9 relative; `greeks`
# must match Hull's example; bad files and bad arguments must exit non-zero
# with a message naming the line or the option, and print nothing on stdout.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
DATA=$TOP/tests/data/risk
if [ ! -x "$BIN/hb-risk" ]; then
    echo "skip: $BIN/hb-risk not built"
    exit 77
fi
command -v jq >/dev/null || { echo "skip: jq not installed"; exit 77; }
DIR=$(mktemp -d /tmp/hb-it-risk.XXXXXX) || exit 1
trap 'rm -rf "$DIR"' EXIT INT TERM
failed=0
fail() { echo "FAIL: $*"; failed=1; }

# --- analyze vs numpy
"$BIN/hb-risk" analyze --prices "$DATA/prices.csv" >"$DIR/out.json" 2>"$DIR/err" \
    || fail "analyze exit $?: $(cat "$DIR/err")"
# largest relative difference over every number of the keys analyze prints
worst=$(jq -n --slurpfile got "$DIR/out.json" --slurpfile want "$DATA/reference.json" '
    def rel(a; b): ((a - b) | fabs) / ([(b | fabs), 1e-12] | max);
    $got[0] as $g | $want[0] as $w |
    [ (range(4) as $i | range(4) as $j |
          rel($g.sample.cov[$i][$j]; $w.sample.cov[$i][$j]),
          rel($g.sample.corr[$i][$j]; $w.sample.corr[$i][$j]),
          rel($g.ewma.cov[$i][$j]; $w.ewma.cov[$i][$j]),
          rel($g.ewma.corr[$i][$j]; $w.ewma.corr[$i][$j])),
      (range(4) as $i | rel($g.ewma.vol[$i]; $w.ewma.vol[$i])),
      (range($w.hedges | length) as $k |
          rel($g.hedges[$k].ratio; $w.hedges[$k].ratio),
          rel($g.hedges[$k].effectiveness; $w.hedges[$k].effectiveness)) ] | max')
echo "analyze: worst relative difference from numpy $worst"
jq -e --slurpfile want "$DATA/reference.json" \
    '.assets == $want[0].assets and .n_returns == 59 and .ewma.lambda == 0.94
     and (.hedges | length) == 12
     and ([.hedges[] | [.target, .hedge]] == [$want[0].hedges[] | [.target, .hedge]])' \
    "$DIR/out.json" >/dev/null || fail "analyze: keys, assets or hedge pairs differ from the reference"
jq -n -e "$worst < 1e-9" >/dev/null || fail "analyze: differs from numpy by $worst"

"$BIN/hb-risk" analyze --prices "$DATA/prices.csv" --lambda 0.97 --hedge XRP:SOL >"$DIR/o97.json" \
    || fail "analyze --lambda 0.97 exit $?"
jq -e --slurpfile want "$DATA/reference.json" '
    (.ewma.vol[2] - $want[0].ewma97.vol[2] | fabs) < 1e-12
    and (.hedges | length) == 1 and .hedges[0].target == "XRP" and .hedges[0].hedge == "SOL"
    and (.hedges[0].ratio - ($want[0].hedges[] | select(.target == "XRP" and .hedge == "SOL") | .ratio) | fabs) < 1e-12' \
    "$DIR/o97.json" >/dev/null || fail "analyze --lambda 0.97 --hedge XRP:SOL: $(cat "$DIR/o97.json")"

# --- greeks vs Hull (S 49, K 50, r 5 %, vol 20 %, 20 weeks)
"$BIN/hb-risk" greeks --model bs --type call --spot 49 --strike 50 --vol 0.2 --t 0.3846 \
    --rate 0.05 >"$DIR/g.json" || fail "greeks exit $?"
jq -e '(.price - 2.4004 | fabs) < 5e-4 and (.delta - 0.522 | fabs) < 5e-4
       and (.gamma - 0.066 | fabs) < 5e-4 and (.vega - 12.1 | fabs) < 0.05
       and (.theta + 4.31 | fabs) < 0.005 and (.rho - 8.91 | fabs) < 0.005' \
    "$DIR/g.json" >/dev/null || fail "greeks: $(cat "$DIR/g.json")"
"$BIN/hb-risk" greeks --model black76 --type put --spot 60000 --strike 65000 --vol 0.55 \
    --t 0.1 --rate 0.03 | jq -e '.price > 5000 and .delta < 0 and .gamma > 0' >/dev/null \
    || fail "greeks black76 put"

# --- refusals: $1 expected exit, $2 text expected in stderr, rest: arguments
refused() {
    want_rc=$1; want_text=$2; shift 2
    "$BIN/hb-risk" "$@" >"$DIR/out" 2>"$DIR/err"; rc=$?
    [ "$rc" = "$want_rc" ] || fail "hb-risk $*: exit $rc, expected $want_rc"
    grep -qF -- "$want_text" "$DIR/err" || fail "hb-risk $*: stderr lacks '$want_text': $(cat "$DIR/err")"
    [ -s "$DIR/out" ] && fail "hb-risk $*: printed on stdout: $(cat "$DIR/out")"
}
printf 't0,1,2\nt1,1,2\nt2,1,2\n' >"$DIR/noheader.csv"
printf 'time,A,B\nt0,1,2\nt1,1\nt2,1,2\n' >"$DIR/ragged.csv"
printf 'time,A,B\nt0,1,2\nt1,1,2\nt2,1,two\n' >"$DIR/text.csv"
printf 'time,A,B\nt0,1,2\nt1,-1,2\nt2,1,2\n' >"$DIR/negative.csv"
printf 'time,A,B\nt0,1,2\nt1,1,2\n' >"$DIR/short.csv"
refused 1 "noheader.csv:1: missing header" analyze --prices "$DIR/noheader.csv"
refused 1 "ragged.csv:3: 2 fields, expected 3" analyze --prices "$DIR/ragged.csv"
refused 1 "text.csv:4: column 3 (B): 'two' is not a number" analyze --prices "$DIR/text.csv"
refused 1 "negative.csv:3: column 2 (A): price -1 is not positive" analyze --prices "$DIR/negative.csv"
refused 1 "2 data rows, at least 3" analyze --prices "$DIR/short.csv"
refused 1 "cannot open" analyze --prices "$DIR/missing.csv"
refused 2 "--hedge 'BTC:DOGE'" analyze --prices "$DATA/prices.csv" --hedge BTC:DOGE
refused 2 "--vol -0.2: must be positive" greeks --model bs --type call --spot 1 --strike 1 --vol -0.2 --t 1
refused 2 "--t 0: must be positive" greeks --model bs --type call --spot 1 --strike 1 --vol 0.2 --t 0
refused 2 "--spot 'x': not a number" greeks --model bs --type call --spot x --strike 1 --vol 0.2 --t 1
refused 2 "/nonexistent.yaml" --config /nonexistent.yaml
refused 2 "usage"

[ "$failed" = 0 ] && echo "ok"
exit $failed
