/*  deribit_fuzz: libFuzzer target for everything a Deribit connection can
    send us. The input is split on newlines into frames and played into one
    engine (deribit_venue) on a fresh connection with credentials, so the
    fuzzer reaches responses (request ids count from 1), books across
    frames (continuity, gaps, resubscriptions), tickers, trades, order
    updates and executions. An order and a cancel go in half-way, so that
    slots and acks are exercised too. Invariants: no crash, no leak, no
    sanitizer report; messages the host refuses are counted, not fatal.

    Seeds: tests/corpus/deribit_fuzz holds sessions in Deribit's documented
    shapes, one frame per line (tests/run.sh passes that directory).     */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "deribit_venue.h"
#include "deribit_testing.h"

static hb_config_t *s_config;
static hb_secret_t *s_key;
static hb_secret_t *s_secret;

static int
s_send (void *arg, const char *text, size_t len)
{
    (void) arg;
    (void) text;
    (void) len;
    return 0;
}

static void
s_reconnect (void *arg, const char *why)
{
    (void) arg;
    (void) why;
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    s_config = deribit_testing_config ();
    setenv ("DERIBIT_FUZZ_KEY", "fuzz-key", 1);
    setenv ("DERIBIT_FUZZ_SECRET", "fuzz-secret", 1);
    s_key = hb_secret_from_env ("DERIBIT_FUZZ_KEY", NULL, 0);
    s_secret = hb_secret_from_env ("DERIBIT_FUZZ_SECRET", NULL, 0);
    return s_config && s_key && s_secret ? 0 : -1;
}

static void
s_play (deribit_venue_t *venue, const char *text, size_t len)
{
    deribit_venue_on_msg (venue, text, len);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    deribit_testing_host_t host = { 0 };
    hb_host_api_t api = deribit_testing_api (&host, s_config);
    deribit_link_t link = { s_send, s_reconnect, NULL };
    char err [256];
    deribit_venue_t *venue = deribit_venue_new (&api, &link, s_key, s_secret, err, sizeof err);
    if (!venue)
        abort ();
    deribit_venue_on_open (venue);
    //  request 3 is public/auth: an answer makes the session authenticated
    static const char auth [] = "{\"jsonrpc\":\"2.0\",\"id\":3,\"result\":{\"expires_in\":900}}";
    s_play (venue, auth, sizeof auth - 1);
    const char *text = (const char *) data;
    size_t start = 0;
    bool ordered = false;
    for (size_t i = 0; i <= size; i++) {
        if (i < size && data [i] != '\n')
            continue;
        s_play (venue, text + start, i - start);
        start = i + 1;
        if (!ordered && start > size / 2) {
            hb_order_t order = { .venue = "deribit", .symbol = DERIBIT_TESTING_OPTION,
                                 .client_id = "f-1", .side = HB_SIDE_BUY, .ord_type = HB_ORD_LIMIT,
                                 .tif = HB_TIF_GTC, .qty = 0.5, .px = 3000 };
            deribit_venue_order (venue, &order);
            hb_cancel_t cancel = { .venue = "deribit", .symbol = DERIBIT_TESTING_OPTION,
                                   .client_id = "f-1" };
            deribit_venue_cancel (venue, &cancel);
            ordered = true;
        }
    }
    deribit_venue_poll (venue);
    deribit_venue_on_close (venue, "fuzz");
    deribit_venue_destroy (&venue);
    return 0;
}
