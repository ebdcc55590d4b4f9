/*  hb_rest: libcurl multi on the host's reactor. See hb_rest.h.

    The multi handle asks for socket interest changes (s_on_socket) and for
    a single timeout (s_on_timeout); both become host fd and timer
    registrations. Whenever the host reports activity we call
    curl_multi_socket_action and then collect finished transfers.        */
#include "hb_rest.h"
#include "hb_log.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_FDS 32
#define S_TICK_MS 10

typedef struct {
    hb_rest_t       *owner;
    CURL            *easy;
    bool             busy;
    struct curl_slist *headers;
    char            *body;          //  response, grows to max_body, kept between requests
    size_t           len;
    size_t           cap;
    bool             too_big;
    hb_rest_done_fn *done;
    void            *arg;
    char             error [CURL_ERROR_SIZE];
} s_slot_t;

typedef struct {
    int fd;
    int events;                     //  HB_FD_*, 0: slot free
} s_fd_t;

struct hb_rest_s {
    const hb_host_api_t *host;
    char            name [64];
    char           *ca_file;
    bool            insecure;
    uint32_t        timeout_ms;
    uint32_t        connect_timeout_ms;
    size_t          max_body;
    char           *user_agent;
    CURLM          *multi;
    s_slot_t       *slots;
    size_t          n_slots;
    s_fd_t          fds [S_MAX_FDS];
    int             tick;           //  periodic host timer, -1: none
    int             kick;           //  pending zero-delay host timer, -1: none
    int64_t         deadline_ns;    //  when libcurl wants its timeout call (0: never)
    hb_rest_stats_t stats;
};

static void s_collect (hb_rest_t *self);

static size_t
s_on_body (char *data, size_t size, size_t nmemb, void *arg)
{
    s_slot_t *slot = (s_slot_t *) arg;
    size_t n = size * nmemb;
    if (slot->len + n + 1 > slot->owner->max_body) {
        slot->too_big = true;
        return 0;                   //  makes libcurl fail the transfer
    }
    if (slot->len + n + 1 > slot->cap) {
        size_t cap = slot->cap ? slot->cap : 4096;
        while (cap < slot->len + n + 1)
            cap *= 2;
        char *body = (char *) realloc (slot->body, cap);
        if (!body)
            return 0;
        slot->body = body;
        slot->cap = cap;
    }
    memcpy (slot->body + slot->len, data, n);
    slot->len += n;
    slot->body [slot->len] = 0;
    return n;
}

static int
s_on_fd (void *arg, int fd, int revents)
{
    hb_rest_t *self = (hb_rest_t *) arg;
    int mask = ((revents & HB_FD_READ) ? CURL_CSELECT_IN : 0)
             | ((revents & HB_FD_WRITE) ? CURL_CSELECT_OUT : 0)
             | ((revents & HB_FD_ERROR) ? CURL_CSELECT_ERR : 0);
    int running = 0;
    curl_multi_socket_action (self->multi, fd, mask, &running);
    s_collect (self);
    return 0;
}

static void
s_timeout_action (hb_rest_t *self)
{
    self->deadline_ns = 0;
    int running = 0;
    curl_multi_socket_action (self->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    s_collect (self);
}

//  Every S_TICK_MS: libcurl's timeout, when due
static int
s_on_tick (void *arg)
{
    hb_rest_t *self = (hb_rest_t *) arg;
    if (self->deadline_ns && self->host->now_ns (self->host->ctx) >= self->deadline_ns)
        s_timeout_action (self);
    return 0;
}

//  "Now": a zero-delay one-shot, so that it runs after the caller returns
static int
s_on_kick (void *arg)
{
    hb_rest_t *self = (hb_rest_t *) arg;
    self->kick = -1;
    if (self->deadline_ns)
        s_timeout_action (self);
    return 0;
}

static int
s_on_socket (CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
    (void) easy;
    (void) socketp;
    hb_rest_t *self = (hb_rest_t *) userp;
    s_fd_t *slot = NULL, *free_slot = NULL;
    for (int i = 0; i < S_MAX_FDS; i++) {
        if (self->fds [i].events && self->fds [i].fd == fd)
            slot = &self->fds [i];
        else
        if (!self->fds [i].events && !free_slot)
            free_slot = &self->fds [i];
    }
    int events = what == CURL_POLL_IN ? HB_FD_READ
               : what == CURL_POLL_OUT ? HB_FD_WRITE
               : what == CURL_POLL_INOUT ? HB_FD_READ | HB_FD_WRITE : 0;
    if (slot && slot->events == events)
        return 0;
    if (slot) {
        self->host->fd_remove (self->host->ctx, fd);
        slot->events = 0;
    }
    if (!events)
        return 0;
    if (!slot)
        slot = free_slot;
    if (!slot || self->host->fd_add (self->host->ctx, fd, events, s_on_fd, self)) {
        self->host->log (self->host->ctx, HB_LOG_ERROR, "%s: cannot watch socket %d", self->name, fd);
        return -1;                  //  libcurl fails the transfer
    }
    *slot = (s_fd_t) { fd, events };
    return 0;
}

//  libcurl's one timeout. Host timers are never cancelled and re-armed
//  for it (libcurl moves its timeout on every transfer event, and a host
//  timer cancelled inside a reactor pass may still fire in that pass): a
//  deadline checked by a periodic tick, and a zero-delay one-shot for
//  "call me now".
static int
s_on_timeout (CURLM *multi, long timeout_ms, void *userp)
{
    (void) multi;
    hb_rest_t *self = (hb_rest_t *) userp;
    if (timeout_ms < 0) {
        self->deadline_ns = 0;
        return 0;
    }
    int64_t now = self->host->now_ns (self->host->ctx);
    self->deadline_ns = now + (int64_t) timeout_ms * 1000000 + (timeout_ms ? 0 : 1);
    if (timeout_ms == 0 && self->kick < 0) {
        self->kick = self->host->timer_add (self->host->ctx, 0, 1, s_on_kick, self);
        if (self->kick < 0)
            return -1;
    }
    return 0;
}

//  Hands every finished transfer to its callback and frees its slot.
static void
s_collect (hb_rest_t *self)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read (self->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        s_slot_t *slot = NULL;
        curl_easy_getinfo (msg->easy_handle, CURLINFO_PRIVATE, (char **) &slot);
        CURLcode code = msg->data.result;
        curl_multi_remove_handle (self->multi, msg->easy_handle);
        hb_rest_resp_t resp = { .body = slot->body ? slot->body : "", .len = slot->len };
        curl_off_t retry = 0, elapsed = 0;
        curl_easy_getinfo (slot->easy, CURLINFO_RETRY_AFTER, &retry);
        curl_easy_getinfo (slot->easy, CURLINFO_TOTAL_TIME_T, &elapsed);
        resp.retry_after_s = (int64_t) retry;
        resp.elapsed_us = (int64_t) elapsed;
        if (code == CURLE_OK) {
            curl_easy_getinfo (slot->easy, CURLINFO_RESPONSE_CODE, &resp.status);
            self->stats.completed++;
            if (resp.status >= 400)
                self->stats.http_errors++;
        }
        else {
            resp.status = 0;
            resp.error = slot->too_big ? "response larger than max_body"
                       : slot->error [0] ? slot->error : curl_easy_strerror (code);
            self->stats.failed++;
        }
        curl_slist_free_all (slot->headers);
        slot->headers = NULL;
        hb_rest_done_fn *done = slot->done;
        void *arg = slot->arg;
        if (done)
            done (arg, &resp);
        slot->busy = false;
    }
}

static char *
s_strdup (const char *text)
{
    return text ? strdup (text) : NULL;
}

hb_rest_t *
hb_rest_new (const hb_host_api_t *host, const hb_rest_cfg_t *cfg)
{
    static int s_global = 0;
    if (!s_global) {
        //  Not thread-safe in old libcurl; plugins create on the reactor thread
        if (curl_global_init (CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return NULL;
        s_global = 1;
    }
    hb_rest_t *self = (hb_rest_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->host = host;
    self->tick = -1;
    self->kick = -1;
    snprintf (self->name, sizeof self->name, "%s", cfg->name ? cfg->name : "rest");
    self->ca_file = s_strdup (cfg->ca_file);
    self->user_agent = strdup (cfg->user_agent ? cfg->user_agent : "hedgebus/1");
    self->insecure = cfg->insecure;
    self->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 10000;
    self->connect_timeout_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : 5000;
    self->max_body = cfg->max_body ? cfg->max_body : 8 * 1024 * 1024;
    self->n_slots = cfg->max_inflight ? cfg->max_inflight : 8;
    self->slots = (s_slot_t *) calloc (self->n_slots, sizeof (s_slot_t));
    self->multi = curl_multi_init ();
    if (!self->slots || !self->multi || !self->user_agent) {
        host->log (host->ctx, HB_LOG_ERROR, "%s: cannot set up libcurl", self->name);
        hb_rest_destroy (&self);
        return NULL;
    }
    for (size_t i = 0; i < self->n_slots; i++) {
        self->slots [i].owner = self;
        self->slots [i].easy = curl_easy_init ();
        if (!self->slots [i].easy) {
            hb_rest_destroy (&self);
            return NULL;
        }
    }
    curl_multi_setopt (self->multi, CURLMOPT_SOCKETFUNCTION, s_on_socket);
    curl_multi_setopt (self->multi, CURLMOPT_SOCKETDATA, self);
    curl_multi_setopt (self->multi, CURLMOPT_TIMERFUNCTION, s_on_timeout);
    curl_multi_setopt (self->multi, CURLMOPT_TIMERDATA, self);
    self->tick = host->timer_add (host->ctx, S_TICK_MS, 0, s_on_tick, self);
    if (self->tick < 0) {
        host->log (host->ctx, HB_LOG_ERROR, "%s: cannot arm a timer", self->name);
        hb_rest_destroy (&self);
    }
    return self;
}

int
hb_rest_request (hb_rest_t *self, const char *method, const char *url,
                 const char *const *headers, const char *body,
                 hb_rest_done_fn *done, void *arg)
{
    s_slot_t *slot = NULL;
    for (size_t i = 0; i < self->n_slots && !slot; i++)
        if (!self->slots [i].busy)
            slot = &self->slots [i];
    bool get = method && strcmp (method, "GET") == 0;
    bool post = method && strcmp (method, "POST") == 0;
    bool other = method && (strcmp (method, "DELETE") == 0 || strcmp (method, "PUT") == 0);
    if (!slot || !url || !(get || post || other)
    ||  (strncmp (url, "http://", 7) && strncmp (url, "https://", 8))) {
        self->stats.refused++;
        return -1;
    }
    CURL *easy = slot->easy;
    curl_easy_reset (easy);
    slot->len = 0;
    slot->too_big = false;
    slot->error [0] = 0;
    if (slot->body)
        slot->body [0] = 0;
    for (size_t i = 0; headers && headers [i]; i++) {
        struct curl_slist *list = curl_slist_append (slot->headers, headers [i]);
        if (!list) {
            curl_slist_free_all (slot->headers);
            slot->headers = NULL;
            self->stats.refused++;
            return -1;
        }
        slot->headers = list;
    }
    curl_easy_setopt (easy, CURLOPT_URL, url);
    curl_easy_setopt (easy, CURLOPT_PRIVATE, slot);
    curl_easy_setopt (easy, CURLOPT_WRITEFUNCTION, s_on_body);
    curl_easy_setopt (easy, CURLOPT_WRITEDATA, slot);
    curl_easy_setopt (easy, CURLOPT_ERRORBUFFER, slot->error);
    curl_easy_setopt (easy, CURLOPT_TIMEOUT_MS, (long) self->timeout_ms);
    curl_easy_setopt (easy, CURLOPT_CONNECTTIMEOUT_MS, (long) self->connect_timeout_ms);
    curl_easy_setopt (easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (easy, CURLOPT_USERAGENT, self->user_agent);
    curl_easy_setopt (easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt (easy, CURLOPT_ACCEPT_ENCODING, "");
    if (slot->headers)
        curl_easy_setopt (easy, CURLOPT_HTTPHEADER, slot->headers);
    if (self->ca_file)
        curl_easy_setopt (easy, CURLOPT_CAINFO, self->ca_file);
    if (self->insecure) {
        curl_easy_setopt (easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt (easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (get)
        curl_easy_setopt (easy, CURLOPT_HTTPGET, 1L);
    else {
        if (!post)
            curl_easy_setopt (easy, CURLOPT_CUSTOMREQUEST, method);
        if (post || body) {
            curl_easy_setopt (easy, CURLOPT_POSTFIELDSIZE, (long) (body ? strlen (body) : 0));
            curl_easy_setopt (easy, CURLOPT_COPYPOSTFIELDS, body ? body : "");
        }
    }
    slot->done = done;
    slot->arg = arg;
    if (curl_multi_add_handle (self->multi, easy) != CURLM_OK) {
        curl_slist_free_all (slot->headers);
        slot->headers = NULL;
        self->stats.refused++;
        return -1;
    }
    slot->busy = true;
    self->stats.requests++;
    return 0;
}

size_t
hb_rest_inflight (const hb_rest_t *self)
{
    size_t n = 0;
    for (size_t i = 0; i < self->n_slots; i++)
        n += self->slots [i].busy;
    return n;
}

void
hb_rest_stats (const hb_rest_t *self, hb_rest_stats_t *stats)
{
    *stats = self->stats;
}

void
hb_rest_destroy (hb_rest_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_rest_t *self = *self_p;
    for (size_t i = 0; self->slots && i < self->n_slots; i++) {
        s_slot_t *slot = &self->slots [i];
        if (slot->busy && self->multi)
            curl_multi_remove_handle (self->multi, slot->easy);
        if (slot->easy)
            curl_easy_cleanup (slot->easy);
        curl_slist_free_all (slot->headers);
        free (slot->body);
    }
    if (self->multi)
        curl_multi_cleanup (self->multi);
    for (int i = 0; i < S_MAX_FDS; i++)
        if (self->fds [i].events)
            self->host->fd_remove (self->host->ctx, self->fds [i].fd);
    if (self->tick >= 0)
        self->host->timer_cancel (self->host->ctx, self->tick);
    if (self->kick >= 0)
        self->host->timer_cancel (self->host->ctx, self->kick);
    free (self->slots);
    free (self->ca_file);
    free (self->user_agent);
    free (self);
    *self_p = NULL;
}
