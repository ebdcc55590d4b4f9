/*  hb_launch: see hb_launch.h.                                             */
#include "hb_launch.h"
#include "hb_curve.h"

#include <errno.h>
#include <spawn.h>
#include <sys/wait.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define S_ARGS  8

const hb_host_cfg_t *
hb_launch_host (const hb_config_t *cfg, const char *requested, FILE *err)
{
    char names [HB_MAX_HOSTS * (HB_NAME_MAX + 2)] = "";
    size_t len = 0;
    for (int i = 0; i < cfg->n_hosts && len < sizeof names; i++)
        len += (size_t) snprintf (names + len, sizeof names - len, "%s%s", i ? ", " : "", cfg->hosts [i].name);
    if (requested) {
        const hb_host_cfg_t *host = hb_config_host (cfg, requested);
        if (!host)
            fprintf (err, "%s: hosts: unknown host '%s' (known: %s)\n", cfg->path, requested, names);
        return host;
    }
    for (int i = 0; i < cfg->n_hosts; i++)
        if (cfg->hosts [i].is_default || cfg->n_hosts == 1)
            return &cfg->hosts [i];
    fprintf (err, "%s: hosts: several hosts and none is the default: pass --host NAME (one of %s)\n",
             cfg->path, names);
    return NULL;
}

//  The program's path into path: program itself when absolute, else
//  bindir/program. 0, or -1 (reported) when it cannot be executed.
static int
s_program (const hb_config_t *cfg, int line, const char *key, const char *bindir, const char *program,
           char *path, size_t size, FILE *err)
{
    int n = program [0] == '/' ? snprintf (path, size, "%s", program)
                               : snprintf (path, size, "%s/%s", bindir, program);
    struct stat st;
    if (n < 0 || (size_t) n >= size) {
        fprintf (err, "%s:%d: %s: program path too long\n", cfg->path, line, key);
        return -1;
    }
    if (stat (path, &st) != 0 || !S_ISREG (st.st_mode) || access (path, X_OK) != 0) {
        fprintf (err, "%s:%d: %s: program %s not found or not executable (%s); build it, "
                 "or set enabled: false\n", cfg->path, line, key, program, path);
        return -1;
    }
    return 0;
}

//  hb-feed --check for one venue: the venue's plugin reads its own
//  sections (market:, venues.X.<plugin>) the way it will at start, and
//  hb-feed reports any problem on stderr as FILE:LINE: KEY.PATH. 0 or -1.
static int
s_feed_check (const char *feed, const char *config_path, const char *venue, FILE *err)
{
    extern char **environ;
    const char *argv [] = { feed, "--config", config_path, "--venue", venue, "--check",
                            "--log-level", "error", NULL };
    fflush (err);
    pid_t pid;
    int status = 0;
    if (posix_spawn (&pid, feed, NULL, NULL, (char *const *) argv, environ) != 0
    ||  waitpid (pid, &status, 0) != pid) {
        fprintf (err, "%s: venues.%s: cannot run %s --check: %s\n", config_path, venue, feed, strerror (errno));
        return -1;
    }
    return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
}

int
hb_launch_plan (const hb_config_t *cfg, const hb_host_cfg_t *host, const char *bindir,
                const char *config_path, hb_supervisor_t *sup, FILE *err)
{
    char path [HB_PATH_MAX + 64], key [HB_NAME_MAX + 32], name [HB_NAME_MAX + 8];
    int problems = 0, added = 0;
    //  check every program first: a missing one must stop everything
    for (int pass = 0; pass < 2 && (pass == 0 || problems == 0); pass++) {
        for (int i = 0; i < cfg->n_venues; i++) {
            const hb_venue_cfg_t *venue = &cfg->venues [i];
            if (!venue->enabled || strcmp (venue->host, host->name) != 0)
                continue;
            snprintf (key, sizeof key, "venues.%s", venue->name);
            if (s_program (cfg, venue->line, key, bindir, "hb-feed", path, sizeof path, err) != 0) {
                problems++;
                continue;
            }
            //  the plugin's own config, which only the plugin can read
            if (pass == 0 && s_feed_check (path, config_path, venue->name, err) != 0) {
                problems++;
                continue;
            }
            if (pass == 1) {
                snprintf (name, sizeof name, "feed.%s", venue->name);
                const char *argv [S_ARGS] = { path, "--config", config_path, "--venue", venue->name, NULL };
                if (hb_supervisor_add (sup, name, argv) < 0)
                    problems++;
                added++;
            }
        }
        for (int i = 0; i < cfg->n_components; i++) {
            const hb_component_cfg_t *component = &cfg->components [i];
            if (!component->enabled || !component->program [0] || strcmp (component->host, host->name) != 0)
                continue;
            snprintf (key, sizeof key, "components.%s", component->name);
            if (s_program (cfg, component->line, key, bindir, component->program, path, sizeof path, err) != 0) {
                problems++;
                continue;
            }
            if (pass == 1) {
                const char *argv [S_ARGS] = { path, "--config", config_path, NULL };
                if (hb_supervisor_add (sup, component->name, argv) < 0)
                    problems++;
                added++;
            }
        }
    }
    if (problems == 0 && added == 0)
        fprintf (err, "%s: nothing to run on host %s (no enabled venue or component is assigned to it)\n",
                 cfg->path, host->name);
    return problems ? -1 : added;
}

//  tcp://host:port: can we bind it here? SO_REUSEADDR as libzmq sets it,
//  so a port in TIME_WAIT from a previous run is not "in use".
static const char *
s_tcp_busy (const char *endpoint)
{
    char host [HB_ENDPOINT_MAX];
    snprintf (host, sizeof host, "%s", endpoint + 6);
    char *colon = strrchr (host, ':');
    if (!colon)
        return "not host:port";
    *colon = 0;
    const char *port = colon + 1;
    char *name = host;
    if (*name == '[') {
        name++;
        name [strcspn (name, "]")] = 0;
    }
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *list = NULL;
    if (getaddrinfo (name, port, &hints, &list) != 0 || !list)
        return "host name does not resolve";
    const char *problem = NULL;
    for (struct addrinfo *ai = list; ai && !problem; ai = ai->ai_next) {
        int fd = socket (ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        int on = 1;
        setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (bind (fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen (fd, 1) != 0) {
            if (errno == EADDRINUSE)
                problem = "port in use by another process";
            else
            if (errno == EADDRNOTAVAIL)
                problem = "address is not on this machine (is the host: assignment right?)";
            else
                problem = strerror (errno);
        }
        close (fd);
    }
    freeaddrinfo (list);
    return problem;
}

//  ipc:///path: a socket file some live process still accepts on.
static const char *
s_ipc_busy (const char *endpoint)
{
    const char *path = endpoint + 6;
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct stat st;
    if (stat (path, &st) != 0 || !S_ISSOCK (st.st_mode) || strlen (path) >= sizeof addr.sun_path)
        return NULL;        //  nothing there, or a leftover zmq replaces
    strcpy (addr.sun_path, path);
    int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    bool busy = connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0;
    close (fd);
    return busy ? "in use: a running process serves this socket (another deployment on the same run_dir?)"
                : NULL;
}

static int
s_check (const hb_config_t *cfg, int line, const char *key, const char *endpoint, FILE *err)
{
    const char *problem = NULL;
    if (strncmp (endpoint, "tcp://", 6) == 0)
        problem = s_tcp_busy (endpoint);
    else
    if (strncmp (endpoint, "ipc://", 6) == 0)
        problem = s_ipc_busy (endpoint);
    if (!problem)
        return 0;
    fprintf (err, "%s:%d: %s: %s (value '%s')\n", cfg->path, line, key, problem, endpoint);
    return 1;
}

int
hb_launch_preflight (const hb_config_t *cfg, const hb_host_cfg_t *host, FILE *err)
{
    char key [HB_NAME_MAX + 48];
    int problems = 0;
    for (int i = 0; i < cfg->n_venues; i++) {
        const hb_venue_cfg_t *venue = &cfg->venues [i];
        if (!venue->enabled || strcmp (venue->host, host->name) != 0)
            continue;
        snprintf (key, sizeof key, "venues.%s.endpoint", venue->name);
        problems += s_check (cfg, venue->line, key, venue->endpoint, err);
        snprintf (key, sizeof key, "venues.%s.replay_endpoint", venue->name);
        problems += s_check (cfg, venue->line, key, venue->replay_endpoint, err);
        snprintf (key, sizeof key, "feed.%s", venue->name);
        problems += hb_curve_check_secret (cfg, key, err);
    }
    for (int i = 0; i < cfg->n_components; i++) {
        const hb_component_cfg_t *component = &cfg->components [i];
        if (!component->enabled || !component->program [0] || strcmp (component->host, host->name) != 0)
            continue;
        bool aggregator = strcmp (component->name, "aggregator") == 0;
        snprintf (key, sizeof key, "components.%s.endpoint", component->name);
        problems += s_check (cfg, component->line, key,
                             aggregator ? cfg->aggregator.endpoint : component->endpoint, err);
        if (aggregator) {
            snprintf (key, sizeof key, "components.%s.snapshot_endpoint", component->name);
            problems += s_check (cfg, component->line, key, cfg->aggregator.snapshot_endpoint, err);
        }
        problems += hb_curve_check_secret (cfg, component->name, err);
    }
    return problems + hb_curve_check_public (cfg, err);
}
