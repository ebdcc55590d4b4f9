/*  hb_ws: a WebSocket client for venue plugins (libwebsockets 4.1), whose
    callbacks run on the host's reactor thread.

    Why a thread. The libwebsockets of Debian 12 is built without
    LWS_WITH_EXTERNAL_POLL, so it cannot hand its sockets to another event
    loop, and it resolves host names with a blocking getaddrinfo. A plugin
    must never block the host, so libwebsockets runs on a private service
    thread, as docs/PLUGINS.md allows for a library that insists on one.
    There is one such thread and one libwebsockets context per process (a
    second context breaks libwebsockets' process-wide OpenSSL state and
    leaks it at exit): the first hb_ws_new creates them, the last
    hb_ws_destroy ends them, and every client is one connection of that
    context. Nothing of that thread is visible to the plugin:
      - received messages (reassembled from fragments) and connection
        events go into the client's bounded byte ring, in order, and the
        client's eventfd, registered with host->fd_add, wakes the reactor,
        which calls on_msg, on_open and on_close there;
      - hb_ws_send copies the text into the client's outbound ring; that
        and every connect / drop / stop is a request queued for the service
        thread and woken with lws_cancel_service (the one thread-safe call
        of libwebsockets); every other libwebsockets call is made on the
        service thread.
    When a client's inbound ring is full the service thread stops reading
    that connection (libwebsockets rx flow control) until the reactor has
    drained the ring, so a slow plugin pushes back on its own socket (TCP
    flow control) rather than losing messages or stalling the other
    clients. Nothing allocates per message: the rings and the reassembly
    buffer are sized at hb_ws_new.

    TLS (wss://). The server certificate and its host name are verified
    against ca_file (a PEM bundle; NULL: the system's store). Clients that
    name the same ca_file share one libwebsockets vhost (one OpenSSL
    client context), kept until the last client goes. insecure skips the
    certificate checks, for tests against a self-signed server only. A
    certificate that fails the checks fails the attempt like any other
    connection error: on_close with the reason, counted in attempts and
    retried after the backoff delay.

    Reconnects. Any loss of the connection (refused, reset, closed by the
    venue, a keep-alive ping left unanswered, hb_ws_reconnect) calls
    on_close and schedules a new attempt after an hb_backoff delay (full
    jitter) on a host timer. The backoff resets once a connection has
    delivered a message, so a server that accepts and drops at once is
    retried ever more slowly. hb_ws_stop (or destroy) ends it.

    Keep-alive: libwebsockets pings an idle connection every ping_s and
    drops it when no pong comes back; idle_s additionally drops a
    connection that delivered no message for that long (a venue stream
    that went silent), which venues with heartbeats should set. A venue
    that closes connections without pings of its own text (OKX: "ping"
    within 30 s) sets app_ping: sent every app_ping_s while connected. */
#ifndef HB_WS_H
#define HB_WS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_plugin.h"

typedef struct hb_ws_s hb_ws_t;

//  Called on the reactor thread. data is one whole message (text frames;
//  a binary message is delivered the same way), NUL-terminated for
//  convenience (len excludes it), valid only during the call.
typedef void (hb_ws_msg_fn) (void *arg, const char *data, size_t len);
//  The connection is up (subscribe here). The url is the one connected to.
typedef void (hb_ws_open_fn) (void *arg, const char *url);
//  The connection is gone (or an attempt failed); reason is a short text.
//  A reconnect is already scheduled unless hb_ws_stop was called.
typedef void (hb_ws_close_fn) (void *arg, const char *reason);

typedef struct {
    const char     *name;           //  for logs, e.g. "binance.md"
    const char     *url;            //  ws://host[:port]/path or wss://...
    const char     *ca_file;        //  wss: CA bundle (NULL: the system's)
    bool            insecure;       //  wss: skip certificate checks (tests only)
    size_t          max_msg;        //  largest message (0: 1 MiB); a larger one drops the connection
    size_t          ring_bytes;     //  inbound ring (0: 4 MiB; raised to hold 2 max_msg)
    size_t          send_bytes;     //  outbound ring (0: 256 KiB)
    uint64_t        backoff_base_ms;    //  0: 500
    uint64_t        backoff_max_ms;     //  0: 30000
    uint64_t        seed;           //  backoff jitter seed (0: from the clock)
    uint32_t        ping_s;         //  0: 20
    uint32_t        idle_s;         //  0: off
    const char     *app_ping;       //  a text sent every app_ping_s while connected, for
    uint32_t        app_ping_s;     //  venues that want pings of their own ("ping" for
                                    //  OKX); NULL or 0: none. At most 63 bytes.
    hb_ws_msg_fn   *on_msg;         //  required
    hb_ws_open_fn  *on_open;        //  may be NULL
    hb_ws_close_fn *on_close;       //  may be NULL
    void           *arg;            //  first argument of the callbacks
} hb_ws_cfg_t;

typedef struct {
    uint64_t connects;              //  connections established
    uint64_t attempts;              //  connection attempts
    uint64_t disconnects;           //  established connections lost
    uint64_t msgs_in;
    uint64_t bytes_in;
    uint64_t msgs_out;
    uint64_t send_refused;          //  hb_ws_send returned -1
    uint64_t oversized;             //  messages above max_msg (connection dropped)
} hb_ws_stats_t;

//  Builds the client (idle: no connection yet), starting the process's
//  service thread if it is the first, and registers its eventfd on host.
//  The strings of cfg are copied. Returns NULL (after logging why through
//  host->log) on a bad URL, a ca_file that cannot be loaded, or when a
//  resource cannot be had. Called on the host's reactor thread; it waits
//  for the service thread to load ca_file.
hb_ws_t *hb_ws_new (const hb_host_api_t *host, const hb_ws_cfg_t *cfg);

//  Starts connecting (now) and keeps the connection up until hb_ws_stop.
//  0, or -1 when already started.
int hb_ws_start (hb_ws_t *self);

//  Closes the connection and stops reconnecting. on_close is called for a
//  connection that was up. hb_ws_start may be called again.
void hb_ws_stop (hb_ws_t *self);

//  Drops the current connection (if any) and reconnects after a backoff
//  delay: for a plugin that must start over (a venue that only resends its
//  snapshot on a new connection, a protocol error). why goes to the log.
void hb_ws_reconnect (hb_ws_t *self, const char *why);

//  URL for the next connection (e.g. new subscriptions in the path). 0, or
//  -1 on a bad URL (the old one is kept).
int hb_ws_set_url (hb_ws_t *self, const char *url);

//  Queues one text message for the current connection. Returns 0, or -1
//  when not connected or the outbound ring is full (counted in
//  send_refused); a message is never sent on a later connection.
int hb_ws_send (hb_ws_t *self, const char *text, size_t len);

//  True between on_open and on_close, as seen by the reactor.
bool hb_ws_connected (const hb_ws_t *self);

//  Counters since hb_ws_new.
void hb_ws_stats (const hb_ws_t *self, hb_ws_stats_t *stats);

//  Closes the connection without calling on_close (waiting for the
//  service thread to let go of it), removes the fd and the timers from the
//  host, frees, nulls *self_p; the last client also ends the service
//  thread and the libwebsockets context. NULL-safe.
void hb_ws_destroy (hb_ws_t **self_p);

#endif
