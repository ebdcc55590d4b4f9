/*  hb-journal: an operator's look at a journal, and its repair.

        hb-journal check FILE...    what each journal holds; exit 0 when all
                                    are whole, 1 when one is torn or damaged
        hb-journal salvage FILE     for a journal a process refused as
                                    damaged: the whole file is copied aside
                                    (FILE.quarantine-<UTC time>) and the
                                    journal rewritten with every valid record

    The process owning the journal must be stopped (salvage takes the
    journal's lock and refuses while it is held). Exit status 2 on a usage
    error or an unreadable file.                                            */
#include "hb_journal.h"
#include "hb_service.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    int    argc;
    char **argv;
} s_state_t;

static int
s_args (void *arg, int argc, char **argv)
{
    s_state_t *state = (s_state_t *) arg;
    if (argc < 2 || (strcmp (argv [0], "check") != 0 && strcmp (argv [0], "salvage") != 0)
    ||  (strcmp (argv [0], "salvage") == 0 && argc != 2)) {
        fprintf (stderr, "hb-journal: expected check FILE... or salvage FILE\n");
        return -1;
    }
    state->argc = argc;
    state->argv = argv;
    return 0;
}

static void
s_print (const char *path, const hb_journal_check_t *r)
{
    if (!r->torn && !r->damaged && r->zeros)
        printf ("%s: ok, %llu records, %llu bytes, of which %llu are zeros after the last "
                "record (space taken ahead by a journal that was not closed: not damage)\n",
                path, (unsigned long long) r->records, (unsigned long long) r->size,
                (unsigned long long) r->zeros);
    else
    if (!r->torn && !r->damaged)
        printf ("%s: ok, %llu records, %llu bytes\n", path,
                (unsigned long long) r->records, (unsigned long long) r->size);
    else
    if (r->torn)
        printf ("%s: torn tail at offset %llu (%s) after %llu records: the next open cuts "
                "it off (%llu bytes)\n", path, (unsigned long long) r->bad_offset, r->reason,
                (unsigned long long) r->records, (unsigned long long) (r->size - r->bad_offset));
    else
        printf ("%s: DAMAGED at offset %llu (%s) after %llu records, %llu valid records after "
                "the damage in %llu unreadable runs: the owner refuses it; `hb-journal salvage "
                "%s` recovers the valid records\n", path, (unsigned long long) r->bad_offset,
                r->reason, (unsigned long long) r->records, (unsigned long long) r->later,
                (unsigned long long) r->holes, path);
}

static int
s_check (int argc, char **argv)
{
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        hb_journal_check_t report;
        if (hb_journal_check (argv [i], &report) == -1) {
            fprintf (stderr, "hb-journal: %s: %s\n", argv [i], report.reason);
            rc = 2;
            continue;
        }
        s_print (argv [i], &report);
        if ((report.torn || report.damaged) && rc == 0)
            rc = 1;
    }
    return rc;
}

static int
s_salvage (const char *path)
{
    hb_journal_check_t report;
    char quarantine [4096];
    if (hb_journal_salvage (path, &report, quarantine, sizeof quarantine) == -1) {
        fprintf (stderr, "hb-journal: %s: cannot salvage: %s\n", path,
                 errno == EWOULDBLOCK ? "in use by a running process (stop it first)"
                                      : strerror (errno));
        return 2;
    }
    if (!quarantine [0])
        printf ("%s: whole, nothing to salvage (%llu records)\n", path,
                (unsigned long long) report.records);
    else
        printf ("%s: salvaged: %llu records kept (%llu before the damage, %llu after), the "
                "original kept as %s\n", path,
                (unsigned long long) (report.records + report.later),
                (unsigned long long) report.records, (unsigned long long) report.later, quarantine);
    return 0;
}

//  The whole job, before any reactor
static int
s_setup (hb_service_t *service, void *arg)
{
    (void) service;
    s_state_t *state = (s_state_t *) arg;
    return strcmp (state->argv [0], "check") == 0 ? s_check (state->argc - 1, state->argv + 1)
                                                  : s_salvage (state->argv [1]);
}

int
main (int argc, char *argv [])
{
    static s_state_t state;
    static const hb_service_def_t def = {
        .program         = "hb-journal",
        .component       = "hb-journal",
        .usage           = "check FILE...\n       hb-journal salvage FILE",
        .config_optional = true,
        .warn_only       = true,
        .no_curve        = true,
        .args            = s_args,
        .setup           = s_setup,
        .state           = &state,
    };
    return hb_service_main (&def, argc, argv);
}
