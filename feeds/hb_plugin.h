/*  hb_plugin: the venue plugin ABI.

    A venue plugin is a shared object (hb_venue_<name>.so) that exports one
    symbol, HB_VENUE_SYMBOL, of type hb_venue_ops_t. The host (hb-feed)
    dlopens it with RTLD_NOW | RTLD_LOCAL and refuses it, with a message
    naming the file, when:
      - the file or the symbol is missing,
      - abi_version is not between HB_PLUGIN_ABI_MIN and
        HB_PLUGIN_ABI_VERSION (a v3 or v4 plugin loads on a v5 host: v4
        and v5 only appended optional members in place of spare slots; the
        host hands it a host struct marked with the plugin's version, which
        is the same struct),
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
    thread; a plugin must not block.

    Since ABI v2 a plugin owns its part of the deployment file: its venue's
    section named after the plugin (venues.X.<plugin>, e.g. venues.alpha.sim)
    and any top-level section it lists in hb_venue_ops_t.sections (the sim's
    market:). Core config reads only the generic venue keys and hands these
    over: the plugin reads them through the host's cfg_* functions, which
    report every problem as FILE:LINE: KEY.PATH: message, like the core
    config. The host calls create with a config-only host first (check: no
    bus, no reactor; cfg_* and log work, timers and fds are taken but never
    fire, publish fails) and refuses the venue
    when the plugin refused or recorded any error, then again for real.
    docs/PLUGINS.md has an example.                                           */
#ifndef HB_PLUGIN_H
#define HB_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "hb_msg.h"
#include "hb_config.h"
#include "hb_log_level.h"

#define HB_PLUGIN_ABI_VERSION   5     //  2: plugin-owned config (cfg_*, sections); 3: a venue's instruments and positions are pointers sized from the file (issue 16); 4: transfer and credit (optional, appended); 5: instrument discovery (host instrument_list / instrument_delist, appended)
#define HB_PLUGIN_ABI_MIN       3     //  the oldest plugin ABI this host still loads
#define HB_VENUE_SYMBOL         "hb_venue_plugin"

//  Reactor events for fd_add
#define HB_FD_READ   1
#define HB_FD_WRITE  2
#define HB_FD_ERROR  4

//  A place in the deployment file: a node (or an absent key) with its key
//  path and line. Filled and read only by the host's cfg_* functions; a
//  plain value the plugin keeps on its stack, valid during create.
typedef struct {
    uint64_t opaque [32];
} hb_cfg_node_t;

//  flags of cfg_number
#define HB_CFG_REQUIRED  1          //  an absent key is an error
#define HB_CFG_LO_OPEN   2          //  lo itself is out of range
#define HB_CFG_HI_OPEN   4          //  hi itself is out of range

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

    //  -- ABI v2: the plugin's config. Errors are recorded at the node as
    //  FILE:LINE: KEY.PATH: message (value 'X') and reported by the host;
    //  every reader carries on so one check lists every mistake. Each
    //  returns 0, or -1 when the key is absent (cfg_get, cfg_section) or an
    //  error was recorded.

    //  name NULL: this venue's own section (venues.X.<plugin>); otherwise a
    //  top-level section the plugin lists in ops->sections. An absent
    //  section gives -1 and a node that carries the path and the line of
    //  venues.X.plugin, to report at ("missing: ...").
    int     (*cfg_section) (void *ctx, const char *name, hb_cfg_node_t *out);
    int     (*cfg_get) (const hb_cfg_node_t *map, const char *key, hb_cfg_node_t *out);
    int     (*cfg_item) (const hb_cfg_node_t *seq, int index, hb_cfg_node_t *out);
    //  index-th pair of a mapping; *key NULL for a key that is not a scalar
    int     (*cfg_pair) (const hb_cfg_node_t *map, int index, const char **key, hb_cfg_node_t *out);
    int     (*cfg_size) (const hb_cfg_node_t *node);    //  pairs or items, else 0
    bool    (*cfg_present) (const hb_cfg_node_t *node);
    //  false (recorded) when node is present and not a mapping / sequence
    bool    (*cfg_expect_map) (const hb_cfg_node_t *node);
    bool    (*cfg_expect_seq) (const hb_cfg_node_t *node);
    //  every key not in known (NULL-terminated) is an error; the count
    int     (*cfg_check_keys) (const hb_cfg_node_t *map, const char *const *known);
    const char *(*cfg_scalar) (const hb_cfg_node_t *node);  //  NULL if not a scalar
    int     (*cfg_string) (const hb_cfg_node_t *node, char *buf, size_t size);
    int     (*cfg_double) (const hb_cfg_node_t *node, double *out);
    int     (*cfg_int) (const hb_cfg_node_t *node, int64_t min, int64_t max, int64_t *out);
    int     (*cfg_uint64) (const hb_cfg_node_t *node, uint64_t *out);
    int     (*cfg_bool) (const hb_cfg_node_t *node, bool *out);
    //  "2026-11-21T00:00:00Z" or "2026-11-21" as wall ns
    int     (*cfg_time) (const hb_cfg_node_t *node, int64_t *ns);
    //  map.key as a number in [lo, hi] (HB_CFG_LO_OPEN / HI_OPEN exclude an
    //  end; +-INFINITY for none); *out = dflt when absent and not
    //  HB_CFG_REQUIRED.
    int     (*cfg_number) (const hb_cfg_node_t *map, const char *key, unsigned flags,
                           double dflt, double lo, double hi, double *out);
    void    (*cfg_error) (const hb_cfg_node_t *at, const char *format, ...)
                __attribute__ ((format (printf, 2, 3)));
    //  problems recorded so far in this plugin's config (by it or the host)
    int     (*cfg_errors) (void *ctx);

    //  -- ABI v5, appended: instrument discovery (docs/PLUGINS.md,
    //  Discovery). A plugin uses these only when host->abi_version >= 5
    //  and the pointer is not NULL (a check host has them; both do nothing
    //  there but count), and only when the venue has a discover: section
    //  (host->venue->discover.present); typed instruments need neither.
    //
    //  instrument_list: the venue lists these count instruments (new ones,
    //  or changed). venue may be "" (the host fills it in). The host
    //  refuses an invalid one (hb_instrument_check: logged, counted,
    //  skipped), applies the venue's discover: filter, remembers what it
    //  keeps and publishes each kept one that is new or changed on
    //  instrument.<venue>. Returns how many of them it keeps, or -1 when
    //  keeping them would take the venue over its max_count (at most
    //  HB_MAX_INSTRUMENTS): then nothing of the call is kept and the host
    //  logged why; a plugin listing at start fails its start.
    int     (*instrument_list) (void *ctx, const hb_instrument_t *items, size_t count);
    //  instrument_delist: the venue no longer lists symbol (expired,
    //  delisted). The host forgets it and publishes it with
    //  HB_INSTRUMENT_DELISTED. Returns 0, or -1 when it was not kept
    //  (filtered out or never listed).
    int     (*instrument_delist) (void *ctx, const char *symbol);

    void    (*spare [6]) (void);
} hb_host_api_t;

typedef struct hb_venue_ops_s {
    uint32_t    abi_version;        //  HB_PLUGIN_ABI_VERSION
    uint32_t    size;               //  sizeof (hb_venue_ops_t) as the plugin was built
    const char *name;               //  plugin name, e.g. "sim"
    const char *description;

    //  Builds the plugin's state from the host (kept for the plugin's life)
    //  and validates host->venue and its own config (cfg_*). Returns NULL
    //  (after logging why or recording config errors) to refuse. Called
    //  once with a config-only host first (see above): it must not need
    //  the reactor or the network to read its config.
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

    //  -- ABI v2 (optional): the top-level sections of the deployment file
    //  this plugin owns (NULL-terminated, e.g. { "market", NULL }), which
    //  the core config leaves to it. NULL: none.
    const char *const *sections;

    //  -- ABI v2, appended (optional): HB_VENUE_FEAT_* bits, what this
    //  plugin does that a plugin built before the bit existed does not
    //  (in place of a spare slot, as wide as one: a plugin built before
    //  reads 0 here). 0: none.
    uintptr_t   features;

    //  -- ABI v4, appended (optional; NULL or beyond size: the host refuses
    //  every transfer for this venue with a reason on the bus). Collateral
    //  moves (docs/PLUGINS.md, Transfers):
    //  transfer: hb-treasury asks this venue (the source) to send
    //  request->amount of request->asset over request->network to venue
    //  request->to (a withdrawal to an address, or a sub-account move); id
    //  is the transfer's for life: a request whose id the plugin has seen
    //  must not be sent again. The plugin answers with capital.transfer
    //  messages through host->publish, same id, from = this venue, now or
    //  later: sent (the money left), credited (when the destination has it:
    //  credited_ns set) or refused (reason says why: not on the venue's
    //  allow-list, not enough free balance, the venue said no). Returns 0,
    //  or -1 when it could not even refuse (the host then refuses it).
    //  A request with status sent is a resume, not a request: the feed
    //  restarted after the plugin had said sent and before it said credited
    //  or refused (hb_feedxfer): nothing is sent, the plugin awaits the
    //  transfer's end again (the sim schedules its credit at the eta).
    int   (*transfer) (void *self, const hb_transfer_t *request);
    //  credit: another venue's feed says a transfer to this venue was
    //  credited (status credited, to = this venue): a plugin whose account
    //  is its own (the sim) adds it; a real venue's account already shows
    //  it. Returns 0, or -1 (logged by the host).
    int   (*credit) (void *self, const hb_transfer_t *credited);

    void  (*spare [4]) (void);
} hb_venue_ops_t;

//  features: the plugin sets hb_fill_t.flags on every fill it publishes
//  (0, or HB_FILL_EXTERNAL for a fill of an order this host did not hand
//  it: a manual trade, a liquidation, an expiry; a liquidation also sets
//  HB_FILL_LIQUIDATION). Without the bit the host
//  clears the flags of the plugin's fills (a plugin built before flags
//  existed leaves whatever bytes its message held there), so every one of
//  its fills must match an order the host sent it, or is quarantined.
#define HB_VENUE_FEAT_FILL_FLAGS  0x01u

//  What every plugin must declare: up to destroy. Optional members after it
//  read as NULL when a plugin declares less.
#define HB_VENUE_OPS_MIN_SIZE ((uint32_t) offsetof (hb_venue_ops_t, sections))

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
