/*  hb_risk_testing: the fixture shared by risk's engine tests
    (hb_risk_dt_test.c, hb_risk_proxy_test.c, hb_greeks_test.c; its random
    stream also hb_ewma_test.c and hb_risk_bench.c): a deployment config loaded
    from YAML written into a fresh directory, beside an empty file standing
    in for the venue plugin (hb_risk never loads it), and the aggregator's
    state messages a test feeds the engine. Header-only (static
    inline): a .c in risk/ would be linked into hb-risk. Test programs only. */
#ifndef HB_RISK_TESTING_H
#define HB_RISK_TESTING_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_config.h"
#include "hb_risk.h"

//  A seeded splitmix64 stream, its uniforms in (0, 1) and Box-Muller
//  normals: the same numbers on every machine, for the price paths the
//  engine tests and the risk bench draw.
static inline uint64_t
hb_risk_testing_next (uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline double
hb_risk_testing_uniform (uint64_t *s)
{
    return ((hb_risk_testing_next (s) >> 11) + 0.5) / 9007199254740992.0;
}

static inline double
hb_risk_testing_normal (uint64_t *s)
{
    double u1 = hb_risk_testing_uniform (s);
    double u2 = hb_risk_testing_uniform (s);
    return sqrt (-2.0 * log (u1)) * cos (2.0 * M_PI * u2);
}

typedef struct {
    char dir [64];
    char path [128];                //  the YAML file
    char plugin [128];              //  the stand-in plugin file
    hb_config_t *cfg;
} hb_risk_testing_t;

//  Makes a fresh directory /tmp/<prefix>.XXXXXX with an empty plugin file
//  and the config yaml, a printf format given, in this order, the
//  directory (for run_dir) and the plugin's path twice (two venues), then
//  loads it into self->cfg. Returns 0, or -1 when a file cannot be made or
//  the config does not load (the loader's errors in errors).
static inline int
hb_risk_testing_load (hb_risk_testing_t *self, const char *prefix, const char *yaml,
                      char *errors, size_t size)
{
    errors [0] = 0;
    self->cfg = NULL;
    snprintf (self->dir, sizeof self->dir, "/tmp/%s.XXXXXX", prefix);
    if (!mkdtemp (self->dir))
        return -1;
    snprintf (self->plugin, sizeof self->plugin, "%s/hb_venue_fake.so", self->dir);
    FILE *f = fopen (self->plugin, "w");
    if (!f)
        return -1;
    fclose (f);
    snprintf (self->path, sizeof self->path, "%s/risk.yaml", self->dir);
    f = fopen (self->path, "w");
    if (!f)
        return -1;
    fprintf (f, yaml, self->dir, self->plugin, self->plugin);
    fclose (f);
    self->cfg = hb_config_load_quiet (self->path, errors, size);
    return self->cfg ? 0 : -1;
}

//  hb_risk_testing_load with the loader's errors printed to stderr
static inline int
hb_risk_testing_setup (hb_risk_testing_t *self, const char *prefix, const char *yaml)
{
    char errors [2048];
    int rc = hb_risk_testing_load (self, prefix, yaml, errors, sizeof errors);
    if (rc != 0)
        fprintf (stderr, "%s", errors);
    return rc;
}

//  Destroys the config and removes the files and the directory.
static inline void
hb_risk_testing_teardown (hb_risk_testing_t *self)
{
    hb_config_destroy (&self->cfg);
    unlink (self->plugin);
    unlink (self->path);
    rmdir (self->dir);
}

//  A venue's one-level quote of symbol at now_ns, applied to risk (feed
//  envelope: publisher feed.<venue>, epoch 1, seq). Returns
//  hb_risk_on_tick's result.
static inline int
hb_risk_testing_tick (hb_risk_t *risk, const char *venue, const char *symbol, double bid,
                      double ask, uint64_t seq, int64_t now_ns)
{
    hb_msg_t msg;
    memset (&msg, 0, sizeof msg);
    msg.env.type = HB_MSG_TICK;
    snprintf (msg.env.publisher, sizeof msg.env.publisher, "feed.%s", venue);
    msg.env.epoch = 1;
    msg.env.seq = seq;
    snprintf (msg.u.tick.venue, sizeof msg.u.tick.venue, "%s", venue);
    snprintf (msg.u.tick.symbol, sizeof msg.u.tick.symbol, "%s", symbol);
    msg.u.tick.n_bids = msg.u.tick.n_asks = 1;
    msg.u.tick.bids [0] = (hb_level_t) { bid, 1 };
    msg.u.tick.asks [0] = (hb_level_t) { ask, 1 };
    return hb_risk_on_tick (risk, &msg, now_ns);
}

//  msg zeroed, with the aggregator's envelope (epoch 3, seq)
static inline void
hb_risk_testing_env (hb_msg_t *msg, hb_msg_type_t type, uint64_t seq)
{
    memset (msg, 0, sizeof *msg);
    msg->env.type = (uint8_t) type;
    snprintf (msg->env.publisher, sizeof msg->env.publisher, "aggregator");
    msg->env.epoch = 3;
    msg->env.seq = seq;
}

//  The aggregator's (epoch 3, seq) state messages, applied to risk:
//  pos.<asset> with net_usd at price, and margin.<venue> in breach or not.
//  Return hb_risk_on_state's result.
static inline int
hb_risk_testing_exposure (hb_risk_t *risk, const char *asset, double net_usd, double price,
                          uint64_t seq)
{
    hb_msg_t msg;
    hb_risk_testing_env (&msg, HB_MSG_EXPOSURE, seq);
    snprintf (msg.u.exposure.asset, sizeof msg.u.exposure.asset, "%s", asset);
    msg.u.exposure.net_usd = net_usd;
    msg.u.exposure.price = price;
    char topic [HB_TOPIC_MAX];
    snprintf (topic, sizeof topic, "pos.%s", asset);
    return hb_risk_on_state (risk, topic, &msg);
}

//  The aggregator's position of venue's symbol (asset), qty, applied to
//  risk on pos.<asset>.<venue>.<symbol>
static inline int
hb_risk_testing_position (hb_risk_t *risk, const char *venue, const char *symbol, const char *asset,
                          double qty, uint64_t seq)
{
    hb_msg_t msg;
    hb_risk_testing_env (&msg, HB_MSG_POSITION, seq);
    snprintf (msg.u.position.venue, sizeof msg.u.position.venue, "%s", venue);
    snprintf (msg.u.position.symbol, sizeof msg.u.position.symbol, "%s", symbol);
    snprintf (msg.u.position.asset, sizeof msg.u.position.asset, "%s", asset);
    msg.u.position.qty = qty;
    char topic [HB_TOPIC_MAX];
    snprintf (topic, sizeof topic, "pos.%s.%s.%s", asset, venue, symbol);
    return hb_risk_on_state (risk, topic, &msg);
}

static inline int
hb_risk_testing_margin (hb_risk_t *risk, const char *venue, bool breach, uint64_t seq)
{
    hb_msg_t msg;
    hb_risk_testing_env (&msg, HB_MSG_MARGIN, seq);
    snprintf (msg.u.margin.venue, sizeof msg.u.margin.venue, "%s", venue);
    msg.u.margin.flags = breach ? HB_MARGIN_BREACH : 0;
    char topic [HB_TOPIC_MAX];
    snprintf (topic, sizeof topic, "margin.%s", venue);
    return hb_risk_on_state (risk, topic, &msg);
}

#endif
