/*  hb-hedger: the hedger process, on the service skeleton (hb_service.h).
      hb-hedger --config FILE [--log-level L]   live, on the bus
      hb-hedger --config FILE kill | reset      latch / clear the kill switch
                [--bus [--from COMPONENT] [--timeout-ms N]] [--by NAME] [--reason TEXT]
      hb-hedger --config FILE --replay REC_DIR --out OUT_DIR
    Live, the bus shell is hb_hedger_live.h and the decisions hb_hedger.h.
    --replay applies the application log recorded in REC_DIR to fresh
    engines and writes what they send to a recording in OUT_DIR
    (hb_hedger_replay.h): exit 0 when the whole log was applied, 1 when it
    cannot be followed.
    kill / reset alone write / remove the kill file (the running hedger
    sees it within a timer period); with --bus they are sent as a
    hedger.control command from COMPONENT (default console) and wait for
    the hedger's echo (hb_remote.h). Exits 0 on SIGTERM/SIGINT, 1 when it
    cannot start (or a command failed), 2 on a bad command line or config. */
#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hb_config.h"
#include "hb_curve.h"
#include "hb_hedger.h"
#include "hb_hedger_live.h"
#include "hb_hedger_replay.h"
#include "hb_killswitch.h"
#include "hb_log.h"
#include "hb_remote.h"
#include "hb_service.h"
#include "hb_time.h"

typedef struct {
    const char *command;            //  kill, reset, NULL: live
    const char *from, *by, *reason;
    const char *replay, *out;       //  --replay REC_DIR --out OUT_DIR
    bool        bus, remote_opts;
    int         timeout_ms;
    hb_hedger_live_t *live;
} s_state_t;

//  kill / reset: the kill file, or (bus) a hedger.control command to the
//  running hedger. 0 done, 1 failed.
static int
s_command (const hb_config_t *cfg, const char *command, bool bus, const char *from,
           const char *by, const char *reason, int timeout_ms)
{
    hb_hedger_control_t control = {
        .command = strcmp (command, "kill") == 0? HB_CONTROL_KILL: HB_CONTROL_RESET
    };
    snprintf (control.by, sizeof control.by, "%s", by);
    snprintf (control.text, sizeof control.text, "%s", reason);
    if (bus) {
        zsys_init ();
        return hb_remote_control (cfg, from, &control, timeout_ms, stdout) == 0? 0: 1;
    }
    snprintf (control.id, sizeof control.id, "%.24s.%lld", control.by, (long long) hb_wall_ns ());
    if (hb_killswitch_file_set (cfg->hedger.kill_file, &control) != 0) {
        fprintf (stderr, "hb-hedger: %s: %s\n", cfg->hedger.kill_file, strerror (errno));
        return 1;
    }
    printf ("hb-hedger: kill switch %s (%s)\n", control.command == HB_CONTROL_KILL? "SET": "reset",
            cfg->hedger.kill_file);
    return 0;
}

//  who runs the command: --by, else $USER when it is a name, else "operator"
static const char *
s_by (const char *given)
{
    const char *user = getenv ("USER");
    return given? given: user && hb_name_valid (user)? user: "operator";
}

static int
s_option (void *arg, const char *name, const char *value)
{
    s_state_t *state = (s_state_t *) arg;
    if (strcmp (name, "bus") == 0)
        state->bus = true;
    else
    if (strcmp (name, "replay") == 0)
        state->replay = value;
    else
    if (strcmp (name, "out") == 0)
        state->out = value;
    else
    if (strcmp (name, "from") == 0) {
        state->from = value;
        state->remote_opts = true;
    }
    else
    if (strcmp (name, "by") == 0)
        state->by = value;
    else
    if (strcmp (name, "reason") == 0)
        state->reason = value;
    else {                          //  timeout-ms
        state->timeout_ms = atoi (value);
        state->remote_opts = true;
    }
    return 0;
}

static int
s_args (void *arg, int argc, char **argv)
{
    s_state_t *state = (s_state_t *) arg;
    const char *command = argc > 0? argv [0]: NULL;
    if (argc > 1
    ||  (command && strcmp (command, "kill") != 0 && strcmp (command, "reset") != 0)
    ||  (!command && (state->bus || state->by || state->reason [0]))
    ||  (state->remote_opts && !state->bus)
    ||  (!state->replay != !state->out) || (state->replay && command))
        return -1;
    if (command && (!hb_name_valid (s_by (state->by)) || strlen (state->reason) >= HB_TEXT_MAX
                    || state->timeout_ms <= 0)) {
        fprintf (stderr, "hb-hedger: --by must be a name ([A-Za-z0-9._:-], under %d bytes), "
                 "--reason under %d bytes, --timeout-ms > 0\n", HB_NAME_MAX, HB_TEXT_MAX);
        return -1;
    }
    state->command = command;
    return 0;
}

//  kill / reset run here, without the reactor; live goes on (-1)
static int
s_setup (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    if (state->replay)
        return hb_hedger_replay_run (hb_service_config (service), state->replay, state->out,
                                     NULL) == 0? 0: 1;
    if (!state->command)
        return -1;
    const hb_config_t *cfg = hb_service_config (service);
    //  CURVE (hb_curve.h): a --bus command speaks as COMPONENT, whose
    //  endpoint it binds
    if (state->bus && hb_curve_start (cfg, state->from) != 0)
        return 2;
    return s_command (cfg, state->command, state->bus, state->from, s_by (state->by),
                      state->reason, state->timeout_ms);
}

static int
s_cpu (hb_service_t *service, void *arg)
{
    (void) arg;
    return hb_service_config (service)->hedger.cpu;
}

static int
s_start (hb_service_t *service, void *arg)
{
    s_state_t *state = (s_state_t *) arg;
    state->live = hb_hedger_live_new (hb_service_config (service), hb_service_loop (service));
    return state->live? 0: 1;
}

static int
s_stop (hb_service_t *service, void *arg, bool signalled)
{
    (void) service;
    s_state_t *state = (s_state_t *) arg;
    //  stopped by its own reactor, not a signal: its journal failed
    int rc = !signalled && hb_hedger_live_failed (state->live) ? 1 : 0;
    if (state->live)
        hb_info ("hedger: stopping");
    hb_hedger_live_destroy (&state->live);
    return rc;
}

int
main (int argc, char **argv)
{
    static const hb_service_option_t options [] = {
        { "bus", NULL }, { "from", "COMPONENT" }, { "by", "NAME" }, { "reason", "TEXT" },
        { "timeout-ms", "N" }, { "replay", "REC_DIR" }, { "out", "OUT_DIR" }, { NULL }
    };
    static s_state_t state = { .from = "console", .reason = "", .timeout_ms = 5000 };
    static const hb_service_def_t def = {
        .program   = "hb-hedger",
        .component = "hedger",
        .usage     = "--config FILE [--log-level L] [kill | reset | --replay REC_DIR --out OUT_DIR]\n"
                     "                 [--bus [--from COMPONENT] [--timeout-ms N]] [--by NAME]"
                     " [--reason TEXT]",
        .help      = "  (no command)  run the hedger on the bus\n"
                     "  kill          latch the kill switch (no orders until reset): the kill file\n"
                     "  reset         clear the kill switch\n"
                     "  --bus         send it to the running hedger as a hedger.control command\n"
                     "                from COMPONENT (default console: an endpoint and orders: true)\n"
                     "                and wait for its echo (default 5000 ms)\n"
                     "  --by NAME     who (default $USER, else operator); --reason TEXT: why\n"
                     "  --replay REC_DIR --out OUT_DIR\n"
                     "                apply the hedger's application log recorded in REC_DIR\n"
                     "                (hb-record) to fresh engines; what they send goes to a\n"
                     "                recording in OUT_DIR (hb-tap --in OUT_DIR)\n",
        .options   = options,
        .option    = s_option,
        .args      = s_args,
        .setup     = s_setup,
        .cpu       = s_cpu,
        .start     = s_start,
        .stop      = s_stop,
        .state     = &state,
    };
    return hb_service_main (&def, argc, argv);
}
