/*  hb_metrics_server: the HTTP side of hb_metrics (hb_metrics_serve,
    hb_metrics_shutdown in hb_metrics.h). Apart from the registry so that
    code which only counts (a venue plugin's copy of the common library)
    does not link libmicrohttpd.

    One libmicrohttpd daemon per process, in its own thread; it reads the
    registry through hb_metrics_text, which is safe against the reactor's
    concurrent updates.                                                   */
#include "hb_metrics.h"
#include "hb_log.h"

#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static struct MHD_Daemon *s_daemon;
static pthread_mutex_t s_daemon_lock = PTHREAD_MUTEX_INITIALIZER;

static enum MHD_Result
s_answer (void *cls, struct MHD_Connection *connection, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void) cls; (void) version; (void) upload_data; (void) con_cls;
    if (*upload_data_size)
        return MHD_NO;              //  a body on a GET: drop the connection
    bool found = strcmp (url, "/metrics") == 0;
    bool get = strcmp (method, MHD_HTTP_METHOD_GET) == 0 || strcmp (method, MHD_HTTP_METHOD_HEAD) == 0;
    char *text = found && get ? hb_metrics_text (hb_metrics_process ()) : NULL;
    unsigned int status = !found ? MHD_HTTP_NOT_FOUND : !get ? MHD_HTTP_METHOD_NOT_ALLOWED
                        : text ? MHD_HTTP_OK : MHD_HTTP_INTERNAL_SERVER_ERROR;
    struct MHD_Response *response;
    if (text)
        response = MHD_create_response_from_buffer (strlen (text), text, MHD_RESPMEM_MUST_FREE);
    else {
        static char message [] = "not found: metrics are at /metrics\n";
        response = MHD_create_response_from_buffer (strlen (message), message, MHD_RESPMEM_PERSISTENT);
    }
    if (!response) {
        free (text);
        return MHD_NO;
    }
    MHD_add_response_header (response, MHD_HTTP_HEADER_CONTENT_TYPE,
                             text ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain");
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header (response, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result rc = MHD_queue_response (connection, status, response);
    MHD_destroy_response (response);
    return rc;
}

int
hb_metrics_serve (const char *host_port, char *err, size_t errlen)
{
    char host [256], why [96];
    int port;
    if (hb_metrics_address_split (host_port, host, sizeof host, &port, why, sizeof why) != 0) {
        snprintf (err, errlen, "metrics address '%s': %s", host_port ? host_port : "", why);
        return -1;
    }
    if (!hb_metrics_process ()) {
        snprintf (err, errlen, "metrics: out of memory");
        return -1;
    }
    char service [8];
    snprintf (service, sizeof service, "%d", port);
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICSERV | AI_PASSIVE };
    struct addrinfo *found = NULL;
    int rc = getaddrinfo (host, service, &hints, &found);
    if (rc != 0) {
        snprintf (err, errlen, "metrics address '%s': %s", host_port, gai_strerror (rc));
        return -1;
    }
    pthread_mutex_lock (&s_daemon_lock);
    if (s_daemon) {
        pthread_mutex_unlock (&s_daemon_lock);
        freeaddrinfo (found);
        snprintf (err, errlen, "metrics: already served by this process");
        return -1;
    }
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    if (found->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    //  a few connections are plenty for a scraper and a curl, and bound
    //  what a misbehaving client can cost the process
    s_daemon = MHD_start_daemon (flags, (uint16_t) port, NULL, NULL, s_answer, NULL,
                                 MHD_OPTION_SOCK_ADDR, found->ai_addr,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned int) 8,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) 10,
                                 MHD_OPTION_END);
    int saved = errno;
    freeaddrinfo (found);
    bool ok = s_daemon != NULL;
    pthread_mutex_unlock (&s_daemon_lock);
    if (!ok) {
        snprintf (err, errlen, "metrics: cannot listen on %s: %s", host_port,
                  saved ? strerror (saved) : "libmicrohttpd refused");
        return -1;
    }
    return 0;
}

void
hb_metrics_shutdown (void)
{
    pthread_mutex_lock (&s_daemon_lock);
    struct MHD_Daemon *daemon = s_daemon;
    s_daemon = NULL;
    pthread_mutex_unlock (&s_daemon_lock);
    if (daemon)
        MHD_stop_daemon (daemon);
}


int
hb_metrics_start (const char *host_port, const char *component)
{
    if (!host_port || !host_port [0])
        return 0;
    char err [256];
    if (hb_metrics_serve (host_port, err, sizeof err) != 0) {
        hb_error ("%s: %s", component, err);
        return -1;
    }
    hb_info ("%s: metrics on http://%s/metrics", component, host_port);
    return 0;
}
