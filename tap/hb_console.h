/*  hb_console: sends one order from the command line and follows it.

    The console is a component of the config (by default "console", with
    orders: true and an endpoint): it binds that endpoint, which every feed
    already connects to, and subscribes to the venue's acks, fills and
    heartbeat. It sends only when both directions are known to work: the
    feed's subscription to its orders has arrived (hb_pub_wait_subscriber)
    and a heartbeat of the feed has arrived on its own subscription (so the
    answers cannot be missed). For operators and tests, not the hot path.   */
#ifndef HB_CONSOLE_H
#define HB_CONSOLE_H

#include <stdio.h>
#include "hb_config.h"
#include "hb_msg.h"

typedef struct _hb_console_t hb_console_t;

//  The console of component (which must exist, have an endpoint and
//  orders: true) for venue (which must exist). Returns NULL, after logging
//  why, on a wrong name or when the bus cannot be set up.
hb_console_t *hb_console_new (const hb_config_t *config, const char *component,
                              const char *venue);
void hb_console_destroy (hb_console_t **self_p);

//  Waits until the venue's feed is reachable both ways. 0, or -1 after
//  timeout_ms (logged) or when interrupted.
int hb_console_wait_ready (hb_console_t *self, int timeout_ms);

//  Sends order (its venue is set to the console's) and writes every ack and
//  fill of its client id to out as JSON lines, until a final ack (rejected,
//  canceled, done) or timeout_ms. With cancel_after_ms >= 0, a cancel of
//  the order (its client id) is sent, and written to out, once the order
//  has been accepted and cancel_after_ms have passed without a final ack.
//  Returns the final hb_ack_status_t, or -1 on timeout, interrupt or a
//  send failure (logged).
int hb_console_order (hb_console_t *self, hb_order_t *order, FILE *out, int timeout_ms,
                      int cancel_after_ms);

#endif
