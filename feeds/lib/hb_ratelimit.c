/*  hb_ratelimit: token bucket. See hb_ratelimit.h.                        */
#include "hb_ratelimit.h"

#include <math.h>

int
hb_ratelimit_init (hb_ratelimit_t *self, double rate_per_s, double burst, int64_t now_ns)
{
    *self = (hb_ratelimit_t) { .last_ns = now_ns };
    if (!(isfinite (rate_per_s) && rate_per_s > 0 && isfinite (burst) && burst > 0))
        return -1;
    self->rate = rate_per_s;
    self->burst = burst;
    self->tokens = burst;
    return 0;
}

static double
s_tokens_at (const hb_ratelimit_t *self, int64_t now_ns)
{
    double tokens = self->tokens;
    if (now_ns > self->last_ns)
        tokens += self->rate * (double) (now_ns - self->last_ns) / 1e9;
    return tokens > self->burst ? self->burst : tokens;
}

bool
hb_ratelimit_take (hb_ratelimit_t *self, double cost, int64_t now_ns)
{
    if (self->rate <= 0 || !(cost >= 0) || now_ns < self->paused_until_ns) {
        self->refused++;
        return false;
    }
    double tokens = s_tokens_at (self, now_ns);
    if (now_ns > self->last_ns)
        self->last_ns = now_ns;
    self->tokens = tokens;
    if (tokens < cost) {
        self->refused++;
        return false;
    }
    self->tokens = tokens - cost;
    return true;
}

int64_t
hb_ratelimit_wait_ns (const hb_ratelimit_t *self, double cost, int64_t now_ns)
{
    if (self->rate <= 0 || !(cost >= 0) || cost > self->burst)
        return -1;
    int64_t wait = 0;
    if (now_ns < self->paused_until_ns) {
        //  The bucket was emptied by the pause and refills from its end
        wait = self->paused_until_ns - now_ns;
        now_ns = self->paused_until_ns;
    }
    double missing = cost - s_tokens_at (self, now_ns);
    if (missing > 0)
        wait += (int64_t) ceil (missing / self->rate * 1e9);
    return wait;
}

void
hb_ratelimit_pause (hb_ratelimit_t *self, int64_t until_ns)
{
    if (until_ns > self->paused_until_ns)
        self->paused_until_ns = until_ns;
    self->tokens = 0;
    if (until_ns > self->last_ns)
        self->last_ns = until_ns;
}
