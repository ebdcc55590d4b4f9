/*  hb_vhost: a venue plugin's link to its host for what feeds/lib calls
    back (hb_vpub's emit and status): messages go to host->publish, the
    venue's book status to host->set_status with one log line per change,
    in the venue's words. What each venue plugin wrote for itself
    (s_emit, s_status), once.

    The plugin keeps one in its own struct and hands its address as the
    arg of hb_vhost_emit / hb_vhost_status wherever a publisher takes an
    emit and a status function (cb_md_new, okx_md_new, hl_md_new, the
    trade objects, hb_vpub_new).

    And the parts of a plugin's create every venue wrote the same: the
    state allocated for a host it can use, a param with its default, the
    way out of a failed create, and the ops table.                       */
#ifndef HB_VHOST_H
#define HB_VHOST_H

#include <stddef.h>
#include <stdint.h>
#include "hb_plugin.h"

typedef struct {
    const hb_host_api_t *host;      //  borrowed: the plugin's host
    const char          *stale;     //  "books <stale>" ("stale: waiting for snapshots")
    const char          *whole;     //  "books <whole>" ("rebuilt: every book has its snapshot")
} hb_vhost_t;

//  Fills self for host; stale and whole are static texts (borrowed).
void hb_vhost_init (hb_vhost_t *self, const hb_host_api_t *host, const char *stale,
                    const char *whole);

//  hb_vpub_emit_fn with arg an hb_vhost_t: publishes msg through the host;
//  what host->publish returns (0, or -1: refused, counted by the host).
int hb_vhost_emit (void *arg, hb_msg_t *msg);

//  hb_vpub_status_fn with arg an hb_vhost_t: sets the host's status and
//  logs "books <stale>" (warning, status not 0) or "books <whole>" (info).
void hb_vhost_status (void *arg, uint32_t status);

//  A plugin's state of size bytes, zeroed, for host: NULL when host is not
//  of this ABI or lacks set_status (every plugin on feeds/lib reports its
//  books' status), or when out of memory. The caller frees it (its
//  destroy).
void *hb_vhost_alloc (const hb_host_api_t *host, size_t size);

//  venues.X.params.key of venue, fallback when absent.
const char *hb_vhost_param (const hb_venue_cfg_t *venue, const char *key, const char *fallback);

//  A create's way out: destroy (&self) (the plugin's destroy, which takes
//  whatever part was made) and NULL, for create to return.
void *hb_vhost_undo (void *self, void (*destroy) (void **self_p));

//  The ops table (hb_venue_plugin) of a plugin whose functions are the
//  file's s_create, s_start, s_order, s_cancel and s_destroy.
#define HB_VHOST_OPS(name_, description_, features_) {         \
    .abi_version = HB_PLUGIN_ABI_VERSION,                       \
    .size        = sizeof (hb_venue_ops_t),                     \
    .name        = (name_),                                     \
    .description = (description_),                             \
    .create      = s_create, .start = s_start,                  \
    .order       = s_order, .cancel = s_cancel,                 \
    .destroy     = s_destroy,                                   \
    .features    = (features_)                                  \
}

#endif
