/*  hb_risk_cli: the offline analyst commands of hb-risk, as functions that
    take the arguments and the output streams so that tests can run them in
    process.

        hb-risk analyze --prices FILE.csv [--lambda L] [--hedge TARGET:HEDGE ...]
        hb-risk greeks --model bs|black76 --type call|put --spot S --strike K
                       --vol V --t T [--rate R] [--div Q]

    Both print one JSON object on out (doubles as %.17g; a value that is
    undefined, such as a correlation with a constant price, is printed as
    0, never as nan) and errors as one line on err. They return the process
    exit status: 0 done, 1 the prices file is bad, 2 bad arguments.
    docs/RISK.md describes the output keys and the conventions.           */
#ifndef HB_RISK_CLI_H
#define HB_RISK_CLI_H

#include <stdio.h>

//  Default EWMA decay of `analyze` (RiskMetrics' daily value).
#define HB_RISK_CLI_LAMBDA  0.94

//  argv [0] is the subcommand name ("analyze"), options follow.
int hb_risk_cli_analyze (int argc, char **argv, FILE *out, FILE *err);

//  argv [0] is "greeks", options follow.
int hb_risk_cli_greeks (int argc, char **argv, FILE *out, FILE *err);

//  The usage text of every subcommand.
void hb_risk_cli_usage (FILE *out);

#endif
