/*  hb_index: median of fresh venue mids; stale, flagged, one-sided and
    crossed quotes never enter.                                            */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "hb_index.h"

#define MS  1000000LL

static hb_tick_t
s_tick (double bid, double ask, uint32_t flags)
{
    hb_tick_t tick;
    memset (&tick, 0, sizeof tick);
    tick.flags = flags;
    tick.n_bids = bid > 0;
    tick.n_asks = ask > 0;
    tick.bids [0].px = bid;
    tick.bids [0].qty = 1;
    tick.asks [0].px = ask;
    tick.asks [0].qty = 1;
    return tick;
}

static void
test_median (void **state)
{
    (void) state;
    hb_index_t *index = hb_index_new (2, 4, 1000 * MS);
    assert_non_null (index);
    double px = -1;
    uint32_t used = 99;
    assert_int_equal (hb_index_price (index, 0, 0, &px, &used), 0);
    assert_true (px == -1);                         //  untouched when stale
    assert_int_equal (used, 0);

    hb_tick_t t1 = s_tick (99, 101, 0), t2 = s_tick (109, 111, 0), t3 = s_tick (89, 91, 0);
    assert_int_equal (hb_index_update (index, 0, 0, &t1, 0, 7, 1), 0);
    assert_int_equal (hb_index_price (index, 0, 0, &px, NULL), 1);
    assert_true (px == 100);
    assert_int_equal (hb_index_update (index, 0, 1, &t2, 0, 7, 2), 0);
    assert_int_equal (hb_index_price (index, 0, 0, &px, NULL), 2);
    assert_true (px == 105);                        //  even: mean of the middle two
    assert_int_equal (hb_index_update (index, 0, 3, &t3, 0, 7, 3), 0);
    assert_int_equal (hb_index_price (index, 0, 0, &px, &used), 3);
    assert_true (px == 100);                        //  odd: the middle one
    assert_int_equal (used, 0x0b);
    //  the other asset is untouched
    assert_int_equal (hb_index_price (index, 1, 0, &px, NULL), 0);
    uint64_t epoch, seq;
    assert_true (hb_index_source (index, 0, 3, &epoch, &seq));
    assert_true (epoch == 7 && seq == 3);
    assert_false (hb_index_source (index, 0, 2, &epoch, &seq));
    //  out of range
    assert_int_equal (hb_index_update (index, 2, 0, &t1, 0, 0, 0), -1);
    assert_int_equal (hb_index_update (index, 0, 4, &t1, 0, 0, 0), -1);
    hb_index_destroy (&index);
    assert_null (index);
    hb_index_destroy (&index);
    assert_null (hb_index_new (0, 1, 1));
    assert_null (hb_index_new (1, HB_INDEX_MAX_VENUES + 1, 1));
    assert_null (hb_index_new (1, 1, 0));
}

static void
test_unusable (void **state)
{
    (void) state;
    hb_index_t *index = hb_index_new (1, 3, 1000 * MS);
    hb_tick_t good = s_tick (99, 101, 0), far = s_tick (199, 201, 0);
    hb_tick_t bad [] = {
        s_tick (202, 200, 0),                   //  crossed
        s_tick (200, 200, 0),                   //  locked counts as crossed
        s_tick (199, 201, HB_TICK_STALE),
        s_tick (199, 201, HB_TICK_OUTAGE),
        s_tick (199, 0, 0),                     //  one side
        s_tick (0, 201, 0),
    };
    double px;
    assert_int_equal (hb_index_update (index, 0, 0, &good, 0, 1, 1), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        //  venue 1 had a good quote far away: an unusable one empties the slot
        assert_int_equal (hb_index_update (index, 0, 1, &far, 0, 1, 1), 0);
        assert_int_equal (hb_index_price (index, 0, 0, &px, NULL), 2);
        assert_true (px == 150);
        assert_int_equal (hb_index_update (index, 0, 1, &bad [i], 0, 1, 2), -1);
        assert_int_equal (hb_index_price (index, 0, 0, &px, NULL), 1);
        assert_true (px == 100);
        assert_false (hb_index_fresh (index, 0, 1, 0));
    }
    //  age: fresh up to the limit, out after it
    assert_true (hb_index_fresh (index, 0, 0, 1000 * MS));
    assert_false (hb_index_fresh (index, 0, 0, 1000 * MS + 1));
    px = -1;
    assert_int_equal (hb_index_price (index, 0, 1000 * MS + 1, &px, NULL), 0);
    assert_true (px == -1);
    hb_index_destroy (&index);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_median),
        cmocka_unit_test (test_unusable),
    };
    return cmocka_run_group_tests_name ("hb_index", tests, NULL, NULL);
}
