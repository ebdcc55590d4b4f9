/*  hb_grid: event time for a process that consumes several venue streams
    (docs/RISK.md, Data-time grid).

    A decision taken "at time T" is a function of the data, not of when the
    data happened to arrive, if it is taken once every stream has passed T
    and sees exactly the messages stamped <= T. hb_grid keeps that rule for
    its caller:
    - a message's data time is its envelope's ts_pub (every message has it,
      heartbeats too, and one publisher stamps it from one clock), made
      non-decreasing per stream;
    - a stream has passed T once a message stamped > T has come from it:
      ZeroMQ keeps one publisher's order, so nothing stamped <= T follows;
    - messages the caller keeps (hb_grid_push with keep) wait in a FIFO per
      stream and are handed back (hb_grid_next) in one total order, by data
      time then stream number, each once no other stream can still send
      something that orders before it; every one stamped <= T before the
      sample at T, none stamped > T before it. So whatever the caller
      decides after each message or sample is decided on the same inputs
      in the same order in any run of the same data;
    - the grid is the multiples of step_ns since the epoch. The first
      sample is at the first grid time >= the time given to hb_grid_start,
      or, when none is given, >= lead_ns after the latest first message of
      the streams (so that every quote still fresh at the first sample was
      received: lead_ns is the quote staleness limit).
    The one path that depends on wall time: a stream that has sent nothing
    for late_ns (mono clock) is late, and is not waited for while it stays
    late; when every stream is late, the grid moves on with the wall clock
    from the last data time. A full FIFO (a stream that far ahead of a slow
    one) also stops the wait for the streams that have not passed T.
    Both are counted (hb_grid_stats).

    Fixed memory, allocated in hb_grid_new; nothing allocates afterwards. */
#ifndef HB_GRID_H
#define HB_GRID_H

#include <stdbool.h>
#include <stdint.h>
#include "hb_msg.h"

typedef struct _hb_grid_t hb_grid_t;

//  What a FIFO holds: the envelope and a tick, fill or ack body.
typedef struct {
    hb_env_t env;                   //  ts_pub is the (clamped) data time
    union {
        hb_tick_t tick;
        hb_fill_t fill;
        hb_ack_t  ack;
    } u;
} hb_grid_item_t;

typedef enum {
    HB_GRID_WAIT = 0,               //  nothing to do until more data (or lateness)
    HB_GRID_ITEM,                   //  apply *item, then hb_grid_pop
    HB_GRID_SAMPLE                  //  sample at *t_ns, then hb_grid_sampled
} hb_grid_step_t;

typedef struct {
    uint64_t samples;               //  hb_grid_sampled calls
    uint64_t late_samples;          //  samples taken without waiting for a late stream
    uint64_t forced;                //  steps taken without waiting because a FIFO was full
    uint64_t clamped;               //  messages stamped before their stream's last one
} hb_grid_stats_t;

//  A grid over n_streams (1..64) with capacity items per FIFO (0: the
//  caller keeps nothing, hb_grid_passed only), sampling every step_ns (> 0);
//  lead_ns, late_ns >= 0 as above. mono_ns starts the lateness clock.
//  NULL on bad arguments or out of memory.
hb_grid_t *hb_grid_new (int n_streams, int capacity, int64_t step_ns, int64_t lead_ns,
                        int64_t late_ns, int64_t mono_ns);

//  NULL-safe; nulls *self_p.
void hb_grid_destroy (hb_grid_t **self_p);

//  Fixes the first sample at the first grid time >= t0_ns (a replay told
//  where the recorded run started: hb-risk --grid-from). Call before the
//  first sample; ignored afterwards.
void hb_grid_start (hb_grid_t *self, int64_t t0_ns);

//  A message from stream arrived at mono_ns: it advances the stream to its
//  ts_pub and, when keep, is queued for hb_grid_next (type tick, fill or
//  ack only; anything else is only progress). Returns 0, or -1 when keep
//  and the stream's FIFO is full: progress was recorded, the message was
//  not kept, and the next hb_grid_next no longer waits for streams that
//  have not passed T, so stepping the grid until it returns WAIT makes
//  room for a retry.
int hb_grid_push (hb_grid_t *self, int stream, const hb_msg_t *msg, bool keep, int64_t mono_ns);

//  The next step at mono_ns: HB_GRID_ITEM with *stream and *item (valid
//  until hb_grid_pop) when the next kept message in the order is stamped
//  <= T and released;
//  HB_GRID_SAMPLE with *t_ns = T when every stream has passed T (or is
//  late) and nothing stamped <= T is queued; else HB_GRID_WAIT.
hb_grid_step_t hb_grid_next (hb_grid_t *self, int64_t mono_ns, int *stream,
                             const hb_grid_item_t **item, int64_t *t_ns);

//  Drops the head of stream's FIFO (after HB_GRID_ITEM).
void hb_grid_pop (hb_grid_t *self, int stream);

//  The sample at T is done: the next one is T + step_ns.
void hb_grid_sampled (hb_grid_t *self);

//  True when every stream has passed t_ns or is late at mono_ns (a
//  decision at t_ns may be taken now). Also true when every stream is late.
bool hb_grid_passed (const hb_grid_t *self, int64_t t_ns, int64_t mono_ns);

//  The time of the next sample, 0 while the start is not known.
int64_t hb_grid_next_time (const hb_grid_t *self);

//  The latest data time of stream (0: nothing yet).
int64_t hb_grid_stream_time (const hb_grid_t *self, int stream);

void hb_grid_stats (const hb_grid_t *self, hb_grid_stats_t *stats);

#endif
