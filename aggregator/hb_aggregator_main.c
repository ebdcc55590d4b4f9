/*  hb-aggregator --config FILE [--log-level L]: positions, exposure and
    margin from every venue's fills (see hb_aggregator.h), on the service
    skeleton (hb_service.h). Exits 0 on SIGTERM/SIGINT, 1 when it cannot
    start or had to stop (journal), 2 on a bad command line or config.    */
#include "hb_aggregator.h"
#include "hb_log.h"
#include "hb_service.h"


static hb_aggregator_t *s_aggregator;

static int
s_cpu (hb_service_t *service, void *state)
{
    (void) state;
    return hb_service_config (service)->aggregator.cpu;
}

static int
s_start (hb_service_t *service, void *state)
{
    (void) state;
    const hb_config_t *cfg = hb_service_config (service);
    s_aggregator = hb_aggregator_new_on (cfg, hb_service_loop (service));
    if (!s_aggregator)
        return 1;
    hb_info ("aggregator: publishing on %s, snapshots on %s", cfg->aggregator.endpoint,
             cfg->aggregator.snapshot_endpoint);
    return 0;
}

static int
s_stop (hb_service_t *service, void *state, bool signalled)
{
    (void) service;
    (void) state;
    (void) signalled;
    int rc = s_aggregator && hb_aggregator_failed (s_aggregator) ? 1 : 0;
    if (s_aggregator)
        hb_info ("aggregator: stopping");
    hb_aggregator_destroy (&s_aggregator);      //  syncs and closes the journal
    return rc;
}

int
main (int argc, char *argv [])
{
    static const hb_service_def_t def = {
        .program   = "hb-aggregator",
        .component = "aggregator",
        .usage     = "--config FILE [--log-level error|warn|info|debug]",
        .cpu       = s_cpu,
        .start     = s_start,
        .stop      = s_stop,
    };
    return hb_service_main (&def, argc, argv);
}
