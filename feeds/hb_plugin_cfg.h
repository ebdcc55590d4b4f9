/*  hb_plugin_cfg: the host's side of a plugin's config (hb_host_api_t
    cfg_*, ABI v2).

    The core config (hb_config) reads only the generic keys of a venue; the
    section named after the plugin (venues.X.<plugin>) and the top-level
    sections the plugin declares (ops->sections) are the plugin's. This
    object parses the deployment file again (config->path) and gives the
    plugin a read-only view of those sections through the cfg_* functions,
    recording every problem as FILE:LINE: KEY.PATH: message, the format of
    hb_config. The caller reports them (hb_plugin_cfg_report) and refuses
    the venue when there is any.                                           */
#ifndef HB_PLUGIN_CFG_H
#define HB_PLUGIN_CFG_H

#include <stdio.h>
#include "hb_plugin.h"

typedef struct _hb_plugin_cfg_t hb_plugin_cfg_t;

//  Opens config->path for venue (both borrowed, must outlive the object);
//  sections: the top-level sections the plugin declares (NULL-terminated,
//  may be NULL; borrowed). NULL when out of memory. A file that cannot be
//  read any more gives an object with that error recorded; a config built
//  by hand (path "") has every plugin section absent.
hb_plugin_cfg_t *hb_plugin_cfg_new (const hb_config_t *config, const hb_venue_cfg_t *venue,
                                    const char *const *sections);

//  NULL-safe; nulls *self_p.
void hb_plugin_cfg_destroy (hb_plugin_cfg_t **self_p);

//  What hb_host_api_t.cfg_section does for this venue (see hb_plugin.h).
int hb_plugin_cfg_section (hb_plugin_cfg_t *self, const char *name, hb_cfg_node_t *out);

//  Sets every cfg_* function of api but cfg_section and cfg_errors, which
//  need the host's ctx: the host points them at functions that call
//  hb_plugin_cfg_section and hb_plugin_cfg_errors.
void hb_plugin_cfg_fill (hb_host_api_t *api);

//  Number of errors recorded so far.
int hb_plugin_cfg_errors (const hb_plugin_cfg_t *self);

//  Writes the errors, sorted by line, one a line: appended to errbuf
//  (errsize bytes) when not NULL, else to stderr.
void hb_plugin_cfg_report (const hb_plugin_cfg_t *self, char *errbuf, size_t errsize);

//  Runs the plugin's create against a config-only host (publish fails,
//  timers and fds are taken but never fire, log goes to the host's log)
//  and destroys what it built:
//  the config check of a venue, before anything touches the bus. Returns
//  0 when the plugin accepts, -1 when it refused or recorded errors;
//  *errors_p gets the number of config errors (reported on stderr, or
//  appended to errbuf when not NULL).
struct _hb_plugin_host_t;
int hb_plugin_cfg_check (struct _hb_plugin_host_t *plugin, const hb_config_t *config,
                         const hb_venue_cfg_t *venue, int *errors_p, char *errbuf, size_t errsize);

#endif
