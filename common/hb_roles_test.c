/*  hb_roles: the treasury may publish its plans and nothing that moves
    money or positions, even when its component says orders: true; no
    other role may publish a plan.                                        */
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
    assert_int_equal (role.types & ~(HB_SUB_TYPE (HB_MSG_CAPITAL_PLAN) | HB_SUB_TYPE (HB_MSG_HEARTBEAT)), 0);
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
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_treasury),
    };
    return cmocka_run_group_tests_name ("hb_roles", tests, NULL, NULL);
}
