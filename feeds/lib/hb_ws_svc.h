/*  hb_ws_svc: the process-wide libwebsockets service behind hb_ws (private
    to feeds/lib). See hb_ws.h for why one service thread, and hb_ws_svc.c
    for what each thread owns.

    hb_ws.c (the reactor side of a client) and hb_ws_svc.c (the service
    thread: the context, the vhosts, the request queue, every
    libwebsockets call but lws_cancel_service) share struct hb_ws_s, the
    byte rings and the lock declared here.                                */
#ifndef HB_WS_SVC_H
#define HB_WS_SVC_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "hb_backoff.h"
#include "hb_ws.h"

#define HB_WS_URL_MAX   1024
#define HB_WS_VHOSTS    8           //  distinct ca_files per process
#define HB_WS_PEND      4           //  open, message, close (+1 spare)
#define HB_WS_WHY_MAX   160

enum { HB_WS_EV_MSG = 1, HB_WS_EV_OPEN = 2, HB_WS_EV_CLOSE = 3 };
enum {                              //  request bits, reactor -> service
    HB_WS_REQ_ATTACH  = 1 << 0,     //  find or make the vhost for ca_file
    HB_WS_REQ_CONNECT = 1 << 1,
    HB_WS_REQ_DROP    = 1 << 2,
    HB_WS_REQ_WRITE   = 1 << 3,
    HB_WS_REQ_RESUME  = 1 << 4,     //  the ring has room again
    HB_WS_REQ_DETACH  = 1 << 5      //  let go of the client for good
};

typedef struct {
    uint8_t *buf;
    size_t   cap;
    uint64_t head;                  //  bytes ever written
    uint64_t tail;                  //  bytes ever read
} hb_ws_ring_t;

typedef struct {
    char  scheme [8];
    char  host [256];
    int   port;
    char  path [HB_WS_URL_MAX];
    bool  tls;
} hb_ws_url_t;

typedef struct {                    //  an event waiting for ring room
    uint32_t kind;
    size_t   len;                   //  HB_WS_EV_MSG: the message is in rxbuf
    char     why [HB_WS_WHY_MAX];
} hb_ws_pend_t;

struct hb_ws_s {
    const hb_host_api_t *host;
    char            name [64];
    char           *ca_file;
    bool            insecure;
    size_t          max_msg;
    uint32_t        ping_s;
    uint32_t        idle_s;
    hb_ws_msg_fn   *on_msg;
    hb_ws_open_fn  *on_open;
    hb_ws_close_fn *on_close;
    void           *arg;

    //  reactor side
    int             efd;            //  eventfd: service -> reactor
    bool            efd_added;
    bool            svc_ref;        //  holds a reference on the service
    bool            attached;
    bool            started;
    bool            connected;
    bool            got_msg;        //  since the last open
    uint64_t        open_gen;       //  connection the reactor saw open
    int64_t         last_msg_ns;
    int             retry_timer;    //  -1: none
    int             idle_timer;
    int             app_ping_timer; //  -1: none
    char            app_ping [64];
    uint32_t        app_ping_s;
    hb_backoff_t    backoff;
    char           *scratch;        //  one inbound record, max_msg + 1
    hb_ws_stats_t   stats;          //  reactor-side members

    //  shared, under the service lock (hb_ws_svc_lock)
    hb_ws_ring_t    rx;
    hb_ws_ring_t    tx;
    bool            signaled;       //  efd written and not yet drained
    bool            blocked;        //  events wait for room (pend)
    uint32_t        req;            //  HB_WS_REQ_* bits not yet served
    bool            queued;
    hb_ws_t        *next;
    bool            want_up;        //  between hb_ws_start and hb_ws_stop
    uint64_t        acks;           //  attaches and detaches done
    int             attach_rc;
    uint64_t        conn_gen;       //  connection being made or up
    char            url [HB_WS_URL_MAX];
    uint64_t        t_msgs_out, t_oversized;

    //  service side
    struct lws_vhost *vhost;
    struct lws     *wsi;
    bool            attempt;        //  a connection attempt or connection is live
    bool            established;
    bool            flow_off;       //  rx paused for lack of ring room
    bool            defer_connect;  //  connect once pend is flushed
    hb_ws_pend_t    pend [HB_WS_PEND];
    size_t          n_pend;
    char           *rxbuf;          //  reassembly, max_msg
    size_t          rxlen;
    bool            rx_skip;        //  dropping an oversized message
    uint8_t        *txbuf;          //  LWS_PRE + largest record
    size_t          txcap;
    hb_ws_url_t     target;
    lws_retry_bo_t  retry;
    char            close_why [96];
};

//  ---------------------------------------------------------------------------
//  Byte rings of records (caller holds the service lock)

static inline size_t
hb_ws_ring_free (const hb_ws_ring_t *ring)
{
    return ring->cap - (size_t) (ring->head - ring->tail);
}

static inline void
hb_ws_ring_write (hb_ws_ring_t *ring, const void *data, size_t len)
{
    size_t at = (size_t) (ring->head % ring->cap);
    size_t first = len < ring->cap - at ? len : ring->cap - at;
    memcpy (ring->buf + at, data, first);
    memcpy (ring->buf, (const uint8_t *) data + first, len - first);
    ring->head += len;
}

static inline void
hb_ws_ring_read (hb_ws_ring_t *ring, void *data, size_t len)
{
    size_t at = (size_t) (ring->tail % ring->cap);
    size_t first = len < ring->cap - at ? len : ring->cap - at;
    memcpy (data, ring->buf + at, first);
    memcpy ((uint8_t *) data + first, ring->buf, len - first);
    ring->tail += len;
}

//  ---------------------------------------------------------------------------
//  The service (all called on the reactor thread)

//  ws[s]://host[:port][/path]: 0, or -1 when text is not such a URL.
int hb_ws_url_parse (const char *text, hb_ws_url_t *url);

//  Takes a reference on the service, creating the context and starting
//  the thread with the first (errors logged on host as name). 0, or -1.
int hb_ws_svc_acquire (const hb_host_api_t *host, const char *name);

//  Drops a reference; the last ends the thread and the context. Every
//  client must have been detached (HB_WS_REQ_DETACH) before.
void hb_ws_svc_release (void);

//  Queues request bits (HB_WS_REQ_*) for client and wakes the thread.
void hb_ws_svc_request (hb_ws_t *client, uint32_t bits);

//  The same, then waits until the thread has served an ATTACH or DETACH
//  among them; 0, or -1 when the attach failed (ca_file not loaded).
int hb_ws_svc_request_wait (hb_ws_t *client, uint32_t bits);

//  The lock over the shared members of every client.
void hb_ws_svc_lock (void);
void hb_ws_svc_unlock (void);

#endif
