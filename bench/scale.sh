#!/bin/sh
# How the pipeline grows with the universe (issue 16): a generated
# deployment of A assets on 5 sim venues of M instruments each (a spot and
# a perpetual per asset, then option chains: calls and puts on a strike
# grid around the price, four expiries) runs under hb-run with the
# aggregator, hb-risk and hb-hedger (orders off). For each point it prints
#   start    seconds from hb-run's start to the first risk.exposure
#   per process: CPU microseconds per tick over a 15 s window (user +
#            system time over the ticks the feeds published in it), the
#            RSS in MB after that window and its peak (VmHWM: the config
#            file's parse tree at start; issue 16's goal is 64 MB)
# and, after the points, the growth ratios: 20 -> 200 assets at the same
# instruments, and 200 -> 20,000 instruments at 200 assets. The tick rate
# is held near 2,000 ticks/s a venue (publish_ms grows with M), so that a
# point measures the cost of the universe, not of a busier market.
# Processes of one kind (the five feeds): the largest RSS, the sum of CPU.
# Figures, not assertions: run by bench/run.sh (BENCH=scale for it alone).
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
BIN=${HB_BIN:-$TOP/build/bin}
export HB_PLUGIN_PATH=${HB_PLUGIN_PATH:-$TOP/build/lib/hedgebus}
VENUES=5
WINDOW=${SCALE_WINDOW:-15}
for b in hb-run hb-tap hb-feed hb-aggregator hb-risk hb-hedger; do
    [ -x "$BIN/$b" ] || { echo "   skip: $BIN/$b not built"; exit 0; }
done
CLK=$(getconf CLK_TCK)

# gen A M DIR: the deployment file. Instruments are counted across the
# venues (so that 200 assets on 5 venues of 40 each are each listed once):
# a spot of each asset, then a perpetual of each, then options round the
# assets: strikes 80..120 % of the price, calls and puts, four expiries.
# The tick rate is held near 2,000 a venue: publish_ms grows with M.
gen() {
    awk -v A="$1" -v M="$2" -v V=$VENUES -v D="$3" 'BEGIN {
        pub = int (M * 1000 / 2000); if (pub < 50) pub = 50
        split ("2027-01-29 2027-03-26 2027-06-25 2027-12-31", expiry, " ")
        printf "hedgebus: 1\ndeployment: scale\nrun_dir: %s/run\nlog_level: warn\nassets:\n", D
        for (i = 0; i < A; i++) printf "  A%d: { price: %d, vol: 0.6 }\n", i, 100 + i
        printf "market:\n  seed: 5\n  step_ms: 100\nvenues:\n"
        for (v = 0; v < V; v++) {
            printf "  v%d:\n    plugin: sim\n    collateral: { USD: 10000000 }\n", v
            printf "    sim: { seed: %d, publish_ms: %d }\n    instruments:\n", v + 1, pub
            for (k = 0; k < M; k++) {
                g = v * M + k; a = g % A; r = int (g / A); p = 100 + a
                if (r == 0)
                    printf "      - { symbol: S%d, asset: A%d, kind: spot, tick: 0.001, lot: 0.01 }\n", a, a
                else if (r == 1)
                    printf "      - { symbol: P%d, asset: A%d, kind: linear_perp, tick: 0.001, lot: 0.01 }\n", a, a
                else {
                    o = r - 2; e = o % 4; t = int (o / 4) % 2 ? "put" : "call"; gs = int (o / 8)
                    strike = int (p * (80 + (gs * 5) % 45) / 100); if (strike < 1) strike = 1
                    printf "      - { symbol: O%d, asset: A%d, kind: option, type: %s, strike: %d, " \
                           "expiry: %sT08:00:00Z, iv: 0.6, tick: 0.001, lot: 0.1 }\n", g, a, t, strike, expiry [e + 1]
                }
            }
        }
        printf "components:\n  aggregator: { endpoint: \"ipc://%s/run/aggregator.pub\", snapshot_ms: 1000 }\n", D
        printf "  risk:\n    endpoint: ipc://%s/run/risk.pub\n    sample_ms: 1000\n", D
        printf "    publish_ms: 1000\n    quote_stale_ms: 5000\n    min_samples: 5\n"
        printf "  hedger:\n    endpoint: ipc://%s/run/hedger.pub\n    orders: false\n", D
    }' >"$3/scale.yaml"
}

# bench/scale.sh --gen A M DIR: only writes DIR/scale.yaml (to profile a
# point by hand)
if [ "$1" = --gen ]; then gen "$2" "$3" "$4"; exit 0; fi

# cpu PID: user + system clock ticks so far
cpu() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# procs CFG: "PID NAME" of the deployment's processes (NAME: the program,
# hb-feed, hb-risk, ...; hb-run and the taps left out)
procs() {
    for p in $(pgrep -f -- "--config $1" 2>/dev/null); do
        n=$(basename "$(tr '\0' '\n' <"/proc/$p/cmdline" 2>/dev/null | head -1)")
        case $n in hb-run|hb-tap|"") continue ;; esac
        echo "$p $n"
    done
}

results=$(mktemp /tmp/hb-scale.XXXXXX)
point() {
    a_n=$1; m=$2
    dir=$(mktemp -d /tmp/hb-scale.XXXXXX)
    gen "$a_n" "$m" "$dir"
    cfg=$dir/scale.yaml
    "$BIN/hb-tap" --config "$cfg" --topic risk.exposure --timeout-ms 600000 >"$dir/first" 2>/dev/null &
    tap1=$!
    t0=$(date +%s.%N)
    "$BIN/hb-run" --config "$cfg" >"$dir/run.log" 2>&1 &
    run=$!
    i=0
    while [ ! -s "$dir/first" ] && [ $i -lt 1800 ] && kill -0 $run 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    t1=$(date +%s.%N)
    kill $tap1 2>/dev/null; wait $tap1 2>/dev/null
    if [ ! -s "$dir/first" ]; then
        echo "   $a_n assets x $((VENUES * m)) instruments: no risk.exposure in 180 s ($(tail -2 "$dir/run.log" | tr '\n' ' '))"
        kill $run 2>/dev/null; wait $run 2>/dev/null
        pkill -9 -f -- "--config $cfg" 2>/dev/null
        rm -rf "$dir"; return
    fi
    start=$(echo "$t1 $t0" | awk '{printf "%.1f", $1 - $2}')
    sleep 3
    procs "$cfg" >"$dir/procs"
    while read -r p n; do echo "$p $n $(cpu "$p")"; done <"$dir/procs" | sort >"$dir/cpu0"
    "$BIN/hb-tap" --config "$cfg" --topic tick. --timeout-ms $((WINDOW * 1000)) 2>/dev/null | wc -l >"$dir/ticks"
    while read -r p n; do echo "$p $n $(cpu "$p")"; done <"$dir/procs" | sort >"$dir/cpu1"
    ticks=$(cat "$dir/ticks")
    line="   $a_n assets x $((VENUES * m)) instruments: start ${start} s, $ticks ticks in ${WINDOW} s;"
    total=0
    for comp in feed aggregator risk hedger; do
        us=$(join "$dir/cpu0" "$dir/cpu1" | awk -v c="$comp" -v t="$ticks" -v hz="$CLK" \
            'index($2, c) { s += $5 - $3 } END { printf "%.2f", (t > 0? s / hz * 1e6 / t: 0) }')
        rss=$(while read -r p n; do case $n in *$comp*) awk '/VmRSS/ {print $2}' "/proc/$p/status" ;; esac; done \
              <"$dir/procs" | sort -n | tail -1)
        hwm=$(while read -r p n; do case $n in *$comp*) awk '/VmHWM/ {print $2}' "/proc/$p/status" ;; esac; done \
              <"$dir/procs" | sort -n | tail -1)
        line="$line $comp ${us} us/tick, RSS $(( ${rss:-0} / 1024 )) MB (peak $(( ${hwm:-0} / 1024 )));"
        total=$(echo "$total $us" | awk '{print $1 + $2}')
        echo "$a_n $((VENUES * m)) $comp $us ${rss:-0}" >>"$results"
    done
    echo "$a_n $((VENUES * m)) start $start 0" >>"$results"
    echo "$line all ${total} us/tick"
    kill $run 2>/dev/null; wait $run 2>/dev/null
    pkill -9 -f -- "--config $cfg" 2>/dev/null
    rm -rf "$dir"
}

# SCALE_POINTS="A:M ...": other points (assets : instruments a venue)
for pt in ${SCALE_POINTS:-20:40 200:40 200:400 200:4000}; do
    point "${pt%%:*}" "${pt##*:}"
done
# growth: CPU per tick and start-up, 20 -> 200 assets (200 instruments) and
# 200 -> 20,000 instruments (200 assets). Issue 16's goal: near linear in
# instruments (a cost per tick that does not grow with them: 1x), no worse
# than quadratic in assets (100x for 10x)
for comp in feed aggregator risk hedger start; do
    awk -v c="$comp" '$3 == c { v[$1 " " $2] = $4 }
        END { a = v["20 200"]; b = v["200 200"]; d = v["200 20000"]
              printf "   growth %-10s 20->200 assets %s, 200->20,000 instruments %s\n", c,
                  (a > 0? sprintf ("%.1fx", b / a): "n/a"), (b > 0? sprintf ("%.1fx", d / b): "n/a") }' "$results"
done
rm -f "$results"
