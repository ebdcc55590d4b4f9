#!/bin/sh
# hb-risk's estimator checkpoint (docs/RISK.md, Checkpoint): two sim feeds,
# hb-aggregator and hb-risk (a sample every 100 ms, min_samples 20, a
# checkpoint every second of data time).
#  1. hb-risk runs past warm-up; it is SIGKILLed (no clean stop: only the
#     periodic checkpoint is there) and started again: its log says the
#     checkpoint was restored with N samples, N within the last 2 s of
#     what the killed one published, and the first risk.exposure of the new
#     process is not warming_up and carries N or a few more samples;
#  2. SIGKILLed again, 2 s later restarted with checkpoint_max_age_s: 1:
#     discarded as too old (logged), the first risk.exposure is warming_up;
#  3. the same with checkpoint_max_age_s: 0 (no checkpoint): warming_up.
# Flags and counts only, never times. Exit 77 when a binary, the sim
# plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-risk hb_venue_sim.so jq

it_tmpdir risk-ckpt
mkdir -p "$DIR/run"
CFG=$DIR/it.yaml
{
    it_yaml_head it-risk-ckpt info
    it_yaml_market 11 "$(date +%s)"
    echo "venues:"
    it_yaml_sim_venue alpha "collateral: { USD: 100000, BTC: 1 }" "sim: { seed: 1, publish_ms: 50 }"
    it_yaml_instruments BTC-USD ETH-USD
    it_yaml_sim_venue beta "collateral: { USD: 100000 }" "sim: { seed: 2, publish_ms: 50 }"
    it_yaml_instruments BTC-PERP ETH-PERP
    echo "components:"
    it_yaml_aggregator
    it_yaml_risk 1000000 20
    echo "    checkpoint_every_s: 1"
} >"$CFG"
CKPT=$DIR/run/risk.ckpt
for age in 1 0; do
    sed "s/^    checkpoint_every_s: 1$/&\n    checkpoint_max_age_s: $age/" "$CFG" >"$DIR/age$age.yaml"
    grep -q "checkpoint_max_age_s: $age" "$DIR/age$age.yaml" || fail "cannot make the age $age config"
done

# tap NAME CONFIG: hb-tap on risk. into DIR/NAME.jsonl, in the background
tap() {
    "$BIN/hb-tap" --config "$2" --topic risk.exposure --timeout-ms 120000 >"$DIR/$1.jsonl" \
        2>"$DIR/$1.log" &
    tap_pid=$!; pids="$pids $tap_pid"
}
# exposures FILE: the risk.exposure bodies hb-tap wrote, one a line
exposures() { grep '"risk_exposure"' "$1" | jq -c '.risk_exposure'; }
# has_exposures FILE N: at least N exposures in FILE
has_exposures() { [ "$(exposures "$1" | wc -l)" -ge "$2" ]; }
# warm_past FILE N: an exposure not warming up with at least N samples
# (counted: jq -e on no input at all says yes)
warm_past() {
    k=$(exposures "$1" | jq -s --argjson n "$2" \
        'map(select(((.flags // []) | any(. == "warming_up")) | not) | select(.samples >= $n)) | length')
    [ "${k:-0}" -ge 1 ]
}
# first FILE: the first exposure received
first() { exposures "$1" | head -1; }
warming() { echo "$1" | jq -e '(.flags // []) | any(. == "warming_up")' >/dev/null; }
samples() { echo "$1" | jq -r '.samples'; }

it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha
it_bg beta "$BIN/hb-feed" --config "$CFG" --venue beta
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
tap tap1 "$CFG"
it_bg risk1 "$BIN/hb-risk" --config "$CFG"; risk=$it_pid

# 1. past warm-up with a checkpoint written since, then SIGKILL
wait_for 90 warm_past "$DIR/tap1.jsonl" 40 || fail "hb-risk never got past warm-up (40 samples)"
wait_for 30 test -s "$CKPT" || fail "no checkpoint written at $CKPT"
sleep 1.5
kill -KILL "$risk"; wait "$risk" 2>/dev/null; it_forget "$risk"
grep -q "checkpoint .* restored" "$DIR/risk1.log" && fail "the first hb-risk restored a checkpoint"
before=$(exposures "$DIR/tap1.jsonl" | tail -1 | jq -r .samples)
echo "hb-risk SIGKILLed; it had published $before samples"

tap tap2 "$CFG"
it_bg risk2 "$BIN/hb-risk" --config "$CFG"; risk=$it_pid
wait_for 60 has_exposures "$DIR/tap2.jsonl" 3 || fail "no risk.exposure after the restart"
n=$(sed -n 's/.*checkpoint .* restored: \([0-9]*\) samples.*/\1/p' "$DIR/risk2.log" | head -1)
[ -n "$n" ] || fail "the restarted hb-risk did not restore its checkpoint"
# written every 10 samples of data time: within 2 s of the last published
# (and maybe a sample or two after it: exposures go out every 2 samples)
[ "$n" -le $((before + 2)) ] && [ "$n" -ge $((before - 20)) ] ||
    fail "checkpoint of $n samples, the killed hb-risk had published $before"
e=$(first "$DIR/tap2.jsonl")
warming "$e" && fail "warm restart: the first risk.exposure is warming_up: $e"
s=$(samples "$e")
[ "$s" -ge "$n" ] && [ "$s" -le $((n + 5)) ] ||
    fail "warm restart: the first risk.exposure has $s samples, the checkpoint $n"
w=$(exposures "$DIR/tap2.jsonl" | head -3 | jq -s 'map(select((.flags // []) | any(. == "warming_up"))) | length')
[ "$w" = 0 ] || fail "warm restart: $w of the first 3 risk.exposure are warming_up"
# the pair's regime detector came back with it (BTC, ETH: one pair), fed
# about as many samples as the estimator (never more)
d=$(sed -n 's/.*regime detectors of 1 pair(s) kept, the first at \([0-9]*\) samples.*/\1/p' "$DIR/risk2.log" | head -1)
[ -n "$d" ] || fail "the restarted hb-risk did not say it kept the pair's regime detector"
[ "$d" -gt 0 ] && [ "$d" -le "$n" ] || fail "the pair's detector restored at $d samples, the estimator at $n"
echo "ok   warm restart: checkpoint of $n samples restored (the pair's detector at $d), first risk.exposure $s samples, not warming up"

# 2. too old: restarted 2 s later with a limit of 1 s
kill -KILL "$risk"; wait "$risk" 2>/dev/null; it_forget "$risk"
[ -s "$CKPT" ] || fail "no checkpoint left by the second hb-risk"
sleep 2
tap tap3 "$CFG"
it_bg risk3 "$BIN/hb-risk" --config "$DIR/age1.yaml"; risk=$it_pid
wait_for 60 has_exposures "$DIR/tap3.jsonl" 1 || fail "no risk.exposure after the third start"
grep -q "checkpoint .* discarded (too_old: [0-9.]* s old, checkpoint_max_age_s is 1)" "$DIR/risk3.log" ||
    fail "the too old checkpoint was not discarded as such"
grep -q "checkpoint .* restored" "$DIR/risk3.log" && fail "a too old checkpoint was restored"
e=$(first "$DIR/tap3.jsonl")
warming "$e" || fail "too old checkpoint: the first risk.exposure is not warming_up: $e"
echo "ok   too old: discarded, warming up ($(samples "$e") samples)"

# 3. checkpoint_max_age_s: 0: none read
kill -KILL "$risk"; wait "$risk" 2>/dev/null; it_forget "$risk"
tap tap4 "$CFG"
it_bg risk4 "$BIN/hb-risk" --config "$DIR/age0.yaml"; risk=$it_pid
wait_for 60 has_exposures "$DIR/tap4.jsonl" 1 || fail "no risk.exposure after the fourth start"
grep -q "no checkpoint (checkpoint_max_age_s: 0): starting cold" "$DIR/risk4.log" ||
    fail "max age 0 not reported"
e=$(first "$DIR/tap4.jsonl")
warming "$e" || fail "max age 0: the first risk.exposure is not warming_up: $e"
echo "ok   max age 0: no checkpoint, warming up ($(samples "$e") samples)"
it_stop "$risk" || fail "hb-risk exit status $? on SIGTERM"
exit 0
