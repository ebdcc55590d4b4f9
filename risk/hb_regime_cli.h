/*  hb_regime_cli: `hb-risk analyze --prices FILE.csv --regime`, the
    correlation-regime detector (hb_regime.h) run over a price history, so
    that a desk can see on its own data which alarms it would have raised
    and which hedge ratios it would have used.

        hb-risk analyze --prices FILE.csv --regime [--json]
                        [--hedge TARGET:PROXY ...] [--config FILE]
                        [--threshold H] [--every N]

    Pairs: each --hedge, else every pair of columns (the earlier column is
    the target, the later the proxy). Parameters: components.risk.regime of
    --config FILE (docs/CONFIG.md), else the defaults; --threshold
    overrides the threshold. Rows are data rows of the CSV numbered from 1
    (the header is not counted): the return of row r is ln (p_r / p_{r-1}),
    so an alarm is reported at the row whose price completed the return
    that raised it. Output (docs/RISK.md, Correlation regimes): one line
    per alarm and a summary per pair, or with --json one object; the
    recommended ratio of every pair every N rows (default 100; 0: none).
    Exit 0 done, 1 bad prices file (FILE:LINE: column and field), 2 bad
    arguments or config.                                                 */
#ifndef HB_REGIME_CLI_H
#define HB_REGIME_CLI_H

#include <stdio.h>

//  argv [0] is "analyze", options follow (--regime among them).
int hb_regime_cli_analyze (int argc, char **argv, FILE *out, FILE *err);

#endif
