/*  hl_l1: the L1 action hash and its EIP-712 Agent digest. See hl_l1.h.   */
#include "hl_l1.h"

#include <pthread.h>
#include <string.h>
#include "hl_hex.h"
#include "hl_keccak.h"

static void
s_be64 (uint8_t out [8], uint64_t value)
{
    for (int i = 7; i >= 0; i--, value >>= 8)
        out [i] = (uint8_t) value;
}

void
hl_l1_action_hash (const void *action, size_t len, uint64_t nonce, const uint8_t *vault,
                   uint64_t expires_after, uint8_t out [HL_HASH_SIZE])
{
    hl_keccak_t k;
    hl_keccak_init (&k);
    hl_keccak_update (&k, action, len);
    uint8_t word [8];
    s_be64 (word, nonce);
    hl_keccak_update (&k, word, 8);
    uint8_t flag = vault? 1: 0;
    hl_keccak_update (&k, &flag, 1);
    if (vault)
        hl_keccak_update (&k, vault, HL_ADDRESS_SIZE);
    if (expires_after) {
        flag = 0;
        hl_keccak_update (&k, &flag, 1);
        s_be64 (word, expires_after);
        hl_keccak_update (&k, word, 8);
    }
    hl_keccak_final (&k, out);
}

static uint8_t s_domain [HL_HASH_SIZE];
static uint8_t s_agent_type [HL_HASH_SIZE];
static uint8_t s_source [2][HL_HASH_SIZE];     //  keccak("b"), keccak("a")
static pthread_once_t s_once = PTHREAD_ONCE_INIT;

static void
s_hash_text (const char *text, uint8_t out [HL_HASH_SIZE])
{
    hl_keccak256 (text, strlen (text), out);
}

//  The constant parts of every digest, once per process
static void
s_init (void)
{
    uint8_t words [5][HL_HASH_SIZE];
    memset (words, 0, sizeof words);
    s_hash_text ("EIP712Domain(string name,string version,uint256 chainId,"
                 "address verifyingContract)", words [0]);
    s_hash_text ("Exchange", words [1]);
    s_hash_text ("1", words [2]);
    words [3][HL_HASH_SIZE - 2] = (uint8_t) (HL_L1_CHAIN_ID >> 8);
    words [3][HL_HASH_SIZE - 1] = (uint8_t) (HL_L1_CHAIN_ID & 0xff);
    //  words [4]: verifyingContract 0x0, left-padded to 32 bytes: all zero
    hl_keccak256 (words, sizeof words, s_domain);
    s_hash_text ("Agent(string source,bytes32 connectionId)", s_agent_type);
    s_hash_text ("b", s_source [0]);
    s_hash_text ("a", s_source [1]);
}

void
hl_l1_domain_separator (uint8_t out [HL_HASH_SIZE])
{
    pthread_once (&s_once, s_init);
    memcpy (out, s_domain, HL_HASH_SIZE);
}

void
hl_l1_agent_digest (const uint8_t connection_id [HL_HASH_SIZE], bool mainnet,
                    uint8_t out [HL_HASH_SIZE])
{
    pthread_once (&s_once, s_init);
    uint8_t agent [3 * HL_HASH_SIZE];
    memcpy (agent, s_agent_type, HL_HASH_SIZE);
    memcpy (agent + HL_HASH_SIZE, s_source [mainnet? 1: 0], HL_HASH_SIZE);
    memcpy (agent + 2 * HL_HASH_SIZE, connection_id, HL_HASH_SIZE);
    uint8_t message [2 + 2 * HL_HASH_SIZE] = { 0x19, 0x01 };
    memcpy (message + 2, s_domain, HL_HASH_SIZE);
    hl_keccak256 (agent, sizeof agent, message + 2 + HL_HASH_SIZE);
    hl_keccak256 (message, sizeof message, out);
}

void
hl_address_hex (const uint8_t address [HL_ADDRESS_SIZE], char out [HL_ADDRESS_HEX_SIZE])
{
    hl_hex_encode (address, HL_ADDRESS_SIZE, out);
}

int
hl_address_parse (const char *text, uint8_t address [HL_ADDRESS_SIZE])
{
    return hl_hex_decode (text, address, HL_ADDRESS_SIZE);
}
