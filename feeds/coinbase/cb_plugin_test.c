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

#define S_VENUE "cbx"

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
    snprintf (v->name, HB_NAME_MAX, S_VENUE);
    snprintf (v->plugin, HB_NAME_MAX, "coinbase");
    v->enabled = true;
    v->cpu = -1;
    hb_instrument_cfg_t *ins = hb_venue_cfg_add_instrument (v);
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
    hb_config_destroy (&s_env.config);
    char cmd [128];
    snprintf (cmd, sizeof cmd, "rm -rf %s", s_env.dir);
    return system (cmd) == 0 ? 0 : -1;
}

static void
test_bad_tls_params_refused (void **state)
{
    (void) state;
    const char *failed = hb_testhost_check_tls_params (s_env.config, S_VENUE, &hb_venue_plugin,
                                                       s_env.dir, s_env.crt);
    if (failed)
        fail_msg ("%s", failed);
}

static hb_testserver_t *s_server;

//  arg: whether to wait for a subscription, else for a refusal
static bool
s_outcome (hb_testhost_t *host, void *arg)
{
    if (*(const bool *) arg)
        return hb_testserver_logged (s_server, "\"ws_recv\"") >= 1;
    return hb_testhost_logs (host, HB_LOG_INFO, "no connection: connect failed") >= 1;
}

//  One plugin against the wss:// server until it subscribed (trusted) or
//  its handshake failed; 0, or -1 after 10 s without that.
static int
s_connect (const char *ca_file)
{
    char url [128];
    snprintf (url, sizeof url, "wss://127.0.0.1:%d", hb_testserver_ws_port (s_server));
    hb_testhost_param (s_env.config, S_VENUE, "ws_url", url);
    snprintf (url, sizeof url, "https://127.0.0.1:%d", hb_testserver_http_port (s_server));
    hb_testhost_param (s_env.config, S_VENUE, "rest_url", url);
    hb_testhost_param (s_env.config, S_VENUE, "ca_file", ca_file);   //  NULL: the system's store
    bool trusted = ca_file != NULL;
    return hb_testhost_run_plugin (s_env.config, S_VENUE, &hb_venue_plugin, 10000, s_outcome, &trusted);
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
