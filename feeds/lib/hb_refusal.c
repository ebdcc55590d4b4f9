/*  hb_refusal: see hb_refusal.h.                                          */
#include "hb_log.h"
#include "hb_refusal.h"

bool
hb_refusal_due (uint64_t *count)
{
    uint64_t n = ++*count;
    return n <= 10 || n % 1000 == 0;
}

void
hb_refusal_log (const hb_host_api_t *host, uint64_t *count, const char *what, const char *why)
{
    if (hb_refusal_due (count))
        host->log (host->ctx, HB_LOG_WARN, "%s refused (%llu so far): %s", what,
                   (unsigned long long) *count, why);
}
