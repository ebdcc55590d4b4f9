/*  hb-pricegen: a price CSV of two assets (TGT, PRX) whose returns have a
    given correlation, with an optional correlation break and vol jump at
    a row, for the tests of `hb-risk analyze --regime` (test-only: built
    into build/.../tests/tools).

        hb-pricegen --rows N --rho R [--break ROW --rho-after R2]
                    [--vol-jump ROW] [--nu NU] [--garch] [--seed S]

    Rows are data rows numbered from 1 as hb-risk numbers them: the return
    of row r (ln p_r / p_{r-1}, r >= 2) is drawn with rho-after from row
    ROW on, and with both vols x3 from the --vol-jump row on. Returns are
    common/testing/hb_simpair draws (Student-t NU, GARCH(1,1) with
    --garch) times 0.001 per row; prices start at 100 and 50. The time
    column is 2026-01-01T00:00:00Z plus one second per row. Exit 2 on a
    usage error.                                                          */
#include "hb_simpair.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
s_usage (void)
{
    fprintf (stderr, "usage: hb-pricegen --rows N --rho R [--break ROW --rho-after R2] "
             "[--vol-jump ROW] [--nu NU] [--garch] [--seed S]\n");
    return 2;
}

int
main (int argc, char **argv)
{
    long rows = 0, break_row = 0, jump_row = 0;
    double rho = 2, rho_after = 2, nu = 0;
    unsigned long long seed = 1;
    bool garch = false;
    for (int i = 1; i < argc; i++) {
        const char *option = argv [i];
        if (strcmp (option, "--garch") == 0) {
            garch = true;
            continue;
        }
        if (i + 1 >= argc)
            return s_usage ();
        const char *value = argv [++i];
        if (strcmp (option, "--rows") == 0)
            rows = atol (value);
        else
        if (strcmp (option, "--rho") == 0)
            rho = atof (value);
        else
        if (strcmp (option, "--break") == 0)
            break_row = atol (value);
        else
        if (strcmp (option, "--rho-after") == 0)
            rho_after = atof (value);
        else
        if (strcmp (option, "--vol-jump") == 0)
            jump_row = atol (value);
        else
        if (strcmp (option, "--nu") == 0)
            nu = atof (value);
        else
        if (strcmp (option, "--seed") == 0)
            seed = strtoull (value, NULL, 10);
        else
            return s_usage ();
    }
    if (rows < 3 || fabs (rho) > 1 || (break_row && fabs (rho_after) > 1))
        return s_usage ();
    hb_simpair_t sim;
    hb_simpair_init (&sim, seed, &(hb_simpair_cfg_t) { .rho = rho, .nu = nu, .garch = garch });
    double px = 100.0, py = 50.0;
    time_t start = 1767225600;      //  2026-01-01T00:00:00Z
    printf ("time,TGT,PRX\n");
    for (long row = 1; row <= rows; row++) {
        if (row >= 2) {
            if (break_row && row == break_row)
                hb_simpair_set_rho (&sim, rho_after);
            if (jump_row && row == jump_row)
                hb_simpair_set_vol (&sim, 3, 3);
            double x, y;
            hb_simpair_next (&sim, &x, &y);
            px *= exp (0.001 * x);
            py *= exp (0.001 * y);
        }
        time_t at = start + row - 1;
        struct tm tm;
        gmtime_r (&at, &tm);
        char text [32];
        strftime (text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
        printf ("%s,%.10g,%.10g\n", text, px, py);
    }
    return 0;
}
