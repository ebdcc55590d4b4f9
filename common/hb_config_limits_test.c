/*  hb_config limits (docs/CONFIG.md, Limits): a file at every documented
    maximum at once (256 assets, 32 venues, a venue with 10,000 instruments
    and as many starting positions) loads whole; one just over each maximum
    is refused with FILE:LINE, the key and the count, never truncated. The
    files are generated here, not kept under tests/configs.

    The config costs what the file holds: a small file does not carry the
    room of the maxima (the struct has no per-instrument arrays).        */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hb_config.h"

#define ERRBUF_SIZE 16384

static char s_dir [64];             //  temp dir: the plugin and the files written

//  What a generated file holds: n_assets assets, n_venues venues, the first
//  with n_big instruments and n_positions positions, the others with one.
typedef struct {
    int n_assets, n_venues, n_big, n_positions;
} s_shape_t;

//  Line numbers of the keys the refusals name (1-based)
typedef struct {
    int assets, venues, instruments, positions;
} s_lines_t;

//  Writes the file of shape to <s_dir>/name; returns its path (static).
static const char *
s_generate (const char *name, s_shape_t shape, s_lines_t *lines)
{
    static char path [128];
    snprintf (path, sizeof path, "%s/%s", s_dir, name);
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    int line = 0;
    fprintf (file, "hedgebus: 1\n");
    fprintf (file, "deployment: limits\n");
    fprintf (file, "market: {}\n");
    line += 3;
    fprintf (file, "assets:\n");
    line++;
    lines->assets = line;              //  a node is reported at its key's line
    for (int a = 0; a < shape.n_assets; a++, line++)
        fprintf (file, "  A%03d: { price: %d, vol: 0.5 }\n", a, 100 + a);
    fprintf (file, "venues:\n");
    line++;
    lines->venues = line;
    for (int v = 0; v < shape.n_venues; v++) {
        int n = v == 0 ? shape.n_big : 1;
        fprintf (file, "  v%02d:\n    plugin: sim\n    sim: {}\n    instruments:\n", v);
        line += 4;
        if (v == 0)
            lines->instruments = line;
        for (int i = 0; i < n; i++, line++)
            fprintf (file, "      - { symbol: S%05d, asset: A%03d, kind: spot, tick: 0.01, lot: 0.001 }\n",
                     i, i % shape.n_assets);
        if (v == 0 && shape.n_positions > 0) {
            fprintf (file, "    positions:\n");
            line++;
            lines->positions = line;
            for (int p = 0; p < shape.n_positions; p++, line++)
                fprintf (file, "      - { symbol: S%05d, qty: 1, entry: 100 }\n", p % shape.n_big);
        }
    }
    fclose (file);
    return path;
}

static int
s_setup (void **state)
{
    (void) state;
    strcpy (s_dir, "/tmp/hb_config_limits_test.XXXXXX");
    if (!mkdtemp (s_dir))
        return -1;
    //  the loader only looks the plugin up: an empty file will do
    char path [128];
    snprintf (path, sizeof path, "%s/hb_venue_sim.so", s_dir);
    FILE *file = fopen (path, "w");
    if (!file)
        return -1;
    fclose (file);
    setenv ("HB_PLUGIN_PATH", s_dir, 1);
    return 0;
}

static int
s_teardown (void **state)
{
    (void) state;
    char command [128];
    snprintf (command, sizeof command, "rm -rf '%s'", s_dir);
    return system (command) == 0 ? 0 : -1;
}

//  Every maximum at once loads whole, nothing dropped
static void
test_at_maxima (void **state)
{
    (void) state;
    s_lines_t lines;
    const char *path = s_generate ("max.yaml", (s_shape_t) { HB_MAX_ASSETS, HB_MAX_VENUES,
                                   HB_MAX_INSTRUMENTS, HB_MAX_POSITIONS }, &lines);
    char *errbuf = calloc (1, ERRBUF_SIZE);
    assert_non_null (errbuf);
    hb_config_t *cfg = hb_config_load_quiet (path, errbuf, ERRBUF_SIZE);
    if (!cfg)
        fail_msg ("refused:\n%s", errbuf);
    assert_int_equal (HB_MAX_ASSETS, 256);
    assert_int_equal (HB_MAX_VENUES, 32);
    assert_int_equal (HB_MAX_INSTRUMENTS, 10000);
    assert_int_equal (cfg->n_assets, 256);
    assert_string_equal (cfg->assets [255].name, "A255");
    assert_int_equal (cfg->n_venues, 32);
    assert_string_equal (cfg->venues [31].name, "v31");
    const hb_venue_cfg_t *big = &cfg->venues [0];
    assert_int_equal (big->n_instruments, 10000);
    assert_string_equal (big->instruments [9999].symbol, "S09999");
    assert_int_equal (big->instruments [9999].asset, 9999 % 256);
    //  looked up through the index the loader made (binary search)
    assert_int_equal (big->n_by_symbol, 10000);
    assert_ptr_equal (hb_venue_instrument (big, "S09999"), &big->instruments [9999]);
    assert_ptr_equal (hb_venue_instrument (big, "S00000"), &big->instruments [0]);
    assert_ptr_equal (hb_venue_instrument (big, "S04711"), &big->instruments [4711]);
    assert_null (hb_venue_instrument (big, "S10000"));
    assert_null (hb_venue_instrument (big, "A"));
    assert_null (hb_venue_instrument (big, "S04711X"));
    assert_int_equal (big->n_positions, 10000);
    assert_int_equal (big->positions [9999].instrument, 9999);
    assert_int_equal (cfg->venues [31].n_instruments, 1);
    size_t first [HB_MAX_VENUES];
    assert_int_equal (hb_config_instrument_slots (cfg, first), 10000 + 31);
    assert_int_equal (first [0], 0);
    assert_int_equal (first [1], 10000);
    assert_int_equal (first [31], 10030);
    hb_config_destroy (&cfg);
    free (errbuf);
}

//  One over: the FILE:LINE: key: count, at most N; nothing loaded
static void
s_refused (const char *name, s_shape_t shape, const char *key, int which, const char *what)
{
    s_lines_t lines = { 0 };
    const char *path = s_generate (name, shape, &lines);
    int line = which == 0 ? lines.assets : which == 1 ? lines.venues
             : which == 2 ? lines.instruments : lines.positions;
    char *errbuf = calloc (1, ERRBUF_SIZE);
    assert_non_null (errbuf);
    assert_null (hb_config_load_quiet (path, errbuf, ERRBUF_SIZE));
    char expect [256];
    snprintf (expect, sizeof expect, "%s:%d: %s: %s", path, line, key, what);
    bool found = strstr (errbuf, expect) != NULL;
    if (!found)
        print_error ("expected '%s' in:\n%s", expect, errbuf);
    free (errbuf);
    assert_true (found);
}

static void
test_over_maxima (void **state)
{
    (void) state;
    s_refused ("assets.yaml", (s_shape_t) { HB_MAX_ASSETS + 1, 1, 1, 0 }, "assets", 0,
               "257 assets, at most 256 (HB_MAX_ASSETS)");
    s_refused ("venues.yaml", (s_shape_t) { 1, HB_MAX_VENUES + 1, 1, 0 }, "venues", 1,
               "33 venues, at most 32 (HB_MAX_VENUES)");
    s_refused ("instruments.yaml", (s_shape_t) { 1, 1, HB_MAX_INSTRUMENTS + 1, 0 }, "venues.v00.instruments", 2,
               "10001 instruments, at most 10000 per venue (HB_MAX_INSTRUMENTS)");
    s_refused ("positions.yaml", (s_shape_t) { 1, 1, HB_MAX_INSTRUMENTS, HB_MAX_POSITIONS + 1 },
               "venues.v00.positions", 3, "10001 positions, at most 10000 per venue (HB_MAX_POSITIONS)");
}

//  A config costs its file, not the maxima: no per-instrument table in the
//  struct itself (HB_MAX_VENUES x HB_MAX_INSTRUMENTS of anything would be
//  megabytes), and a small file allocates a small table
static void
test_sized_by_file (void **state)
{
    (void) state;
    assert_true (sizeof (hb_config_t) < 1024 * 1024);
    s_lines_t lines;
    const char *path = s_generate ("small.yaml", (s_shape_t) { 3, 3, 10, 2 }, &lines);
    char errbuf [ERRBUF_SIZE];
    hb_config_t *cfg = hb_config_load_quiet (path, errbuf, sizeof errbuf);
    if (!cfg)
        fail_msg ("refused:\n%s", errbuf);
    assert_int_equal (hb_config_instrument_slots (cfg, NULL), 12);
    assert_int_equal (cfg->venues [0].n_positions, 2);
    hb_config_destroy (&cfg);
}

//  Built in code: grown one at a time, refused past the maximum
static void
test_built_in_code (void **state)
{
    (void) state;
    hb_config_t *cfg = calloc (1, sizeof *cfg);
    assert_non_null (cfg);
    cfg->n_venues = 1;
    hb_venue_cfg_t *venue = &cfg->venues [0];
    for (int i = 0; i < 3; i++)
        assert_non_null (hb_venue_cfg_add_instrument (venue));
    assert_int_equal (venue->n_instruments, 3);
    //  indexed, the first of equal symbols is found, as by a scan; an
    //  instrument added later is found too (the index is stale: a scan)
    strcpy (venue->instruments [0].symbol, "B");
    strcpy (venue->instruments [1].symbol, "A");
    strcpy (venue->instruments [2].symbol, "A");
    assert_int_equal (hb_venue_cfg_index (venue), 0);
    assert_ptr_equal (hb_venue_instrument (venue, "A"), &venue->instruments [1]);
    assert_ptr_equal (hb_venue_instrument (venue, "B"), &venue->instruments [0]);
    assert_null (hb_venue_instrument (venue, "C"));
    strcpy (hb_venue_cfg_add_instrument (venue)->symbol, "C");
    assert_ptr_equal (hb_venue_instrument (venue, "C"), &venue->instruments [3]);
    assert_non_null (hb_venue_cfg_add_position (venue));
    assert_int_equal (venue->n_positions, 1);
    assert_int_equal (venue->n_instruments, 4);
    assert_int_equal (hb_venue_cfg_alloc (venue, HB_MAX_INSTRUMENTS + 1, 0), -1);
    assert_int_equal (hb_venue_cfg_alloc (venue, HB_MAX_INSTRUMENTS, 0), 0);
    venue->n_instruments = HB_MAX_INSTRUMENTS;
    assert_null (hb_venue_cfg_add_instrument (venue));
    assert_int_equal (venue->n_instruments, HB_MAX_INSTRUMENTS);
    //  no carry given: 0
    assert_true (hb_config_funding_bps (cfg, 0, 9999) == 0 && hb_config_basis_bps (cfg, 0, 9999) == 0);
    hb_config_destroy (&cfg);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_at_maxima),
        cmocka_unit_test (test_over_maxima),
        cmocka_unit_test (test_sized_by_file),
        cmocka_unit_test (test_built_in_code),
    };
    return cmocka_run_group_tests (tests, s_setup, s_teardown);
}
