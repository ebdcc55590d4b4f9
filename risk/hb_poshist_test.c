/*  hb_poshist tests: a state is found by the fill it ends with, newest
    first, and the oldest is forgotten when the ring is full; positions
    pending (a fill taken without its state) until a state including it is
    applied, never "the latest"; republications converge; a snapshot
    behind the fill keeps it pending, one ahead clears it; a refused fill is
    given up only while the aggregator keeps publishing.                 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "hb_poshist.h"

#define S_S     1000000000LL

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
    hb_poshist_t *hist = hb_poshist_new (3, 4);
    assert_non_null (hist);
    assert_null (hb_poshist_find (hist, "beta", "BTC-PERP", ""));
    hb_position_t pos = s_pos ("beta", "BTC-PERP", "", -1);
    hb_poshist_add (hist, &pos, 1, 1, S_S);
    pos = s_pos ("beta", "BTC-PERP", "f1", -2);
    hb_poshist_add (hist, &pos, 1, 2, S_S);
    pos.qty = -2.5;                 //  a timer republish of the same state, newer
    hb_poshist_add (hist, &pos, 1, 3, S_S);
    const hb_position_t *found = hb_poshist_find (hist, "beta", "BTC-PERP", "f1");
    assert_non_null (found);
    assert_true (found->qty == -2.5);
    assert_true (hb_poshist_find (hist, "beta", "BTC-PERP", "")->qty == -1);
    assert_null (hb_poshist_find (hist, "alpha", "BTC-PERP", "f1"));
    assert_null (hb_poshist_find (hist, "beta", "BTC-USD", "f1"));
    //  full: the oldest ("") goes
    pos = s_pos ("alpha", "BTC-USD", "a7", 10);
    hb_poshist_add (hist, &pos, 1, 4, S_S);
    assert_null (hb_poshist_find (hist, "beta", "BTC-PERP", ""));
    assert_true (hb_poshist_find (hist, "alpha", "BTC-USD", "a7")->qty == 10);
    hb_poshist_destroy (&hist);
    assert_null (hist);
    hb_poshist_destroy (&hist);
    assert_null (hb_poshist_new (0, 1));
    assert_null (hb_poshist_new (1, 0));
}

//  The stall: f2 taken on the grid while the aggregator is frozen
static void
test_pending_late_state (void **state)
{
    (void) state;
    hb_poshist_t *hist = hb_poshist_new (16, 4);
    //  the start: a snapshot at 1 BTC after f1
    hb_position_t pos = s_pos ("alpha", "BTC-USD", "f1", 1);
    assert_true (hb_poshist_snapshot (hist, &pos, 1, 10));
    //  the state of f1 comes before the grid takes f1: nothing now
    assert_false (hb_poshist_add (hist, &pos, 1, 10, S_S));
    const hb_position_t *taken = hb_poshist_take (hist, "alpha", "BTC-USD", "f1", S_S);
    assert_non_null (taken);
    assert_true (taken->qty == 1);
    assert_int_equal (hb_poshist_pending (hist, NULL), 0);

    //  f2 (sell 6) is taken with no state naming it: pending, and the
    //  latest state (f1's) is not handed out
    assert_null (hb_poshist_take (hist, "alpha", "BTC-USD", "f2", 5 * S_S));
    int64_t since;
    assert_int_equal (hb_poshist_pending (hist, &since), 1);
    assert_true (since == 5 * S_S);
    //  a republication of f1's state (its timer, before the freeze): not
    //  applied, still pending
    pos.qty = 1;
    assert_false (hb_poshist_add (hist, &pos, 1, 11, 6 * S_S));
    assert_int_equal (hb_poshist_pending (hist, NULL), 1);
    //  a second fill while pending: still one position pending, since f2
    assert_null (hb_poshist_take (hist, "alpha", "BTC-USD", "f3", 7 * S_S));
    assert_int_equal (hb_poshist_pending (hist, &since), 1);
    assert_true (since == 5 * S_S);
    //  the aggregator resumes: f2's state is not enough (f3 taken since)
    pos = s_pos ("alpha", "BTC-USD", "f2", -5);
    assert_false (hb_poshist_add (hist, &pos, 1, 12, 13 * S_S));
    assert_int_equal (hb_poshist_pending (hist, NULL), 1);
    //  f3's: applied now, out of the grid's order, and no longer pending
    pos = s_pos ("alpha", "BTC-USD", "f3", -4);
    assert_true (hb_poshist_add (hist, &pos, 1, 13, 13 * S_S));
    assert_int_equal (hb_poshist_pending (hist, &since), 0);
    assert_true (since == 0);
    //  its timer republishes it, changed (the owner's word): applied
    pos.qty = -4.5;
    assert_true (hb_poshist_add (hist, &pos, 1, 20, 14 * S_S));
    //  an older envelope never is
    assert_false (hb_poshist_add (hist, &pos, 1, 19, 14 * S_S));
    //  nor a state ahead of the grid (f4 not taken yet): it waits for it
    pos = s_pos ("alpha", "BTC-USD", "f4", -3);
    assert_false (hb_poshist_add (hist, &pos, 1, 21, 15 * S_S));
    taken = hb_poshist_take (hist, "alpha", "BTC-USD", "f4", 15 * S_S);
    assert_non_null (taken);
    assert_true (taken->qty == -3);
    assert_int_equal (hb_poshist_pending (hist, NULL), 0);
    hb_poshist_destroy (&hist);
}

//  A snapshot answered while the aggregator had not applied the fill
//  keeps it pending; one that is ahead of it (a fill not seen yet) clears
//  it; one older than what was applied is not applied
static void
test_pending_snapshot (void **state)
{
    (void) state;
    hb_poshist_t *hist = hb_poshist_new (16, 4);
    hb_position_t pos = s_pos ("beta", "ETH-PERP", "e1", 2);
    assert_true (hb_poshist_snapshot (hist, &pos, 1, 5));
    assert_null (hb_poshist_take (hist, "beta", "ETH-PERP", "e2", S_S));
    //  behind: still e1
    pos.qty = 2;
    assert_true (hb_poshist_snapshot (hist, &pos, 1, 6));
    assert_int_equal (hb_poshist_pending (hist, NULL), 1);
    //  a stale reply (older envelope) is not applied
    assert_false (hb_poshist_snapshot (hist, &pos, 1, 4));
    //  ahead: e3, which the grid has not taken yet, holds e2
    pos = s_pos ("beta", "ETH-PERP", "e3", 7);
    assert_true (hb_poshist_snapshot (hist, &pos, 1, 9));
    assert_int_equal (hb_poshist_pending (hist, NULL), 0);
    //  the grid takes e3: its state
    assert_true (hb_poshist_take (hist, "beta", "ETH-PERP", "e3", 2 * S_S)->qty == 7);
    //  two positions pending at once: both counted, the oldest time
    assert_null (hb_poshist_take (hist, "beta", "ETH-PERP", "e4", 3 * S_S));
    assert_null (hb_poshist_take (hist, "alpha", "ETH-USD", "a1", 4 * S_S));
    int64_t since;
    assert_int_equal (hb_poshist_pending (hist, &since), 2);
    assert_true (since == 3 * S_S);
    hb_poshist_destroy (&hist);
}

//  A fill the aggregator refused: given up only after age_ns and only when
//  it has published the position since (quiet_ns after the fill)
static void
test_expire (void **state)
{
    (void) state;
    hb_poshist_t *hist = hb_poshist_new (16, 4);
    hb_position_t pos = s_pos ("alpha", "BTC-USD", "f1", 1);
    assert_true (hb_poshist_snapshot (hist, &pos, 1, 1));
    assert_null (hb_poshist_take (hist, "alpha", "BTC-USD", "bogus", 10 * S_S));
    //  silent aggregator (frozen): never given up
    assert_null (hb_poshist_expire (hist, 100 * S_S, 20 * S_S, 3 * S_S));
    //  a republication 1 s after: too soon to tell
    assert_false (hb_poshist_add (hist, &pos, 1, 2, 11 * S_S));
    assert_null (hb_poshist_expire (hist, 100 * S_S, 20 * S_S, 3 * S_S));
    //  one 5 s after, still without it: given up, but only after 20 s
    pos.qty = 1.5;
    assert_false (hb_poshist_add (hist, &pos, 1, 3, 15 * S_S));
    assert_null (hb_poshist_expire (hist, 29 * S_S, 20 * S_S, 3 * S_S));
    const hb_position_t *given = hb_poshist_expire (hist, 31 * S_S, 20 * S_S, 3 * S_S);
    assert_non_null (given);
    assert_true (given->qty == 1.5);
    assert_int_equal (hb_poshist_pending (hist, NULL), 0);
    assert_null (hb_poshist_expire (hist, 32 * S_S, 20 * S_S, 3 * S_S));
    //  and its republications are applied from now on
    assert_true (hb_poshist_add (hist, &pos, 1, 4, 33 * S_S));
    hb_poshist_destroy (&hist);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_find),
        cmocka_unit_test (test_pending_late_state),
        cmocka_unit_test (test_pending_snapshot),
        cmocka_unit_test (test_expire),
    };
    return cmocka_run_group_tests_name ("hb_poshist", tests, NULL, NULL);
}
