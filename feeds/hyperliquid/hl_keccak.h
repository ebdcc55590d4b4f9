/*  hl_keccak: Keccak-256 as Ethereum (and so Hyperliquid) uses it.

    Ethereum hashes with the original Keccak submission, padded with the
    byte 0x01 ... 0x80 (pad10*1 alone). FIPS 202 SHA3-256 runs the same
    permutation at the same rate (136 bytes) but pads with 0x06 ... 0x80
    (two domain bits first), so the digests differ on every input:
    OpenSSL 3.0 and nettle 3.8 (Debian 12) have SHA3-256 but not this
    Keccak-256. We take nettle's Keccak-f[1600] permutation
    (nettle_sha3_permute, public API) and do the sponge here: absorb 136-
    byte blocks, the legacy padding, squeeze 32 bytes.

    One-shot and incremental forms; nothing allocates.                    */
#ifndef HL_KECCAK_H
#define HL_KECCAK_H

#include <stddef.h>
#include <stdint.h>
#include <nettle/sha3.h>

#define HL_KECCAK_SIZE  32          //  digest bytes
#define HL_KECCAK_RATE  136         //  bytes absorbed per permutation

//  The sponge between calls; plain data, copy it to fork a prefix.
typedef struct {
    struct sha3_state state;
    uint8_t  block [HL_KECCAK_RATE];
    unsigned fill;                  //  bytes waiting in block
} hl_keccak_t;

void hl_keccak_init (hl_keccak_t *self);
void hl_keccak_update (hl_keccak_t *self, const void *data, size_t len);
//  Pads, squeezes the digest into out and leaves self unusable until init.
void hl_keccak_final (hl_keccak_t *self, uint8_t out [HL_KECCAK_SIZE]);

//  Keccak-256 of data[0..len) into out.
void hl_keccak256 (const void *data, size_t len, uint8_t out [HL_KECCAK_SIZE]);

#endif
