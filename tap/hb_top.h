/*  hb_top: the live terminal view of the bus (hb-top), drawn with ncurses.

    What it shows is the model of hb_summary (rows from the config, so a
    venue or asset that never ticks is on screen as such): venues and
    instruments (bid, ask, spread, age of the last tick, live / stale /
    silent / OUTAGE), index price, positions, delta and volatility per asset,
    margin per venue, VaR and stress VaR, each publisher's health (last seq,
    gaps, restarts, heartbeat age) and recent fills and rejects. hb_top adds
    panels of its own: each component's health from its heartbeat (age,
    uptime, messages in/out, gaps, drops, queue, latency p50/p99), the
    correlation matrix from risk.exposure, the last orders on order.*
    (hedger's and the console's) with their status and fills, the last
    hedge requests from risk.hedge, each decision's latency (hb_latency.h:
    input -> risk.hedge, risk.hedge -> order, input -> order, count, p50,
    p99, max since the start, from the inputs each decision names); and the screen: a title bar, colour for states that need a look (red for
    OUTAGE, CROSSED, BREACH, degraded; yellow for stale, silent, waiting),
    scrolling when the terminal is short, and keys (q quits; a filter,
    paging of a panel, the row budget: hb_top_keys).                        */
#ifndef HB_TOP_H
#define HB_TOP_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_msg.h"
#include "hb_summary.h"

typedef struct _hb_top_t hb_top_t;

//  Takes over the terminal on stdin/stdout. Returns NULL when there is no
//  usable terminal (not a tty, TERM unknown) or on allocation failure.
hb_top_t *hb_top_new (void);

//  Gives the terminal back. NULL-safe; nulls *self_p.
void hb_top_destroy (hb_top_t **self_p);

//  Accounts one message for hb_top's own panels (heartbeats, risk
//  exposure, hedge requests, the last orders sent with their acks and
//  fills; every message is remembered for the decision latencies). Never fails.
void hb_top_add (hb_top_t *self, const char *topic, const hb_msg_t *msg, int64_t now_ns);

//  Redraws the screen from summary at now_ns (wall clock).
void hb_top_draw (hb_top_t *self, hb_summary_t *summary, int64_t now_ns);

//  Handles the keys typed since the last call. Returns false when the user
//  asked to quit. Never blocks. The keys (the status line shows them):
//    q Q            quit
//    / TEXT Enter   filter summary's rows (hb_summary_set_filter); an empty
//                   TEXT shows every row; Esc drops what was typed
//    Tab, Shift-Tab select the next / previous panel; the screen jumps to it
//    n p            next / previous page of the selected panel
//    + -            10 rows more / fewer per panel; a: every row (again: back)
//    arrows, PgUp/PgDn, End   scroll the screen; Home: top, every panel's first page
bool hb_top_keys (hb_top_t *self, hb_summary_t *summary);

//  Whether a key came since the last call: the screen answers at once.
bool hb_top_pressed (hb_top_t *self);

#endif
