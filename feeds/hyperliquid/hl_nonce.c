/*  hl_nonce: strictly increasing ms nonces. See hl_nonce.h.               */
#include "hl_nonce.h"

#include <stdlib.h>
#include <time.h>

struct hl_nonce_s {
    uint64_t last;
};

hl_nonce_t *
hl_nonce_new (uint64_t last)
{
    hl_nonce_t *self = (hl_nonce_t *) calloc (1, sizeof *self);
    if (self)
        self->last = last;
    return self;
}

void
hl_nonce_destroy (hl_nonce_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

uint64_t
hl_nonce_next_at (hl_nonce_t *self, uint64_t now_ms)
{
    self->last = now_ms > self->last? now_ms: self->last + 1;
    return self->last;
}

uint64_t
hl_nonce_next (hl_nonce_t *self)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return hl_nonce_next_at (self, (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000);
}

uint64_t
hl_nonce_last (const hl_nonce_t *self)
{
    return self->last;
}
