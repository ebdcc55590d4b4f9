/*  hl_sign tests: the Hyperliquid signing core against vectors it did not
    make.

    1. Vectors the official Python SDK publishes in its own tests
       (hyperliquid-python-sdk, tests/signing_test.py, key 0x0123...0123):
       the phantom agent's connectionId of an ETH IOC order
       (test_phantom_agent_creation_matches_production), the signatures of a
       GTC order with and without a cloid (test_l1_action_signing_order_
       matches, ..._with_cloid_matches) and of {"type":"dummy","num":1e11}
       with and without a vault (test_l1_action_signing_matches,
       ..._with_vault), mainnet and testnet, r and s as the SDK writes them.
    2. Cases computed by tests/venues/hl_vectors.py, written independently
       (python3-msgpack, pycryptodome's Keccak, python3-ecdsa's RFC 6979):
       limit GTC / IOC / ALO, reduce-only, cloid, several orders, spot,
       cancels and cancels by cloid, with and without a vault, mainnet and
       testnet, an expiresAfter, two keys. msgpack bytes, action hash,
       digest, r, s, v and the signer's address must all be equal. The
       script checks itself against the SDK's vectors first.
    3. Keccak-256 on known answers and across block boundaries, one-shot
       and fed in pieces; the recovered address is the signer's, and not
       for another digest.                                                */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hl_action.h"
#include "hl_hex.h"
#include "hl_keccak.h"
#include "hl_l1.h"
#include "hl_signer.h"

#define S_SDK_KEY   "0x0123456789012345678901234567890123456789012345678901234567890123"
//  a second key (any valid one), so the vectors are not all one signer's
#define S_KEY2      "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
#define S_VAULT     "0x1719884eb866cb12b2287399b15f7db5e7d775ea"

static void
s_hex (const uint8_t *bytes, size_t n, char *out)
{
    hl_hex_encode (bytes, n, out);
    memmove (out, out + 2, 2 * n + 1);     //  without "0x", as the script prints
}

static void
test_keccak_known_answers (void **state)
{
    (void) state;
    uint8_t d [HL_KECCAK_SIZE];
    char hex [2 * HL_KECCAK_SIZE + 3];
    hl_keccak256 ("", 0, d);
    s_hex (d, sizeof d, hex);
    //  Keccak-256(""), not SHA3-256("") = a7ffc6f8bf1ed766...
    assert_string_equal (hex, "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    hl_keccak256 ("abc", 3, d);
    s_hex (d, sizeof d, hex);
    assert_string_equal (hex, "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");

    //  fed in pieces of every size 1..300 = one shot, across 136-byte blocks
    uint8_t data [1000], one [HL_KECCAK_SIZE], pieces [HL_KECCAK_SIZE];
    for (int i = 0; i < 1000; i++)
        data [i] = (uint8_t) (i % 251);
    hl_keccak256 (data, sizeof data, one);
    for (size_t step = 1; step <= 300; step++) {
        hl_keccak_t k;
        hl_keccak_init (&k);
        for (size_t off = 0; off < sizeof data; off += step)
            hl_keccak_update (&k, data + off, off + step > sizeof data? sizeof data - off: step);
        hl_keccak_final (&k, pieces);
        assert_memory_equal (one, pieces, HL_KECCAK_SIZE);
    }
}

//  The SDK's vector over raw msgpack: {"type": "dummy", "num": 100000000000}
static size_t
s_dummy_action (msgpack_sbuffer *buf)
{
    msgpack_packer pk;
    msgpack_sbuffer_clear (buf);
    msgpack_packer_init (&pk, buf, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 2);
    msgpack_pack_str (&pk, 4);
    msgpack_pack_str_body (&pk, "type", 4);
    msgpack_pack_str (&pk, 5);
    msgpack_pack_str_body (&pk, "dummy", 5);
    msgpack_pack_str (&pk, 3);
    msgpack_pack_str_body (&pk, "num", 3);
    msgpack_pack_uint64 (&pk, 100000000000ull);    //  float_to_int_for_hashing (1000)
    return buf->size;
}

static void
s_assert_sig (hl_signer_t *signer, const msgpack_sbuffer *action, uint64_t nonce, const char *vault,
              bool mainnet, const char *r, const char *s, int v)
{
    uint8_t vault_bytes [HL_ADDRESS_SIZE];
    if (vault)
        assert_int_equal (hl_address_parse (vault, vault_bytes), 0);
    hl_sig_t sig;
    assert_int_equal (hl_signer_sign_l1 (signer, action->data, action->size, nonce,
                                         vault? vault_bytes: NULL, 0, mainnet, &sig, NULL), 0);
    char rh [HL_SIG_WORD_HEX_SIZE], sh [HL_SIG_WORD_HEX_SIZE];
    hl_sig_hex (&sig, rh, sh);
    assert_string_equal (rh, r);
    assert_string_equal (sh, s);
    assert_int_equal (sig.v, v);
}

static void
test_sdk_published_vectors (void **state)
{
    (void) state;
    char err [256];
    hl_signer_t *signer = hl_signer_new (S_SDK_KEY, err, sizeof err);
    assert_non_null (signer);
    char address [HL_ADDRESS_HEX_SIZE];
    hl_address_hex (hl_signer_address (signer), address);
    assert_string_equal (address, "0x14791697260e4c9a71f18484c9f997b308e59325");

    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);

    //  test_phantom_agent_creation_matches_production
    hl_order_t eth = { .asset = 4, .is_buy = true, .px = 1670.1, .sz = 0.0147,
                       .tif = HL_TIF_IOC, .sz_decimals = 4 };
    assert_int_equal (hl_action_order (&eth, 1, &buf, err, sizeof err), 0);
    uint8_t hash [HL_HASH_SIZE];
    char hex [2 * HL_HASH_SIZE + 3];
    hl_l1_action_hash (buf.data, buf.size, 1677777606040ull, NULL, 0, hash);
    hl_hex_encode (hash, sizeof hash, hex);
    assert_string_equal (hex, "0x0fcbeda5ae3c4950a548021552a4fea2226858c4453571bf3f24ba017eac2908");

    //  test_l1_action_signing_order_matches
    hl_order_t order = { .asset = 1, .is_buy = true, .px = 100, .sz = 100, .tif = HL_TIF_GTC };
    assert_int_equal (hl_action_order (&order, 1, &buf, err, sizeof err), 0);
    s_assert_sig (signer, &buf, 0, NULL, true,
                  "0xd65369825a9df5d80099e513cce430311d7d26ddf477f5b3a33d2806b100d78e",
                  "0x2b54116ff64054968aa237c20ca9ff68000f977c93289157748a3162b6ea940e", 28);
    s_assert_sig (signer, &buf, 0, NULL, false,
                  "0x82b2ba28e76b3d761093aaded1b1cdad4960b3af30212b343fb2e6cdfa4e3d54",
                  "0x6b53878fc99d26047f4d7e8c90eb98955a109f44209163f52d8dc4278cbbd9f5", 27);

    //  test_l1_action_signing_order_with_cloid_matches (r has a leading 0:
    //  the SDK writes it with 63 digits)
    order.has_cloid = true;
    assert_int_equal (hl_cloid_parse ("0x00000000000000000000000000000001", order.cloid), 0);
    assert_int_equal (hl_action_order (&order, 1, &buf, err, sizeof err), 0);
    s_assert_sig (signer, &buf, 0, NULL, true,
                  "0x41ae18e8239a56cacbc5dad94d45d0b747e5da11ad564077fcac71277a946e3",
                  "0x3c61f667e747404fe7eea8f90ab0e76cc12ce60270438b2058324681a00116da", 27);
    s_assert_sig (signer, &buf, 0, NULL, false,
                  "0xeba0664bed2676fc4e5a743bf89e5c7501aa6d870bdb9446e122c9466c5cd16d",
                  "0x7f3e74825c9114bc59086f1eebea2928c190fdfbfde144827cb02b85bbe90988", 28);

    //  test_l1_action_signing_matches and ..._with_vault
    s_dummy_action (&buf);
    s_assert_sig (signer, &buf, 0, NULL, true,
                  "0x53749d5b30552aeb2fca34b530185976545bb22d0b3ce6f62e31be961a59298",
                  "0x755c40ba9bf05223521753995abb2f73ab3229be8ec921f350cb447e384d8ed8", 27);
    s_assert_sig (signer, &buf, 0, NULL, false,
                  "0x542af61ef1f429707e3c76c5293c80d01f74ef853e34b76efffcb57e574f9510",
                  "0x17b8b32f086e8cdede991f1e2c529f5dd5297cbe8128500e00cbaf766204a613", 28);
    s_assert_sig (signer, &buf, 0, S_VAULT, true,
                  "0x3c548db75e479f8012acf3000ca3a6b05606bc2ec0c29c50c515066a326239",
                  "0x4d402be7396ce74fbba3795769cda45aec00dc3125a984f2a9f23177b190da2c", 28);
    s_assert_sig (signer, &buf, 0, S_VAULT, false,
                  "0xe281d2fb5c6e25ca01601f878e4d69c965bb598b88fac58e475dd1f5e56c362b",
                  "0x7ddad27e9a238d045c035bc606349d075d5c5cd00a6cd1da23ab5c39d4ef0f60", 27);

    msgpack_sbuffer_destroy (&buf);
    hl_signer_destroy (&signer);
}

//  One case for the script: an action, who signs it, where
typedef enum { S_ORDER, S_CANCEL, S_CANCEL_CLOID } s_kind_t;
typedef struct {
    const char       *name;
    s_kind_t          kind;
    const char       *key;
    bool              mainnet;
    uint64_t          nonce;
    const char       *vault;        //  NULL: none
    uint64_t          expires;
    size_t            n;
    hl_order_t        orders [3];
    hl_cancel_t       cancels [3];
    hl_cancel_cloid_t by_cloid [2];
} s_case_t;

#define S_CLOID_A { 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71, 0x82, 0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9, 0x0a }
#define S_CLOID_B { 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f }

static const s_case_t s_cases [] = {
    { "gtc_mainnet", S_ORDER, S_SDK_KEY, true, 1714557600123ull, NULL, 0, 1,
      { { .asset = 0, .is_buy = true, .px = 65000, .sz = 0.001, .tif = HL_TIF_GTC, .sz_decimals = 5 } } },
    { "gtc_testnet_vault", S_ORDER, S_SDK_KEY, false, 1714557600124ull, S_VAULT, 0, 1,
      { { .asset = 0, .is_buy = false, .px = 6501.5, .sz = 0.25, .tif = HL_TIF_GTC, .sz_decimals = 5 } } },
    { "ioc_testnet", S_ORDER, S_KEY2, false, 1714557600200ull, NULL, 0, 1,
      { { .asset = 4, .is_buy = false, .px = 1670.1, .sz = 0.0147, .tif = HL_TIF_IOC, .sz_decimals = 4 } } },
    { "ioc_mainnet_vault", S_ORDER, S_KEY2, true, 1714557600201ull, S_VAULT, 0, 1,
      { { .asset = 4, .is_buy = true, .px = 3012.5, .sz = 12, .tif = HL_TIF_IOC, .sz_decimals = 4 } } },
    { "reduce_only", S_ORDER, S_SDK_KEY, true, 1714557600300ull, NULL, 0, 1,
      { { .asset = 7, .is_buy = false, .px = 0.12345, .sz = 1500, .reduce_only = true,
          .tif = HL_TIF_GTC, .sz_decimals = 0 } } },
    { "cloid_alo_testnet_vault", S_ORDER, S_SDK_KEY, false, 1714557600400ull, S_VAULT, 0, 1,
      { { .asset = 5, .is_buy = true, .px = 0.012345, .sz = 1200, .tif = HL_TIF_ALO,
          .has_cloid = true, .cloid = S_CLOID_A, .sz_decimals = 0 } } },
    { "cloid_reduce_ioc", S_ORDER, S_KEY2, true, 1714557600401ull, NULL, 0, 1,
      { { .asset = 1, .is_buy = false, .px = 123456, .sz = 0.5, .reduce_only = true, .tif = HL_TIF_IOC,
          .has_cloid = true, .cloid = S_CLOID_B, .sz_decimals = 1 } } },
    { "three_orders", S_ORDER, S_SDK_KEY, true, 1714557600500ull, NULL, 0, 3,
      { { .asset = 0, .is_buy = true, .px = 64999, .sz = 0.00123, .tif = HL_TIF_GTC, .sz_decimals = 5 },
        { .asset = 1, .is_buy = false, .px = 3500.1, .sz = 0.1, .tif = HL_TIF_IOC, .sz_decimals = 4,
          .has_cloid = true, .cloid = S_CLOID_A },
        { .asset = 200, .is_buy = true, .px = 0.000123, .sz = 100000, .reduce_only = true,
          .tif = HL_TIF_ALO, .sz_decimals = 0 } } },
    { "spot", S_ORDER, S_KEY2, false, 1714557600600ull, NULL, 0, 1,
      { { .asset = 10107, .is_buy = true, .px = 0.0001234, .sz = 10.5, .tif = HL_TIF_GTC,
          .sz_decimals = 1, .spot = true } } },
    { "expires_after", S_ORDER, S_SDK_KEY, true, 1714557600700ull, NULL, 1714557660700ull, 1,
      { { .asset = 0, .is_buy = true, .px = 65000, .sz = 0.001, .tif = HL_TIF_IOC, .sz_decimals = 5 } } },
    { "cancel_mainnet", S_CANCEL, S_SDK_KEY, true, 1714557600800ull, NULL, 0, 1,
      { { 0 } }, { { .asset = 0, .oid = 91490942 } } },
    { "cancel_testnet_vault", S_CANCEL, S_SDK_KEY, false, 1714557600801ull, S_VAULT, 0, 3,
      { { 0 } }, { { .asset = 3, .oid = 1 }, { .asset = 130, .oid = 70000 },
                   { .asset = 65536, .oid = (1ull << 40) + 5 } } },
    { "cancel_key2_vault_mainnet", S_CANCEL, S_KEY2, true, 1714557600802ull, S_VAULT, 0, 1,
      { { 0 } }, { { .asset = 10107, .oid = 18446744073709551615ull } } },
    { "cancel_cloid_mainnet", S_CANCEL_CLOID, S_SDK_KEY, true, 1714557600900ull, NULL, 0, 1,
      { { 0 } }, { { 0 } }, { { .asset = 5, .cloid = S_CLOID_A } } },
    { "cancel_cloid_testnet_vault", S_CANCEL_CLOID, S_KEY2, false, 1714557600901ull, S_VAULT, 0, 2,
      { { 0 } }, { { 0 } }, { { .asset = 5, .cloid = S_CLOID_A }, { .asset = 300, .cloid = S_CLOID_B } } },
};
#define S_CASES (sizeof s_cases / sizeof s_cases [0])

//  the block-boundary lengths fed to both Keccaks
static const int s_keccak_lens [] = { 0, 1, 134, 135, 136, 137, 271, 272, 273, 1000 };
#define S_KECCAK_LENS (sizeof s_keccak_lens / sizeof s_keccak_lens [0])

static void
s_write_case (FILE *f, const s_case_t *c)
{
    static const char *kinds [] = { "order", "cancel", "cancelByCloid" };
    fprintf (f, "name=%s kind=%s key=%s%s mainnet=%d nonce=%llu vault=%s expires=%llu items=",
             c->name, kinds [c->kind], strncmp (c->key, "0x", 2)? "0x": "", c->key, c->mainnet,
             (unsigned long long) c->nonce, c->vault? c->vault: "-", (unsigned long long) c->expires);
    for (size_t i = 0; i < c->n; i++) {
        char cloid [HL_CLOID_HEX_SIZE];
        if (i)
            fputc (',', f);
        if (c->kind == S_ORDER) {
            const hl_order_t *o = &c->orders [i];
            if (o->has_cloid)
                hl_cloid_hex (o->cloid, cloid);
            //  %.17g: the script reads back the very same double
            fprintf (f, "%u:%d:%.17g:%.17g:%d:%s:%s", o->asset, o->is_buy, o->px, o->sz,
                     o->reduce_only, hl_tif_name (o->tif), o->has_cloid? cloid: "-");
        }
        else if (c->kind == S_CANCEL)
            fprintf (f, "%u:%llu", c->cancels [i].asset, (unsigned long long) c->cancels [i].oid);
        else {
            hl_cloid_hex (c->by_cloid [i].cloid, cloid);
            fprintf (f, "%u:%s", c->by_cloid [i].asset, cloid);
        }
    }
    fputc ('\n', f);
}

//  What the C side makes of a case, in the script's output format
static void
s_c_line (const s_case_t *c, char *line, size_t size)
{
    char err [256];
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    int rc = c->kind == S_ORDER? hl_action_order (c->orders, c->n, &buf, err, sizeof err)
           : c->kind == S_CANCEL? hl_action_cancel (c->cancels, c->n, &buf, err, sizeof err)
           : hl_action_cancel_by_cloid (c->by_cloid, c->n, &buf, err, sizeof err);
    if (rc)
        fail_msg ("%s: refused: %s", c->name, err);
    hl_signer_t *signer = hl_signer_new (c->key, err, sizeof err);
    assert_non_null (signer);
    uint8_t vault [HL_ADDRESS_SIZE];
    if (c->vault)
        assert_int_equal (hl_address_parse (c->vault, vault), 0);
    hl_sig_t sig;
    uint8_t hash [HL_HASH_SIZE], digest [HL_HASH_SIZE];
    assert_int_equal (hl_signer_sign_l1 (signer, buf.data, buf.size, c->nonce, c->vault? vault: NULL,
                                         c->expires, c->mainnet, &sig, hash), 0);
    hl_l1_agent_digest (hash, c->mainnet, digest);

    //  whoever checks the signature finds the signer's address
    uint8_t recovered [HL_ADDRESS_SIZE];
    assert_int_equal (hl_sig_recover (digest, &sig, recovered), 0);
    assert_memory_equal (recovered, hl_signer_address (signer), HL_ADDRESS_SIZE);

    char *packed = (char *) malloc (2 * buf.size + 3);
    assert_non_null (packed);
    s_hex ((const uint8_t *) buf.data, buf.size, packed);
    char h [67], d [67], r [67], s [67], a [43];
    s_hex (hash, sizeof hash, h);
    s_hex (digest, sizeof digest, d);
    s_hex (sig.r, sizeof sig.r, r);
    s_hex (sig.s, sizeof sig.s, s);
    s_hex (hl_signer_address (signer), HL_ADDRESS_SIZE, a);
    snprintf (line, size, "%s %s %s %s %s %s %d %s", c->name, packed, h, d, r, s, sig.v, a);
    free (packed);
    msgpack_sbuffer_destroy (&buf);
    hl_signer_destroy (&signer);
}

static void
test_python_vectors (void **state)
{
    (void) state;
    char in [] = "/tmp/hl_vectors_in_XXXXXX", out [] = "/tmp/hl_vectors_out_XXXXXX";
    int in_fd = mkstemp (in), out_fd = mkstemp (out);
    assert_true (in_fd >= 0 && out_fd >= 0);
    close (out_fd);
    FILE *f = fdopen (in_fd, "w");
    assert_non_null (f);
    for (size_t i = 0; i < S_CASES; i++)
        s_write_case (f, &s_cases [i]);
    for (size_t i = 0; i < S_KECCAK_LENS; i++)
        fprintf (f, "name=keccak%d kind=keccak len=%d\n", s_keccak_lens [i], s_keccak_lens [i]);
    fclose (f);

    const char *top = getenv ("HB_TOP");
    char command [1024];
    snprintf (command, sizeof command, "/usr/bin/python3 %s/tests/venues/hl_vectors.py <%s >%s",
              top? top: ".", in, out);
    int rc = system (command);
    if (rc != 0) {
        unlink (in);
        unlink (out);
        fail_msg ("hl_vectors.py failed (%d): see its message above", rc);
    }

    f = fopen (out, "r");
    assert_non_null (f);
    size_t size = 1 << 16;
    char *want = (char *) malloc (size), *got = (char *) malloc (size);
    assert_non_null (want);
    assert_non_null (got);
    size_t lines = 0;
    while (fgets (want, (int) size, f)) {
        want [strcspn (want, "\n")] = 0;
        if (lines < S_CASES)
            s_c_line (&s_cases [lines], got, size);
        else {
            int len = s_keccak_lens [lines - S_CASES];
            uint8_t *data = (uint8_t *) malloc ((size_t) len + 1), digest [HL_KECCAK_SIZE];
            assert_non_null (data);
            for (int i = 0; i < len; i++)
                data [i] = (uint8_t) (i % 251);
            hl_keccak256 (data, (size_t) len, digest);
            free (data);
            char hex [67];
            s_hex (digest, sizeof digest, hex);
            snprintf (got, size, "keccak%d %s", len, hex);
        }
        if (strcmp (want, got))
            print_error ("python: %s\nC:      %s\n", want, got);
        assert_string_equal (want, got);
        lines++;
    }
    fclose (f);
    free (want);
    free (got);
    unlink (in);
    unlink (out);
    assert_int_equal (lines, S_CASES + S_KECCAK_LENS);
}

static void
test_recover_other_digest (void **state)
{
    (void) state;
    char err [256];
    hl_signer_t *signer = hl_signer_new (S_KEY2, err, sizeof err);
    assert_non_null (signer);
    uint8_t digest [HL_HASH_SIZE], address [HL_ADDRESS_SIZE];
    hl_keccak256 ("some action", 11, digest);
    hl_sig_t sig;
    assert_int_equal (hl_signer_sign_digest (signer, digest, &sig), 0);
    assert_int_equal (hl_sig_recover (digest, &sig, address), 0);
    assert_memory_equal (address, hl_signer_address (signer), HL_ADDRESS_SIZE);

    //  another digest, or the other v: another address (or none)
    digest [0] ^= 1;
    if (hl_sig_recover (digest, &sig, address) == 0)
        assert_memory_not_equal (address, hl_signer_address (signer), HL_ADDRESS_SIZE);
    digest [0] ^= 1;
    sig.v = sig.v == 27? 28: 27;
    if (hl_sig_recover (digest, &sig, address) == 0)
        assert_memory_not_equal (address, hl_signer_address (signer), HL_ADDRESS_SIZE);
    sig.v = 29;
    assert_int_equal (hl_sig_recover (digest, &sig, address), -1);
    hl_signer_destroy (&signer);
    hl_signer_destroy (&signer);        //  NULL-safe
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_keccak_known_answers),
        cmocka_unit_test (test_sdk_published_vectors),
        cmocka_unit_test (test_python_vectors),
        cmocka_unit_test (test_recover_other_digest),
    };
    return cmocka_run_group_tests_name ("hl_sign", tests, NULL, NULL);
}
