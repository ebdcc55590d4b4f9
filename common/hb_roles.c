/*  hb_roles: see hb_roles.h. */
#include "hb_roles.h"

#include <stdio.h>
#include <string.h>

static void
s_role (hb_sub_role_t *role, const char *publisher, uint32_t types)
{
    memset (role, 0, sizeof *role);
    snprintf (role->publisher, sizeof role->publisher, "%s", publisher);
    role->types = types | HB_SUB_TYPE (HB_MSG_HEARTBEAT);
}

void
hb_roles_feed (const hb_venue_cfg_t *venue, hb_sub_role_t *role)
{
    char publisher [HB_NAME_MAX + 8];
    snprintf (publisher, sizeof publisher, "feed.%s", venue->name);
    s_role (role, publisher, HB_SUB_TYPE (HB_MSG_TICK) | HB_SUB_TYPE (HB_MSG_TRADE)
                           | HB_SUB_TYPE (HB_MSG_ACK) | HB_SUB_TYPE (HB_MSG_FILL)
                           | HB_SUB_TYPE (HB_MSG_ACCOUNT) | HB_SUB_TYPE (HB_MSG_CAPITAL_TRANSFER)
                           | HB_SUB_TYPE (HB_MSG_FUNDING) | HB_SUB_TYPE (HB_MSG_INSTRUMENT));
    snprintf (role->venue, sizeof role->venue, "%s", venue->name);
}

void
hb_roles_aggregator (hb_sub_role_t *role)
{
    s_role (role, "aggregator", HB_SUB_TYPE (HB_MSG_POSITION) | HB_SUB_TYPE (HB_MSG_EXPOSURE)
                              | HB_SUB_TYPE (HB_MSG_MARGIN));
}

void
hb_roles_risk (hb_sub_role_t *role)
{
    s_role (role, "risk", HB_SUB_TYPE (HB_MSG_RISK_EXPOSURE) | HB_SUB_TYPE (HB_MSG_RISK_HEDGE)
                        | HB_SUB_TYPE (HB_MSG_RISK_REGIME) | HB_SUB_TYPE (HB_MSG_RISK_CORR)
                        | HB_SUB_TYPE (HB_MSG_RISK_OPTPLAN) | HB_SUB_TYPE (HB_MSG_APPLOG));
}

void
hb_roles_hedger (hb_sub_role_t *role)
{
    s_role (role, "hedger", HB_SUB_TYPE (HB_MSG_ORDER) | HB_SUB_TYPE (HB_MSG_CANCEL)
                          | HB_SUB_TYPE (HB_MSG_HEDGE_REJECT) | HB_SUB_TYPE (HB_MSG_HEDGER_CONTROL)
                          | HB_SUB_TYPE (HB_MSG_APPLOG));
}

void
hb_roles_treasury (hb_sub_role_t *role)
{
    s_role (role, "treasury", HB_SUB_TYPE (HB_MSG_CAPITAL_PLAN) | HB_SUB_TYPE (HB_MSG_CAPITAL_TRANSFER)
                            | HB_SUB_TYPE (HB_MSG_CAPITAL_REDUCE));
}

void
hb_roles_component (const hb_component_cfg_t *component, hb_sub_role_t *role)
{
    if (strcmp (component->name, "aggregator") == 0)
        hb_roles_aggregator (role);
    else
    if (strcmp (component->name, "risk") == 0)
        hb_roles_risk (role);
    else
    if (strcmp (component->name, "hedger") == 0)
        hb_roles_hedger (role);
    else
    //  a planner: never orders, whatever its orders: flag says
    if (strcmp (component->name, "treasury") == 0)
        hb_roles_treasury (role);
    else
        s_role (role, component->name, component->sends_orders
                ? HB_SUB_TYPE (HB_MSG_ORDER) | HB_SUB_TYPE (HB_MSG_CANCEL)
                  | HB_SUB_TYPE (HB_MSG_HEDGER_CONTROL) : 0);
}
