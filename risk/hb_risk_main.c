/*  hb-risk: the risk process. For now the offline analyst commands
    (`analyze`, `greeks`); the live mode (`hb-risk --config FILE`, on the
    bus) is dispatched from here when it exists.                            */
#include <stdio.h>
#include <string.h>

#include "hb_log.h"
#include "hb_risk_cli.h"

int
main (int argc, char **argv)
{
    hb_log_init ("risk", HB_LOG_INFO);
    if (argc >= 2 && strcmp (argv [1], "analyze") == 0)
        return hb_risk_cli_analyze (argc - 1, argv + 1, stdout, stderr);
    if (argc >= 2 && strcmp (argv [1], "greeks") == 0)
        return hb_risk_cli_greeks (argc - 1, argv + 1, stdout, stderr);
    if (argc >= 2 && (strcmp (argv [1], "--help") == 0 || strcmp (argv [1], "-h") == 0)) {
        hb_risk_cli_usage (stdout);
        return 0;
    }
    if (argc >= 2)
        fprintf (stderr, "hb-risk: unknown command '%s'\n", argv [1]);
    hb_risk_cli_usage (stderr);
    return 2;
}
