/*  hb_curve: see hb_curve.h.

    Process-wide on purpose: the ZAP handler belongs to the zmq context,
    and czmq has one context per process, so zauth can run only once
    (a second one cannot bind the ZAP endpoint). Everything here is set at
    start-up and only read afterwards, from the threads that make sockets.

    Public certificates are read with zconfig, not zcert_load: zcert_load
    prefers NAME.key_secret when it can read it, and a process has no
    business loading another process's secret key.                       */
#include "hb_curve.h"
#include "hb_log.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef ZMQ_ZAP_ENFORCE_DOMAIN
#   define ZMQ_ZAP_ENFORCE_DOMAIN 93    //  draft in libzmq 4.3, built in by Debian
#endif
#define S_ZAP_DOMAIN    "hedgebus"
#define S_PUBLIC_EXT    ".key"
#define S_SECRET_EXT    ".key_secret"

//  A CURVE endpoint of the config: who serves it, with which public key.
typedef struct {
    char endpoint [HB_ENDPOINT_MAX];
    char owner [HB_KEY_NAME_MAX];
    byte key [32];
} s_server_t;

static struct {
    bool        active;
    bool        loopback;           //  security.loopback
    char        name [HB_KEY_NAME_MAX];
    zcert_t    *cert;               //  ours, with the secret key
    zactor_t   *auth;               //  zauth with the allow-list
    zlistx_t   *servers;            //  s_server_t of every CURVE endpoint
    bool        at_exit;            //  hb_curve_stop registered
} s_curve;

bool
hb_curve_name_valid (const char *name)
{
    //  the config says what a certificate name is (security.allow)
    return hb_config_key_name_valid (name);
}

//  True when the config has at least one CURVE endpoint.
static bool
s_needed (const hb_config_t *cfg)
{
    const char *endpoint;
    for (int i = 0; (endpoint = hb_config_bound_endpoint (cfg, i, NULL)); i++)
        if (hb_config_endpoint_curve (cfg, endpoint))
            return true;
    return false;
}

static void
s_path (const hb_config_t *cfg, const char *name, const char *ext, char *path, size_t size)
{
    snprintf (path, size, "%s/%s%s", cfg->security.keys_dir, name, ext);
}

static void
s_report (const hb_config_t *cfg, FILE *err, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    fprintf (err, "%s:%d: security.keys_dir: ", cfg->path, cfg->security.line);
    vfprintf (err, format, args);
    fputc ('\n', err);
    va_end (args);
}

//  A public certificate from path, or NULL when the file is not one.
static zcert_t *
s_load_public (const char *path)
{
    zconfig_t *root = zconfig_load (path);
    if (!root)
        return NULL;
    const char *text = zconfig_get (root, "/curve/public-key", NULL);
    byte key [32], none [32] = { 0 };
    zcert_t *cert = NULL;
    if (text && strlen (text) == 40 && zmq_z85_decode (key, text))
        cert = zcert_new_from (key, none);
    zconfig_destroy (&root);
    return cert;
}

//  Checks one public certificate; 0 or 1 problem, reported.
static int
s_check_public (const hb_config_t *cfg, const char *name, const char *why, FILE *err)
{
    char path [HB_PATH_MAX + 64];
    s_path (cfg, name, S_PUBLIC_EXT, path, sizeof path);
    if (access (path, R_OK) != 0) {
        s_report (cfg, err, "certificate of %s (%s) missing: %s: %s (make it with hb-keygen --out %s %s)",
                  name, why, path, strerror (errno), cfg->security.keys_dir, name);
        return 1;
    }
    zcert_t *cert = s_load_public (path);
    if (!cert) {
        s_report (cfg, err, "%s is not a CURVE certificate (no curve/public-key of 40 Z85 characters)", path);
        return 1;
    }
    zcert_destroy (&cert);
    return 0;
}

int
hb_curve_check_public (const hb_config_t *cfg, FILE *err)
{
    assert (cfg);
    assert (err);
    if (!s_needed (cfg))
        return 0;
    int problems = 0;
    char owner [HB_KEY_NAME_MAX], checked [2 * HB_MAX_VENUES + HB_MAX_COMPONENTS + 4][HB_KEY_NAME_MAX];
    int n_checked = 0;
    const char *endpoint;
    for (int i = 0; (endpoint = hb_config_bound_endpoint (cfg, i, owner)); i++) {
        if (!hb_config_endpoint_curve (cfg, endpoint))
            continue;
        bool seen = false;
        for (int j = 0; j < n_checked && !seen; j++)
            seen = strcmp (checked [j], owner) == 0;
        if (seen)
            continue;
        strcpy (checked [n_checked++], owner);
        problems += s_check_public (cfg, owner, "serves a CURVE endpoint", err);
    }
    for (int i = 0; i < cfg->security.n_allow; i++)
        problems += s_check_public (cfg, cfg->security.allow [i], "in security.allow", err);
    return problems;
}

int
hb_curve_check_secret (const hb_config_t *cfg, const char *name, FILE *err)
{
    assert (cfg);
    assert (name);
    assert (err);
    if (!s_needed (cfg))
        return 0;
    char path [HB_PATH_MAX + 64];
    s_path (cfg, name, S_SECRET_EXT, path, sizeof path);
    struct stat st;
    if (!hb_curve_name_valid (name)) {
        s_report (cfg, err, "'%s' cannot be a certificate name", name);
        return 1;
    }
    if (stat (path, &st) != 0) {
        s_report (cfg, err, "secret key of %s missing: %s: %s (make it with hb-keygen --out %s %s)",
                  name, path, strerror (errno), cfg->security.keys_dir, name);
        return 1;
    }
    if (!S_ISREG (st.st_mode)) {
        s_report (cfg, err, "%s is not a regular file", path);
        return 1;
    }
    //  A secret anyone else can read is no secret: refuse rather than
    //  run with a key that may already be copied.
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        s_report (cfg, err, "secret key file %s is open to group or others (mode %04o): "
                  "refused; chmod 600 it (and make a new key if others may have read it)",
                  path, (unsigned) (st.st_mode & 07777));
        return 1;
    }
    zcert_t *cert = zcert_load (path);
    static const byte none [32] = { 0 };
    int problems = 0;
    if (!cert || memcmp (zcert_secret_key (cert), none, 32) == 0) {
        s_report (cfg, err, "%s holds no CURVE key pair (curve/public-key and curve/secret-key)", path);
        problems = 1;
    }
    zcert_destroy (&cert);
    return problems;
}

static void
s_server_destroy (void **item_p)
{
    free (*item_p);
    *item_p = NULL;
}

//  The public key of every CURVE endpoint's owner; 0 or -1 (checked before).
static int
s_load_servers (const hb_config_t *cfg)
{
    char owner [HB_KEY_NAME_MAX], path [HB_PATH_MAX + 64];
    const char *endpoint;
    for (int i = 0; (endpoint = hb_config_bound_endpoint (cfg, i, owner)); i++) {
        if (!hb_config_endpoint_curve (cfg, endpoint))
            continue;
        s_path (cfg, owner, S_PUBLIC_EXT, path, sizeof path);
        zcert_t *cert = s_load_public (path);
        s_server_t *server = (s_server_t *) zmalloc (sizeof *server);
        if (!cert || !server || !zlistx_add_end (s_curve.servers, server)) {
            zcert_destroy (&cert);
            free (server);
            return -1;
        }
        snprintf (server->endpoint, sizeof server->endpoint, "%s", endpoint);
        snprintf (server->owner, sizeof server->owner, "%s", owner);
        memcpy (server->key, zcert_public_key (cert), 32);
        zcert_destroy (&cert);
    }
    return 0;
}

//  zauth with an in-memory store of the allowed client keys (zauth owns
//  and destroys the store).
static zactor_t *
s_start_auth (const hb_config_t *cfg)
{
    zcertstore_t *store = zcertstore_new (NULL);
    if (!store)
        return NULL;
    char path [HB_PATH_MAX + 64];
    for (int i = 0; i < cfg->security.n_allow; i++) {
        s_path (cfg, cfg->security.allow [i], S_PUBLIC_EXT, path, sizeof path);
        zcert_t *cert = s_load_public (path);
        if (!cert) {
            zcertstore_destroy (&store);
            return NULL;
        }
        zcertstore_insert (store, &cert);
    }
    zactor_t *auth = zactor_new (zauth, store);
    if (!auth)
        zcertstore_destroy (&store);
    return auth;
}

static void
s_at_exit (void)
{
    hb_curve_stop ();
}

int
hb_curve_start (const hb_config_t *cfg, const char *name)
{
    assert (cfg);
    assert (name);
    assert (!s_curve.active);
    if (!s_needed (cfg))
        return 0;
    int problems = hb_curve_check_secret (cfg, name, stderr) + hb_curve_check_public (cfg, stderr);
    if (problems > 0)
        return -1;
    if (!zsys_has_curve ()) {
        hb_error ("%s: security: this libzmq has no CURVE support", cfg->path);
        return -1;
    }
    char path [HB_PATH_MAX + 64];
    s_path (cfg, name, S_SECRET_EXT, path, sizeof path);
    snprintf (s_curve.name, sizeof s_curve.name, "%s", name);
    s_curve.loopback = cfg->security.loopback;
    s_curve.cert = zcert_load (path);
    s_curve.servers = zlistx_new ();
    if (s_curve.servers)
        zlistx_set_destructor (s_curve.servers, s_server_destroy);
    if (!s_curve.cert || !s_curve.servers || s_load_servers (cfg) != 0
    ||  !(s_curve.auth = s_start_auth (cfg))) {
        hb_error ("%s: security: cannot load the certificates of %s or start zauth",
                  cfg->path, cfg->security.keys_dir);
        hb_curve_stop ();
        return -1;
    }
    if (hb_log_enabled (HB_LOG_DEBUG)) {
        zstr_send (s_curve.auth, "VERBOSE");
        zsock_wait (s_curve.auth);
    }
    //  zauth made czmq register its own shutdown at exit; ours runs first
    //  (atexit order is reversed), so no socket of ours dangles there.
    if (!s_curve.at_exit)
        s_curve.at_exit = atexit (s_at_exit) == 0;
    s_curve.active = true;
    hb_info ("CURVE on: certificate %s (%s), %zu CURVE endpoint(s), %d client(s) allowed",
             name, zcert_public_txt (s_curve.cert), zlistx_size (s_curve.servers),
             cfg->security.n_allow);
    return 0;
}

void
hb_curve_stop (void)
{
    zactor_destroy (&s_curve.auth);
    zcert_destroy (&s_curve.cert);
    zlistx_destroy (&s_curve.servers);
    s_curve.active = false;
}

bool
hb_curve_active (void)
{
    return s_curve.active;
}

//  Does endpoint need CURVE in this process?
static bool
s_curve_endpoint (const char *endpoint)
{
    if (strncmp (endpoint, "tcp://", 6) != 0)
        return false;
    return (s_curve.active && s_curve.loopback) || hb_config_endpoint_curve (NULL, endpoint);
}

static s_server_t *
s_server (const char *endpoint)
{
    s_server_t *server = (s_server_t *) zlistx_first (s_curve.servers);
    while (server && strcmp (server->endpoint, endpoint) != 0)
        server = (s_server_t *) zlistx_next (s_curve.servers);
    return server;
}

int
hb_curve_server (zsock_t *sock, const char *endpoint)
{
    assert (sock);
    assert (endpoint);
    if (!s_curve_endpoint (endpoint))
        return 0;
    if (!s_curve.active) {
        hb_error ("bus endpoint %s is off loopback: it needs CURVE, and this process has no keys "
                  "(a security: section in the config)", endpoint);
        errno = EACCES;
        return -1;
    }
    const s_server_t *server = s_server (endpoint);
    if (!server || strcmp (server->owner, s_curve.name) != 0) {
        hb_error ("bus endpoint %s: serving it takes the certificate of %s, this process has %s's",
                  endpoint, server ? server->owner : "a process of the config (it is in none)",
                  s_curve.name);
        errno = EACCES;
        return -1;
    }
    zcert_apply (s_curve.cert, sock);
    zsock_set_curve_server (sock, 1);
    zsock_set_zap_domain (sock, S_ZAP_DOMAIN);
    int on = 1;
    if (zmq_setsockopt (zsock_resolve (sock), ZMQ_ZAP_ENFORCE_DOMAIN, &on, sizeof on) != 0) {
        hb_error ("bus endpoint %s: this libzmq cannot enforce the ZAP domain "
                  "(ZMQ_ZAP_ENFORCE_DOMAIN, a draft option): refusing to serve it", endpoint);
        errno = EACCES;
        return -1;
    }
    return 0;
}

int
hb_curve_client (zsock_t *sock, const char *endpoint)
{
    assert (sock);
    assert (endpoint);
    if (!s_curve_endpoint (endpoint)) {
        //  a socket that reached a CURVE server before goes on plain
        if (s_curve.active)
            zsock_set_curve_server (sock, 0);
        return 0;
    }
    if (!s_curve.active) {
        hb_error ("bus endpoint %s is off loopback: it needs CURVE, and this process has no keys "
                  "(a security: section in the config)", endpoint);
        errno = EACCES;
        return -1;
    }
    const s_server_t *server = s_server (endpoint);
    if (!server) {
        hb_error ("bus endpoint %s is not one of the config: its server's key is unknown", endpoint);
        errno = EACCES;
        return -1;
    }
    zcert_apply (s_curve.cert, sock);
    zsock_set_curve_serverkey_bin (sock, server->key);
    return 0;
}

int
hb_curve_keygen (const char *dir, const char *name, bool force, char *public_txt)
{
    assert (dir);
    assert (name);
    char public_path [HB_PATH_MAX + 64], secret_path [HB_PATH_MAX + 64];
    if (!hb_curve_name_valid (name)) {
        hb_error ("'%s' cannot be a certificate name: 1 to %d of A-Z a-z 0-9 . _ : - "
                  "(not starting with .)", name, HB_KEY_NAME_MAX - 1);
        errno = EINVAL;
        return -1;
    }
    if (strlen (dir) >= HB_PATH_MAX) {
        hb_error ("%s: directory path too long", dir);
        errno = EINVAL;
        return -1;
    }
    snprintf (public_path, sizeof public_path, "%s/%s%s", dir, name, S_PUBLIC_EXT);
    snprintf (secret_path, sizeof secret_path, "%s/%s%s", dir, name, S_SECRET_EXT);
    if (zsys_dir_create ("%s", dir) != 0 && !S_ISDIR (zsys_file_mode (dir))) {
        hb_error ("%s: cannot create the directory: %s", dir, strerror (errno));
        return -1;
    }
    bool exists = access (public_path, F_OK) == 0 || access (secret_path, F_OK) == 0;
    if (exists && !force) {
        hb_error ("%s: certificate %s exists already (--force replaces it)", dir, name);
        errno = EEXIST;
        return -1;
    }
    //  a new file, not a rewrite of one that may be open to others
    if (exists && ((unlink (public_path) != 0 && errno != ENOENT)
               ||  (unlink (secret_path) != 0 && errno != ENOENT))) {
        hb_error ("%s: cannot replace certificate %s: %s", dir, name, strerror (errno));
        return -1;
    }
    zcert_t *cert = zcert_new ();
    if (!cert) {
        errno = ENOMEM;
        return -1;
    }
    zcert_set_meta (cert, "name", "%s", name);
    zcert_set_meta (cert, "made-by", "hb-keygen");
    int rc = zcert_save (cert, public_path);
    if (rc == 0)
        rc = chmod (secret_path, 0600) == 0 && chmod (public_path, 0644) == 0 ? 0 : -1;
    if (rc != 0) {
        int err = errno;
        hb_error ("%s: cannot write certificate %s: %s", dir, name, strerror (err));
        unlink (secret_path);
        unlink (public_path);
        errno = err;
    }
    else
    if (public_txt)
        memcpy (public_txt, zcert_public_txt (cert), 41);
    zcert_destroy (&cert);
    return rc;
}
