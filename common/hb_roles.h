/*  hb_roles: what each publisher of a deployment may send, from the config
    (docs/PROTOCOL.md, Who may send what). A deciding process connects to
    each publisher with hb_sub_connect_role and the role built here, so that
    a message is judged by the connection it came in on, never by the
    publisher name it carries:

        publisher          publisher name     may send
        feed of venue V    feed.V             tick, trade, ack, fill, account, instrument naming V;
                                              capital.transfer from V (its statuses); heartbeat
        aggregator         aggregator         position, exposure, margin; heartbeat
        risk               risk               risk.exposure, risk.hedge, risk.regime; heartbeat
        hedger             hedger             order, cancel, hedger.reject, hedger.control
                                              (its echo); heartbeat
        treasury           treasury           capital.plan, capital.transfer; heartbeat
        a component with   its name           order, cancel, hedger.control; heartbeat
        orders: true
        another component  its name           heartbeat                                */
#ifndef HB_ROLES_H
#define HB_ROLES_H

#include "hb_config.h"
#include "hb_sub.h"

void hb_roles_feed (const hb_venue_cfg_t *venue, hb_sub_role_t *role);
void hb_roles_aggregator (hb_sub_role_t *role);
void hb_roles_risk (hb_sub_role_t *role);
void hb_roles_hedger (hb_sub_role_t *role);
void hb_roles_treasury (hb_sub_role_t *role);
//  A component of components: by its name (aggregator, risk, hedger and
//  treasury get their roles above) and its orders: flag.
void hb_roles_component (const hb_component_cfg_t *component, hb_sub_role_t *role);

#endif
