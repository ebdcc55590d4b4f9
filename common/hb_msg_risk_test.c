/*  hb_msg_risk: risk.exposure and risk.corr parts of samples up to
    HB_RISK_MAX_ASSETS assets, cut and joined again (hb_risk_sample),
    risk.hedge and risk.regime round trips, the largest message within
    HB_MSG_MAX_SIZE, strict validation (a part out of place: PART), the
    joining's refusals, JSON.                                              */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "hb_msg.h"
#include "hb_msg_sample.h"
#include "hb_msg_testing.h"
#include "hb_risk_sample.h"

//  A sample of n assets, every field set, names of the longest kind when
//  longest is true (static: it is large)
static hb_risk_report_t *
s_report (int n, bool longest)
{
    static hb_risk_report_t report;
    hb_risk_report_t *x = &report;
    memset (x, 0, sizeof *x);
    x->sample = 2061;
    x->corr_sample = 2061;
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
    x->n_assets = (uint16_t) n;
    for (int i = 0; i < n; i++) {
        hb_risk_asset_t *a = &x->assets [i];
        if (longest)
            snprintf (a->asset, sizeof a->asset, "%.28s%03u", HB_MSG_SAMPLE_NAME31, (unsigned) i);
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
        a->gamma_usd = -12345.678 - i;
        a->theta_day = 321.5 + i;
        a->delta_coin = (float) (-1.25 - i);
        a->gamma_coin = (float) (1.5e-9 * (i + 1));
        a->vega_coin = (float) (0.875 + i);
        a->theta_coin = (float) (-2.5 - i);
        a->value_coin = (float) (0.0625 * (i + 1));
        if (i % 3 == 0)
            a->flags |= i % 2 ? HB_RISK_ASSET_GAMMA_BAND : HB_RISK_ASSET_VEGA_BAND;
    }
    //  vega buckets: the most there can be when longest, with edges of
    //  three bytes each; else <= 7 d, 7-30, 30-90, > 90 d
    static const uint16_t wide [] = { 200, 300, 400, 500, 600, 700, 800 }, desk [] = { 7, 30, 90 };
    x->n_vega_edges = longest ? HB_RISK_VEGA_BUCKETS - 1 : 3;
    memcpy (x->vega_edges, longest ? wide : desk, x->n_vega_edges * sizeof x->vega_edges [0]);
    for (int i = 0; i < n; i++)
        for (int b = 0; b <= x->n_vega_edges; b++)
            x->assets [i].vega_bucket [b] = (float) (-1500.25 * (b + 1) + i);
    for (int i = 0; i < n * (n - 1) / 2; i++)
        x->corr [i] = (float) (0.9 - 0.01 * (i % 150));
    //  the regime block: every record when longest, else one per pair up
    //  to 3
    int n_pairs = n * (n - 1) / 2;
    x->n_regimes = (uint8_t) (longest ? (n_pairs < HB_RISK_REGIMES_MAX ? n_pairs : HB_RISK_REGIMES_MAX)
                                      : n_pairs < 3 ? n_pairs : 3);
    x->n_regimes_omitted = longest ? (uint16_t) (n_pairs - x->n_regimes) : 0;
    for (int i = 0; i < x->n_regimes; i++) {
        hb_risk_pair_regime_t *pr = &x->regimes [i];
        pr->pair = (uint16_t) (longest ? n_pairs - 1 - i : i);
        pr->state = (uint8_t) (i % HB_RISK_REGIME_STATES);
        pr->kind = (uint8_t) ((i + 1) % HB_RISK_REGIME_KINDS);
        pr->statistic = (float) (7.25 + i);
        pr->last_alarm_ns = i ? 1718000000000000000LL + i : 0;
    }
    return x;
}

//  Part `part` of the sample of n assets, as hb-risk publishes it
static void
s_part (hb_msg_t *msg, int n, bool longest, int part)
{
    memset (msg, 0, sizeof *msg);
    strcpy (msg->env.publisher, longest ? HB_MSG_SAMPLE_NAME31 : "risk");
    msg->env.epoch = 1718000000000000000ULL;
    msg->env.seq = 42;
    msg->env.ts_pub = 1718000000000000001LL;
    hb_risk_sample_part (s_report (n, longest), part, msg);
}

//  Part 0 (the only one up to HB_RISK_PART_ASSETS assets)
static void
s_exposure (hb_msg_t *msg, int n, bool longest)
{
    s_part (msg, n, longest, 0);
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
    h->n_targets = longest ? HB_RISK_HEDGE_TARGETS : 2;
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

static hb_msg_t s_parts [HB_RISK_CORR_MAX / HB_RISK_PART_CORR + HB_RISK_MAX_ASSETS];

//  Every part of a sample of n round-trips; joined again they give the
//  sample back. Returns the largest part's size.
static size_t
s_sample_trip (int n, bool longest)
{
    const hb_risk_report_t *want = s_report (n, longest);
    int parts = hb_risk_sample_parts (want);
    int corr_parts = n < 2 ? 0 : (n * (n - 1) / 2 + HB_RISK_PART_CORR - 1) / HB_RISK_PART_CORR;
    assert_int_equal (parts, (n + HB_RISK_PART_ASSETS - 1) / HB_RISK_PART_ASSETS + corr_parts);
    hb_risk_sample_t *joined = hb_risk_sample_new ();
    assert_non_null (joined);
    size_t largest = 0;
    int done = 0;
    for (int i = 0; i < parts; i++) {
        hb_msg_t *msg = &s_parts [i];
        s_part (msg, n, longest, i);
        hb_buf_t buf;
        assert_int_equal (hb_msg_encode (msg, &buf), 0);
        if (buf.size > largest)
            largest = buf.size;
        if (n <= 17 || i == 0 || i == parts - 1)
            s_round_trip (msg);
        hb_msg_t back;
        assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, NULL), 0);
        hb_risk_sample_reason_t why;
        int rc = hb_risk_sample_add (joined, &back, &why);
        assert_true (rc >= 0);
        done |= rc;
    }
    assert_int_equal (done, n < 2 ? HB_RISK_SAMPLE_EXPOSURES : HB_RISK_SAMPLE_EXPOSURES | HB_RISK_SAMPLE_CORR);
    const hb_risk_report_t *got = hb_risk_sample_report (joined);
    assert_non_null (got);
    want = s_report (n, longest);
    assert_memory_equal (got, want, offsetof (hb_risk_report_t, assets));
    assert_memory_equal (got->assets, want->assets, (size_t) n * sizeof got->assets [0]);
    if (n > 1) {
        assert_int_equal (got->corr_sample, want->sample);
        assert_memory_equal (got->corr, want->corr, (size_t) (n * (n - 1) / 2) * sizeof got->corr [0]);
    }
    assert_int_equal (got->n_regimes, want->n_regimes);
    assert_int_equal (got->n_regimes_omitted, want->n_regimes_omitted);
    assert_memory_equal (got->regimes, want->regimes, sizeof got->regimes);
    for (int r = 0; r < HB_RISK_SAMPLE_REASON_COUNT; r++)
        assert_int_equal (hb_risk_sample_refused (joined, (hb_risk_sample_reason_t) r), 0);
    hb_risk_sample_destroy (&joined);
    return largest;
}

static void
test_round_trip (void **state)
{
    (void) state;
    static const int sizes [] = { 1, 2, 3, 15, 16, 17, 33, 64, 200, 255, HB_RISK_MAX_ASSETS };
    for (size_t k = 0; k < sizeof sizes / sizeof sizes [0]; k++)
        s_sample_trip (sizes [k], false);
    //  the largest possible parts still fit
    printf ("    largest risk.exposure or risk.corr part: %zu bytes of %d\n",
            s_sample_trip (HB_RISK_MAX_ASSETS, true), HB_MSG_MAX_SIZE);
    hb_msg_t msg;
    //  every flag, positions_pending (0x08) included
    s_exposure (&msg, 2, false);
    msg.u.risk_exposure.flags = HB_RISK_NO_POSITIONS | HB_RISK_WARMING_UP | HB_RISK_PLAN_FAILED
                              | HB_RISK_POSITIONS_PENDING;
    s_round_trip (&msg);
    char json [16384];
    hb_msg_to_json (&msg, NULL, json, sizeof json);
    assert_non_null (strstr (json, "\"flags\":[\"no_positions\",\"warming_up\",\"plan_failed\","
                                   "\"positions_pending\"]"));
    s_hedge (&msg, false);
    s_round_trip (&msg);
    s_hedge (&msg, true);
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    printf ("    largest risk.hedge: %zu bytes\n", buf.size);
    s_round_trip (&msg);
    char topic [HB_TOPIC_MAX];
    assert_int_equal (hb_msg_topic (&msg, topic), 10);
    assert_string_equal (topic, "risk.hedge");
    s_exposure (&msg, 2, false);
    assert_int_equal (hb_msg_topic (&msg, topic), 13);
    assert_string_equal (topic, "risk.exposure");
    s_part (&msg, 2, false, 1);
    assert_int_equal (msg.env.type, HB_MSG_RISK_CORR);
    assert_int_equal (hb_msg_topic (&msg, topic), 9);
    assert_string_equal (topic, "risk.corr");
    s_regime (&msg, false);
    s_round_trip (&msg);
    assert_int_equal (hb_msg_topic (&msg, topic), 11);
    assert_string_equal (topic, "risk.regime");
    s_regime (&msg, true);
    s_round_trip (&msg);
}

//  A payload of schema version 1 (a recording or a peer from before the
//  parts) is refused as a whole: version
static void
test_version_1_refused (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_exposure (&msg, 3, false);
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    assert_int_equal (buf.data [0], 0x99);      //  the envelope's fixarray of 9
    assert_int_equal (buf.data [1], HB_SCHEMA_VERSION);
    buf.data [1] = 1;
    hb_msg_t back;
    hb_decode_reason_t reason;
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, &reason), -1);
    assert_int_equal (reason, HB_DECODE_VERSION);
}

//  Packs msg (a risk.exposure or risk.corr) as docs/PROTOCOL.md lays it
//  out, without the encoder's checks, into sb (initialized); a
//  risk.exposure with desk records of the desk block (-1: none, the form
//  from before that minor revision), then when layout >= 0 that layout
//  number and coin records of the coin block, then one more field when
//  extra
static void
s_pack_form (const hb_msg_t *msg, msgpack_sbuffer *sb, int desk, int layout, int coin, bool extra)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_array (&pk, 9);
    msgpack_pack_uint8 (&pk, HB_SCHEMA_VERSION);
    msgpack_pack_uint8 (&pk, msg->env.type);
    msgpack_pack_str (&pk, strlen (msg->env.publisher));
    msgpack_pack_str_body (&pk, msg->env.publisher, strlen (msg->env.publisher));
    msgpack_pack_uint64 (&pk, msg->env.epoch);
    msgpack_pack_uint64 (&pk, msg->env.seq);
    msgpack_pack_int64 (&pk, msg->env.ts_venue);
    msgpack_pack_int64 (&pk, msg->env.ts_recv);
    msgpack_pack_int64 (&pk, msg->env.ts_pub);
    if (msg->env.type == HB_MSG_RISK_EXPOSURE) {
        const hb_risk_exposure_t *x = &msg->u.risk_exposure;
        msgpack_pack_array (&pk, 19u + (desk < 0 ? 0 : 2) + (layout < 0 ? 0 : 2) + (extra ? 1 : 0));
        msgpack_pack_uint64 (&pk, x->sample);
        msgpack_pack_uint16 (&pk, x->part);
        msgpack_pack_uint16 (&pk, x->parts);
        msgpack_pack_uint16 (&pk, x->n_assets);
        msgpack_pack_uint16 (&pk, x->first);
        msgpack_pack_uint32 (&pk, x->flags);
        msgpack_pack_uint64 (&pk, x->samples);
        const double fixed [] = { x->sample_s, x->horizon_s, x->confidence, x->var_usd,
                                  x->stress_var_usd, x->stress_corr, x->unhedged_sigma,
                                  x->residual_sigma, x->effectiveness };
        for (int i = 0; i < 9; i++)
            msgpack_pack_double (&pk, fixed [i]);
        msgpack_pack_array (&pk, 13u * x->count);
        for (int i = 0; i < x->count; i++) {
            const hb_risk_asset_t *a = &x->assets [i];
            msgpack_pack_str (&pk, strlen (a->asset));
            msgpack_pack_str_body (&pk, a->asset, strlen (a->asset));
            msgpack_pack_uint32 (&pk, a->flags);
            const double values [] = { a->index, a->exposure_usd, a->delta1_usd, a->option_delta_usd,
                                       a->gamma, a->vega, a->theta, a->rho, a->vol, a->contribution,
                                       a->residual_usd };
            for (int k = 0; k < 11; k++)
                msgpack_pack_double (&pk, values [k]);
        }
        msgpack_pack_uint16 (&pk, x->n_regimes_omitted);
        msgpack_pack_array (&pk, 5u * x->n_regimes);
        for (int i = 0; i < x->n_regimes; i++) {
            msgpack_pack_uint16 (&pk, x->regimes [i].pair);
            msgpack_pack_uint8 (&pk, x->regimes [i].state);
            msgpack_pack_uint8 (&pk, x->regimes [i].kind);
            msgpack_pack_float (&pk, x->regimes [i].statistic);
            msgpack_pack_int64 (&pk, x->regimes [i].last_alarm_ns);
        }
        if (desk >= 0) {
            msgpack_pack_array (&pk, x->n_vega_edges);
            for (int i = 0; i < x->n_vega_edges; i++)
                msgpack_pack_uint16 (&pk, x->vega_edges [i]);
            int n_buckets = x->n_vega_edges + 1;
            msgpack_pack_array (&pk, (uint32_t) ((2 + n_buckets) * desk));
            for (int i = 0; i < desk; i++) {
                msgpack_pack_double (&pk, x->assets [i].gamma_usd);
                msgpack_pack_double (&pk, x->assets [i].theta_day);
                for (int b = 0; b < n_buckets; b++)
                    msgpack_pack_float (&pk, x->assets [i].vega_bucket [b]);
            }
        }
        if (layout >= 0) {
            msgpack_pack_uint8 (&pk, (uint8_t) layout);
            msgpack_pack_array (&pk, 5u * (uint32_t) coin);
            for (int i = 0; i < coin; i++) {
                const hb_risk_asset_t *a = &x->assets [i];
                const float values [] = { a->delta_coin, a->gamma_coin, a->vega_coin, a->theta_coin,
                                          a->value_coin };
                for (int k = 0; k < 5; k++)
                    msgpack_pack_float (&pk, values [k]);
            }
        }
        if (extra)
            msgpack_pack_uint8 (&pk, 0);
    }
    else {
        const hb_risk_corr_t *c = &msg->u.risk_corr;
        msgpack_pack_array (&pk, 6);
        msgpack_pack_uint64 (&pk, c->sample);
        msgpack_pack_uint16 (&pk, c->part);
        msgpack_pack_uint16 (&pk, c->parts);
        msgpack_pack_uint16 (&pk, c->n_assets);
        msgpack_pack_uint32 (&pk, c->first);
        msgpack_pack_array (&pk, c->count);
        for (int i = 0; i < c->count; i++)
            msgpack_pack_float (&pk, c->corr [i]);
    }
}

//  The current layout: desk records of the desk block, the layout, a coin
//  record per asset of the part (-1: the form before the desk block)
static void
s_pack (const hb_msg_t *msg, msgpack_sbuffer *sb, int desk)
{
    int count = msg->env.type == HB_MSG_RISK_EXPOSURE ? msg->u.risk_exposure.count : 0;
    s_pack_form (msg, sb, desk, desk < 0 ? -1 : HB_RISK_EXPOSURE_LAYOUT, count, false);
}

//  msg packed (with its desk block) and decoded: the decoder must refuse
//  it with want
static void
s_expect_reason (const hb_msg_t *msg, hb_decode_reason_t want, int line)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init (&sb);
    s_pack (msg, &sb, msg->env.type == HB_MSG_RISK_EXPOSURE ? msg->u.risk_exposure.count : -1);
    hb_msg_testing_expect_bytes_fail (sb.data, sb.size, want, line);
    msgpack_sbuffer_destroy (&sb);
}

//  The desk block (gamma_usd, theta_day, vega per bucket): one record per
//  asset of the part, buckets as the edges say. A part without it (a
//  publisher or a recording from before it) is of a layout before 2:
//  refused as version (test_coin_layout)
static void
test_desk_block (void **state)
{
    (void) state;
    hb_msg_t msg, back;
    s_exposure (&msg, 3, false);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init (&sb);
    s_pack (&msg, &sb, -1);
    hb_msg_testing_expect_bytes_fail (sb.data, sb.size, HB_DECODE_VERSION, __LINE__);
    msgpack_sbuffer_destroy (&sb);
    hb_decode_reason_t reason;
    const hb_risk_exposure_t *x = &back.u.risk_exposure;
    //  the desk block as the encoder writes it
    msgpack_sbuffer_init (&sb);
    s_pack (&msg, &sb, 3);
    assert_int_equal (hb_msg_decode (&back, sb.data, sb.size, &reason), 0);
    msgpack_sbuffer_destroy (&sb);
    assert_int_equal (x->n_vega_edges, 3);
    assert_int_equal (x->vega_edges [2], 90);
    assert_true (x->assets [1].gamma_usd == -12346.678 && x->assets [1].theta_day == 322.5);
    assert_true (x->assets [1].vega_bucket [3] == (float) (-1500.25 * 4 + 1));
    assert_true (x->assets [1].vega_bucket [4] == 0);
    //  a desk record missing, edges out of order or too many, a bucket not finite
    msgpack_sbuffer_init (&sb);
    s_pack (&msg, &sb, 2);
    hb_msg_testing_expect_bytes_fail (sb.data, sb.size, HB_DECODE_RANGE, __LINE__);
    msgpack_sbuffer_destroy (&sb);
    hb_risk_exposure_t *w = &msg.u.risk_exposure;
    w->vega_edges [1] = 7;
    s_expect_reason (&msg, HB_DECODE_RANGE, __LINE__);
    w->vega_edges [1] = 30;
    w->vega_edges [0] = 0;
    s_expect_reason (&msg, HB_DECODE_RANGE, __LINE__);
    w->vega_edges [0] = 7;
    w->assets [0].vega_bucket [1] = NAN;
    s_expect_reason (&msg, HB_DECODE_RANGE, __LINE__);
    w->assets [0].vega_bucket [1] = 1;
    w->n_vega_edges = HB_RISK_VEGA_BUCKETS;
    for (int i = 0; i < HB_RISK_VEGA_BUCKETS - 1; i++)
        w->vega_edges [i] = (uint16_t) (10 * (i + 1));
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), -1);
    //  a bucket past the edges must be 0: the encoder refuses the sample
    s_exposure (&msg, 3, false);
    w->assets [0].vega_bucket [6] = 5;
    assert_int_equal (hb_msg_encode (&msg, &buf), -1);
    //  band flags round-trip and show in JSON
    s_exposure (&msg, 3, false);
    w->assets [0].flags = HB_RISK_ASSET_GAMMA_BAND | HB_RISK_ASSET_VEGA_BAND;
    s_round_trip (&msg);
    char json [16384];
    hb_msg_to_json (&msg, NULL, json, sizeof json);
    assert_non_null (strstr (json, "\"flags\":[\"gamma_band\",\"vega_band\"]"));
    //  and unhedgeable (issue 18)
    s_exposure (&msg, 3, false);
    w->assets [1].flags = HB_RISK_ASSET_UNHEDGEABLE;
    s_round_trip (&msg);
    hb_msg_to_json (&msg, NULL, json, sizeof json);
    assert_non_null (strstr (json, "\"flags\":[\"unhedgeable\"]"));
    assert_non_null (strstr (json, "\"vega_edges\":[7,30,90]"));
    assert_non_null (strstr (json, "\"gamma_usd\":-12345.678"));
}

//  A part out of its place is refused by the decoder (PART); what a part
//  alone cannot show, the joining refuses and counts
static void
test_parts (void **state)
{
    (void) state;
    hb_msg_t msg;
    hb_buf_t buf;
#define PLACED(setup, change, want) do { setup; change; \
        assert_int_equal (hb_msg_encode (&msg, &buf), -1); \
        s_expect_reason (&msg, want, __LINE__); } while (0)
    PLACED (s_part (&msg, 40, false, 1), msg.u.risk_exposure.first = 17, HB_DECODE_PART);
    PLACED (s_part (&msg, 40, false, 1), msg.u.risk_exposure.parts = 2, HB_DECODE_PART);
    PLACED (s_part (&msg, 40, false, 2), msg.u.risk_exposure.part = 3, HB_DECODE_PART);
    PLACED (s_part (&msg, 40, false, 2), msg.u.risk_exposure.n_assets = 41, HB_DECODE_PART);
    PLACED (s_part (&msg, 40, false, 2), msg.u.risk_exposure.count = 7, HB_DECODE_PART);
    PLACED (s_part (&msg, 40, false, 1), msg.u.risk_exposure.n_regimes_omitted = 1, HB_DECODE_PART);
    PLACED (s_part (&msg, 40, false, 1), msg.u.risk_exposure.n_regimes = 1, HB_DECODE_PART);
    PLACED (s_part (&msg, 40, false, 0), msg.u.risk_exposure.n_assets = HB_RISK_MAX_ASSETS + 1,
            HB_DECODE_RANGE);
    PLACED (s_part (&msg, 40, false, 3), msg.u.risk_corr.first = 1, HB_DECODE_PART);
    PLACED (s_part (&msg, 40, false, 3), msg.u.risk_corr.n_assets = 45, HB_DECODE_PART);
    PLACED (s_part (&msg, 40, false, 4), msg.u.risk_corr.count = 480, HB_DECODE_PART);
    PLACED (s_part (&msg, 40, false, 3), msg.u.risk_corr.n_assets = 1, HB_DECODE_RANGE);
    PLACED (s_part (&msg, 40, false, 3), msg.u.risk_corr.corr [5] = -1.5f, HB_DECODE_RANGE);
#undef PLACED

    //  40 assets: 3 exposure parts, 2 correlation parts (780 pairs)
    hb_risk_sample_t *joined = hb_risk_sample_new ();
    hb_risk_sample_reason_t why;
    assert_int_equal (hb_risk_sample_parts (s_report (40, false)), 5);
    //  a part lost: the next one is refused (gap), and the rest of the
    //  sample with it until a part 0
    s_part (&msg, 40, false, 0);
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), 0);
    s_part (&msg, 40, false, 2);
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), -1);
    assert_int_equal (why, HB_RISK_SAMPLE_GAP);
    assert_null (hb_risk_sample_report (joined));
    //  a part of another sample (or of another life of the publisher)
    s_part (&msg, 40, false, 0);
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), 0);
    s_part (&msg, 40, false, 1);
    msg.u.risk_exposure.sample++;
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), -1);
    assert_int_equal (why, HB_RISK_SAMPLE_MISMATCH);
    s_part (&msg, 40, false, 0);
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), 0);
    s_part (&msg, 40, false, 1);
    msg.env.epoch++;
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), -1);
    assert_int_equal (why, HB_RISK_SAMPLE_MISMATCH);
    //  the portfolio fields of a later part differ from part 0's
    s_part (&msg, 40, false, 0);
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), 0);
    s_part (&msg, 40, false, 1);
    msg.u.risk_exposure.var_usd += 1;
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), -1);
    assert_int_equal (why, HB_RISK_SAMPLE_MISMATCH);
    //  a new sample before the last completed: taken, the last counted
    s_part (&msg, 40, false, 0);
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), 0);
    s_part (&msg, 40, false, 1);
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), 0);
    s_part (&msg, 40, false, 0);
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), 0);
    assert_int_equal (why, HB_RISK_SAMPLE_INCOMPLETE);
    s_part (&msg, 40, false, 1);
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), 0);
    s_part (&msg, 40, false, 2);
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), HB_RISK_SAMPLE_EXPOSURES);
    const hb_risk_report_t *got = hb_risk_sample_report (joined);
    assert_non_null (got);
    assert_int_equal (got->n_assets, 40);
    assert_string_equal (got->assets [39].asset, "A39");
    assert_int_equal (got->corr_sample, 0);     //  not yet
    s_part (&msg, 40, false, 3);
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), 0);
    s_part (&msg, 40, false, 4);
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), HB_RISK_SAMPLE_CORR);
    assert_int_equal (got->corr_sample, 2061);
    assert_true (got->corr [779] == s_report (40, false)->corr [779]);
    assert_int_equal (hb_risk_sample_refused (joined, HB_RISK_SAMPLE_GAP), 1);
    assert_int_equal (hb_risk_sample_refused (joined, HB_RISK_SAMPLE_MISMATCH), 3);
    assert_int_equal (hb_risk_sample_refused (joined, HB_RISK_SAMPLE_INCOMPLETE), 1);
    assert_string_equal (hb_risk_sample_reason_name (HB_RISK_SAMPLE_GAP), "gap");
    assert_string_equal (hb_decode_reason_name (HB_DECODE_PART), "part");
    //  other messages are not its business
    s_hedge (&msg, false);
    assert_int_equal (hb_risk_sample_add (joined, &msg, &why), 0);
    hb_risk_sample_destroy (&joined);
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
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.count = HB_RISK_PART_ASSETS + 1);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.flags = 0x80);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.flags = 0x10);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.sample_s = 0);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.confidence = 1);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.var_usd = -1);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.stress_corr = 1.5);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.effectiveness = NAN);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.assets [1].vol = -0.1);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.assets [1].exposure_usd = INFINITY);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.assets [2].asset [0] = ' ');
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.assets [0].flags = 0x40);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.assets [2].gamma_usd = NAN);
    REFUSED (s_exposure (&msg, 3, false), msg.u.risk_exposure.assets [1].theta_day = -INFINITY);
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
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.n_targets = HB_RISK_HEDGE_TARGETS + 1);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.n_inputs = HB_RISK_INPUTS_MAX + 1);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.targets [0].index = 0);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.targets [1].target_qty = NAN);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.inputs [1].topic [4] = '/');
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.inputs [0].topic [0] = 0);
    REFUSED (s_hedge (&msg, false), msg.u.risk_hedge.inputs [0].publisher [0] = 0);
    //  a decoder sees a corrupted count: the n_assets field disagrees with
    //  the records (byte patched after encoding)
    s_exposure (&msg, 3, false);
    msg.u.risk_exposure.n_regimes = 0;      //  their pairs would be out of range first
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    int patched = 0;
    for (size_t i = 0; i + 5 < buf.size; i++)
        //  sample 2061 (uint16: cd 08 0d), part 0, parts 1, n_assets 3
        if (buf.data [i] == 0xcd && buf.data [i + 1] == 0x08 && buf.data [i + 2] == 0x0d
        &&  buf.data [i + 5] == 0x03) {
            buf.data [i + 5] = 0x02;    //  n_assets 3 -> 2, records still 3 x 13
            patched = 1;
            break;
        }
    assert_true (patched);
    hb_msg_t back;
    hb_decode_reason_t reason;
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, &reason), -1);
    assert_int_equal (reason, HB_DECODE_PART);
}

static void
test_json (void **state)
{
    (void) state;
    hb_msg_t msg;
    s_exposure (&msg, 3, false);
    char json [16384];
    hb_msg_to_json (&msg, NULL, json, sizeof json);
    assert_non_null (strstr (json, "\"topic\":\"risk.exposure\""));
    assert_non_null (strstr (json, "\"risk_exposure\":{\"sample\":2061,\"part\":0,\"parts\":1,"
                                   "\"n_assets\":3,\"first\":0,\"flags\":[\"warming_up\"],\"samples\":17"));
    assert_non_null (strstr (json, "{\"asset\":\"A1\",\"flags\":[\"stale\"],\"index\":65001.123"));
    //  pair 2 of three assets is (A1, A2)
    assert_non_null (strstr (json, "\"regimes\":[{\"pair\":0,\"a\":0,\"b\":1,\"target\":\"A0\",\"proxy\":\"A1\","
                                   "\"state\":\"stable\",\"kind\":\"corr_down\",\"statistic\":7.25,"
                                   "\"last_alarm_ns\":0}"));
    assert_non_null (strstr (json, "{\"pair\":2,\"a\":1,\"b\":2,\"target\":\"A1\",\"proxy\":\"A2\",\"state\":\"shifted\","
                                   "\"kind\":\"none\",\"statistic\":9.25,\"last_alarm_ns\":1718000000000000002}],"
                                   "\"regimes_omitted\":0"));
    //  the correlations, flat in triangle order
    s_part (&msg, 3, false, 1);
    hb_msg_to_json (&msg, NULL, json, sizeof json);
    assert_non_null (strstr (json, "\"risk_corr\":{\"sample\":2061,\"part\":0,\"parts\":1,\"n_assets\":3,"
                                   "\"first\":0,\"corr\":[0.8999999761581421,0.8899999856948853,"
                                   "0.8799999952316284]}"));
    //  a pair beyond the part's assets is named by its indices only
    s_part (&msg, 40, true, 0);
    hb_msg_to_json (&msg, NULL, json, sizeof json);
    assert_non_null (strstr (json, "{\"pair\":779,\"a\":38,\"b\":39,\"target\":\"\",\"proxy\":\"\""));
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
    for (int i = 0; i < 9; i++) {
        static const char *const names [] = { "risk_exposure", "risk_exposure_max", "risk_hedge",
                                              "risk_hedge_max", "hedger_reject", "risk_regime",
                                              "risk_exposure_last_part", "risk_corr", "risk_corr_max" };
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
        if (i == 6)                 //  the last of 200 assets: 8 records from 192
            s_part (&msg, 200, false, 12);
        if (i == 7)
            s_part (&msg, 3, false, 1);
        if (i == 8)                 //  a whole part of 256 assets' triangle
            s_part (&msg, HB_RISK_MAX_ASSETS, false, HB_RISK_MAX_ASSETS / HB_RISK_PART_ASSETS + 3);
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
    assert_true (seen [HB_MSG_RISK_EXPOSURE] >= 3);
    assert_true (seen [HB_MSG_RISK_CORR] >= 2);
    assert_true (seen [HB_MSG_RISK_HEDGE] >= 2);
    assert_true (seen [HB_MSG_HEDGE_REJECT] >= 1);
    assert_true (seen [HB_MSG_RISK_REGIME] >= 1);
}

//  Layout 2: the layout field and the coin block (the coin-settled
//  options' greeks in coin) after the desk block. They round-trip and
//  show in JSON; the form before (no layout, the desk block only), another
//  layout, a body longer than layout 2's, a coin record missing are
//  refused, each with its reason; a coin figure not finite is refused by
//  the encoder
static void
test_coin_layout (void **state)
{
    (void) state;
    hb_msg_t msg, back;
    s_exposure (&msg, 3, false);
    s_round_trip (&msg);
    hb_buf_t buf;
    assert_int_equal (hb_msg_encode (&msg, &buf), 0);
    assert_int_equal (hb_msg_decode (&back, buf.data, buf.size, NULL), 0);
    const hb_risk_asset_t *a = &back.u.risk_exposure.assets [2];
    assert_true (a->delta_coin == (float) -3.25 && a->gamma_coin == (float) 4.5e-9
              && a->vega_coin == (float) 2.875 && a->theta_coin == (float) -4.5
              && a->value_coin == (float) 0.1875);
    char json [16384];
    hb_msg_to_json (&back, NULL, json, sizeof json);
    assert_non_null (strstr (json, "\"delta_coin\":-3.25,\"gamma_coin\":"));
    assert_non_null (strstr (json, "\"value_coin\":0.1875}"));
    struct { int layout, coin; bool extra; hb_decode_reason_t want; } forms [] = {
        { -1, 0, false, HB_DECODE_VERSION },        //  layout 1: the desk block, no more
        { 1, 3, false, HB_DECODE_VERSION },
        { 3, 3, false, HB_DECODE_VERSION },
        { 2, 3, true, HB_DECODE_OVERSIZED },        //  a field past layout 2's
        { 2, 2, false, HB_DECODE_RANGE },           //  a coin record missing
        { 2, 17, false, HB_DECODE_OVERSIZED },      //  more records than a part holds
    };
    for (size_t f = 0; f < sizeof forms / sizeof forms [0]; f++) {
        msgpack_sbuffer sb;
        msgpack_sbuffer_init (&sb);
        s_pack_form (&msg, &sb, 3, forms [f].layout, forms [f].coin, forms [f].extra);
        hb_msg_testing_expect_bytes_fail (sb.data, sb.size, forms [f].want, __LINE__ + (int) f);
        msgpack_sbuffer_destroy (&sb);
    }
    msg.u.risk_exposure.assets [1].gamma_coin = INFINITY;
    assert_int_equal (hb_msg_encode (&msg, &buf), -1);
}

int
main (void)
{
    const char *corpus = getenv ("HB_MSG_WRITE_CORPUS");
    if (corpus)
        return s_write_corpus (corpus);
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_round_trip),
        cmocka_unit_test (test_desk_block),
        cmocka_unit_test (test_coin_layout),
        cmocka_unit_test (test_version_1_refused),
        cmocka_unit_test (test_parts),
        cmocka_unit_test (test_invalid),
        cmocka_unit_test (test_json),
        cmocka_unit_test (test_fuzz_corpus),
    };
    return cmocka_run_group_tests_name ("hb_msg_risk", tests, NULL, NULL);
}
