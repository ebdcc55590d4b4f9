/*  libFuzzer target for the hb_msg decoder. Any input must either be
    refused with a reason, or decode to a message that the encoder accepts
    and that decodes again to the same message; JSON and topic must cope
    with whatever decoded. Seeds: tests/corpus/hb_msg_fuzz (one encoded
    message per type, written by HB_MSG_WRITE_CORPUS=DIR hb_msg_test).    */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hb_msg.h"

static void
s_die (const char *what, const hb_msg_t *msg)
{
    char json [4096];
    hb_msg_to_json (msg, NULL, json, sizeof json);
    fprintf (stderr, "hb_msg_fuzz: %s: %s\n", what, json);
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    hb_msg_t msg;
    hb_decode_reason_t reason = HB_DECODE_REASON_COUNT;
    if (hb_msg_decode (&msg, data, size, &reason) != 0) {
        if (reason <= HB_DECODE_OK || reason >= HB_DECODE_REASON_COUNT)
            abort ();
        return 0;
    }
    static hb_buf_t buf;
    if (hb_msg_encode (&msg, &buf) != 0)
        s_die ("decoded but does not encode", &msg);
    hb_msg_t again;
    if (hb_msg_decode (&again, buf.data, buf.size, &reason) != 0)
        s_die (hb_decode_reason_name (reason), &msg);
    if (memcmp (&msg, &again, sizeof msg) != 0)
        s_die ("round trip differs", &msg);

    char topic [HB_TOPIC_MAX];
    if (hb_msg_topic (&msg, topic) < 0)
        s_die ("no topic", &msg);
    char json [2048];
    int len = hb_msg_to_json (&msg, topic, json, sizeof json);
    if (len < 0 || (size_t) len != strlen (json))
        s_die ("json length", &msg);
    return 0;
}
