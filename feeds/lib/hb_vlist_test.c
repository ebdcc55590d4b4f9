/*  hb_vlist tests: a first answer is listed whole; a later one lists again
    and delists what it lacks; an answer the host refuses changes nothing
    remembered; a host without discovery (or a venue without discover:)
    is not asked.                                                         */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "hb_vlist.h"

typedef struct {
    size_t listed, calls, refuse;
    char   delisted [8][HB_NAME_MAX];
    size_t n_delisted;
} s_host_t;

static int
s_list (void *ctx, const hb_instrument_t *items, size_t count)
{
    (void) items;
    s_host_t *host = (s_host_t *) ctx;
    host->calls++;
    if (host->refuse)
        return -1;
    host->listed += count;
    return (int) count;
}

static int
s_delist (void *ctx, const char *symbol)
{
    s_host_t *host = (s_host_t *) ctx;
    assert_true (host->n_delisted < 8);
    snprintf (host->delisted [host->n_delisted++], HB_NAME_MAX, "%s", symbol);
    return 0;
}

static void
s_items (hb_instrument_t *items, const char *const *symbols, size_t n)
{
    memset (items, 0, n * sizeof *items);
    for (size_t i = 0; i < n; i++)
        snprintf (items [i].symbol, HB_NAME_MAX, "%s", symbols [i]);
}

static void
test_apply (void **state)
{
    (void) state;
    hb_venue_cfg_t venue;
    memset (&venue, 0, sizeof venue);
    s_host_t fake = { 0 };
    hb_host_api_t host = { .abi_version = 5, .size = sizeof host, .ctx = &fake, .venue = &venue,
                           .instrument_list = s_list, .instrument_delist = s_delist };
    assert_false (hb_vlist_wanted (&host));         //  no discover: section
    venue.discover.present = true;
    assert_true (hb_vlist_wanted (&host));
    host.abi_version = 4;
    assert_false (hb_vlist_wanted (&host));
    host.abi_version = 5;

    hb_vlist_t *list = hb_vlist_new ();
    assert_non_null (list);
    hb_instrument_t items [4];
    const char *first [] = { "C", "A", "B" };
    s_items (items, first, 3);
    assert_int_equal (hb_vlist_apply (list, &host, items, 3), 3);
    assert_int_equal (fake.n_delisted, 0);
    assert_int_equal (hb_vlist_size (list), 3);
    //  B expired, D listed
    const char *second [] = { "D", "A", "C" };
    s_items (items, second, 3);
    assert_int_equal (hb_vlist_apply (list, &host, items, 3), 3);
    assert_int_equal (fake.n_delisted, 1);
    assert_string_equal (fake.delisted [0], "B");
    //  refused: nothing delisted, the last answer still the one remembered
    fake.refuse = 1;
    assert_int_equal (hb_vlist_apply (list, &host, items, 1), -1);
    assert_int_equal (fake.n_delisted, 1);
    assert_int_equal (hb_vlist_size (list), 3);
    //  an empty answer delists everything
    fake.refuse = 0;
    assert_int_equal (hb_vlist_apply (list, &host, items, 0), 0);
    assert_int_equal (fake.n_delisted, 4);
    assert_int_equal (hb_vlist_size (list), 0);
    hb_vlist_destroy (&list);
    assert_null (list);
    hb_vlist_destroy (&list);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_apply),
    };
    return cmocka_run_group_tests_name ("hb_vlist", tests, NULL, NULL);
}
