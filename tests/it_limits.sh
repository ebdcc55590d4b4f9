#!/bin/sh
# Past the old limits (issue 16: 32 assets, 64 instruments per venue): a
# generated deployment of 40 assets and one sim venue with 100 instruments
# (a spot and a perpetual per asset, then 20 more perpetuals) runs under
# hb-run with the aggregator:
#  1. the sim quotes every one of the 100 instruments (a tick of each);
#  2. the aggregator publishes the starting positions the file gives on
#     instruments past the old 64th (S070, S079, S099, on assets past the
#     old 32nd) with their quantities, and an exposure (pos.<asset>) for
#     every one of the 40 assets, the held ones with those quantities and
#     a price from the sim's ticks;
#  3. hb-risk publishes samples of all 40 assets in parts (docs/PROTOCOL.md,
#     Risk: parts): one sample's risk.exposure parts 0..2 of 3 together
#     name all 40 assets, with A35's exposure from its 3 coins at the
#     index, and its risk.corr parts 0..1 of 2 carry the 780 pairs;
#  4. SIGTERM to hb-run: exit 0.
# Skips (77) when hb-run, hb-feed, hb-aggregator, hb-risk, hb-tap or the
# sim plugin is not built.
. "$(dirname "$0")/lib/it.sh"
it_require hb-run hb-feed hb-aggregator hb-risk hb-tap hb_venue_sim.so jq pgrep

N_ASSETS=40
N_INSTRUMENTS=100

it_tmpdir limits
CFG=$DIR/it.yaml
it_at_exit 'pkill -9 -f -- "--config $CFG" 2>/dev/null'    # whatever hb-run left

# asset NAME of index I
asset() { printf 'A%02d' "$1"; }
{
    it_yaml_head it-limits
    echo "assets:"
    i=0
    while [ $i -lt $N_ASSETS ]; do
        echo "  $(asset $i): { price: $((100 + i)), vol: 0.5 }"
        i=$((i + 1))
    done
    printf 'market:\n  seed: 5\n  step_ms: 100\n'
    echo "venues:"
    it_yaml_sim_venue big "collateral: { USD: 1000000 }" "sim: { seed: 1, publish_ms: 200 }" \
        "positions:" "  - { symbol: S070, qty: 3, entry: 130 }" "  - { symbol: S079, qty: -2, entry: 139 }" \
        "  - { symbol: S099, qty: 5, entry: 119 }"
    # instrument k: asset k / 2 (spot for even k, perpetual for odd k) for
    # the first 80, then perpetuals on assets 0..19 again
    k=0
    while [ $k -lt $N_INSTRUMENTS ]; do
        if [ $k -lt $((2 * N_ASSETS)) ]; then a=$((k / 2)); else a=$((k - 2 * N_ASSETS)); fi
        if [ $((k % 2)) = 0 ] && [ $k -lt $((2 * N_ASSETS)) ]; then kind=spot; else kind=linear_perp; fi
        printf '      - { symbol: S%03d, asset: %s, kind: %s, tick: 0.001, lot: 0.01 }\n' $k "$(asset $a)" $kind
        k=$((k + 1))
    done
    echo "components:"
    it_yaml_aggregator
    cat <<EOF
  risk:
    endpoint: ipc://$DIR/run/risk.pub
    sample_ms: 100
    publish_ms: 200
    quote_stale_ms: 2000
    min_samples: 5
EOF
} >"$CFG"
# S070: A35 spot, S079: A39 perp, S099: A19 perp (the 100th instrument)

"$BIN/hb-tap" --config "$CFG" --topic tick.big. --topic pos. --topic risk. --timeout-ms 120000 \
    >"$DIR/tap.out" 2>"$DIR/tap.log" &
tap=$!
pids="$pids $tap"
it_bg run "$BIN/hb-run" --config "$CFG"; run=$it_pid

# 1. a tick of every instrument
quoted() { grep '"topic":"tick\.big\.' "$DIR/tap.out" | jq -r .tick.symbol | sort -u | wc -l; }
all_quoted() { [ "$(quoted)" -ge $N_INSTRUMENTS ]; }
wait_for 60 all_quoted || fail "ticks of $(quoted) instruments of $N_INSTRUMENTS: $(tail -5 "$DIR/run.log")"
echo "ok   the sim quotes all $N_INSTRUMENTS instruments"

# 2. positions and exposures from the aggregator
# position_qty SYMBOL: the latest qty the aggregator published for it
position_qty() {
    grep "\"topic\":\"pos\.A[0-9]*\.big\.$1\"" "$DIR/tap.out" | tail -1 | jq -r .position.qty
}
# exposure ASSET FIELD: the latest exposure's FIELD
exposure() { grep "\"topic\":\"pos\.$1\"" "$DIR/tap.out" | tail -1 | jq -r ".exposure.$2"; }
near() { [ -n "$1" ] && [ "$1" != null ] && jq -en "($1 - ($2)) | fabs < 1e-6" >/dev/null; }
exposures() { grep -o '"topic":"pos\.A[0-9]*"' "$DIR/tap.out" | sort -u | wc -l; }
positioned() {
    [ "$(position_qty S070)" = 3 ] && [ "$(position_qty S079)" = -2 ] && [ "$(position_qty S099)" = 5 ] &&
    [ "$(exposures)" -ge $N_ASSETS ] &&
    near "$(exposure A35 net_qty)" 3 && near "$(exposure A39 net_qty)" -2 && near "$(exposure A19 net_qty)" 5 &&
    [ "$(exposure A39 positions)" = 1 ] && jq -en "$(exposure A39 price) > 0" >/dev/null
}
wait_for 60 positioned ||
    fail "aggregator: S070 $(position_qty S070), S079 $(position_qty S079), S099 $(position_qty S099);" \
         "$(exposures) exposures of $N_ASSETS; A39 net_qty $(exposure A39 net_qty), price $(exposure A39 price)"
echo "ok   aggregator: positions S070 3, S079 -2, S099 5; exposures of all $N_ASSETS assets" \
     "(A39: net $(exposure A39 net_qty) at $(exposure A39 price))"

# 3. risk samples of 40 assets in parts: a sample whose three exposure
# parts and two correlation parts all came, joined here with jq
whole_sample() {
    grep -E '"topic":"risk\.(exposure|corr)"' "$DIR/tap.out" | jq -s -e --argjson n $N_ASSETS '
        [.[] | select(.risk_exposure) | .risk_exposure] as $x | [.[] | select(.risk_corr) | .risk_corr] as $c
        | [$x[] | select(.n_assets == $n and .parts == 3) | .sample] | unique
        | map(. as $s | select(([$x[] | select(.sample == $s) | .part] | unique) == [0, 1, 2]
                              and ([$c[] | select(.sample == $s) | .part] | unique) == [0, 1]))
        | last as $s | $s != null
        and ([$x[] | select(.sample == $s) | .assets[].asset] | unique | length) == $n
        and ([$c[] | select(.sample == $s) | .corr | length] | add) == ($n * ($n - 1) / 2)
        and ([$x[] | select(.sample == $s) | .assets[] | select(.asset == "A35") | .exposure_usd][0]
             | . > 3 * 100 and . < 3 * 200)' >/dev/null
}
wait_for 60 whole_sample ||
    fail "no whole risk sample of $N_ASSETS assets: $(grep -c '"topic":"risk\.exposure"' "$DIR/tap.out") exposure parts," \
         "$(grep -c '"topic":"risk\.corr"' "$DIR/tap.out") corr parts; $(grep -i risk "$DIR/run.log" | tail -3)"
echo "ok   hb-risk: samples of all $N_ASSETS assets in 3 exposure parts and 2 correlation parts (780 pairs)"

# 4. a clean stop
it_stop "$tap"
kill -TERM "$run"
wait "$run"; rc=$?
it_forget "$run"
[ "$rc" = 0 ] || fail "hb-run exited $rc after SIGTERM: $(tail -5 "$DIR/run.log")"
echo "ok   hb-run stopped cleanly"
