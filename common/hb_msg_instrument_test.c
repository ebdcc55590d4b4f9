/*  hb_msg_instrument tests: instrument.<venue> round-trips field for field
    for each kind (an inverse perp, a coin-settled option on a future, a
    delisting) and with the longest names; the encoder refuses, and the
    decoder refuses with HB_DECODE_RANGE (packed here by hand, past the
    encoder's checks), what hb_instrument_check names a reason for; the
    topic and JSON are as docs/PROTOCOL.md says.                           */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <msgpack.h>
#include <stdio.h>
#include <string.h>
#include "hb_msg.h"
#include "hb_msg_testing.h"

static void
s_option (hb_msg_t *msg)
{
    hb_msg_testing_env (msg, HB_MSG_INSTRUMENT, "feed.deribit", 7);
    hb_instrument_t *i = &msg->u.instrument;
    strcpy (i->venue, "deribit");
    strcpy (i->symbol, "BTC-27MAR26-80000-C");
    strcpy (i->asset, "BTC");
    i->kind = 5;
    i->flags = HB_INSTRUMENT_CALL;
    i->multiplier = 1;
    i->tick_size = 0.0005;
    i->lot_size = 0.1;
    i->min_qty = 0.1;
    i->expiry_ns = 1774598400000000000ll;
    i->strike = 80000;
    strcpy (i->settle, "BTC");
    strcpy (i->underlying, "BTC-27MAR26");
}

static void
s_inverse_perp (hb_msg_t *msg)
{
    s_option (msg);
    hb_instrument_t *i = &msg->u.instrument;
    //  decoded names are zero-filled: no bytes of the option's behind them
    memset (i->symbol, 0, sizeof i->symbol);
    strcpy (i->symbol, "BTC-PERPETUAL");
    i->kind = 3;
    i->flags = HB_INSTRUMENT_INVERSE;
    i->multiplier = 10;             //  USD per contract
    i->tick_size = 0.5;
    i->lot_size = i->min_qty = 1;
    i->expiry_ns = 0;
    i->strike = 0;
    memset (i->underlying, 0, sizeof i->underlying);
}

static void
test_roundtrip (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_option (&msg);
    hb_msg_testing_roundtrip (&msg);
    s_inverse_perp (&msg);
    hb_msg_testing_roundtrip (&msg);
    //  an inverse future, a linear perp, a spot pair, a delisting
    msg.u.instrument.kind = 4;
    msg.u.instrument.expiry_ns = 1774598400000000000ll;
    hb_msg_testing_roundtrip (&msg);
    msg.u.instrument.flags = 0;
    hb_msg_testing_roundtrip (&msg);
    s_inverse_perp (&msg);
    msg.u.instrument.kind = 2;
    msg.u.instrument.flags = HB_INSTRUMENT_DELISTED;
    msg.u.instrument.multiplier = 0.001;
    memset (msg.u.instrument.settle, 0, HB_NAME_MAX);
    strcpy (msg.u.instrument.settle, "USDT");
    hb_msg_testing_roundtrip (&msg);
    msg.u.instrument.kind = 1;
    msg.u.instrument.multiplier = 1;
    hb_msg_testing_roundtrip (&msg);
    //  the longest names fit
    s_option (&msg);
    hb_instrument_t *i = &msg.u.instrument;
    memset (i->venue, 'v', HB_NAME_MAX - 1);
    memset (i->symbol, 's', HB_NAME_MAX - 1);
    memset (i->asset, 'a', HB_NAME_MAX - 1);
    memset (i->settle, 'c', HB_NAME_MAX - 1);
    memset (i->underlying, 'u', HB_NAME_MAX - 1);
    hb_msg_testing_roundtrip (&msg);
}

//  Packs msg as the encoder would, without its checks (a peer that does
//  not keep the rules)
static void
s_pack_raw (const hb_msg_t *msg, msgpack_sbuffer *sb)
{
    msgpack_sbuffer_init (sb);
    msgpack_packer pk;
    msgpack_packer_init (&pk, sb, msgpack_sbuffer_write);
    const hb_env_t *env = &msg->env;
    const hb_instrument_t *i = &msg->u.instrument;
    msgpack_pack_array (&pk, 9);
    msgpack_pack_uint8 (&pk, HB_SCHEMA_VERSION);
    msgpack_pack_uint8 (&pk, env->type);
    msgpack_pack_str_with_body (&pk, env->publisher, strlen (env->publisher));
    msgpack_pack_uint64 (&pk, env->epoch);
    msgpack_pack_uint64 (&pk, env->seq);
    msgpack_pack_int64 (&pk, env->ts_venue);
    msgpack_pack_int64 (&pk, env->ts_recv);
    msgpack_pack_int64 (&pk, env->ts_pub);
    msgpack_pack_array (&pk, 14);
    msgpack_pack_str_with_body (&pk, i->venue, strlen (i->venue));
    msgpack_pack_str_with_body (&pk, i->symbol, strlen (i->symbol));
    msgpack_pack_str_with_body (&pk, i->asset, strlen (i->asset));
    msgpack_pack_uint8 (&pk, i->kind);
    msgpack_pack_uint32 (&pk, i->flags);
    msgpack_pack_double (&pk, i->multiplier);
    msgpack_pack_double (&pk, i->tick_size);
    msgpack_pack_double (&pk, i->lot_size);
    msgpack_pack_double (&pk, i->min_qty);
    msgpack_pack_int64 (&pk, i->expiry_ns);
    msgpack_pack_double (&pk, i->strike);
    msgpack_pack_str_with_body (&pk, i->settle, strlen (i->settle));
    msgpack_pack_str_with_body (&pk, i->underlying, strlen (i->underlying));
    msgpack_pack_int64 (&pk, 0);
}

//  The change makes an instrument the check names a reason for: the
//  encoder refuses it, and the decoder refuses it as out of range.
#define REFUSE(base, change, why) do { \
    hb_msg_t m; base (&m); change; \
    const char *reason = hb_instrument_check (&m.u.instrument); \
    if (!reason || !strstr (reason, why)) \
        fail_msg ("line %d: reason '%s', expected '%s'", __LINE__, reason ? reason : "(none)", why); \
    hb_buf_t buf; \
    assert_int_equal (hb_msg_encode (&m, &buf), -1); \
    msgpack_sbuffer raw; \
    s_pack_raw (&m, &raw); \
    hb_msg_testing_expect_bytes_fail (raw.data, raw.size, HB_DECODE_RANGE, __LINE__); \
    msgpack_sbuffer_destroy (&raw); \
} while (0)

static void
test_refused (void **state)
{
    (void) state;
    //  the raw packer itself makes what the decoder takes
    hb_msg_t ok;
    s_option (&ok);
    msgpack_sbuffer sb;
    s_pack_raw (&ok, &sb);
    hb_msg_testing_assert_decodes_to (sb.data, sb.size, &ok);
    msgpack_sbuffer_destroy (&sb);
    assert_null (hb_instrument_check (&ok.u.instrument));

    REFUSE (s_option, m.u.instrument.venue [0] = 0, "venue");
    REFUSE (s_option, strcpy (m.u.instrument.symbol, "BTC 1"), "symbol");
    REFUSE (s_option, m.u.instrument.asset [0] = 0, "asset");
    REFUSE (s_option, m.u.instrument.kind = 0, "kind");
    REFUSE (s_option, m.u.instrument.kind = 6, "kind");
    REFUSE (s_option, m.u.instrument.flags |= 0x80, "flags");
    REFUSE (s_option, m.u.instrument.multiplier = 0, "multiplier");
    REFUSE (s_option, m.u.instrument.multiplier = NAN, "multiplier");
    REFUSE (s_option, m.u.instrument.tick_size = -0.5, "tick");
    REFUSE (s_option, m.u.instrument.lot_size = INFINITY, "lot");
    REFUSE (s_option, m.u.instrument.min_qty = 0.05, "min");
    REFUSE (s_option, m.u.instrument.expiry_ns = 0, "expiry");
    REFUSE (s_option, m.u.instrument.strike = 0, "strike");
    REFUSE (s_option, m.u.instrument.strike = NAN, "strike");
    REFUSE (s_option, m.u.instrument.flags |= HB_INSTRUMENT_INVERSE, "inverse");
    REFUSE (s_option, m.u.instrument.settle [0] = 0, "settle");
    REFUSE (s_option, strcpy (m.u.instrument.underlying, "a b"), "underlying");
    REFUSE (s_inverse_perp, m.u.instrument.flags = 0, "inverse");
    REFUSE (s_inverse_perp, m.u.instrument.expiry_ns = 5, "expiry");
    REFUSE (s_inverse_perp, m.u.instrument.strike = 1000, "strike");
    REFUSE (s_inverse_perp, m.u.instrument.flags |= HB_INSTRUMENT_CALL, "call");
    REFUSE (s_inverse_perp, strcpy (m.u.instrument.underlying, "BTC-PERP"), "underlying");
    REFUSE (s_inverse_perp, (m.u.instrument.kind = 1, m.u.instrument.flags = 0), "multiplier");
}

static void
test_topic_json (void **state)
{
    (void) state;
    hb_msg_t msg;
    char topic [HB_TOPIC_MAX];
    s_option (&msg);
    assert_int_equal (hb_msg_topic (&msg, topic), (int) strlen ("instrument.deribit"));
    assert_string_equal (topic, "instrument.deribit");
    assert_string_equal (hb_msg_type_name (HB_MSG_INSTRUMENT), "instrument");
    char out [4096];
    hb_msg_to_json (&msg, NULL, out, sizeof out);
    assert_non_null (strstr (out, "\"topic\":\"instrument.deribit\""));
    assert_non_null (strstr (out, "\"instrument\":{\"venue\":\"deribit\",\"symbol\":\"BTC-27MAR26-80000-C\","
                                  "\"asset\":\"BTC\",\"kind\":\"option\",\"flags\":[\"call\"],"
                                  "\"multiplier\":1,\"tick_size\":0.0005,\"lot_size\":0.1,\"min_qty\":0.1,"
                                  "\"expiry_ns\":1774598400000000000,\"strike\":80000,\"settle\":\"BTC\","
                                  "\"underlying\":\"BTC-27MAR26\"}"));
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_roundtrip),
        cmocka_unit_test (test_refused),
        cmocka_unit_test (test_topic_json),
    };
    return cmocka_run_group_tests_name ("hb_msg_instrument", tests, NULL, NULL);
}
