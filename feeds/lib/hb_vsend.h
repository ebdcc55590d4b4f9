/*  hb_vsend: the way a REST venue plugin sends the orders and cancels its
    trade module has encoded, the same for every venue: refuse without API
    keys, take a token from the order bucket (params orders_per_s and
    order_burst), hold a request slot for the answer (a fixed pool:
    nothing allocated per request), let the venue sign and post on the
    REST client (hb_rest, made and owned here), obey a 429/418
    (Retry-After, or a default pause), and route the answer back to the
    order it belongs to.
    What stays the venue's: encoding the body (its trade module), signing
    and the headers (post), what an answer means (answer / cancel_answer)
    and how an order is failed (fail: the trade module's reject ack).
    Everything runs on the host's reactor thread.                         */
#ifndef HB_VSEND_H
#define HB_VSEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_plugin.h"
#include "hb_ratelimit.h"
#include "hb_rest.h"

typedef struct hb_vsend_s hb_vsend_t;

//  Signs body for path and starts the request with
//  hb_rest_request (rest, ..., done, done_arg). 0, or -1 when not sent.
typedef int (hb_vsend_post_fn) (void *arg, hb_rest_t *rest, const char *path, const char *body,
                                hb_rest_done_fn *done, void *done_arg);
//  Rejects the order of handle (the trade module's handle) with reason
//  (HB_REJ_*) and text: it was not sent.
typedef void (hb_vsend_fail_fn) (void *arg, int handle, int reason, const char *text);
//  The venue's answer to the order of handle (resp valid during the call).
typedef void (hb_vsend_answer_fn) (void *arg, int handle, const hb_rest_resp_t *resp);
//  The venue's answer to a cancel.
typedef void (hb_vsend_cancel_fn) (void *arg, const hb_rest_resp_t *resp);
//  The same with the client id the cancel was sent for, for a venue whose
//  answer does not name the order (Hyperliquid: {"statuses":["success"]}).
typedef void (hb_vsend_cancel_of_fn) (void *arg, const char *client_id, const hb_rest_resp_t *resp);

typedef struct {
    const hb_host_api_t *host;          //  reactor, clock, log; host->venue's params
    const char          *name;          //  the REST client's, for logs ("coinbase.rest")
    const char          *ca_file;       //  TLS of the REST client (hb_tls_params)
    bool                 insecure;
    size_t               max_inflight;  //  of the REST client (0: 16)
    double               rate;          //  orders per s when params.orders_per_s is absent
    double               burst;         //  bucket size when params.order_burst is absent
    size_t               slots;         //  requests waiting for an answer at most (> 0)
    int64_t              pause_s;       //  a 429/418 without Retry-After pauses this long
    hb_vsend_post_fn    *post;
    hb_vsend_fail_fn    *fail;
    hb_vsend_answer_fn  *answer;
    hb_vsend_cancel_fn  *cancel_answer; //  one of these two (cancel_answer_of
    hb_vsend_cancel_of_fn *cancel_answer_of;    //  wins when both are set)
    void                *arg;           //  first argument of the callbacks above
} hb_vsend_cfg_t;

//  NULL (logged on host) when params.orders_per_s / order_burst are not
//  numbers > 0, the REST client cannot be made, cfg lacks a member, or
//  out of memory.
hb_vsend_t *hb_vsend_new (const hb_vsend_cfg_t *cfg);

//  Abandons the requests in flight (their answers are never routed),
//  frees the REST client, nulls *self_p. NULL-safe.
void hb_vsend_destroy (hb_vsend_t **self_p);

//  Sends the order of handle (body encoded for path), or fails it through
//  cfg->fail: without keys (HB_REJ_VENUE, market data only), over the
//  bucket, with every slot busy, or when post does not send
//  (HB_REJ_RATE_LIMIT). Its answer goes to cfg->answer.
void hb_vsend_order (hb_vsend_t *self, int handle, bool keys, const char *path, const char *body);

//  Sends a cancel of client_id (body encoded for path); without keys, over
//  the bucket or with every slot busy it is not sent, and logged. Its
//  answer goes to cfg->cancel_answer (or cancel_answer_of, with client_id).
void hb_vsend_cancel (hb_vsend_t *self, bool keys, const char *path, const char *body,
                      const char *client_id);

//  Requests waiting for their answer.
size_t hb_vsend_inflight (const hb_vsend_t *self);

#endif
