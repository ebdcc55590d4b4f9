/*  hb_summary tests: a desk's universe in the compact view. A config built
    in code (200 assets, two venues of 150 instruments each) is fed ticks,
    risk samples and margins; the text rendered must list each panel most
    urgent first, cut it at the row budget with a line that counts what was
    left out, filter it and page it.                                        */
#include "hb_summary.h"
#include "hb_risk_sample.h"
#include "hb_time.h"

#include <czmq.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define S_ASSETS    200
#define S_PER_VENUE 150
#define S_NOW       (1000 * HB_NS_PER_SEC)

//  north lists the perps of assets 0..149, south those of 50..199: 300
//  instruments, "A000-PERP" .. "A199-PERP"
static hb_config_t *
s_config (void)
{
    hb_config_t *cfg = (hb_config_t *) zmalloc (sizeof *cfg);
    assert_non_null (cfg);
    snprintf (cfg->deployment, HB_NAME_MAX, "desk");
    cfg->n_assets = S_ASSETS;
    for (int a = 0; a < S_ASSETS; a++) {
        snprintf (cfg->assets [a].name, HB_NAME_MAX, "A%03d", a);
        cfg->assets [a].price = 100;
        cfg->risk.band_usd [a] = 1000;
    }
    cfg->n_venues = 2;
    for (int v = 0; v < 2; v++) {
        hb_venue_cfg_t *venue = &cfg->venues [v];
        snprintf (venue->name, HB_NAME_MAX, "%s", v == 0 ? "north" : "south");
        venue->enabled = true;
        assert_int_equal (hb_venue_cfg_alloc (venue, S_PER_VENUE, 0), 0);
        venue->n_instruments = S_PER_VENUE;
        for (int i = 0; i < S_PER_VENUE; i++) {
            hb_instrument_cfg_t *inst = &venue->instruments [i];
            inst->asset = v * 50 + i;
            snprintf (inst->symbol, HB_NAME_MAX, "A%03d-PERP", inst->asset);
            inst->kind = HB_KIND_LINEAR_PERP;
            inst->multiplier = 1;
        }
    }
    return cfg;
}

static void
s_tick (hb_summary_t *summary, const char *venue, int asset, double bid, double ask,
        uint32_t flags, int64_t now_ns)
{
    static hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    snprintf (msg.env.publisher, HB_NAME_MAX, "feed.%s", venue);
    snprintf (msg.u.tick.venue, HB_NAME_MAX, "%s", venue);
    snprintf (msg.u.tick.symbol, HB_NAME_MAX, "A%03d-PERP", asset);
    msg.u.tick.n_bids = msg.u.tick.n_asks = 1;
    msg.u.tick.bids [0] = (hb_level_t) { .px = bid, .qty = 1 };
    msg.u.tick.asks [0] = (hb_level_t) { .px = ask, .qty = 1 };
    msg.u.tick.flags = flags;
    hb_summary_add (summary, "md.tick", &msg, HB_SEQ_OK, now_ns);
}

//  The rendering as one string (the caller frees it).
static char *
s_render (hb_summary_t *summary)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    assert_non_null (out);
    hb_summary_render (summary, out, false, S_NOW);
    fclose (out);
    return text;
}

//  The number of the first line that starts with prefix, or -1.
static int
s_line (const char *text, const char *prefix)
{
    int n = 0;
    for (const char *line = text; *line; n++) {
        if (strncmp (line, prefix, strlen (prefix)) == 0)
            return n;
        const char *end = strchr (line, '\n');
        if (!end)
            break;
        line = end + 1;
    }
    return -1;
}

//  The margin row of venue: after the VENUE panel's header, -1 if none.
static int
s_margin_line (const char *text, const char *venue)
{
    const char *head = strstr (text, "INITIAL USD");
    if (!head)
        return -1;
    while (head > text && head [-1] != '\n')
        head--;
    int n = 0;
    for (const char *p = text; p < head; p++)
        n += *p == '\n';
    int in_panel = s_line (head, venue);
    return in_panel < 0 ? -1 : n + in_panel;
}

//  The instrument rows of the text, "venue symbol" each, in order.
static int
s_instruments (const char *text, char rows [][32], int max)
{
    int n = 0;
    for (const char *line = text; *line && n < max; ) {
        char venue [16], symbol [16];
        if ((strncmp (line, "north ", 6) == 0 || strncmp (line, "south ", 6) == 0)
        &&  sscanf (line, "%15s %15s", venue, symbol) == 2)
            snprintf (rows [n++], 32, "%s %s", venue, symbol);
        const char *end = strchr (line, '\n');
        if (!end)
            break;
        line = end + 1;
    }
    return n;
}

//  Every instrument live but: south A057 crossed, north A010 in outage,
//  north A020 and south A120 silent (A120 the older), north A140..149
//  never ticked. The urgent ones come first, the live ones in config order.
static void
test_instruments_order_and_budget (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    hb_summary_t *summary = hb_summary_new (cfg);
    assert_non_null (summary);
    for (int i = 0; i < 140; i++) {
        int64_t when = i == 20 ? S_NOW - 10 * HB_NS_PER_SEC : S_NOW - HB_NS_PER_MS;
        s_tick (summary, "north", i, 99, 101, i == 10 ? HB_TICK_OUTAGE : 0, when);
    }
    for (int a = 50; a < 200; a++) {
        int64_t when = a == 120 ? S_NOW - 20 * HB_NS_PER_SEC : S_NOW - HB_NS_PER_MS;
        s_tick (summary, "south", a, a == 57 ? 102 : 99, 101, 0, when);
    }
    char *text = s_render (summary);
    static char rows [400][32];
    int n = s_instruments (text, rows, 400);
    assert_int_equal (n, HB_SUMMARY_ROWS);
    assert_string_equal (rows [0], "south A057-PERP");
    assert_string_equal (rows [1], "north A010-PERP");
    assert_string_equal (rows [2], "south A120-PERP");     //  silent, the older
    assert_string_equal (rows [3], "north A020-PERP");
    for (int i = 0; i < 10; i++) {
        char want [32];
        snprintf (want, sizeof want, "north A%03d-PERP", 140 + i);
        assert_string_equal (rows [4 + i], want);       //  waiting, config order
    }
    assert_string_equal (rows [14], "north A000-PERP");    //  then the live ones
    assert_string_equal (rows [15], "north A001-PERP");
    assert_non_null (strstr (text, "  ... 260 more (1-40 of 300 instruments; filter or page)\n"));
    assert_non_null (strstr (text, "CROSSED"));
    free (text);

    //  every row: no "more" line
    hb_summary_set_rows (summary, 0);
    text = s_render (summary);
    assert_int_equal (s_instruments (text, rows, 400), 300);
    assert_null (strstr (text, "more ("));
    free (text);
    hb_summary_destroy (&summary);
    hb_config_destroy (&cfg);
}

//  Pages: the next page starts where the first ended; past the end, the
//  last full page; home again shows the first.
static void
test_instruments_paging (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    hb_summary_t *summary = hb_summary_new (cfg);
    assert_non_null (summary);
    for (int i = 0; i < 150; i++)
        s_tick (summary, "north", i, 99, 101, 0, S_NOW);
    for (int a = 50; a < 200; a++)
        s_tick (summary, "south", a, 99, 101, 0, S_NOW);
    hb_summary_set_rows (summary, 25);
    hb_summary_scroll (summary, HB_SUMMARY_INSTRUMENTS, hb_summary_rows (summary));
    char *text = s_render (summary);
    static char rows [400][32];
    assert_int_equal (s_instruments (text, rows, 400), 25);
    assert_string_equal (rows [0], "north A025-PERP");
    assert_non_null (strstr (text, "  ... 250 more (26-50 of 300 instruments; filter or page)\n"));
    free (text);

    hb_summary_scroll (summary, HB_SUMMARY_INSTRUMENTS, 10000);
    text = s_render (summary);
    assert_int_equal (s_instruments (text, rows, 400), 25);
    assert_string_equal (rows [24], "south A199-PERP");
    assert_non_null (strstr (text, "  ... 0 more (276-300 of 300 instruments; filter or page)\n"));
    free (text);
    //  clamped when drawn: one page back is the page before the last
    hb_summary_scroll (summary, HB_SUMMARY_INSTRUMENTS, -25);
    text = s_render (summary);
    assert_non_null (strstr (text, "(251-275 of 300 instruments"));
    free (text);

    hb_summary_home (summary);
    text = s_render (summary);
    s_instruments (text, rows, 400);
    assert_string_equal (rows [0], "north A000-PERP");
    free (text);
    hb_summary_destroy (&summary);
    hb_config_destroy (&cfg);
}

//  A substring (any case) on venue, symbol, asset or venue/symbol; a glob
//  when the text has one of * ? [.
static void
test_filter (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    hb_summary_t *summary = hb_summary_new (cfg);
    assert_non_null (summary);
    static char rows [400][32];

    hb_summary_set_filter (summary, "a12");            //  north A120..129, south A120..129
    assert_string_equal (hb_summary_filter (summary), "a12");
    char *text = s_render (summary);
    assert_int_equal (s_instruments (text, rows, 400), 20);
    assert_non_null (strstr (text, "  ... 0 more (1-20 of 20 instruments matching \"a12\", 280 filtered out)\n"));
    free (text);

    hb_summary_set_filter (summary, "south/A06");      //  venue/symbol: A060..069
    text = s_render (summary);
    assert_int_equal (s_instruments (text, rows, 400), 10);
    assert_string_equal (rows [0], "south A060-PERP");
    free (text);

    hb_summary_set_filter (summary, "A01?-*");         //  a glob: north A010..019 only
    text = s_render (summary);
    assert_int_equal (s_instruments (text, rows, 400), 10);
    assert_string_equal (rows [9], "north A019-PERP");
    free (text);

    hb_summary_set_filter (summary, "A1*");            //  a glob on the asset, or the symbol: 100 x2 - 50
    text = s_render (summary);
    assert_int_equal (s_instruments (text, rows, 400), HB_SUMMARY_ROWS);
    assert_non_null (strstr (text, "  ... 110 more (1-40 of 150 instruments matching \"A1*\", 150 filtered out; filter or page)\n"));
    free (text);

    hb_summary_set_filter (summary, "nothing-like-it");
    text = s_render (summary);
    assert_int_equal (s_instruments (text, rows, 400), 0);
    assert_non_null (strstr (text, "  ... none of 300 instruments match \"nothing-like-it\"\n"));
    free (text);

    hb_summary_set_filter (summary, NULL);
    text = s_render (summary);
    assert_int_equal (s_instruments (text, rows, 400), HB_SUMMARY_ROWS);
    free (text);
    hb_summary_destroy (&summary);
    hb_config_destroy (&cfg);
}

//  Assets: a residual beyond the band first (largest first), then a
//  stale mark, then the others by |residual|. Venues: a margin breach or
//  a position mismatch, then the highest utilization.
static void
test_assets_and_venues_order (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    hb_summary_t *summary = hb_summary_new (cfg);
    assert_non_null (summary);
    static hb_risk_report_t report;
    memset (&report, 0, sizeof report);
    report.sample = 1;
    report.sample_s = 1;
    report.horizon_s = 86400;
    report.confidence = 0.99;
    report.n_assets = S_ASSETS;
    for (int a = 0; a < S_ASSETS; a++) {
        snprintf (report.assets [a].asset, HB_NAME_MAX, "A%03d", a);
        report.assets [a].index = 100;
        report.assets [a].residual_usd = a == 50 ? -5000 : a * 10;     //  A101.. beyond 1000
    }
    //  no proxy left: A020 (200 USD left unhedged) is urgent, A000 (none) not
    report.assets [20].flags = report.assets [0].flags = HB_RISK_ASSET_UNHEDGEABLE;
    static hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    strcpy (msg.env.publisher, "risk");
    msg.env.epoch = 1;
    for (int i = 0; i < hb_risk_sample_parts (&report); i++) {
        hb_risk_sample_part (&report, i, &msg);
        hb_summary_add (summary, "risk.exposure", &msg, HB_SEQ_OK, S_NOW);
    }
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_EXPOSURE;
    strcpy (msg.env.publisher, "aggregator");
    strcpy (msg.u.exposure.asset, "A003");
    msg.u.exposure.flags = HB_POS_STALE;
    hb_summary_add (summary, "pos.A003", &msg, HB_SEQ_OK, S_NOW);
    for (int v = 0; v < 2; v++) {
        memset (&msg, 0, sizeof msg);
        msg.env.type = HB_MSG_MARGIN;
        strcpy (msg.env.publisher, "aggregator");
        strcpy (msg.u.margin.venue, cfg->venues [v].name);
        msg.u.margin.utilization = v == 0 ? 0.9 : 0.5;
        msg.u.margin.equity_usd = 1000;
        hb_summary_add (summary, "margin", &msg, HB_SEQ_OK, S_NOW);
    }
    char *text = s_render (summary);
    int a050 = s_line (text, "A050 "), a199 = s_line (text, "A199 ");
    assert_true (a050 > 0);
    assert_int_equal (a199, a050 + 1);
    assert_int_equal (s_line (text, "A161 "), a050 + 39);  //  the 40th
    assert_int_equal (s_line (text, "A160 "), -1);
    assert_non_null (strstr (text, "  ... 160 more (1-40 of 200 assets; filter or page)\n"));
    assert_true (s_margin_line (text, "north ") > 0);
    assert_int_equal (s_margin_line (text, "south "), s_margin_line (text, "north ") + 1);  //  0.9 before 0.5
    free (text);

    //  every asset: the breaches (A050, A199 .. A101) and the unhedgeable
    //  A020, the stale mark, then A100 ..
    hb_summary_set_rows (summary, 0);
    text = s_render (summary);
    a050 = s_line (text, "A050 ");
    assert_int_equal (s_line (text, "A199 "), a050 + 1);
    assert_int_equal (s_line (text, "A101 "), a050 + 99);
    assert_int_equal (s_line (text, "A020 "), a050 + 100);
    assert_int_equal (s_line (text, "A003 "), a050 + 101);
    assert_int_equal (s_line (text, "A100 "), a050 + 102);
    assert_int_equal (s_line (text, "A000 "), a050 + 199);
    const char *row = strstr (text, "\nA020 ");
    assert_non_null (row);
    assert_true (strstr (row, "NO HEDGE") && strstr (row, "NO HEDGE") < strchr (row + 1, '\n'));
    row = strstr (text, "\nA000 ");
    assert_true (strstr (row, "NO HEDGE") && strstr (row, "NO HEDGE") < strchr (row + 1, '\n'));
    row = strstr (text, "\nA021 ");
    assert_true (!strstr (row, "NO HEDGE") || strstr (row, "NO HEDGE") > strchr (row + 1, '\n'));
    free (text);

    //  south breaches: first despite its lower utilization
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_MARGIN;
    strcpy (msg.u.margin.venue, "south");
    msg.u.margin.utilization = 0.5;
    msg.u.margin.flags = HB_MARGIN_BREACH;
    hb_summary_add (summary, "margin", &msg, HB_SEQ_OK, S_NOW);
    hb_summary_set_filter (summary, "A19");
    text = s_render (summary);
    assert_non_null (strstr (text, "  ... none of 2 venues match \"A19\"\n"));
    assert_int_equal (s_line (text, "A199 "), s_line (text, "ASSET ") + 1);
    assert_non_null (strstr (text, "  ... 0 more (1-10 of 10 assets matching \"A19\", 190 filtered out)\n"));
    free (text);
    hb_summary_set_filter (summary, "");
    text = s_render (summary);
    assert_true (s_margin_line (text, "south ") > 0);
    assert_int_equal (s_margin_line (text, "north "), s_margin_line (text, "south ") + 1);
    assert_non_null (strstr (text, " RECON "));
    free (text);

    //  reconciliation: north's positions disagree with the venue's: first,
    //  MISMATCH in its row; south agrees on the venue's own figures
    msg.u.margin.flags = HB_MARGIN_RECONCILED | HB_MARGIN_VENUE;
    hb_summary_add (summary, "margin", &msg, HB_SEQ_OK, S_NOW);
    strcpy (msg.u.margin.venue, "north");
    msg.u.margin.flags = HB_MARGIN_RECONCILED | HB_MARGIN_MISMATCH;
    hb_summary_add (summary, "margin", &msg, HB_SEQ_OK, S_NOW);
    text = s_render (summary);
    assert_int_equal (s_margin_line (text, "south "), s_margin_line (text, "north ") + 1);
    const char *mismatch = strstr (text, " MISMATCH ");
    assert_non_null (mismatch);
    while (mismatch > text && mismatch [-1] != '\n')
        mismatch--;
    assert_int_equal (strncmp (mismatch, "north ", 6), 0);
    assert_non_null (strstr (text, " ok,venue "));
    free (text);
    hb_summary_destroy (&summary);
    hb_config_destroy (&cfg);
}

//  The last risk.optplan of each asset, one OPTPLAN line each: the legs,
//  or why there are none; a later plan replaces an earlier one
static void
test_optplans (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    hb_summary_t *summary = hb_summary_new (cfg);
    assert_non_null (summary);
    static hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_RISK_OPTPLAN;
    snprintf (msg.env.publisher, HB_NAME_MAX, "risk");
    hb_risk_optplan_t *p = &msg.u.risk_optplan;
    snprintf (p->id, sizeof p->id, "desk-o1-1");
    snprintf (p->asset, sizeof p->asset, "A001");
    p->reason = 3;
    snprintf (p->why, sizeof p->why, "no combination of 1 candidates reaches the targets");
    p->index = 100;
    p->gamma_band = 10000;
    p->gamma_before = p->gamma_after = 12000;
    p->n_buckets = 2;
    p->vega_band [1] = 3000;
    p->vega_before [1] = p->vega_after [1] = 3700;
    hb_summary_add (summary, "risk.optplan", &msg, HB_SEQ_OK, S_NOW);
    char *text = s_render (summary);
    assert_non_null (strstr (text, "OPTPLAN A001   no option hedge: no combination of 1 candidates "
                                   "reaches the targets  gamma$ 12000 -> 12000 (band 10000)  "
                                   "vega[1] 3700 -> 3700 (band 3000)\n"));
    free (text);
    //  then legs
    snprintf (p->id, sizeof p->id, "desk-o2-1");
    p->reason = 0;
    p->gamma_after = 5000;
    p->vega_after [1] = 1500;
    p->n_legs = 2;
    for (int k = 0; k < 2; k++) {
        snprintf (p->legs [k].venue, HB_NAME_MAX, "north");
        snprintf (p->legs [k].symbol, HB_NAME_MAX, k ? "A001-P" : "A001-C");
        p->legs [k].side = HB_SIDE_SELL;
        p->legs [k].qty = 7.5 - k;
        p->legs [k].limit_px = 3455 + k;
    }
    hb_summary_add (summary, "risk.optplan", &msg, HB_SEQ_OK, S_NOW);
    text = s_render (summary);
    assert_null (strstr (text, "no option hedge"));
    assert_non_null (strstr (text, "OPTPLAN A001   legs: sell 7.5 north/A001-C @ 3455, sell 6.5 "
                                   "north/A001-P @ 3456  gamma$ 12000 -> 5000 (band 10000)  "
                                   "vega[1] 3700 -> 1500 (band 3000)\n"));
    assert_non_null (strstr (text, "optplan desk-o2-1 A001 2 legs gamma 12000 -> 5000"));
    free (text);
    hb_summary_destroy (&summary);
    hb_config_destroy (&cfg);
}

//  Capital (issue 19): a venue short and uncovered shows the capital.reduce
//  asked for it (REDUCE), a venue awaiting a top-up says so on its margin
//  row; once covered, no REDUCE line
static void
test_capital_reduce (void **state)
{
    (void) state;
    hb_config_t *cfg = s_config ();
    hb_summary_t *summary = hb_summary_new (cfg);
    assert_non_null (summary);
    static hb_msg_t msg;
    //  the book section (margins, plans) shows once positions are known
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_EXPOSURE;
    snprintf (msg.env.publisher, HB_NAME_MAX, "aggregator");
    snprintf (msg.u.exposure.asset, HB_NAME_MAX, "A050");
    msg.u.exposure.price = 100;
    hb_summary_add (summary, "pos.A050", &msg, HB_SEQ_OK, S_NOW);
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_MARGIN;
    snprintf (msg.env.publisher, HB_NAME_MAX, "aggregator");
    snprintf (msg.u.margin.venue, HB_NAME_MAX, "south");
    msg.u.margin.equity_usd = 20000;
    msg.u.margin.flags = HB_MARGIN_TOPUP;
    hb_summary_add (summary, "margin.south", &msg, HB_SEQ_OK, S_NOW);
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_CAPITAL_PLAN;
    snprintf (msg.env.publisher, HB_NAME_MAX, "treasury");
    hb_capital_plan_t *p = &msg.u.capital_plan;
    snprintf (p->venue, HB_NAME_MAX, "south");
    p->flags = HB_PLAN_SHORT;
    p->reason = HB_PLAN_REASON_TOO_SLOW;
    p->surplus_usd = -10469;
    p->liq_s = 12;
    hb_summary_add (summary, "capital.plan.south", &msg, HB_SEQ_OK, S_NOW);
    static hb_msg_t reduce;
    memset (&reduce, 0, sizeof reduce);
    reduce.env.type = HB_MSG_CAPITAL_REDUCE;
    snprintf (reduce.env.publisher, HB_NAME_MAX, "treasury");
    hb_reduce_t *r = &reduce.u.reduce;
    snprintf (r->id, sizeof r->id, "south.r1.1");
    snprintf (r->venue, HB_NAME_MAX, "south");
    snprintf (r->asset, HB_NAME_MAX, "A050");
    r->reason = HB_PLAN_REASON_TOO_SLOW;
    r->exposure_usd = -97500;
    r->reduce_usd = 36562.5;
    r->qty = 0.5625;
    hb_summary_add (summary, "capital.reduce.south", &reduce, HB_SEQ_OK, S_NOW);
    char *text = s_render (summary);
    assert_non_null (strstr (text, "PLAN     south    SHORT 10469 USD (liquidated in 12 s): NOT COVERED, too_slow\n"
                                   "REDUCE   south    south.r1.1: +0.5625 A050 there, the opposite elsewhere "
                                   "(36562 of -97500 USD; too_slow)\n"));
    assert_non_null (strstr (text, "  TOPUP in flight\n"));
    free (text);
    p->flags = HB_PLAN_SHORT | HB_PLAN_COVERED;
    p->reason = HB_PLAN_REASON_NONE;
    hb_summary_add (summary, "capital.plan.south", &msg, HB_SEQ_OK, S_NOW);
    text = s_render (summary);
    assert_null (strstr (text, "REDUCE"));
    free (text);
    hb_summary_destroy (&summary);
    hb_config_destroy (&cfg);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_instruments_order_and_budget),
        cmocka_unit_test (test_instruments_paging),
        cmocka_unit_test (test_filter),
        cmocka_unit_test (test_assets_and_venues_order),
        cmocka_unit_test (test_optplans),
        cmocka_unit_test (test_capital_reduce),
    };
    return cmocka_run_group_tests_name ("hb_summary", tests, NULL, NULL);
}
