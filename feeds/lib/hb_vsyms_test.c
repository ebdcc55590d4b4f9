/*  hb_vsyms: names from sym.<symbol> (the symbol when absent), looked up
    both ways by index, name and symbol; an empty, too long or shared name
    refused with the param in the error.                                  */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_vsyms.h"

static hb_venue_cfg_t *
s_venue (void)
{
    hb_venue_cfg_t *venue = (hb_venue_cfg_t *) calloc (1, sizeof *venue);
    assert_non_null (venue);
    hb_venue_cfg_alloc (venue, 3, 3);
    venue->n_instruments = 3;
    snprintf (venue->instruments [0].symbol, HB_NAME_MAX, "BTC-USD");
    snprintf (venue->instruments [1].symbol, HB_NAME_MAX, "ETH-PERP");
    snprintf (venue->instruments [2].symbol, HB_NAME_MAX, "SOL-USD");
    venue->n_params = 1;
    snprintf (venue->params [0].key, HB_NAME_MAX, "sym.ETH-PERP");
    snprintf (venue->params [0].value, HB_PATH_MAX, "ETH-USDT-SWAP");
    return venue;
}

static void
test_names (void **state)
{
    (void) state;
    hb_venue_cfg_t *venue = s_venue ();
    char err [128] = "";
    hb_vsyms_t *syms = hb_vsyms_new (venue, "an X id", "id", err, sizeof err);
    assert_non_null (syms);
    assert_int_equal (hb_vsyms_count (syms), 3);
    assert_string_equal (hb_vsyms_id (syms, 0), "BTC-USD");
    assert_string_equal (hb_vsyms_id (syms, 1), "ETH-USDT-SWAP");
    assert_ptr_equal (hb_vsyms_inst (syms, 1), &venue->instruments [1]);
    assert_null (hb_vsyms_id (syms, 3));
    assert_null (hb_vsyms_id (syms, -1));
    assert_null (hb_vsyms_inst (syms, 3));
    assert_int_equal (hb_vsyms_find_id (syms, "ETH-USDT-SWAP"), 1);
    assert_int_equal (hb_vsyms_find_id (syms, "ETH-PERP"), -1);
    assert_int_equal (hb_vsyms_find_id (syms, NULL), -1);
    assert_int_equal (hb_vsyms_find_symbol (syms, "SOL-USD"), 2);
    assert_int_equal (hb_vsyms_find_symbol (syms, "ETH-USDT-SWAP"), -1);
    assert_int_equal (hb_vsyms_find_symbol (syms, NULL), -1);
    assert_string_equal (hb_vsyms_symbol_of (syms, "ETH-USDT-SWAP"), "ETH-PERP");
    assert_string_equal (hb_vsyms_id_of (syms, "ETH-PERP"), "ETH-USDT-SWAP");
    assert_null (hb_vsyms_symbol_of (syms, "nope"));
    assert_null (hb_vsyms_id_of (syms, "nope"));
    hb_vsyms_destroy (&syms);
    assert_null (syms);
    hb_vsyms_destroy (&syms);
    hb_venue_cfg_release (venue);
    free (venue);
}

static void
test_refusals (void **state)
{
    (void) state;
    hb_venue_cfg_t *venue = s_venue ();
    char err [160] = "";
    //  two symbols on one name
    snprintf (venue->params [0].value, HB_PATH_MAX, "BTC-USD");
    assert_null (hb_vsyms_new (venue, "an X id", "id", err, sizeof err));
    assert_string_equal (err, "params.sym.ETH-PERP: id 'BTC-USD' is already used by BTC-USD");
    venue->params [0].value [0] = 0;
    assert_null (hb_vsyms_new (venue, "an X id", "id", err, sizeof err));
    assert_string_equal (err, "params.sym.ETH-PERP: '' is not an X id");
    memset (venue->params [0].value, 'A', HB_NAME_MAX);
    venue->params [0].value [HB_NAME_MAX] = 0;
    assert_null (hb_vsyms_new (venue, "an X id", "id", err, sizeof err));
    assert_non_null (strstr (err, "is not an X id"));
    //  no instruments: an empty map
    hb_venue_cfg_alloc (venue, 0, 0);
    venue->n_instruments = 0;
    hb_vsyms_t *syms = hb_vsyms_new (venue, "an X id", "id", err, sizeof err);
    assert_non_null (syms);
    assert_int_equal (hb_vsyms_count (syms), 0);
    assert_null (hb_vsyms_id_of (syms, "BTC-USD"));
    hb_vsyms_destroy (&syms);
    hb_venue_cfg_release (venue);
    free (venue);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_names),
        cmocka_unit_test (test_refusals),
    };
    return cmocka_run_group_tests_name ("hb_vsyms", tests, NULL, NULL);
}
