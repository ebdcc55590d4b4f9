/*  hb_vhost: a venue plugin's link to its host for what feeds/lib calls
    back (hb_vpub's emit and status): messages go to host->publish, the
    venue's book status to host->set_status with one log line per change,
    in the venue's words. What each venue plugin wrote for itself
    (s_emit, s_status), once.

    The plugin keeps one in its own struct and hands its address as the
    arg of hb_vhost_emit / hb_vhost_status wherever a publisher takes an
    emit and a status function (cb_md_new, okx_md_new, hl_md_new, the
    trade objects, hb_vpub_new).                                         */
#ifndef HB_VHOST_H
#define HB_VHOST_H

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

#endif
