/*  hb_runctl: see hb_runctl.h.

    A REP socket is enough: requests are rare, short, and each is answered
    before the next is read; a restart blocks the reactor for at most the
    supervisor's stop grace, which the client's timeout allows for.       */
#include "hb_runctl.h"
#include "hb_log.h"

#include <czmq.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define S_REPLY_MAX     16384

struct _hb_runctl_t {
    hb_supervisor_t *sup;
    zsock_t *sock;
    char     path [sizeof ((struct sockaddr_un *) 0)->sun_path];
};

//  The socket file of run_dir (and host: hosts of one deployment may share
//  a file system) into path; -1 when it does not fit in a unix socket
//  address.
static int
s_path (const char *run_dir, const char *host, char *path, size_t size)
{
    int n = host && *host ? snprintf (path, size, "%s/hb-run.%s.ctl", run_dir, host)
                          : snprintf (path, size, "%s/%s", run_dir, HB_RUNCTL_FILE);
    return n > 0 && (size_t) n < size ? 0 : -1;
}

//  1: a live process accepts on path; 0: nothing there or a leftover
//  (refused); -1: something else (errno).
static int
s_live (const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    snprintf (addr.sun_path, sizeof addr.sun_path, "%s", path);
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int rc = connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0 ? 1
           : errno == ECONNREFUSED || errno == ENOENT ? 0 : -1;
    int saved = errno;
    close (fd);
    errno = saved;
    return rc;
}

int
hb_runctl_status (hb_supervisor_t *sup, char *buf, size_t size)
{
    assert (sup);
    assert (buf && size > 0);
    size_t at = 0;
    int need = 0;
    buf [0] = 0;
#define S_ADD(...) do {                                                     \
        int n_ = snprintf (buf + at, size - at, __VA_ARGS__);               \
        if (n_ > 0) { need += n_; at = at + (size_t) n_ < size ? at + (size_t) n_ : size - 1; } \
    } while (0)
    S_ADD ("%-20s %-12s %8s %8s %8s %11s %s\n", "NAME", "STATE", "PID", "RESTARTS", "DELAY_MS",
           "RETRY_IN_MS", "LAST_EXIT");
    for (int i = 0; i < hb_supervisor_size (sup); i++) {
        hb_child_info_t info;
        hb_supervisor_info (sup, i, &info);
        char retry [16] = "-";
        if (info.state == HB_CHILD_BACKOFF)
            snprintf (retry, sizeof retry, "%d", info.retry_in_ms);
        S_ADD ("%-20s %-12s %8d %8d %8d %11s %s\n", hb_supervisor_name (sup, i),
               hb_supervisor_state_name (info.state), (int) info.pid,
               info.starts > 0 ? info.starts - 1 : 0, info.last_delay_ms, retry,
               info.reason [0] ? info.reason : "-");
    }
#undef S_ADD
    return need;
}

static void
s_reply (zsock_t *sock, bool ok, const char *text)
{
    zstr_sendm (sock, ok ? "ok" : "error");
    zstr_send (sock, text);
}

static int
s_on_request (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    hb_runctl_t *self = arg;
    zmsg_t *msg = zmsg_recv (sock);
    if (!msg)
        return 0;       //  interrupted: the reactor sees it
    char *verb = zmsg_popstr (msg);
    char *name = zmsg_popstr (msg);
    size_t rest = zmsg_size (msg);
    static char text [S_REPLY_MAX];
    if (verb && streq (verb, "status") && !name) {
        hb_runctl_status (self->sup, text, sizeof text);
        s_reply (sock, true, text);
    }
    else
    if (verb && streq (verb, "restart") && name && rest == 0) {
        int index = hb_supervisor_find (self->sup, name);
        hb_child_info_t before, after;
        if (index < 0) {
            int n = snprintf (text, sizeof text, "no component '%s' under this hb-run (known:", name);
            for (int i = 0; i < hb_supervisor_size (self->sup) && n > 0 && (size_t) n < sizeof text; i++)
                n += snprintf (text + n, sizeof text - (size_t) n, " %s", hb_supervisor_name (self->sup, i));
            if (n > 0 && (size_t) n < sizeof text - 2)
                strcat (text, ")");
            s_reply (sock, false, text);
        }
        else {
            hb_supervisor_info (self->sup, index, &before);
            int rc = hb_supervisor_restart (self->sup, index);
            hb_supervisor_info (self->sup, index, &after);
            if (rc == 0)
                snprintf (text, sizeof text, "%s restarted: pid %d -> %d", name, (int) before.pid,
                          (int) after.pid);
            else
                snprintf (text, sizeof text, "%s: restart failed (%s); next try in %d ms", name,
                          hb_supervisor_state_name (after.state), after.retry_in_ms);
            s_reply (sock, rc == 0, text);
        }
    }
    else {
        hb_warn ("control: refused a request '%s' (%s, %zu more frames)", verb ? verb : "",
                 name ? name : "-", rest);
        s_reply (sock, false, "unknown request: expected status, or restart NAME");
    }
    zstr_free (&verb);
    zstr_free (&name);
    zmsg_destroy (&msg);
    return 0;
}

hb_runctl_t *
hb_runctl_new (hb_supervisor_t *sup, const char *run_dir, const char *host)
{
    assert (sup);
    assert (run_dir);
    hb_runctl_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->sup = sup;
    if (s_path (run_dir, host, self->path, sizeof self->path) != 0) {
        hb_error ("%s: path too long for a unix socket control file", run_dir);
        free (self);
        return NULL;
    }
    //  zmq would replace the file of a live hb-run without a word
    if (s_live (self->path) == 1) {
        hb_error ("%s: another hb-run serves this run_dir already", self->path);
        free (self);
        return NULL;
    }
    self->sock = zsock_new (ZMQ_REP);
    if (!self->sock) {
        hb_error ("control: cannot make a socket");
        free (self);
        return NULL;
    }
    zsock_set_linger (self->sock, 0);
    //  0600 from the start, not after a window: the bind creates the file
    mode_t old = umask (077);
    int rc = zsock_bind (self->sock, "ipc://%s", self->path);
    umask (old);
    if (rc != 0 || chmod (self->path, 0600) != 0) {
        hb_error ("%s: cannot bind the control socket: %s", self->path, zmq_strerror (zmq_errno ()));
        zsock_destroy (&self->sock);
        free (self);
        return NULL;
    }
    if (zloop_reader (hb_supervisor_loop (sup), self->sock, s_on_request, self) != 0) {
        hb_error ("control: cannot watch the socket");
        hb_runctl_destroy (&self);
        return NULL;
    }
    //  a slow client must not stall the supervisor
    zsock_set_sndtimeo (self->sock, 1000);
    return self;
}

void
hb_runctl_destroy (hb_runctl_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_runctl_t *self = *self_p;
    if (self->sock) {
        zloop_reader_end (hb_supervisor_loop (self->sup), self->sock);
        zsock_destroy (&self->sock);
        unlink (self->path);
    }
    free (self);
    *self_p = NULL;
}

int
hb_runctl_request (const char *run_dir, const char *host, int argc, char *const argv [],
                   int timeout_ms, FILE *out, FILE *err)
{
    bool status = argc == 1 && streq (argv [0], "status");
    bool restart = argc == 2 && streq (argv [0], "restart") && argv [1][0];
    if (!status && !restart) {
        fprintf (err, "hb-run: expected 'status' or 'restart NAME'\n");
        return 2;
    }
    char path [sizeof ((struct sockaddr_un *) 0)->sun_path];
    if (s_path (run_dir, host, path, sizeof path) != 0) {
        fprintf (err, "hb-run: %s: path too long for a unix socket control file\n", run_dir);
        return 1;
    }
    int live = s_live (path);
    if (live != 1) {
        fprintf (err, "hb-run: no hb-run serves run_dir %s (%s: %s)\n", run_dir, path,
                 live == 0 ? "nothing accepts there" : strerror (errno));
        return 1;
    }
    zsock_t *sock = zsock_new (ZMQ_REQ);
    if (!sock) {
        fprintf (err, "hb-run: cannot make a socket\n");
        return 1;
    }
    zsock_set_linger (sock, 0);
    zsock_set_rcvtimeo (sock, timeout_ms);
    zsock_set_sndtimeo (sock, timeout_ms);
    int rc = 1;
    char *verdict = NULL, *text = NULL;
    if (zsock_connect (sock, "ipc://%s", path) != 0) {
        fprintf (err, "hb-run: %s: cannot connect: %s\n", path, zmq_strerror (zmq_errno ()));
        goto done;
    }
    if ((restart ? zstr_sendx (sock, argv [0], argv [1], NULL) : zstr_send (sock, argv [0])) != 0) {
        fprintf (err, "hb-run: %s: cannot send: %s\n", path, zmq_strerror (zmq_errno ()));
        goto done;
    }
    if (zstr_recvx (sock, &verdict, &text, NULL) < 2 || !verdict || !text) {
        fprintf (err, "hb-run: no answer from %s within %d ms\n", path, timeout_ms);
        goto done;
    }
    rc = streq (verdict, "ok") ? 0 : 1;
    size_t len = strlen (text);
    fprintf (rc == 0 ? out : err, "%s%s", text, len > 0 && text [len - 1] == '\n' ? "" : "\n");
done:
    zstr_free (&verdict);
    zstr_free (&text);
    zsock_destroy (&sock);
    return rc;
}
