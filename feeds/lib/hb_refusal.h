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

//  Counts one more refusal in *count and says whether this one is to be
//  logged: true for the 1st to 10th, then for every 1000th. Never fails.
bool hb_refusal_due (uint64_t *count);

#endif
