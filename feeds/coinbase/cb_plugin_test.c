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
    if (hb_testvenue_setup (&s_env, &hb_venue_plugin, "cbtls", "cbx", "coinbase"))
        return -1;
    return hb_testvenue_instrument (&s_env, "BTC-USD", HB_KIND_SPOT, 1, 0.01, 0.00000001) ? 0 : -1;
}

//  arg (hb_testvenue_wss_t): with ca_file, wait for a subscription, else
//  for the refusal
static bool
s_outcome (hb_testhost_t *host, void *arg)
{
    const hb_testvenue_wss_t *wss = (const hb_testvenue_wss_t *) arg;
    if (wss->trusted)
        return hb_testserver_logged (wss->server, "level2") >= 1;
    return hb_testhost_logs (host, HB_LOG_INFO, "no connection: connect failed") >= 1;
}

//  the system's store does not know the throw-away certificate; ca_file
//  names it: the handshake succeeds (one WebSocket), the plugin subscribes
static void
test_wss_through_ca_file (void **state)
{
    (void) state;
    const char *failed = hb_testvenue_wss_through_ca_file (&s_env, &hb_venue_plugin, NULL, 1, s_outcome);
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
    return cmocka_run_group_tests_name ("cb_plugin", tests, NULL, NULL);
}
