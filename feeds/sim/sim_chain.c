/*  sim_chain: see sim_chain.h. */
#include "sim_chain.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_SCAN_DAYS     400         //  a year and a month: the farthest quarterly
#define S_DAY_NS        86400000000000ll

//  One listed series: an asset's strikes at one expiry
typedef struct {
    int     asset;
    int64_t expiry_ns;
    int     day;                    //  sim day of the expiry (names it)
    double  first;                  //  lowest strike
    double  step;
    int     count;                  //  strikes
} s_series_t;

struct sim_chain_s {
    const sim_chain_cfg_t *cfg;
    const hb_config_t     *config;
    int64_t                anchor_ns;
    int64_t                day_ns;  //  roll_s in ns
    int64_t                anchor_day;  //  days since 1970-01-01 of the anchor's UTC date
    s_series_t            *series;
    size_t                 n_series, cap_series;
    hb_instrument_t       *scratch; //  one series' instruments
};

sim_chain_t *
sim_chain_new (const sim_chain_cfg_t *cfg, const hb_config_t *config, int64_t anchor_ns)
{
    assert (cfg && config);
    sim_chain_t *self = (sim_chain_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->cfg = cfg;
    self->config = config;
    self->anchor_ns = anchor_ns;
    self->day_ns = (int64_t) llround (cfg->roll_s * 1e9);
    if (self->day_ns < 1000000)
        self->day_ns = 1000000;
    self->anchor_day = anchor_ns >= 0 ? anchor_ns / S_DAY_NS : -((-anchor_ns + S_DAY_NS - 1) / S_DAY_NS);
    self->scratch = (hb_instrument_t *) calloc ((size_t) (4 * cfg->strikes + 2), sizeof *self->scratch);
    if (!self->scratch) {
        free (self);
        return NULL;
    }
    return self;
}

void
sim_chain_destroy (sim_chain_t **self_p)
{
    assert (self_p);
    sim_chain_t *self = *self_p;
    if (!self)
        return;
    free (self->series);
    free (self->scratch);
    free (self);
    *self_p = NULL;
}

//  The civil date of a count of days since 1970-01-01 (H. Hinnant's
//  civil_from_days), and its weekday (0 Sunday)
static void
s_civil (int64_t days, int *year, int *month, int *mday, int *wday)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *mday = (int) (doy - (153 * mp + 2) / 5 + 1);
    *month = (int) (mp < 10 ? mp + 3 : mp - 9);
    *year = (int) (yoe + era * 400 + (*month <= 2));
    *wday = (int) (((days % 7) + 11) % 7);          //  1970-01-01 was a Thursday
}

static int
s_month_days (int year, int month)
{
    static const int days [] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days [month - 1];
}

//  The expiry of sim day d: 08:00 of it (a third of the day)
static int64_t
s_expiry_ns (const sim_chain_t *self, int day)
{
    return self->anchor_ns + (int64_t) day * self->day_ns + self->day_ns / 3;
}

//  The sim days of the expiries live at now_ns, increasing
static int
s_days (const sim_chain_t *self, int64_t now_ns, int *out, int max)
{
    const sim_chain_cfg_t *cfg = self->cfg;
    int first = now_ns > self->anchor_ns ? (int) ((now_ns - self->anchor_ns) / self->day_ns) : 0;
    while (s_expiry_ns (self, first) <= now_ns)
        first++;
    int dailies = 0, weeklies = 0, monthlies = 0, quarterlies = 0, n = 0;
    for (int d = first; d < first + S_SCAN_DAYS && n < max; d++) {
        int year, month, mday, wday;
        s_civil (self->anchor_day + d, &year, &month, &mday, &wday);
        bool friday = wday == 5;
        bool monthly = friday && mday + 7 > s_month_days (year, month);
        bool quarterly = monthly && month % 3 == 0;
        bool take = false;
        if (dailies < cfg->dailies) {
            dailies++;
            take = true;
        }
        if (friday && weeklies < cfg->weeklies) {
            weeklies++;
            take = true;
        }
        if (monthly && monthlies < cfg->monthlies) {
            monthlies++;
            take = true;
        }
        if (quarterly && quarterlies < cfg->quarterlies) {
            quarterlies++;
            take = true;
        }
        if (take)
            out [n++] = d;
    }
    return n;
}

int
sim_chain_expiries (const sim_chain_t *self, int64_t now_ns, int64_t *out, int max)
{
    assert (self && out);
    int days [SIM_CHAIN_EXPIRIES];
    int n = s_days (self, now_ns, days, max < SIM_CHAIN_EXPIRIES ? max : SIM_CHAIN_EXPIRIES);
    for (int i = 0; i < n; i++)
        out [i] = s_expiry_ns (self, days [i]);
    return n;
}

double
sim_chain_step (double index, double step_pct)
{
    double raw = index * step_pct / 100;
    if (!(raw > 0) || !isfinite (raw))
        return 1;
    double power = pow (10, floor (log10 (raw)));
    double m = raw / power;
    double nice = m < 1.5 ? 1 : m < 2.25 ? 2 : m < 3.75 ? 2.5 : m < 7.5 ? 5 : 10;
    return nice * power;
}

//  The symbol of one option: ASSET-DDMONYY-STRIKE-C, as Deribit names them.
//  -1 when it does not fit a name.
static int
s_symbol (const sim_chain_t *self, const s_series_t *series, double strike, bool call, char *out)
{
    static const char *const months [] = { "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                           "JUL", "AUG", "SEP", "OCT", "NOV", "DEC" };
    int year, month, mday, wday;
    s_civil (self->anchor_day + series->day, &year, &month, &mday, &wday);
    int n = snprintf (out, HB_NAME_MAX, "%s-%d%s%02d-%.10g-%c", self->config->assets [series->asset].name,
                      mday, months [month - 1], year % 100, strike, call ? 'C' : 'P');
    return n > 0 && n < HB_NAME_MAX ? 0 : -1;
}

//  The instruments of series into scratch; how many
static size_t
s_instruments (sim_chain_t *self, const s_series_t *series)
{
    const hb_asset_cfg_t *asset = &self->config->assets [series->asset];
    size_t n = 0;
    for (int i = 0; i < series->count; i++)
        for (int c = 0; c < 2; c++) {
            hb_instrument_t *ins = &self->scratch [n];
            memset (ins, 0, sizeof *ins);
            double strike = series->first + i * series->step;
            if (s_symbol (self, series, strike, c == 0, ins->symbol) != 0)
                continue;
            snprintf (ins->asset, sizeof ins->asset, "%s", asset->name);
            snprintf (ins->settle, sizeof ins->settle, "%s", self->cfg->coin_settled ? asset->name : "USD");
            ins->kind = HB_KIND_OPTION;
            ins->flags = c == 0 ? HB_INSTRUMENT_CALL : 0;
            ins->multiplier = 1;
            //  premiums in coin are fractions of one; in USD, cents
            ins->tick_size = self->cfg->coin_settled ? 0.0001 : 0.01;
            ins->lot_size = ins->min_qty = 0.1;
            ins->expiry_ns = series->expiry_ns;
            ins->strike = strike;
            n++;
        }
    return n;
}

static s_series_t *
s_find (sim_chain_t *self, int asset, int64_t expiry_ns)
{
    for (size_t i = 0; i < self->n_series; i++)
        if (self->series [i].asset == asset && self->series [i].expiry_ns == expiry_ns)
            return &self->series [i];
    return NULL;
}

int
sim_chain_roll (sim_chain_t *self, int64_t now_ns, sim_chain_index_fn *index,
                sim_chain_list_fn *list, sim_chain_delist_fn *delist, void *arg)
{
    assert (self && index && list && delist);
    //  the day roll: what expired goes first
    for (size_t i = 0; i < self->n_series; ) {
        s_series_t *series = &self->series [i];
        if (series->expiry_ns > now_ns) {
            i++;
            continue;
        }
        size_t n = s_instruments (self, series);
        for (size_t j = 0; j < n; j++)
            delist (arg, self->scratch [j].symbol);
        self->series [i] = self->series [--self->n_series];
    }
    int days [SIM_CHAIN_EXPIRIES];
    int n_days = s_days (self, now_ns, days, SIM_CHAIN_EXPIRIES);
    int rc = 0;
    for (int a = 0; a < self->config->n_assets; a++) {
        if (!self->cfg->assets [a])
            continue;
        for (int d = 0; d < n_days; d++) {
            int64_t expiry = s_expiry_ns (self, days [d]);
            if (s_find (self, a, expiry))
                continue;
            double price = index (arg, a);
            if (!(price > 0))
                continue;           //  not priced yet: the next roll lists it
            if (self->n_series == self->cap_series) {
                size_t cap = self->cap_series ? 2 * self->cap_series : 64;
                s_series_t *grown = (s_series_t *) realloc (self->series, cap * sizeof *grown);
                if (!grown)
                    return -1;
                self->series = grown;
                self->cap_series = cap;
            }
            s_series_t *series = &self->series [self->n_series++];
            double step = sim_chain_step (price, self->cfg->step_pct);
            double center = round (price / step) * step;
            int below = self->cfg->strikes;
            while (below > 0 && center - below * step <= 0)
                below--;
            *series = (s_series_t) { a, expiry, days [d], center - below * step, step,
                                     below + 1 + self->cfg->strikes };
            size_t n = s_instruments (self, series);
            if (list (arg, self->scratch, n) < 0)
                rc = -1;
        }
    }
    return rc;
}

size_t
sim_chain_size (const sim_chain_t *self)
{
    assert (self);
    size_t n = 0;
    for (size_t i = 0; i < self->n_series; i++)
        n += 2 * (size_t) self->series [i].count;
    return n;
}
