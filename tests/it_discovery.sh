#!/bin/sh
# Instrument discovery end to end: venue gamma (sim) lists BTC and ETH
# option chains (venues.gamma.sim.chain, a sim day of 10 s: two daily
# expiries of 9 strikes, calls and puts: 72 instruments at any time) and
# hb-feed keeps them under venues.gamma.discover and publishes them on
# instrument.gamma.
#  1. a tap that was there from the start learns the 72 from the bus;
#  2. a tap started later (a restarted process) knows the 72 at its first
#     view, from the feed's reply to its 'instruments' request;
#  3. as the sim days roll, expiries are delisted and new ones listed, and
#     the first tap follows: more listed than 72, some delisted, 72 known;
#  4. the feed stops cleanly (exit 0: no leak under ASan).
# Skips (77) when hb-feed, hb-tap or the sim plugin is not built.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb_venue_sim.so

it_tmpdir discovery
CFG=$DIR/it.yaml
{
    it_yaml_head it-discovery
    it_yaml_feed_market
    echo "venues:"
    it_yaml_sim_venue gamma "collateral: { USD: 1000000 }" \
        "sim: { seed: 3, publish_ms: 200," \
        "       chain: { assets: [BTC, ETH], dailies: 2, weeklies: 0, monthlies: 0, quarterlies: 0," \
        "                strikes: 4, step_pct: 2.5, roll_s: 10 } }" \
        "discover: { assets: [BTC, ETH], kinds: [option], moneyness: [0.5, 2], max_count: 500 }"
    it_yaml_instruments BTC-USD
} >"$CFG"

# the tap first, so that it sees the feed's first listing on the bus
"$BIN/hb-tap" --config "$CFG" --summary --interval-ms 300 --timeout-ms 120000 >"$DIR/tap_a.out" 2>"$DIR/tap_a.log" &
pid_a=$!
pids="$pids $pid_a"
sleep 1
it_bg feed.gamma "$BIN/hb-feed" --config "$CFG" --venue gamma
pid_feed=$it_pid

# last_discovered FILE: the last "discovered instruments:" line of a tap
last_discovered() { grep "^discovered instruments:" "$1" | tail -n 1; }
known() { last_discovered "$1" | grep -q "gamma $2 "; }

# 1. from the bus
wait_for 60 known "$DIR/tap_a.out" 72 || fail "the first tap never knew 72: $(last_discovered "$DIR/tap_a.out")"

# 2. a later tap: its first view already holds the 72 (the feed's reply)
"$BIN/hb-tap" --config "$CFG" --summary --interval-ms 100000 --timeout-ms 1500 >"$DIR/tap_b.out" 2>"$DIR/tap_b.log" ||
    fail "the second tap exited $?"
first=$(grep "^discovered instruments:" "$DIR/tap_b.out" | head -n 1)
case $first in
    *"gamma 72 "*) echo "ok: a late tap's first view: $first" ;;
    *) fail "a late tap's first view: '$first', expected gamma 72" ;;
esac

# 3. the days roll: expiries delisted, new ones listed, still 72
rolled() {
    line=$(last_discovered "$DIR/tap_a.out")
    listed=$(echo "$line" | sed -n 's/.*(listed \([0-9]*\), delisted \([0-9]*\)).*/\1/p')
    delisted=$(echo "$line" | sed -n 's/.*(listed \([0-9]*\), delisted \([0-9]*\)).*/\2/p')
    [ "${listed:-0}" -ge 144 ] && [ "${delisted:-0}" -ge 72 ] && known "$DIR/tap_a.out" 72
}
wait_for 60 rolled || fail "no roll seen: $(last_discovered "$DIR/tap_a.out")"
echo "ok: rolled: $(last_discovered "$DIR/tap_a.out")"

it_stop_ok "$pid_feed" "$DIR/feed.gamma.log" "hb-feed gamma"
it_stop "$pid_a"
! grep "listed an invalid instrument\|listing refused" "$DIR/feed.gamma.log" ||
    fail "the feed refused instruments"
echo "PASS"
