/*  hb_vslots: a duplicate client id and a full table are refused with
    their reasons; a handle finds its slot until the slot is freed, and
    never the order that reuses it; find by key or by the venue's id; the
    venue's part of a slot is zeroed when it is taken again.              */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "hb_vslots.h"

typedef struct {
    hb_vslot_t v;
    double     cum;             //  the venue's own part
} s_slot_t;

static hb_order_t
s_order (const char *client_id)
{
    hb_order_t order;
    memset (&order, 0, sizeof order);
    snprintf (order.client_id, sizeof order.client_id, "%s", client_id);
    snprintf (order.symbol, sizeof order.symbol, "BTC-USD");
    order.qty = 1;
    return order;
}

static void
test_table (void **state)
{
    (void) state;
    hb_vslots_t *slots = hb_vslots_new (2, sizeof (s_slot_t));
    assert_non_null (slots);
    const char *why = NULL;
    assert_int_equal (hb_vslots_check (slots, "k-1", &why), HB_REJ_NONE);
    assert_null (why);
    hb_order_t o1 = s_order ("c-1"), o2 = s_order ("c-2");
    void *p = NULL;
    int h1 = hb_vslots_take (slots, &o1, "k-1", 0.5, &p);
    assert_true (h1 >= 0);
    s_slot_t *s1 = (s_slot_t *) p;
    assert_true (s1->v.used);
    assert_string_equal (s1->v.order.client_id, "c-1");
    assert_string_equal (s1->v.key, "k-1");
    assert_true (s1->v.scale == 0.5);
    s1->cum = 3;
    assert_int_equal (hb_vslots_check (slots, "k-1", &why), HB_REJ_DUPLICATE_ID);
    assert_string_equal (why, "client id already in flight");
    int h2 = hb_vslots_take (slots, &o2, "k-2", 1, &p);
    assert_true (h2 >= 0 && h2 != h1);
    assert_int_equal (hb_vslots_inflight (slots), 2);
    assert_int_equal (hb_vslots_check (slots, "k-3", &why), HB_REJ_RATE_LIMIT);
    assert_string_equal (why, "too many orders in flight");
    assert_int_equal (hb_vslots_take (slots, &o2, "k-3", 1, &p), -1);
    assert_ptr_equal (hb_vslots_get (slots, h1), s1);
    assert_ptr_equal (hb_vslots_find (slots, "k-1", NULL), s1);
    snprintf (s1->v.order_id, sizeof s1->v.order_id, "V-9");
    assert_ptr_equal (hb_vslots_find (slots, NULL, "V-9"), s1);
    assert_ptr_equal (hb_vslots_find (slots, "", "V-9"), s1);
    assert_null (hb_vslots_find (slots, "k-9", "V-0"));
    assert_null (hb_vslots_find (slots, "", ""));
    assert_null (hb_vslots_get (slots, -1));
    //  freed: its handle misses, also once the slot is reused
    s1->v.used = false;
    assert_null (hb_vslots_get (slots, h1));
    assert_null (hb_vslots_find (slots, "k-1", "V-9"));
    int h3 = hb_vslots_take (slots, &o1, "k-1", 1, &p);
    assert_ptr_equal (p, s1);
    assert_true (h3 != h1);
    assert_null (hb_vslots_get (slots, h1));
    assert_ptr_equal (hb_vslots_get (slots, h3), s1);
    assert_true (s1->cum == 0);
    assert_string_equal (s1->v.order_id, "");
    hb_vslots_destroy (&slots);
    assert_null (slots);
    hb_vslots_destroy (&slots);
}

static void
test_admit (void **state)
{
    (void) state;
    hb_vslots_t *slots = hb_vslots_new (1, sizeof (s_slot_t));
    hb_instrument_cfg_t inst;
    memset (&inst, 0, sizeof inst);
    snprintf (inst.symbol, sizeof inst.symbol, "BTC-USD");
    inst.multiplier = 1;
    inst.tick_size = 0.01;
    inst.lot_size = 0.001;
    hb_order_t order = s_order ("c-1");
    order.side = HB_SIDE_BUY;
    order.ord_type = HB_ORD_MARKET;
    const char *why = NULL;
    assert_int_equal (hb_vslots_admit (slots, NULL, &order, "k-1", &why), HB_REJ_UNKNOWN_INSTRUMENT);
    assert_string_equal (why, "no such instrument here");
    assert_int_equal (hb_vslots_admit (slots, &inst, &order, "k-1", &why), HB_REJ_NONE);
    order.qty = 0.0005;         //  off the lot grid, below nothing else
    assert_int_not_equal (hb_vslots_admit (slots, &inst, &order, "k-1", &why), HB_REJ_NONE);
    order.qty = 1;
    void *p;
    assert_true (hb_vslots_take (slots, &order, "k-1", 1, &p) >= 0);
    assert_int_equal (hb_vslots_admit (slots, &inst, &order, "k-1", &why), HB_REJ_DUPLICATE_ID);
    assert_int_equal (hb_vslots_admit (slots, &inst, &order, "k-2", &why), HB_REJ_RATE_LIMIT);
    hb_vslots_destroy (&slots);
}

static void
test_bad_sizes (void **state)
{
    (void) state;
    assert_null (hb_vslots_new (0, sizeof (s_slot_t)));
    assert_null (hb_vslots_new (4, sizeof (hb_vslot_t) - 1));
    hb_vslots_t *slots = hb_vslots_new (4, sizeof (hb_vslot_t));
    assert_non_null (slots);
    hb_vslots_destroy (&slots);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_table),
        cmocka_unit_test (test_admit),
        cmocka_unit_test (test_bad_sizes),
    };
    return cmocka_run_group_tests_name ("hb_vslots", tests, NULL, NULL);
}
