# Scaffolding of the integration tests (sourced by tests/it_*.sh, POSIX sh;
# not run on its own). Kept in one place so that every test skips, cleans up
# and reports a failure the same way.
#
# Sourcing it sets TOP (the repository), BIN (the binaries under test) and PY
# (Debian's python3, whose modules are Debian packages, not a pyenv one first
# on PATH), and exports HB_PLUGIN_PATH: what tests/run.sh passes in HB_TOP,
# HB_BIN, HB_PLUGIN_PATH and HB_PYTHON or, for a script run by hand, the ASan
# build of this tree. Then:
#   it_require WHAT...        exit 77 ("skip: ...") unless each is there
#   it_tmpdir NAME            DIR, pids and the cleanup on exit
#   it_bg LOG COMMAND...      start COMMAND in the background, pid in pids
#   it_stop PID, it_stop_ok PID LOG WHAT, it_stop_all, it_forget PID
#   fail MESSAGE...           report, show the logs, exit 1
#   wait_for SECONDS COMMAND...
#   it_net_usd, it_within     a hedging test's pos.BTC against its band
#   it_yaml_*                 config fragments several tests share
# Names other than fail, cleanup and wait_for start with it_ (variables too),
# so that a script's own names are never overwritten.
TOP=${HB_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BIN=${HB_BIN:-$TOP/build/asan/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$(cd "$BIN/.." 2>/dev/null && pwd)/lib/hedgebus}
if [ -n "$HB_PYTHON" ]; then PY=$HB_PYTHON
elif [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3
else PY=python3
fi

# it_require WHAT...: exits 77 with "skip: ..." unless every WHAT is there.
# hb-NAME is a binary in $BIN, NAME.so a plugin in a directory of
# $HB_PLUGIN_PATH, python3 is $PY, anything else a command on PATH.
it_require() {
    for it_what in "$@"; do
        case $it_what in
            hb-*) [ -x "$BIN/$it_what" ] || it_skip "$BIN/$it_what not built" ;;
            *.so) it_plugin "$it_what" || it_skip "no $it_what in $HB_PLUGIN_PATH" ;;
            python3) command -v "$PY" >/dev/null || it_skip "$PY not found" ;;
            *) command -v "$it_what" >/dev/null || it_skip "$it_what not installed" ;;
        esac
    done
}
it_skip() { echo "skip: $*"; exit 77; }
it_plugin() {       # FILE: found in one of the directories of $HB_PLUGIN_PATH
    it_rest=$HB_PLUGIN_PATH
    while [ -n "$it_rest" ]; do
        [ -f "${it_rest%%:*}/$1" ] && return 0
        case $it_rest in *:*) it_rest=${it_rest#*:} ;; *) it_rest="" ;; esac
    done
    return 1
}

# it_tmpdir NAME: a fresh directory DIR (/tmp/hb-it-NAME.XXXXXX), an empty
# pids, and cleanup run on exit (INT and TERM exit 1, so they clean up too).
it_tmpdir() {
    DIR=$(mktemp -d "/tmp/hb-it-$1.XXXXXX") || exit 1
    pids=""
    it_exit_cmds=""
    trap cleanup EXIT
    trap 'exit 1' INT TERM
}

# cleanup: it_stop_all, the commands given to it_at_exit, then DIR goes
# unless KEEP is set. The script's exit status stays what it was.
cleanup() {
    it_stop_all
    eval "$it_exit_cmds"
    if [ -n "$KEEP" ]; then echo "kept $DIR" >&2; else rm -rf "$DIR"; fi
}
# it_stop_all: SIGTERM to every pid in pids, SIGKILL to whatever still runs
# 5 s later (a test once waited for hb-tap's whole --timeout-ms), all waited
# for; pids is empty after it
it_stop_all() {
    for it_p in $pids; do kill "$it_p" 2>/dev/null; done
    it_i=0
    while [ $it_i -lt 50 ] && it_alive $pids; do sleep 0.1; it_i=$((it_i + 1)); done
    for it_p in $pids; do kill -9 "$it_p" 2>/dev/null; wait "$it_p" 2>/dev/null; done
    pids=""
}
it_alive() {        # PID...: one of them still runs
    for it_a in "$@"; do kill -0 "$it_a" 2>/dev/null && return 0; done
    return 1
}
# it_at_exit COMMAND: eval'd by cleanup once the pids are gone
it_at_exit() { it_exit_cmds="$it_exit_cmds
$1"; }

# fail MESSAGE...: prints "FAIL: MESSAGE", the last $IT_TAIL (20) lines of
# every DIR/*.log, and exits 1 (through cleanup).
fail() {
    echo "FAIL: $*"
    for it_f in "$DIR"/*.log; do
        [ -f "$it_f" ] || continue
        echo "--- $it_f"; tail -n "${IT_TAIL:-20}" "$it_f"
    done
    exit 1
}

# wait_for SECONDS COMMAND [ARG...]: runs COMMAND, then again every 0.1 s,
# until it succeeds (returns 0) or SECONDS x 10 more tries have failed
# (returns 1). COMMAND runs in this shell, so it may call fail.
wait_for() {
    it_tries=$(($1 * 10)); shift
    until "$@"; do
        [ "$it_tries" -gt 0 ] || return 1
        sleep 0.1; it_tries=$((it_tries - 1))
    done
}

# it_bg LOG COMMAND [ARG...]: starts COMMAND in the background, its stdout and
# stderr appended to DIR/LOG.log; its pid goes into pids and it_pid.
it_bg() {
    it_log=$DIR/$1.log; shift
    "$@" >>"$it_log" 2>&1 &
    it_pid=$!; pids="$pids $it_pid"
}
# it_forget PID...: takes them out of pids (they have been waited for)
it_forget() {
    it_keep=""
    for it_p in $pids; do
        case " $* " in *" $it_p "*) ;; *) it_keep="$it_keep $it_p" ;; esac
    done
    pids=$it_keep
}
# it_stop PID: SIGTERM, waits for it, forgets it; returns its exit status
it_stop() {
    kill -TERM "$1" 2>/dev/null; wait "$1"; it_rc=$?
    it_forget "$1"
    return $it_rc
}

# it_stop_ok PID LOG WHAT: it_stop, and fail unless PID exited 0. One
# exception, said aloud: LeakSanitizer's own tracer crashing at exit
# ("Tracer caught signal 11", seen under heavy CPU load while it stops the
# world) is a failure of the tool, not of the program: no leak was checked,
# none reported, and the program had stopped cleanly. Any sanitizer report
# in LOG still fails.
it_stop_ok() {
    it_stop "$1" && return 0
    it_rc=$?
    if grep -q "LeakSanitizer has encountered a fatal error" "$2" 2>/dev/null \
    && grep -q "Tracer caught signal" "$2" \
    && ! grep -q "ERROR: LeakSanitizer: detected memory leaks\|ERROR: AddressSanitizer\|runtime error:" "$2"; then
        echo "note: $3: LeakSanitizer's tracer crashed at exit (rc $it_rc, a tool failure; no leak report)"
        return 0
    fi
    fail "$3 exited $it_rc after SIGTERM"
}

# it_net_usd FILE: pos.BTC's net_usd in the last one hb-tap wrote to FILE,
# or nothing. it_within USD BAND: USD is a number and |USD| <= BAND.
it_net_usd() {
    grep '"topic":"pos.BTC"' "$1" | tail -1 | jq -r '.exposure.net_usd // empty'
}
it_within() {
    [ -n "$1" ] && jq -n --argjson n "$1" --argjson b "$2" '($n | fabs) <= $b' | grep -q true
}

# --- config fragments: each prints YAML lines, to be put together with
# { ...; } >"$CFG". Indentation is that of their place in the file.

# it_yaml_head DEPLOYMENT [LOG_LEVEL [RUN_DIR]]: info, $DIR/run by default
it_yaml_head() {
    cat <<EOF
hedgebus: 1
deployment: $1
run_dir: ${3:-$DIR/run}
log_level: ${2:-info}
EOF
}

# it_yaml_market SEED [ANCHOR]: assets BTC (65,000 USD, vol 55 %) and ETH
# (3,400 USD, vol 70 %), correlated 0.8, a step every 50 ms
it_yaml_market() {
    cat <<EOF
assets:
  BTC: { price: 65000, vol: 0.55 }
  ETH: { price: 3400, vol: 0.70 }
market:
  seed: $1
  step_ms: 50
  correlation: [[1, 0.8], [0.8, 1]]
EOF
    [ -z "$2" ] || echo "  anchor: $2"
}

# it_yaml_capital_rally: the capital story of issue 19
# (it_capital_rally.sh, it_capital_reduce.sh) up to its venues: the market
# with BTC's scripted rally (+25 % from 12 s after now, over 20 s), alpha
# (2,000,000 USD; buys 1.5 BTC spot a second in; may send to beta) and beta
# (20,000 USD; sells a 1.5 BTC perp a second in; liquidation on), margin
# 10 % initial, 5 % maintenance, deep books
it_yaml_capital_rally() {
    it_yaml_market 23 "$(date +%s)"
    printf '  script:\n    - { at: 12, move_pct: 25, over: 20, asset: BTC }\n'
    echo "venues:"
    it_m="margin: { initial: 0.1, maintenance: 0.05 }"
    it_book="publish_ms: 100, spread_bps: 2, level_bps: 1, level_usd: 500000"
    it_yaml_sim_venue alpha "collateral: { USD: 2000000 }" "$it_m" \
        "sim: { seed: 1, $it_book, transfers: { allow: [beta] }," \
        "       manual_trades: [ { after: 1, symbol: BTC-USD, side: buy, qty: 1.5 } ] }"
    it_yaml_instruments BTC-USD BTC-PERP
    it_yaml_sim_venue beta "collateral: { USD: 20000 }" "$it_m" \
        "sim: { seed: 2, $it_book, liquidation: { enabled: true }," \
        "       manual_trades: [ { after: 1, symbol: BTC-PERP, side: sell, qty: 1.5 } ] }"
    it_yaml_instruments BTC-PERP
}

# it_yaml_capital_treasury DELAY_S AUTO: the treasury: section of that
# story, 60 times faster than the issue's (BTC +25 % over 20 s:
# stress_minutes 1/3), one route alpha -> beta (USDC, fee 2) of DELAY_S
# seconds, auto AUTO (true or false)
it_yaml_capital_treasury() {
    printf 'treasury:\n  stress_move: 0.25\n  stress_minutes: 0.3333\n  plan_ms: 200\n  suggest_s: 1\n'
    printf '  routes:\n    alpha-beta-usdc: { from: alpha, to: beta, asset: USDC, network: arbitrum, '
    printf 'delay_s: %s, fee: 2, auto: %s }\n' "$1" "$2"
}

# it_yaml_instruments SYMBOL...: instrument lines of a sim venue, from one
# list so that the same symbol is the same instrument in every test
it_yaml_instruments() {
    for it_s in "$@"; do
        case $it_s in
            BTC-USD)  echo "      - { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 }" ;;
            ETH-USD)  echo "      - { symbol: ETH-USD, asset: ETH, kind: spot, tick: 0.01, lot: 0.001 }" ;;
            BTC-PERP) echo "      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001 }" ;;
            ETH-PERP) echo "      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, tick: 0.01, lot: 0.01 }" ;;
            BTC-INV)  echo "      - { symbol: BTC-INV, asset: BTC, kind: inverse_perp, multiplier: 100, tick: 0.5, lot: 1 }" ;;
            SOL-USD)  echo "      - { symbol: SOL-USD, asset: SOL, kind: spot, tick: 0.001, lot: 0.01 }" ;;
            SOL-PERP) echo "      - { symbol: SOL-PERP, asset: SOL, kind: linear_perp, tick: 0.001, lot: 0.01 }" ;;
            *) echo "it_yaml_instruments: no instrument $it_s" >&2; exit 1 ;;
        esac
    done
}

# it_yaml_sim_venue NAME SETTING...: a venue of the sim plugin, a SETTING a
# line ("fees: { maker: 0.001, taker: 0.003 }"), up to its "instruments:"
# key: the instrument lines follow
it_yaml_sim_venue() {
    printf '  %s:\n    plugin: sim\n' "$1"; shift
    for it_l in "$@"; do echo "    $it_l"; done
    echo "    instruments:"
}

# it_yaml_hedge_venues [ALPHA_POSITION [BETA_POSITION]]: the venues of the
# hedging tests, deep sim books (500,000 USD a level) on both: alpha (BTC
# spot and perp, ETH spot; taker fee 30 bps) and beta (BTC and ETH perps;
# taker fee 2 bps, the cheaper one). A position is a flow mapping such as
# "{ symbol: BTC-USD, qty: 10, entry: 64000 }". it_alpha_usd: alpha's USD
# collateral (1,000,000; a test buying spot on alpha over and over sets more).
it_yaml_hedge_venues() {
    it_book="publish_ms: 50, spread_bps: 2, level_bps: 1, level_usd: 500000"
    echo "venues:"
    it_yaml_sim_venue alpha "collateral: { USD: ${it_alpha_usd:-1000000} }" "fees: { maker: 0.001, taker: 0.003 }" \
        ${1:+"positions:" "  - $1"} "sim: { seed: 1, $it_book }"
    it_yaml_instruments BTC-USD BTC-PERP ETH-USD
    it_yaml_sim_venue beta "collateral: { USD: 1000000 }" "fees: { maker: 0.0001, taker: 0.0002 }" \
        ${2:+"positions:" "  - $2"} "sim: { seed: 2, $it_book }"
    it_yaml_instruments BTC-PERP ETH-PERP
}

# it_yaml_feed_market [SOL]: assets BTC and ETH (and SOL) without drift,
# correlated 0.75 to 0.85, and their market: a step every 100 ms from the
# start of the day
it_yaml_feed_market() {
    echo "assets:"
    echo "  BTC: { price: 65000, vol: 0.55, drift: 0.0 }"
    echo "  ETH: { price: 3400,  vol: 0.70, drift: 0.0 }"
    [ -z "$1" ] || echo "  SOL: { price: 150,   vol: 0.90, drift: 0.0 }"
    printf 'market:\n  seed: 7\n  step_ms: 100\n  anchor: day\n  correlation:\n'
    if [ -z "$1" ]; then
        printf '    - [1.00, 0.85]\n    - [0.85, 1.00]\n'
    else
        printf '    - [1.00, 0.85, 0.75]\n    - [0.85, 1.00, 0.78]\n    - [0.75, 0.78, 1.00]\n'
    fi
}

# it_yaml_feed_venues PUBLISH_MS [ALPHA_LINES [BETA_LINES]]: the venues of
# the feed and recording tests, with margin and noisy, deeper sim books:
# alpha (BTC and ETH spot), beta (BTC spot, ETH perp, wider spread); *_LINES
# are more instrument lines for each.
it_yaml_feed_venues() {
    echo "venues:"
    it_yaml_sim_venue alpha "fees: { maker: 0.0001, taker: 0.0004 }" \
        "margin: { initial: 0.10, maintenance: 0.05 }" "collateral: { USD: 2000000, BTC: 5 }" \
        "sim: { seed: 1, basis_bps: 0, noise_bps: 0.5, spread_bps: 2, level_bps: 1, depth: 5," \
        "       level_usd: 250000, publish_ms: $1, latency_ms: 1 }"
    echo "      - { symbol: BTC-USD,  asset: BTC, kind: spot, tick: 0.01, lot: 0.0001, min: 0.0001 }"
    echo "      - { symbol: ETH-USD,  asset: ETH, kind: spot, tick: 0.01, lot: 0.001,  min: 0.001 }"
    [ -z "$2" ] || echo "$2"
    it_yaml_sim_venue beta "fees: { maker: 0.0002, taker: 0.0005 }" \
        "margin: { initial: 0.05, maintenance: 0.025 }" "collateral: { USD: 1000000 }" \
        "sim: { seed: 2, basis_bps: 3, noise_bps: 1.0, spread_bps: 4, level_bps: 2, depth: 5," \
        "       level_usd: 100000, publish_ms: $1, latency_ms: 1 }"
    echo "      - { symbol: BTC-USD,  asset: BTC, kind: spot, tick: 0.1, lot: 0.0001, min: 0.0005 }"
    echo "      - { symbol: ETH-PERP, asset: ETH, kind: linear_perp, tick: 0.05, lot: 0.01, min: 0.01 }"
    [ -z "$3" ] || echo "$3"
}

# Components (under "components:"):
# it_yaml_aggregator: on $DIR/run/aggregator.pub, a snapshot every 200 ms
it_yaml_aggregator() {
    echo "  aggregator: { endpoint: \"ipc://$DIR/run/aggregator.pub\", snapshot_ms: 200 }"
}
# it_yaml_risk BTC_BAND MIN_SAMPLES [BANDS]: a sample every 100 ms, quotes
# stale after 1 s, a band on BTC only, or also the bands of BANDS (a flow
# mapping's entries: "SOL: 20000")
it_yaml_risk() {
    cat <<EOF
  risk:
    endpoint: ipc://$DIR/run/risk.pub
    sample_ms: 100
    publish_ms: 200
    quote_stale_ms: 1000
    min_samples: $2
    band: 1000000000
    bands: { BTC: $1${3:+, $3} }
EOF
}
# it_yaml_hedger ORDERS_PER_S [LINE...]: orders on, wide limits; each LINE
# ("key: value") is one more setting
it_yaml_hedger() {
    cat <<EOF
  hedger:
    endpoint: ipc://$DIR/run/hedger.pub
    orders: true
    max_order_usd: 1000000
    collar_bps: 100
    orders_per_s: $1
    max_net_usd: 10000000
    max_day_usd: 100000000
    max_request_age_ms: 2000
EOF
    shift
    for it_l in "$@"; do echo "    $it_l"; done
}
# it_yaml_option_market SEED CALLS USD: BTC alone (65,000 USD, vol 55 %,
# market seed SEED) and one derivatives venue, gamma, quoting BTC-PERP and
# two BTC options from the sim's vol surface (a 80,000 call and a 55,000
# put of June 2027, lots of 0.01) in deep books; the desk holds CALLS long
# calls and USD of collateral (the option tests: docs/RISK.md, Option
# legs: live)
it_yaml_option_market() {
    cat <<EOF
assets:
  BTC: { price: 65000, vol: 0.55 }
market:
  seed: $1
  step_ms: 50
venues:
  gamma:
    plugin: sim
    fees: { maker: -0.0001, taker: 0.0005 }
    margin: { initial: 0.10, maintenance: 0.06 }
    collateral: { USD: $3, BTC: 10 }
    sim: { seed: 3, spread_bps: 3, level_bps: 1.5, depth: 8, level_usd: 2000000, publish_ms: 50 }
    instruments:
      - { symbol: BTC-PERP, asset: BTC, kind: linear_perp, tick: 0.1, lot: 0.001, min: 0.001 }
      - { symbol: BTC-25JUN27-80000-C, asset: BTC, kind: option, type: call, strike: 80000,
          expiry: 2027-06-25T08:00:00Z, iv: 0.55, tick: 5, lot: 0.01, min: 0.01 }
      - { symbol: BTC-25JUN27-55000-P, asset: BTC, kind: option, type: put, strike: 55000,
          expiry: 2027-06-25T08:00:00Z, iv: 0.60, tick: 5, lot: 0.01, min: 0.01 }
    positions:
      - { symbol: BTC-25JUN27-80000-C, qty: $2, entry: 6000 }
EOF
}
# it_journal_ids KIND: the client ids of hb-hedger's journal records of KIND
# (I intent, O outcome), sorted, once each (records are text lines inside
# binary framing: hedger/hb_hedger.c)
it_journal_ids() {
    grep -a -o -E "$1 [A-Za-z0-9:._-]+-[0-9]+\.[0-9]+ " "$DIR/run/hedger.journal" | cut -d' ' -f2 | sort -u
}
# it_journal_settled: every intent of hb-hedger's journal has an outcome;
# leaves the ids in DIR/intents.txt and DIR/outcomes.txt
it_journal_settled() {
    it_journal_ids I >"$DIR/intents.txt"
    it_journal_ids O >"$DIR/outcomes.txt"
    [ -z "$(comm -23 "$DIR/intents.txt" "$DIR/outcomes.txt")" ]
}
# it_crash_cycle LABEL POINT NTH: one start of hb-hedger ($CFG) armed to
# kill itself at its NTH injected crash POINT (HB_HEDGER_CRASH, test
# build): it must die by that SIGKILL within 20 s. Meanwhile, once, after
# half a second, when the test's `inside` succeeds (nothing to hedge), the
# test's `buy` adds exposure, so there is something to die in.
it_crash_cycle() {
    it_bg hedger env HB_HEDGER_CRASH="$2" HB_HEDGER_CRASH_NTH="$3" "$BIN/hb-hedger" --config "$CFG"
    it_crash_pid=$it_pid it_crash_t=0 it_crash_bought=""
    while kill -0 "$it_crash_pid" 2>/dev/null; do
        it_crash_t=$((it_crash_t + 1))
        [ $it_crash_t -le 200 ] || fail "$1: the hedger did not reach its crash point in 20 s"
        if [ -z "$it_crash_bought" ] && [ $it_crash_t -gt 5 ] && inside; then buy; it_crash_bought=1; fi
        sleep 0.1
    done
    wait "$it_crash_pid"; it_crash_rc=$?
    it_forget "$it_crash_pid"
    [ "$it_crash_rc" = 137 ] || fail "$1: hedger exit status $it_crash_rc, not the injected SIGKILL"
}
# it_hedger_finish CHECK WHAT: after a kill storm, hb-hedger ($CFG) without
# crash until CHECK (a command) succeeds, within 30 s (else fail "WHAT not
# reached after 30 s"); then until every intent of its journal has an
# outcome (an order the last crash left in doubt ends once its feed proves
# it can no longer execute: its send + max_order_age_ms + 1 s of the
# feed's stamps; judged by the caller, with the ids: it_journal_settled);
# then SIGTERM, which it must exit 0 from
it_hedger_finish() {
    it_bg hedger "$BIN/hb-hedger" --config "$CFG"
    it_finish_pid=$it_pid
    it_finished() {
        "$1" && return 0
        kill -0 "$it_finish_pid" 2>/dev/null || fail "hb-hedger exited"
        return 1
    }
    wait_for 30 it_finished "$1" || fail "$2 not reached after 30 s"
    wait_for 15 it_journal_settled || true
    sleep 1
    it_stop "$it_finish_pid" || fail "hb-hedger exit status $? on SIGTERM"
}
# it_yaml_console [ENDPOINT]: a console allowed to send orders, on
# $DIR/run/console.pub by default
it_yaml_console() {
    echo "  console: { endpoint: ${1:-ipc://$DIR/run/console.pub}, orders: true }"
}
