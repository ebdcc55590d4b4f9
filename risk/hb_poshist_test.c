/*  hb_poshist tests: a state is found by the fill it ends with, newest
    first, and the oldest is forgotten when the ring is full.            */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "hb_poshist.h"

static hb_position_t
s_pos (const char *venue, const char *symbol, const char *last_fill, double qty)
{
    hb_position_t pos;
    memset (&pos, 0, sizeof pos);
    strcpy (pos.venue, venue);
    strcpy (pos.symbol, symbol);
    strcpy (pos.last_fill, last_fill);
    pos.qty = qty;
    return pos;
}

static void
test_find (void **state)
{
    (void) state;
    hb_poshist_t *hist = hb_poshist_new (3);
    assert_non_null (hist);
    assert_null (hb_poshist_latest (hist, "beta", "BTC-PERP"));
    hb_position_t pos = s_pos ("beta", "BTC-PERP", "", -1);
    hb_poshist_add (hist, &pos);
    pos = s_pos ("beta", "BTC-PERP", "f1", -2);
    hb_poshist_add (hist, &pos);
    pos.qty = -2.5;                 //  a timer republish of the same state, newer
    hb_poshist_add (hist, &pos);
    const hb_position_t *found = hb_poshist_find (hist, "beta", "BTC-PERP", "f1");
    assert_non_null (found);
    assert_true (found->qty == -2.5);
    assert_true (hb_poshist_find (hist, "beta", "BTC-PERP", "")->qty == -1);
    assert_null (hb_poshist_find (hist, "alpha", "BTC-PERP", "f1"));
    assert_null (hb_poshist_find (hist, "beta", "BTC-USD", "f1"));
    //  full: the oldest ("") goes
    pos = s_pos ("alpha", "BTC-USD", "a7", 10);
    hb_poshist_add (hist, &pos);
    assert_null (hb_poshist_find (hist, "beta", "BTC-PERP", ""));
    assert_true (hb_poshist_latest (hist, "beta", "BTC-PERP")->qty == -2.5);
    assert_true (hb_poshist_latest (hist, "alpha", "BTC-USD")->qty == 10);
    hb_poshist_destroy (&hist);
    assert_null (hist);
    hb_poshist_destroy (&hist);
    assert_null (hb_poshist_new (0));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_find),
    };
    return cmocka_run_group_tests_name ("hb_poshist", tests, NULL, NULL);
}
