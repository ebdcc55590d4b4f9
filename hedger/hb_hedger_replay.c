/*  hb_hedger_replay: the hedger's application log applied again to fresh
    engines (hb_hedger_replay.h).                                         */
#include "hb_hedger_replay.h"

#include <assert.h>
#include <czmq.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hb_applog_reader.h"
#include "hb_hedger.h"
#include "hb_hedger_apply.h"
#include "hb_journal.h"
#include "hb_killswitch.h"
#include "hb_log.h"
#include "hb_recording.h"

typedef struct {
    const hb_config_t *live_cfg;
    const char   *out_dir;
    hb_config_t  *cfg;              //  the life's: journal and kill file in its work dir
    hb_recording_t *out;
    hb_hedger_t  *hedger;
    uint64_t      epoch;            //  the life being replayed
    int64_t       t;                //  the clock of the entry being applied
    hb_journal_t *journal, *totals; //  being written back, before the engine is built
    zhashx_t     *seqs;             //  topic -> last seq sent in this life
    hb_buf_t      buf;
    int           send_errors;
    hb_hedger_replay_stats_t stats;
} s_replay_t;

//  What an engine sends: into the output recording, stamped as the live
//  hb_pub would have (publisher, epoch, seq per topic, ts_pub = the clock)
static int
s_out (const char *topic, hb_msg_t *msg, void *arg)
{
    s_replay_t *self = (s_replay_t *) arg;
    uint64_t seq = (uint64_t) (uintptr_t) zhashx_lookup (self->seqs, topic) + 1;
    zhashx_update (self->seqs, topic, (void *) (uintptr_t) seq);
    msg->env.version = HB_SCHEMA_VERSION;
    snprintf (msg->env.publisher, sizeof msg->env.publisher, "hedger");
    msg->env.epoch = self->epoch;
    msg->env.seq = seq;
    msg->env.ts_pub = self->t;
    if (hb_msg_encode (msg, &self->buf) != 0
    ||  hb_recording_append (self->out, self->t, topic, self->buf.data, self->buf.size,
                             &msg->env) != 0) {
        hb_error ("hedger replay: cannot write a %s on %s to %s: %s",
                  hb_msg_type_name (msg->env.type), topic, self->out_dir, strerror (errno));
        self->send_errors++;
        return -1;
    }
    self->stats.sent++;
    return 0;
}

static int
s_mkdirs (const char *path)
{
    char copy [HB_PATH_MAX];
    snprintf (copy, sizeof copy, "%s", path);
    for (char *p = copy + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir (copy, 0755) != 0 && errno != EEXIST)
                return -1;
            *p = '/';
        }
    return mkdir (copy, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static void
s_life_end (s_replay_t *self)
{
    hb_hedger_destroy (&self->hedger);
    hb_journal_destroy (&self->journal);
    hb_journal_destroy (&self->totals);
    if (self->seqs)
        zhashx_purge (self->seqs);
}

//  A new life: its work directory, empty, and its journal and totals
//  opened for the records the log gives back
static int
s_life_begin (s_replay_t *self, uint64_t epoch)
{
    s_life_end (self);
    self->epoch = epoch;
    //  a shallow copy: the instruments, positions and carry rows stay the
    //  live config's (freed with it, never through this copy)
    *self->cfg = *self->live_cfg;
    //  room for the file names after it
    char dir [HB_PATH_MAX - 32];
    int n = snprintf (dir, sizeof dir, "%s/replay.work/life-%" PRIu64, self->out_dir, epoch);
    if (n < 0 || (size_t) n >= sizeof dir || s_mkdirs (dir) != 0) {
        hb_error ("hedger replay: cannot make the work directory %s: %s", dir, strerror (errno));
        return -1;
    }
    snprintf (self->cfg->hedger.journal, sizeof self->cfg->hedger.journal, "%s/hedger.journal", dir);
    snprintf (self->cfg->hedger.kill_file, sizeof self->cfg->hedger.kill_file, "%s/kill", dir);
    char totals [sizeof self->cfg->hedger.journal + 8];
    snprintf (totals, sizeof totals, "%s.totals", self->cfg->hedger.journal);
    //  a replay run twice over the same out_dir is refused before this
    const char *files [] = { self->cfg->hedger.journal, totals, self->cfg->hedger.kill_file };
    for (int f = 0; f < 3; f++) {
        char marker [HB_PATH_MAX + 16];
        snprintf (marker, sizeof marker, "%s.created", files [f]);
        unlink (files [f]);
        unlink (marker);
    }
    self->journal = hb_journal_open_owned (self->cfg->hedger.journal, HB_JOURNAL_FSYNC_NEVER, 0);
    self->totals = hb_journal_open_owned (totals, HB_JOURNAL_FSYNC_NEVER, 0);
    if (!self->journal || !self->totals) {
        hb_error ("hedger replay: cannot create the journal of life %" PRIu64 " in %s", epoch, dir);
        return -1;
    }
    self->stats.lives++;
    return 0;
}

//  The start of the life as logged: the records given back, then the
//  engine built on them at the clock of the kill file look (the last)
static int
s_restore (s_replay_t *self, const hb_applog_item_t *item)
{
    if (item->sub == HB_HEDGER_RESTORE_JOURNAL || item->sub == HB_HEDGER_RESTORE_TOTALS) {
        hb_journal_t *to = item->sub == HB_HEDGER_RESTORE_JOURNAL? self->journal: self->totals;
        if (hb_journal_append (to, item->data, item->size) != 0) {
            hb_error ("hedger replay: life %" PRIu64 ": cannot write back a journal record: %s",
                      self->epoch, strerror (errno));
            return -1;
        }
        return 0;
    }
    hb_killswitch_look_t look;
    if (item->sub != HB_HEDGER_RESTORE_KILL
    ||  hb_killswitch_look_decode (item->data, item->size, &look) != 0) {
        hb_error ("hedger replay: life %" PRIu64 ": a blob of kind %u where the start's were "
                  "due", self->epoch, item->sub);
        return -1;
    }
    hb_journal_destroy (&self->journal);
    hb_journal_destroy (&self->totals);
    if (look.present && hb_killswitch_file_set (self->cfg->hedger.kill_file, &look.state) != 0) {
        hb_error ("hedger replay: cannot write %s: %s", self->cfg->hedger.kill_file, strerror (errno));
        return -1;
    }
    self->t = item->t;
    self->hedger = hb_hedger_new (self->cfg, s_out, self, item->t);
    if (!self->hedger) {
        hb_error ("hedger replay: life %" PRIu64 ": the engine does not start on the logged "
                  "journal", self->epoch);
        return -1;
    }
    hb_hedger_kill_look (self->hedger, &look);
    return 0;
}

static int
s_apply (s_replay_t *self, const hb_applog_item_t *item)
{
    if (item->kind == HB_APPLOG_LIFE)
        return s_life_begin (self, item->epoch);
    if (!self->hedger) {
        if (item->kind == HB_APPLOG_BLOB)
            return s_restore (self, item);
        hb_error ("hedger replay: life %" PRIu64 ": an entry before the start's were all given",
                  self->epoch);
        return -1;
    }
    self->t = item->t;
    switch (item->kind) {
        case HB_APPLOG_IN:
            hb_hedger_apply_input (self->hedger, item->msg, (hb_seq_status_t) item->status, item->t);
            return 0;
        case HB_APPLOG_TIMER:
            if (hb_hedger_apply_timer (self->hedger, item->sub, item->t) == 0)
                return 0;
            hb_error ("hedger replay: life %" PRIu64 ": timer %u is not one of the hedger's",
                      self->epoch, item->sub);
            return -1;
        default:
            if (hb_hedger_apply_blob (self->hedger, item->sub, item->data, item->size) == 0)
                return 0;
            hb_error ("hedger replay: life %" PRIu64 ": a blob of kind %u (%zu bytes) the "
                      "hedger does not log", self->epoch, item->sub, item->size);
            return -1;
    }
}

//  True when dir holds a recording's segment already
static bool
s_has_segments (const char *dir)
{
    DIR *d = opendir (dir);
    if (!d)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir (d)) != NULL)
        found = strncmp (e->d_name, "seg-", 4) == 0;
    closedir (d);
    return found;
}

int
hb_hedger_replay_run (const hb_config_t *cfg, const char *rec_dir, const char *out_dir,
                      hb_hedger_replay_stats_t *stats)
{
    assert (cfg && rec_dir && out_dir);
    if (s_has_segments (out_dir)) {
        hb_error ("hedger replay: %s holds a recording already: give an empty or new directory",
                  out_dir);
        return -1;
    }
    s_replay_t self = { .live_cfg = cfg, .out_dir = out_dir };
    hb_applog_reader_t *reader = hb_applog_reader_new (rec_dir, "hedger");
    //  the replay's own output: written at the end (one sync), not per message
    hb_recording_opts_t opts = { .policy = HB_JOURNAL_FSYNC_NEVER };
    self.out = reader? hb_recording_new (out_dir, &opts): NULL;
    self.cfg = (hb_config_t *) malloc (sizeof *self.cfg);
    self.seqs = zhashx_new ();
    int rc = reader && self.out && self.cfg && self.seqs? 0: -1;
    hb_applog_item_t item;
    int got = 0;
    while (rc == 0 && (got = hb_applog_reader_next (reader, &item)) == 1) {
        rc = s_apply (&self, &item);
        if (rc == 0 && item.kind != HB_APPLOG_LIFE)
            self.stats.entries++;
        if (self.hedger && hb_hedger_broken (self.hedger)) {
            hb_error ("hedger replay: life %" PRIu64 ": the work journal failed", self.epoch);
            rc = -1;
        }
    }
    if (got < 0)
        rc = -1;
    s_life_end (&self);
    if (self.out && hb_recording_sync (self.out) != 0)
        rc = -1;
    if (self.send_errors)
        rc = -1;
    hb_recording_destroy (&self.out);
    zhashx_destroy (&self.seqs);
    free (self.cfg);        //  not hb_config_destroy: its arrays are live_cfg's
    hb_applog_reader_destroy (&reader);
    hb_info ("hedger replay: %" PRIu64 " lives, %" PRIu64 " entries applied, %" PRIu64
             " messages written to %s%s", self.stats.lives, self.stats.entries, self.stats.sent,
             out_dir, rc == 0? "": " (stopped: the log cannot be followed)");
    if (stats)
        *stats = self.stats;
    return rc;
}
