/*  hb_roles: the treasury may publish its plans and its transfers and
    nothing that moves positions, even when its component says orders:
    true; no other role may publish a plan; a transfer's status comes from
    the treasury or from its source's feed (the connection names the
    venue), from nobody else.                                             */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "hb_roles.h"

static void
test_treasury (void **state)
{
    (void) state;
    hb_component_cfg_t component;
    memset (&component, 0, sizeof component);
    strcpy (component.name, "treasury");
    component.sends_orders = true;
    hb_sub_role_t role;
    hb_roles_component (&component, &role);
    assert_string_equal (role.publisher, "treasury");
    assert_true (role.types & HB_SUB_TYPE (HB_MSG_CAPITAL_PLAN));
    assert_true (role.types & HB_SUB_TYPE (HB_MSG_HEARTBEAT));
    assert_true (role.types & HB_SUB_TYPE (HB_MSG_CAPITAL_TRANSFER));
    assert_true (role.types & HB_SUB_TYPE (HB_MSG_CAPITAL_REDUCE));
    assert_int_equal (role.types & ~(HB_SUB_TYPE (HB_MSG_CAPITAL_PLAN) | HB_SUB_TYPE (HB_MSG_CAPITAL_TRANSFER)
                                   | HB_SUB_TYPE (HB_MSG_CAPITAL_REDUCE) | HB_SUB_TYPE (HB_MSG_HEARTBEAT)), 0);
    //  nobody else may sign a plan
    strcpy (component.name, "console");
    hb_roles_component (&component, &role);
    assert_false (role.types & HB_SUB_TYPE (HB_MSG_CAPITAL_PLAN));
    hb_roles_aggregator (&role);
    assert_false (role.types & HB_SUB_TYPE (HB_MSG_CAPITAL_PLAN));
    hb_roles_hedger (&role);
    assert_false (role.types & HB_SUB_TYPE (HB_MSG_CAPITAL_PLAN));
    hb_roles_risk (&role);
    assert_false (role.types & HB_SUB_TYPE (HB_MSG_CAPITAL_PLAN));
    assert_false (role.types & HB_SUB_TYPE (HB_MSG_CAPITAL_TRANSFER));
    hb_roles_hedger (&role);
    assert_false (role.types & HB_SUB_TYPE (HB_MSG_CAPITAL_TRANSFER));
    strcpy (component.name, "console");
    hb_roles_component (&component, &role);
    assert_false (role.types & HB_SUB_TYPE (HB_MSG_CAPITAL_TRANSFER));
    //  a feed reports its own venue's transfers: the role names the venue
    hb_venue_cfg_t venue;
    memset (&venue, 0, sizeof venue);
    strcpy (venue.name, "alpha");
    hb_roles_feed (&venue, &role);
    assert_true (role.types & HB_SUB_TYPE (HB_MSG_CAPITAL_TRANSFER));
    assert_false (role.types & HB_SUB_TYPE (HB_MSG_CAPITAL_PLAN));
    assert_string_equal (role.venue, "alpha");
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_treasury),
    };
    return cmocka_run_group_tests_name ("hb_roles", tests, NULL, NULL);
}
