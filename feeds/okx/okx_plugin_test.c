/*  okx plugin: the TLS params (ca_file, insecure) reach both hb_ws
    clients (public and private) and hb_rest, and bad ones refuse the
    venue at create.

    - a ca_file that does not exist, or an insecure that is not true or
      false, refuses the venue with an error naming the param; the same
      config with the param fixed is accepted (so the refusal is the
      param's);
    - a file that exists but holds no certificate is refused by hb_ws (it
      is loaded at create);
    - against a local wss:// server with a throw-away certificate: with
      ca_file naming it both WebSockets connect (subscribe, log in);
      without (the system's store) both handshakes are refused and the
      server never sees a WebSocket.                                     */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>

#include "hb_log.h"
#include "hb_testvenue.h"

extern const hb_venue_ops_t hb_venue_plugin;

static hb_testvenue_t s_env;

#define S_VENUE "okx1"

static int
s_setup (void **state)
{
    (void) state;
    if (hb_testvenue_setup (&s_env, "okxtls", S_VENUE, "okx")
    ||  !hb_testvenue_instrument (&s_env, "BTC-USDT", HB_KIND_SPOT, 1, 0.01, 0.00000001))
        return -1;
    //  with keys: the private WebSocket too (the values are never checked here)
    setenv ("HB_TEST_OKX_KEY", "k", 1);
    setenv ("HB_TEST_OKX_SECRET", "s", 1);
    setenv ("HB_TEST_OKX_PASS", "p", 1);
    hb_testhost_param (s_env.config, S_VENUE, "api_key_env", "HB_TEST_OKX_KEY");
    hb_testhost_param (s_env.config, S_VENUE, "api_secret_env", "HB_TEST_OKX_SECRET");
    hb_testhost_param (s_env.config, S_VENUE, "api_passphrase_env", "HB_TEST_OKX_PASS");
    return 0;
}

static int
s_teardown (void **state)
{
    (void) state;
    return hb_testvenue_teardown (&s_env);
}

static void
test_bad_tls_params_refused (void **state)
{
    (void) state;
    const char *failed = hb_testvenue_check_tls (&s_env, &hb_venue_plugin);
    if (failed)
        fail_msg ("%s", failed);
}

static hb_testserver_t *s_server;

//  arg: whether to wait for the subscription and the login (what the test
//  asserts: two messages received could both be public subscriptions),
//  else for a refusal
static bool
s_outcome (hb_testhost_t *host, void *arg)
{
    if (*(const bool *) arg)
        return hb_testserver_logged (s_server, "books") >= 1
            && hb_testserver_logged (s_server, "login") >= 1;
    return hb_testhost_logs (host, HB_LOG_INFO, "okx.public: no connection: connect failed") >= 1
        && hb_testhost_logs (host, HB_LOG_INFO, "okx.private: no connection: connect failed") >= 1;
}

//  One plugin against the wss:// server until it subscribed (trusted) or
//  its handshake failed; 0, or -1 after 10 s without that.
static int
s_connect (const char *ca_file)
{
    static const char *const ws_paths [] = { "ws_private_url", "/private", NULL };
    bool trusted = ca_file != NULL;
    return hb_testvenue_run_wss (&s_env, s_server, &hb_venue_plugin, ca_file, ws_paths, s_outcome, &trusted);
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
    //  ca_file names it: both handshakes succeed, the plugin subscribes
    //  on the public one and logs in on the private one
    assert_int_equal (s_connect (s_env.crt), 0);
    assert_int_equal (hb_testserver_logged (s_server, "\"ws_connect\""), 2);
    assert_true (hb_testserver_logged (s_server, "books") >= 1);
    assert_true (hb_testserver_logged (s_server, "login") >= 1);
    hb_testserver_destroy (&s_server);
}

int
main (void)
{
    if (!hb_testvenue_have_python ())
        return 0;
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_bad_tls_params_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_wss_through_ca_file, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("okx_plugin", tests, NULL, NULL);
}
