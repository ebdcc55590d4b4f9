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

#include "hb_log.h"
#include "hb_testvenue.h"

extern const hb_venue_ops_t hb_venue_plugin;

static hb_testvenue_t s_env;

static int
s_setup (void **state)
{
    (void) state;
    if (hb_testvenue_setup (&s_env, "cbtls", "cbx", "coinbase"))
        return -1;
    return hb_testvenue_instrument (&s_env, "BTC-USD", HB_KIND_SPOT, 1, 0.01, 0.00000001) ? 0 : -1;
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
    bool trusted = ca_file != NULL;
    return hb_testvenue_run_wss (&s_env, s_server, &hb_venue_plugin, ca_file, NULL, s_outcome, &trusted);
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
    if (!hb_testvenue_have_python ())
        return 0;
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_bad_tls_params_refused, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_wss_through_ca_file, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("cb_plugin", tests, NULL, NULL);
}
