/*  hb_curve tests: certificates (hb-keygen), the security: section, the
    checks made before start, and CURVE on a real socket pair over tcp on
    loopback (security.loopback: true makes loopback count).

    Refusals are observed, not timed: a socket monitor on the refused side
    reports the failed handshake (auth: ZAP said 400; protocol: a plain
    client met a CURVE server; no detail: no ZAP handler at all).         */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hb_curve.h"
#include "hb_log.h"
#include "hb_pub.h"
#include "hb_sub.h"

#define WAIT_MS     10000           //  generous: the machine is shared

static char s_dir [64];
static char s_keys [128];
static char s_feed_ep [64];         //  tcp on loopback, served by feed.alpha
static char s_risk_ep [64];         //  tcp on loopback, served by risk
static char s_replay_ep [64];       //  tcp on loopback, feed.alpha's fill replay

static int
s_remove (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st; (void) flag; (void) ftw;
    return remove (path);
}

//  A port free right now on 127.0.0.1.
static int
s_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    assert_int_equal (bind (fd, (struct sockaddr *) &addr, sizeof addr), 0);
    assert_int_equal (getsockname (fd, (struct sockaddr *) &addr, &len), 0);
    close (fd);
    return ntohs (addr.sin_port);
}

//  Writes DIR/name.yaml: one (disabled) sim venue on feed_ep, a risk
//  component on risk_ep, and the given security: section ("" for none).
static void
s_config (const char *name, const char *feed_ep, const char *security, char *path)
{
    sprintf (path, "%s/%s.yaml", s_dir, name);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fprintf (file,
        "hedgebus: 1\n"
        "deployment: curve-test\n"
        "run_dir: %s/run\n"
        "%s\n"
        "assets:\n"
        "  BTC: { price: 65000, vol: 0.5 }\n"
        "market: { seed: 1 }\n"
        "venues:\n"
        "  alpha:\n"
        "    plugin: sim\n"
        "    enabled: false\n"
        "    endpoint: %s\n"
        "    replay_endpoint: %s\n"
        "    sim: { seed: 1 }\n"
        "    instruments: [ { symbol: BTC-USD, asset: BTC, kind: spot, tick: 0.01, lot: 0.0001 } ]\n"
        "components:\n"
        "  risk: { endpoint: \"%s\", enabled: false }\n",
        s_dir, security, feed_ep, s_replay_ep, s_risk_ep);
    fclose (file);
}

static hb_config_t *
s_load (const char *name, const char *feed_ep, const char *security)
{
    char path [128], errors [4096] = "";
    s_config (name, feed_ep, security, path);
    hb_config_t *cfg = hb_config_load_quiet (path, errors, sizeof errors);
    if (!cfg)
        print_error ("%s", errors);
    return cfg;
}

static const char *
s_security (const char *allow)
{
    static char text [512];
    snprintf (text, sizeof text, "security: { keys_dir: %s, allow: [%s], loopback: true }", s_keys, allow);
    return text;
}

static int
s_group_setup (void **state)
{
    (void) state;
    hb_log_init ("curve-test", HB_LOG_WARN);
    zsys_handler_set (NULL);
    snprintf (s_dir, sizeof s_dir, "/tmp/hb-curve-test.XXXXXX");
    if (!mkdtemp (s_dir))
        return -1;
    snprintf (s_keys, sizeof s_keys, "%s/keys", s_dir);
    const char *names [] = { "feed.alpha", "risk", "tap", "intruder", NULL };
    for (int i = 0; names [i]; i++)
        if (hb_curve_keygen (s_keys, names [i], false, NULL) != 0)
            return -1;
    snprintf (s_feed_ep, sizeof s_feed_ep, "tcp://127.0.0.1:%d", s_free_port ());
    snprintf (s_risk_ep, sizeof s_risk_ep, "tcp://127.0.0.1:%d", s_free_port ());
    snprintf (s_replay_ep, sizeof s_replay_ep, "tcp://127.0.0.1:%d", s_free_port ());
    return 0;
}

static int
s_group_teardown (void **state)
{
    (void) state;
    hb_curve_stop ();
    return nftw (s_dir, s_remove, 16, FTW_DEPTH | FTW_PHYS);
}

static mode_t
s_mode (const char *dir, const char *file)
{
    char path [256];
    struct stat st;
    snprintf (path, sizeof path, "%s/%s", dir, file);
    return stat (path, &st) == 0 ? st.st_mode & 07777 : (mode_t) -1;
}

static void
test_keygen (void **state)
{
    (void) state;
    char dir [128], first [41], second [41];
    snprintf (dir, sizeof dir, "%s/made/here", s_dir);
    assert_int_equal (hb_curve_keygen (dir, "console", false, first), 0);
    assert_int_equal (strlen (first), 40);
    assert_int_equal (s_mode (dir, "console.key"), 0644);
    assert_int_equal (s_mode (dir, "console.key_secret"), 0600);
    //  kept unless forced; forced: a new key
    errno = 0;
    assert_int_equal (hb_curve_keygen (dir, "console", false, second), -1);
    assert_int_equal (errno, EEXIST);
    assert_int_equal (hb_curve_keygen (dir, "console", true, second), 0);
    assert_string_not_equal (first, second);
    assert_int_equal (s_mode (dir, "console.key_secret"), 0600);
    //  the public file holds the key printed, and no secret
    char path [256];
    snprintf (path, sizeof path, "%s/console.key", dir);
    zconfig_t *root = zconfig_load (path);
    assert_non_null (root);
    assert_string_equal (zconfig_get (root, "/curve/public-key", ""), second);
    assert_null (zconfig_get (root, "/curve/secret-key", NULL));
    zconfig_destroy (&root);
    //  names that cannot be file names
    assert_int_equal (hb_curve_keygen (dir, "a/b", false, NULL), -1);
    assert_int_equal (errno, EINVAL);
    assert_int_equal (hb_curve_keygen (dir, ".hidden", false, NULL), -1);
    assert_false (hb_curve_name_valid (""));
    assert_true (hb_curve_name_valid ("feed.alpha"));
}

static void
test_config (void **state)
{
    (void) state;
    hb_config_t *cfg = s_load ("security", s_feed_ep, s_security ("feed.alpha, tap"));
    assert_non_null (cfg);
    assert_true (cfg->security.present);
    assert_string_equal (cfg->security.keys_dir, s_keys);
    assert_int_equal (cfg->security.n_allow, 2);
    assert_string_equal (cfg->security.allow [1], "tap");
    assert_true (cfg->security.loopback);
    assert_true (hb_config_endpoint_curve (cfg, s_feed_ep));
    assert_false (hb_config_endpoint_curve (cfg, "ipc:///tmp/x.ipc"));
    //  owners: a venue's endpoints are its feed's, a component's its own
    char owner [HB_KEY_NAME_MAX];
    const char *endpoint;
    int found = 0;
    for (int i = 0; (endpoint = hb_config_bound_endpoint (cfg, i, owner)); i++) {
        if (strcmp (endpoint, s_feed_ep) == 0 && strcmp (owner, "feed.alpha") == 0)
            found |= 1;
        if (strcmp (endpoint, s_replay_ep) == 0 && strcmp (owner, "feed.alpha") == 0)
            found |= 2;
        if (strcmp (endpoint, s_risk_ep) == 0 && strcmp (owner, "risk") == 0)
            found |= 4;
        if (strcmp (endpoint, cfg->aggregator.snapshot_endpoint) == 0 && strcmp (owner, "aggregator") == 0)
            found |= 8;
    }
    assert_int_equal (found, 15);
    hb_config_destroy (&cfg);

    //  the rule without loopback: true
    assert_false (hb_config_endpoint_curve (NULL, "tcp://127.0.0.1:5000"));
    assert_false (hb_config_endpoint_curve (NULL, "tcp://127.1.2.3:5000"));
    assert_false (hb_config_endpoint_curve (NULL, "tcp://localhost:5000"));
    assert_false (hb_config_endpoint_curve (NULL, "tcp://[::1]:5000"));
    assert_true (hb_config_endpoint_curve (NULL, "tcp://10.77.0.1:5000"));
    assert_true (hb_config_endpoint_curve (NULL, "tcp://[fd00::1]:5000"));
    assert_true (hb_config_endpoint_curve (NULL, "tcp://office.example:5000"));
    assert_false (hb_config_endpoint_curve (NULL, "ipc:///tmp/a"));

    //  off loopback without security: refused at the endpoint's line
    char path [128], errors [2048] = "";
    s_config ("open", "tcp://10.77.0.1:7001", "", path);
    assert_null (hb_config_load_quiet (path, errors, sizeof errors));
    assert_non_null (strstr (errors, ".yaml:12: venues.alpha.endpoint: a tcp endpoint off loopback needs CURVE"));
    //  a bad section: relative keys_dir, empty allow, unknown key
    errors [0] = 0;
    s_config ("bad", s_feed_ep, "security: { keys_dir: keys, allow: [], curve: yes }", path);
    assert_null (hb_config_load_quiet (path, errors, sizeof errors));
    assert_non_null (strstr (errors, "security.keys_dir: must be an absolute path"));
    assert_non_null (strstr (errors, "security.allow: at least one client certificate name"));
    assert_non_null (strstr (errors, "security.curve"));
    errors [0] = 0;
    s_config ("twice", s_feed_ep, "security: { keys_dir: /k, allow: [tap, tap, \"a/b\"] }", path);
    assert_null (hb_config_load_quiet (path, errors, sizeof errors));
    assert_non_null (strstr (errors, "security.allow[1]: listed twice"));
    assert_non_null (strstr (errors, "security.allow[2]: invalid certificate name"));
}

//  The checks' report, as text.
static char *
s_check (const hb_config_t *cfg, const char *secret_of, int *problems)
{
    char *text = NULL;
    size_t size = 0;
    FILE *err = open_memstream (&text, &size);
    *problems = secret_of ? hb_curve_check_secret (cfg, secret_of, err) : hb_curve_check_public (cfg, err);
    fclose (err);
    return text;
}

static void
test_checks (void **state)
{
    (void) state;
    hb_config_t *cfg = s_load ("checks", s_feed_ep, s_security ("feed.alpha, tap, ghost"));
    assert_non_null (cfg);
    int problems;
    char *text = s_check (cfg, "feed.alpha", &problems);
    assert_int_equal (problems, 0);
    free (text);
    text = s_check (cfg, "nobody", &problems);
    assert_int_equal (problems, 1);
    assert_non_null (strstr (text, "checks.yaml:4: security.keys_dir: secret key of nobody missing"));
    assert_non_null (strstr (text, "hb-keygen --out"));
    free (text);
    //  group-readable secret: refused, and so is the start
    char secret [256];
    snprintf (secret, sizeof secret, "%s/feed.alpha.key_secret", s_keys);
    assert_int_equal (chmod (secret, 0640), 0);
    text = s_check (cfg, "feed.alpha", &problems);
    assert_int_equal (problems, 1);
    assert_non_null (strstr (text, "is open to group or others (mode 0640): refused"));
    free (text);
    assert_int_equal (hb_curve_start (cfg, "feed.alpha"), -1);
    assert_false (hb_curve_active ());
    assert_int_equal (chmod (secret, 0600), 0);
    //  public certificates: ghost (allowed) has none; the owners have theirs
    text = s_check (cfg, NULL, &problems);
    assert_int_equal (problems, 1);
    assert_non_null (strstr (text, "certificate of ghost (in security.allow) missing"));
    free (text);
    assert_int_equal (hb_curve_start (cfg, "feed.alpha"), -1);
    assert_false (hb_curve_active ());
    hb_config_destroy (&cfg);
    //  no CURVE endpoint: nothing to check, nothing started
    char plain [256];
    snprintf (plain, sizeof plain, "security: { keys_dir: %s, allow: [ghost] }", s_keys);
    cfg = s_load ("plain", "ipc:///tmp/hb-curve-test-none.ipc", plain);
    assert_non_null (cfg);
    text = s_check (cfg, "nobody", &problems);
    assert_int_equal (problems, 0);
    free (text);
    assert_int_equal (hb_curve_start (cfg, "nobody"), 0);
    assert_false (hb_curve_active ());
    hb_config_destroy (&cfg);
}

//  A monitor of sock's handshakes; read with s_event.
static zsock_t *
s_monitor (zsock_t *sock, const char *name)
{
    char endpoint [64];
    snprintf (endpoint, sizeof endpoint, "inproc://monitor-%s", name);
    assert_int_equal (zmq_socket_monitor (zsock_resolve (sock), endpoint,
                                          ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
                                        | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                                        | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL), 0);
    zsock_t *monitor = zsock_new (ZMQ_PAIR);
    assert_non_null (monitor);
    assert_int_equal (zsock_connect (monitor, "%s", endpoint), 0);
    zsock_set_rcvtimeo (monitor, WAIT_MS);
    return monitor;
}

//  The next handshake event (0 when none came in time) and its value.
static int
s_event (zsock_t *monitor, uint32_t *value)
{
    zmsg_t *msg = zmsg_recv (monitor);
    if (!msg)
        return 0;
    zframe_t *frame = zmsg_first (msg);
    uint16_t event = 0;
    if (frame && zframe_size (frame) == 6) {
        memcpy (&event, zframe_data (frame), 2);
        memcpy (value, zframe_data (frame) + 2, 4);
    }
    zmsg_destroy (&msg);
    return event;
}

static void
s_unmonitor (zsock_t *sock, zsock_t **monitor)
{
    zmq_socket_monitor (zsock_resolve (sock), NULL, 0);
    zsock_destroy (monitor);
}

static void
s_tick (hb_msg_t *msg)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_TICK;
    msg->env.ts_venue = msg->env.ts_recv = 1700000000000000000;
    snprintf (msg->u.tick.venue, sizeof msg->u.tick.venue, "alpha");
    snprintf (msg->u.tick.symbol, sizeof msg->u.tick.symbol, "BTC-USD");
    msg->u.tick.n_bids = msg->u.tick.n_asks = 1;
    msg->u.tick.bids [0].px = 64999;
    msg->u.tick.asks [0].px = 65001;
    msg->u.tick.bids [0].qty = msg->u.tick.asks [0].qty = 1;
}

//  A SUB with certificate name (NULL: plain) that expects the feed's key.
static zsock_t *
s_raw_client (const char *name)
{
    zsock_t *sub = zsock_new (name && strcmp (name, "dealer") == 0 ? ZMQ_DEALER : ZMQ_SUB);
    if (name && strcmp (name, "dealer") == 0)
        name = "tap";
    assert_non_null (sub);
    if (name) {
        char path [256];
        snprintf (path, sizeof path, "%s/%s.key_secret", s_keys, name);
        zcert_t *cert = zcert_load (path);
        snprintf (path, sizeof path, "%s/feed.alpha.key", s_keys);
        zcert_t *server = zcert_load (path);
        assert_non_null (cert);
        assert_non_null (server);
        zcert_apply (cert, sub);
        zsock_set_curve_serverkey (sub, zcert_public_txt (server));
        zcert_destroy (&cert);
        zcert_destroy (&server);
    }
    if (zsock_type (sub) == ZMQ_SUB)
        zsock_set_subscribe (sub, "");
    return sub;
}

static void
test_curve_bus (void **state)
{
    (void) state;
    //  without keys: off loopback is refused on both sides, loopback is plain
    zsock_t *sock = zsock_new (ZMQ_SUB);
    errno = 0;
    assert_int_equal (hb_curve_client (sock, "tcp://10.77.0.1:7001"), -1);
    assert_int_equal (errno, EACCES);
    assert_int_equal (hb_curve_server (sock, "tcp://10.77.0.1:7001"), -1);
    assert_int_equal (hb_curve_client (sock, s_feed_ep), 0);
    assert_int_equal (zsock_mechanism (sock), ZMQ_NULL);
    zsock_destroy (&sock);

    hb_config_t *cfg = s_load ("bus", s_feed_ep, s_security ("feed.alpha, tap"));
    assert_non_null (cfg);
    assert_int_equal (hb_curve_start (cfg, "feed.alpha"), 0);
    assert_true (hb_curve_active ());
    hb_pub_t *pub = hb_pub_new (s_feed_ep, "feed.alpha", 0);
    assert_non_null (pub);
    assert_int_equal (zsock_mechanism (hb_pub_sock (pub)), ZMQ_CURVE);
    assert_int_equal (zsock_curve_server (hb_pub_sock (pub)), 1);
    //  serving another process's endpoint, or reaching one not in the config
    assert_null (hb_pub_new (s_risk_ep, "risk", 0));
    hb_sub_t *stray = hb_sub_new (0);
    assert_int_equal (hb_sub_connect (stray, "tcp://127.0.0.1:1"), -1);
    //  one socket reaches CURVE and plain endpoints alike
    assert_int_equal (hb_sub_connect (stray, s_risk_ep), 0);
    assert_int_equal (zsock_mechanism (hb_sub_sock (stray)), ZMQ_CURVE);
    assert_int_equal (hb_sub_connect (stray, "ipc:///tmp/hb-curve-test-none.ipc"), 0);
    assert_int_equal (zsock_mechanism (hb_sub_sock (stray)), ZMQ_NULL);
    hb_sub_destroy (&stray);

    //  an allowed client (this process's own certificate) gets the ticks
    hb_sub_t *sub = hb_sub_new (0);
    assert_int_equal (hb_sub_connect (sub, s_feed_ep), 0);
    assert_int_equal (hb_sub_subscribe (sub, "tick."), 0);
    assert_int_equal (hb_pub_wait_subscriber (pub, "tick.alpha.BTC-USD", WAIT_MS), 0);

    //  an unknown key: ZAP says no; a plain client: no mechanism in common
    zsock_t *intruder = s_raw_client ("intruder");
    zsock_t *intruder_monitor = s_monitor (intruder, "intruder");
    assert_int_equal (zsock_connect (intruder, "%s", s_feed_ep), 0);
    zsock_t *plain = s_raw_client (NULL);
    zsock_t *plain_monitor = s_monitor (plain, "plain");
    assert_int_equal (zsock_connect (plain, "%s", s_feed_ep), 0);
    uint32_t value = 0;
    assert_int_equal (s_event (intruder_monitor, &value), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    assert_int_equal (value, 400);
    assert_int_equal (s_event (plain_monitor, &value), ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL);

    //  an allowed raw client with the tap's key is let in
    zsock_t *tap = s_raw_client ("tap");
    zsock_t *tap_monitor = s_monitor (tap, "tap");
    assert_int_equal (zsock_connect (tap, "%s", s_feed_ep), 0);
    assert_int_equal (s_event (tap_monitor, &value), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    assert_int_equal (hb_pub_wait_prefix (pub, "", WAIT_MS), 0);     //  the tap's "" subscription
    zsock_set_rcvtimeo (tap, WAIT_MS);

    hb_msg_t msg, got;
    s_tick (&msg);
    assert_int_equal (hb_pub_send (pub, NULL, &msg), 0);
    char topic [HB_TOPIC_MAX];
    assert_int_equal (hb_sub_recv (sub, topic, sizeof topic, &got, NULL, WAIT_MS), 0);
    assert_string_equal (topic, "tick.alpha.BTC-USD");
    assert_string_equal (got.u.tick.symbol, "BTC-USD");
    zmsg_t *raw = zmsg_recv (tap);
    assert_non_null (raw);
    assert_int_equal (zmsg_size (raw), 2);
    zmsg_destroy (&raw);
    //  the refused ones have nothing, and never had
    assert_int_equal (zsock_events (intruder) & ZMQ_POLLIN, 0);
    assert_int_equal (zsock_events (plain) & ZMQ_POLLIN, 0);

    s_unmonitor (intruder, &intruder_monitor);
    s_unmonitor (plain, &plain_monitor);
    s_unmonitor (tap, &tap_monitor);
    zsock_destroy (&intruder);
    zsock_destroy (&plain);
    zsock_destroy (&tap);
    hb_sub_destroy (&sub);
    hb_pub_destroy (&pub);

    //  no ZAP handler: the domain is enforced, so even a good key is
    //  refused (the fill replay ROUTER, as hb-feed serves it)
    zsock_t *server = zsock_new (ZMQ_ROUTER);
    assert_int_equal (hb_curve_server (server, s_replay_ep), 0);
    hb_curve_stop ();
    assert_false (hb_curve_active ());
    zsock_t *server_monitor = s_monitor (server, "server");
    assert_int_not_equal (zsock_bind (server, "%s", s_replay_ep), -1);
    tap = s_raw_client ("dealer");
    assert_int_equal (zsock_connect (tap, "%s", s_replay_ep), 0);
    assert_int_equal (s_event (server_monitor, &value), ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
    s_unmonitor (server, &server_monitor);
    zsock_destroy (&tap);
    zsock_destroy (&server);
    hb_config_destroy (&cfg);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_keygen),
        cmocka_unit_test (test_config),
        cmocka_unit_test (test_checks),
        cmocka_unit_test (test_curve_bus),
    };
    return cmocka_run_group_tests_name ("hb_curve", tests, s_group_setup, s_group_teardown);
}
