#!/bin/sh
# Damaged and missing journals, on a real aggregator (docs/OPERATIONS.md,
# Damaged or missing journals). A feed and the aggregator run while orders
# are filled; then, with the aggregator stopped:
#  1. ROUNDS times a random bit of its journal's history is flipped: the
#     aggregator refuses to start (exit non-zero, "damaged" naming the
#     file), leaves the file byte for byte as it was, and hb-journal check
#     says DAMAGED (exit 1); never does it start on a partial history;
#  2. hb-journal salvage keeps the damaged file aside and rewrites the
#     journal; the aggregator starts, and its positions equal every fill
#     on the bus (what the damage lost comes back from the feed's replay);
#  3. the journal deleted (its .created marker kept): refused as missing;
#     the marker removed (the operator's yes): it starts from the feed's
#     fills alone, positions again exact.
# Exit 77 when a binary or the sim plugin is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-aggsnap hb-journal hb_venue_sim.so python3

ROUNDS=${ROUNDS:-12}
it_tmpdir journal
CFG=$DIR/it.yaml
{
    it_yaml_head it-journal warn
    cat <<CONFIG
assets:
  BTC: { price: 65000, vol: 0.55 }
  ETH: { price: 3400, vol: 0.70 }
market: { seed: 5 }
venues:
CONFIG
    it_yaml_sim_venue alpha "collateral: { USD: 1000000, BTC: 1 }" "sim: { seed: 1, publish_ms: 50 }"
    it_yaml_instruments BTC-USD BTC-PERP ETH-PERP
    echo "components:"
    echo "  aggregator: { fsync: always, snapshot_ms: 100 }"
    it_yaml_console
} >"$CFG"
JOURNAL=$DIR/run/aggregator.journal

it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha
"$BIN/hb-tap" --config "$CFG" --topic fill. >"$DIR/fills.jsonl" 2>"$DIR/tap.log" & pids="$pids $!"
start_agg() {
    it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"; agg=$it_pid
}
# agrees: the aggregator's snapshot equals every fill the tap saw
agrees() {
    "$BIN/hb-aggsnap" --config "$CFG" --timeout-ms 1000 >"$DIR/snap.jsonl" 2>/dev/null &&
        n=$("$PY" "$TOP/tests/fillcheck.py" "$DIR/fills.jsonl" "$DIR/snap.jsonl")
}
start_agg
i=0
for order in "BTC-USD buy 0.2" "BTC-PERP sell 0.5" "ETH-PERP buy 3" "BTC-USD buy 0.1" \
             "ETH-PERP sell 1" "BTC-PERP buy 0.3"; do
    i=$((i + 1))
    set -- $order
    "$BIN/hb-tap" --config "$CFG" --send-order alpha $1 $2 $3 --client-id "it-$$-$i" \
        --timeout-ms 15000 >>"$DIR/orders.out" 2>&1 || fail "order $i not filled"
done
wait_for 20 agrees || fail "positions never matched the fills: $n"
echo "ok   $n fills journaled, positions match"
it_stop "$agg" || fail "aggregator exit $? on SIGTERM"
cp "$JOURNAL" "$DIR/good.journal"
size=$(stat -c %s "$JOURNAL")

# 1. flips anywhere in the history: refused, untouched, reported
r=0
while [ $r -lt $ROUNDS ]; do
    r=$((r + 1))
    cp "$DIR/good.journal" "$JOURNAL"
    off=$("$PY" -c "import random; print(random.randrange(8, $size))")
    bit=$("$PY" -c "import random; print(1 << random.randrange(8))")
    "$PY" - "$JOURNAL" "$off" "$bit" <<'PY'
import sys
path, off, bit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "r+b") as f:
    f.seek(off); b = f.read(1)[0]; f.seek(off); f.write(bytes([b ^ bit]))
PY
    cp "$JOURNAL" "$DIR/damaged.journal"
    timeout 20 "$BIN/hb-aggregator" --config "$CFG" >"$DIR/refused.log" 2>&1
    rc=$?
    [ "$rc" != 0 ] || fail "round $r: the aggregator started on a journal damaged at $off"
    [ "$rc" != 124 ] || fail "round $r: the aggregator still ran 20 s on a journal damaged at $off"
    grep -q "journal $JOURNAL: damaged" "$DIR/refused.log" ||
        fail "round $r: no clear reason: $(tail -3 "$DIR/refused.log")"
    cmp -s "$JOURNAL" "$DIR/damaged.journal" || fail "round $r: the damaged journal was changed"
    "$BIN/hb-journal" check "$JOURNAL" >"$DIR/check.out" 2>&1
    [ $? = 1 ] && grep -q DAMAGED "$DIR/check.out" || fail "round $r: hb-journal check: $(cat "$DIR/check.out")"
done
echo "ok   $ROUNDS bit flips: every one refused with its reason, the file untouched"

# 2. salvage, then a start whose positions are exact again
"$BIN/hb-journal" salvage "$JOURNAL" >"$DIR/salvage.out" 2>&1 || fail "salvage: $(cat "$DIR/salvage.out")"
ls "$JOURNAL".quarantine-* >/dev/null 2>&1 || fail "no quarantine copy beside the journal"
cmp -s "$(ls "$JOURNAL".quarantine-* | head -1)" "$DIR/damaged.journal" || fail "the quarantine copy is not the damaged file"
start_agg
wait_for 20 agrees || fail "after salvage, positions do not match the fills: $n"
echo "ok   salvaged ($(cat "$DIR/salvage.out" | cut -c1-120)...), positions exact"
it_stop "$agg" || fail "aggregator exit $? on SIGTERM"

# 3. a lost journal is refused until the operator says so
rm -f "$JOURNAL"
timeout 20 "$BIN/hb-aggregator" --config "$CFG" >"$DIR/missing.log" 2>&1 &&
    fail "the aggregator started empty on a missing journal"
grep -q "missing, but $JOURNAL.created" "$DIR/missing.log" || fail "no clear reason: $(tail -3 "$DIR/missing.log")"
[ ! -e "$JOURNAL" ] || fail "a refused start created the journal"
rm -f "$JOURNAL.created"
start_agg
wait_for 20 agrees || fail "from the feed's fills alone, positions do not match: $n"
echo "ok   missing journal refused; once the marker is gone, rebuilt from the feed's fills: exact"
