/*  hb_rest: asynchronous HTTP(S) requests for venue plugins (libcurl multi),
    run on the host's reactor.

    libcurl's multi interface is built for foreign event loops: it tells us
    which sockets to watch (CURLMOPT_SOCKETFUNCTION -> host->fd_add /
    fd_remove) and when to call it back (CURLMOPT_TIMERFUNCTION -> a host
    timer), and we tell it what happened (curl_multi_socket_action). Name
    resolution uses libcurl's threaded resolver (AsynchDNS in Debian's
    build), so nothing blocks the reactor.

    A request is a method, a URL, header lines and a body; its completion
    callback runs on the reactor thread exactly once, never from inside
    hb_rest_request, with the HTTP status and the body (or status 0 and a
    transport error). Easy handles and response buffers are pooled:
    max_inflight of each, made at hb_rest_new, so steady-state requests
    reuse them (and their connections: keep-alive).

    Rate limits are the plugin's, with hb_ratelimit.h: check the bucket
    before hb_rest_request, and feed resp->retry_after_s of a 429/418 to
    hb_ratelimit_pause.

    Header lines may carry an API key: hb_rest never logs headers, bodies
    or query strings; only method, host and path, and libcurl's error.  */
#ifndef HB_REST_H
#define HB_REST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_plugin.h"

typedef struct hb_rest_s hb_rest_t;

typedef struct {
    long        status;             //  HTTP status; 0 when the request failed below HTTP
    const char *body;               //  response body, NUL-terminated ("" when none)
    size_t      len;                //  body bytes (without the NUL)
    const char *error;              //  transport error text when status is 0, else NULL
    int64_t     retry_after_s;      //  Retry-After header in s (0: none)
    int64_t     elapsed_us;         //  request time, as libcurl measured it
} hb_rest_resp_t;

//  Called on the reactor thread; resp and its strings are valid only
//  during the call.
typedef void (hb_rest_done_fn) (void *arg, const hb_rest_resp_t *resp);

typedef struct {
    const char *name;               //  for logs, e.g. "binance.rest"
    const char *ca_file;            //  NULL: the system's CA bundle
    bool        insecure;           //  skip certificate checks (tests only)
    uint32_t    timeout_ms;         //  whole request (0: 10000)
    uint32_t    connect_timeout_ms; //  0: 5000
    size_t      max_inflight;       //  0: 8
    size_t      max_body;           //  response bytes kept (0: 8 MiB); more fails the request
    const char *user_agent;         //  NULL: "hedgebus/1"
} hb_rest_cfg_t;

typedef struct {
    uint64_t requests;              //  accepted by hb_rest_request
    uint64_t refused;               //  hb_rest_request returned -1
    uint64_t completed;             //  with an HTTP status
    uint64_t failed;                //  transport errors (status 0)
    uint64_t http_errors;           //  status >= 400
} hb_rest_stats_t;

//  A client on host's reactor; cfg strings are copied. NULL (logged) when
//  libcurl cannot be set up.
hb_rest_t *hb_rest_new (const hb_host_api_t *host, const hb_rest_cfg_t *cfg);

//  Starts a request: method "GET", "POST", "DELETE", "PUT"; url absolute
//  (http:// or https://); headers a NULL-terminated array of "Name: value"
//  lines (NULL: none); body NULL or a NUL-terminated text sent as is (the
//  plugin sets Content-Type). done (arg, resp) is called once, later.
//  Returns 0, or -1 (counted; done is not called) when max_inflight
//  requests are running or an argument is invalid.
int hb_rest_request (hb_rest_t *self, const char *method, const char *url,
                     const char *const *headers, const char *body,
                     hb_rest_done_fn *done, void *arg);

//  Requests running now.
size_t hb_rest_inflight (const hb_rest_t *self);

void hb_rest_stats (const hb_rest_t *self, hb_rest_stats_t *stats);

//  Abandons running requests (their callbacks are not called), removes
//  fds and timers from the host, frees, nulls *self_p. NULL-safe.
void hb_rest_destroy (hb_rest_t **self_p);

#endif
