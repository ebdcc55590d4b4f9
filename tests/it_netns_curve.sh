#!/bin/sh
# The deployment across two machines with CURVE (issue 6), as two network
# namespaces joined by a veth pair (addresses exist only inside them):
#   colo   10.77.0.1: hb-run --host colo   -> hb-feed alpha (sim), publishing
#                     and serving fill replays on tcp://10.77.0.1
#   office 10.77.0.2: hb-run --host office -> hb-aggregator, hb-risk; the
#                     console endpoint; hb-tap
# Keys from hb-keygen; security.allow names every process but "intruder".
# Checks:
#  1. data flows end to end: the tap in office sees alpha's ticks (over the
#     link) and the aggregator's positions; a console order from office
#     reaches the feed in colo and its fill comes back (exit 0, a fill);
#  2. a process with a certificate that is not allowed (hb-tap --key
#     intruder) sees no tick while the allowed tap sees many; one without
#     any certificate does not start (exit 2, the missing key named);
#  3. tcpdump on the link: the capture of the bus holds CURVE handshakes
#     and none of the symbol, venue or topic strings; a plain control
#     connection on the same link carrying the tap's output is captured
#     with those strings (so the search would see plaintext if there were
#     any).
# Skips (77) only when not root or `ip netns` does not work here.
# Namespaces and every process in them are removed on exit.
. "$(dirname "$0")/lib/it.sh"

[ "$(id -u)" = 0 ] || it_skip "needs root (ip netns)"
it_require ip
NSA=hbcolo$$
NSB=hboffice$$
VA=hbva$$
VB=hbvb$$
ip netns add "$NSA" 2>/dev/null || it_skip "ip netns add does not work here"

it_tmpdir netns
CFG=$DIR/it.yaml
# the namespaces and every process in them (none is in pids)
it_at_exit 'netns_cleanup'
netns_cleanup() {
    for ns in "$NSA" "$NSB"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    done
    sleep 0.2
    ip netns del "$NSA" 2>/dev/null
    ip netns del "$NSB" 2>/dev/null
}
for b in hb-run hb-feed hb-aggregator hb-risk hb-tap hb-keygen; do
    [ -x "$BIN/$b" ] || fail "$BIN/$b not built"
done
command -v tcpdump >/dev/null || fail "tcpdump not installed (mk/deps.sh)"

# the link: colo 10.77.0.1 <-> office 10.77.0.2
ip netns add "$NSB" || fail "ip netns add $NSB"
ip link add "$VA" type veth peer name "$VB" || fail "ip link add veth"
ip link set "$VA" netns "$NSA" && ip link set "$VB" netns "$NSB" || fail "moving the veth ends"
ip -n "$NSA" addr add 10.77.0.1/24 dev "$VA" && ip -n "$NSB" addr add 10.77.0.2/24 dev "$VB" ||
    fail "addresses"
for ns in "$NSA" "$NSB"; do ip -n "$ns" link set lo up; done
ip -n "$NSA" link set "$VA" up && ip -n "$NSB" link set "$VB" up || fail "links up"
A() { ip netns exec "$NSA" "$@"; }
B() { ip netns exec "$NSB" "$@"; }

"$BIN/hb-keygen" --out "$DIR/keys" feed.alpha aggregator risk console tap intruder >"$DIR/keygen.out" ||
    fail "hb-keygen"
[ "$(stat -c %a "$DIR/keys/tap.key_secret")" = 600 ] || fail "secret key not 0600"

{ it_yaml_head it-netns; cat <<EOF
hosts:
  colo:   { address: 10.77.0.1 }
  office: { address: 10.77.0.2, default: true }
security:
  keys_dir: $DIR/keys
  allow: [feed.alpha, aggregator, risk, console, tap]
assets:
  BTC: { price: 65000, vol: 0.55 }
  ETH: { price: 3400,  vol: 0.70 }
market:
  seed: 17
  correlation: [[1.0, 0.8], [0.8, 1.0]]
venues:
  alpha:
    host: colo
    plugin: sim
    endpoint: tcp://10.77.0.1:7001
    replay_endpoint: tcp://10.77.0.1:7002
    collateral: { USD: 1000000 }
    positions:
      - { symbol: BTC-USD, qty: 2, entry: 64000 }
    sim: { seed: 1, publish_ms: 100 }
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }
      - { symbol: ETH-USD, asset: ETH, kind: spot, tick: 0.01, lot: 0.001 }
components:
  aggregator: { endpoint: tcp://10.77.0.2:7003, journal: $DIR/run/agg.journal }
  risk:       { endpoint: tcp://10.77.0.2:7004 }
  console:    { endpoint: tcp://10.77.0.2:7005, orders: true }
EOF
} >"$CFG"

# captures on the link, before anything talks: the bus, and the control port
A tcpdump -i "$VA" -U -n -w "$DIR/bus.pcap" 'tcp and not port 7099' >"$DIR/tcpdump-bus.log" 2>&1 &
A tcpdump -i "$VA" -U -n -w "$DIR/plain.pcap" 'tcp port 7099' >"$DIR/tcpdump-plain.log" 2>&1 &
listening() { grep -q "listening on" "$DIR/tcpdump-bus.log" && grep -q "listening on" "$DIR/tcpdump-plain.log"; }
wait_for 10 listening || fail "tcpdump did not start"

A "$BIN/hb-run" --config "$CFG" --host colo >"$DIR/colo.log" 2>&1 &
B "$BIN/hb-run" --config "$CFG" --host office >"$DIR/office.log" 2>&1 &
B "$BIN/hb-tap" --config "$CFG" --topic tick. --topic pos. --topic fill. --timeout-ms 60000 \
    >"$DIR/tap.out" 2>"$DIR/tap.log" &
B "$BIN/hb-tap" --config "$CFG" --key intruder --topic tick. --timeout-ms 60000 \
    >"$DIR/intruder.out" 2>"$DIR/intruder.log" &

# 1. ticks over the link and positions from the aggregator
count() { grep -c "$1" "$DIR/$2" 2>/dev/null || true; }
flowing() { [ "$(count '"tick":{"venue":"alpha"' tap.out)" -ge 20 ] && [ "$(count '"topic":"pos.BTC"' tap.out)" -ge 1 ]; }
wait_for 40 flowing ||
    fail "the tap saw $(count '"tick":{"venue":"alpha"' tap.out) ticks and $(count '"topic":"pos.BTC"' tap.out) BTC positions"
grep -q "CURVE on: certificate feed.alpha" "$DIR/colo.log" || fail "the feed did not start CURVE"
grep -q "CURVE on: certificate aggregator" "$DIR/office.log" || fail "the aggregator did not start CURVE"
echo "ok   office's tap sees alpha's ticks from colo ($(count '"tick":{"venue":"alpha"' tap.out)) and the aggregator's positions over CURVE"

# ... and an order from the console in office is filled by the feed in colo
B "$BIN/hb-tap" --config "$CFG" --send-order alpha BTC-USD buy 0.01 --client-id it-netns-1 \
    --timeout-ms 20000 >"$DIR/order.out" 2>"$DIR/order.log" || fail "console order: exit $?"
grep -q '"fill":{' "$DIR/order.out" || fail "no fill for the console order: $(cat "$DIR/order.out")"
got_fill() { grep -q '"client_id":"it-netns-1"' "$DIR/tap.out"; }
wait_for 10 got_fill || fail "the tap did not see the order's fill"
echo "ok   console order office -> colo filled, the fill seen in office"

# 2. the intruder saw nothing in the same time; no key at all: no start
ticks=$(count '"tick":' intruder.out)
[ "$ticks" = 0 ] || fail "the intruder's tap received $ticks ticks"
B "$BIN/hb-tap" --config "$CFG" --key stranger --count 1 --timeout-ms 3000 >"$DIR/stranger.out" 2>"$DIR/stranger.log"
rc=$?
[ "$rc" = 2 ] && grep -q "secret key of stranger missing" "$DIR/stranger.log" ||
    fail "a tap without a certificate: exit $rc, $(cat "$DIR/stranger.log")"
echo "ok   refused: tap with the unknown key intruder saw 0 ticks (allowed tap: $(count '"tick":' tap.out)); no key: exit 2"

# 3. the plain control: the tap's own output over a bare TCP connection
A $PY -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.1", 7099)); s.listen(1); s.settimeout(20)
c, _ = s.accept(); c.settimeout(20)
while c.recv(65536): pass' >"$DIR/control.log" 2>&1 &
control=$!
sleep 0.5
head -50 "$DIR/tap.out" | B $PY -c '
import socket, sys, time
for i in range(50):
    try:
        s = socket.create_connection(("10.77.0.1", 7099), timeout=5); break
    except OSError: time.sleep(0.1)
s.sendall(sys.stdin.buffer.read()); s.close()' || fail "control connection"
wait "$control"

# stop the deployment; SIGINT flushes the captures
for ns in "$NSA" "$NSB"; do
    for p in $(ip netns pids "$ns"); do
        grep -q "hb-run\|hb-tap" "/proc/$p/cmdline" 2>/dev/null && kill -TERM "$p" 2>/dev/null
    done
done
sleep 1
for p in $(ip netns pids "$NSA"); do
    grep -q tcpdump "/proc/$p/cmdline" 2>/dev/null && kill -INT "$p"
done
sleep 1

bus=$(stat -c %s "$DIR/bus.pcap"); plain=$(stat -c %s "$DIR/plain.pcap")
[ "$bus" -gt 20000 ] || fail "the bus capture is too small ($bus bytes): nothing captured?"
grep -a -q CURVE "$DIR/bus.pcap" || fail "no CURVE handshake in the bus capture"
for s in BTC-USD ETH-USD alpha tick. pos.BTC it-netns-1; do
    grep -a -q -F "$s" "$DIR/plain.pcap" || fail "the control capture lacks '$s': the search is blind"
    if grep -a -q -F "$s" "$DIR/bus.pcap"; then
        fail "plaintext '$s' on the wire in the bus capture"
    fi
done
echo "ok   capture on the link: $bus bytes of bus traffic with CURVE handshakes and no BTC-USD, ETH-USD," \
     "alpha, tick., pos.BTC, it-netns-1; the plain control ($plain bytes) shows them all"
exit 0
