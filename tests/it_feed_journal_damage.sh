#!/bin/sh
# A feed's journals under damage (docs/OPERATIONS.md, Damaged or missing
# journals): the fill journal (feed.alpha.fills) and the order journal the
# fill gate keeps beside it (feed.alpha.fills.orders). A feed and the
# aggregator run while orders are filled and a manual trade happens on the
# venue (an external fill); then, with the feed stopped, ROUNDS times one
# of the two journals gets a random bit flip or a truncation at a random
# length, and hb-feed is started on it:
#  - when hb-journal check calls the file DAMAGED, the feed refuses to
#    start (exit non-zero) with a line naming the file, and leaves it byte
#    for byte as it was;
#  - otherwise (a torn tail, or a whole shorter file: what a crash leaves)
#    it starts and holds exactly the records check counts (its log says
#    how many fills it keeps for replay, how many orders it remembers),
#    never a record more or less.
# At the end, on the good journals again: the feed starts, a new order's
# fill goes through the gate (not quarantined), and the aggregator's
# positions equal every fill seen on the bus, the external one included.
# Exit 77 when a binary or the sim plugin is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-aggregator hb-aggsnap hb-journal hb_venue_sim.so python3

ROUNDS=${ROUNDS:-60}
it_tmpdir feed-journal
CFG=$DIR/it.yaml
{
    it_yaml_head it-feed-journal info
    cat <<CONFIG
assets:
  BTC: { price: 65000, vol: 0.55 }
  ETH: { price: 3400, vol: 0.70 }
market: { seed: 5 }
venues:
CONFIG
    it_yaml_sim_venue alpha "collateral: { USD: 1000000, BTC: 1 }" \
        "sim: { seed: 1, publish_ms: 50, manual_trades: [ { after: 1, symbol: BTC-PERP, side: sell, qty: 0.05 } ] }"
    it_yaml_instruments BTC-USD BTC-PERP ETH-PERP
    echo "components:"
    echo "  aggregator: { fsync: always, snapshot_ms: 100 }"
    it_yaml_console
} >"$CFG"
FILLS=$DIR/run/feed.alpha.fills
ORDERS=$FILLS.orders

"$BIN/hb-tap" --config "$CFG" --topic fill. >"$DIR/fills.jsonl" 2>"$DIR/tap.log" & pids="$pids $!"
it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
start_feed() {
    it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha; feed=$it_pid
}
agrees() {
    "$BIN/hb-aggsnap" --config "$CFG" --timeout-ms 1000 >"$DIR/snap.jsonl" 2>/dev/null &&
        n=$("$PY" "$TOP/tests/fillcheck.py" "$DIR/fills.jsonl" "$DIR/snap.jsonl")
}
external_seen() { grep -q '"flags":\["external"\]' "$DIR/fills.jsonl"; }
start_feed
i=0
for order in "BTC-USD buy 0.2" "BTC-PERP sell 0.5" "ETH-PERP buy 3" "BTC-USD buy 0.1" \
             "ETH-PERP sell 1" "BTC-PERP buy 0.3"; do
    i=$((i + 1))
    set -- $order
    "$BIN/hb-tap" --config "$CFG" --send-order alpha $1 $2 $3 --client-id "it-$$-$i" \
        --timeout-ms 15000 >>"$DIR/orders.out" 2>&1 || fail "order $i not filled"
done
wait_for 20 external_seen || fail "the manual trade's external fill never reached the bus"
wait_for 20 agrees || fail "positions never matched the fills: $n"
grep -q QUARANTINED "$DIR/alpha.log" && fail "a fill was quarantined: $(grep QUARANTINED "$DIR/alpha.log" | head -1)"
echo "ok   $n fills (one external) journaled, positions match"
it_stop "$feed" || fail "feed exit $? on SIGTERM"
cp "$FILLS" "$DIR/good.fills"
cp "$ORDERS" "$DIR/good.orders"

# what the feed's log says it holds: "fill journal F: N fill(s) kept" and
# "order journal O: N order(s)"
held_fills() { sed -n "s|.*fill journal $FILLS: \([0-9]*\) fill(s) kept.*|\1|p" "$DIR/round.log" | tail -1; }
held_orders() { sed -n "s|.*order journal $ORDERS: \([0-9]*\) order(s).*|\1|p" "$DIR/round.log" | tail -1; }
started() { grep -q "plugin sim started" "$DIR/round.log"; }

refused=0 exact=0 r=0
while [ $r -lt $ROUNDS ]; do
    r=$((r + 1))
    cp "$DIR/good.fills" "$FILLS"
    cp "$DIR/good.orders" "$ORDERS"
    if [ $((r % 2)) = 0 ]; then file=$FILLS; else file=$ORDERS; fi
    how=$("$PY" - "$file" <<'PY'
import os, random, sys
path = sys.argv [1]
size = os.path.getsize (path)
with open (path, "r+b") as f:
    if random.random () < 0.5:
        off = random.randrange (8, size); bit = 1 << random.randrange (8)
        f.seek (off); b = f.read (1) [0]; f.seek (off); f.write (bytes ([b ^ bit]))
        print ("bit %d flipped at %d" % (bit, off))
    else:
        n = random.randrange (8, size)
        f.truncate (n)
        print ("truncated to %d of %d bytes" % (n, size))
PY
)
    cp "$file" "$DIR/damaged"
    "$BIN/hb-journal" check "$file" >"$DIR/check.out" 2>&1
    records=$(sed -n 's/.*: ok, \([0-9]*\) records.*/\1/p; s/.*torn tail at offset [0-9]* (.*) after \([0-9]*\) records.*/\1/p' "$DIR/check.out")
    : >"$DIR/round.log"
    "$BIN/hb-feed" --config "$CFG" --venue alpha >"$DIR/round.log" 2>&1 &
    rpid=$!
    wait_for 30 sh -c "! kill -0 $rpid 2>/dev/null || grep -q 'plugin sim started' '$DIR/round.log'" ||
        fail "round $r ($how in $file): neither refused nor started in 30 s"
    if grep -q DAMAGED "$DIR/check.out"; then
        wait $rpid; rc=$?
        [ "$rc" != 0 ] || fail "round $r: started on $file, $how: $(cat "$DIR/check.out")"
        grep -q "journal $file: damaged" "$DIR/round.log" ||
            fail "round $r ($how): no reason naming $file: $(grep ERROR "$DIR/round.log" | head -3)"
        cmp -s "$file" "$DIR/damaged" || fail "round $r ($how): the damaged $file was changed"
        refused=$((refused + 1))
    else
        [ -n "$records" ] || fail "round $r ($how): hb-journal check says: $(cat "$DIR/check.out")"
        started || { wait $rpid; fail "round $r ($how, $records records): refused: $(grep ERROR "$DIR/round.log" | head -3)"; }
        if [ "$file" = "$FILLS" ]; then got=$(held_fills); else got=$(held_orders); fi
        kill -TERM $rpid; wait $rpid
        [ "$got" = "$records" ] ||
            fail "round $r ($how in $file): the feed holds '$got' records, the journal's prefix $records"
        exact=$((exact + 1))
    fi
done
echo "ok   $ROUNDS damaged journals: $refused refused naming the file, untouched; $exact started on exactly their durable prefix"

# the good journals again: the feed knows its orders, a new one's fill passes
cp "$DIR/good.fills" "$FILLS"
cp "$DIR/good.orders" "$ORDERS"
start_feed
"$BIN/hb-tap" --config "$CFG" --send-order alpha BTC-USD sell 0.1 --client-id "it-$$-last" \
    --timeout-ms 15000 >>"$DIR/orders.out" 2>&1 || fail "the last order was not filled"
wait_for 20 agrees || fail "positions do not match the fills at the end: $n"
grep -q QUARANTINED "$DIR/alpha.log" && fail "a fill was quarantined: $(grep QUARANTINED "$DIR/alpha.log" | head -1)"
echo "ok   restarted on the good journals: $n fills, positions exact, nothing quarantined"
