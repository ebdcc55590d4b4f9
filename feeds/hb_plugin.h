/*  hb_plugin: the venue plugin ABI.

    A venue plugin is a shared object (hb_venue_<name>.so) that exports one
    symbol, HB_VENUE_SYMBOL, of type hb_venue_ops_t. The host (hb-feed)
    dlopens it with RTLD_NOW | RTLD_LOCAL and refuses it, with a message
    naming the file, when:
      - the file or the symbol is missing,
      - abi_version differs from HB_PLUGIN_ABI_VERSION,
      - size is smaller than HB_VENUE_OPS_MIN_SIZE,
      - a required operation (create, start, order, cancel, destroy) is NULL.

    Both structs are append-only: new members go at the end, in place of a
    spare slot, and old members never move. The size field lets either side
    tell what the other was built with: the host only calls an operation that
    lies within the plugin's size, and a plugin only uses a host function that
    lies within host->size.

    A plugin reaches the host only through hb_host_api_t: it publishes
    normalized messages, logs, reads the clock and registers timers and file
    descriptors on the host's reactor. Every callback runs on the host's one
    thread; a plugin must not block.                                          */
#ifndef HB_PLUGIN_H
#define HB_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "hb_msg.h"
#include "hb_config.h"
#include "hb_log_level.h"

#define HB_PLUGIN_ABI_VERSION   1
#define HB_VENUE_SYMBOL         "hb_venue_plugin"

//  Reactor events for fd_add
#define HB_FD_READ   1
#define HB_FD_WRITE  2
#define HB_FD_ERROR  4

typedef int (hb_timer_fn) (void *arg);                      //  -1 stops the host
typedef int (hb_fd_fn) (void *arg, int fd, int revents);    //  -1 stops the host

typedef struct hb_host_api_s {
    uint32_t abi_version;           //  HB_PLUGIN_ABI_VERSION
    uint32_t size;                  //  sizeof (hb_host_api_t) as the host was built
    void    *ctx;                   //  first argument of every function below

    const hb_config_t    *config;   //  the whole deployment
    const hb_venue_cfg_t *venue;    //  this venue's section

    //  Publishes a normalized message. The host fills the envelope
    //  (publisher, epoch, seq, ts_pub; ts_recv if 0) and picks the topic and
    //  the delivery from the type: ticks may be conflated under load, acks,
    //  fills and trades are never dropped. The plugin sets env.type and
    //  env.ts_venue and the body. Returns 0 or -1 (invalid message, counted).
    int     (*publish) (void *ctx, hb_msg_t *msg);

    //  level: an hb_log_level_t (HB_LOG_ERROR .. HB_LOG_DEBUG)
    void    (*log) (void *ctx, int level, const char *format, ...)
                __attribute__ ((format (printf, 3, 4)));

    int64_t (*now_ns) (void *ctx);  //  wall clock, ns

    //  Calls fn (arg) every interval_ms, times times (0: forever). Returns a
    //  timer id >= 0, or -1.
    int     (*timer_add) (void *ctx, uint64_t interval_ms, size_t times,
                          hb_timer_fn *fn, void *arg);
    int     (*timer_cancel) (void *ctx, int timer_id);

    //  Watches fd for HB_FD_* events on the host reactor.
    int     (*fd_add) (void *ctx, int fd, int events, hb_fd_fn *fn, void *arg);
    int     (*fd_remove) (void *ctx, int fd);

    //  Marks the venue healthy (0) or not (HB_TICK_STALE / HB_TICK_OUTAGE);
    //  reported in the feed's heartbeat status.
    void    (*set_status) (void *ctx, uint32_t status);

    void    (*spare [8]) (void);
} hb_host_api_t;

typedef struct hb_venue_ops_s {
    uint32_t    abi_version;        //  HB_PLUGIN_ABI_VERSION
    uint32_t    size;               //  sizeof (hb_venue_ops_t) as the plugin was built
    const char *name;               //  plugin name, e.g. "sim"
    const char *description;

    //  Builds the plugin's state from the host (kept for the plugin's life)
    //  and validates host->venue. Returns NULL (after logging why) to refuse.
    void *(*create) (const hb_host_api_t *host);
    //  Starts market data (timers, connections). 0 or -1.
    int   (*start) (void *self);
    //  An order for this venue. The plugin answers with acks and fills via
    //  host->publish, now or later. Returns 0, or -1 if it could not even be
    //  rejected (the host then publishes a reject itself).
    int   (*order) (void *self, const hb_order_t *order);
    int   (*cancel) (void *self, const hb_cancel_t *cancel);
    //  Stops and frees; NULL-safe; nulls *self_p.
    void  (*destroy) (void **self_p);

    void  (*spare [8]) (void);
} hb_venue_ops_t;

#define HB_VENUE_OPS_MIN_SIZE ((uint32_t) offsetof (hb_venue_ops_t, spare))

//  Helpers for the venue section, inline like everything a plugin calls
//  besides the host struct: a plugin built out of tree against this header
//  (pkg-config hedgebus-plugin) links no hedgebus library, and must not
//  bind to the host's internals.

//  The instrument of the venue with that symbol, NULL when none.
static inline const hb_instrument_cfg_t *
hb_plugin_instrument (const hb_venue_cfg_t *venue, const char *symbol)
{
    for (int i = 0; venue && symbol && i < venue->n_instruments; i++)
        if (strcmp (venue->instruments [i].symbol, symbol) == 0)
            return &venue->instruments [i];
    return NULL;
}

//  The value of key in the venue's params: section, NULL when absent.
static inline const char *
hb_plugin_param (const hb_venue_cfg_t *venue, const char *key)
{
    for (int i = 0; venue && key && i < venue->n_params; i++)
        if (strcmp (venue->params [i].key, key) == 0)
            return venue->params [i].value;
    return NULL;
}

#endif
