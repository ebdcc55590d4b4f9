/*  hb_summary: the compact live view of the bus that `make run` shows
    (hb-tap --summary): one row per configured instrument (best bid/ask,
    spread, age of the last tick, tick count, venue status), one row per
    publisher (last seq, gaps, restarts, heartbeat age), and recent fills and
    rejects. Rows come from the config, so an instrument that never ticks is
    visible as such. hb-top (a full ncurses view) is a separate program.      */
#ifndef HB_SUMMARY_H
#define HB_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>
#include "hb_config.h"
#include "hb_msg.h"
#include "hb_seq.h"

typedef struct _hb_summary_t hb_summary_t;

//  cfg must outlive the summary. Returns NULL on allocation failure.
hb_summary_t *hb_summary_new (const hb_config_t *cfg);
void hb_summary_destroy (hb_summary_t **self_p);

//  Accounts one message received on topic with its sequence status.
void hb_summary_add (hb_summary_t *self, const char *topic, const hb_msg_t *msg,
                     hb_seq_status_t status, int64_t now_ns);

//  Accounts a malformed message.
void hb_summary_decode_error (hb_summary_t *self);

//  Writes the view. With tty, clears the screen first and draws everything;
//  without, writes a compact block meant for logs.
void hb_summary_render (hb_summary_t *self, FILE *out, bool tty, int64_t now_ns);

//  A heartbeat status as an operator reads it: "ok"; "KILLED" for the
//  hedger's latched kill switch; "OUTAGE" or "stale" for a feed's venue;
//  otherwise "degraded". A static string.
const char *hb_summary_status_name (const char *component, uint32_t status);

//  Instruments (of enabled venues) that have ticked at least once, and in all.
void hb_summary_coverage (hb_summary_t *self, int *ticked, int *total);

#endif
