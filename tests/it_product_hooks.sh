#!/bin/sh
# The product binaries (build/bin, not the ASan test build) carry no test
# hook: no HB_HEDGER_CRASH self-kill in hb-hedger, no HB_TEST_BLOCK_FILE
# reactor block in any program (both exist only under HB_TEST_HOOKS).
# Skips (77) when the product build is not there.
. "$(dirname "$0")/lib/it.sh"
PROD=$TOP/build/bin
[ -x "$PROD/hb-hedger" ] || it_skip "$PROD/hb-hedger not built (make build)"
command -v strings >/dev/null || it_skip "strings (binutils) not installed"
for b in "$PROD"/hb-*; do
    if strings "$b" | grep -q 'HB_HEDGER_CRASH\|HB_TEST_BLOCK_FILE\|after_journal'; then
        echo "FAIL: $b carries a test hook: $(strings "$b" | grep 'HB_HEDGER_CRASH\|HB_TEST_BLOCK_FILE\|after_journal' | head -1)"
        exit 1
    fi
done
# and the test build does, or this test could not fail
if [ -x "$BIN/hb-hedger" ] && ! strings "$BIN/hb-hedger" | grep -q HB_HEDGER_CRASH; then
    echo "FAIL: $BIN/hb-hedger (test build) has no HB_HEDGER_CRASH: is this check still looking?"
    exit 1
fi
echo "ok: no test hook in $PROD/hb-*"
