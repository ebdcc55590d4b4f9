#!/usr/bin/python3
# fillcheck.py FILLS SNAPSHOT [VENUE/SYMBOL=QTY ...]
#
# Recomputes every position from the fills recorded on the bus (hb-tap JSON
# lines in FILLS; other lines are ignored) plus the starting positions given
# as VENUE/SYMBOL=QTY, and compares them with the aggregator's snapshot
# (hb-aggsnap output in SNAPSHOT): per position, the signed quantity and the
# number of fills. A fill id counts once, however often it was seen.
# Prints the number of distinct fills and exits 0 when everything agrees;
# else prints every position that differs on one line and exits 1.
# Standard library only (tests run it with /usr/bin/python3).
import json
import sys


def main (argv):
    if len (argv) < 3:
        print ("usage: fillcheck.py FILLS SNAPSHOT [VENUE/SYMBOL=QTY ...]")
        return 2
    want, counts, seen = {}, {}, set ()
    for arg in argv [3:]:
        name, qty = arg.split ("=", 1)
        venue, symbol = name.split ("/", 1)
        want [(venue, symbol)] = float (qty)
    for line in open (argv [1]):
        line = line.strip ()
        if not line.startswith ("{"):
            continue
        f = json.loads (line).get ("fill")
        if not f or (f ["venue"], f ["fill_id"]) in seen:
            continue
        seen.add ((f ["venue"], f ["fill_id"]))
        pos = (f ["venue"], f ["symbol"])
        want [pos] = want.get (pos, 0.0) + (f ["qty"] if f ["side"] == "buy" else -f ["qty"])
        counts [pos] = counts.get (pos, 0) + 1
    got, got_fills = {}, {}
    for line in open (argv [2]):
        p = json.loads (line).get ("position")
        if p:
            got [(p ["venue"], p ["symbol"])] = p ["qty"]
            got_fills [(p ["venue"], p ["symbol"])] = p ["fills"]
    bad = []
    for pos in sorted (set (want) | set (got)):
        w, g = want.get (pos, 0.0), got.get (pos, 0.0)
        if abs (w - g) > 1e-9 * max (1.0, abs (w)) or counts.get (pos, 0) != got_fills.get (pos, 0):
            bad.append ("%s/%s: recomputed qty %r from %d fills, aggregator %r from %d"
                        % (pos [0], pos [1], w, counts.get (pos, 0), g, got_fills.get (pos, 0)))
    if bad:
        print ("; ".join (bad))
        return 1
    print (len (seen))
    return 0


if __name__ == "__main__":
    sys.exit (main (sys.argv))
