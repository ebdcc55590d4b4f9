/*  hb-feed: hosts one venue plugin on the bus, on the service skeleton
    (hb_service.h).

        hb-feed --config FILE --venue NAME [--log-level error|warn|info|debug]
        hb-feed --config FILE --list-venues     (enabled venues, one a line)
        hb-feed --config FILE --venue NAME --check   (config, plugin and its
                                                 sections checked; no bus)
        hb-feed --config FILE --venue NAME --ack-quarantine
                                                (an operator has seen every
                                                 fill quarantined so far: the
                                                 running feed's status clears;
                                                 docs/OPERATIONS.md)

    Exit status: 0 after SIGINT/SIGTERM, 1 on a bus or runtime failure,
    2 on a usage or config error (nothing touched the bus), 3 when the
    plugin is refused (ABI, size, symbol, file) or refuses its venue.       */
#include "hb_config.h"
#include "hb_feed.h"
#include "hb_fillgate.h"
#include "hb_log.h"
#include "hb_plugin_host.h"
#include "hb_service.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *venue_name;
    bool        list_venues;
    bool        check_only;             //  --check: config and plugin checked, no bus
    bool        ack_quarantine;         //  --ack-quarantine: acknowledge held fills, no bus
    char        component [HB_NAME_MAX + 8];    //  feed.<venue>
    const hb_venue_cfg_t *venue;
    hb_plugin_host_t *plugin;
    hb_feed_t  *feed;
} s_state_t;

static int
s_option (void *arg, const char *name, const char *value)
{
    s_state_t *state = (s_state_t *) arg;
    if (strcmp (name, "venue") == 0)
        state->venue_name = value;
    else
    if (strcmp (name, "check") == 0)
        state->check_only = true;
    else
    if (strcmp (name, "ack-quarantine") == 0)
        state->ack_quarantine = true;
    else
        state->list_venues = true;
    return 0;
}

static const char *
s_name (void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    if (state->list_venues && !state->venue_name)
        return "feed";
    if (!state->venue_name) {
        fprintf (stderr, "hb-feed: --config and --venue are required\n");
        return NULL;
    }
    snprintf (state->component, sizeof state->component, "feed.%s", state->venue_name);
    return state->component;
}

//  "FILE: venues: no venue named 'X' (known: a, b, c)"
static void
s_unknown_venue (const hb_config_t *config, const char *name)
{
    char known [512] = "";
    size_t len = 0;
    for (int i = 0; i < config->n_venues && len < sizeof known; i++)
        len += (size_t) snprintf (known + len, sizeof known - len, "%s%s",
                                  i ? ", " : "", config->venues [i].name);
    fprintf (stderr, "%s: venues: no venue named '%s' (known: %s)\n",
             config->path, name, config->n_venues ? known : "none");
}

//  --list-venues, the venue's checks and the plugin, before the bus
static int
s_setup (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    const hb_config_t *config = hb_service_config (service);
    if (state->list_venues && !state->venue_name) {
        for (int i = 0; i < config->n_venues; i++)
            if (config->venues [i].enabled)
                printf ("%s\n", config->venues [i].name);
        return 0;
    }
    state->venue = hb_config_venue (config, state->venue_name);
    if (!state->venue) {
        s_unknown_venue (config, state->venue_name);
        return 2;
    }
    if (!state->venue->enabled) {
        fprintf (stderr, "%s:%d: venues.%s: the venue is disabled (enabled: false): not starting\n",
                 config->path, state->venue->line, state->venue->name);
        return 2;
    }
    char err [768];
    if (state->ack_quarantine) {
        //  works beside a running feed: the acknowledgement is a file the
        //  feed reads at its next heartbeat
        if (!state->venue->fills_journal [0]) {
            fprintf (stderr, "venue %s has no fill journal: held fills live in the feed's memory "
                     "only, and a restart forgets them\n", state->venue->name);
            return 2;
        }
        char held [HB_PATH_MAX + 8];
        snprintf (held, sizeof held, "%s.held", state->venue->fills_journal);
        uint64_t count = 0;
        err [0] = 0;
        if (hb_fillgate_ack (held, &count, err, sizeof err) != 0) {
            fprintf (stderr, "hb-feed: %s\n", err);
            return 1;
        }
        printf ("venue %s: %llu quarantined fill(s) in %s acknowledged; the feed's status "
                "clears at its next heartbeat\n", state->venue->name, (unsigned long long) count, held);
        return 0;
    }
    state->plugin = hb_plugin_host_new (state->venue->plugin_path, err, sizeof err);
    if (!state->plugin) {
        hb_error ("%s", err);
        return 3;
    }
    hb_info ("loaded plugin %s (%s) from %s", hb_plugin_host_name (state->plugin),
             hb_plugin_host_description (state->plugin), hb_plugin_host_path (state->plugin));
    //  the plugin's own sections, checked before the bus (FILE:LINE errors)
    int checked = hb_feed_check_plugin (config, state->venue, state->plugin);
    if (checked != 0 || state->check_only) {
        hb_plugin_host_destroy (&state->plugin);
        return checked;
    }
    return -1;
}

static int
s_cpu (hb_service_t *service, void *arg)
{
    (void) service;
    s_state_t *state = (s_state_t *) arg;
    return state->venue->cpu;
}

static int
s_start (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    state->feed = hb_feed_new_on (hb_service_config (service), state->venue, &state->plugin,
                                  hb_service_loop (service));
    if (!state->feed)
        return 1;
    return hb_feed_start (state->feed) == 0 ? 0 : 3;
}

static int
s_stop (hb_service_t *service, void *arg, bool signalled)
{
    (void) service;
    s_state_t *state = (s_state_t *) arg;
    if (state->feed) {
        hb_feed_stats_t stats;
        hb_feed_stats (state->feed, &stats);
        hb_info ("stopping: %llu published, %llu sent, %llu conflated, %llu invalid, "
                 "%llu orders in, %llu host rejects",
                 (unsigned long long) stats.published, (unsigned long long) stats.sent,
                 (unsigned long long) stats.conflated, (unsigned long long) stats.invalid,
                 (unsigned long long) stats.orders_in, (unsigned long long) stats.host_rejects);
    }
    hb_feed_destroy (&state->feed);
    hb_plugin_host_destroy (&state->plugin);    //  when the feed never took it
    //  not a signal: a plugin callback ended the loop
    return signalled ? 0 : 1;
}

int
main (int argc, char *argv [])
{
    static const hb_service_option_t options [] = {
        { "venue", "NAME" }, { "list-venues", NULL }, { "check", NULL },
        { "ack-quarantine", NULL }, { NULL }
    };
    static s_state_t state;
    static const hb_service_def_t def = {
        .program   = "hb-feed",
        .usage     = "--config FILE --venue NAME [--check | --ack-quarantine] [--log-level error|warn|info|debug]\n"
                     "       hb-feed --config FILE --list-venues",
        .options   = options,
        .option    = s_option,
        .name      = s_name,
        .setup     = s_setup,
        .cpu       = s_cpu,
        .start     = s_start,
        .stop      = s_stop,
        .state     = &state,
    };
    return hb_service_main (&def, argc, argv);
}
