/*  hb_feed: the feed handler of one venue: hosts its plugin on the bus.

    A feed owns, for one venue of the config:
    - the plugin (an hb_plugin_host_t, handed over by the caller),
    - a publisher bound to the venue's endpoint, id "feed.<venue>": ticks go
      out conflatable (hb_pub_send_latest), everything else reliably,
    - a subscriber connected to every component that sends orders,
      subscribed to "order.<venue>." and "cancel.<venue>.",
    - one zloop on which everything runs, plugin callbacks included,
    - a fill store (hb_fillstore.h): every fill the plugin publishes is
      journaled before it goes on the bus, and served again to whoever asks
      on the venue's replay endpoint (a ROUTER; docs/PROTOCOL.md, Fill
      replay), so a consumer that was down loses none,
    - a fill gate (hb_fillgate.h): every order is journaled before the
      plugin sees it, and a fill goes on only when it matches one (client
      id, symbol, side, within its quantity) or the plugin marks it
      external; any other is quarantined: journaled aside, counted, logged,
      and the heartbeat status carries HB_FEED_STATUS_QUARANTINE until an
      operator acknowledges it (hb_fillgate_ack).

    It gives the plugin the hb_host_api_t of hb_plugin.h, checks what the
    plugin publishes (type, venue, symbol; the encoder checks the rest) and
    counts and logs what it refuses without stopping, passes orders and
    cancels for its venue to the plugin and rejects on the plugin's behalf
    when the plugin cannot, and publishes a heartbeat "hb.feed.<venue>" every
    second with its counters.

    Life: hb_feed_new (bus), hb_feed_start (plugin), hb_feed_run (reactor,
    until hb_feed_stop or a callback returns -1), hb_feed_destroy. All on one
    thread, except hb_feed_stop.                                             */
#ifndef HB_FEED_H
#define HB_FEED_H

#include <stdbool.h>
#include <stdint.h>
#include <czmq.h>
#include "hb_config.h"
#include "hb_plugin_host.h"

typedef struct _hb_feed_t hb_feed_t;

typedef struct {
    uint64_t orders_in;         //  orders and cancels received for this venue
    uint64_t misaddressed;      //  orders or cancels for another venue, dropped
    uint64_t host_rejects;      //  rejects published by the host (plugin returned -1)
    uint64_t expired;           //  orders older than max_order_age_ms, rejected unsent
    uint64_t published;         //  plugin messages accepted by the publisher
    uint64_t invalid;           //  plugin messages refused (type, venue, symbol, encoder)
    uint64_t sent;              //  frames handed to the socket (heartbeats included)
    uint64_t conflated;         //  ticks replaced before they could go
    uint64_t pending;           //  ticks parked right now
    uint64_t decode_errors;     //  malformed input on the order subscriber
    uint64_t gaps;              //  sequence gaps on the order subscriber
    uint64_t restarts;          //  order senders seen restarting
    uint64_t heartbeats;
    uint32_t status;            //  last set_status of the plugin
    uint64_t fills_stored;      //  fills in the fill store (journal replayed at start included)
    uint64_t unjournaled;       //  fills published although their journal append failed
    uint64_t replays;           //  fill replay requests answered
    uint64_t replay_errors;     //  malformed replay requests, dropped
    uint64_t external;          //  fills the plugin marked external, published
    uint64_t quarantined;       //  fills held back by the gate (hb_fillgate.h) since start
    uint64_t unacked;           //  held fills no operator acknowledged yet (all time)
    //  discovery (hb_discover.h): instruments kept now, and the counters
    uint64_t instruments;       //  discovered instruments kept now
    uint64_t instruments_invalid;   //  listed but refused by hb_instrument_check
    uint64_t instruments_filtered;  //  listed, valid, left out by discover:
    uint64_t listings_refused;  //  listings refused as over max_count
} hb_feed_stats_t;

//  The feed's own heartbeat status bit, beside the plugin's (HB_TICK_STALE,
//  HB_TICK_OUTAGE): a fill was quarantined and no operator acknowledged it.
#define HB_FEED_STATUS_QUARANTINE  0x100u

//  Builds the feed of venue (a venue of config; both must outlive the feed)
//  around *plugin_p, which it takes over on every path (*plugin_p is nulled).
//  Binds the publisher and connects the subscriber. Returns NULL, after
//  logging why, when the bus cannot be set up.
hb_feed_t *hb_feed_new (const hb_config_t *config, const hb_venue_cfg_t *venue,
                        hb_plugin_host_t **plugin_p);

//  Same, on a reactor the caller owns (hb_service_loop): the feed and its
//  plugin register their sockets and timers on loop, and a plugin callback
//  that returns -1 ends that loop. Destroy the feed before the loop, and
//  do not run the loop after: the feed's handlers stay registered on it.
hb_feed_t *hb_feed_new_on (const hb_config_t *config, const hb_venue_cfg_t *venue,
                           hb_plugin_host_t **plugin_p, zloop_t *loop);

//  Destroys the plugin's instance, then the bus objects, in the reverse
//  order of their creation. NULL-safe; nulls *self_p.
void hb_feed_destroy (hb_feed_t **self_p);

//  Creates the plugin's instance and starts it. Returns 0, or -1 (logged)
//  when the plugin refuses its config or fails to start.
int hb_feed_start (hb_feed_t *self);

//  Runs the reactor until hb_feed_stop is called or a plugin callback
//  returns -1. Returns 0 after a stop, -1 when a callback ended it.
int hb_feed_run (hb_feed_t *self);

//  Asks hb_feed_run to return. Async-signal-safe and callable from any
//  thread: it sets a flag that the reactor checks when a signal interrupts
//  its poll and at least every HB_FEED_WATCH_MS otherwise.
void hb_feed_stop (hb_feed_t *self);
#define HB_FEED_WATCH_MS  100

void hb_feed_stats (hb_feed_t *self, hb_feed_stats_t *stats);

//  The publisher id, "feed.<venue>".
const char *hb_feed_id (hb_feed_t *self);

//  Checks what the venue's plugin owns of the config before anything
//  touches the bus: its sections, read by its create against a config-only
//  host (hb_plugin_cfg_check), and that every top-level section the core
//  left to plugins is declared by the plugin of some enabled venue. Errors
//  go to stderr as FILE:LINE: KEY.PATH: message. Returns 0, 2 (config
//  errors) or 3 (the plugin refused the venue without saying where): the
//  exit status of hb-feed.
int hb_feed_check_plugin (const hb_config_t *config, const hb_venue_cfg_t *venue,
                          hb_plugin_host_t *plugin);

#endif
