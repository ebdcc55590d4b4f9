/*  hb_summary: the compact live view of the bus that `make run` shows
    (hb-tap --summary): one row per configured instrument (best bid/ask,
    spread, age of the last tick, tick count, venue status), one row per
    publisher (last seq, gaps, restarts, heartbeat age), and recent fills and
    rejects. Rows come from the config, so an instrument that never ticks is
    visible as such. hb-top (a full ncurses view) is a separate program.

    Sized for a desk's universe (hundreds of assets, thousands of
    instruments): each panel lists its rows most urgent first (see
    hb_summary_panel_t), shows at most a row budget of them from a first
    row (a page) and says what it left out ("... N more (A-B of M ...)");
    a filter keeps only the rows that name some text.                      */
#ifndef HB_SUMMARY_H
#define HB_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>
#include "hb_config.h"
#include "hb_msg.h"
#include "hb_seq.h"

typedef struct _hb_summary_t hb_summary_t;

//  The panels that page, each in its own order, most urgent first:
//  INSTRUMENTS: CROSSED, OUTAGE, stale, silent, waiting (never ticked),
//               the first four oldest tick first; then live rows in config
//               order (a live row's age changes every tick: sorting on it
//               would shuffle a calm screen).
//  ASSETS:      |residual| beyond the risk band, stale mark, then the
//               others; each by |residual| USD, largest first (then by
//               |net position| USD: before hb-risk has said anything).
//  VENUES:      margin BREACH, then utilization (highest first), then the
//               closest liquidation.
//  PLANS:       short and not covered, short, surviving; most short first.
//  REGIMES:     SHIFTED, shifting, stable (with an alarm behind it); by the
//               statistic, largest first.
//  PUBLISHERS:  status not ok, no heartbeat for 5 s, the others; each in
//               the order first heard.
typedef enum {
    HB_SUMMARY_INSTRUMENTS, HB_SUMMARY_ASSETS, HB_SUMMARY_VENUES, HB_SUMMARY_PLANS,
    HB_SUMMARY_REGIMES, HB_SUMMARY_PUBLISHERS, HB_SUMMARY_PANELS
} hb_summary_panel_t;

#define HB_SUMMARY_ROWS     40      //  default row budget per panel

//  cfg must outlive the summary. Returns NULL on allocation failure.
hb_summary_t *hb_summary_new (const hb_config_t *cfg);
void hb_summary_destroy (hb_summary_t **self_p);

//  Accounts one message received on topic with its sequence status.
void hb_summary_add (hb_summary_t *self, const char *topic, const hb_msg_t *msg,
                     hb_seq_status_t status, int64_t now_ns);

//  Accounts a malformed message.
void hb_summary_decode_error (hb_summary_t *self);

//  Asks the feed of every venue with a discover: section for the
//  instruments it keeps (hb_universe_fetch, timeout_ms each), after the
//  caller subscribed to instrument.: what was listed before this view
//  started. Returns how many venues answered.
int hb_summary_fetch_instruments (hb_summary_t *self, int timeout_ms);

//  Discovered instruments known now (instrument.<venue>), all venues or
//  venue's
size_t hb_summary_discovered (hb_summary_t *self, const char *venue);

//  Writes the view. With tty, clears the screen first and draws everything;
//  without, writes a compact block meant for logs.
void hb_summary_render (hb_summary_t *self, FILE *out, bool tty, int64_t now_ns);

//  Keeps only the rows that match filter, case-insensitively: a glob when
//  it has * ? or [ (fnmatch), else a substring. Instruments match on
//  venue, symbol, asset or "venue/symbol"; assets on the asset; venues and
//  plans on the venue; regimes on either asset or "A:B"; publishers on the
//  name. NULL or "" shows every row. Copied; longer than 63 bytes is cut.
void hb_summary_set_filter (hb_summary_t *self, const char *filter);

//  The filter in use ("" for none).
const char *hb_summary_filter (hb_summary_t *self);

//  Shows at most rows rows of each panel (0: all). Default HB_SUMMARY_ROWS.
void hb_summary_set_rows (hb_summary_t *self, int rows);
int hb_summary_rows (hb_summary_t *self);

//  Moves the panel's first row shown by rows (a page is hb_summary_rows);
//  the next rendering clamps it to the rows there are. HB_SUMMARY_PANELS
//  moves every panel.
void hb_summary_scroll (hb_summary_t *self, hb_summary_panel_t panel, int rows);

//  Shows every panel from its first row again.
void hb_summary_home (hb_summary_t *self);

//  "INSTRUMENTS", "ASSETS", .. : a static string.
const char *hb_summary_panel_name (hb_summary_panel_t panel);

//  A heartbeat status as an operator reads it: "ok"; "KILLED" for the
//  hedger's latched kill switch; "OUTAGE" or "stale" for a feed's venue;
//  otherwise "degraded". A static string.
const char *hb_summary_status_name (const char *component, uint32_t status);

//  Instruments (of enabled venues) that have ticked at least once, and in all.
void hb_summary_coverage (hb_summary_t *self, int *ticked, int *total);

#endif
