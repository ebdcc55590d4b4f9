/*  hl_signer: secp256k1 signatures of Hyperliquid L1 actions. See
    hl_signer.h.                                                          */
#include "hl_signer.h"

#include <ctype.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include "hl_err.h"
#include "hl_hex.h"
#include "hl_keccak.h"

struct hl_signer_s {
    secp256k1_context *ctx;
    uint8_t key [32];
    uint8_t address [HL_ADDRESS_SIZE];
};

//  keccak256 (x ++ y) of the uncompressed point, last 20 bytes
static void
s_address (const secp256k1_pubkey *pubkey, uint8_t address [HL_ADDRESS_SIZE])
{
    uint8_t point [65];
    size_t len = sizeof point;
    secp256k1_ec_pubkey_serialize (secp256k1_context_static, point, &len, pubkey,
                                   SECP256K1_EC_UNCOMPRESSED);
    uint8_t hash [HL_KECCAK_SIZE];
    hl_keccak256 (point + 1, 64, hash);     //  point [0] is the 0x04 tag
    memcpy (address, hash + HL_KECCAK_SIZE - HL_ADDRESS_SIZE, HL_ADDRESS_SIZE);
}

hl_signer_t *
hl_signer_new (const char *key_hex, char *err, size_t errsize)
{
    if (!key_hex) {
        hl_err (err, errsize, "key: none");
        return NULL;
    }
    //  the text is the secret: nothing of it goes into err
    while (isspace ((unsigned char) *key_hex))
        key_hex++;
    size_t len = strlen (key_hex);
    while (len && isspace ((unsigned char) key_hex [len - 1]))
        len--;
    char text [2 + 64 + 1];
    bool prefixed = len >= 2 && key_hex [0] == '0' && (key_hex [1] == 'x' || key_hex [1] == 'X');
    if (len != (prefixed? 66u: 64u)) {
        hl_err (err, errsize, "key: %zu characters, want 64 hex digits (\"0x\" optional)", len);
        return NULL;
    }
    snprintf (text, sizeof text, "0x%.64s", key_hex + (prefixed? 2: 0));
    hl_signer_t *self = (hl_signer_t *) calloc (1, sizeof *self);
    if (!self) {
        explicit_bzero (text, sizeof text);
        hl_err (err, errsize, "key: out of memory");
        return NULL;
    }
    int rc = hl_hex_decode (text, self->key, sizeof self->key);
    explicit_bzero (text, sizeof text);
    if (rc) {
        hl_err (err, errsize, "key: not hex digits");
        hl_signer_destroy (&self);
        return NULL;
    }
    self->ctx = secp256k1_context_create (SECP256K1_CONTEXT_NONE);
    uint8_t seed [32];
    if (!self->ctx || getrandom (seed, sizeof seed, 0) != (ssize_t) sizeof seed
    ||  !secp256k1_context_randomize (self->ctx, seed)) {
        explicit_bzero (seed, sizeof seed);
        hl_err (err, errsize, "key: cannot set up libsecp256k1 (context or randomness)");
        hl_signer_destroy (&self);
        return NULL;
    }
    explicit_bzero (seed, sizeof seed);
    secp256k1_pubkey pubkey;
    if (!secp256k1_ec_seckey_verify (self->ctx, self->key)
    ||  !secp256k1_ec_pubkey_create (self->ctx, &pubkey, self->key)) {
        hl_err (err, errsize, "key: not a valid secp256k1 private key (zero or not below the order)");
        hl_signer_destroy (&self);
        return NULL;
    }
    s_address (&pubkey, self->address);
    return self;
}

hl_signer_t *
hl_signer_from_secret (const hb_secret_t *secret, char *err, size_t errsize)
{
    if (!secret) {
        hl_err (err, errsize, "key: no secret");
        return NULL;
    }
    char why [200];
    hl_signer_t *self = hl_signer_new (hb_secret_value (secret), why, sizeof why);
    if (!self)
        hl_err (err, errsize, "%s: %s", hb_secret_origin (secret), why);
    return self;
}

hl_signer_t *
hl_signer_from_file (const char *path, char *err, size_t errsize)
{
    hb_secret_t *secret = hb_secret_from_file (path, err, errsize);
    if (!secret)
        return NULL;
    hl_signer_t *self = hl_signer_from_secret (secret, err, errsize);
    hb_secret_destroy (&secret);
    return self;
}

void
hl_signer_destroy (hl_signer_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hl_signer_t *self = *self_p;
    if (self->ctx)
        secp256k1_context_destroy (self->ctx);
    explicit_bzero (self, sizeof *self);
    free (self);
    *self_p = NULL;
}

const uint8_t *
hl_signer_address (const hl_signer_t *self)
{
    return self->address;
}

int
hl_signer_sign_digest (hl_signer_t *self, const uint8_t digest [HL_HASH_SIZE], hl_sig_t *sig)
{
    //  NULL nonce function: libsecp256k1's RFC 6979 (HMAC-SHA256), as
    //  eth_account; signatures come out with a low s already
    secp256k1_ecdsa_recoverable_signature rsig;
    uint8_t compact [64];
    int recid = 0;
    if (!secp256k1_ecdsa_sign_recoverable (self->ctx, &rsig, digest, self->key, NULL, NULL)
    ||  !secp256k1_ecdsa_recoverable_signature_serialize_compact (self->ctx, compact, &recid, &rsig))
        return -1;
    memcpy (sig->r, compact, 32);
    memcpy (sig->s, compact + 32, 32);
    sig->v = (uint8_t) (27 + recid);
    return 0;
}

int
hl_signer_sign_l1 (hl_signer_t *self, const void *action, size_t len, uint64_t nonce,
                   const uint8_t *vault, uint64_t expires_after, bool mainnet,
                   hl_sig_t *sig, uint8_t connection_id [HL_HASH_SIZE])
{
    uint8_t hash [HL_HASH_SIZE], digest [HL_HASH_SIZE];
    hl_l1_action_hash (action, len, nonce, vault, expires_after, hash);
    hl_l1_agent_digest (hash, mainnet, digest);
    if (connection_id)
        memcpy (connection_id, hash, HL_HASH_SIZE);
    return hl_signer_sign_digest (self, digest, sig);
}

int
hl_sig_recover (const uint8_t digest [HL_HASH_SIZE], const hl_sig_t *sig,
                uint8_t address [HL_ADDRESS_SIZE])
{
    if (sig->v != 27 && sig->v != 28)
        return -1;
    uint8_t compact [64];
    memcpy (compact, sig->r, 32);
    memcpy (compact + 32, sig->s, 32);
    secp256k1_ecdsa_recoverable_signature rsig;
    secp256k1_pubkey pubkey;
    if (!secp256k1_ecdsa_recoverable_signature_parse_compact (secp256k1_context_static, &rsig,
                                                              compact, sig->v - 27)
    ||  !secp256k1_ecdsa_recover (secp256k1_context_static, &pubkey, &rsig, digest))
        return -1;
    s_address (&pubkey, address);
    return 0;
}

void
hl_sig_hex (const hl_sig_t *sig, char r [HL_SIG_WORD_HEX_SIZE], char s [HL_SIG_WORD_HEX_SIZE])
{
    hl_hex_encode_number (sig->r, sizeof sig->r, r);
    hl_hex_encode_number (sig->s, sizeof sig->s, s);
}
