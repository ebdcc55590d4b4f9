# The steps the real-venue tests share (sourced by tests/it_venue_*.sh after
# tests/lib/it.sh, POSIX sh; not run on its own): a scripted venue from
# tests/venues/ on loopback, hb-feed hosting the plugin against it, hb-tap
# on the bus, and the checks every venue makes the same way. Kept in one
# place so that the venue tests agree on them.
#   venue_require NAME [WHAT...]   it_require for a venue test (skip 77)
#   venue_secret FILE LINE         DIR/FILE holding LINE, mode 0600
#   venue_driver LOG DRIVER ARG... tests/venues/DRIVER in the background
#   venue_serve DRIVER             the same with the usual files, its ports
#   venue_ports MESSAGE FILE...    waits for the driver's port files
#   venue_port FILE KEY            a port from one of them
#   venue_config DEPLOYMENT <BODY  CFG: head, BODY (assets, venues), console
#   venue_tap TIMEOUT_MS TOPIC...  hb-tap into DIR/tap.out; pid_tap
#   venue_feed VENUE [VAR=VALUE..] hb-feed into DIR/feed.log; pid_feed
#   venue_wait_log SECONDS PATTERN FILE
#   venue_check_book SYMBOL KEY [FLAGS [PX_TOL]]
#   venue_heartbeat VENUE, venue_trades LIST
#   venue_order NAME ARG..., venue_acks LIST, venue_rejected TEXT
#   venue_no_secret MESSAGE STRING...
# Names start with venue_ (variables too).
IT_TAIL=${IT_TAIL:-25}

# venue_require NAME [WHAT...]: hb-feed, hb-tap, the plugin hb_venue_NAME.so,
# python3 with its websockets module (venue_server.py's) and each WHAT
venue_require() {
    venue_name=$1; shift
    it_require hb-feed hb-tap "hb_venue_$venue_name.so" python3 "$@"
    "$PY" -c 'import websockets' 2>/dev/null || it_skip "python3-websockets missing"
}

# venue_secret FILE LINE: writes LINE to DIR/FILE, readable by its owner only
venue_secret() {
    printf '%s\n' "$2" >"$DIR/$1"
    chmod 600 "$DIR/$1"
}

# venue_driver LOG DRIVER ARG...: starts tests/venues/DRIVER ARG... under
# $PY in the background (in pids), stdout to DIR/LOG.out, stderr DIR/LOG.log
venue_driver() {
    venue_log=$1 venue_py=$2; shift 2
    "$PY" "$TOP/tests/venues/$venue_py" "$@" >"$DIR/$venue_log.out" 2>"$DIR/$venue_log.log" &
    pids="$pids $!"
}

# venue_serve DRIVER: venue_driver server DRIVER with the key and secret
# files DIR/key and DIR/secret, the books to DIR/expected.json, the log to
# DIR/server.jsonl, 90 s at most; waits for its ports (DIR/ports)
venue_serve() {
    venue_driver server "$1" --key-file "$DIR/key" --secret-file "$DIR/secret" \
        --expected "$DIR/expected.json" --port-file "$DIR/ports" --log "$DIR/server.jsonl" --timeout 90
    venue_ports "venue server did not start" ports
}

# venue_ports MESSAGE FILE...: waits up to 10 s until every DIR/FILE (a
# driver's --port-file) is there, else fail MESSAGE
venue_ports() {
    venue_msg=$1; shift
    wait_for 10 venue_have "$@" || fail "$venue_msg"
}
venue_have() {      # FILE...: each DIR/FILE exists
    for venue_f in "$@"; do [ -f "$DIR/$venue_f" ] || return 1; done
}
# venue_port FILE KEY: the port KEY (ws_port, http_port) in DIR/FILE
venue_port() { awk -v k="$2" '$1 == k {print $2}' "$DIR/$1"; }

# venue_config DEPLOYMENT <BODY: CFG=DIR/it.yaml: it_yaml_head DEPLOYMENT,
# BODY (the assets and venues) from stdin, then a console allowed to send
# orders (hb-tap --send-order)
venue_config() {
    CFG=$DIR/it.yaml
    { it_yaml_head "$1"; cat; echo "components:"; it_yaml_console; } >"$CFG"
}

# venue_tap TIMEOUT_MS TOPIC...: hb-tap on TOPICs, its JSON lines in
# DIR/tap.out, stderr in DIR/tap.log; its pid in pid_tap
venue_tap() {
    venue_t=$1; shift
    for venue_s in "$@"; do set -- "$@" --topic "$venue_s"; shift; done
    "$BIN/hb-tap" --config "$CFG" "$@" --timeout-ms "$venue_t" >"$DIR/tap.out" 2>"$DIR/tap.log" &
    pid_tap=$!
    pids="$pids $pid_tap"
}

# venue_feed VENUE [VAR=VALUE...]: hb-feed --venue VENUE with these
# variables in its environment, output in DIR/feed.log; its pid in pid_feed
venue_feed() {
    venue_v=$1; shift
    it_bg feed env "$@" "$BIN/hb-feed" --config "$CFG" --venue "$venue_v"
    pid_feed=$it_pid
}

# venue_wait_log SECONDS PATTERN FILE: 0 once PATTERN is in FILE, 1 when
# SECONDS have passed first; fail "hb-feed died" if it did meanwhile
venue_wait_log() { wait_for "$1" venue_seen "$2" "$3"; }
venue_seen() {
    grep -q -- "$1" "$2" 2>/dev/null && return 0
    kill -0 "$pid_feed" 2>/dev/null || fail "hb-feed died"
    return 1
}

# venue_check_book SYMBOL KEY [FLAGS [PX_TOL]]: the last tick of SYMBOL in
# DIR/tap.out has flags among FLAGS (a JSON array, [0] by default) and the
# levels of the book KEY of DIR/expected.json (what the driver computed):
# as many levels a side, each price equal (within PX_TOL when not 0, the
# default) and each size within 1e-9. Else fail, showing both books.
venue_check_book() {
    jq -se --arg p "$1" --arg k "$2" --argjson flags "${3:-[0]}" --argjson tol "${4:-0}" \
        --slurpfile want "$DIR/expected.json" '
        def px_eq(a; b): if $tol == 0 then a == b else ((a - b) | fabs) < $tol end;
        [.[] | select(.tick.symbol == $p)] | last | .tick as $t
        | ($want[0][$k]) as $w
        | ($flags | any(. == $t.flags))
          and ($t.bids | length) == ($w.bids | length) and ($t.asks | length) == ($w.asks | length)
          and ([range(0; $w.bids | length)] | all(px_eq($t.bids[.][0]; $w.bids[.][0])
                                                 and (($t.bids[.][1] - $w.bids[.][1]) | fabs) < 1e-9))
          and ([range(0; $w.asks | length)] | all(px_eq($t.asks[.][0]; $w.asks[.][0])
                                                 and (($t.asks[.][1] - $w.asks[.][1]) | fabs) < 1e-9))' \
        "$DIR/tap.out" >/dev/null ||
        fail "$1: last tick $(jq -c --arg p "$1" 'select(.tick.symbol == $p) | .tick | [.flags, .bids[0:3], .asks[0:3]]' "$DIR/tap.out" | tail -1) != expected $(jq -c --arg k "$2" '.[$k] | [.bids[0:3], .asks[0:3]]' "$DIR/expected.json")"
}

# venue_heartbeat VENUE: feed.VENUE's heartbeat status in DIR/tap.out was
# stale (1) at some point and healthy (0) last, else fail
venue_heartbeat() {
    jq -se --arg c "feed.$1" '[.[] | select(.heartbeat.component == $c) | .heartbeat.status] as $s
        | ($s | index(1)) != null and ($s | last) == 0' "$DIR/tap.out" >/dev/null ||
        fail "heartbeat status never stale then healthy: $(jq -c 'select(.heartbeat) | .heartbeat.status' "$DIR/tap.out" | tr '\n' ' ')"
}

# venue_trades LIST: the trades in DIR/tap.out, as "symbol trade_id side px
# qty" texts, are the JSON array LIST, else fail
venue_trades() {
    jq -se --argjson want "$1" '[.[] | select(.trade)]
        | map(.trade | "\(.symbol) \(.trade_id) \(.side) \(.px) \(.qty)") | . == $want' \
        "$DIR/tap.out" >/dev/null || fail "trades: $(jq -c 'select(.trade) | .trade' "$DIR/tap.out")"
}

# venue_order NAME ARG...: hb-tap --send-order ARG... (20 s at most), its
# output in DIR/NAME.out and DIR/NAME.log; returns hb-tap's exit status
venue_order() {
    venue_o=$1; shift
    "$BIN/hb-tap" --config "$CFG" --send-order "$@" --timeout-ms 20000 \
        >"$DIR/$venue_o.out" 2>"$DIR/$venue_o.log"
}
# venue_acks LIST: the ack statuses in DIR/order.out are the JSON array LIST
venue_acks() {
    jq -se --argjson want "$1" '[.[] | select(.ack) | .ack.status] == $want' "$DIR/order.out" \
        >/dev/null || fail "acks: $(jq -c 'select(.ack) | .ack' "$DIR/order.out")"
}
# venue_rejected TEXT: DIR/reject.out holds one ack, rejected for
# insufficient_collateral, its text matching the regex TEXT (the venue's)
venue_rejected() {
    jq -se --arg text "$1" '[.[] | select(.ack) | .ack] | length == 1 and .[0].status == "rejected"
        and .[0].reason == "insufficient_collateral" and (.[0].text | test($text))' \
        "$DIR/reject.out" >/dev/null || fail "reject: $(jq -c 'select(.ack) | .ack' "$DIR/reject.out")"
}

# venue_no_secret MESSAGE STRING...: fail MESSAGE (after naming the files)
# when a STRING is in any DIR/*.log, *.out or *.jsonl
venue_no_secret() {
    venue_msg=$1; shift
    for venue_s in "$@"; do
        if grep -l -- "$venue_s" "$DIR"/*.log "$DIR"/*.out "$DIR"/*.jsonl 2>/dev/null; then
            fail "$venue_msg"
        fi
    done
}

# venue_check_instruments VENUE WANT: the instrument.VENUE messages of
# DIR/tap.out, applied in order (a delisting removes), leave exactly the
# symbols of the JSON list WANT, each with every field WANT gives (numbers
# within 1e-9); fails naming what the bus holds
venue_check_instruments() {
    jq -se --arg v "$1" --slurpfile want "$2" '
        (reduce (.[] | select(.instrument.venue == $v) | .instrument) as $i ({};
            if ($i.flags | index ("delisted")) then del (.[$i.symbol]) else .[$i.symbol] = $i end)) as $got
        | ($got | keys) == ($want [0] | map (.symbol) | sort)
          and all ($want [0] [];
                   . as $w | $got [$w.symbol] as $g
                   | all ($w | keys [];
                          . as $k | if ($w [$k] | type) == "number" then (($g [$k] - $w [$k]) | fabs) < 1e-9
                                    else $g [$k] == $w [$k] end))' "$DIR/tap.out" >/dev/null ||
        fail "instrument.$1: $(jq -c 'select(.instrument) | .instrument | [.symbol, .kind, .flags, .multiplier, .lot_size, .min_qty, .expiry_ns, .strike, .settle]' "$DIR/tap.out")"
}
