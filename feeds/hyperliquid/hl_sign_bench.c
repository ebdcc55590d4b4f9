/*  hl_sign_bench: what signing a Hyperliquid order costs, beside what the
    rest of an order's path costs in the same run.

    Timed, each the median of S_ROUNDS rounds of S_OPS operations, in
    microseconds per operation:
      - encode: a one-order action through the wire rules into msgpack;
      - hash: the action hash and the EIP-712 Agent digest (Keccak only);
      - sign: secp256k1 recoverable ECDSA of the digest (libsecp256k1);
      - order: all three, what the plugin will pay per order (target:
        well under a bus hop, < 50 us of CPU);
      - recover: the address from (r, s, v), what the venue (and our test
        server) pays to check it;
    and the yardsticks: HMAC-SHA256 of a request text of the same length
    (what a CEX venue's signature costs, hb_sign) and the bare transport
    (a frame of that length written to and read back from an AF_UNIX
    SOCK_SEQPACKET pair, hb_vbench), the kernel floor of any hop. Wall
    clock figures move with the load of the machine (5 engineers share 2
    cores): read the ratios and the CPU time, which counts only this
    process's own cycles.                                                 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "hb_sign.h"
#include "hb_time.h"
#include "hb_vbench.h"
#include "hl_action.h"
#include "hl_l1.h"
#include "hl_signer.h"

#define S_OPS    2000
#define S_ROUNDS 7
#define S_KEY    "0x0123456789012345678901234567890123456789012345678901234567890123"

typedef enum { S_ENCODE, S_HASH, S_SIGN, S_ORDER, S_RECOVER, S_HMAC, S_STEPS } s_step_t;

static const char *s_names [S_STEPS] = {
    "encode: wire rules + msgpack (1 order)",
    "hash: action hash + EIP-712 digest (Keccak)",
    "sign: secp256k1 recoverable ECDSA",
    "order: encode + hash + sign",
    "recover the signer's address (venue side)",
    "HMAC-SHA256 of as many bytes (a CEX's signature)",
};

static volatile uint8_t s_sink;

//  CPU time of this process: what the operation costs, whatever else runs
static int64_t
s_cpu_ns (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static uint8_t  s_digest [HL_HASH_SIZE];    //  one signature to recover from
static hl_sig_t s_sig;

static int
s_op (s_step_t step, hl_signer_t *signer, hl_order_t *order, msgpack_sbuffer *buf,
      uint64_t nonce, const char *text, size_t text_len)
{
    char err [256];
    uint8_t hash [HL_HASH_SIZE], digest [HL_HASH_SIZE], address [HL_ADDRESS_SIZE];
    hl_sig_t sig;
    order->cloid [15] = (uint8_t) nonce;    //  every order a different action
    switch (step) {
        case S_ENCODE:
            return hl_action_order (order, 1, buf, err, sizeof err);
        case S_HASH:
            hl_l1_action_hash (buf->data, buf->size, nonce, NULL, 0, hash);
            hl_l1_agent_digest (hash, true, digest);
            s_sink ^= digest [0];
            return 0;
        case S_SIGN:
            memset (digest, 0, sizeof digest);
            memcpy (digest, &nonce, sizeof nonce);
            return hl_signer_sign_digest (signer, digest, &sig);
        case S_ORDER:
            if (hl_action_order (order, 1, buf, err, sizeof err))
                return -1;
            return hl_signer_sign_l1 (signer, buf->data, buf->size, nonce, NULL, 0, true, &sig, NULL);
        case S_RECOVER:
            return hl_sig_recover (s_digest, &s_sig, address);
        case S_HMAC:
            if (hb_sign_hmac ("secret", 6, text, text_len, digest))
                return -1;
            s_sink ^= digest [0];
            return 0;
        default:
            return -1;
    }
}

int
main (void)
{
    char err [256];
    hl_signer_t *signer = hl_signer_new (S_KEY, err, sizeof err);
    if (!signer) {
        fprintf (stderr, "hl_sign_bench: %s\n", err);
        return 1;
    }
    hl_order_t order = { .asset = 0, .is_buy = true, .px = 65000, .sz = 0.001,
                         .tif = HL_TIF_IOC, .has_cloid = true, .sz_decimals = 5 };
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    if (hl_action_order (&order, 1, &buf, err, sizeof err)) {
        fprintf (stderr, "hl_sign_bench: %s\n", err);
        return 1;
    }
    //  the JSON body the plugin will send: about the size HMAC and the
    //  bare transport are timed on
    char text [512];
    int text_len = snprintf (text, sizeof text,
        "{\"action\":{\"type\":\"order\",\"orders\":[{\"a\":0,\"b\":true,\"p\":\"65000\","
        "\"s\":\"0.001\",\"r\":false,\"t\":{\"limit\":{\"tif\":\"Ioc\"}},"
        "\"c\":\"0x0000000000000000000000000000002a\"}],\"grouping\":\"na\"},"
        "\"nonce\":1714557600123,\"signature\":{\"r\":\"0x%064d\",\"s\":\"0x%064d\",\"v\":27},"
        "\"vaultAddress\":null}", 0, 0);

    if (hl_signer_sign_digest (signer, s_digest, &s_sig))
        return 1;
    double us [S_STEPS][S_ROUNDS], cpu [S_STEPS][S_ROUNDS];
    uint64_t nonce = 1714557600123ull;
    for (int round = 0; round < S_ROUNDS; round++)
        for (int step = 0; step < S_STEPS; step++) {
            int64_t start = hb_mono_ns (), cpu_start = s_cpu_ns ();
            for (int i = 0; i < S_OPS; i++)
                if (s_op ((s_step_t) step, signer, &order, &buf, nonce++, text, (size_t) text_len)) {
                    fprintf (stderr, "hl_sign_bench: %s failed\n", s_names [step]);
                    return 1;
                }
            us [step][round] = (double) (hb_mono_ns () - start) / 1e3 / S_OPS;
            cpu [step][round] = (double) (s_cpu_ns () - cpu_start) / 1e3 / S_OPS;
        }
    double median [S_STEPS], cpu_median [S_STEPS];
    for (int step = 0; step < S_STEPS; step++) {
        median [step] = hb_vbench_median (us [step], S_ROUNDS);
        cpu_median [step] = hb_vbench_median (cpu [step], S_ROUNDS);
    }

    //  the bare transport: the body, S_OPS times, through a socket pair
    hb_vbench_t *bench = hb_vbench_new (S_OPS);
    double bare_us = -1;
    if (bench) {
        for (int i = 0; i < S_OPS; i++)
            if (hb_vbench_add (bench, strdup (text)))
                break;
        double rates [S_ROUNDS];
        int n = 0;
        for (int round = 0; round < S_ROUNDS; round++) {
            double rate = hb_vbench_bare (bench);
            if (rate > 0)
                rates [n++] = rate;
        }
        if (n)
            bare_us = 1e6 / hb_vbench_median (rates, n);
        hb_vbench_destroy (&bench);
    }

    printf ("hyperliquid signing: %d operations per round, median of %d rounds, "
            "per operation: wall clock, CPU time (the CPU time does not count the\n"
            "time other processes hold the core)\n", S_OPS, S_ROUNDS);
    for (int step = 0; step < S_STEPS; step++)
        printf ("  %-50s %8.2f us  cpu %8.2f us\n", s_names [step], median [step], cpu_median [step]);
    if (bare_us > 0)
        printf ("  %-50s %8.2f us\n", "bare transport, one frame (AF_UNIX seqpacket)", bare_us);
    printf ("  an order signed in %.1f us, %.1f us of CPU (target < 50 us): %.1f x an HMAC-SHA256",
            median [S_ORDER], cpu_median [S_ORDER], median [S_ORDER] / median [S_HMAC]);
    if (bare_us > 0)
        printf (", %.1f x the bare transport", median [S_ORDER] / bare_us);
    printf ("%s\n", cpu_median [S_ORDER] < 50? "": "  ABOVE TARGET");
    msgpack_sbuffer_destroy (&buf);
    hl_signer_destroy (&signer);
    return 0;
}
