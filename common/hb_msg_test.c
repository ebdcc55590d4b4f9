/*  hb_msg tests: round trips, the wire layout of docs/PROTOCOL.md packed by
    an independent encoder (hb_msg_spec.h), the envelope's rejections with
    their reasons, bytes that are not one bounded msgpack object, bit flips
    and truncations, the encoder's refusals, allocation. The bodies' field
    rules: hb_msg_body_test.c. Names, topics and JSON: hb_msg_text_test.c.

    HB_MSG_WRITE_CORPUS=DIR hb_msg_test writes one encoded sample per type
    into DIR (the fuzzer's seeds, tests/corpus/hb_msg_fuzz) and exits.     */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <float.h>
#include <malloc.h>
#include <math.h>
#include <msgpack.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_msg.h"
#include "hb_mpscan.h"
#include "hb_msg_sample.h"
#include "hb_msg_spec.h"
#include "hb_msg_testing.h"

static hb_msg_t s_samples [HB_MSG_SAMPLE_COUNT];

#define NAME31 HB_MSG_SAMPLE_NAME31
#define ID47   HB_MSG_SAMPLE_ID47

static int
s_setup (void **state)
{
    (void) state;
    hb_msg_testing_samples (s_samples);
    return 0;
}

//  ---------------------------------------------------------------------------
//  Round trips

static void
test_round_trip (void **state)
{
    (void) state;
    for (int i = 0; i < HB_MSG_SAMPLE_COUNT; i++) {
        hb_buf_t buf;
        if (hb_msg_encode (&s_samples [i], &buf) != 0)
            fail_msg ("encode %s failed", hb_msg_sample_name ((hb_msg_sample_t) i));
        assert_true (buf.size > 0 && buf.size < HB_MSG_MAX_SIZE);
        hb_msg_testing_assert_decodes_to (buf.data, buf.size, &s_samples [i]);
    }
    //  a few fields by name, so a sample that went wrong cannot hide
    hb_buf_t buf;
    hb_msg_t got;
    assert_int_equal (hb_msg_encode (&s_samples [HB_MSG_SAMPLE_EDGE_TICK], &buf), 0);
    assert_int_equal (hb_msg_decode (&got, buf.data, buf.size, NULL), 0);
    assert_int_equal (got.env.type, HB_MSG_TICK);
    assert_true (got.env.epoch == UINT64_MAX);
    assert_true (got.env.ts_recv == INT64_MAX);
    assert_string_equal (got.u.tick.venue, NAME31);
    assert_int_equal (got.u.tick.n_bids, HB_BOOK_DEPTH);
    assert_true (got.u.tick.bids [0].px == DBL_MAX);
    assert_true (got.u.tick.mark_iv == 5e-324);
    assert_true (signbit (got.u.tick.underlying));
    assert_true (got.u.tick.asks [9].px == 1e300);
    assert_true (got.u.tick.bids [1].qty == 0.2);
    //  fill flags: the edge carries every bit, an external fill its one
    assert_int_equal (hb_msg_encode (&s_samples [HB_MSG_SAMPLE_EDGE_FILL], &buf), 0);
    assert_int_equal (hb_msg_decode (&got, buf.data, buf.size, NULL), 0);
    assert_true (got.u.fill.flags == UINT32_MAX);
    hb_msg_t external = s_samples [HB_MSG_SAMPLE_FILL];
    external.u.fill.flags = HB_FILL_EXTERNAL;
    assert_int_equal (hb_msg_encode (&external, &buf), 0);
    assert_int_equal (hb_msg_decode (&got, buf.data, buf.size, NULL), 0);
    assert_int_equal (got.u.fill.flags, HB_FILL_EXTERNAL);
    assert_int_equal (hb_msg_encode (&s_samples [HB_MSG_SAMPLE_FILL], &buf), 0);
    assert_int_equal (hb_msg_decode (&got, buf.data, buf.size, NULL), 0);
    assert_int_equal (got.u.fill.flags, 0);
}

//  The envelope's version field is the encoder's business, not the caller's
static void
test_encode_sets_version (void **state)
{
    (void) state;
    hb_msg_t msg = s_samples [HB_MSG_SAMPLE_TRADE];
    msg.env.version = 7;
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    hb_msg_testing_assert_decodes_to (buf.data, buf.size, &s_samples [HB_MSG_SAMPLE_TRADE]);
}

//  Exact bytes of a short message, so the layout itself is pinned
static void
test_exact_bytes (void **state)
{
    (void) state;
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_CANCEL;
    strcpy (msg.env.publisher, "p");
    msg.env.epoch = 5;
    msg.env.seq = 1;
    msg.env.ts_pub = 300;
    strcpy (msg.u.cancel.venue, "v");
    strcpy (msg.u.cancel.symbol, "s");
    strcpy (msg.u.cancel.client_id, "c");
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    const uint8_t expect [] = {
        0x99, 0x02, 0x04, 0xa1, 'p', 0x05, 0x01, 0x00, 0x00, 0xcd, 0x01, 0x2c,
        0x93, 0xa1, 'v', 0xa1, 's', 0xa1, 'c'
    };
    assert_int_equal (buf.size, sizeof expect);
    assert_memory_equal (buf.data, expect, sizeof expect);
}

//  ---------------------------------------------------------------------------
//  The layout of docs/PROTOCOL.md packed by an independent encoder
//  (hb_msg_spec.h), so that any one field can be replaced by something wrong

//  One case: the spec of a sample with one change, and the expected reason
#define EXPECT(sample, reason, ...) \
    HB_MSG_TESTING_EXPECT (s_samples, sample, reason, __VA_ARGS__)

//  The independent encoder agrees with the codec on every sample, and
//  appended fields (body or envelope) are ignored.
static void
test_layout (void **state)
{
    (void) state;
    hb_msg_spec_t spec;
    for (int i = 0; i < HB_MSG_SAMPLE_COUNT; i++) {
        hb_msg_spec_of (&spec, &s_samples [i]);
        hb_msg_testing_expect_ok (&spec, &s_samples [i]);
        spec.body [spec.n_body++] = NIL;            //  appended by a newer minor revision
        spec.body [spec.n_body++] = MAP;
        spec.body [spec.n_body++] = S ("later");
        spec.extra_top = 2;
        hb_msg_testing_expect_ok (&spec, &s_samples [i]);
    }
    //  float32 values are doubles too
    hb_msg_spec_of (&spec, &s_samples [HB_MSG_SAMPLE_TRADE]);
    spec.body [4] = F (3150.25);
    hb_msg_testing_expect_ok (&spec, &s_samples [HB_MSG_SAMPLE_TRADE]);
}

static void
test_reject_envelope (void **state)
{
    (void) state;
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_VERSION, spec.env [0] = U (3));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_VERSION, spec.env [0] = U (1));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_VERSION, spec.env [0] = U (0));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_VERSION, spec.env [0] = U (3); spec.n_env = 1);
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_FIELD_TYPE, spec.env [0] = S ("1"));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_TYPE, spec.env [1] = U (0));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_TYPE, spec.env [1] = U (HB_MSG_TYPE_COUNT));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_TYPE, spec.env [1] = U (300));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_FIELD_TYPE, spec.env [1] = D (2.0));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_FIELD_TYPE, spec.n_env = 5);        //  no body
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_FIELD_TYPE, spec.env [2] = BIN ("feed.alpha"));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_OVERSIZED, spec.env [2] = S (NAME31 "x"));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_RANGE, spec.env [2] = S ("feed alpha"));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_RANGE, spec.env [2] = S (""));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_RANGE, spec.env [2] = SN ("feed\0x", 6));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_FIELD_TYPE, spec.env [3] = I (-5));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_FIELD_TYPE, spec.env [3] = D (1.0));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_FIELD_TYPE, spec.env [4] = S ("42"));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_FIELD_TYPE, spec.env [5] = D (1e18));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_RANGE, spec.env [6] = I (-1));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_RANGE, spec.env [7] = U ((uint64_t) INT64_MAX + 1));
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_FIELD_TYPE, spec.body_is_map = true);
    EXPECT (HB_MSG_SAMPLE_TRADE, HB_DECODE_FIELD_TYPE, spec.n_body--);         //  a field missing
    EXPECT (HB_MSG_SAMPLE_HEARTBEAT, HB_DECODE_FIELD_TYPE, spec.n_body = 0);
}


//  Bytes that are not one well-formed, bounded msgpack object
static void
test_reject_bytes (void **state)
{
    (void) state;
    static const struct {
        const char *bytes;
        size_t size;
        hb_decode_reason_t reason;
    } cases [] = {
        { "", 0, HB_DECODE_TRUNCATED },
        { "\x99\x01", 2, HB_DECODE_TRUNCATED },
        { "\xdc\x10\x00\x01", 4, HB_DECODE_TRUNCATED },        //  4096 elements, 1 given
        { "\xdd\xff\xff\xff\xff", 5, HB_DECODE_OVERSIZED },     //  2^32 - 1 elements
        { "\xdf\x7f\xff\xff\xff", 5, HB_DECODE_OVERSIZED },
        { "\x91\xdb\x00\x00\x10\x01", 6, HB_DECODE_OVERSIZED }, //  a 4097-byte string
        { "\x91\xda\x00\x10", 4, HB_DECODE_TRUNCATED },
        { "\xdd\x00\x00", 3, HB_DECODE_TRUNCATED },             //  count cut short
        { "\x91\xc1", 2, HB_DECODE_MALFORMED },                 //  reserved byte
        { "\x90", 1, HB_DECODE_MALFORMED },                     //  empty array
        { "\x80", 1, HB_DECODE_MALFORMED },                     //  a map
        { "\x01", 1, HB_DECODE_MALFORMED },
        { "\xa3" "abc", 4, HB_DECODE_MALFORMED },
        { "\x91\x01\x01", 3, HB_DECODE_MALFORMED },             //  trailing byte
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        hb_msg_t msg;
        hb_decode_reason_t reason = HB_DECODE_OK;
        assert_int_equal (hb_msg_decode (&msg, cases [i].bytes, cases [i].size, &reason), -1);
        if (reason != cases [i].reason)
            fail_msg ("case %zu: %s, expected %s", i, hb_decode_reason_name (reason),
                      hb_decode_reason_name (cases [i].reason));
    }
    hb_decode_reason_t reason = HB_DECODE_OK;
    hb_msg_t msg;
    assert_int_equal (hb_msg_decode (&msg, NULL, 10, &reason), -1);
    assert_int_equal (reason, HB_DECODE_TRUNCATED);

    //  trailing bytes after a real message; msgpack-c itself says EXTRA_BYTES
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&s_samples [HB_MSG_SAMPLE_FILL], &buf), 0);
    buf.data [buf.size++] = 0xc0;
    assert_int_equal (hb_msg_decode (&msg, buf.data, buf.size, &reason), -1);
    assert_int_equal (reason, HB_DECODE_MALFORMED);
}

//  hb_mpscan_read gives, object by object in pre-order, what msgpack-c's
//  unpacker builds as a tree: checked on every sample message and on bytes
//  with every kind of header
static void
s_same_objects (const uint8_t *data, size_t size, size_t *pos, const msgpack_object *want)
{
    msgpack_object got;
    uint64_t items;
    assert_true (hb_mpscan_read (data, size, pos, &got, &items));
    assert_int_equal (got.type, want->type);
    switch (want->type) {
        case MSGPACK_OBJECT_BOOLEAN:
            assert_int_equal (got.via.boolean, want->via.boolean);
            break;
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
            assert_true (got.via.u64 == want->via.u64);
            break;
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
            assert_true (got.via.i64 == want->via.i64);
            break;
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64:
            assert_memory_equal (&got.via.f64, &want->via.f64, sizeof got.via.f64);
            break;
        case MSGPACK_OBJECT_STR:
        case MSGPACK_OBJECT_BIN:
            assert_int_equal (got.via.str.size, want->via.str.size);
            assert_memory_equal (got.via.str.ptr, want->via.str.ptr, want->via.str.size);
            break;
        case MSGPACK_OBJECT_EXT:
            assert_int_equal (got.via.ext.type, want->via.ext.type);
            assert_int_equal (got.via.ext.size, want->via.ext.size);
            assert_memory_equal (got.via.ext.ptr, want->via.ext.ptr, want->via.ext.size);
            break;
        case MSGPACK_OBJECT_ARRAY:
            assert_int_equal (got.via.array.size, want->via.array.size);
            assert_true (items == want->via.array.size);
            for (uint32_t i = 0; i < want->via.array.size; i++)
                s_same_objects (data, size, pos, &want->via.array.ptr [i]);
            return;
        case MSGPACK_OBJECT_MAP:
            assert_int_equal (got.via.map.size, want->via.map.size);
            assert_true (items == 2 * (uint64_t) want->via.map.size);
            for (uint32_t i = 0; i < want->via.map.size; i++) {
                s_same_objects (data, size, pos, &want->via.map.ptr [i].key);
                s_same_objects (data, size, pos, &want->via.map.ptr [i].val);
            }
            return;
        default:
            break;
    }
    assert_true (items == 0);
}

static void
s_same_as_msgpack (const uint8_t *data, size_t size)
{
    assert_int_equal (hb_mpscan_check (data, size), HB_DECODE_OK);
    msgpack_zone zone;
    msgpack_zone_init (&zone, 4096);
    msgpack_object root;
    size_t offset = 0;
    assert_int_equal (msgpack_unpack ((const char *) data, size, &offset, &zone, &root),
                      MSGPACK_UNPACK_SUCCESS);
    size_t pos = 0;
    s_same_objects (data, size, &pos, &root);
    assert_int_equal (pos, size);
    //  skipping the root passes all of it
    pos = 0;
    assert_true (hb_mpscan_skip (data, size, &pos, 1));
    assert_int_equal (pos, size);
    msgpack_zone_destroy (&zone);
}

static void
test_read_in_place (void **state)
{
    (void) state;
    for (int i = 0; i < HB_MSG_SAMPLE_COUNT; i++) {
        hb_buf_t buf;
        assert_int_equal (hb_msg_encode (&s_samples [i], &buf), 0);
        s_same_as_msgpack (buf.data, buf.size);
    }
    //  every header kind: fixint, (u)int 8..64 on both sides of their
    //  range, floats, strings, bin, nil, bools, maps, ext and fixext
    msgpack_sbuffer sbuf;
    msgpack_sbuffer_init (&sbuf);
    msgpack_packer pk;
    msgpack_packer_init (&pk, &sbuf, msgpack_sbuffer_write);
    static const int64_t ints [] = { 0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295LL,
                                     4294967296LL, INT64_MAX, -1, -32, -33, -128, -129, -32768,
                                     -32769, -2147483648LL, -2147483649LL, INT64_MIN };
    size_t n_ints = sizeof ints / sizeof ints [0];
    msgpack_pack_array (&pk, (uint32_t) n_ints + 14);
    for (size_t i = 0; i < n_ints; i++)
        msgpack_pack_int64 (&pk, ints [i]);
    msgpack_pack_uint64 (&pk, UINT64_MAX);
    msgpack_pack_float (&pk, -1.5f);
    msgpack_pack_double (&pk, 65000.123456789);
    char text [300];
    memset (text, 'x', sizeof text);
    msgpack_pack_str_with_body (&pk, text, 31);
    msgpack_pack_str_with_body (&pk, text, 200);
    msgpack_pack_str_with_body (&pk, text, 300);
    msgpack_pack_bin_with_body (&pk, text, 5);
    msgpack_pack_nil (&pk);
    msgpack_pack_true (&pk);
    msgpack_pack_false (&pk);
    msgpack_pack_map (&pk, 1);
    msgpack_pack_str_with_body (&pk, "k", 1);
    msgpack_pack_array (&pk, 2);
    msgpack_pack_int (&pk, 1);
    msgpack_pack_array (&pk, 0);
    msgpack_pack_ext_with_body (&pk, text, 1, 7);
    msgpack_pack_ext_with_body (&pk, text, 3, -2);
    msgpack_pack_ext_with_body (&pk, text, 16, 5);
    s_same_as_msgpack ((const uint8_t *) sbuf.data, sbuf.size);
    //  cut anywhere, the reader and the skip say so rather than read past
    for (size_t cut = 0; cut < sbuf.size; cut++) {
        size_t pos = 0;
        assert_false (hb_mpscan_skip ((const uint8_t *) sbuf.data, cut, &pos, 1));
    }
    msgpack_sbuffer_destroy (&sbuf);
}

//  Nesting: the walk allows HB_MPSCAN_MAX_DEPTH levels below the top object
static void
test_nesting (void **state)
{
    (void) state;
    uint8_t bytes [200];
    for (int levels = 1; levels <= 150; levels++) {
        memset (bytes, 0x91, (size_t) levels);
        bytes [levels] = HB_SCHEMA_VERSION;     //  one level: a version alone
        hb_decode_reason_t want = levels <= HB_MPSCAN_MAX_DEPTH? HB_DECODE_OK: HB_DECODE_MALFORMED;
        assert_int_equal (hb_mpscan_check (bytes, (size_t) levels + 1), want);
        hb_msg_t msg;
        hb_decode_reason_t reason;
        assert_int_equal (hb_msg_decode (&msg, bytes, (size_t) levels + 1, &reason), -1);
        assert_int_equal (reason, levels <= HB_MPSCAN_MAX_DEPTH? HB_DECODE_FIELD_TYPE
                                                               : HB_DECODE_MALFORMED);
    }
}

//  Payload size: exactly HB_MSG_MAX_SIZE decodes, one byte more does not
static void
test_oversized (void **state)
{
    (void) state;
    hb_msg_spec_t spec;
    hb_msg_spec_of (&spec, &s_samples [HB_MSG_SAMPLE_TRADE]);
    static char filler [HB_MSG_MAX_SIZE];
    msgpack_sbuffer sb;
    hb_msg_spec_pack (&spec, &sb);
    size_t base = sb.size;
    msgpack_sbuffer_destroy (&sb);
    //  an appended string field that brings the payload to exactly 4096:
    //  str16 header (3 bytes) + n bytes
    size_t n = HB_MSG_MAX_SIZE - base - 3;
    memset (filler, 'z', n);
    spec.body [spec.n_body++] = SN (filler, n);
    hb_msg_spec_pack (&spec, &sb);
    assert_int_equal (sb.size, HB_MSG_MAX_SIZE);
    hb_msg_testing_assert_decodes_to (sb.data, sb.size, &s_samples [HB_MSG_SAMPLE_TRADE]);
    msgpack_sbuffer_destroy (&sb);

    spec.body [spec.n_body - 1] = SN (filler, n + 1);
    hb_msg_testing_expect_fail (&spec, HB_DECODE_OVERSIZED, __LINE__);

    static uint8_t big [HB_MSG_MAX_SIZE + 100];
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&s_samples [HB_MSG_SAMPLE_TICK], &buf), 0);
    memcpy (big, buf.data, buf.size);
    hb_msg_t msg;
    hb_decode_reason_t reason;
    assert_int_equal (hb_msg_decode (&msg, big, sizeof big, &reason), -1);
    assert_int_equal (reason, HB_DECODE_OVERSIZED);
}

//  Every proper prefix of every sample is TRUNCATED
static void
test_truncations (void **state)
{
    (void) state;
    for (int i = 0; i < HB_MSG_SAMPLE_COUNT; i++) {
        hb_buf_t buf;
        assert_int_equal (hb_msg_encode (&s_samples [i], &buf), 0);
        for (size_t len = 0; len < buf.size; len++) {
            hb_msg_t msg;
            hb_decode_reason_t reason = HB_DECODE_OK;
            assert_int_equal (hb_msg_decode (&msg, buf.data, len, &reason), -1);
            if (reason != HB_DECODE_TRUNCATED)
                fail_msg ("%s cut at %zu: %s", hb_msg_sample_name ((hb_msg_sample_t) i), len,
                          hb_decode_reason_name (reason));
        }
    }
}

static uint64_t
s_random (uint64_t *state)
{
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return *state * UINT64_C (2685821657736338717);
}

//  Random bit flips (1 to 4 per copy): decoding returns 0 or -1 with a
//  reason, never crashes; what decodes re-encodes and decodes the same.
static void
test_bit_flips (void **state)
{
    (void) state;
    uint64_t rng = 0x9e3779b97f4a7c15u;
    int decoded = 0, rejected = 0;
    int per_reason [HB_DECODE_REASON_COUNT] = { 0 };
    for (int i = 0; i < HB_MSG_SAMPLE_COUNT; i++) {
        hb_buf_t orig;
        assert_int_equal (hb_msg_encode (&s_samples [i], &orig), 0);
        for (int round = 0; round < 1500; round++) {
            hb_buf_t copy = orig;
            int flips = 1 + (int) (s_random (&rng) % 4);
            for (int f = 0; f < flips; f++) {
                uint64_t bit = s_random (&rng) % (copy.size * 8);
                copy.data [bit / 8] ^= (uint8_t) (1u << (bit % 8));
            }
            hb_msg_t msg;
            hb_decode_reason_t reason = HB_DECODE_REASON_COUNT;
            int rc = hb_msg_decode (&msg, copy.data, copy.size, &reason);
            if (rc == 0) {
                decoded++;
                hb_buf_t again;
                assert_int_equal (hb_msg_encode (&msg, &again), 0);
                hb_msg_testing_assert_decodes_to (again.data, again.size, &msg);
            }
            else {
                assert_int_equal (rc, -1);
                assert_true (reason > HB_DECODE_OK && reason < HB_DECODE_REASON_COUNT);
                per_reason [reason]++;
                rejected++;
            }
        }
    }
    assert_int_equal (decoded + rejected, HB_MSG_SAMPLE_COUNT * 1500);
    //  flips land in values as well as in structure: both outcomes occur
    assert_true (decoded > 0);
    assert_true (per_reason [HB_DECODE_RANGE] > 0);
    assert_true (per_reason [HB_DECODE_FIELD_TYPE] > 0);
    assert_true (per_reason [HB_DECODE_TRUNCATED] + per_reason [HB_DECODE_MALFORMED] > 0);
}

//  ---------------------------------------------------------------------------
//  The encoder refuses what the decoder would refuse

#define REFUSE(sample, ...) do { \
    hb_msg_t m = s_samples [sample]; \
    __VA_ARGS__; \
    hb_msg_testing_expect_refused (&m, __LINE__); \
} while (0)

static void
test_encode_refuses (void **state)
{
    (void) state;
    REFUSE (HB_MSG_SAMPLE_TRADE, m.env.type = HB_MSG_NONE);
    REFUSE (HB_MSG_SAMPLE_TRADE, m.env.type = HB_MSG_TYPE_COUNT);
    REFUSE (HB_MSG_SAMPLE_TRADE, m.env.publisher [0] = '\0');
    REFUSE (HB_MSG_SAMPLE_TRADE, memset (m.env.publisher, 'a', HB_NAME_MAX));     //  no NUL
    REFUSE (HB_MSG_SAMPLE_TRADE, m.env.ts_pub = -1);
    REFUSE (HB_MSG_SAMPLE_TICK, m.u.tick.n_bids = HB_BOOK_DEPTH + 1);
    REFUSE (HB_MSG_SAMPLE_TICK, m.u.tick.n_asks = 255);
    REFUSE (HB_MSG_SAMPLE_TICK, m.u.tick.bids [3].px = m.u.tick.bids [2].px);
    REFUSE (HB_MSG_SAMPLE_TICK, m.u.tick.asks [9].qty = 0);
    REFUSE (HB_MSG_SAMPLE_TICK, m.u.tick.mark = NAN);
    REFUSE (HB_MSG_SAMPLE_TICK, m.u.tick.underlying = -1);
    REFUSE (HB_MSG_SAMPLE_TICK, strcpy (m.u.tick.symbol, "BTC/USD"));
    REFUSE (HB_MSG_SAMPLE_TRADE, m.u.trade.side = 0);
    REFUSE (HB_MSG_SAMPLE_TRADE, memset (m.u.trade.trade_id, 'x', HB_ID_MAX));
    REFUSE (HB_MSG_SAMPLE_ORDER, m.u.order.px = 0);
    REFUSE (HB_MSG_SAMPLE_ORDER, m.u.order.qty = -INFINITY);
    REFUSE (HB_MSG_SAMPLE_ORDER, m.u.order.tif = 3);
    REFUSE (HB_MSG_SAMPLE_ORDER, m.u.order.ord_type = 0);
    REFUSE (HB_MSG_SAMPLE_ORDER_MARKET, m.u.order.px = 1);
    REFUSE (HB_MSG_SAMPLE_ORDER, strcpy (m.u.order.client_id, "a b"));
    REFUSE (HB_MSG_SAMPLE_CANCEL, m.u.cancel.client_id [0] = '\0');
    REFUSE (HB_MSG_SAMPLE_ACK, m.u.ack.reason = HB_REJ_VENUE);
    REFUSE (HB_MSG_SAMPLE_ACK, m.u.ack.status = HB_ACK_DONE);
    REFUSE (HB_MSG_SAMPLE_ACK_REJECTED, m.u.ack.reason = HB_REJ_NONE);
    REFUSE (HB_MSG_SAMPLE_ACK_REJECTED, m.u.ack.reason = HB_REJ_COUNT);
    REFUSE (HB_MSG_SAMPLE_ACK, memset (m.u.ack.text, 'x', HB_TEXT_MAX));
    REFUSE (HB_MSG_SAMPLE_FILL, m.u.fill.fee = NAN);
    REFUSE (HB_MSG_SAMPLE_FILL, m.u.fill.fill_id [0] = '\0');
    REFUSE (HB_MSG_SAMPLE_FILL, m.u.fill.order_id [0] = '\0');
    REFUSE (HB_MSG_SAMPLE_FILL, m.u.fill.liquidity = 3);
    REFUSE (HB_MSG_SAMPLE_FILL, m.u.fill.fee_asset [0] = '\0');
    REFUSE (HB_MSG_SAMPLE_HEARTBEAT, strcpy (m.u.heartbeat.component, "a b"));
}


//  ---------------------------------------------------------------------------
//  Decoding allocates nothing after the first call, and a thread's zone
//  goes with the thread (LeakSanitizer checks the latter).

static void
test_no_allocation (void **state)
{
    (void) state;
#if defined (__SANITIZE_ADDRESS__)
    skip ();            //  mallinfo2 does not see ASan's allocator
#else
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&s_samples [HB_MSG_SAMPLE_TICK], &buf), 0);
    hb_msg_t msg;
    assert_int_equal (hb_msg_decode (&msg, buf.data, buf.size, NULL), 0);
    struct mallinfo2 before = mallinfo2 ();
    for (int i = 0; i < 1000; i++) {
        assert_int_equal (hb_msg_encode (&s_samples [i % HB_MSG_SAMPLE_COUNT], &buf), 0);
        assert_int_equal (hb_msg_decode (&msg, buf.data, buf.size, NULL), 0);
    }
    struct mallinfo2 after = mallinfo2 ();
    assert_int_equal (after.uordblks, before.uordblks);
    assert_int_equal (after.hblkhd, before.hblkhd);
#endif
}

static void *
s_decode_thread (void *arg)
{
    const hb_buf_t *buf = (const hb_buf_t *) arg;
    hb_msg_t msg;
    for (int i = 0; i < 100; i++)
        if (hb_msg_decode (&msg, buf->data, buf->size, NULL) != 0)
            return NULL;
    return arg;
}

static void
test_threads (void **state)
{
    (void) state;
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&s_samples [HB_MSG_SAMPLE_TICK], &buf), 0);
    pthread_t threads [3];
    for (int i = 0; i < 3; i++)
        assert_int_equal (pthread_create (&threads [i], NULL, s_decode_thread, &buf), 0);
    for (int i = 0; i < 3; i++) {
        void *result = NULL;
        assert_int_equal (pthread_join (threads [i], &result), 0);
        assert_ptr_equal (result, &buf);
    }
}

//  ---------------------------------------------------------------------------

static int
s_write_corpus (const char *dir)
{
    s_setup (NULL);
    for (int i = 0; i < HB_MSG_SAMPLE_COUNT; i++) {
        hb_buf_t buf;
        char path [512];
        snprintf (path, sizeof path, "%s/%s.msgpack", dir, hb_msg_sample_name ((hb_msg_sample_t) i));
        FILE *file = fopen (path, "wb");
        if (hb_msg_encode (&s_samples [i], &buf) != 0 || !file
        ||  fwrite (buf.data, 1, buf.size, file) != buf.size) {
            fprintf (stderr, "hb_msg_test: cannot write %s\n", path);
            if (file)
                fclose (file);
            return 1;
        }
        fclose (file);
    }
    return 0;
}

int
main (void)
{
    const char *corpus = getenv ("HB_MSG_WRITE_CORPUS");
    if (corpus)
        return s_write_corpus (corpus);

    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_encode_sets_version),
        cmocka_unit_test (test_exact_bytes),
        cmocka_unit_test (test_layout),
        cmocka_unit_test (test_reject_envelope),
        cmocka_unit_test (test_reject_bytes),
        cmocka_unit_test (test_nesting),
        cmocka_unit_test (test_read_in_place),
        cmocka_unit_test (test_oversized),
        cmocka_unit_test (test_truncations),
        cmocka_unit_test (test_bit_flips),
        cmocka_unit_test (test_encode_refuses),
        cmocka_unit_test (test_no_allocation),
        cmocka_unit_test (test_threads),
    };
    return cmocka_run_group_tests_name ("hb_msg", tests, s_setup, NULL);
}
