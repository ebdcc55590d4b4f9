/*  hb_vsend: an order without keys, over the bucket or with every slot
    busy is failed with its reason and never posted; a posted order's
    answer reaches the order it belongs to, a cancel's the cancel
    callback; a 429 pauses the bucket (Retry-After, else the default); a
    post that does not send frees its slot; the bucket comes from
    params.orders_per_s / order_burst when given, and bad ones refuse.
    No network: post keeps the completion and the test answers it (the
    REST client is made, on a host whose reactor calls do nothing).     */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "hb_log.h"
#include "hb_vsend.h"

typedef struct {
    int64_t          now;
    int              posts;
    int              post_rc;
    char             path [64];
    hb_rest_done_fn *done;
    void            *done_arg [8];
    int              n_pending;
    int              fail_handle, fail_reason;
    int              answer_handle;
    long             answer_status;
    int              cancels_answered;
    char             cancel_of [64];
    int              warns;
    int              errors;
} s_world_t;

static s_world_t world;

static int64_t s_now (void *ctx) { (void) ctx; return world.now; }

static void
s_log (void *ctx, int level, const char *format, ...)
{
    (void) ctx; (void) format;
    world.warns += level == HB_LOG_WARN;
    world.errors += level == HB_LOG_ERROR;
}

static int
s_post (void *arg, hb_rest_t *rest, const char *path, const char *body, hb_rest_done_fn *done,
        void *done_arg)
{
    (void) arg; (void) body;
    assert_non_null (rest);
    world.posts++;
    snprintf (world.path, sizeof world.path, "%s", path);
    if (world.post_rc)
        return world.post_rc;
    world.done = done;
    world.done_arg [world.n_pending++] = done_arg;
    return 0;
}

static void
s_fail (void *arg, int handle, int reason, const char *text)
{
    (void) arg; (void) text;
    world.fail_handle = handle;
    world.fail_reason = reason;
}

static void
s_answer (void *arg, int handle, const hb_rest_resp_t *resp)
{
    (void) arg;
    world.answer_handle = handle;
    world.answer_status = resp->status;
}

static void
s_cancel_answer (void *arg, const hb_rest_resp_t *resp)
{
    (void) arg; (void) resp;
    world.cancels_answered++;
}

static void
s_cancel_answer_of (void *arg, const char *client_id, const hb_rest_resp_t *resp)
{
    (void) arg; (void) resp;
    world.cancels_answered++;
    snprintf (world.cancel_of, sizeof world.cancel_of, "%s", client_id);
}

static int s_timers;

static int
s_timer_add (void *ctx, uint64_t interval_ms, size_t times, hb_timer_fn *fn, void *arg)
{
    (void) ctx; (void) interval_ms; (void) times; (void) fn; (void) arg;
    return ++s_timers;
}

static int s_timer_cancel (void *ctx, int id) { (void) ctx; (void) id; return 0; }
static int s_fd_add (void *ctx, int fd, int events, hb_fd_fn *fn, void *arg)
{ (void) ctx; (void) fd; (void) events; (void) fn; (void) arg; return 0; }
static int s_fd_remove (void *ctx, int fd) { (void) ctx; (void) fd; return 0; }

static hb_venue_cfg_t venue;
static hb_host_api_t host = { .now_ns = s_now, .log = s_log, .timer_add = s_timer_add,
                              .timer_cancel = s_timer_cancel, .fd_add = s_fd_add,
                              .fd_remove = s_fd_remove, .venue = &venue };

static hb_vsend_t *
s_new (size_t slots)
{
    memset (&world, 0, sizeof world);
    world.now = 1000000000;
    world.fail_handle = world.answer_handle = -2;
    hb_vsend_cfg_t cfg = { .host = &host, .name = "t.rest", .rate = 10, .burst = 3,
                           .slots = slots, .pause_s = 2,
                           .post = s_post, .fail = s_fail, .answer = s_answer,
                           .cancel_answer = s_cancel_answer };
    return hb_vsend_new (&cfg);
}

static void
s_reply (int i, long status, int64_t retry_after_s)
{
    hb_rest_resp_t resp = { .status = status, .body = "{}", .retry_after_s = retry_after_s };
    world.done (world.done_arg [i], &resp);
}

static void
test_refusals (void **state)
{
    (void) state;
    hb_vsend_t *send = s_new (1);
    assert_non_null (send);
    hb_vsend_order (send, 7, false, "/o", "{}");
    assert_int_equal (world.fail_handle, 7);
    assert_int_equal (world.fail_reason, HB_REJ_VENUE);
    assert_int_equal (world.posts, 0);
    hb_vsend_order (send, 8, true, "/o", "{}");
    assert_int_equal (world.posts, 1);
    assert_string_equal (world.path, "/o");
    assert_int_equal (hb_vsend_inflight (send), 1);
    //  the only slot is busy
    hb_vsend_order (send, 9, true, "/o", "{}");
    assert_int_equal (world.fail_handle, 9);
    assert_int_equal (world.fail_reason, HB_REJ_RATE_LIMIT);
    hb_vsend_cancel (send, true, "/c", "{}", "c-1");
    assert_int_equal (world.posts, 1);
    assert_int_equal (world.warns, 1);
    hb_vsend_cancel (send, false, "/c", "{}", "c-1");
    assert_int_equal (world.warns, 2);
    //  orders 8 and 9 took a token each (9 before finding no slot): the
    //  bucket (burst 3) has one left
    s_reply (0, 200, 0);
    assert_int_equal (world.answer_handle, 8);
    assert_int_equal (world.answer_status, 200);
    assert_int_equal (hb_vsend_inflight (send), 0);
    hb_vsend_order (send, 10, true, "/o", "{}");
    assert_int_equal (world.posts, 2);
    s_reply (1, 200, 0);
    assert_int_equal (world.answer_handle, 10);
    hb_vsend_order (send, 11, true, "/o", "{}");
    assert_int_equal (world.fail_handle, 11);
    assert_int_equal (world.fail_reason, HB_REJ_RATE_LIMIT);
    assert_int_equal (world.posts, 2);
    hb_vsend_destroy (&send);
    assert_null (send);
    hb_vsend_destroy (&send);
}

static void
test_answers_and_pauses (void **state)
{
    (void) state;
    hb_vsend_t *send = s_new (4);
    hb_vsend_order (send, 1, true, "/o", "{}");
    hb_vsend_cancel (send, true, "/c", "{}", "c-1");
    assert_int_equal (hb_vsend_inflight (send), 2);
    s_reply (1, 200, 0);
    assert_int_equal (world.cancels_answered, 1);
    assert_int_equal (world.answer_handle, -2);
    //  429 without Retry-After: the default pause (2 s)
    s_reply (0, 429, 0);
    assert_int_equal (world.answer_handle, 1);
    assert_int_equal (world.answer_status, 429);
    assert_int_equal (hb_vsend_inflight (send), 0);
    world.now += 1900000000;
    hb_vsend_order (send, 2, true, "/o", "{}");
    assert_int_equal (world.fail_handle, 2);
    world.now += 200000000;
    hb_vsend_order (send, 3, true, "/o", "{}");
    assert_int_equal (world.fail_handle, 2);
    //  418 with Retry-After 5
    s_reply (2, 418, 5);
    world.now += 4900000000;
    hb_vsend_order (send, 4, true, "/o", "{}");
    assert_int_equal (world.fail_handle, 4);
    //  a post that does not send: failed, slot free again
    world.now += 10000000000;
    world.post_rc = -1;
    hb_vsend_order (send, 5, true, "/o", "{}");
    assert_int_equal (world.fail_handle, 5);
    assert_int_equal (world.fail_reason, HB_REJ_RATE_LIMIT);
    assert_int_equal (hb_vsend_inflight (send), 0);
    hb_vsend_destroy (&send);
}

//  cancel_answer_of: the answer comes with the client id the cancel was
//  for (a venue whose answer does not name it); orders still go to answer
static void
test_cancel_answer_of (void **state)
{
    (void) state;
    memset (&world, 0, sizeof world);
    world.now = 1000000000;
    world.answer_handle = -2;
    hb_vsend_cfg_t cfg = { .host = &host, .name = "t.rest", .rate = 10, .burst = 3, .slots = 4,
                           .pause_s = 2, .post = s_post, .fail = s_fail, .answer = s_answer,
                           .cancel_answer_of = s_cancel_answer_of };
    hb_vsend_t *send = hb_vsend_new (&cfg);
    assert_non_null (send);
    hb_vsend_cancel (send, true, "/c", "{}", "c-1");
    hb_vsend_cancel (send, true, "/c", "{}", "c-2");
    hb_vsend_order (send, 9, true, "/o", "{}");
    s_reply (1, 200, 0);
    assert_int_equal (world.cancels_answered, 1);
    assert_string_equal (world.cancel_of, "c-2");
    s_reply (0, 200, 0);
    assert_string_equal (world.cancel_of, "c-1");
    assert_int_equal (world.answer_handle, -2);
    s_reply (2, 200, 0);
    assert_int_equal (world.answer_handle, 9);
    assert_int_equal (world.cancels_answered, 2);
    hb_vsend_destroy (&send);
    //  neither cancel callback: refused
    cfg.cancel_answer_of = NULL;
    assert_null (hb_vsend_new (&cfg));
}

static void
test_params (void **state)
{
    (void) state;
    //  order_burst 1 from the params: the second order finds the bucket empty
    venue.n_params = 1;
    snprintf (venue.params [0].key, HB_NAME_MAX, "order_burst");
    snprintf (venue.params [0].value, HB_PATH_MAX, "1");
    hb_vsend_t *send = s_new (4);
    assert_non_null (send);
    hb_vsend_order (send, 1, true, "/o", "{}");
    hb_vsend_order (send, 2, true, "/o", "{}");
    assert_int_equal (world.posts, 1);
    assert_int_equal (world.fail_handle, 2);
    hb_vsend_destroy (&send);
    //  not a number > 0: refused, said why
    snprintf (venue.params [0].key, HB_NAME_MAX, "orders_per_s");
    snprintf (venue.params [0].value, HB_PATH_MAX, "fast");
    assert_null (s_new (4));
    assert_int_equal (world.errors, 1);
    venue.n_params = 0;
}

static void
test_bad_config (void **state)
{
    (void) state;
    hb_vsend_cfg_t cfg = { .host = &host, .rate = 1, .burst = 1, .slots = 0, .post = s_post,
                           .fail = s_fail, .answer = s_answer, .cancel_answer = s_cancel_answer };
    assert_null (hb_vsend_new (&cfg));
    cfg.slots = 1;
    cfg.post = NULL;
    assert_null (hb_vsend_new (&cfg));
    assert_null (hb_vsend_new (NULL));
    cfg.post = s_post;
    cfg.rate = 0;
    assert_null (hb_vsend_new (&cfg));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_refusals),
        cmocka_unit_test (test_answers_and_pauses),
        cmocka_unit_test (test_cancel_answer_of),
        cmocka_unit_test (test_params),
        cmocka_unit_test (test_bad_config),
    };
    return cmocka_run_group_tests_name ("hb_vsend", tests, NULL, NULL);
}
