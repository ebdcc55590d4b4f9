#!/bin/sh
# The Python peer pipeline (../shared/peer: feed.py -> aggregator.py ->
# risk.py -> hedger.py, pyzmq + msgpack + numpy, "what a desk would
# otherwise write") run beside the C chain, and the ratios C / Python.
#
#   sh bench/peer.sh [FIGURES]
#
# FIGURES: the key=value file hb_chain_bench wrote (HB_BENCH_FIGURES); without
# it only the peer's own figures are printed. The peer runs reduced (ipc
# only, one run, LAT_SECS=5, THR_COUNT=50000): about 20-30 s. It is skipped,
# with a line saying why, when ../shared/peer is not there (HB_SHARED: the
# shared directory, default the one beside the repository) or when
# /usr/bin/python3 cannot import zmq, msgpack and numpy; nothing is
# installed from here (Debian: python3-zmq python3-msgpack python3-numpy).
# The peer writes only under a new /tmp directory: shared/ may be read-only.
cd "$(dirname "$0")/.." || exit 1
PY=/usr/bin/python3
figures=$1
shared=${HB_SHARED:-$(pwd)/../shared}
peer=$shared/peer
if [ ! -f "$peer/run.sh" ] || [ ! -f "$peer/report.py" ]; then
    echo "peer skipped: no Python peer at $peer (set HB_SHARED to the shared directory)"
    exit 0
fi
if ! $PY -c 'import zmq, msgpack, numpy' 2>/dev/null; then
    echo "peer skipped: $PY cannot import zmq, msgpack and numpy (Debian packages python3-zmq python3-msgpack python3-numpy; bench installs nothing)"
    exit 0
fi
out=$(mktemp -d /tmp/hb-bench-peer.XXXXXX) || exit 1
lat_secs=${HB_PEER_LAT_SECS:-5}
thr_count=${HB_PEER_THR_COUNT:-50000}
start=$(date +%s)
# run.sh waits up to QUIET_WAIT s for a quiet machine: on a shared one it
# may never be; 5 s at most, and the peer's "other" share tells.
TRANSPORTS=ipc REPS=1 LAT_RATE=2000 LAT_SECS=$lat_secs THR_COUNT=$thr_count \
QUIET_WAIT=${HB_PEER_QUIET_WAIT:-5} OUT=$out/peer \
    timeout 180 bash "$peer/run.sh" >"$out/log" 2>&1
rc=$?
if [ $rc -ne 0 ] || [ ! -f "$out/peer/summary.json" ]; then
    echo "peer failed (rc=$rc) after $(( $(date +%s) - start )) s; its output is in $out/log:"
    tail -n 5 "$out/log" | sed 's/^/   /'
    exit 1
fi
grep '^  ipc/' "$out/log" | sed 's/^  /peer run /'
$PY - "$out/peer/summary.json" "$figures" "$lat_secs" "$thr_count" <<'PYEOF'
import json, sys
summary = json.load(open(sys.argv[1]))
c = {}
try:
    for line in open(sys.argv[2]):
        key, _, value = line.strip().partition("=")
        if value:
            c[key] = float(value)
except (OSError, IndexError):
    pass
lat = summary["results"]["ipc/latency"]["median"]
thr = summary["results"]["ipc/throughput"]["median"]
print(f"peer python {summary['python']} pyzmq {summary['pyzmq']} (libzmq {summary['libzmq']}) "
      f"msgpack {summary['msgpack']} numpy {summary['numpy']}, ipc, 1 run each")
print(f"peer latency p50={lat['p50_us']:.1f}us p99={lat['p99_us']:.1f}us p99.9={lat['p999_us']:.1f}us "
      f"(2000 ticks/s for {sys.argv[3]} s, every tick an order: feed publish -> order handed to "
      f"ZeroMQ by hedger.py, 4 processes, 3 hops; machine {lat['machine_busy_pct']:.0f}% busy, "
      f"other {lat['other_pct']:.0f}%)")
print(f"peer throughput rate={thr['e2e_ticks_per_s']:.0f} ticks/s cpu={thr['cpu_us_per_tick']:.1f}us/tick "
      f"drops={thr['drops']:.0f} ({sys.argv[4]} ticks flat out, to hedger.py; CPU of the 4 processes)")
def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "n/a"
if "busy_p50_us" in c:
    print(f"peer ratio C/Python latency (C busy cadence) p50={ratio(c['busy_p50_us'], lat['p50_us'])} "
          f"p99={ratio(c['busy_p99_us'], lat['p99_us'])} (below 1: C faster)")
if "realistic_p50_us" in c:
    print(f"peer ratio C/Python latency (C realistic cadence) p50={ratio(c['realistic_p50_us'], lat['p50_us'])} "
          f"p99={ratio(c['realistic_p99_us'], lat['p99_us'])}")
if "thr_ticks_per_s" in c:
    print(f"peer ratio C/Python throughput={ratio(c['thr_ticks_per_s'], thr['e2e_ticks_per_s'])}x "
          f"cpu_per_tick={ratio(c['thr_cpu_us_per_tick'], thr['cpu_us_per_tick'])} (above 1 / below 1: C better)")
if not c:
    print("peer ratio: no C figures (run the chain bench first: HB_BENCH_FIGURES)")
PYEOF
rc=$?
if [ -n "$KEEP" ]; then
    echo "peer took $(( $(date +%s) - start )) s; raw data in $out/"
else
    echo "peer took $(( $(date +%s) - start )) s"
    rm -rf "$out"
fi
exit $rc
