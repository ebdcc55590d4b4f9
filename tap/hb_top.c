/*  hb_top: see hb_top.h.

    The body is hb_summary's rendering, written into memory and drawn line
    by line: one model of the bus, two views of it (the compact one for logs
    and pipes, this one for a person at a terminal).                        */
#include "hb_top.h"
#include "hb_latency.h"
#include "hb_risk_sample.h"
#include "hb_time.h"

#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_MAX_HEALTH    32
#define S_HEDGES        5
#define S_ORDERS        6
#define S_CORR_SHOWN    16      //  assets of the largest correlation matrix shown

typedef struct {
    hb_heartbeat_t beat;
    int64_t        recv_ns;
} s_health_t;

//  An order seen on order.*: who sent it, and what became of it (its
//  latest ack and the fills of its client id).
typedef struct {
    char    from [HB_NAME_MAX];
    hb_order_t order;
    char    status [16];
    double  filled;
    double  value;              //  sum of px x qty of its fills
} s_order_t;

enum { S_PAIR_TITLE = 1, S_PAIR_BAD = 2, S_PAIR_WARN = 3, S_PAIR_HEAD = 4 };

struct _hb_top_t {
    SCREEN *screen;
    int     scroll;         //  first body line shown
    int     body_lines;     //  lines of the last rendering
    bool    quit;
    hb_summary_panel_t panel;   //  the panel n/p pages
    bool    jump;           //  next draw: scroll to that panel's head
    bool    editing;        //  typing a filter (after /)
    char    filter [64];    //  the text typed so far
    int     rows_saved;     //  the budget before 'a' showed every row
    bool    pressed;        //  a key since hb_top_pressed
    char   *text;           //  last rendering (open_memstream)
    size_t  size;
    s_health_t health [S_MAX_HEALTH];
    int     n_health;
    hb_risk_sample_t *samples;  //  risk.exposure and risk.corr parts joined
    char    hedges [S_HEDGES][160];
    int     n_hedges;
    s_order_t orders [S_ORDERS];  //  ring, the latest S_ORDERS
    int     n_orders;
    hb_latency_t *latency;  //  each decision's latency, from the inputs it names
};

//  The order of (venue, client_id) in the ring, or NULL.
static s_order_t *
s_order (hb_top_t *self, const char *venue, const char *client_id)
{
    int first = self->n_orders > S_ORDERS ? self->n_orders - S_ORDERS : 0;
    for (int k = first; k < self->n_orders; k++) {
        s_order_t *entry = &self->orders [k % S_ORDERS];
        if (strcmp (entry->order.client_id, client_id) == 0 && strcmp (entry->order.venue, venue) == 0)
            return entry;
    }
    return NULL;
}

void
hb_top_add (hb_top_t *self, const char *topic, const hb_msg_t *msg, int64_t now_ns)
{
    if (!msg)
        return;
    hb_latency_decision_t decisions [2];
    hb_latency_add (self->latency, topic, msg, decisions);
    if (msg->env.type == HB_MSG_HEARTBEAT) {
        const hb_heartbeat_t *beat = &msg->u.heartbeat;
        int i = 0;
        while (i < self->n_health && strcmp (self->health [i].beat.component, beat->component) != 0)
            i++;
        if (i == S_MAX_HEALTH)
            return;
        if (i == self->n_health)
            self->n_health++;
        self->health [i].beat = *beat;
        self->health [i].recv_ns = now_ns;
    }
    else
    if (msg->env.type == HB_MSG_RISK_EXPOSURE || msg->env.type == HB_MSG_RISK_CORR)
        hb_risk_sample_add (self->samples, msg, NULL);
    else
    if (msg->env.type == HB_MSG_ORDER && !s_order (self, msg->u.order.venue, msg->u.order.client_id)) {
        s_order_t *entry = &self->orders [self->n_orders++ % S_ORDERS];
        memset (entry, 0, sizeof *entry);
        snprintf (entry->from, sizeof entry->from, "%s", msg->env.publisher);
        entry->order = msg->u.order;
        snprintf (entry->status, sizeof entry->status, "sent");
    }
    else
    if (msg->env.type == HB_MSG_ACK) {
        s_order_t *entry = s_order (self, msg->u.ack.venue, msg->u.ack.client_id);
        if (entry)
            snprintf (entry->status, sizeof entry->status, "%s", hb_ack_status_name (msg->u.ack.status));
    }
    else
    if (msg->env.type == HB_MSG_FILL) {
        s_order_t *entry = s_order (self, msg->u.fill.venue, msg->u.fill.client_id);
        if (entry) {
            entry->filled += msg->u.fill.qty;
            entry->value += msg->u.fill.qty * msg->u.fill.px;
        }
    }
    else
    if (msg->env.type == HB_MSG_RISK_HEDGE) {
        const hb_risk_hedge_t *hedge = &msg->u.risk_hedge;
        char *line = self->hedges [self->n_hedges++ % S_HEDGES];
        int len = snprintf (line, 160, "%s eff %.2f:", hedge->id, hedge->effectiveness);
        for (int t = 0; t < hedge->n_targets && len > 0 && len < 150; t++)
            len += snprintf (line + len, (size_t) (160 - len), " %s %+.0f USD", hedge->targets [t].asset,
                             hedge->targets [t].target_usd);
    }
}

//  hb_top's own panels, after the summary's text.
static void
s_panels (hb_top_t *self, FILE *out, int64_t now_ns)
{
    if (self->n_health > 0) {
        fprintf (out, "HEALTH           %7s %9s %10s %10s %6s %7s %6s %9s %9s %s\n", "AGE", "UP",
                 "IN", "OUT", "GAPS", "DROPS", "QUEUE", "LAT p50", "LAT p99", "STATUS");
        for (int i = 0; i < self->n_health; i++) {
            const hb_heartbeat_t *b = &self->health [i].beat;
            int64_t age_ms = (now_ns - self->health [i].recv_ns) / 1000000;
            fprintf (out, "%-16s %5lldms %8llus %10llu %10llu %6llu %7llu %6llu %7.1fus %7.1fus %s\n",
                     b->component, (long long) age_ms, (unsigned long long) (b->uptime_ms / 1000),
                     (unsigned long long) b->msgs_in, (unsigned long long) b->msgs_out,
                     (unsigned long long) b->gaps, (unsigned long long) b->drops,
                     (unsigned long long) b->queue_depth, b->lat_p50_ns / 1e3, b->lat_p99_ns / 1e3,
                     age_ms > 3000 ? "silent" : hb_summary_status_name (b->component, b->status));
        }
    }
    //  the matrix while it fits a screen; past that, the sample's size
    const hb_risk_report_t *risk = hb_risk_sample_report (self->samples);
    int n = risk && risk->corr_sample == risk->sample ? risk->n_assets : 0;
    if (n > S_CORR_SHOWN)
        fprintf (out, "CORRELATION      %d assets, %d pairs: more than %d assets, not shown\n", n,
                 n * (n - 1) / 2, S_CORR_SHOWN);
    else
    if (n > 1) {
        fprintf (out, "CORRELATION     ");
        for (int j = 0; j < n; j++)
            fprintf (out, " %7.7s", risk->assets [j].asset);
        fputc ('\n', out);
        for (int i = 0; i < n; i++) {
            fprintf (out, "%-16s", risk->assets [i].asset);
            for (int j = 0; j < n; j++) {
                int a = i < j ? i : j, b = i < j ? j : i;
                //  strict upper triangle, row by row
                double rho = i == j ? 1 : risk->corr [a * n - a * (a + 1) / 2 + (b - a - 1)];
                fprintf (out, " %7.2f", rho);
            }
            fputc ('\n', out);
        }
    }
    if (self->n_orders > 0) {
        fprintf (out, "ORDERS           %-10s %-18s %-4s %12s %12s  %-24s %-9s %12s %12s\n", "VENUE",
                 "SYMBOL", "SIDE", "QTY", "LIMIT", "CLIENT ID", "STATUS", "FILLED", "AVG PX");
        int first = self->n_orders > S_ORDERS ? self->n_orders - S_ORDERS : 0;
        for (int k = first; k < self->n_orders; k++) {
            const s_order_t *entry = &self->orders [k % S_ORDERS];
            const hb_order_t *order = &entry->order;
            char limit [24] = "market", avg [24] = "-";
            if (order->ord_type == HB_ORD_LIMIT)
                snprintf (limit, sizeof limit, "%.10g", order->px);
            if (entry->filled > 0)
                snprintf (avg, sizeof avg, "%.10g", entry->value / entry->filled);
            fprintf (out, "%-16s %-10s %-18s %-4s %12.10g %12s  %-24.24s %-9s %12.10g %12s\n", entry->from,
                     order->venue, order->symbol, hb_side_name (order->side), order->qty, limit,
                     order->client_id, entry->status, entry->filled, avg);
        }
    }
    hb_latency_stats_t latency;
    hb_latency_stats (self->latency, &latency);
    if (latency.requests > 0 || latency.orders > 0)
        hb_latency_render (self->latency, out);
    if (self->n_hedges > 0) {
        fprintf (out, "HEDGE REQUESTS\n");
        int first = self->n_hedges > S_HEDGES ? self->n_hedges - S_HEDGES : 0;
        for (int k = first; k < self->n_hedges; k++)
            fprintf (out, "  %s\n", self->hedges [k % S_HEDGES]);
    }
}

hb_top_t *
hb_top_new (void)
{
    if (!isatty (STDIN_FILENO) || !isatty (STDOUT_FILENO))
        return NULL;
    hb_top_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->latency = hb_latency_new (0, 0);
    self->samples = hb_risk_sample_new ();
    self->screen = self->latency && self->samples ? newterm (NULL, stdout, stdin) : NULL;
    if (!self->screen) {
        hb_latency_destroy (&self->latency);
        hb_risk_sample_destroy (&self->samples);
        free (self);
        return NULL;
    }
    set_term (self->screen);
    cbreak ();
    noecho ();
    nodelay (stdscr, TRUE);
    keypad (stdscr, TRUE);
    set_escdelay (25);              //  Esc cancels a filter at once, not after a second
    curs_set (0);
    if (has_colors ()) {
        start_color ();
        use_default_colors ();
        init_pair (S_PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
        init_pair (S_PAIR_BAD, COLOR_RED, -1);
        init_pair (S_PAIR_WARN, COLOR_YELLOW, -1);
        init_pair (S_PAIR_HEAD, COLOR_CYAN, -1);
    }
    return self;
}

void
hb_top_destroy (hb_top_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_top_t *self = *self_p;
    endwin ();
    delscreen (self->screen);
    hb_latency_destroy (&self->latency);
    hb_risk_sample_destroy (&self->samples);
    free (self->text);
    free (self);
    *self_p = NULL;
}

static bool
s_has (const char *line, size_t len, const char *word)
{
    size_t wlen = strlen (word);
    for (size_t i = 0; i + wlen <= len; i++)
        if (memcmp (line + i, word, wlen) == 0)
            return true;
    return false;
}

//  Colour by what the line says: a person's eye goes to the red first.
static int
s_attr (const char *line, size_t len)
{
    static const char *const heads [] = { "VENUE ", "ASSET ", "PUBLISHER ", "RECENT", "HEALTH ",
                                          "CORRELATION ", "HEDGE REQUESTS", "DECISION LATENCY", NULL };
    for (int i = 0; heads [i]; i++)
        if (strncmp (line, heads [i], strlen (heads [i])) == 0)
            return A_BOLD | COLOR_PAIR (S_PAIR_HEAD);
    if (s_has (line, len, "OUTAGE") || s_has (line, len, "CROSSED") || s_has (line, len, "BREACH")
    ||  s_has (line, len, "MISMATCH")
    ||  s_has (line, len, "degraded") || s_has (line, len, "reject"))
        return A_BOLD | COLOR_PAIR (S_PAIR_BAD);
    if (s_has (line, len, " stale") || s_has (line, len, " silent") || s_has (line, len, " waiting"))
        return COLOR_PAIR (S_PAIR_WARN);
    return A_NORMAL;
}

//  Where a panel starts in the rendering: the start of its head line.
static bool
s_panel_head (hb_summary_panel_t panel, const char *line, size_t len)
{
    switch (panel) {
        case HB_SUMMARY_INSTRUMENTS: return strncmp (line, "VENUE    SYMBOL", 15) == 0;
        case HB_SUMMARY_ASSETS:      return strncmp (line, "ASSET ", 6) == 0;
        case HB_SUMMARY_VENUES:      return strncmp (line, "VENUE ", 6) == 0 && s_has (line, len, "MAINT USD");
        case HB_SUMMARY_PLANS:       return strncmp (line, "PLAN ", 5) == 0;
        case HB_SUMMARY_REGIMES:     return strncmp (line, "REGIMES ", 8) == 0;
        case HB_SUMMARY_PUBLISHERS:  return strncmp (line, "PUBLISHER ", 10) == 0;
        default:                     return false;
    }
}

void
hb_top_draw (hb_top_t *self, hb_summary_t *summary, int64_t now_ns)
{
    free (self->text);          //  each stream allocates its own buffer
    self->text = NULL;
    FILE *mem = open_memstream (&self->text, &self->size);
    if (!mem)
        return;
    hb_summary_render (summary, mem, false, now_ns);
    s_panels (self, mem, now_ns);
    fclose (mem);

    int rows, cols;
    getmaxyx (stdscr, rows, cols);
    erase ();
    //  the summary's first line is its own title: it becomes the bar
    const char *text = self->text, *nl = strchr (text, '\n');
    size_t title_len = nl ? (size_t) (nl - text) : strlen (text);
    attron (A_BOLD | COLOR_PAIR (S_PAIR_TITLE));
    mvhline (0, 0, ' ', cols);
    mvaddnstr (0, 0, text, (int) title_len < cols ? (int) title_len : cols);
    attroff (A_BOLD | COLOR_PAIR (S_PAIR_TITLE));
    const char *body = nl ? nl + 1 : text + title_len;

    int total = 0;
    for (const char *p = body; *p; p++)
        total += *p == '\n';
    self->body_lines = total;
    if (self->jump) {               //  the panel just selected or paged: its head on top
        self->jump = false;
        const char *line = body;
        for (int n = 0; *line; n++) {
            const char *end = strchr (line, '\n');
            size_t len = end ? (size_t) (end - line) : strlen (line);
            if (s_panel_head (self->panel, line, len)) {
                self->scroll = n;
                break;
            }
            line = end ? end + 1 : line + len;
        }
    }
    int room = rows - 2;
    if (self->scroll > total - room)
        self->scroll = total - room;
    if (self->scroll < 0)
        self->scroll = 0;

    const char *line = body;
    for (int n = 0, y = 1; *line && y <= room; n++) {
        const char *end = strchr (line, '\n');
        size_t len = end ? (size_t) (end - line) : strlen (line);
        if (n >= self->scroll) {
            int attr = s_attr (line, len);
            attron (attr);
            mvaddnstr (y++, 0, line, (int) len < cols ? (int) len : cols);
            attroff (attr);
        }
        line = end ? end + 1 : line + len;
    }
    char status [256], rows_text [16] = "all";
    if (hb_summary_rows (summary) > 0)
        snprintf (rows_text, sizeof rows_text, "%d", hb_summary_rows (summary));
    if (self->editing)
        snprintf (status, sizeof status, " filter: %s_   Enter applies (empty: none)  Esc cancels  "
                  "substring, any case, or a glob * ? [ on venue, symbol, asset ", self->filter);
    else
        snprintf (status, sizeof status, " q quit  / filter  Tab panel: %s  n/p page  +/- rows: %s  a all  "
                  "arrows PgUp/PgDn Home/End scroll  lines %d-%d of %d ",
                  hb_summary_panel_name (self->panel), rows_text, total ? self->scroll + 1 : 0,
                  self->scroll + room < total ? self->scroll + room : total, total);
    attron (A_REVERSE);
    mvhline (rows - 1, 0, ' ', cols);
    mvaddnstr (rows - 1, 0, status, cols);
    attroff (A_REVERSE);
    refresh ();
}

bool
hb_top_pressed (hb_top_t *self)
{
    bool pressed = self->pressed;
    self->pressed = false;
    return pressed;
}

//  A key while a filter is typed: Enter applies it, Esc drops it.
static void
s_edit_key (hb_top_t *self, hb_summary_t *summary, int key)
{
    size_t len = strlen (self->filter);
    if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        hb_summary_set_filter (summary, self->filter);
        self->editing = false;
        self->scroll = 0;
    }
    else
    if (key == 27)                  //  Esc
        self->editing = false;
    else
    if ((key == KEY_BACKSPACE || key == 127 || key == 8) && len > 0)
        self->filter [len - 1] = 0;
    else
    if (key == 21)                  //  Ctrl-U
        self->filter [0] = 0;
    else
    if (key >= 0 && key < 256 && isprint (key) && len + 1 < sizeof self->filter) {
        self->filter [len] = (char) key;
        self->filter [len + 1] = 0;
    }
}

bool
hb_top_keys (hb_top_t *self, hb_summary_t *summary)
{
    int rows = getmaxy (stdscr), key;
    while ((key = getch ()) != ERR) {
        self->pressed = true;
        if (self->editing) {
            s_edit_key (self, summary, key);
            continue;
        }
        int budget = hb_summary_rows (summary);
        switch (key) {
            case '/':
                self->editing = true;
                snprintf (self->filter, sizeof self->filter, "%s", hb_summary_filter (summary));
                break;
            case '\t':
                self->panel = (self->panel + 1) % HB_SUMMARY_PANELS;
                self->jump = true;
                break;
            case KEY_BTAB:
                self->panel = (self->panel + HB_SUMMARY_PANELS - 1) % HB_SUMMARY_PANELS;
                self->jump = true;
                break;
            case 'n': case 'p':
                hb_summary_scroll (summary, self->panel, key == 'n' ? budget : -budget);
                self->jump = true;
                break;
            case '+':
                hb_summary_set_rows (summary, budget + 10);
                break;
            case '-':
                if (budget > 10)
                    hb_summary_set_rows (summary, budget - 10);
                break;
            case 'a':               //  every row, or the budget again
                if (budget > 0) {
                    self->rows_saved = budget;
                    hb_summary_set_rows (summary, 0);
                }
                else
                    hb_summary_set_rows (summary, self->rows_saved > 0 ? self->rows_saved : HB_SUMMARY_ROWS);
                break;
            case 'q': case 'Q': self->quit = true; break;
            case KEY_UP:    self->scroll--; break;
            case KEY_DOWN:  self->scroll++; break;
            case KEY_PPAGE: self->scroll -= rows - 3; break;
            case KEY_NPAGE: self->scroll += rows - 3; break;
            case KEY_HOME:  self->scroll = 0; hb_summary_home (summary); break;
            case KEY_END:   self->scroll = self->body_lines; break;
            default: break;         //  KEY_RESIZE included: the next draw fits
        }
    }
    return !self->quit;
}
