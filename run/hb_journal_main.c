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
#include "hb_log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int
s_usage (FILE *out)
{
    fprintf (out, "usage: hb-journal check FILE...\n"
                  "       hb-journal salvage FILE\n");
    return out == stdout ? 0 : 2;
}

static void
s_print (const char *path, const hb_journal_check_t *r)
{
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

int
main (int argc, char *argv [])
{
    hb_log_init ("hb-journal", HB_LOG_INFO);
    if (argc >= 2 && (strcmp (argv [1], "--help") == 0 || strcmp (argv [1], "-h") == 0))
        return s_usage (stdout);
    if (argc >= 3 && strcmp (argv [1], "check") == 0) {
        int rc = 0;
        for (int i = 2; i < argc; i++) {
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
    if (argc == 3 && strcmp (argv [1], "salvage") == 0) {
        hb_journal_check_t report;
        char quarantine [4096];
        if (hb_journal_salvage (argv [2], &report, quarantine, sizeof quarantine) == -1) {
            fprintf (stderr, "hb-journal: %s: cannot salvage: %s\n", argv [2],
                     errno == EWOULDBLOCK ? "in use by a running process (stop it first)"
                                          : strerror (errno));
            return 2;
        }
        if (!quarantine [0]) {
            printf ("%s: whole, nothing to salvage (%llu records)\n", argv [2],
                    (unsigned long long) report.records);
            return 0;
        }
        printf ("%s: salvaged: %llu records kept (%llu before the damage, %llu after), the "
                "original kept as %s\n", argv [2],
                (unsigned long long) (report.records + report.later),
                (unsigned long long) report.records, (unsigned long long) report.later, quarantine);
        return 0;
    }
    return s_usage (stderr);
}
