#!/bin/sh
# The plotting example (record/examples/plot_exposure.py) on a real recording:
#  1. the pipeline of it_hedger_e2e.sh (two sim venues, hb-aggregator with a
#     book long 10 BTC spot on alpha, hb-risk with a BTC band of 20,000 USD,
#     hb-hedger) runs under hb-record until the aggregator's pos.BTC is back
#     inside the band (seen by a live hb-tap), and a second more;
#  2. the example reads the recording directory (with --verify-crc) and
#     writes a PNG;
#  3. the PNG exists, starts with the PNG signature and is over 10 kB, and
#     the BTC line the script prints has |after| < |before| hedging, with
#     before above the band (the starting book) and after inside it.
# Exit 77 when a binary, the sim plugin, jq or a Python module is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-record hb-aggregator hb-risk hb-hedger hb_venue_sim.so jq python3
"$PY" -c 'import msgpack, matplotlib' 2>/dev/null ||
    it_skip "python3-msgpack or python3-matplotlib not installed (sh mk/deps.sh)"

NAME=plot BAND=20000
. "$TOP/tests/lib/hedger_pipeline.sh"     # DIR, CFG, BUS, pipeline_start, inside

# 1. record the pipeline; the recorder first, so it sees the unhedged book
it_bg record "$BIN/hb-record" --config "$CFG" --out "$DIR/rec" --fsync never; recorder=$it_pid
"$BIN/hb-tap" --config "$CFG" --topic pos.BTC --timeout-ms 60000 \
    >"$BUS" 2>"$DIR/tap.log" & pids="$pids $!"
sleep 0.5
pipeline_start

recording() {   # inside the band, while hb-record runs
    inside && return 0
    kill -0 "$recorder" 2>/dev/null || fail "hb-record exited"
    return 1
}
wait_for "${WAIT_S:-25}" recording ||
    fail "pos.BTC net_usd $(net_usd) not within $BAND after ${WAIT_S:-25} s"
sleep 3                             #  some "after" on the plot
it_stop "$recorder" || fail "hb-record exit status $? on SIGTERM"
it_stop_all
echo "ok   recorded $(ls "$DIR/rec" | grep -c '\.hbr$') segment(s) until net_usd $(net_usd)"

# 2. plot it
"$PY" "$TOP/record/examples/plot_exposure.py" --verify-crc --out "$DIR/exposure.png" "$DIR/rec" \
    >"$DIR/plot.out" 2>"$DIR/plot.log" || { cat "$DIR/plot.out"; fail "plot_exposure.py exited $?"; }
cat "$DIR/plot.out"

# 3. the PNG and the numbers
[ -f "$DIR/exposure.png" ] || fail "no PNG written"
magic=$(od -An -tx1 -N8 "$DIR/exposure.png" | tr -d ' \n')
[ "$magic" = 89504e470d0a1a0a ] || fail "not a PNG (starts with $magic)"
size=$(wc -c <"$DIR/exposure.png")
[ "$size" -gt 10000 ] || fail "PNG only $size bytes"
# "BTC before <usd> after <usd>"
line=$(grep '^BTC before ' "$DIR/plot.out") || fail "no BTC before/after line"
echo "$line" | awk -v band="$BAND" '
    function abs(x) { return x < 0 ? -x : x }
    { ok = $3 != "" && $5 != "" && abs($5) < abs($3) && abs($3) > band && abs($5) <= band }
    END { exit !ok }' || fail "expected |after| < |before| around the band: $line"
echo "ok   $size-byte PNG, $line"

# 4. a damaged copy (one byte flipped halfway) is read up to the bad record
mkdir "$DIR/bad" && cp "$DIR"/rec/*.hbr "$DIR/bad/" || fail "copy"
seg=$(ls "$DIR"/bad/*.hbr | head -1)
half=$(($(wc -c <"$seg") / 2))
byte=$(od -An -tu1 -j "$half" -N1 "$seg" | tr -d ' ')
printf "$(printf '\\%03o' $(((byte + 1) % 256)))" |
    dd of="$seg" bs=1 seek="$half" conv=notrunc 2>/dev/null || fail "dd"
"$PY" "$TOP/record/examples/plot_exposure.py" --verify-crc --out "$DIR/bad.png" "$DIR/bad" \
    >"$DIR/bad.out" 2>"$DIR/bad.log" || fail "plot_exposure.py on a damaged segment exited $?"
grep -q 'bytes skipped' "$DIR/bad.log" || fail "no warning for the damaged record: $(cat "$DIR/bad.log")"
cmp -s "$DIR/rec/${seg##*/}" "$seg" && fail "the copy was not damaged"
echo "ok   damaged copy: $(grep 'bytes skipped' "$DIR/bad.log" | head -1)"
exit 0
