/*  hb_vbench: the yardsticks a venue plugin's bench measures its market
    data path against, so that every venue reports the same floors.

    A bench adds its session of venue messages (text frames as the venue
    sends them), then times rounds of: the bare transport (each frame
    written to and read back from an AF_UNIX SOCK_SEQPACKET pair, the
    kernel floor of any transport), JSON parsing alone (hb_json), and its
    own full path over the same frames. Rates are messages per second of
    one round; report the median of several, and read the ratios, since
    figures move with the load of the machine.

    Benches only: the rounds block and are timed with the monotonic clock. */
#ifndef HB_VBENCH_H
#define HB_VBENCH_H

#include <stddef.h>
#include "hb_config.h"
#include "hb_msg.h"

typedef struct hb_vbench_s hb_vbench_t;

//  Room for max_msgs frames (>= 1), a socket pair and a JSON parser. NULL
//  when out of memory or the socket pair cannot be made.
hb_vbench_t *hb_vbench_new (int max_msgs);
void hb_vbench_destroy (hb_vbench_t **self_p);

//  Takes text (a NUL-terminated frame from malloc) into the session; it is
//  freed on destroy, also when this fails. -1 when the session is full or
//  text is NULL.
int hb_vbench_add (hb_vbench_t *self, char *text);

//  Frames in the session and their mean length in bytes.
int hb_vbench_count (const hb_vbench_t *self);
size_t hb_vbench_mean_bytes (const hb_vbench_t *self);

//  Frame i (0 .. count-1) and its length into *len.
const char *hb_vbench_msg (const hb_vbench_t *self, int i, size_t *len);

//  One round of every frame written to and read from the socket pair, or
//  parsed by hb_json: messages per second, -1 when a write, a read or a
//  parse fails.
double hb_vbench_bare (hb_vbench_t *self);
double hb_vbench_parse (hb_vbench_t *self);

//  The median of n (>= 1) values; sorts them in place.
double hb_vbench_median (double *values, int n);

//  A bench's own path over the session. begin makes what one round needs
//  (a fresh parser, say; not timed) from arg, NULL when it cannot; frame
//  takes frame i of the session, 0 or -1 to fail the round; end frees what
//  begin made (not timed).
typedef struct {
    void *(*begin) (void *arg);
    int   (*frame) (void *round, int i, const char *text, size_t len);
    void  (*end) (void *round);
} hb_vbench_path_t;

//  Medians of a bench's rounds, in messages per second.
typedef struct {
    double bare, parse, full;
} hb_vbench_rates_t;

//  rounds (>= 1) rounds of hb_vbench_bare, hb_vbench_parse and path over
//  every frame (timed from the first frame to the last), then the median
//  of each into *rates. -1 when a round fails (a bare or parse round, a
//  begin or a frame) or when out of memory; *rates is then unset.
int hb_vbench_rounds (hb_vbench_t *self, int rounds, const hb_vbench_path_t *path, void *arg,
                      hb_vbench_rates_t *rates);

//  An emit callback for a bench's parser (arg: an hb_buf_t): numbers the
//  message and encodes it as the host would before publishing. 0 or -1.
int hb_vbench_encode (void *buf, hb_msg_t *msg);

//  What a bench's rounds begin from: the venue its parser is made for and
//  the buffer hb_vbench_encode writes into (pass it as the emit argument).
typedef struct {
    const hb_venue_cfg_t *venue;
    hb_buf_t              buf;
} hb_vbench_arg_t;

//  hb_vbench_rounds, then hb_vbench_report of the rates under title and
//  full_label. 0, or -1 when a round failed (nothing printed).
int hb_vbench_run (hb_vbench_t *self, int rounds, const hb_vbench_path_t *path, void *arg,
                   const char *title, const char *full_label);

//  Prints the rates of a bench: title ("coinbase level2") with the
//  session's size and rounds, the bare and parse floors, and the full
//  path under full_label with its ratios to them.
void hb_vbench_report (const hb_vbench_t *self, const char *title, int rounds,
                       const char *full_label, const hb_vbench_rates_t *rates);

#endif
