/*  coinbase plugin: the TLS params (ca_file, insecure) reach hb_ws and
    hb_rest, and bad ones refuse the venue at create.

    - a ca_file that does not exist, or an insecure that is not true or
      false, refuses the venue with an error naming the param; the same
      config with the param fixed is accepted (so the refusal is the
      param's);
    - a file that exists but holds no certificate is refused by hb_ws (it
      is loaded at create);
    - against a local wss:// server with a throw-away certificate: with
      ca_file naming it the plugin connects; without (the system's store)
      the handshake is refused and the server never sees a WebSocket.  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_log.h"
#include "hb_testhost.h"
#include "hb_testserver.h"

extern const hb_venue_ops_t hb_venue_plugin;

typedef struct {
    char         dir [64];
    char         crt [128], key [128];
    hb_config_t *config;
} s_env_t;

static s_env_t s_env;

static void
s_param (const char *key, const char *value)
{
    hb_venue_cfg_t *v = &s_env.config->venues [0];
    for (int i = 0; i < v->n_params; i++)
        if (strcmp (v->params [i].key, key) == 0) {
            snprintf (v->params [i].value, sizeof v->params [i].value, "%s", value);
            return;
        }
    hb_param_t *p = &v->params [v->n_params++];
    snprintf (p->key, sizeof p->key, "%s", key);
    snprintf (p->value, sizeof p->value, "%s", value);
}

static void
s_unparam (const char *key)
{
    hb_venue_cfg_t *v = &s_env.config->venues [0];
    for (int i = 0; i < v->n_params; i++)
        if (strcmp (v->params [i].key, key) == 0) {
            v->params [i] = v->params [--v->n_params];
            return;
        }
}

static int
s_setup (void **state)
{
    (void) state;
    memset (&s_env, 0, sizeof s_env);
    snprintf (s_env.dir, sizeof s_env.dir, "/tmp/hb-cbtls.XXXXXX");
    if (!mkdtemp (s_env.dir) || hb_testserver_make_cert (s_env.dir, "venue"))
        return -1;
    snprintf (s_env.crt, sizeof s_env.crt, "%s/venue.crt", s_env.dir);
    snprintf (s_env.key, sizeof s_env.key, "%s/venue.key", s_env.dir);
    hb_config_t *config = s_env.config = (hb_config_t *) calloc (1, sizeof *config);
    config->n_assets = 1;
    snprintf (config->assets [0].name, HB_NAME_MAX, "BTC");
    config->n_venues = 1;
    hb_venue_cfg_t *v = &config->venues [0];
    snprintf (v->name, HB_NAME_MAX, "cbx");
    snprintf (v->plugin, HB_NAME_MAX, "coinbase");
    v->enabled = true;
    v->cpu = -1;
    hb_instrument_cfg_t *ins = &v->instruments [v->n_instruments++];
    snprintf (ins->symbol, HB_NAME_MAX, "BTC-USD");
    ins->kind = HB_KIND_SPOT;
    ins->multiplier = 1;
    ins->tick_size = 0.01;
    ins->lot_size = 0.00000001;
    return 0;
}

static int
s_teardown (void **state)
{
    (void) state;
    free (s_env.config);
    char cmd [128];
    snprintf (cmd, sizeof cmd, "rm -rf %s", s_env.dir);
    return system (cmd) == 0 ? 0 : -1;
}

//  create with the config as it stands: NULL or the plugin (destroyed)
static bool
s_creates (hb_testhost_t *host)
{
    void *plugin = hb_venue_plugin.create (hb_testhost_api (host));
    bool made = plugin != NULL;
    hb_venue_plugin.destroy (&plugin);
    return made;
}

static void
test_bad_tls_params_refused (void **state)
{
    (void) state;
    s_param ("ws_url", "wss://127.0.0.1:1");
    hb_testhost_t *host = hb_testhost_new (s_env.config, "cbx");
    assert_non_null (host);
    char missing [160];
    snprintf (missing, sizeof missing, "%s/missing.crt", s_env.dir);
    s_param ("ca_file", missing);
    assert_false (s_creates (host));
    assert_int_equal (hb_testhost_logs (host, HB_LOG_ERROR, "params.ca_file"), 1);
    assert_int_equal (hb_testhost_logs (host, HB_LOG_ERROR, missing), 1);

    //  exists but is no certificate: hb_ws loads it at create and refuses
    char junk [160];
    snprintf (junk, sizeof junk, "%s/junk.crt", s_env.dir);
    FILE *f = fopen (junk, "w");
    assert_non_null (f);
    fputs ("not a certificate\n", f);
    fclose (f);
    s_param ("ca_file", junk);
    assert_false (s_creates (host));

    s_param ("ca_file", s_env.crt);
    s_param ("insecure", "yes");
    assert_false (s_creates (host));
    assert_int_equal (hb_testhost_logs (host, HB_LOG_ERROR, "params.insecure: 'yes'"), 1);

    //  fixed: accepted
    s_param ("insecure", "false");
    size_t errors = hb_testhost_logs (host, HB_LOG_ERROR, NULL);
    assert_true (s_creates (host));
    assert_int_equal (hb_testhost_logs (host, HB_LOG_ERROR, NULL), errors);
    assert_int_equal (hb_testhost_fds (host), 0);
    hb_testhost_destroy (&host);
}

static hb_testserver_t *s_server;

typedef struct {
    hb_testhost_t *host;
    bool           trusted;         //  wait for a subscription, else a refusal
} s_wait_t;

static bool
s_outcome (void *arg)
{
    s_wait_t *wait = (s_wait_t *) arg;
    if (wait->trusted)
        return hb_testserver_logged (s_server, "\"ws_recv\"") >= 1;
    return hb_testhost_logs (wait->host, HB_LOG_INFO, "no connection: connect failed") >= 1;
}

//  One plugin against the wss:// server until it subscribed (trusted) or
//  its handshake failed; 0, or -1 after 10 s without that.
static int
s_connect (const char *ca_file)
{
    char url [128];
    snprintf (url, sizeof url, "wss://127.0.0.1:%d", hb_testserver_ws_port (s_server));
    s_param ("ws_url", url);
    snprintf (url, sizeof url, "https://127.0.0.1:%d", hb_testserver_http_port (s_server));
    s_param ("rest_url", url);
    if (ca_file)
        s_param ("ca_file", ca_file);
    else
        s_unparam ("ca_file");
    s_wait_t wait = { hb_testhost_new (s_env.config, "cbx"), ca_file != NULL };
    void *plugin = hb_venue_plugin.create (hb_testhost_api (wait.host));
    assert_non_null (plugin);
    assert_int_equal (hb_venue_plugin.start (plugin), 0);
    int rc = hb_testhost_run (wait.host, 10000, s_outcome, &wait);
    hb_venue_plugin.destroy (&plugin);
    assert_int_equal (hb_testhost_fds (wait.host), 0);
    hb_testhost_destroy (&wait.host);
    return rc;
}

static void
test_wss_through_ca_file (void **state)
{
    (void) state;
    s_server = hb_testserver_new ("{\"ws\": [[{\"hold\": true}], [{\"hold\": true}]]}", s_env.crt, s_env.key);
    assert_non_null (s_server);
    //  the system's store does not know the throw-away certificate
    assert_int_equal (s_connect (NULL), 0);
    assert_int_equal (hb_testserver_logged (s_server, "\"ws_connect\""), 0);
    //  ca_file names it: the handshake succeeds, the plugin subscribes
    assert_int_equal (s_connect (s_env.crt), 0);
    assert_int_equal (hb_testserver_logged (s_server, "\"ws_connect\""), 1);
    assert_true (hb_testserver_logged (s_server, "level2") >= 1);
    hb_testserver_destroy (&s_server);
}

int
main (void)
{
    if (access ("/usr/bin/python3", X_OK) != 0) {
        printf ("skip: /usr/bin/python3 missing\n");
        return 0;
    }
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_bad_tls_params_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_wss_through_ca_file, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("cb_plugin", tests, NULL, NULL);
}
