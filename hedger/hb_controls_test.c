/*  hb_controls tests: each control at its limit minus one unit is admitted,
    at its limit plus one refused with its reason and a detail that names
    the limit.                                                              */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hb_controls.h"

#define S_SEC   1000000000LL
#define T0      (20000LL * 86400 * S_SEC + 3600 * S_SEC)    //  01:00 UTC some day

static hb_config_t *
s_config (void)
{
    hb_config_t *cfg = calloc (1, sizeof *cfg);
    assert_non_null (cfg);
    cfg->n_assets = 2;
    strcpy (cfg->assets [0].name, "BTC");
    strcpy (cfg->assets [1].name, "ETH");
    cfg->n_venues = 2;
    strcpy (cfg->venues [0].name, "alpha");
    strcpy (cfg->venues [1].name, "beta");
    hb_hedger_cfg_t *h = &cfg->hedger;
    h->max_order_usd = 10000;
    h->max_order_qty [0] = 5;
    h->collar_bps = 50;
    h->orders_per_s [0] = 2;
    h->orders_per_s [1] = 2;
    h->burst = 3;
    h->max_net_usd [0] = 50000;
    h->max_net_usd [1] = 50000;
    h->max_gross_usd = 0;
    h->max_day_usd = 1e9;
    return cfg;
}

//  A buy of qty BTC at px with the index at 100, flat book.
static hb_ctl_order_t
s_order (double qty, double px)
{
    return (hb_ctl_order_t) {
        .venue = 0, .asset = 0, .side = HB_SIDE_BUY, .qty = qty, .px = px, .index = 100
    };
}

typedef struct {
    hb_config_t   *cfg;
    hb_controls_t *ctl;
} s_fixture_t;

static int
s_setup (void **state)
{
    s_fixture_t *fx = calloc (1, sizeof *fx);
    fx->cfg = s_config ();
    fx->ctl = hb_controls_new (fx->cfg);
    assert_non_null (fx->ctl);
    *state = fx;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *fx = *state;
    hb_controls_destroy (&fx->ctl);
    assert_null (fx->ctl);
    hb_controls_destroy (&fx->ctl);
    hb_config_destroy (&fx->cfg);
    free (fx);
    return 0;
}

//  admit with a fresh token bucket (each call at a later second)
static hb_ctl_reason_t
s_admit (s_fixture_t *fx, hb_ctl_order_t order, char *detail)
{
    static int64_t t = T0;
    t += 10 * S_SEC;
    return hb_controls_admit (fx->ctl, &order, t, detail, 160);
}

static void
test_order_usd (void **state)
{
    s_fixture_t *fx = *state;
    fx->cfg->hedger.max_order_qty [0] = 0;
    char detail [160];
    //  one unit = 1 USD: 9999 and 10000 pass, 10001 does not
    assert_int_equal (s_admit (fx, s_order (99.99, 100), detail), HB_CTL_OK);
    assert_int_equal (s_admit (fx, s_order (100, 100), detail), HB_CTL_OK);
    assert_int_equal (s_admit (fx, s_order (100.01, 100), detail), HB_CTL_ORDER_USD);
    assert_non_null (strstr (detail, "max_order_usd 10000.00"));
    assert_string_equal (hb_ctl_reason_name (HB_CTL_ORDER_USD), "max_order_usd");
}

static void
test_order_qty (void **state)
{
    s_fixture_t *fx = *state;
    char detail [160];
    //  one unit = one lot of 0.001 BTC
    assert_int_equal (s_admit (fx, s_order (4.999, 100), detail), HB_CTL_OK);
    assert_int_equal (s_admit (fx, s_order (5.001, 100), detail), HB_CTL_ORDER_QTY);
    assert_non_null (strstr (detail, "max_order_qty 5"));
    //  no limit for ETH
    hb_ctl_order_t eth = s_order (50, 100);
    eth.asset = 1;
    assert_int_equal (s_admit (fx, eth, detail), HB_CTL_OK);
}

static void
test_collar (void **state)
{
    s_fixture_t *fx = *state;
    char detail [160];
    //  50 bps of 100 = 0.50; one unit = one cent
    assert_int_equal (s_admit (fx, s_order (1, 100.49), detail), HB_CTL_OK);
    assert_int_equal (s_admit (fx, s_order (1, 100.50), detail), HB_CTL_OK);
    assert_int_equal (s_admit (fx, s_order (1, 100.51), detail), HB_CTL_COLLAR);
    assert_non_null (strstr (detail, "collar"));
    hb_ctl_order_t sell = s_order (1, 99.51);
    sell.side = HB_SIDE_SELL;
    assert_int_equal (s_admit (fx, sell, detail), HB_CTL_OK);
    sell.px = 99.49;
    assert_int_equal (s_admit (fx, sell, detail), HB_CTL_COLLAR);
    //  the collar bounds both sides: a price far on the good side means the
    //  book it came from disagrees with the index (a forged or broken book)
    sell.px = 100.50;
    assert_int_equal (s_admit (fx, sell, detail), HB_CTL_OK);
    sell.px = 150;
    assert_int_equal (s_admit (fx, sell, detail), HB_CTL_COLLAR);
    hb_ctl_order_t cheap = s_order (1, 10);         //  a book 90 % below the index
    assert_int_equal (s_admit (fx, cheap, detail), HB_CTL_COLLAR);
    cheap.px = 99.50;
    assert_int_equal (s_admit (fx, cheap, detail), HB_CTL_OK);
    cheap.px = 99.49;
    assert_int_equal (s_admit (fx, cheap, detail), HB_CTL_COLLAR);
    hb_ctl_order_t blind = s_order (1, 100);
    blind.index = 0;
    assert_int_equal (s_admit (fx, blind, detail), HB_CTL_NO_INDEX);
}

static void
test_net (void **state)
{
    s_fixture_t *fx = *state;
    char detail [160];
    //  net 40000 now; +1 BTC at index 100 adds 100 USD
    hb_ctl_order_t order = s_order (1, 100);
    order.net_usd = 49899;                  //  -> 49999
    assert_int_equal (s_admit (fx, order, detail), HB_CTL_OK);
    order.net_usd = 49901;                  //  -> 50001
    assert_int_equal (s_admit (fx, order, detail), HB_CTL_NET);
    assert_non_null (strstr (detail, "max_net_usd 50000.00"));
    //  over the limit but reducing: admitted
    order.net_usd = -60000;
    assert_int_equal (s_admit (fx, order, detail), HB_CTL_OK);
    //  short side
    order.side = HB_SIDE_SELL;
    order.px = 99.9;
    order.net_usd = -49901;                 //  -> -50001
    assert_int_equal (s_admit (fx, order, detail), HB_CTL_NET);
    order.net_usd = -49899;
    assert_int_equal (s_admit (fx, order, detail), HB_CTL_OK);
}

static void
test_gross (void **state)
{
    s_fixture_t *fx = *state;
    fx->cfg->hedger.max_gross_usd = 200000;
    char detail [160];
    hb_ctl_order_t order = s_order (1, 100);
    order.gross_usd = 199899;               //  + 100 -> 199999
    assert_int_equal (s_admit (fx, order, detail), HB_CTL_OK);
    order.gross_usd = 199901;
    assert_int_equal (s_admit (fx, order, detail), HB_CTL_GROSS);
    assert_non_null (strstr (detail, "max_gross_usd 200000.00"));
}

static void
test_day (void **state)
{
    s_fixture_t *fx = *state;
    fx->cfg->hedger.max_day_usd = 1000;
    fx->cfg->hedger.max_order_qty [0] = 0;
    char detail [160];
    int64_t t = T0;
    hb_ctl_order_t order = s_order (9.99, 100);     //  999
    assert_int_equal (hb_controls_admit (fx->ctl, &order, t, detail, sizeof detail), HB_CTL_OK);
    order.qty = 0.02;                               //  999 + 2 = 1001
    assert_int_equal (hb_controls_admit (fx->ctl, &order, t, detail, sizeof detail), HB_CTL_DAY);
    assert_non_null (strstr (detail, "max_day_usd 1000.00"));
    order.qty = 0.01;                               //  exactly 1000
    assert_int_equal (hb_controls_admit (fx->ctl, &order, t, detail, sizeof detail), HB_CTL_OK);
    assert_float_equal (hb_controls_day_usd (fx->ctl, t), 1000, 1e-6);
    //  a refused order counted nothing; the next UTC day starts at 0
    int64_t tomorrow = T0 + 23 * 3600 * S_SEC;
    assert_float_equal (hb_controls_day_usd (fx->ctl, tomorrow), 0, 0);
    assert_int_equal (hb_controls_admit (fx->ctl, &order, tomorrow, detail, sizeof detail), HB_CTL_OK);
    //  replayed intents count
    hb_controls_add_day (fx->ctl, 995, tomorrow);
    order.qty = 0.05;
    assert_int_equal (hb_controls_admit (fx->ctl, &order, tomorrow, detail, sizeof detail), HB_CTL_DAY);
    //  what did not trade is given back (1 + 995 = 996, less 500 unfilled),
    //  never below 0, and an order of yesterday gives nothing back today
    hb_controls_release_day (fx->ctl, 500, tomorrow, tomorrow);
    assert_float_equal (hb_controls_day_usd (fx->ctl, tomorrow), 496, 1e-6);
    assert_int_equal (hb_controls_admit (fx->ctl, &order, tomorrow, detail, sizeof detail), HB_CTL_OK);
    hb_controls_release_day (fx->ctl, 1e6, tomorrow, tomorrow);
    assert_float_equal (hb_controls_day_usd (fx->ctl, tomorrow), 0, 0);
    hb_controls_add_day (fx->ctl, 300, tomorrow);
    hb_controls_release_day (fx->ctl, 300, t, tomorrow);
    assert_float_equal (hb_controls_day_usd (fx->ctl, tomorrow), 300, 1e-6);
}

static void
test_rate (void **state)
{
    s_fixture_t *fx = *state;
    char detail [160];
    hb_ctl_order_t order = s_order (1, 100);
    int64_t t = T0;
    //  burst 3: three at once, the fourth refused
    for (int i = 0; i < 3; i++)
        assert_int_equal (hb_controls_admit (fx->ctl, &order, t, detail, sizeof detail), HB_CTL_OK);
    assert_int_equal (hb_controls_admit (fx->ctl, &order, t, detail, sizeof detail), HB_CTL_RATE);
    assert_non_null (strstr (detail, "alpha"));
    //  another venue has its own bucket
    order.venue = 1;
    assert_int_equal (hb_controls_admit (fx->ctl, &order, t, detail, sizeof detail), HB_CTL_OK);
    order.venue = 0;
    //  2 per second: a token after 500 ms, not 1 ms before
    t += 499 * 1000000LL;
    assert_int_equal (hb_controls_admit (fx->ctl, &order, t, detail, sizeof detail), HB_CTL_RATE);
    t += 1000000LL;
    assert_int_equal (hb_controls_admit (fx->ctl, &order, t, detail, sizeof detail), HB_CTL_OK);
    assert_int_equal (hb_controls_admit (fx->ctl, &order, t, detail, sizeof detail), HB_CTL_RATE);
    //  a refusal for another reason spends no token
    t += 500 * 1000000LL;
    hb_ctl_order_t big = s_order (1000, 100);
    assert_int_equal (hb_controls_admit (fx->ctl, &big, t, NULL, 0), HB_CTL_ORDER_USD);
    assert_int_equal (hb_controls_admit (fx->ctl, &order, t, NULL, 0), HB_CTL_OK);
}

static void
test_kill (void **state)
{
    s_fixture_t *fx = *state;
    char detail [160];
    assert_false (hb_controls_killed (fx->ctl));
    hb_controls_set_killed (fx->ctl, true);
    assert_true (hb_controls_killed (fx->ctl));
    assert_int_equal (s_admit (fx, s_order (0.001, 100), detail), HB_CTL_KILLED);
    assert_non_null (strstr (detail, "kill"));
    hb_controls_set_killed (fx->ctl, false);
    assert_int_equal (s_admit (fx, s_order (0.001, 100), detail), HB_CTL_OK);
}

static void
test_bad_order (void **state)
{
    s_fixture_t *fx = *state;
    hb_ctl_order_t order = s_order (1, 100);
    order.venue = 2;
    assert_int_equal (s_admit (fx, order, NULL), HB_CTL_BAD_ORDER);
    order = s_order (-1, 100);
    assert_int_equal (s_admit (fx, order, NULL), HB_CTL_BAD_ORDER);
    order = s_order (1, 100);
    order.side = 0;
    assert_int_equal (s_admit (fx, order, NULL), HB_CTL_BAD_ORDER);
    assert_string_equal (hb_ctl_reason_name (HB_CTL_COUNT), "unknown");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_order_usd, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_order_qty, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_collar, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_net, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_gross, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_day, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_rate, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_kill, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_bad_order, s_setup, s_teardown),
    };
    return cmocka_run_group_tests_name ("hb_controls", tests, NULL, NULL);
}
