# Shared by the hedger integration tests (sourced, not run): the scaffolding
# of tests/lib/it.sh (DIR, pids, cleanup, fail, wait_for, it_*) and the
# config of a small hedging pipeline: two sim venues (alpha: BTC spot and
# perp, taker fee 30 bps, a starting book long 10 BTC spot; beta: BTC perp,
# taker fee 2 bps), the aggregator, risk sampling every 100 ms with a BTC
# band of $BAND USD, and the hedger.
# In: NAME (temp directory prefix), optionally BAND. Out: DIR, CFG, pids,
# fail(). Kept in one place so the tests that drive this pipeline agree
# on it.
. "$TOP/tests/lib/it.sh"
BAND=${BAND:-20000}
it_tmpdir "$NAME"
mkdir -p "$DIR/run"
CFG=$DIR/it.yaml
{
    it_yaml_head "it-$NAME"
    it_yaml_market 11
    it_yaml_hedge_venues "{ symbol: BTC-USD, qty: 10, entry: 64000 }"
    echo "components:"
    it_yaml_aggregator
    it_yaml_risk "$BAND" 10
    it_yaml_hedger 5
} >"$CFG"
BUS=$DIR/bus.jsonl          # where a test's hb-tap writes what it saw

# pipeline_start: hb-feed for alpha and beta, hb-aggregator, hb-risk and
# hb-hedger (its pid in $hedger), each logging to DIR/<its name>.log
pipeline_start() {
    it_bg alpha "$BIN/hb-feed" --config "$CFG" --venue alpha
    it_bg beta "$BIN/hb-feed" --config "$CFG" --venue beta
    it_bg aggregator "$BIN/hb-aggregator" --config "$CFG"
    it_bg risk "$BIN/hb-risk" --config "$CFG"
    it_bg hedger "$BIN/hb-hedger" --config "$CFG"; hedger=$it_pid
}
# net_usd: the latest pos.BTC (the exposure, not a per-venue position)
# net_usd in $BUS; inside: it is known and within the band
net_usd() { it_net_usd "$BUS"; }
inside() { it_within "$(net_usd)" "$BAND"; }
