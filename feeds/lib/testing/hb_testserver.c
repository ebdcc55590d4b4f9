/*  hb_testserver: venue_server.py as a child process. See hb_testserver.h. */
#include "hb_testserver.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct hb_testserver_s {
    pid_t pid;
    int   ws_port, http_port;
    char  dir [64];
};

//  Runs argv, waits; its exit status, -1 when it could not run.
static int
s_run (char *const argv [])
{
    pid_t pid = fork ();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open ("/dev/null", O_WRONLY);
        dup2 (null, 1);
        execvp (argv [0], argv);
        _exit (127);
    }
    int status;
    if (waitpid (pid, &status, 0) < 0 || !WIFEXITED (status))
        return -1;
    return WEXITSTATUS (status);
}

int
hb_testserver_make_cert (const char *dir, const char *name)
{
    char crt [256], key [256];
    snprintf (crt, sizeof crt, "%s/%s.crt", dir, name);
    snprintf (key, sizeof key, "%s/%s.key", dir, name);
    char *argv [] = { "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                      "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                      "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                      "-keyout", key, "-out", crt, NULL };
    //  The subject is 127.0.0.1 both ways: libcurl checks an IP literal
    //  against the IP SAN, libwebsockets checks it as a host name, which
    //  OpenSSL matches against the CN when there is no DNS SAN.
    if (s_run (argv) != 0)
        return -1;
    return chmod (key, 0600);
}

hb_testserver_t *
hb_testserver_new (const char *script, const char *cert, const char *key)
{
    hb_testserver_t *self = (hb_testserver_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->pid = -1;
    snprintf (self->dir, sizeof self->dir, "/tmp/hb-vsrv.XXXXXX");
    if (!mkdtemp (self->dir)) {
        free (self);
        return NULL;
    }
    char path [128], ports [128], log [128], err [128];
    snprintf (path, sizeof path, "%s/script.json", self->dir);
    snprintf (ports, sizeof ports, "%s/ports", self->dir);
    snprintf (log, sizeof log, "%s/server.jsonl", self->dir);
    snprintf (err, sizeof err, "%s/server.err", self->dir);
    FILE *f = fopen (path, "w");
    if (!f) {
        hb_testserver_destroy (&self);
        return NULL;
    }
    fputs (script, f);
    fclose (f);
    self->pid = fork ();
    if (self->pid == 0) {
        int null = open ("/dev/null", O_WRONLY);
        int errfd = open (err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2 (null, 1);
        if (errfd >= 0)
            dup2 (errfd, 2);
        char *argv [16] = { "python3", "tests/venues/venue_server.py", "--script", path,
                            "--port-file", ports, "--log", log, "--timeout", "60" };
        int n = 10;
        if (cert && key) {
            argv [n++] = "--tls-cert";
            argv [n++] = (char *) cert;
            argv [n++] = "--tls-key";
            argv [n++] = (char *) key;
        }
        argv [n] = NULL;
        execv ("/usr/bin/python3", argv);
        _exit (127);
    }
    f = NULL;
    for (int i = 0; i < 200 && !f && self->pid > 0; i++)
        if (!(f = fopen (ports, "r")))
            usleep (50 * 1000);
    if (!f || fscanf (f, "ws_port %d\nhttp_port %d\n", &self->ws_port, &self->http_port) != 2) {
        if (f)
            fclose (f);
        fprintf (stderr, "hb_testserver: venue_server.py did not start (see %s)\n", err);
        hb_testserver_destroy (&self);
        return NULL;
    }
    fclose (f);
    return self;
}

void
hb_testserver_destroy (hb_testserver_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_testserver_t *self = *self_p;
    if (self->pid > 0) {
        kill (self->pid, SIGTERM);
        waitpid (self->pid, NULL, 0);
    }
    char *argv [] = { "rm", "-rf", self->dir, NULL };
    s_run (argv);
    free (self);
    *self_p = NULL;
}

int
hb_testserver_ws_port (const hb_testserver_t *self)
{
    return self->ws_port;
}

int
hb_testserver_http_port (const hb_testserver_t *self)
{
    return self->http_port;
}

const char *
hb_testserver_dir (const hb_testserver_t *self)
{
    return self->dir;
}

size_t
hb_testserver_logged (const hb_testserver_t *self, const char *text)
{
    char path [128], line [4096];
    snprintf (path, sizeof path, "%s/server.jsonl", self->dir);
    FILE *f = fopen (path, "r");
    size_t n = 0;
    while (f && fgets (line, sizeof line, f))
        n += strstr (line, text) != NULL;
    if (f)
        fclose (f);
    return n;
}
