/*  hl_wire tests: what Hyperliquid refuses is refused here first, with the
    reason: numbers as the SDK writes them, the tick and lot size rules of
    the docs (their own examples), orders that break them never encoded;
    nonces strictly increasing; key files open to others refused, keys that
    are not keys refused without their text in the error.                 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hl_action.h"
#include "hl_l1.h"
#include "hl_nonce.h"
#include "hl_signer.h"
#include "hl_wire.h"

static void
s_number (double x, const char *want)
{
    char out [HL_WIRE_MAX], err [200];
    int rc = hl_wire_number (x, out, err, sizeof err);
    if (want) {
        if (rc)
            fail_msg ("%.17g refused: %s", x, err);
        assert_string_equal (out, want);
    }
    else
        assert_int_equal (rc, -1);
}

static void
test_numbers_as_the_sdk_writes_them (void **state)
{
    (void) state;
    s_number (0.1, "0.1");
    s_number (100.0, "100");
    s_number (1670.1, "1670.1");
    s_number (0.0147, "0.0147");
    s_number (0.00000001, "0.00000001");
    s_number (123456789.12345678, "123456789.12345678");
    s_number (1e-9, NULL);                      //  lost at 8 decimals
    s_number (0.123456789, NULL);
    s_number (1.000000001, NULL);
    //  within the SDK's 1e-12: written as the 8-decimal text
    s_number (0.1 + 0.2, "0.3");
    s_number (2.0000000000001, "2");
    s_number (-0.0, "0");
    s_number (-2.5, "-2.5");
    s_number (NAN, NULL);
    s_number (INFINITY, NULL);
    s_number (1e15, NULL);
}

static void
s_price (double px, int sz_decimals, bool spot, const char *want, const char *why)
{
    char out [HL_WIRE_MAX], err [200];
    int rc = hl_wire_price (px, sz_decimals, spot, out, err, sizeof err);
    if (want) {
        if (rc)
            fail_msg ("price %.17g (szDecimals %d) refused: %s", px, sz_decimals, err);
        assert_string_equal (out, want);
    }
    else {
        if (rc == 0)
            fail_msg ("price %.17g (szDecimals %d) accepted as %s", px, sz_decimals, out);
        if (!strstr (err, why))
            fail_msg ("price %.17g: '%s' does not say '%s'", px, err, why);
    }
}

static void
test_price_rules (void **state)
{
    (void) state;
    //  the docs' perp examples
    s_price (1234.5, 0, false, "1234.5", NULL);
    s_price (1234.56, 0, false, NULL, "6 significant figures");
    s_price (0.001234, 0, false, "0.001234", NULL);
    s_price (0.0012345, 0, false, NULL, "7 decimals, at most 6 - szDecimals 0");
    s_price (0.01234, 1, false, "0.01234", NULL);
    s_price (0.012345, 1, false, NULL, "6 decimals, at most 6 - szDecimals 1 = 5");
    //  integers whatever their figures; 12345.6 is not one
    s_price (123456, 0, false, "123456", NULL);
    s_price (12345.6, 0, false, NULL, "6 significant figures");
    s_price (100000, 5, false, "100000", NULL);
    //  spot: 8 - szDecimals
    s_price (0.0001234, 0, true, "0.0001234", NULL);
    s_price (0.0001234, 1, true, "0.0001234", NULL);
    s_price (0.0001234, 3, true, NULL, "7 decimals, at most 8 - szDecimals 3 = 5 (spot)");
    //  BTC perp, szDecimals 5: one decimal left
    s_price (65000.5, 5, false, NULL, "6 significant figures");
    s_price (6500.5, 5, false, "6500.5", NULL);
    s_price (650.25, 5, false, NULL, "2 decimals, at most 6 - szDecimals 5 = 1");
    //  not prices
    s_price (-1, 0, false, NULL, "not a number > 0");
    s_price (0, 0, false, NULL, "not a number > 0");
    s_price (NAN, 0, false, NULL, "not a number > 0");
    s_price (INFINITY, 0, false, NULL, "not a number > 0");
    s_price (1.5, -1, false, NULL, "szDecimals -1 outside 0..6");
    s_price (1.5, 7, false, NULL, "szDecimals 7 outside 0..6");
    s_price (0.0000001, 0, false, NULL, "7 decimals");
    s_price (1e-9, 0, true, NULL, "does not survive 8 decimals");
    s_price (1.000000001, 0, false, NULL, "does not survive 8 decimals");
}

static void
s_size (double sz, int sz_decimals, const char *want, const char *why)
{
    char out [HL_WIRE_MAX], err [200];
    int rc = hl_wire_size (sz, sz_decimals, out, err, sizeof err);
    if (want) {
        if (rc)
            fail_msg ("size %.17g (szDecimals %d) refused: %s", sz, sz_decimals, err);
        assert_string_equal (out, want);
    }
    else {
        if (rc == 0)
            fail_msg ("size %.17g (szDecimals %d) accepted as %s", sz, sz_decimals, out);
        if (!strstr (err, why))
            fail_msg ("size %.17g: '%s' does not say '%s'", sz, err, why);
    }
}

static void
test_size_rules (void **state)
{
    (void) state;
    s_size (1.001, 3, "1.001", NULL);           //  the docs' example
    s_size (1.0001, 3, NULL, "size 1.0001 is finer than szDecimals 3");
    s_size (100, 0, "100", NULL);
    s_size (0.5, 0, NULL, "finer than szDecimals 0");
    s_size (0.00001, 5, "0.00001", NULL);
    s_size (0, 3, NULL, "not a number > 0");
    s_size (-1, 3, NULL, "not a number > 0");
    s_size (NAN, 3, NULL, "not a number > 0");
    s_size (1e-9, 8, NULL, "does not survive 8 decimals");
    s_size (1, 9, NULL, "szDecimals 9 outside 0..8");
}

static void
test_rounding_helpers (void **state)
{
    (void) state;
    //  a buy rounds down, a sell up; valid prices stay as they are
    assert_true (hl_wire_round_price (1234.56, 0, false, false) == 1234.5);
    assert_true (hl_wire_round_price (1234.56, 0, false, true) == 1234.6);
    assert_true (hl_wire_round_price (1234.5, 0, false, true) == 1234.5);
    assert_true (hl_wire_round_price (123456.7, 0, false, false) == 123456);
    assert_true (hl_wire_round_price (65000.37, 5, false, true) == 65001);
    assert_true (hl_wire_round_price (0.0012345, 0, false, false) == 0.001234);
    assert_true (hl_wire_round_price (0.29, 2, false, false) == 0.29);
    assert_true (hl_wire_round_price (99999.5, 0, false, true) == 100000);
    assert_true (hl_wire_round_price (0.0000001, 0, false, false) == 0);
    assert_true (hl_wire_round_price (NAN, 0, false, false) == 0);
    //  sizes are cut toward zero, never grown
    assert_true (hl_wire_round_size (1.0009, 3) == 1.0);
    assert_true (hl_wire_round_size (0.29, 2) == 0.29);
    assert_true (hl_wire_round_size (0.0049, 2) == 0);
    //  and what comes out passes the rules
    char out [HL_WIRE_MAX];
    for (double px = 0.00123; px < 2e6; px *= 1.37) {
        for (int szd = 0; szd <= 5; szd++) {
            double r = hl_wire_round_price (px, szd, false, false);
            if (r > 0 && hl_wire_price (r, szd, false, out, NULL, 0))
                fail_msg ("round_price (%.17g, %d) = %.17g is not valid", px, szd, r);
            assert_true (r <= px);
            double s = hl_wire_round_size (px, szd);
            if (s > 0 && hl_wire_size (s, szd, out, NULL, 0))
                fail_msg ("round_size (%.17g, %d) = %.17g is not valid", px, szd, s);
            assert_true (s <= px);
        }
    }
}

static void
test_bad_order_never_encoded (void **state)
{
    (void) state;
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    char err [256];
    hl_order_t orders [2] = {
        { .asset = 0, .is_buy = true, .px = 65000, .sz = 0.001, .tif = HL_TIF_GTC, .sz_decimals = 5 },
        { .asset = 3, .is_buy = true, .px = 1234.56, .sz = 1, .tif = HL_TIF_IOC, .sz_decimals = 2 },
    };
    assert_int_equal (hl_action_order (orders, 1, &buf, err, sizeof err), 0);
    assert_true (buf.size > 0);
    assert_int_equal (hl_action_order (orders, 2, &buf, err, sizeof err), -1);
    assert_int_equal (buf.size, 0);
    assert_non_null (strstr (err, "order 1 (asset 3): price 1234.56 has 6 significant figures"));

    orders [1].px = 1234.5;
    orders [1].sz = 0.001;
    assert_int_equal (hl_action_order (orders, 2, &buf, err, sizeof err), -1);
    assert_non_null (strstr (err, "order 1 (asset 3): size 0.001 is finer than szDecimals 2"));
    orders [1].sz = -1;
    assert_int_equal (hl_action_order (orders, 2, &buf, err, sizeof err), -1);
    assert_non_null (strstr (err, "not a number > 0"));
    orders [1].sz = NAN;
    assert_int_equal (hl_action_order (orders, 2, &buf, err, sizeof err), -1);
    orders [1].sz = 1;
    orders [1].tif = (hl_tif_t) 7;
    assert_int_equal (hl_action_order (orders, 2, &buf, err, sizeof err), -1);
    assert_non_null (strstr (err, "time in force 7 unknown"));
    orders [1].tif = HL_TIF_ALO;
    assert_int_equal (hl_action_order (orders, 2, &buf, err, sizeof err), 0);
    assert_int_equal (hl_action_order (orders, 0, &buf, err, sizeof err), -1);
    hl_cancel_t cancel = { 0, 1 };
    assert_int_equal (hl_action_cancel (&cancel, 0, &buf, err, sizeof err), -1);
    assert_int_equal (hl_action_cancel (&cancel, HL_ACTION_MAX_ITEMS + 1, &buf, err, sizeof err), -1);
    msgpack_sbuffer_destroy (&buf);
}

static void
test_hex_texts (void **state)
{
    (void) state;
    uint8_t cloid [HL_CLOID_SIZE], address [HL_ADDRESS_SIZE];
    char text [HL_CLOID_HEX_SIZE], atext [HL_ADDRESS_HEX_SIZE];
    assert_int_equal (hl_cloid_parse ("0x0123456789ABCDEFabcdef0123456789", cloid), 0);
    hl_cloid_hex (cloid, text);
    assert_string_equal (text, "0x0123456789abcdefabcdef0123456789");
    assert_int_equal (hl_cloid_parse ("0123456789abcdefabcdef0123456789", cloid), -1);
    assert_int_equal (hl_cloid_parse ("0x0123456789abcdefabcdef012345678", cloid), -1);
    assert_int_equal (hl_cloid_parse ("0x0123456789abcdefabcdef012345678g", cloid), -1);
    assert_int_equal (hl_cloid_parse (NULL, cloid), -1);
    assert_int_equal (hl_address_parse ("0x1719884EB866cb12b2287399b15f7db5e7d775ea", address), 0);
    hl_address_hex (address, atext);
    assert_string_equal (atext, "0x1719884eb866cb12b2287399b15f7db5e7d775ea");
    assert_int_equal (hl_address_parse ("0x1719884eb866cb12b2287399b15f7db5e7d775", address), -1);
    assert_int_equal (hl_tif_name ((hl_tif_t) 3), NULL);
}

static void
test_nonces_strictly_increase (void **state)
{
    (void) state;
    hl_nonce_t *nonce = hl_nonce_new (0);
    assert_non_null (nonce);
    assert_int_equal (hl_nonce_next_at (nonce, 1000), 1000);
    assert_int_equal (hl_nonce_next_at (nonce, 1000), 1001);    //  same ms
    assert_int_equal (hl_nonce_next_at (nonce, 1001), 1002);
    assert_int_equal (hl_nonce_next_at (nonce, 900), 1003);     //  clock stepped back
    assert_int_equal (hl_nonce_next_at (nonce, 5000), 5000);
    assert_int_equal (hl_nonce_last (nonce), 5000);
    hl_nonce_destroy (&nonce);
    hl_nonce_destroy (&nonce);

    //  seeded after a restart with a nonce from the future: still above it
    nonce = hl_nonce_new (UINT64_C (4102444800000));
    uint64_t last = hl_nonce_last (nonce);
    for (int i = 0; i < 1000; i++) {
        uint64_t next = hl_nonce_next (nonce);
        assert_true (next > last);
        last = next;
    }
    hl_nonce_destroy (&nonce);
}

#define S_KEY "0x0123456789012345678901234567890123456789012345678901234567890123"

static void
s_write (const char *path, const char *text, mode_t mode)
{
    int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true (fd >= 0);
    assert_int_equal (write (fd, text, strlen (text)), (ssize_t) strlen (text));
    close (fd);
    assert_int_equal (chmod (path, mode), 0);
}

static void
test_key_files (void **state)
{
    (void) state;
    char dir [] = "/tmp/hl_key_XXXXXX";
    assert_non_null (mkdtemp (dir));
    char path [256], err [512];
    snprintf (path, sizeof path, "%s/agent.key", dir);

    //  a key file others may read is refused, whatever it holds
    s_write (path, S_KEY "\n", 0644);
    hl_signer_t *signer = hl_signer_from_file (path, err, sizeof err);
    assert_null (signer);
    assert_non_null (strstr (err, "mode 644 lets group or others in"));
    s_write (path, S_KEY "\n", 0640);
    assert_null (hl_signer_from_file (path, err, sizeof err));
    assert_non_null (strstr (err, "chmod 600"));

    //  0600, with a trailing newline: loaded, the key's address
    s_write (path, S_KEY "\n", 0600);
    signer = hl_signer_from_file (path, err, sizeof err);
    if (!signer)
        fail_msg ("refused: %s", err);
    char address [HL_ADDRESS_HEX_SIZE];
    hl_address_hex (hl_signer_address (signer), address);
    assert_string_equal (address, "0x14791697260e4c9a71f18484c9f997b308e59325");
    hl_signer_destroy (&signer);
    //  the same key without "0x"
    s_write (path, S_KEY + 2, 0400);
    signer = hl_signer_from_file (path, err, sizeof err);
    assert_non_null (signer);
    hl_signer_destroy (&signer);

    //  not keys: refused, the error names the file, never the text
    const char *bad [] = {
        "0x0123456789012345678901234567890123456789012345678901234567890123ab",
        "0x01234567890123456789012345678901234567890123456789012345678901",
        "0x012345678901234567890123456789012345678901234567890123456789012g",
        "0x0000000000000000000000000000000000000000000000000000000000000000",
        //  the group order n: not below it
        "0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
        "a passphrase, not a key",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad [0]; i++) {
        s_write (path, bad [i], 0600);
        signer = hl_signer_from_file (path, err, sizeof err);
        if (signer)
            fail_msg ("key %zu accepted", i);
        assert_non_null (strstr (err, path));
        assert_null (strstr (err, bad [i] + 4));
        assert_null (strstr (err, "0123456789"));
    }
    assert_null (hl_signer_new (NULL, err, sizeof err));
    assert_null (hl_signer_from_secret (NULL, err, sizeof err));

    //  no file, a directory
    unlink (path);
    assert_null (hl_signer_from_file (path, err, sizeof err));
    assert_null (hl_signer_from_file (dir, err, sizeof err));
    rmdir (dir);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_numbers_as_the_sdk_writes_them),
        cmocka_unit_test (test_price_rules),
        cmocka_unit_test (test_size_rules),
        cmocka_unit_test (test_rounding_helpers),
        cmocka_unit_test (test_bad_order_never_encoded),
        cmocka_unit_test (test_hex_texts),
        cmocka_unit_test (test_nonces_strictly_increase),
        cmocka_unit_test (test_key_files),
    };
    return cmocka_run_group_tests_name ("hl_wire", tests, NULL, NULL);
}
