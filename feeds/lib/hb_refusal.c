/*  hb_refusal: see hb_refusal.h.                                          */
#include "hb_refusal.h"

bool
hb_refusal_due (uint64_t *count)
{
    uint64_t n = ++*count;
    return n <= 10 || n % 1000 == 0;
}
