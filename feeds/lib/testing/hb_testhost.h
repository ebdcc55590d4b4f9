/*  hb_testhost: a real reactor behind hb_host_api_t, for testing venue
    plugins and the venue library in one process without hb-feed or a bus.

    Timers and fds run on a czmq zloop, as in hb-feed, so a plugin talks
    to a real (local) server exactly as it would in production. Every
    published message is recorded (copied) for the test to inspect; the
    status the plugin sets is recorded with a history of how many times it
    was set to each value. Logging goes to stderr when HB_TEST_VERBOSE is
    set, and is counted per level either way.

    Tests only: nothing here is fast or bounded (the record grows).      */
#ifndef HB_TESTHOST_H
#define HB_TESTHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_plugin.h"

typedef struct hb_testhost_s hb_testhost_t;

//  A host for venue (its section of config, which must outlive the host).
//  NULL when the venue is not in config.
hb_testhost_t *hb_testhost_new (const hb_config_t *config, const char *venue);
void hb_testhost_destroy (hb_testhost_t **self_p);

//  The API struct to give to a plugin's create (valid for the host's life).
const hb_host_api_t *hb_testhost_api (hb_testhost_t *self);

//  Runs the reactor until until (arg) returns true (checked after every
//  reactor event and every 10 ms) or timeout_ms passes. 0 when until
//  became true, -1 on timeout or when a callback returned -1.
int hb_testhost_run (hb_testhost_t *self, int timeout_ms, bool (*until) (void *arg), void *arg);

//  Recorded messages, in publish order.
size_t hb_testhost_count (const hb_testhost_t *self);
const hb_msg_t *hb_testhost_msg (const hb_testhost_t *self, size_t i);
//  Messages of one type (HB_MSG_*) published so far.
size_t hb_testhost_count_type (const hb_testhost_t *self, int type);
//  The last message of type (for a tick, trade or instrument: of symbol, NULL: any).
const hb_msg_t *hb_testhost_last (const hb_testhost_t *self, int type, const char *symbol);

//  Current status and how many times set_status set it to value.
uint32_t hb_testhost_status (const hb_testhost_t *self);
size_t hb_testhost_status_count (const hb_testhost_t *self, uint32_t value);

//  Log lines at level (HB_LOG_*) and the number containing text (NULL: all).
size_t hb_testhost_logs (const hb_testhost_t *self, int level, const char *text);

//  The fds and timers the plugin holds now (a clean destroy leaves 0).
size_t hb_testhost_fds (const hb_testhost_t *self);
size_t hb_testhost_timers (const hb_testhost_t *self);

//  Sets param key of venue in config to value, adding it when missing;
//  value NULL removes it. For a test that varies a config between
//  creates (a host sees its config as it stands). -1 when the venue is
//  not in config or its params are full.
int hb_testhost_param (hb_config_t *config, const char *venue, const char *key, const char *value);

//  Creates a plugin with ops on this host and destroys it at once: true
//  when create accepted the config as it stands.
bool hb_testhost_creates (hb_testhost_t *self, const hb_venue_ops_t *ops);

//  Whether a run of hb_testhost_run_plugin is over (checked as until is
//  by hb_testhost_run).
typedef bool (hb_testhost_until_fn) (hb_testhost_t *host, void *arg);

//  On a fresh host for venue: creates and starts a plugin with ops, runs
//  until until (host, arg) or timeout_ms, destroys the plugin and the
//  host. 0 when until became true and the plugin left no fds behind; -1
//  when the host or the plugin cannot be made or started, on timeout, or
//  when fds were left (stderr says which).
int hb_testhost_run_plugin (const hb_config_t *config, const char *venue, const hb_venue_ops_t *ops,
                            int timeout_ms, hb_testhost_until_fn *until, void *arg);

//  The TLS params every venue plugin on hb_ws/hb_rest takes (ca_file,
//  insecure) are checked at create, on a host for venue whose ws_url is
//  set to an unused wss:// port: a ca_file that does not exist, or that
//  holds no certificate, or an insecure that is not true or false, is
//  refused with one error naming the param (and the missing file); the
//  config fixed (ca_file crt, insecure false) is accepted without an
//  error and leaves no fds. dir is a writable directory for the files it
//  makes. NULL when all of that held, else which part did not. Leaves
//  ws_url, ca_file and insecure set in config.
const char *hb_testhost_check_tls_params (hb_config_t *config, const char *venue,
                                          const hb_venue_ops_t *ops, const char *dir, const char *crt);

#endif
