/*  hb_feedxfer: what a feed's venue sent and has not ended survives a
    reopen; credited and refused end it; a status said twice is one
    transfer; a damaged journal is refused.                               */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hb_feedxfer.h"

static hb_transfer_t
s_transfer (const char *id, int status)
{
    hb_transfer_t t;
    memset (&t, 0, sizeof t);
    strcpy (t.id, id);
    strcpy (t.route, "alpha-beta-usdc");
    strcpy (t.from, "alpha");
    strcpy (t.to, "beta");
    strcpy (t.asset, "USDC");
    strcpy (t.network, "arbitrum");
    t.status = (uint8_t) status;
    t.amount = 1000;
    t.fee = 1;
    t.requested_ns = 100;
    t.eta_ns = 4000000100;
    t.credited_ns = status == HB_TRANSFER_CREDITED ? 4000000200 : 0;
    return t;
}

static void
test_resume (void **state)
{
    (void) state;
    char dir [] = "/tmp/hb_feedxfer_test.XXXXXX";
    assert_non_null (mkdtemp (dir));
    char path [256];
    snprintf (path, sizeof path, "%s/feed.fills.transfers", dir);
    hb_feedxfer_t *x = hb_feedxfer_open (path);
    assert_non_null (x);
    hb_transfer_t t;
    t = s_transfer ("r.1", HB_TRANSFER_SENT);
    assert_int_equal (hb_feedxfer_note (x, &t), 0);
    assert_int_equal (hb_feedxfer_note (x, &t), 0);         //  said twice: one
    t = s_transfer ("r.2", HB_TRANSFER_SENT);
    assert_int_equal (hb_feedxfer_note (x, &t), 0);
    t = s_transfer ("r.3", HB_TRANSFER_REFUSED);            //  refused at once: never pending
    assert_int_equal (hb_feedxfer_note (x, &t), 0);
    t = s_transfer ("r.1", HB_TRANSFER_CREDITED);
    assert_int_equal (hb_feedxfer_note (x, &t), 0);
    hb_feedxfer_destroy (&x);
    assert_null (x);
    //  the restart: r.2 only, as it was sent
    x = hb_feedxfer_open (path);
    assert_non_null (x);
    hb_transfer_t out [HB_FEEDXFER_MAX];
    assert_int_equal (hb_feedxfer_pending (x, out, HB_FEEDXFER_MAX), 1);
    assert_string_equal (out [0].id, "r.2");
    assert_int_equal (out [0].status, HB_TRANSFER_SENT);
    assert_true (out [0].eta_ns == 4000000100);
    t = s_transfer ("r.2", HB_TRANSFER_REFUSED);
    assert_int_equal (hb_feedxfer_note (x, &t), 0);
    assert_int_equal (hb_feedxfer_pending (x, out, HB_FEEDXFER_MAX), 0);
    hb_feedxfer_destroy (&x);
    x = hb_feedxfer_open (path);
    assert_non_null (x);
    assert_int_equal (hb_feedxfer_pending (x, out, HB_FEEDXFER_MAX), 0);
    hb_feedxfer_destroy (&x);
    //  a damaged journal is refused, not read as empty
    FILE *f = fopen (path, "r+b");
    assert_non_null (f);
    fseek (f, 20, SEEK_SET);
    fputc ('#', f);
    fputc ('#', f);
    fclose (f);
    assert_null (hb_feedxfer_open (path));
    char cmd [300];
    snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal (system (cmd), 0);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_resume),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
