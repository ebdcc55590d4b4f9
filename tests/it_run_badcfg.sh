#!/bin/sh
# hb-run's checks before anything starts: each case must exit 2, say what
# is wrong (file, line, key where there is one) and leave no process behind.
#   unknown --host; a config naming an unknown host; a component assigned
#   to no host (a venue, a component); a missing program; a tcp port in
#   use; a tcp address not on this machine; an ipc endpoint a running
#   process serves; CURVE (security:): a tcp endpoint off loopback without
#   a security: section, a missing secret key, a secret key readable by
#   group, a missing public certificate of an allowed client.
# And three that must pass --check: a missing program of a disabled
# component, a multi-host file run with --host, CURVE with every key.
# Skips (77) when hb-run or hb-feed is not built.
. "$(dirname "$0")/lib/it.sh"
it_require hb-run hb-feed hb-keygen hb_venue_sim.so python3

it_tmpdir runbad
it_at_exit 'pkill -9 -f -- "--config $DIR/" 2>/dev/null'     # whatever a case started
# each case reports on its own; the test fails at the end if one did
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# config NAME [EXTRA-VENUE-KEYS] [HOSTS-SECTION] [COMPONENTS-SECTION]
config() {
    cat >"$DIR/$1.yaml" <<EOF
hedgebus: 1
deployment: it-run-bad
run_dir: $DIR/run-$1
$3
assets:
  BTC: { price: 65000, vol: 0.55 }
market:
  seed: 3
venues:
  alpha:
    plugin: sim
    sim: { seed: 1 }
    $2
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }
$4
EOF
}

# expect_refused NAME PATTERN [hb-run args...]: exit 2, PATTERN on stderr,
# and nothing of NAME running
expect_refused() {
    name=$1; pattern=$2; shift 2
    timeout 20 "$BIN/hb-run" --config "$DIR/$name.yaml" "$@" >"$DIR/out" 2>"$DIR/err"
    rc=$?
    if [ "$rc" != 2 ]; then
        fail "$name: exit $rc, expected 2"; sed 's/^/    /' "$DIR/err" | head -5
    elif ! grep -q -- "$pattern" "$DIR/err"; then
        fail "$name: stderr lacks '$pattern':"; sed 's/^/    /' "$DIR/err" | head -5
    elif pgrep -f -- "--config $DIR/$name.yaml" >/dev/null; then
        fail "$name: a process was started"
    else
        echo "ok   $name: $(grep -- "$pattern" "$DIR/err" | head -1)"
    fi
}

config good
config hosts "host: colo" "hosts:
  office: { address: 10.0.0.1 }
  colo: { address: 10.0.0.2 }" "components:
  aggregator: { host: office, journal: $DIR/agg.journal }"

expect_refused good "hosts: unknown host 'nowhere' (known: local)" --host nowhere

# the sim plugin's own section, which only the plugin reads: hb-run has
# each venue's hb-feed --check it before anything starts
cat >"$DIR/plugin_section.yaml" <<EOF
hedgebus: 1
deployment: it-run-bad
run_dir: $DIR/run-plugin_section
assets:
  BTC: { price: 65000, vol: 0.55 }
market: { seed: 3 }
venues:
  alpha:
    plugin: sim
    sim: { seed: 1, depth: 99 }
    instruments:
      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }
EOF
expect_refused plugin_section "plugin_section.yaml:10: venues.alpha.sim.depth:" --check
expect_refused plugin_section "plugin_section.yaml:10: venues.alpha.sim.depth:"

config unknown_host "host: colo-2" "hosts:
  office: { address: 10.0.0.1, default: true }"
expect_refused unknown_host "unknown_host.yaml:14: venues.alpha.host: unknown host"

config no_host "" "hosts:
  office: { address: 10.0.0.1 }
  colo: { address: 10.0.0.2 }"
expect_refused no_host "no_host.yaml:[0-9]*: venues.alpha.host: venue alpha is assigned to no host"

expect_refused hosts "none is the default: pass --host NAME"

config no_program "" "" "components:
  risk: { program: hb-no-such-program }"
expect_refused no_program "no_program.yaml:17: components.risk: program hb-no-such-program not found"

# a disabled component may lack its program
config disabled "" "" "components:
  risk: { program: hb-no-such-program, enabled: false }"
if "$BIN/hb-run" --config "$DIR/disabled.yaml" --check >"$DIR/out" 2>"$DIR/err"; then
    echo "ok   disabled: $(cat "$DIR/out")"
else
    fail "disabled component with a missing program refused: $(cat "$DIR/err")"
fi
# the colo host of a two-host file: one feed, the aggregator is office's
if "$BIN/hb-run" --config "$DIR/hosts.yaml" --host colo --check >"$DIR/out" 2>"$DIR/err" &&
   grep -q "host colo: 1 process," "$DIR/out"; then
    echo "ok   hosts --host colo: $(cat "$DIR/out")"
else
    fail "--host colo: $(cat "$DIR/out" "$DIR/err")"
fi

# a tcp port someone else listens on
"$PY" -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$DIR/port" &
pids="$pids $!"
wait_for 10 test -s "$DIR/port"
port=$(cat "$DIR/port")
config port_busy "endpoint: tcp://127.0.0.1:$port"
expect_refused port_busy "port_busy.yaml:10: venues.alpha.endpoint: port in use"


# an ipc endpoint a running hb-feed serves
config ipc_busy
it_bg feed "$BIN/hb-feed" --config "$DIR/ipc_busy.yaml" --venue alpha
wait_for 20 test -S "$DIR/run-ipc_busy/feed.alpha.pub"
timeout 20 "$BIN/hb-run" --config "$DIR/ipc_busy.yaml" >"$DIR/out" 2>"$DIR/err"
rc=$?
if [ "$rc" = 2 ] && grep -q "ipc_busy.yaml:10: venues.alpha.endpoint: in use" "$DIR/err" &&
   [ "$(pgrep -f -- "--config $DIR/ipc_busy.yaml" | wc -l)" = 1 ]; then
    echo "ok   ipc_busy: $(head -1 "$DIR/err")"
else
    fail "ipc_busy: exit $rc: $(cat "$DIR/err")"
fi

# a component with no host: two hosts, none the default
config comp_no_host "host: colo" "hosts:
  office: { address: 10.0.0.1 }
  colo: { address: 10.0.0.2 }" "components:
  risk: { endpoint: ipc://$DIR/risk.pub }"
expect_refused comp_no_host "comp_no_host.yaml:[0-9]*: components.risk.host: component risk is assigned to no host"

# CURVE. Off loopback without security: a config error at the endpoint.
config open "endpoint: tcp://10.77.0.9:7001"
expect_refused open "open.yaml:13: venues.alpha.endpoint: a tcp endpoint off loopback needs CURVE"

# loopback: true puts tcp on loopback under CURVE, so keys are checked here
KEYS=$DIR/keys
"$BIN/hb-keygen" --out "$KEYS" feed.alpha tap >/dev/null || fail "hb-keygen"
port=$((20000 + $$ % 20000))
curve() {   # curve NAME ALLOW
    config "$1" "endpoint: tcp://127.0.0.1:$port" "security: { keys_dir: $KEYS, allow: [$2], loopback: true }"
}
curve curve_ok "feed.alpha, tap"
if "$BIN/hb-run" --config "$DIR/curve_ok.yaml" --check >"$DIR/out" 2>"$DIR/err" &&
   grep -q "every key in place" "$DIR/out"; then
    echo "ok   curve_ok: $(cat "$DIR/out")"
else
    fail "curve_ok with every key refused: $(cat "$DIR/out" "$DIR/err")"
fi
# an address of another machine (TEST-NET-1, never local), keys in place
config not_here "endpoint: tcp://192.0.2.1:5555" "security: { keys_dir: $KEYS, allow: [tap] }"
expect_refused not_here "not_here.yaml:10: venues.alpha.endpoint: address is not on this machine"
curve curve_ghost "feed.alpha, ghost"
expect_refused curve_ghost "curve_ghost.yaml:4: security.keys_dir: certificate of ghost (in security.allow) missing"
chmod 640 "$KEYS/feed.alpha.key_secret"
expect_refused curve_ok "curve_ok.yaml:4: security.keys_dir: secret key file $KEYS/feed.alpha.key_secret is open to group or others (mode 0640): refused"
rm "$KEYS/feed.alpha.key_secret"
expect_refused curve_ok "curve_ok.yaml:4: security.keys_dir: secret key of feed.alpha missing"
# the feed alone, without hb-run, refuses the same way before the bus
timeout 20 "$BIN/hb-feed" --config "$DIR/curve_ok.yaml" --venue alpha >"$DIR/out" 2>"$DIR/err"
rc=$?
if [ "$rc" = 2 ] && grep -q "secret key of feed.alpha missing" "$DIR/err"; then
    echo "ok   hb-feed alone: exit 2, $(grep -o 'secret key of feed.alpha missing.*' "$DIR/err" | cut -c1-60)"
else
    fail "hb-feed without its key: exit $rc: $(cat "$DIR/err")"
fi

[ "$failures" = 0 ]
