/*  hb-treasury --config FILE [--log-level L]: the capital planner (see
    hb_treasury.h and docs/OPERATIONS.md, Capital planning), on the service
    skeleton (hb_service.h). It requests transfers only over routes with
    auto: true (suggestions otherwise). Exits 0 on
    SIGTERM/SIGINT, 1 when it cannot start, 2 on a bad command line or
    config.                                                                */
#include "hb_log.h"
#include "hb_service.h"
#include "hb_treasury.h"

static hb_treasury_t *s_treasury;

static int
s_cpu (hb_service_t *service, void *state)
{
    (void) state;
    return hb_service_config (service)->treasury.cpu;
}

static int
s_start (hb_service_t *service, void *state)
{
    (void) state;
    const hb_config_t *cfg = hb_service_config (service);
    s_treasury = hb_treasury_new_on (cfg, hb_service_loop (service));
    if (!s_treasury)
        return 1;
    int automatic = 0;
    for (int r = 0; r < cfg->treasury.n_routes; r++)
        automatic += cfg->treasury.routes [r].automatic;
    hb_info ("treasury: publishing plans on %s every %d ms, %d route(s), %d of them auto (the others "
             "suggest only); transfers journaled in %s", cfg->treasury.endpoint, cfg->treasury.plan_ms,
             cfg->treasury.n_routes, automatic, cfg->treasury.journal);
    return 0;
}

static int
s_stop (hb_service_t *service, void *state, bool signalled)
{
    (void) service;
    (void) state;
    (void) signalled;
    if (s_treasury)
        hb_info ("treasury: stopping");
    hb_treasury_destroy (&s_treasury);
    return 0;
}

int
main (int argc, char *argv [])
{
    static const hb_service_def_t def = {
        .program   = "hb-treasury",
        .component = "treasury",
        .usage     = "--config FILE [--log-level error|warn|info|debug]",
        .help      = "  plans per venue the equity that survives the treasury: stress and the\n"
                     "  transfers over treasury.routes that cover a shortfall in time, published\n"
                     "  as capital.plan.<venue>; each planned transfer as capital.transfer:\n"
                     "  suggested, or requested of the source feed over a route with auto: true\n",
        .cpu       = s_cpu,
        .start     = s_start,
        .stop      = s_stop,
    };
    return hb_service_main (&def, argc, argv);
}
