/*  hb_msg_risk: risk.exposure, risk.hedge and risk.regime round trips, the
    largest message within HB_MSG_MAX_SIZE, strict validation, JSON, and an
    exposure of the form before the regime block still read.             */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_msg.h"
#include "hb_msg_sample.h"

//  Every field set, names of the longest kind when longest is true
static void
s_exposure (hb_msg_t *msg, int n, bool longest)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_RISK_EXPOSURE;
    strcpy (msg->env.publisher, longest ? HB_MSG_SAMPLE_NAME31 : "risk");
    msg->env.epoch = 1718000000000000000ULL;
    msg->env.seq = 42;
    msg->env.ts_pub = 1718000000000000001LL;
    hb_risk_exposure_t *x = &msg->u.risk_exposure;
    x->flags = HB_RISK_WARMING_UP;
    x->samples = 17;
    x->sample_s = 0.1;
    x->horizon_s = 86400;
    x->confidence = 0.99;
    x->var_usd = 123456.789;
    x->stress_var_usd = 234567.891;
    x->stress_corr = 0.95;
    x->unhedged_sigma = 53000.1;
    x->residual_sigma = 1000.3;
    x->effectiveness = 0.9996;
    x->n_assets = (uint8_t) n;
    for (int i = 0; i < n; i++) {
        hb_risk_asset_t *a = &x->assets [i];
        if (longest)
            snprintf (a->asset, sizeof a->asset, "%.29s%02u", HB_MSG_SAMPLE_NAME31, (unsigned) i % 100u);
        else
            snprintf (a->asset, sizeof a->asset, "A%d", i);
        a->flags = i % 2 ? HB_RISK_ASSET_STALE : HB_RISK_ASSET_HEDGEABLE;
        a->index = 65000.123 + i;
        a->exposure_usd = -650001.5 + i;
        a->delta1_usd = -700001.25 + i;
        a->option_delta_usd = 50000.1 + i;
        a->gamma = 0.0001234 + i;
        a->vega = 1234.5678 + i;
        a->theta = -9876.54321 - i;
        a->rho = 4321.125 + i;
        a->vol = 0.5512 + i;
        a->contribution = 3000.7 + i;
        a->residual_usd = -0.123 - i;
    }
    for (int i = 0; i < n * (n - 1) / 2; i++)
        x->corr [i] = (float) (0.9 - 0.01 * i);
    //  the regime block: every record when longest, else one per pair up
    //  to 3
    int n_pairs = n * (n - 1) / 2;
    x->n_regimes = (uint8_t) (longest ? HB_RISK_REGIMES_MAX : n_pairs < 3 ? n_pairs : 3);
    x->n_regimes_omitted = longest ? (uint16_t) (n_pairs - HB_RISK_REGIMES_MAX) : 0;
    for (int i = 0; i < x->n_regimes; i++) {
        hb_risk_pair_regime_t *pr = &x->regimes [i];
        pr->pair = (uint16_t) (longest ? n_pairs - 1 - i : i);
        pr->state = (uint8_t) (i % HB_RISK_REGIME_STATES);
        pr->kind = (uint8_t) ((i + 1) % HB_RISK_REGIME_KINDS);
        pr->statistic = (float) (7.25 + i);
        pr->last_alarm_ns = i ? 1718000000000000000LL + i : 0;
    }
}

static void
s_regime (hb_msg_t *msg, bool longest)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_RISK_REGIME;
    strcpy (msg->env.publisher, "risk");
    msg->env.epoch = 7;
    msg->env.seq = 5;
    hb_risk_regime_t *r = &msg->u.risk_regime;
    if (longest) {
        snprintf (r->target, sizeof r->target, "%.29s01", HB_MSG_SAMPLE_NAME31);
        snprintf (r->proxy, sizeof r->proxy, "%.29s02", HB_MSG_SAMPLE_NAME31);
    } else {
        strcpy (r->target, "ETH");
        strcpy (r->proxy, "BTC");
    }
    r->state = 2;
    r->previous = 1;
    r->kind = 1;
    r->sample = 2060;
    r->statistic = 8.125;
    r->last_alarm_ns = 1718000000000000000LL;
    r->corr_ref = 0.8;
    r->corr_fast = 0.05;
    r->ratio = -0.25;
}

static void
s_hedge (hb_msg_t *msg, bool longest)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_RISK_HEDGE;
    strcpy (msg->env.publisher, "risk");
    msg->env.epoch = 7;
    msg->env.seq = 3;
    hb_risk_hedge_t *h = &msg->u.risk_hedge;
    strcpy (h->id, longest ? HB_MSG_SAMPLE_ID47 : "7-41");
    h->reasons = HB_RISK_REASON_BAND | HB_RISK_REASON_SIGMA;
    h->sample = 41;
    h->residual_sigma = 12345.6789;
    h->effectiveness = 0.75;
    h->n_targets = longest ? HB_RISK_MAX_ASSETS : 2;
    for (int i = 0; i < h->n_targets; i++) {
        hb_risk_target_t *t = &h->targets [i];
        if (longest)
            snprintf (t->asset, sizeof t->asset, "%.29s%02u", HB_MSG_SAMPLE_NAME31, (unsigned) i % 100u);
        else
            snprintf (t->asset, sizeof t->asset, "B%d", i);
        t->index = 3400.5 + i;
        t->exposure_usd = 1e6 + i;
        t->target_usd = -1e6 - i;
        t->target_qty = (-1e6 - i) / (3400.5 + i);
    }
    h->n_inputs = longest ? HB_RISK_INPUTS_MAX : 2;
    for (int i = 0; i < h->n_inputs; i++) {
        hb_risk_input_t *in = &h->inputs [i];
        if (longest)
            snprintf (in->topic, sizeof in->topic, "tick.%s.%.29s%02d", HB_MSG_SAMPLE_NAME31,
                      HB_MSG_SAMPLE_NAME31, i);
        else
            snprintf (in->topic, sizeof in->topic, i ? "tick.alpha.BTC-USD" : "pos.BTC");
        strcpy (in->publisher, longest ? HB_MSG_SAMPLE_NAME31 : "aggregator");
        in->epoch = 1718000000000000000ULL + (uint64_t) i;
        in->seq = UINT64_MAX - (uint64_t) i;
    }
}

static void
s_round_trip (const hb_msg_t *msg)
{
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (msg, &buf), 0);
    assert_true (buf.size <= HB_MSG_MAX_SIZE);
    hb_msg_t back;
    hb_decode_reason_t reason;
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, &reason), 0);
    hb_msg_t want = *msg;
    want.env.version = HB_SCHEMA_VERSION;
    assert_memory_equal (&back, &want, sizeof back);
    //  every truncation is refused
    for (size_t cut = 0; cut < buf.size; cut++)
        assert_int_equal (hb_msg_decode (&back, buf.data, cut, NULL), -1);
}

static void
test_round_trip (void **state)
{
    (void) state;
    hb_msg_t msg;
    for (int n = 1; n <= HB_RISK_MAX_ASSETS; n++) {
        s_exposure (&msg, n, false);
        s_round_trip (&msg);
    }
    //  the largest possible message still fits
    s_exposure (&msg, HB_RISK_MAX_ASSETS, true);
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    printf ("    largest risk.exposure: %zu bytes of %d\n", buf.size, HB_MSG_MAX_SIZE);
    s_round_trip (&msg);
    //  every flag, positions_pending (0x08) included
    s_exposure (&msg, 2, false);
    msg.u.risk_exposure.flags = HB_RISK_NO_POSITIONS | HB_RISK_WARMING_UP | HB_RISK_PLAN_FAILED
                              | HB_RISK_POSITIONS_PENDING;
    s_round_trip (&msg);
    char json [8192];
    hb_msg_to_json (&msg, NULL, json, sizeof json);
    assert_non_null (strstr (json, "\"flags\":[\"no_positions\",\"warming_up\",\"plan_failed\","
                                   "\"positions_pending\"]"));
    s_hedge (&msg, false);
    s_round_trip (&msg);
    s_hedge (&msg, true);
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    printf ("    largest risk.hedge: %zu bytes\n", buf.size);
    s_round_trip (&msg);
    char topic [HB_TOPIC_MAX];
    assert_int_equal (hb_msg_topic (&msg, topic), 10);
    assert_string_equal (topic, "risk.hedge");
    s_exposure (&msg, 2, false);
    assert_int_equal (hb_msg_topic (&msg, topic), 13);
    assert_string_equal (topic, "risk.exposure");
    s_regime (&msg, false);
    s_round_trip (&msg);
    assert_int_equal (hb_msg_topic (&msg, topic), 11);
    assert_string_equal (topic, "risk.regime");
    s_regime (&msg, true);
    s_round_trip (&msg);
}

//  An exposure of the form before the regime block (14 fields, from an
//  older publisher or recording) is read, with no regime
static void
test_exposure_without_regimes (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_exposure (&msg, 3, false);
    msg.u.risk_exposure.n_regimes = 0;
    memset (msg.u.risk_exposure.regimes, 0, sizeof msg.u.risk_exposure.regimes);
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    //  the body's array16 header of 16 fields becomes a fixarray of 14, and
    //  the two appended fields (0: omitted, 0x90: no record) go
    assert_int_equal (buf.data [buf.size - 2], 0x00);
    assert_int_equal (buf.data [buf.size - 1], 0x90);
    size_t at = 0;
    for (size_t i = 1; i + 2 < buf.size; i++)
        if (buf.data [i] == 0xdc && buf.data [i + 1] == 0x00 && buf.data [i + 2] == 16) {
            at = i;
            break;
        }
    assert_true (at > 0);
    uint8_t old [HB_MSG_MAX_SIZE];
    memcpy (old, buf.data, at);
    old [at] = 0x9e;
    memcpy (old + at + 1, buf.data + at + 3, buf.size - at - 3 - 2);
    size_t old_size = buf.size - 4;
    hb_msg_t back;
    hb_decode_reason_t reason;
    assert_int_equal (hb_msg_decode (&back, old, old_size, &reason), 0);
    msg.env.version = HB_SCHEMA_VERSION;
    assert_memory_equal (&back, &msg, sizeof back);
    //  one appended field without the other is refused
    old [at] = 0x9f;
    old [old_size] = 0x00;
    assert_int_equal (hb_msg_decode (&back, old, old_size + 1, &reason), -1);
    assert_int_equal (reason, HB_DECODE_FIELD_TYPE);
}

//  Each invalid field: the encoder refuses it (so the decoder would too)
static void
test_invalid (void **state)
{
    (void) state;
    hb_msg_t msg;
    hb_buf_t buf;
#define REFUSED(setup, change) do { setup; change; \
        assert_int_equal (hb_msg_encode (&msg, &buf), -1); } while (0)
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.n_assets = 0);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.n_assets = HB_RISK_MAX_ASSETS + 1);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.flags = 0x80);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.flags = 0x10);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.sample_s = 0);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.confidence = 1);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.var_usd = -1);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.stress_corr = 1.5);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.effectiveness = NAN);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.corr [2] = 1.01f);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.assets [1].vol = -0.1);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.assets [1].exposure_usd = INFINITY);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.assets [2].asset [0] = ' ');
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.assets [0].flags = 0x10);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.assets [2].rho = NAN);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.n_regimes = HB_RISK_REGIMES_MAX + 1);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.regimes [1].pair = 3);
    REFUSED (s_exposure (&msg, 1, false), msg.u.risk_exposure.n_regimes = 1);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.regimes [0].state = HB_RISK_REGIME_STATES);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.regimes [2].kind = HB_RISK_REGIME_KINDS);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.regimes [0].statistic = -0.5f);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.regimes [0].statistic = NAN);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.regimes [1].last_alarm_ns = -1);
    REFUSED (s_regime (&msg, false), msg.u.risk_regime.target [0] = 0);
    REFUSED (s_regime (&msg, false), msg.u.risk_regime.proxy [1] = '/');
    REFUSED (s_regime (&msg, false), strcpy (msg.u.risk_regime.proxy, "ETH"));
    REFUSED (s_regime (&msg, false), msg.u.risk_regime.state = HB_RISK_REGIME_STATES);
    REFUSED (s_regime (&msg, false), msg.u.risk_regime.previous = msg.u.risk_regime.state);
    REFUSED (s_regime (&msg, false), msg.u.risk_regime.kind = HB_RISK_REGIME_KINDS);
    REFUSED (s_regime (&msg, false), msg.u.risk_regime.sample = 0);
    REFUSED (s_regime (&msg, false), msg.u.risk_regime.statistic = -1);
    REFUSED (s_regime (&msg, false), msg.u.risk_regime.last_alarm_ns = -5);
    REFUSED (s_regime (&msg, false), msg.u.risk_regime.corr_fast = 1.5);
    REFUSED (s_regime (&msg, false), msg.u.risk_regime.corr_ref = NAN);
    REFUSED (s_regime (&msg, false), msg.u.risk_regime.ratio = INFINITY);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.id [0] = 0);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.id [1] = ' ');
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.reasons = 0);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.reasons = 4);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.n_targets = 0);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.n_inputs = HB_RISK_INPUTS_MAX + 1);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.targets [0].index = 0);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.targets [1].target_qty = NAN);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.inputs [1].topic [4] = '/');
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.inputs [0].topic [0] = 0);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.inputs [0].publisher [0] = 0);
    //  a decoder sees a corrupted count: the n_assets field disagrees with
    //  the records (byte patched after encoding)
    s_exposure (&msg, 3, false);
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    int patched = 0;
    for (size_t i = 0; i + 3 < buf.size; i++)
        //  n_assets (fixint 3), then the records' array16 header of 39 items
        if (buf.data [i] == 0x03 && buf.data [i + 1] == 0xdc && buf.data [i + 3] == 39) {
            buf.data [i] = 0x02;        //  n_assets 3 -> 2, records still 3 x 13
            patched = 1;
            break;
        }
    assert_true (patched);
    hb_msg_t back;
    hb_decode_reason_t reason;
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, &reason), -1);
    assert_int_equal (reason, HB_DECODE_RANGE);
}

static void
test_json (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_exposure (&msg, 3, false);
    char json [8192];
    hb_msg_to_json (&msg, NULL, json, sizeof json);
    assert_non_null (strstr (json, "\"topic\":\"risk.exposure\""));
    assert_non_null (strstr (json, "\"risk_exposure\":{\"flags\":[\"warming_up\"],\"samples\":17"));
    assert_non_null (strstr (json, "{\"asset\":\"A1\",\"flags\":[\"stale\"],\"index\":65001.123"));
    //  the whole matrix: unit diagonal, symmetric
    assert_non_null (strstr (json, "\"corr\":[[1,0.8999999761581421,0.8899999856948853],"
                                   "[0.8999999761581421,1,0.8799999952316284],"
                                   "[0.8899999856948853,0.8799999952316284,1]]"));
    //  pair 2 of three assets is (A1, A2)
    assert_non_null (strstr (json, "\"regimes\":[{\"pair\":0,\"target\":\"A0\",\"proxy\":\"A1\","
                                   "\"state\":\"stable\",\"kind\":\"corr_down\",\"statistic\":7.25,"
                                   "\"last_alarm_ns\":0}"));
    assert_non_null (strstr (json, "{\"pair\":2,\"target\":\"A1\",\"proxy\":\"A2\",\"state\":\"shifted\","
                                   "\"kind\":\"none\",\"statistic\":9.25,\"last_alarm_ns\":1718000000000000002}],"
                                   "\"regimes_omitted\":0"));
    s_regime (&msg, false);
    hb_msg_to_json (&msg, NULL, json, sizeof json);
    assert_non_null (strstr (json, "\"topic\":\"risk.regime\""));
    assert_non_null (strstr (json, "\"risk_regime\":{\"target\":\"ETH\",\"proxy\":\"BTC\",\"state\":\"shifted\","
                                   "\"previous\":\"shifting\",\"kind\":\"corr_down\",\"sample\":2060,"
                                   "\"statistic\":8.125,\"last_alarm_ns\":1718000000000000000,"
                                   "\"corr_ref\":0.8,\"corr_fast\":0.05,\"ratio\":-0.25}"));
    s_hedge (&msg, false);
    hb_msg_to_json (&msg, NULL, json, sizeof json);
    assert_non_null (strstr (json, "\"risk_hedge\":{\"id\":\"7-41\",\"reasons\":[\"band\",\"sigma\"]"));
    assert_non_null (strstr (json, "\"inputs\":[{\"topic\":\"pos.BTC\",\"publisher\":\"aggregator\","
                                   "\"epoch\":1718000000000000000,\"seq\":18446744073709551615}"));
}

static void
s_reject (hb_msg_t *msg)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = HB_MSG_HEDGE_REJECT;
    strcpy (msg->env.publisher, "hedger");
    msg->env.epoch = 9;
    msg->env.seq = 4;
    hb_hedge_reject_t *r = &msg->u.hedge_reject;
    strcpy (r->request_id, "7-41");
    strcpy (r->asset, "BTC");
    strcpy (r->venue, "alpha");
    strcpy (r->reason, "max_order_usd");
    strcpy (r->detail, "250000 USD over the limit of 100000");
    r->qty = -1.25;
}

//  The fuzz seeds of these messages (tests/corpus/hb_msg_fuzz, written by
//  HB_MSG_WRITE_CORPUS=DIR hb_msg_risk_test; hb_msg_test writes the others)
static int
s_write_corpus (const char *dir)
{
    hb_msg_t msg;
    for (int i = 0; i < 6; i++) {
        static const char *const names [] = { "risk_exposure", "risk_exposure_max", "risk_hedge",
                                              "risk_hedge_max", "hedger_reject", "risk_regime" };
        if (i == 0) {
            s_exposure (&msg, 3, false);
            msg.u.risk_exposure.assets [0].flags |= HB_RISK_ASSET_FORWARD_STALE;
        }
        if (i == 1)
            s_exposure (&msg, HB_RISK_MAX_ASSETS, true);
        if (i == 2 || i == 3)
            s_hedge (&msg, i == 3);
        if (i == 4)
            s_reject (&msg);
        if (i == 5)
            s_regime (&msg, false);
        hb_buf_t buf;
        char path [512];
        snprintf (path, sizeof path, "%s/%s.msgpack", dir, names [i]);
        FILE *file = fopen (path, "wb");
        int rc = hb_msg_encode (&msg, &buf) == 0 && file && fwrite (buf.data, 1, buf.size, file) == buf.size;
        if (file)
            fclose (file);
        if (!rc) {
            fprintf (stderr, "hb_msg_risk_test: cannot write %s\n", path);
            return 1;
        }
    }
    return 0;
}

//  The decoder's fuzz corpus holds seeds of risk.exposure (with and without
//  the regime block), risk.hedge, hedger.reject and risk.regime (the fuzzer
//  mutates from them), each a valid message
static void
test_fuzz_corpus (void **state)
{
    (void) state;
    const char *dir = "tests/corpus/hb_msg_fuzz";
    DIR *listing = opendir (dir);
    assert_non_null (listing);
    int seen [HB_MSG_TYPE_COUNT] = { 0 };
    struct dirent *entry;
    while ((entry = readdir (listing))) {
        char path [512];
        snprintf (path, sizeof path, "%s/%s", dir, entry->d_name);
        FILE *file = fopen (path, "rb");
        if (!file)
            continue;
        static uint8_t data [HB_MSG_MAX_SIZE + 1];
        size_t size = fread (data, 1, sizeof data, file);
        fclose (file);
        hb_msg_t msg;
        if (size > 0 && hb_msg_decode (&msg, data, size, NULL) == 0 && msg.env.type < HB_MSG_TYPE_COUNT)
            seen [msg.env.type]++;
    }
    closedir (listing);
    assert_true (seen [HB_MSG_RISK_EXPOSURE] >= 2);
    assert_true (seen [HB_MSG_RISK_HEDGE] >= 2);
    assert_true (seen [HB_MSG_HEDGE_REJECT] >= 1);
    assert_true (seen [HB_MSG_RISK_REGIME] >= 1);
}

int
main (void)
{
    const char *corpus = getenv ("HB_MSG_WRITE_CORPUS");
    if (corpus)
        return s_write_corpus (corpus);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_exposure_without_regimes),
        cmocka_unit_test (test_invalid),
        cmocka_unit_test (test_json),
        cmocka_unit_test (test_fuzz_corpus),
    };
    return cmocka_run_group_tests_name ("hb_msg_risk", tests, NULL, NULL);
}
