/*  hb_hedger_apply: how each kind of thing the hedger's process applies
    reaches the engine (hb_hedger.h), shared by the live shell, which
    records each one in the application log before applying it
    (hb_hedger_live.c), and by the replay, which applies what the log says
    (hb_hedger_replay.h): one path, so a replay cannot apply an input in a
    way the live process did not (docs/OPERATIONS.md, Replay and
    determinism).

    The log of hb-hedger (common/hb_applog.h), per life:
      BLOB HB_HEDGER_RESTORE_JOURNAL   every journal record read at start
      BLOB HB_HEDGER_RESTORE_TOTALS    the last day totals record, if any
      BLOB HB_HEDGER_RESTORE_KILL      the kill file as the start found it
                                       (the engine is built at its t)
      TIMER HB_HEDGER_TIMER_START      the timeout check right after start
      then, in the order applied:
      IN                               risk.hedge, hedger.control and every
                                       market, state, ack, fill, heartbeat
      TIMER HB_HEDGER_TIMER_TIMEOUTS   the timeout and kill file check
      BLOB HB_HEDGER_BLOB_KILL         the kill file looked different (a
                                       look is made before each request,
                                       command and timeout check)
    Each entry's t is the clock the engine ran at for it.                 */
#ifndef HB_HEDGER_APPLY_H
#define HB_HEDGER_APPLY_H

#include <stddef.h>
#include <stdint.h>
#include "hb_hedger.h"
#include "hb_msg.h"
#include "hb_seq.h"

#define HB_HEDGER_TIMER_START       1
#define HB_HEDGER_TIMER_TIMEOUTS    2
#define HB_HEDGER_BLOB_KILL         4   //  after the HB_HEDGER_RESTORE_* kinds

//  A bus message received on topic with seq status, applied at t: a
//  request, a command, or market / state / venue input (a STALE one of
//  the latter is not applied: the caller does not log it either, see
//  hb_hedger_apply_wanted).
void hb_hedger_apply_input (hb_hedger_t *hedger, const hb_msg_t *msg, hb_seq_status_t status,
                            int64_t t);

//  True when hb_hedger_apply_input would hand msg to the engine.
bool hb_hedger_apply_wanted (const hb_msg_t *msg, hb_seq_status_t status);

//  A timer of the process ran at t. -1 for a timer it does not have.
int hb_hedger_apply_timer (hb_hedger_t *hedger, uint8_t timer, int64_t t);

//  A blob read during the run (HB_HEDGER_BLOB_KILL: an encoded kill file
//  look). 0, or -1 when it is not one (kind or bytes).
int hb_hedger_apply_blob (hb_hedger_t *hedger, uint8_t kind, const void *data, size_t size);

#endif
