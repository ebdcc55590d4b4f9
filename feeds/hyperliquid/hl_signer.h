/*  hl_signer: an Ethereum-style secp256k1 key that signs Hyperliquid L1
    actions, as eth_account does for the official SDK (sign_inner): an
    ECDSA signature of the EIP-712 digest (hl_l1) with the deterministic k
    of RFC 6979 (HMAC-SHA256) and a low s, written as (r, s, v) with
    v = 27 + the recovery id, so the venue recovers the signer's address
    from the signature alone. The address: the last 20 bytes of the
    Keccak-256 of the 64-byte uncompressed public key (x ++ y).

    The key is an API ("agent") wallet's private key: 64 hex digits, with
    or without "0x", in a file or a variable read through hb_secret (a
    file open to group or others is refused there). It stays inside the
    opaque object, is wiped on destroy and never appears in an error or a
    log: errors say what is wrong with the key, never what it is.
    libsecp256k1 (Debian libsecp256k1-dev) signs; its context is randomized
    at creation against side channels. One signer per thread.            */
#ifndef HL_SIGNER_H
#define HL_SIGNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_secret.h"
#include "hl_l1.h"

#define HL_SIG_WORD_HEX_SIZE    (2 + 64 + 1)    //  "0x" + up to 64 hex digits + NUL

typedef struct hl_signer_s hl_signer_t;

typedef struct {
    uint8_t r [32];
    uint8_t s [32];
    uint8_t v;                  //  27 or 28
} hl_sig_t;

//  A signer for the key text (64 hex digits, "0x" optional, surrounding
//  whitespace cut): NULL and why in err (errsize bytes, may be NULL) when
//  it is not such a text or not a valid secp256k1 key (0, >= the order).
hl_signer_t *hl_signer_new (const char *key_hex, char *err, size_t errsize);

//  The same from a secret (hb_secret_load: params key_file / key_env).
hl_signer_t *hl_signer_from_secret (const hb_secret_t *secret, char *err, size_t errsize);

//  The same from a key file, through hb_secret_from_file: refused when it
//  is not a regular file or group or others may read it (chmod 600).
hl_signer_t *hl_signer_from_file (const char *path, char *err, size_t errsize);

//  Wipes the key, frees, nulls *self_p. NULL-safe.
void hl_signer_destroy (hl_signer_t **self_p);

//  The signer's address (20 bytes), what the venue knows the agent by.
const uint8_t *hl_signer_address (const hl_signer_t *self);

//  Signs a 32-byte digest: 0, or -1 (libsecp256k1 refused; not expected).
int hl_signer_sign_digest (hl_signer_t *self, const uint8_t digest [HL_HASH_SIZE], hl_sig_t *sig);

//  Signs an L1 action given as its msgpack bytes (hl_action): action hash
//  (nonce, vault or NULL, expires_after or 0), Agent digest for mainnet or
//  testnet, signature. 0 or -1. connection_id, when not NULL, receives
//  the action hash (for logs and checks; it is not secret).
int hl_signer_sign_l1 (hl_signer_t *self, const void *action, size_t len, uint64_t nonce,
                       const uint8_t *vault, uint64_t expires_after, bool mainnet,
                       hl_sig_t *sig, uint8_t connection_id [HL_HASH_SIZE]);

//  The address that signed digest, recovered from (r, s, v): 0, or -1
//  when v is not 27/28 or the signature is not valid.
int hl_sig_recover (const uint8_t digest [HL_HASH_SIZE], const hl_sig_t *sig,
                    uint8_t address [HL_ADDRESS_SIZE]);

//  r and s as the SDK sends them (eth_utils to_hex of the integer: "0x"
//  and no leading zeros), each into HL_SIG_WORD_HEX_SIZE bytes.
void hl_sig_hex (const hl_sig_t *sig, char r [HL_SIG_WORD_HEX_SIZE], char s [HL_SIG_WORD_HEX_SIZE]);

#endif
