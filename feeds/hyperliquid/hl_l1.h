/*  hl_l1: what a Hyperliquid L1 action (order, cancel, ...) signature is
    over. Sources: the docs' Signing page (for-developers/api/signing) and
    the official Python SDK (hyperliquid/utils/signing.py: action_hash,
    construct_phantom_agent, l1_payload).

    1. The action hash ("connectionId"):
         keccak256( msgpack(action)
                    ++ nonce as 8 bytes big-endian
                    ++ 0x00                        no vault / subaccount
                     | 0x01 ++ the 20 address bytes  trading for a vault
                    [++ 0x00 ++ expiresAfter as 8 bytes big-endian] )
       the last part only when the action carries an expiresAfter.
    2. The EIP-712 message, a "phantom agent" that exists only to be signed:
         domain  EIP712Domain(string name,string version,uint256 chainId,
                              address verifyingContract)
                 = {"Exchange", "1", 1337, 0x000...0}
         message Agent(string source,bytes32 connectionId)
                 = {"a" on mainnet, "b" on testnet, the action hash}
       digest = keccak256(0x19 0x01 ++ domainSeparator ++ hashStruct(Agent))
       with hashStruct = keccak256(typeHash ++ keccak256(source) ++ connectionId)
       (EIP-712: strings are hashed, bytes32 goes as is, uint256 and address
       are 32-byte big-endian words).
    The digest is what secp256k1 signs (hl_signer).                       */
#ifndef HL_L1_H
#define HL_L1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HL_HASH_SIZE            32
#define HL_ADDRESS_SIZE         20
#define HL_ADDRESS_HEX_SIZE     (2 + 2 * HL_ADDRESS_SIZE + 1)  //  "0x" + hex + NUL
#define HL_L1_CHAIN_ID          1337

//  Step 1 over the msgpack bytes of an action. vault: the 20 address bytes
//  of the vault or subaccount traded for, NULL for the signer's own
//  account; expires_after: ms timestamp, 0 for none.
void hl_l1_action_hash (const void *action, size_t len, uint64_t nonce, const uint8_t *vault,
                        uint64_t expires_after, uint8_t out [HL_HASH_SIZE]);

//  Step 2: the EIP-712 digest of the Agent message for that hash.
void hl_l1_agent_digest (const uint8_t connection_id [HL_HASH_SIZE], bool mainnet,
                         uint8_t out [HL_HASH_SIZE]);

//  The Exchange domain's separator (computed once), for checks.
void hl_l1_domain_separator (uint8_t out [HL_HASH_SIZE]);

//  An address as "0x" + 40 lowercase hex digits, and back (either case,
//  "0x" required, no checksum check): 0, or -1 when malformed.
void hl_address_hex (const uint8_t address [HL_ADDRESS_SIZE], char out [HL_ADDRESS_HEX_SIZE]);
int hl_address_parse (const char *text, uint8_t address [HL_ADDRESS_SIZE]);

#endif
