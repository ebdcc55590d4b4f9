/*  hb-recmut: a recording with one message changed or left out, for the
    determinism test (test-only: built into build/.../tests/tools, never
    into bin/ or an install).

        hb-recmut --in DIR --out DIR --topic PREFIX --nth N (--scale F | --drop)

    Copies every record of --in into a new recording at --out, except, of
    the records whose topic starts with PREFIX: with --scale, the Nth (from
    1) and every later tick, whose prices are multiplied by F (re-encoded
    by hb_msg_encode, the one encoder, envelope untouched); with --drop, the
    Nth, left out. Exit 0 when that
    record was found and changed, 1 otherwise, 2 on a bad command line.  */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_msg.h"
#include "hb_recording.h"
#include "hb_recording_reader.h"

static int
s_usage (void)
{
    fprintf (stderr, "usage: hb-recmut --in DIR --out DIR --topic PREFIX --nth N (--scale F | --drop)\n");
    return 2;
}

int
main (int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *prefix = NULL;
    long nth = 0;
    double scale = 0;
    int drop = 0;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv [i + 1] : NULL;
        if (strcmp (argv [i], "--drop") == 0) {
            drop = 1;
            continue;
        }
        if (!value)
            return s_usage ();
        if (strcmp (argv [i], "--in") == 0)         in = value;
        else if (strcmp (argv [i], "--out") == 0)   out = value;
        else if (strcmp (argv [i], "--topic") == 0) prefix = value;
        else if (strcmp (argv [i], "--nth") == 0)   nth = atol (value);
        else if (strcmp (argv [i], "--scale") == 0) scale = atof (value);
        else return s_usage ();
        i++;
    }
    if (!in || !out || !prefix || nth < 1 || (drop == 0) == (scale <= 0))
        return s_usage ();
    hb_recording_reader_t *reader = hb_recording_reader_new (in);
    hb_recording_t *writer = reader ? hb_recording_new (out, NULL) : NULL;
    if (!writer)
        return 1;
    static hb_msg_t msg;
    static hb_buf_t buf;
    hb_record_t record;
    long seen = 0;
    int changed = 0;
    while (hb_recording_reader_next (reader, &record) == 1) {
        const void *payload = record.payload;
        size_t size = record.size;
        if (strncmp (record.topic, prefix, strlen (prefix)) == 0 && ++seen >= nth) {
            if (drop && seen == nth) {
                changed = 1;
                continue;
            }
            if (!drop && hb_msg_decode (&msg, payload, size, NULL) == 0 && msg.env.type == HB_MSG_TICK) {
                hb_tick_t *tick = &msg.u.tick;
                for (int l = 0; l < tick->n_bids; l++)
                    tick->bids [l].px *= scale;
                for (int l = 0; l < tick->n_asks; l++)
                    tick->asks [l].px *= scale;
                if (hb_msg_encode (&msg, &buf) == 0) {
                    payload = buf.data;
                    size = buf.size;
                    changed = 1;
                }
            }
        }
        if (hb_recording_append (writer, record.recv_ts, record.topic, payload, size, NULL) != 0) {
            fprintf (stderr, "hb-recmut: cannot write %s\n", out);
            changed = 0;
            break;
        }
    }
    hb_recording_destroy (&writer);
    hb_recording_reader_destroy (&reader);
    if (!changed)
        fprintf (stderr, "hb-recmut: record %ld on %s not found or not changed\n", nth, prefix);
    return changed ? 0 : 1;
}
