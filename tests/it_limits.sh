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
#  3. SIGTERM to hb-run: exit 0.
# hb-risk is left out: risk.exposure carries at most 16 assets today and
# hb-risk refuses more (issue 16, messages that scale).
# Skips (77) when hb-run, hb-feed, hb-aggregator, hb-tap or the sim plugin
# is not built.
. "$(dirname "$0")/lib/it.sh"
it_require hb-run hb-feed hb-aggregator hb-tap hb_venue_sim.so jq pgrep

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
} >"$CFG"
# S070: A35 spot, S079: A39 perp, S099: A19 perp (the 100th instrument)

"$BIN/hb-tap" --config "$CFG" --topic tick.big. --topic pos. --timeout-ms 120000 >"$DIR/tap.out" 2>"$DIR/tap.log" &
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

# 3. a clean stop
it_stop "$tap"
kill -TERM "$run"
wait "$run"; rc=$?
it_forget "$run"
[ "$rc" = 0 ] || fail "hb-run exited $rc after SIGTERM: $(tail -5 "$DIR/run.log")"
echo "ok   hb-run stopped cleanly"
