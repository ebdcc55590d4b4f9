/*  hl_keccak: Keccak-256 (legacy padding) on nettle's permutation.
    See hl_keccak.h for why not SHA3-256.                                 */
#include "hl_keccak.h"

#include <string.h>

//  Keccak lanes are little-endian 64-bit words whatever the host order.
static void
s_absorb (struct sha3_state *state, const uint8_t *block)
{
    for (unsigned i = 0; i < HL_KECCAK_RATE / 8; i++) {
        uint64_t lane = 0;
        for (unsigned b = 0; b < 8; b++)
            lane |= (uint64_t) block [8 * i + b] << (8 * b);
        state->a [i] ^= lane;
    }
    nettle_sha3_permute (state);
}

void
hl_keccak_init (hl_keccak_t *self)
{
    memset (self, 0, sizeof *self);
}

void
hl_keccak_update (hl_keccak_t *self, const void *data, size_t len)
{
    const uint8_t *p = (const uint8_t *) data;
    if (self->fill) {
        size_t take = HL_KECCAK_RATE - self->fill;
        if (take > len)
            take = len;
        memcpy (self->block + self->fill, p, take);
        self->fill += (unsigned) take;
        p += take;
        len -= take;
        if (self->fill < HL_KECCAK_RATE)
            return;
        s_absorb (&self->state, self->block);
        self->fill = 0;
    }
    for (; len >= HL_KECCAK_RATE; p += HL_KECCAK_RATE, len -= HL_KECCAK_RATE)
        s_absorb (&self->state, p);
    memcpy (self->block, p, len);
    self->fill = (unsigned) len;
}

void
hl_keccak_final (hl_keccak_t *self, uint8_t out [HL_KECCAK_SIZE])
{
    //  pad10*1 with Keccak's original first byte 0x01 (SHA-3 has 0x06);
    //  one byte left in the block takes both ends: 0x81
    memset (self->block + self->fill, 0, HL_KECCAK_RATE - self->fill);
    self->block [self->fill] ^= 0x01;
    self->block [HL_KECCAK_RATE - 1] ^= 0x80;
    s_absorb (&self->state, self->block);
    for (unsigned i = 0; i < HL_KECCAK_SIZE; i++)
        out [i] = (uint8_t) (self->state.a [i / 8] >> (8 * (i % 8)));
    memset (self, 0, sizeof *self);
}

void
hl_keccak256 (const void *data, size_t len, uint8_t out [HL_KECCAK_SIZE])
{
    hl_keccak_t k;
    hl_keccak_init (&k);
    hl_keccak_update (&k, data, len);
    hl_keccak_final (&k, out);
}
