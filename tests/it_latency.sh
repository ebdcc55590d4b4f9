#!/bin/sh
# Each decision's latency, from a recording alone (hb-tap --in DIR --latency):
#  1. the hedging pipeline of tests/lib/hedger_pipeline.sh (two sim venues,
#     a book long 10 BTC, risk with a BTC band, the hedger) runs under
#     hb-record until the aggregator's pos.BTC is inside the band;
#  2. --latency-json: one JSON line per decision; each risk decision's
#     latency is exactly what jq computes from the recording (hb-tap --in):
#     the risk.hedge's ts_pub minus the newest ts_pub of the inputs it
#     names that were recorded before it, and its newest_input_topic is
#     that input's; every risk.hedge with such an input has its line, every
#     order whose client id is "<request id>.<leg>" of a request recorded
#     before it has a hedger line (order ts_pub - the request's) and, when
#     that request had a risk line, a total line;
#  3. --latency: the summary has a line per kind whose count is that of the
#     JSON lines of the kind, > 0 for risk, hedger and total;
#  4. --latency without --in is a usage error (exit 2).
# Skips (77) when a binary, the sim plugin or jq is missing.
. "$(dirname "$0")/lib/it.sh"
it_require hb-feed hb-tap hb-record hb-aggregator hb-risk hb-hedger hb_venue_sim.so jq

NAME=latency BAND=20000
. "$TOP/tests/lib/hedger_pipeline.sh"     # DIR, CFG, BUS, pipeline_start, inside

# 1. record; the recorder first, so it sees every input
it_bg record "$BIN/hb-record" --config "$CFG" --out "$DIR/rec" --fsync never; recorder=$it_pid
"$BIN/hb-tap" --config "$CFG" --topic pos.BTC --timeout-ms 90000 \
    >"$BUS" 2>"$DIR/tap.log" & pids="$pids $!"
sleep 0.5
pipeline_start
recording() {
    inside && return 0
    kill -0 "$recorder" 2>/dev/null || fail "hb-record exited"
    return 1
}
wait_for 60 recording || fail "pos.BTC net_usd $(net_usd) not within $BAND after 60 s"
sleep 1
it_stop "$recorder" || fail "hb-record exit status $? on SIGTERM"
it_stop_all
echo "ok   recorded until pos.BTC net_usd $(net_usd)"

# 2. a line a decision, checked against the recording itself
"$BIN/hb-tap" --in "$DIR/rec" >"$DIR/all.json" 2>"$DIR/tapin.log" || fail "hb-tap --in: exit $?"
"$BIN/hb-tap" --in "$DIR/rec" --latency-json >"$DIR/decisions.json" 2>"$DIR/latency.log" ||
    fail "hb-tap --in --latency-json: exit $?"
jq -e . "$DIR/decisions.json" >/dev/null || fail "--latency-json: not JSON lines"
# expected.json: what the decisions must be, from the messages in recording
# order: a message's key is (topic, publisher, epoch, seq)
jq -sc '
    def key: "\(.topic)|\(.publisher)|\(.epoch)|\(.seq)";
    [.[] | select(.env)] | to_entries as $all
    | (reduce $all[] as $e ({}; .["\($e.value.topic)|\($e.value.env.publisher)|\($e.value.env.epoch)|\($e.value.env.seq)"]
                                   //= {pos: $e.key, ts: $e.value.env.ts_pub})) as $seen
    # each request: its ts_pub, and its newest input recorded before it
    | ([ $all[] | select(.value.topic == "risk.hedge") | .key as $pos | .value as $m
        | [ $m.risk_hedge.inputs[] | . as $in | $seen[$in | key] | select(. != null and .pos < $pos)
            | {ts, topic: $in.topic} ] as $known
        | {id: $m.risk_hedge.id, pos: $pos, ts: $m.env.ts_pub, newest: ($known | max_by(.ts))} ]) as $requests
    | ($requests | map({(.id): .}) | add // {}) as $req
    | [ $requests[] | select(.newest)
        | {id, kind: "risk", latency_us: ((.ts - .newest.ts) / 1000), newest_input_topic: .newest.topic} ] as $risk
    # each order of a request recorded before it
    | [ $all[] | select(.value.topic | startswith("order.")) | .key as $pos | .value
        | .order.client_id as $cid | $req[$cid | sub("\\.[0-9]+$"; "")] as $r
        | select(($cid | test("\\.[0-9]+$")) and $r != null and $r.pos < $pos)
        | {id: $cid, kind: "hedger", latency_us: ((.env.ts_pub - $r.ts) / 1000), newest_input_topic: "risk.hedge"},
          (select($r.newest) | {id: $cid, kind: "total", latency_us: ((.env.ts_pub - $r.newest.ts) / 1000),
                                newest_input_topic: $r.newest.topic}) ] as $orders
    | {risk: $risk, hedger: ($orders | map(select(.kind == "hedger"))), total: ($orders | map(select(.kind == "total")))}
' "$DIR/all.json" >"$DIR/expected.json" || fail "jq on the recording"
jq -sce --slurpfile want "$DIR/expected.json" '
    def near(a; b): (a - b | fabs) < 1;     # us; jq reads ns as doubles (256 ns apart at 1.8e18)
    def same(got; want): (got | length) == (want | length)
        and ([got, want] | transpose | all(.[0].id == .[1].id and .[0].newest_input_topic == .[1].newest_input_topic
                                            and near(.[0].latency_us; .[1].latency_us)));
    . as $got | all("risk", "hedger", "total"; . as $k | same($got | map(select(.kind == $k)); $want[0][$k]))
' "$DIR/decisions.json" >/dev/null || {
    echo "decisions: $(jq -sc 'group_by(.kind) | map({(.[0].kind): length}) | add' "$DIR/decisions.json")"
    echo "expected:  $(jq -c 'map_values(length)' "$DIR/expected.json")"
    fail "--latency-json differs from the latencies computed from the recording"
}
count() { jq -s --arg k "$1" 'map(select(.kind == $k)) | length' "$DIR/decisions.json"; }
nr=$(count risk) nh=$(count hedger) nt=$(count total)
[ "$nr" -gt 0 ] && [ "$nh" -gt 0 ] && [ "$nt" -gt 0 ] || fail "decisions: risk $nr, hedger $nh, total $nt"
echo "ok   $nr risk, $nh hedger, $nt total decisions, each as computed from the recording; e.g."
grep -m1 '"kind":"risk"' "$DIR/decisions.json" | sed 's/^/     /'
grep -m1 '"kind":"total"' "$DIR/decisions.json" | sed 's/^/     /'

# 3. the summary
"$BIN/hb-tap" --in "$DIR/rec" --latency >"$DIR/summary.out" 2>>"$DIR/latency.log" ||
    fail "hb-tap --in --latency: exit $?"
cat "$DIR/summary.out"
grep -q "^DECISION LATENCY .*unknown inputs [0-9]*, orders of no known request [0-9]*$" "$DIR/summary.out" ||
    fail "no summary head line"
for k in "risk $nr" "hedger $nh" "total $nt"; do
    grep -Eq "^  ${k% *} +${k#* } +[0-9.]+us +[0-9.]+us +[0-9.]+us " "$DIR/summary.out" ||
        fail "summary: no line '${k% *}' with count ${k#* }"
done
echo "ok   the summary counts the same decisions"

# 4. a usage error
"$BIN/hb-tap" --latency >"$DIR/usage.out" 2>&1; rc=$?
[ "$rc" = 2 ] && grep -q "latency" "$DIR/usage.out" || fail "--latency without --in: exit $rc: $(cat "$DIR/usage.out")"
echo "ok   --latency without --in: exit 2"
exit 0
