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
    if (hb_testvenue_setup (&s_env, &hb_venue_plugin, "okxtls", S_VENUE, "okx")
    ||  !hb_testvenue_instrument (&s_env, "BTC-USDT", HB_KIND_SPOT, 1, 0.01, 0.00000001))
        return -1;
    //  with keys: the private WebSocket too (the values are never checked here)
    setenv ("HB_TEST_OKX_KEY", "k", 1);
    setenv ("HB_TEST_OKX_SECRET", "s", 1);
    setenv ("HB_TEST_OKX_PASS", "p", 1);
    static const char *const keys [] = { "api_key_env", "HB_TEST_OKX_KEY", "api_secret_env", "HB_TEST_OKX_SECRET",
                                         "api_passphrase_env", "HB_TEST_OKX_PASS", NULL };
    hb_testvenue_params (&s_env, keys);
    return 0;
}

//  arg (hb_testvenue_wss_t): with ca_file, wait for the subscription and
//  the login (two messages received could both be public subscriptions),
//  else for both refusals
static bool
s_outcome (hb_testhost_t *host, void *arg)
{
    const hb_testvenue_wss_t *wss = (const hb_testvenue_wss_t *) arg;
    if (wss->trusted)
        return hb_testserver_logged (wss->server, "books") >= 1
            && hb_testserver_logged (wss->server, "login") >= 1;
    return hb_testhost_logs (host, HB_LOG_INFO, "okx.public: no connection: connect failed") >= 1
        && hb_testhost_logs (host, HB_LOG_INFO, "okx.private: no connection: connect failed") >= 1;
}

//  the system's store does not know the throw-away certificate; ca_file
//  names it: both handshakes succeed (two WebSockets), the plugin
//  subscribes on the public one and logs in on the private one
static void
test_wss_through_ca_file (void **state)
{
    (void) state;
    static const char *const ws_paths [] = { "ws_private_url", "/private", NULL };
    const char *failed = hb_testvenue_wss_through_ca_file (&s_env, &hb_venue_plugin, ws_paths, 2, s_outcome);
    if (failed)
        fail_msg ("%s", failed);
}

int
main (void)
{
    if (!hb_testvenue_have_python ())
        return 0;
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_prestate_setup_teardown (hb_testvenue_test_tls, s_setup, hb_testvenue_teardown_state, &s_env),
        cmocka_unit_test_prestate_setup_teardown (test_wss_through_ca_file, s_setup, hb_testvenue_teardown_state, &s_env),
    };
    return cmocka_run_group_tests_name ("okx_plugin", tests, NULL, NULL);
}
