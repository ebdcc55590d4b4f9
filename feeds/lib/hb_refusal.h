/*  hb_refusal: counting refused venue input and deciding which refusals
    to log, shared by venue plugins.

    A venue that sends malformed messages can send one per frame; logging
    each would flood the log and cost more than the message. Every refusal
    is counted exactly; only the first ten and then every thousandth are
    meant to be logged, with the count so far.                            */
#ifndef HB_REFUSAL_H
#define HB_REFUSAL_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_plugin.h"

//  Counts one more refusal in *count and says whether this one is to be
//  logged: true for the 1st to 10th, then for every 1000th. Never fails.
bool hb_refusal_due (uint64_t *count);

//  Counts one more refusal of what ("message") in *count and, when due,
//  logs it on host at warning level: "WHAT refused (N so far): WHY".
void hb_refusal_log (const hb_host_api_t *host, uint64_t *count, const char *what, const char *why);

#endif
