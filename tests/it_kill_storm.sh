#!/bin/sh
# hb-test: serial (a kill storm: timing-sensitive under a second test's load)
# The kill storm of tests/soak_kill.sh, short: KILLS (default 8) SIGKILLs
# of each of hb-aggregator, hb-hedger, hb-risk and a feed with trading going
# on; 0 fills lost, 0 counted twice, 0 orders twice. `make soak` runs the
# long one (100 each).
KILLS=${KILLS:-8} exec sh "$(dirname "$0")/soak_kill.sh"
