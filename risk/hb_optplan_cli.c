/*  hb_optplan_cli: `hb-risk plan`, the option-leg planner on a case file.  */
#include "hb_optplan_cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hb_msg.h"
#include "hb_optplan.h"
#include "hb_yaml.h"

#define S_NAME_MAX  64

typedef struct {
    hb_optplan_input_t in;
    hb_optplan_cand_t  cands [HB_OPTPLAN_CANDS];
    char               names [HB_OPTPLAN_CANDS][S_NAME_MAX];
} s_case_t;

//  A number at key of map (required, or dflt when absent and not required)
static void
s_number (const hb_ynode_t *map, const char *key, bool required, double dflt, double *out)
{
    hb_ynode_t node;
    *out = dflt;
    if (required? hb_ynode_need (map, key, &node) != 0: hb_ynode_get (map, key, &node) != 0)
        return;
    if (hb_ynode_double (&node, out) == 0 && *out < 0 && strcmp (key, "gamma") && strcmp (key, "delta")
    &&  strcmp (key, "vega"))
        hb_yaml_error (&node, "must be >= 0");
}

//  A sequence of numbers at key: at most max, at least one; the count
static int
s_numbers (const hb_ynode_t *map, const char *key, double *out, int max)
{
    hb_ynode_t seq, item;
    if (hb_ynode_need (map, key, &seq) != 0 || !hb_ynode_expect_seq (&seq))
        return 0;
    int n = hb_ynode_size (&seq);
    if (n < 1 || n > max) {
        hb_yaml_error (&seq, "expected 1 to %d numbers, got %d", max, n);
        return 0;
    }
    for (int i = 0; i < n; i++)
        if (hb_ynode_item (&seq, i, &item) == 0)
            hb_ynode_double (&item, &out [i]);
    return n;
}

//  bids or asks: [[px, qty], ...] best first
static int
s_levels (const hb_ynode_t *map, const char *key, hb_optplan_level_t *out)
{
    hb_ynode_t seq, level, field;
    if (hb_ynode_get (map, key, &seq) != 0)
        return 0;               //  absent: an empty side
    if (!hb_ynode_expect_seq (&seq))
        return 0;
    int n = hb_ynode_size (&seq);
    if (n > HB_OPTPLAN_LEVELS) {
        hb_yaml_error (&seq, "at most %d levels, got %d", HB_OPTPLAN_LEVELS, n);
        return 0;
    }
    for (int l = 0; l < n; l++) {
        if (hb_ynode_item (&seq, l, &level) != 0 || !hb_ynode_expect_seq (&level))
            continue;
        if (hb_ynode_size (&level) != 2) {
            hb_yaml_error (&level, "expected [price, quantity]");
            continue;
        }
        double *slot [2] = { &out [l].px, &out [l].qty };
        for (int k = 0; k < 2; k++)
            if (hb_ynode_item (&level, k, &field) == 0 && hb_ynode_double (&field, slot [k]) == 0
            &&  !(*slot [k] > 0))
                hb_yaml_error (&field, "%s must be > 0", k? "quantity": "price");
        if (l > 0 && out [l].px != out [l - 1].px
        &&  (strcmp (key, "bids") == 0) != (out [l].px < out [l - 1].px))
            hb_yaml_error (&level, "levels must come best first");
    }
    return n;
}

static void
s_candidate (const hb_ynode_t *node, s_case_t *c, int i)
{
    static const char *const known [] = { "name", "delta", "gamma", "vega", "bucket", "lot", "min",
                                          "fee_rate", "fee_fixed", "bids", "asks", NULL };
    hb_optplan_cand_t *cand = &c->cands [i];
    cand->id = i;
    if (!hb_ynode_expect_map (node))
        return;
    hb_ynode_check_keys (node, known);
    hb_ynode_t field;
    if (hb_ynode_need (node, "name", &field) == 0)
        hb_ynode_string (&field, c->names [i], S_NAME_MAX);
    s_number (node, "delta", false, 0, &cand->delta);
    s_number (node, "gamma", true, 0, &cand->gamma);
    s_number (node, "vega", true, 0, &cand->vega);
    s_number (node, "lot", true, 1, &cand->lot);
    s_number (node, "min", false, 0, &cand->min);
    s_number (node, "fee_rate", false, 0, &cand->fee_rate);
    s_number (node, "fee_fixed", false, 0, &cand->fee_fixed);
    int64_t bucket = 0;
    if (hb_ynode_get (node, "bucket", &field) == 0
    &&  hb_ynode_int (&field, 0, c->in.n_buckets > 0? c->in.n_buckets - 1: 0, &bucket) != 0)
        bucket = 0;
    cand->bucket = (int) bucket;
    if (hb_ynode_get (node, "lot", &field) == 0 && !(cand->lot > 0))
        hb_yaml_error (&field, "must be > 0");
    cand->n_bids = s_levels (node, "bids", cand->bids);
    cand->n_asks = s_levels (node, "asks", cand->asks);
}

//  Reads path into c. 0, or -1 with every error written to err.
static int
s_load (const char *path, s_case_t *c, FILE *err)
{
    static const char *const known [] = { "book", "bands", "limits", "candidates", NULL };
    static const char *const book_keys [] = { "gamma", "vega", NULL };
    static const char *const band_keys [] = { "gamma", "vega", "target", NULL };
    static const char *const limit_keys [] = { "max_premium", "max_leg_gamma", "max_leg_vega", NULL };
    memset (c, 0, sizeof *c);
    hb_yaml_t *doc = hb_yaml_new (path);
    if (!doc) {
        fprintf (err, "hb-risk plan: out of memory\n");
        return -1;
    }
    hb_ynode_t root, node, seq, item;
    if (hb_yaml_root (doc, &root) == 0 && hb_ynode_expect_map (&root)) {
        hb_ynode_check_keys (&root, known);
        if (hb_ynode_need (&root, "book", &node) == 0 && hb_ynode_expect_map (&node)) {
            hb_ynode_check_keys (&node, book_keys);
            s_number (&node, "gamma", true, 0, &c->in.gamma);
            c->in.n_buckets = s_numbers (&node, "vega", c->in.vega, HB_OPTPLAN_BUCKETS);
        }
        if (hb_ynode_need (&root, "bands", &node) == 0 && hb_ynode_expect_map (&node)) {
            hb_ynode_check_keys (&node, band_keys);
            s_number (&node, "gamma", true, 0, &c->in.gamma_band);
            int n = s_numbers (&node, "vega", c->in.vega_band, HB_OPTPLAN_BUCKETS);
            if (n && n != c->in.n_buckets)
                hb_yaml_error (&node, "bands.vega has %d buckets, book.vega %d", n, c->in.n_buckets);
            s_number (&node, "target", false, 0.5, &c->in.target);
        }
        if (hb_ynode_get (&root, "limits", &node) == 0 && hb_ynode_expect_map (&node)) {
            hb_ynode_check_keys (&node, limit_keys);
            s_number (&node, "max_premium", false, 0, &c->in.max_premium);
            s_number (&node, "max_leg_gamma", false, 0, &c->in.max_leg_gamma);
            s_number (&node, "max_leg_vega", false, 0, &c->in.max_leg_vega);
        }
        if (hb_ynode_need (&root, "candidates", &seq) == 0 && hb_ynode_expect_seq (&seq)) {
            int n = hb_ynode_size (&seq);
            if (n > HB_OPTPLAN_CANDS)
                hb_yaml_error (&seq, "at most %d candidates, got %d", HB_OPTPLAN_CANDS, n);
            else
                for (int i = 0; i < n; i++)
                    if (hb_ynode_item (&seq, i, &item) == 0)
                        s_candidate (&item, c, c->in.n_cands++);
        }
    }
    c->in.cands = c->cands;
    int errors = hb_yaml_errors (doc);
    if (errors) {
        char text [8192] = "";
        hb_yaml_report (doc, text, sizeof text);
        fputs (text, err);
    }
    hb_yaml_destroy (&doc);
    return errors? -1: 0;
}

static void
s_json_string (FILE *out, const char *text)
{
    char safe [2 * S_NAME_MAX + 8];
    fprintf (out, "\"%s\"", hb_json_escape (text, safe, sizeof safe));
}

static void
s_print (FILE *out, const s_case_t *c, const hb_optplan_t *plan, bool json)
{
    const hb_optplan_input_t *in = &c->in;
    if (!json) {
        for (int k = 0; k < plan->n_legs; k++) {
            const hb_optplan_leg_t *leg = &plan->legs [k];
            fprintf (out, "leg %-24s %-4s %12.4f  limit %.4f  cost %.2f  premium %.2f\n",
                     c->names [leg->cand], leg->qty > 0? "buy": "sell", fabs (leg->qty),
                     leg->limit_px, leg->cost, leg->premium);
        }
        fprintf (out, "plan %s: %s\n", hb_optplan_reason_name (plan->reason), plan->why);
        fprintf (out, "delta of the legs %.6g (the delta leg trades %.6g more); gamma %.6g -> %.6g",
                 plan->delta, -plan->delta, in->gamma, plan->gamma_after);
        for (int b = 0; b < in->n_buckets; b++)
            fprintf (out, "; vega[%d] %.6g -> %.6g", b, in->vega [b], plan->vega_after [b]);
        fprintf (out, "\n");
        return;
    }
    fprintf (out, "{\"reason\":\"%s\",\"why\":", hb_optplan_reason_name (plan->reason));
    s_json_string (out, plan->why);
    fprintf (out, ",\"cost\":%.17g,\"premium\":%.17g,\"delta\":%.17g,\"gamma_after\":%.17g,"
             "\"vega_after\":[", plan->cost, plan->premium, plan->delta, plan->gamma_after);
    for (int b = 0; b < in->n_buckets; b++)
        fprintf (out, "%s%.17g", b? ",": "", plan->vega_after [b]);
    fprintf (out, "],\"legs\":[");
    for (int k = 0; k < plan->n_legs; k++) {
        const hb_optplan_leg_t *leg = &plan->legs [k];
        fprintf (out, "%s{\"name\":", k? ",": "");
        s_json_string (out, c->names [leg->cand]);
        fprintf (out, ",\"qty\":%.17g,\"limit_px\":%.17g,\"cost\":%.17g,\"premium\":%.17g}",
                 leg->qty, leg->limit_px, leg->cost, leg->premium);
    }
    fprintf (out, "]}\n");
}

int
hb_optplan_cli_plan (int argc, char **argv, FILE *out, FILE *err)
{
    const char *path = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp (argv [i], "--case") == 0 && i + 1 < argc)
            path = argv [++i];
        else
        if (strcmp (argv [i], "--json") == 0)
            json = true;
        else {
            fprintf (err, "hb-risk plan: unknown or incomplete option '%s'\n"
                          "usage: hb-risk plan --case FILE.yaml [--json]\n", argv [i]);
            return 2;
        }
    }
    if (!path) {
        fprintf (err, "usage: hb-risk plan --case FILE.yaml [--json]\n");
        return 2;
    }
    s_case_t *c = (s_case_t *) calloc (1, sizeof *c);
    if (!c) {
        fprintf (err, "hb-risk plan: out of memory\n");
        return 1;
    }
    int rc = 1;
    if (s_load (path, c, err) == 0) {
        hb_optplan_t plan;
        if (hb_optplan_solve (&c->in, &plan) == HB_OPTPLAN_BAD_INPUT)
            fprintf (err, "%s: %s\n", path, plan.why);
        else {
            s_print (out, c, &plan, json);
            rc = 0;
        }
    }
    free (c);
    return rc;
}
