/*  hb-risk: the risk process.
      hb-risk --config FILE [--log-level L] [--grid-from NS]
                                              live, on the bus (hb_risk_live.h)
      hb-risk analyze ... | greeks ...        offline analyst commands
    Live mode runs on the service skeleton (hb_service.h): exits 0 on
    SIGTERM/SIGINT, 1 when it cannot start, 2 on a bad command line or
    config.                                                                */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_log.h"
#include "hb_risk_cli.h"
#include "hb_risk_live.h"
#include "hb_service.h"

typedef struct {
    long long       grid_from;
    hb_risk_live_t *live;
} s_state_t;

static int
s_option (void *arg, const char *name, const char *value)
{
    s_state_t *state = (s_state_t *) arg;
    (void) name;                //  --grid-from, the only one
    char *end;
    state->grid_from = strtoll (value, &end, 10);
    if (end == value || *end || state->grid_from <= 0) {
        fprintf (stderr, "hb-risk: --grid-from: expected ns since the epoch\n");
        return -1;
    }
    return 0;
}

static int
s_cpu (hb_service_t *service, void *state)
{
    (void) state;
    return hb_service_config (service)->risk.cpu;
}

static int
s_start (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    const hb_config_t *cfg = hb_service_config (service);
    state->live = hb_risk_live_new_on (cfg, hb_service_loop (service));
    if (!state->live)
        return 1;
    if (state->grid_from > 0)
        hb_risk_live_grid_from (state->live, state->grid_from);
    hb_info ("risk: publishing on %s, sampling every %d ms of data time", cfg->risk.endpoint,
             cfg->risk.sample_ms);
    return 0;
}

static int
s_stop (hb_service_t *service, void *arg, bool signalled)
{
    (void) service;
    (void) signalled;
    s_state_t *state = (s_state_t *) arg;
    if (state->live)
        hb_info ("risk: stopping");
    hb_risk_live_destroy (&state->live);
    return 0;
}

int
main (int argc, char **argv)
{
    hb_log_init ("risk", HB_LOG_INFO);
    if (argc >= 2 && strcmp (argv [1], "analyze") == 0)
        return hb_risk_cli_analyze (argc - 1, argv + 1, stdout, stderr);
    if (argc >= 2 && strcmp (argv [1], "greeks") == 0)
        return hb_risk_cli_greeks (argc - 1, argv + 1, stdout, stderr);
    if (argc >= 2 && argv [1][0] != '-') {
        fprintf (stderr, "hb-risk: unknown command '%s'\n", argv [1]);
        hb_risk_cli_usage (stderr);
        return 2;
    }
    static const hb_service_option_t options [] = { { "grid-from", "NS" }, { NULL } };
    static s_state_t state;
    static const hb_service_def_t def = {
        .program   = "hb-risk",
        .component = "risk",
        .usage     = "--config FILE [--log-level error|warn|info|debug] [--grid-from NS]\n"
                     "       hb-risk analyze --prices FILE.csv [--lambda L] [--hedge TARGET:HEDGE ...]\n"
                     "       hb-risk greeks --model bs|black76 --type call|put --spot S --strike K\n"
                     "                      --vol V --t T [--rate R] [--div Q]",
        .help      = "  --config live: index prices, EWMA covariance, exposures with greeks,\n"
                     "           VaR and hedge requests on the bus (docs/RISK.md)\n"
                     "  analyze  sample and EWMA covariance/correlation of the log returns of a\n"
                     "           price CSV (header: time,ASSET,...), and minimum-variance hedge\n"
                     "           ratios with their effectiveness; JSON on stdout\n"
                     "  greeks   Black-Scholes (spot) or Black-76 (--spot is the forward) price\n"
                     "           and greeks: vega per 1.00 vol, theta per year, rho per 1.00 rate\n",
        .options   = options,
        .option    = s_option,
        .cpu       = s_cpu,
        .start     = s_start,
        .stop      = s_stop,
        .state     = &state,
    };
    return hb_service_main (&def, argc, argv);
}
