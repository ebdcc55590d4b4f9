/*  A plugin whose start exits the process with status 3, as a plugin that
    cannot reach what it needs at start might: hb-run must keep retrying it
    with a growing delay (tests/it_run_control.sh). Its create is fine, so
    that the config check (hb-feed --check, hb-run's pre-flight) passes.  */
#include "broken_plugin.h"

#include <unistd.h>

static int s_state;

static void *
s_create (const hb_host_api_t *host)
{
    (void) host;
    return &s_state;
}

static int
s_start (void *arg)
{
    (void) arg;
    _exit (3);
}

const hb_venue_ops_t hb_venue_plugin = {
    .abi_version = HB_PLUGIN_ABI_VERSION, .size = sizeof (hb_venue_ops_t), .name = "exit_at_start",
    .create = s_create, .start = s_start, .order = broken_plugin_order,
    .cancel = broken_plugin_cancel, .destroy = broken_plugin_destroy
};
