/*  hb_transfers: money in flight survives restarts. A request is journaled
    with an id of its route's count; after a reopen it is still in flight,
    counted once (pending and today's use), and the next request of the
    same route takes the next id (never the same one: never re-sent).
    Statuses go forward only (a repeat, a step back, a stranger's id, a
    disagreeing route are ignored); a credit or a refusal ends the flight;
    a transfer not credited long after its eta is timed out once and still
    counted; a journal record that does not parse refuses the start.       */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "hb_journal.h"
#include "hb_transfers.h"

enum { ALPHA, BETA };
#define NOW     1763700000000000000ll       //  some day, 04:40 UTC
#define SEC     1000000000ll

static hb_config_t s_cfg;

typedef struct {
    char dir [64];
    char path [128];
} s_fixture_t;

static int
s_setup (void **state)
{
    s_fixture_t *f = (s_fixture_t *) calloc (1, sizeof *f);
    strcpy (f->dir, "/tmp/hb_transfers_test.XXXXXX");
    assert_non_null (mkdtemp (f->dir));
    snprintf (f->path, sizeof f->path, "%s/treasury.journal", f->dir);
    hb_config_t *cfg = &s_cfg;
    memset (cfg, 0, sizeof *cfg);
    cfg->n_venues = 2;
    strcpy (cfg->venues [ALPHA].name, "alpha");
    strcpy (cfg->venues [BETA].name, "beta");
    hb_treasury_cfg_t *t = &cfg->treasury;
    t->timeout_s = 600;
    t->n_routes = 2;
    strcpy (t->routes [0].name, "alpha-beta-usdc");
    t->routes [0].from = ALPHA;
    t->routes [0].to = BETA;
    strcpy (t->routes [0].asset, "USDC");
    strcpy (t->routes [0].network, "arbitrum");
    t->routes [0].delay_s = 300;
    t->routes [0].spread_s = 60;
    t->routes [0].fee = 1;
    t->routes [0].automatic = true;
    t->routes [1] = t->routes [0];
    strcpy (t->routes [1].name, "beta-alpha-usdc");
    t->routes [1].from = BETA;
    t->routes [1].to = ALPHA;
    *state = f;
    return 0;
}

static int
s_teardown (void **state)
{
    s_fixture_t *f = (s_fixture_t *) *state;
    char path [160];
    unlink (f->path);
    snprintf (path, sizeof path, "%s.created", f->path);
    unlink (path);
    rmdir (f->dir);
    free (f);
    return 0;
}

static void
s_totals (hb_transfers_t *book, int64_t now, double *pending, double *used)
{
    hb_transfers_totals (book, now, pending, used);
}

//  A request survives a restart: in flight, counted once, and the next
//  request takes a new id
static void
test_restart_in_flight (void **state)
{
    s_fixture_t *f = (s_fixture_t *) *state;
    hb_transfers_t *book = hb_transfers_open (&s_cfg, f->path);
    assert_non_null (book);
    hb_transfer_t t;
    assert_int_equal (hb_transfers_request (book, 0, 25000, 25000, NOW, &t), 0);
    assert_string_equal (t.id, "alpha-beta-usdc.1");
    assert_int_equal (t.status, HB_TRANSFER_REQUESTED);
    assert_int_equal (t.eta_ns, NOW + 300 * SEC);
    assert_float_equal (t.fee, 1, 0);
    //  what is requested encodes as capital.transfer
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_CAPITAL_TRANSFER;
    strcpy (msg.env.publisher, "treasury");
    msg.u.transfer = t;
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    hb_transfers_destroy (&book);
    assert_null (book);

    //  a crash after the journal, before or after the send: the same book
    for (int restart = 0; restart < 3; restart++) {
        book = hb_transfers_open (&s_cfg, f->path);
        assert_non_null (book);
        assert_int_equal (hb_transfers_size (book), 1);
        const hb_transfer_t *back = hb_transfers_at (book, 0);
        assert_string_equal (back->id, "alpha-beta-usdc.1");
        assert_true (hb_transfer_in_flight (back));
        assert_float_equal (back->amount, 25000, 0);
        assert_int_equal (back->requested_ns, NOW);
        assert_null (hb_transfers_at (book, 1));
        double pending [2], used [2];
        s_totals (book, NOW + 10 * SEC, pending, used);
        assert_float_equal (pending [BETA], 25000, 0);      //  once, not per restart
        assert_float_equal (pending [ALPHA], 0, 0);
        assert_float_equal (used [0], 25000, 0);
        assert_float_equal (used [1], 0, 0);
        hb_transfers_destroy (&book);
    }
    //  the next request of the route is another transfer, with the next id
    book = hb_transfers_open (&s_cfg, f->path);
    assert_int_equal (hb_transfers_request (book, 0, 5000, 5000, NOW + 20 * SEC, &t), 0);
    assert_string_equal (t.id, "alpha-beta-usdc.2");
    assert_int_equal (hb_transfers_request (book, 1, 10, 10, NOW + 21 * SEC, &t), 0);
    assert_string_equal (t.id, "beta-alpha-usdc.1");
    double pending [2], used [2];
    s_totals (book, NOW + 30 * SEC, pending, used);
    assert_float_equal (pending [BETA], 30000, 0);
    assert_float_equal (pending [ALPHA], 10, 0);
    //  the next UTC day starts its daily use afresh; in flight stays in flight
    s_totals (book, NOW + 86400 * SEC, pending, used);
    assert_float_equal (used [0], 0, 0);
    assert_float_equal (pending [BETA], 30000, 0);
    //  bad amounts are refused, nothing journaled
    assert_int_equal (hb_transfers_request (book, 0, 0, 0, NOW, &t), -1);
    assert_int_equal (hb_transfers_request (book, 0, -5, 0, NOW, &t), -1);
    assert_int_equal (hb_transfers_size (book), 3);
    hb_transfers_destroy (&book);
}

static hb_transfer_t
s_status (const hb_transfer_t *t, int status, int64_t credited, const char *reason)
{
    hb_transfer_t s = *t;
    s.status = (uint8_t) status;
    s.credited_ns = credited;
    snprintf (s.reason, sizeof s.reason, "%s", reason);
    return s;
}

//  Forward only; a credit or refusal ends the flight, across a restart too
static void
test_statuses (void **state)
{
    s_fixture_t *f = (s_fixture_t *) *state;
    hb_transfers_t *book = hb_transfers_open (&s_cfg, f->path);
    hb_transfer_t a, b, out;
    assert_int_equal (hb_transfers_request (book, 0, 1000, 1000, NOW, &a), 0);
    assert_int_equal (hb_transfers_request (book, 0, 2000, 2000, NOW, &b), 0);
    hb_transfer_t s = s_status (&a, HB_TRANSFER_SENT, 0, "");
    assert_int_equal (hb_transfers_apply (book, &s, &out), 1);
    assert_int_equal (out.status, HB_TRANSFER_SENT);
    assert_int_equal (hb_transfers_apply (book, &s, &out), 0);             //  a repeat
    s = s_status (&a, HB_TRANSFER_REQUESTED, 0, "");
    assert_int_equal (hb_transfers_apply (book, &s, &out), 0);             //  a step back
    s = s_status (&a, HB_TRANSFER_TIMED_OUT, 0, "");
    assert_int_equal (hb_transfers_apply (book, &s, &out), 0);             //  ours to say
    s = s_status (&a, HB_TRANSFER_CREDITED, 0, "");
    assert_int_equal (hb_transfers_apply (book, &s, &out), 0);             //  a credit with no time
    s = s_status (&a, HB_TRANSFER_CREDITED, NOW + 310 * SEC, "");
    strcpy (s.id, "alpha-beta-usdc.99");
    assert_int_equal (hb_transfers_apply (book, &s, &out), 0);             //  not ours
    s = s_status (&a, HB_TRANSFER_CREDITED, NOW + 310 * SEC, "");
    strcpy (s.to, "alpha");
    assert_int_equal (hb_transfers_apply (book, &s, &out), 0);             //  disagrees
    s = s_status (&a, HB_TRANSFER_CREDITED, NOW + 310 * SEC, "");
    assert_int_equal (hb_transfers_apply (book, &s, &out), 1);
    assert_int_equal (out.credited_ns, NOW + 310 * SEC);
    s = s_status (&a, HB_TRANSFER_REFUSED, 0, "too late");
    assert_int_equal (hb_transfers_apply (book, &s, &out), 0);             //  after a final one
    s = s_status (&b, HB_TRANSFER_REFUSED, 0, "destination not on the allow-list\nsecond line");
    assert_int_equal (hb_transfers_apply (book, &s, &out), 1);
    assert_string_equal (out.reason, "destination not on the allow-list second line");
    double pending [2], used [2];
    s_totals (book, NOW, pending, used);
    assert_float_equal (pending [BETA], 0, 0);
    assert_float_equal (used [0], 1000, 0);         //  a refused one took nothing
    hb_transfers_destroy (&book);
    book = hb_transfers_open (&s_cfg, f->path);
    assert_non_null (book);
    assert_int_equal (hb_transfers_at (book, 0)->status, HB_TRANSFER_CREDITED);
    assert_int_equal (hb_transfers_at (book, 0)->credited_ns, NOW + 310 * SEC);
    assert_int_equal (hb_transfers_at (book, 1)->status, HB_TRANSFER_REFUSED);
    assert_string_equal (hb_transfers_at (book, 1)->reason, "destination not on the allow-list second line");
    s_totals (book, NOW, pending, used);
    assert_float_equal (pending [BETA], 0, 0);
    assert_float_equal (used [0], 1000, 0);
    hb_transfers_destroy (&book);
}

//  A transfer that never arrives is timed out once, stays counted, and a
//  late credit still ends it
static void
test_timeout (void **state)
{
    s_fixture_t *f = (s_fixture_t *) *state;
    hb_transfers_t *book = hb_transfers_open (&s_cfg, f->path);
    hb_transfer_t t, out [4];
    assert_int_equal (hb_transfers_request (book, 0, 1000, 1000, NOW, &t), 0);
    //  eta + spread + timeout = 300 + 60 + 600 s
    assert_int_equal (hb_transfers_expire (book, NOW + 960 * SEC, out, 4), 0);
    assert_int_equal (hb_transfers_expire (book, NOW + 961 * SEC, out, 4), 1);
    assert_int_equal (out [0].status, HB_TRANSFER_TIMED_OUT);
    assert_non_null (strstr (out [0].reason, "in doubt"));
    assert_int_equal (hb_transfers_expire (book, NOW + 2000 * SEC, out, 4), 0);     //  once
    double pending [2];
    hb_transfers_totals (book, NOW, pending, NULL);
    assert_float_equal (pending [BETA], 1000, 0);
    hb_transfers_destroy (&book);
    book = hb_transfers_open (&s_cfg, f->path);
    assert_int_equal (hb_transfers_at (book, 0)->status, HB_TRANSFER_TIMED_OUT);
    assert_int_equal (hb_transfers_expire (book, NOW + 3000 * SEC, out, 4), 0);
    hb_transfer_t s = s_status (&t, HB_TRANSFER_CREDITED, NOW + 2500 * SEC, "");
    assert_int_equal (hb_transfers_apply (book, &s, &out [0]), 1);
    hb_transfers_totals (book, NOW, pending, NULL);
    assert_float_equal (pending [BETA], 0, 0);
    hb_transfers_destroy (&book);
}

//  A route taken out of the config: its transfer in flight still counts
//  (by its venue); a record that does not parse refuses the start
static void
test_journal_edges (void **state)
{
    s_fixture_t *f = (s_fixture_t *) *state;
    hb_transfers_t *book = hb_transfers_open (&s_cfg, f->path);
    hb_transfer_t t;
    assert_int_equal (hb_transfers_request (book, 1, 700, 700, NOW, &t), 0);
    hb_transfers_destroy (&book);
    s_cfg.treasury.n_routes = 1;
    book = hb_transfers_open (&s_cfg, f->path);
    assert_non_null (book);
    double pending [2], used [1];
    hb_transfers_totals (book, NOW, pending, used);
    assert_float_equal (pending [ALPHA], 700, 0);
    assert_float_equal (used [0], 0, 0);
    hb_transfers_destroy (&book);
    hb_journal_t *journal = hb_journal_open_owned (f->path, HB_JOURNAL_FSYNC_ALWAYS, 0);
    assert_non_null (journal);
    assert_int_equal (hb_journal_append (journal, "U nobody sent 0", 15), 0);
    hb_journal_destroy (&journal);
    assert_null (hb_transfers_open (&s_cfg, f->path));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test_setup_teardown (test_restart_in_flight, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_statuses, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_timeout, s_setup, s_teardown),
        cmocka_unit_test_setup_teardown (test_journal_edges, s_setup, s_teardown),
    };
    return cmocka_run_group_tests (tests, NULL, NULL);
}
