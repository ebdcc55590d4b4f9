/*  hb-risk: the risk process.
      hb-risk --config FILE [--log-level L]   live, on the bus (hb_risk_live.h)
      hb-risk --config FILE --replay REC --out DIR
                                              the recorded decisions again
      hb-risk analyze ... | greeks ... | plan ...   offline analyst commands
    Live mode runs on the service skeleton (hb_service.h): exits 0 on
    SIGTERM/SIGINT, 1 when it cannot start, 2 on a bad command line or
    config.                                                                */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_log.h"
#include "hb_optplan_cli.h"
#include "hb_risk_cli.h"
#include "hb_risk_live.h"
#include "hb_service.h"

typedef struct {
    const char     *replay;         //  --replay REC: a recording to replay
    const char     *out;            //  --out DIR: where the replay's decisions go
    hb_risk_live_t *live;
} s_state_t;

static int
s_option (void *arg, const char *name, const char *value)
{
    s_state_t *state = (s_state_t *) arg;
    if (strcmp (name, "replay") == 0)
        state->replay = value;
    else
        state->out = value;
    return 0;
}

//  --replay: no reactor, the recorded log through fresh engines
static int
s_setup (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    if (!state->replay && !state->out)
        return -1;
    if (!state->replay || !state->out) {
        fprintf (stderr, "hb-risk: --replay REC and --out DIR go together\n");
        return 2;
    }
    return hb_risk_live_replay (hb_service_config (service), state->replay, state->out);
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
    hb_info ("risk: publishing on %s, deciding on arrival, sampling every %d ms", cfg->risk.endpoint,
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
    if (argc >= 2 && strcmp (argv [1], "plan") == 0)
        return hb_optplan_cli_plan (argc - 1, argv + 1, stdout, stderr);
    if (argc >= 2 && argv [1][0] != '-') {
        fprintf (stderr, "hb-risk: unknown command '%s'\n", argv [1]);
        hb_risk_cli_usage (stderr);
        return 2;
    }
    static const hb_service_option_t options [] = { { "replay", "REC" }, { "out", "DIR" }, { NULL } };
    static s_state_t state;
    static const hb_service_def_t def = {
        .program   = "hb-risk",
        .component = "risk",
        .usage     = "--config FILE [--log-level error|warn|info|debug] [--replay REC --out DIR]\n"
                     "       hb-risk analyze --prices FILE.csv [--lambda L] [--hedge TARGET:HEDGE ...]\n"
                     "       hb-risk analyze --prices FILE.csv --regime [--json] [--hedge TARGET:PROXY ...]\n"
                     "                       [--config FILE] [--threshold H] [--every N]\n"
                     "       hb-risk greeks --model bs|black76 --type call|put --spot S --strike K\n"
                     "                      --vol V --t T [--rate R] [--div Q]\n"
                     "       hb-risk plan --case FILE.yaml [--json]",
        .help      = "  --config live: index prices, EWMA covariance, exposures with greeks,\n"
                     "           VaR and hedge requests on the bus (docs/RISK.md)\n"
                     "  --replay the decisions of every life of hb-risk in recording REC again,\n"
                     "           in the order it applied its inputs (its seq.risk log), into\n"
                     "           recording DIR (docs/OPERATIONS.md, Replay and determinism)\n"
                     "  analyze  sample and EWMA covariance/correlation of the log returns of a\n"
                     "           price CSV (header: time,ASSET,...), and minimum-variance hedge\n"
                     "           ratios with their effectiveness; JSON on stdout\n"
                     "  --regime the correlation-regime detector over the CSV: the alarms it\n"
                     "           would have raised and the hedge ratios it would have used\n"
                     "           (components.risk.regime of --config; docs/RISK.md)\n"
                     "  greeks   Black-Scholes (spot) or Black-76 (--spot is the forward) price\n"
                     "           and greeks: vega per 1.00 vol, theta per year, rho per 1.00 rate\n"
                     "  plan     the option legs that bring a book's gamma and vega buckets inside\n"
                     "           their bands at least cost (GLPK), or why there are none\n",
        .options   = options,
        .option    = s_option,
        .setup     = s_setup,
        .cpu       = s_cpu,
        .start     = s_start,
        .stop      = s_stop,
        .state     = &state,
    };
    return hb_service_main (&def, argc, argv);
}
