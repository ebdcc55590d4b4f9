#!/bin/sh
# Runs every benchmark of the plain (-O2) build. Each prints its figures and,
# where it applies, the ratio against the bare transport measured in the same
# run. Figures on these shared 2-core machines move by 2x between runs: read
# the ratios, and run twice before believing a change.
cd "$(dirname "$0")/.." || exit 1
export HB_TOP=$(pwd)
export HB_BIN=$HB_TOP/build/bin
export HB_PLUGIN_PATH=$HB_TOP/build/lib/hedgebus:$HB_TOP/build/tests/plugins
echo "hedgebus bench $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(uname -r)"
rc=0
for b in build/bench/*; do
    [ -f "$b" ] && [ -x "$b" ] || continue
    [ -z "$BENCH" ] || echo "$b" | grep -q -- "$BENCH" || continue
    echo "== $(basename "$b")"
    "$b" || { echo "   (failed: $?)"; rc=1; }
done
exit $rc
