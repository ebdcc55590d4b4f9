#!/bin/sh
# Runs every benchmark of the plain (-O2) build. Each prints its figures and,
# where it applies, the ratio against the bare transport measured in the same
# run. Figures on these shared 2-core machines move by 2x between runs: read
# the ratios, and run twice before believing a change. Last, the Python peer
# (bench/peer.sh, skipped with a line saying why when it cannot run) with the
# ratios of the chain bench's figures to its own.
cd "$(dirname "$0")/.." || exit 1
export HB_TOP=$(pwd)
export HB_BIN=$HB_TOP/build/bin
export HB_PLUGIN_PATH=$HB_TOP/build/lib/hedgebus:$HB_TOP/build/tests/plugins
figures=$(mktemp /tmp/hb-bench-figures.XXXXXX) || exit 1
export HB_BENCH_FIGURES=$figures
echo "hedgebus bench $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(uname -r)"
start=$(date +%s)
rc=0
for b in build/bench/*; do
    [ -f "$b" ] && [ -x "$b" ] || continue
    [ -z "$BENCH" ] || echo "$b" | grep -q -- "$BENCH" || continue
    echo "== $(basename "$b")"
    t=$(date +%s)
    # a bench that hangs is stopped: 10 minutes is far beyond any of them
    timeout -k 10 600 "$b" || { echo "   (failed: $?)"; rc=1; }
    echo "   ($(( $(date +%s) - t )) s)"
done
if [ -z "$BENCH" ] || echo "scale" | grep -q -- "$BENCH"; then
    echo "== scale (bench/scale.sh: the pipeline from 20 to 200 assets, 200 to 20,000 instruments)"
    t=$(date +%s)
    sh bench/scale.sh || rc=1
    echo "   ($(( $(date +%s) - t )) s)"
fi
if [ -z "$BENCH" ] || echo "peer" | grep -q -- "$BENCH"; then
    echo "== peer (Python, ../shared/peer)"
    sh bench/peer.sh "$figures" || rc=1
fi
rm -f "$figures"
echo "bench total $(( $(date +%s) - start )) s"
exit $rc
