/*  hb_risk_cli tests, in process: greeks against Hull's worked example,
    argument errors, and the analyze command's handling of bad price files
    (message with the line number, exit 1) and of --hedge.                 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hb_risk_cli.h"

#define assert_near(a, b, tol) do {                                         \
    double a_ = (a), b_ = (b);                                              \
    if (!(fabs (a_ - b_) <= (tol)))                                         \
        fail_msg ("%s = %.17g, expected %.17g (tol %g)", #a, a_, b_, (double) (tol)); \
} while (0)

//  the end of an argument list (a typed null pointer, as varargs need)
#define S_END   ((char *) NULL)

static char s_out [65536], s_err [4096];

//  Runs a subcommand given as a NULL-terminated list; captures out and err
static int
s_run (int (*command) (int, char **, FILE *, FILE *), ...)
{
    char *argv [32];
    int argc = 0;
    va_list args;
    va_start (args, command);
    for (char *arg; (arg = va_arg (args, char *)) && argc < 31; )
        argv [argc++] = arg;
    va_end (args);
    argv [argc] = NULL;
    FILE *out = tmpfile (), *err = tmpfile ();
    assert_non_null (out);
    assert_non_null (err);
    int rc = command (argc, argv, out, err);
    rewind (out);
    rewind (err);
    size_t n = fread (s_out, 1, sizeof s_out - 1, out);
    s_out [n] = '\0';
    n = fread (s_err, 1, sizeof s_err - 1, err);
    s_err [n] = '\0';
    fclose (out);
    fclose (err);
    return rc;
}

static double
s_key (const char *key)
{
    char quoted [64];
    snprintf (quoted, sizeof quoted, "\"%s\":", key);
    const char *at = strstr (s_out, quoted);
    if (!at)
        fail_msg ("key %s missing in %s", key, s_out);
    return strtod (at + strlen (quoted), NULL);
}

//  Hull, Options, Futures and Other Derivatives (the delta/gamma/vega
//  chapter's running example): S = 49, K = 50, r = 5 %, σ = 20 %,
//  T = 20 weeks = 0.3846: call 2.4004 (Hull: about 2.40), delta 0.522,
//  gamma 0.066, vega 12.1, theta -4.31 per year, rho 8.91.
static void
test_greeks_hull (void **state)
{
    (void) state;
    assert_int_equal (s_run (hb_risk_cli_greeks, "greeks", "--model", "bs", "--type", "call",
        "--spot", "49", "--strike", "50", "--vol", "0.20", "--t", "0.3846", "--rate", "0.05", S_END), 0);
    assert_near (s_key ("price"), 2.4004, 5e-4);
    assert_near (s_key ("delta"), 0.522, 5e-4);
    assert_near (s_key ("gamma"), 0.066, 5e-4);
    assert_near (s_key ("vega"), 12.1, 0.05);
    assert_near (s_key ("theta"), -4.31, 0.005);
    assert_near (s_key ("rho"), 8.91, 0.005);
    //  put-call parity on Black-76: C - P = e^-rT (F - K)
    assert_int_equal (s_run (hb_risk_cli_greeks, "greeks", "--model", "black76", "--type", "call",
        "--spot", "105", "--strike", "100", "--vol", "0.6", "--t", "0.25", "--rate", "0.04", S_END), 0);
    double call = s_key ("price");
    assert_int_equal (s_run (hb_risk_cli_greeks, "greeks", "--model", "black76", "--type", "put",
        "--spot", "105", "--strike", "100", "--vol", "0.6", "--t", "0.25", "--rate", "0.04", S_END), 0);
    assert_near (call - s_key ("price"), exp (-0.04 * 0.25) * 5, 1e-10);
}

static void
test_greeks_refused (void **state)
{
    (void) state;
    struct { const char *option, *value, *message; } cases [] = {
        {"--vol", "-0.2", "--vol"}, {"--t", "0", "--t"}, {"--t", "-1", "--t"},
        {"--spot", "abc", "not a number"}, {"--strike", "0", "--strike"},
        {"--rate", "1e999", "not a number"}, {"--model", "heston", "bs or black76"},
        {"--type", "straddle", "call or put"}, {"--bogus", "1", "unknown option"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        int rc = s_run (hb_risk_cli_greeks, "greeks", "--model", "bs", "--type", "call",
            "--spot", "49", "--strike", "50", "--vol", "0.2", "--t", "0.5",
            cases [i].option, cases [i].value, S_END);
        if (rc != 2 || !strstr (s_err, cases [i].message) || s_out [0])
            fail_msg ("%s %s: rc %d, err '%s'", cases [i].option, cases [i].value, rc, s_err);
    }
    assert_int_equal (s_run (hb_risk_cli_greeks, "greeks", "--model", "bs", "--type", "call",
        "--spot", "49", "--strike", "50", "--vol", "0.2", S_END), 2);
    assert_non_null (strstr (s_err, "--t is required"));
    assert_int_equal (s_run (hb_risk_cli_greeks, "greeks", "--model", "black76", "--type", "put",
        "--spot", "49", "--strike", "50", "--vol", "0.2", "--t", "1", "--div", "0.01", S_END), 2);
    assert_non_null (strstr (s_err, "--div"));
    assert_int_equal (s_run (hb_risk_cli_greeks, "greeks", "--model", S_END), 2);
}

static void
s_write (const char *path, const char *text)
{
    FILE *file = fopen (path, "w");
    assert_non_null (file);
    fputs (text, file);
    fclose (file);
}

static void
test_analyze_bad_files (void **state)
{
    (void) state;
    char dir [] = "/tmp/hb-risk-cli-XXXXXX", path [64];
    assert_non_null (mkdtemp (dir));
    snprintf (path, sizeof path, "%s/p.csv", dir);
    struct { const char *text, *message; } cases [] = {
        {"t0,100,200\nt1,101,201\nt2,102,202\nt3,103,203\n", "p.csv:1: missing header"},
        {"time,A,B\nt0,100,200\nt1,101\nt2,102,202\n", "p.csv:3: 2 fields, expected 3"},
        {"time,A,B\nt0,100,200\nt1,101,200,7\nt2,102,202\n", "p.csv:3: 4 fields"},
        {"time,A,B\nt0,100,200\nt1,101,x\nt2,102,202\n", "p.csv:3: column 3 (B): 'x' is not a number"},
        {"time,A,B\nt0,100,200\nt1,101,200\n\nt2,-1,202\n", "p.csv:5: column 2 (A): price -1 is not positive"},
        {"time,A,B\nt0,100,200\nt1,0,200\n", "p.csv:3: column 2 (A): price 0"},
        {"time,A,B\nt0,100,nan\nt1,1,200\nt2,1,2\n", "'nan' is not a number"},
        {"time,A,B\nt0,100,200\nt1,101,201\n", "2 data rows, at least 3"},
        {"", "missing header"},
        {"time\nt0\n", "p.csv:1: header has 1 column"},
        {"time,A,A\nt0,1,2\n", "duplicate asset name 'A'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases [0]; i++) {
        s_write (path, cases [i].text);
        int rc = s_run (hb_risk_cli_analyze, "analyze", "--prices", path, S_END);
        if (rc != 1 || !strstr (s_err, cases [i].message) || s_out [0])
            fail_msg ("case %zu: rc %d, err '%s'", i, rc, s_err);
    }
    unlink (path);
    assert_int_equal (s_run (hb_risk_cli_analyze, "analyze", "--prices", path, S_END), 1);
    assert_non_null (strstr (s_err, "cannot open"));
    rmdir (dir);
}

static int
s_count (const char *text, const char *what)
{
    int count = 0;
    for (const char *at = text; (at = strstr (at, what)); at++)
        count++;
    return count;
}

static void
test_analyze_options (void **state)
{
    (void) state;
    const char *csv = "tests/data/risk/prices.csv";
    assert_int_equal (s_run (hb_risk_cli_analyze, "analyze", "--prices", csv, S_END), 0);
    assert_int_equal (s_count (s_out, "\"target\""), 12);     //  every ordered pair of 4
    assert_near (s_key ("n_returns"), 59, 0);
    assert_near (s_key ("lambda"), 0.94, 0);
    assert_int_equal (s_run (hb_risk_cli_analyze, "analyze", "--prices", csv, "--lambda", "0.97",
        "--hedge", "SOL:ETH", "--hedge", "BTC:BTC", S_END), 0);
    assert_int_equal (s_count (s_out, "\"target\""), 2);
    assert_non_null (strstr (s_out, "{\"target\":\"SOL\",\"hedge\":\"ETH\""));
    assert_non_null (strstr (s_out, "{\"target\":\"BTC\",\"hedge\":\"BTC\",\"ratio\":1,\"effectiveness\":1}"));
    assert_near (s_key ("lambda"), 0.97, 0);
    assert_int_equal (s_run (hb_risk_cli_analyze, "analyze", "--prices", csv, "--hedge", "SOL:DOGE", S_END), 2);
    assert_non_null (strstr (s_err, "SOL:DOGE"));
    assert_int_equal (s_run (hb_risk_cli_analyze, "analyze", "--prices", csv, "--hedge", "SOL", S_END), 2);
    assert_int_equal (s_run (hb_risk_cli_analyze, "analyze", "--prices", csv, "--lambda", "1", S_END), 2);
    assert_non_null (strstr (s_err, "--lambda"));
    assert_int_equal (s_run (hb_risk_cli_analyze, "analyze", S_END), 2);
    assert_int_equal (s_run (hb_risk_cli_analyze, "analyze", "--prices", S_END), 2);
    assert_int_equal (s_run (hb_risk_cli_analyze, "analyze", "--price", csv, S_END), 2);
}

int
main (void)
{
    const struct CMUnitTest tests [] = {
        cmocka_unit_test (test_greeks_hull),
        cmocka_unit_test (test_greeks_refused),
        cmocka_unit_test (test_analyze_bad_files),
        cmocka_unit_test (test_analyze_options),
    };
    return cmocka_run_group_tests_name ("hb_risk_cli", tests, NULL, NULL);
}
