/*  hb_hedger_replay: hb-hedger --replay. Reads the hedger's application
    log from a recording (record/hb_applog_reader.h: publisher "hedger")
    and, for each life of the process, builds a fresh engine on what that
    life read at start (its journal records, day totals and kill file, as
    logged, written into a work directory of its own: the live journal and
    kill file are never touched), then applies the life's entries in their
    order at their clock (hb_hedger_apply.h). Everything the engines send
    (orders, cancels, hedger.reject, hedger.control echoes) is written to a
    recording, stamped publisher "hedger", the life's epoch, and ts_pub =
    the t of the entry being applied, so `hb-tap --in OUT` shows it and a
    compare with the live recording finds the same bodies, bit for bit
    (docs/OPERATIONS.md, Replay and determinism).                          */
#ifndef HB_HEDGER_REPLAY_H
#define HB_HEDGER_REPLAY_H

#include <stdint.h>
#include "hb_config.h"

typedef struct {
    uint64_t lives;                 //  lives replayed (engines built)
    uint64_t entries;               //  log items applied
    uint64_t sent;                  //  messages the engines sent (written to out)
} hb_hedger_replay_stats_t;

//  Replays the log in the recording rec_dir on cfg (its venues, assets,
//  controls; its journal and kill file paths are replaced), writing to a
//  new recording in out_dir (refused when out_dir holds one already), the
//  work directories beside it (out_dir/replay.work/life-<epoch>). 0 when
//  the whole log was applied, -1 (logged: why, which life, which entry)
//  when it cannot be read or followed. stats may be NULL.
int hb_hedger_replay_run (const hb_config_t *cfg, const char *rec_dir, const char *out_dir,
                          hb_hedger_replay_stats_t *stats);

#endif
