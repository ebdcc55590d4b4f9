/*  hb_tap: the bus as JSON lines.

    A subscriber connected to publishers of the config, printing every
    message it receives as one JSON object per line (hb_msg_to_json: every
    envelope and body field named), and what the sequence check sees as
    event lines of their own, each printed once, before the message that
    revealed it:

        {"event":"gap","publisher":"feed.alpha","topic":"tick.alpha.BTC-USD","missed":3}
        {"event":"restart","publisher":"feed.alpha","epoch":1790000000123456789,"previous_epoch":...}
        {"event":"stale","publisher":"feed.alpha","topic":"...","seq":41}
        {"event":"decode_error","total":1}

    A restart is reported once per publisher and new epoch, though the
    sequence check sees it once on every topic of that publisher. Lines are
    flushed as they are written, so a pipe reader sees them at once.         */
#ifndef HB_TAP_H
#define HB_TAP_H

#include <stdint.h>
#include <stdio.h>
#include "hb_config.h"
#include "hb_msg.h"
#include "hb_sub.h"

typedef struct _hb_tap_t hb_tap_t;

typedef struct {
    uint64_t messages;          //  message lines written
    uint64_t gaps;              //  gap events
    uint64_t missed;            //  messages lost in them
    uint64_t restarts;          //  restart events (per publisher and epoch)
    uint64_t stale;             //  stale messages (not printed)
    uint64_t decode_errors;
} hb_tap_stats_t;

//  A tap writing to out (config and out must outlive it). Returns NULL on
//  failure.
hb_tap_t *hb_tap_new (const hb_config_t *config, FILE *out);
void hb_tap_destroy (hb_tap_t **self_p);

//  Subscribes to a topic prefix ("" for everything). 0 or -1.
int hb_tap_subscribe (hb_tap_t *self, const char *prefix);

//  Connects to every publisher in the config: each enabled venue's
//  endpoint and each component endpoint. Returns the number of endpoints,
//  or -1 (logged) when one cannot be connected.
int hb_tap_connect_all (hb_tap_t *self);

//  Waits up to timeout_ms (-1: forever) for one message and writes its
//  line(s). Returns 1 when a message line was written, 0 when none was
//  (timeout, a stale or malformed message: event lines may have been
//  written), -1 when interrupted (EINTR) or the context is gone.
int hb_tap_poll (hb_tap_t *self, int timeout_ms);

//  When set (default NULL), each received message is also handed to fn
//  (e.g. the summary view) instead of being printed.
typedef void (hb_tap_fn) (void *arg, const char *topic, const hb_msg_t *msg,
                          hb_seq_status_t status);
void hb_tap_set_handler (hb_tap_t *self, hb_tap_fn *fn, void *arg);

void hb_tap_stats (hb_tap_t *self, hb_tap_stats_t *stats);

#endif
