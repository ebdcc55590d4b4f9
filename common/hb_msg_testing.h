/*  hb_msg_testing: cmocka assertions shared by the codec's test programs
    (hb_msg_test.c, hb_msg_body_test.c, the bodies' tests). Header-only (static inline), so
    that libhbcommon never links against cmocka; include it after
    <cmocka.h>. The independent encoder itself is hb_msg_spec.h.          */
#ifndef HB_MSG_TESTING_H
#define HB_MSG_TESTING_H

#include <msgpack.h>
#include <stdio.h>
#include <string.h>
#include "hb_msg.h"
#include "hb_msg_sample.h"
#include "hb_msg_spec.h"

//  Fills samples [i] with sample i, for every hb_msg_sample_t.
static inline void
hb_msg_testing_samples (hb_msg_t samples [HB_MSG_SAMPLE_COUNT])
{
    for (int i = 0; i < HB_MSG_SAMPLE_COUNT; i++)
        hb_msg_sample (&samples [i], (hb_msg_sample_t) i);
}

//  Zeroes msg and gives it the envelope the body tests share: schema
//  version, type, publisher, a fixed epoch, seq, ts_recv 12 and ts_pub 13
//  (ts_venue 0: a test that needs one sets it)
static inline void
hb_msg_testing_env (hb_msg_t *msg, int type, const char *publisher, uint64_t seq)
{
    memset (msg, 0, sizeof *msg);
    msg->env.version = HB_SCHEMA_VERSION;
    msg->env.type = (uint8_t) type;
    snprintf (msg->env.publisher, sizeof msg->env.publisher, "%s", publisher);
    msg->env.epoch = 1763700000000000000ull;
    msg->env.seq = seq;
    msg->env.ts_recv = 12;
    msg->env.ts_pub = 13;
}

//  Decodes data, which must succeed, and compares with expect field by
//  field (through memcmp: decoded messages are zero-filled). Fails the
//  test otherwise.
static inline void
hb_msg_testing_assert_decodes_to (const void *data, size_t size, const hb_msg_t *expect)
{
    hb_msg_t got;
    hb_decode_reason_t reason = HB_DECODE_REASON_COUNT;
    int rc = hb_msg_decode (&got, data, size, &reason);
    if (rc != 0)
        fail_msg ("decode failed: %s", hb_decode_reason_name (reason));
    assert_int_equal (reason, HB_DECODE_OK);
    assert_memory_equal (&got, expect, sizeof got);
}

//  Packs spec, which must decode to expect (as above).
static inline void
hb_msg_testing_expect_ok (const hb_msg_spec_t *spec, const hb_msg_t *expect)
{
    msgpack_sbuffer sb;
    hb_msg_spec_pack (spec, &sb);
    hb_msg_testing_assert_decodes_to (sb.data, sb.size, expect);
    msgpack_sbuffer_destroy (&sb);
}

//  The decoder must refuse data with reason want; fails the test naming
//  the case's line otherwise.
static inline void
hb_msg_testing_expect_bytes_fail (const void *data, size_t size, hb_decode_reason_t want, int line)
{
    hb_msg_t msg;
    hb_decode_reason_t got = HB_DECODE_OK;
    int rc = hb_msg_decode (&msg, data, size, &got);
    if (rc != -1 || got != want)
        fail_msg ("case at line %d: rc %d, reason %s, expected %s", line, rc,
                  hb_decode_reason_name (got), hb_decode_reason_name (want));
}

//  Packs spec, which the decoder must refuse with reason want (as above).
static inline void
hb_msg_testing_expect_fail (const hb_msg_spec_t *spec, hb_decode_reason_t want, int line)
{
    msgpack_sbuffer sb;
    hb_msg_spec_pack (spec, &sb);
    hb_msg_testing_expect_bytes_fail (sb.data, sb.size, want, line);
    msgpack_sbuffer_destroy (&sb);
}

//  The encoder must refuse msg (what the decoder would refuse), leaving
//  the buffer empty; fails the test naming the case's line otherwise.
static inline void
hb_msg_testing_expect_refused (const hb_msg_t *msg, int line)
{
    hb_buf_t buf;
    buf.size = 7;
    if (hb_msg_encode (msg, &buf) != -1)
        fail_msg ("case at line %d: encoded", line);
    assert_int_equal (buf.size, 0);
}

//  msg encodes and decodes back to itself; every truncation of its bytes is
//  refused, and every single bit flip is either refused or decodes to a
//  message the encoder accepts (the two keep the same rules), not all of
//  them decoding.
static inline void
hb_msg_testing_roundtrip (const hb_msg_t *msg)
{
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (msg, &buf), 0);
    hb_msg_testing_assert_decodes_to (buf.data, buf.size, msg);
    hb_msg_t back;
    for (size_t len = 0; len < buf.size; len++)
        assert_int_equal (hb_msg_decode (&back, buf.data, len, NULL), -1);
    size_t decoded = 0;
    for (size_t bit = 0; bit < buf.size * 8; bit++) {
        hb_buf_t flipped = buf;
        flipped.data [bit / 8] ^= (uint8_t) (1u << (bit % 8));
        if (hb_msg_decode (&back, flipped.data, flipped.size, NULL) == 0) {
            hb_buf_t again;
            assert_int_equal (hb_msg_encode (&back, &again), 0);
            decoded++;
        }
    }
    assert_true (decoded < buf.size * 8);
}

//  One case: the spec of samples [sample] with one change (the statements
//  after reason, on a local hb_msg_spec_t spec), and the expected reason.
#define HB_MSG_TESTING_EXPECT(samples, sample, reason, ...) do { \
    hb_msg_spec_t spec; \
    hb_msg_spec_of (&spec, &(samples) [sample]); \
    __VA_ARGS__; \
    hb_msg_testing_expect_fail (&spec, reason, __LINE__); \
} while (0)

#endif
