/*  hb_testvenue: what every venue plugin's own test sets up around its
    plugin, once: a scratch directory with a throw-away certificate
    (hb_testserver_make_cert), a config of one enabled venue of the plugin
    (asset BTC) to which the test adds its instruments and params, the TLS
    params check (hb_testhost_check_tls_params), one run of the plugin
    against a local wss:// server (hb_testserver) with or without a
    ca_file, the python3 the local servers need, and a test's clean end
    (the plugin destroyed, no fd and no timer left). Test-only code.      */
#ifndef HB_TESTVENUE_H
#define HB_TESTVENUE_H

#include <stdbool.h>
#include "hb_config.h"
#include "hb_testhost.h"
#include "hb_testserver.h"

typedef struct {
    const hb_venue_ops_t *ops;          //  the plugin under test
    char            dir [64];           //  scratch directory (removed by teardown)
    char            crt [128], key [128];   //  the throw-away certificate and its key, in dir
    hb_config_t    *config;             //  owned
    hb_venue_cfg_t *venue;              //  config's only venue
} hb_testvenue_t;

//  Fills self for the plugin of ops: dir (named after prefix), the
//  certificate, a config of the enabled venue name of plugin. 0, or -1
//  when any of it fails.
int hb_testvenue_setup (hb_testvenue_t *self, const hb_venue_ops_t *ops, const char *prefix,
                        const char *name, const char *plugin);

//  Frees the config and removes the directory: 0, or -1 when rm failed.
int hb_testvenue_teardown (hb_testvenue_t *self);

//  cmocka forms, for a test whose state (cmocka's prestate) is the
//  hb_testvenue_t: the teardown, and the whole TLS params test (fails with
//  what hb_testvenue_check_tls says).
int hb_testvenue_teardown_state (void **state);
void hb_testvenue_test_tls (void **state);

//  Adds an asset to the config (after BTC); its index.
int hb_testvenue_asset (hb_testvenue_t *self, const char *name);

//  Adds an instrument of asset 0 to the venue: the instrument, for the
//  test to set more of (min_qty, asset ...).
hb_instrument_cfg_t *hb_testvenue_instrument (hb_testvenue_t *self, const char *symbol, hb_kind_t kind,
                                              double multiplier, double tick, double lot);

//  hb_testhost_check_tls_params on the venue: NULL when it held, else
//  which part did not.
const char *hb_testvenue_check_tls (hb_testvenue_t *self, const hb_venue_ops_t *ops);

//  Points the venue at server (ws_url wss://127.0.0.1:<ws port>, rest_url
//  https://127.0.0.1:<http port>, and each param of ws_paths, pairs of
//  key and path ending in NULL, at wss://..<path>), sets ca_file (NULL:
//  none, the system's store) and runs a plugin until until (host, arg) or
//  10 s: hb_testhost_run_plugin's result.
int hb_testvenue_run_wss (hb_testvenue_t *self, hb_testserver_t *server, const hb_venue_ops_t *ops,
                          const char *ca_file, const char *const *ws_paths,
                          hb_testhost_until_fn *until, void *arg);

//  What an until of hb_testvenue_wss_through_ca_file gets as its arg.
typedef struct {
    bool             trusted;           //  ca_file names the certificate: wait for the
                                        //  plugin's subscription, else for its refusal
    hb_testserver_t *server;
} hb_testvenue_wss_t;

//  The wss:// test of a plugin on hb_ws: a local server with the
//  throw-away certificate, holding every WebSocket; without ca_file (the
//  system's store) until (host, {false, server}) holds (the plugin logged
//  its refused handshakes) and the server never saw a WebSocket; with
//  ca_file naming the certificate until (host, {true, server}) holds (the
//  plugin subscribed) after exactly connects WebSockets. ws_paths as for
//  hb_testvenue_run_wss. NULL when all of that held, else which part did
//  not.
const char *hb_testvenue_wss_through_ca_file (hb_testvenue_t *self, const hb_venue_ops_t *ops,
                                              const char *const *ws_paths, int connects,
                                              hb_testhost_until_fn *until);

//  Sets params of the venue: pairs of key and value ending in NULL.
void hb_testvenue_params (hb_testvenue_t *self, const char *const *pairs);

//  Destroys *plugin (ops->destroy): true when it left no fd and no timer
//  on host.
bool hb_testvenue_destroyed_clean (hb_testhost_t *host, const hb_venue_ops_t *ops, void **plugin);

//  True when /usr/bin/python3 (the local servers') is there; else prints
//  "skip: /usr/bin/python3 missing" for the test to skip.
bool hb_testvenue_have_python (void);

#endif
