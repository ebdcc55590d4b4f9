/*  hb_testvenue: see hb_testvenue.h.                                     */
#include "hb_testvenue.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
hb_testvenue_setup (hb_testvenue_t *self, const hb_venue_ops_t *ops, const char *prefix,
                    const char *name, const char *plugin)
{
    memset (self, 0, sizeof *self);
    self->ops = ops;
    snprintf (self->dir, sizeof self->dir, "/tmp/hb-%s.XXXXXX", prefix);
    if (!mkdtemp (self->dir) || hb_testserver_make_cert (self->dir, "venue"))
        return -1;
    snprintf (self->crt, sizeof self->crt, "%s/venue.crt", self->dir);
    snprintf (self->key, sizeof self->key, "%s/venue.key", self->dir);
    hb_config_t *config = self->config = (hb_config_t *) calloc (1, sizeof *config);
    if (!config)
        return -1;
    config->n_assets = 1;
    snprintf (config->assets [0].name, HB_NAME_MAX, "BTC");
    config->n_venues = 1;
    hb_venue_cfg_t *v = self->venue = &config->venues [0];
    snprintf (v->name, HB_NAME_MAX, "%s", name);
    snprintf (v->plugin, HB_NAME_MAX, "%s", plugin);
    v->enabled = true;
    v->cpu = -1;
    return 0;
}

int
hb_testvenue_teardown (hb_testvenue_t *self)
{
    hb_config_destroy (&self->config);
    self->venue = NULL;
    if (!self->dir [0])
        return 0;
    char cmd [128];
    snprintf (cmd, sizeof cmd, "rm -rf %s", self->dir);
    return system (cmd) == 0 ? 0 : -1;
}

int
hb_testvenue_teardown_state (void **state)
{
    return hb_testvenue_teardown ((hb_testvenue_t *) *state);
}

void
hb_testvenue_test_tls (void **state)
{
    hb_testvenue_t *self = (hb_testvenue_t *) *state;
    const char *failed = hb_testvenue_check_tls (self, self->ops);
    if (failed)
        fail_msg ("%s", failed);
}

int
hb_testvenue_asset (hb_testvenue_t *self, const char *name)
{
    int a = self->config->n_assets++;
    snprintf (self->config->assets [a].name, HB_NAME_MAX, "%s", name);
    return a;
}

hb_instrument_cfg_t *
hb_testvenue_instrument (hb_testvenue_t *self, const char *symbol, hb_kind_t kind, double multiplier,
                         double tick, double lot)
{
    hb_instrument_cfg_t *ins = hb_venue_cfg_add_instrument (self->venue);
    if (!ins)
        return NULL;
    snprintf (ins->symbol, HB_NAME_MAX, "%s", symbol);
    ins->kind = kind;
    ins->multiplier = multiplier;
    ins->tick_size = tick;
    ins->lot_size = lot;
    return ins;
}

const char *
hb_testvenue_check_tls (hb_testvenue_t *self, const hb_venue_ops_t *ops)
{
    return hb_testhost_check_tls_params (self->config, self->venue->name, ops, self->dir, self->crt);
}

int
hb_testvenue_run_wss (hb_testvenue_t *self, hb_testserver_t *server, const hb_venue_ops_t *ops,
                      const char *ca_file, const char *const *ws_paths,
                      hb_testhost_until_fn *until, void *arg)
{
    const char *venue = self->venue->name;
    char url [128];
    snprintf (url, sizeof url, "wss://127.0.0.1:%d", hb_testserver_ws_port (server));
    hb_testhost_param (self->config, venue, "ws_url", url);
    snprintf (url, sizeof url, "https://127.0.0.1:%d", hb_testserver_http_port (server));
    hb_testhost_param (self->config, venue, "rest_url", url);
    for (int i = 0; ws_paths && ws_paths [i] && ws_paths [i + 1]; i += 2) {
        snprintf (url, sizeof url, "wss://127.0.0.1:%d%s", hb_testserver_ws_port (server), ws_paths [i + 1]);
        hb_testhost_param (self->config, venue, ws_paths [i], url);
    }
    hb_testhost_param (self->config, venue, "ca_file", ca_file);
    return hb_testhost_run_plugin (self->config, venue, ops, 10000, until, arg);
}

const char *
hb_testvenue_wss_through_ca_file (hb_testvenue_t *self, const hb_venue_ops_t *ops,
                                  const char *const *ws_paths, int connects,
                                  hb_testhost_until_fn *until)
{
    hb_testvenue_wss_t wss = { false, NULL };
    wss.server = hb_testserver_new ("{\"ws\": [[{\"hold\": true}], [{\"hold\": true}]]}", self->crt, self->key);
    if (!wss.server)
        return "the local wss:// server did not start";
    const char *failed = NULL;
    if (hb_testvenue_run_wss (self, wss.server, ops, NULL, ws_paths, until, &wss))
        failed = "without ca_file: the handshake was not refused";
    else
    if (hb_testserver_logged (wss.server, "\"ws_connect\"") != 0)
        failed = "without ca_file: the server saw a WebSocket";
    wss.trusted = true;
    if (!failed && hb_testvenue_run_wss (self, wss.server, ops, self->crt, ws_paths, until, &wss))
        failed = "with ca_file: the plugin did not subscribe";
    else
    if (!failed && hb_testserver_logged (wss.server, "\"ws_connect\"") != (size_t) connects)
        failed = "with ca_file: not the WebSockets expected";
    hb_testserver_destroy (&wss.server);
    return failed;
}

void
hb_testvenue_params (hb_testvenue_t *self, const char *const *pairs)
{
    for (int i = 0; pairs [i] && pairs [i + 1]; i += 2)
        hb_testhost_param (self->config, self->venue->name, pairs [i], pairs [i + 1]);
}

bool
hb_testvenue_destroyed_clean (hb_testhost_t *host, const hb_venue_ops_t *ops, void **plugin)
{
    ops->destroy (plugin);
    return hb_testhost_fds (host) == 0 && hb_testhost_timers (host) == 0;
}

bool
hb_testvenue_have_python (void)
{
    if (access ("/usr/bin/python3", X_OK) == 0)
        return true;
    printf ("skip: /usr/bin/python3 missing\n");
    return false;
}
