/*  hb_hedger: turns hedge requests into orders, never twice. No socket:
    messages are handed in by the caller (hb-hedger's reactor, or a test)
    and everything it sends (orders, hedger.reject) goes through a send
    hook, so the whole decision path is testable without the bus.

    A risk.hedge request is the current target, not an increment: risk
    repeats it every sample while the breach lasts, each time with a new
    id. So per asset the hedger sends target_qty minus the hedges in
    flight. An order is in flight, all of it, from its intent until the
    venue's final ack. Past order_timeout_ms without one it is in doubt
    (hb_hedger_check_timeouts): still all in flight, and a cancel is sent,
    until its venue answers (a final ack; an expired reject from the feed)
    or its feed proves it can no longer execute it: a message from the
    feed stamped after the order's send + max_order_age_ms + 1 s, with no
    word about the order (the feed refuses it from then on). Then only its
    fills can tell what it did, as for any order:
    Fills count until included: once final, an order's filled part keeps
    counting until the request being decided is based on a picture of
    the aggregator that includes those fills. The request names that
    picture: its input pos.<asset> (publisher, epoch, seq). The hedger
    learns where its fills are included from the aggregator's messages:
    a position state pos.<asset>.<venue>.<symbol> names the last fill it
    applied (last_fill), and the next pos.<asset> of that epoch (seq s)
    includes it, as does every later one and every later epoch (a
    restarted aggregator replays its journal). A request without that
    input includes nothing. A state also names its last fill's message
    (feed epoch, seq), and our fills are journaled with theirs: a state
    naming a later fill message of the same feed epoch on that topic
    includes ours, also one read back from the journal after a restart
    that no state names any more (someone else's fill came after it).
    A fill whose place is not known is included when a later fill of
    ours on the same instrument is: the aggregator applies a venue's
    fills in order. Under-hedging for a while is safe, hedging a fill
    twice is not.

    Every order intent is appended to the journal (fsync always) before
    it is sent: a request's legs are all admitted first, then their
    intents are appended together (one group append, one sync, whatever
    the number of legs), then the orders are sent. Every final outcome is
    journaled when its ack arrives, every fill of ours, and the picture
    that includes an order's fills. At start the journal is replayed: an
    intent without an outcome is in flight, it is never sent again.
    Day totals: after every journal record (after a request's group of
    intents: once its orders are sent), <journal>.totals (a second owned
    journal) gets the count of records written and the day's traded
    notional; a start that finds the totals behind a whole journal (a
    crash between the sends and that record) writes them again. A damaged journal (or totals) is refused at start
    (hb_journal_open_owned: EBADMSG, the file left for hb-journal), a
    missing one that existed too. A journal that holds fewer records than
    were written lost its tail (cut at a record's end, or salvaged after
    damage): the day total is put back as written, and no order goes out
    ("journal_tail_lost") until an order in the lost records could no
    longer execute (its last write + max_order_age_ms + 1 s). Client order ids are "<request id>.<leg>", legs
    counted over the request's assets in order: the same request can only
    produce the same ids, and a request id seen before is refused.

    A request is refused, with a hedger.reject naming the reason, when it
    is older than max_request_age_ms, when it came with a gap or restart
    on risk's topic, when the kill switch (kill_file) is set, or when it
    repeats an id; a leg is refused when a pre-trade control fails
    (hb_controls.h), a candidate venue is left out with the route's reason
    only when nothing can be placed (hb_route.h).

    The kill switch (hb_killswitch.h) is set by hb-hedger kill (the kill
    file, seen at the next hb_hedger_check_kill) or by a hedger.control
    command on the bus (hb_hedger_on_control, which writes the file). On
    a kill, from either, the hedger cancels every working order (a cancel
    for each order sent without a final ack) and publishes the applied
    command on hedger.control (who, why, how many canceled); then every
    request is refused as "killed", naming who set it, until a reset. Once
    a cancel is sent, a rejected ack for that order is ambiguous (the
    order's or the cancel's) and is ignored: the order ends with its own
    final ack or at order_timeout_ms.                                      */
/*  Arrival (docs/OPERATIONS.md, Replay and determinism): a request is
    decided when it is applied, on what the hedger has then: the newest
    book of each instrument (refused by the route when stale against now_ns
    or crossed), the acks and fills applied before it, the controls' clock
    at now_ns. Nothing waits for a venue. Every entry point takes now_ns,
    the caller's clock when it applied the input, and reads no clock of its
    own; the only disk it reads is the journal and the kill file at start
    (handed to a restore observer, hb_hedger_new_observed) and the kill file
    on a check (hb_hedger_check_kill), which a caller that logs its inputs
    replaces by the looks it makes itself (hb_hedger_kill_look). So the
    same inputs applied in the same order at the same now_ns give the same
    orders, bit for bit: hb-hedger records that order (hb_applog.h) and
    hb-hedger --replay applies it again.                                  */
#ifndef HB_HEDGER_H
#define HB_HEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "hb_config.h"
#include "hb_msg.h"
#include "hb_killswitch.h"
#include "hb_seq.h"

typedef struct _hb_hedger_t hb_hedger_t;

//  Where the hedger's messages go: order.<venue>.<symbol> or
//  hedger.reject. Returns 0 when handed to the bus, -1 otherwise.
typedef int (hb_hedger_send_fn) (const char *topic, hb_msg_t *msg, void *arg);

typedef struct {
    uint64_t requests;          //  risk.hedge seen
    uint64_t refused;           //  requests refused as a whole
    uint64_t orders;            //  orders sent
    uint64_t leg_rejects;       //  legs refused by a control or unroutable
    uint64_t finals;            //  final acks of our orders
    uint64_t fills;
    uint64_t timeouts;          //  orders that went in doubt (no final ack by order_timeout_ms)
    uint64_t in_doubt;          //  orders in doubt now (in_flight counts them too)
    uint64_t resolved;          //  orders in doubt whose outcome became known
    uint64_t unconfirmed;       //  filled orders no picture of the aggregator includes, 10 s on
    uint64_t holding;           //  1 while no order goes out: the journal lost its tail
    uint64_t replayed;          //  intents read back from the journal at start
    uint64_t in_flight;         //  orders without a final ack now
    uint64_t cancels;           //  cancels sent (kill switch)
    uint64_t controls;          //  hedger.control commands applied
    uint64_t optplans;          //  risk.optplan with legs seen
    uint64_t syncs;             //  fdatasync calls of the journal and its totals since start:
                                //  a request costs one before its orders, whatever its legs
} hb_hedger_stats_t;

//  Opens (creates) cfg->hedger.journal and replays it, then is ready.
//  cfg must outlive the object. now_ns is the wall clock (it dates the
//  replayed day notional). NULL (logged) when the journal cannot be opened
//  or on allocation failure.
hb_hedger_t *hb_hedger_new (const hb_config_t *cfg, hb_hedger_send_fn *send, void *arg,
                            int64_t now_ns);

//  What hb_hedger_new read back from disk, handed to a restore observer
//  in the order read, before anything is sent: every journal record (cut
//  to HB_HEDGER_RESTORE_MAX bytes), the last day totals record (when there
//  is one) and, last, the kill file as found (hb_killswitch_look_encode).
//  A replay writes them back into a journal, totals and kill file of its
//  own and opens those: the same start.
#define HB_HEDGER_RESTORE_JOURNAL   1
#define HB_HEDGER_RESTORE_TOTALS    2
#define HB_HEDGER_RESTORE_KILL      3
#define HB_HEDGER_RESTORE_MAX       1024
typedef void (hb_hedger_restore_fn) (int kind, const void *data, size_t size, void *arg);

//  hb_hedger_new with a restore observer (NULL: none).
hb_hedger_t *hb_hedger_new_observed (const hb_config_t *cfg, hb_hedger_send_fn *send, void *arg,
                                     int64_t now_ns, hb_hedger_restore_fn *restore,
                                     void *restore_arg);

//  NULL-safe; nulls *self_p; closes the journal.
void hb_hedger_destroy (hb_hedger_t **self_p);

//  A risk.hedge request received with seq status (hb_seq). Sends what is
//  needed. Returns the number of orders sent (0 when nothing to do or
//  refused), -1 when msg is not a request.
int hb_hedger_on_request (hb_hedger_t *self, const hb_msg_t *msg, hb_seq_status_t status,
                          int64_t now_ns);

//  A capital.reduce from hb-treasury (no transfer reaches the venue in
//  time) received with seq status: qty of the asset moves off the venue,
//  exposure unchanged. What the venue's own books can take back is
//  measured first (nothing queued), that much is routed the opposite way
//  on the other venues (derivatives; a venue awaiting a top-up last),
//  then as much as they placed is traded on the venue itself, both legs
//  IOC, journaled together, client ids "<id>.<leg>", refused like a
//  request (kill switch, stale, duplicate id) and said on hedger.reject
//  when nothing can take it. Returns the orders sent, -1 when msg is not
//  a capital.reduce.
int hb_hedger_on_reduce (hb_hedger_t *self, const hb_msg_t *msg, hb_seq_status_t status,
                         int64_t now_ns);

//  A risk.optplan received with seq status: its option legs admitted
//  whole by the option controls (hb_optexec.h; a refusal is one
//  hedger.reject naming the leg), journaled as one group of intents, then
//  sent as limit IOC orders at the plan's limits, client ids
//  "<plan id>.<leg>": never twice, across restarts too (the intents).
//  Option legs are no delta in flight (hb_hedger_in_flight): risk hedges
//  the delta their fills bring. Returns the orders sent, -1 when msg is
//  not a plan.
int hb_hedger_on_optplan (hb_hedger_t *self, const hb_msg_t *msg, hb_seq_status_t status,
                          int64_t now_ns);

//  Market and state input: tick.*, margin.*, pos.<asset> (exposure) and
//  pos.<asset>.<venue>.<symbol> (which fill a state includes), hb.feed.*
//  (a feed alive at its stamp); ack.* and fill.* of our own orders
//  (others are ignored). The caller vouches for the sender (hb_roles:
//  positions from the aggregator, a venue's messages from its feed).
//  Returns 0 when used, -1 when not ours or not known.
int hb_hedger_on_msg (hb_hedger_t *self, const hb_msg_t *msg, int64_t now_ns);

//  Puts orders past order_timeout_ms without a final ack (also those
//  replayed from a previous run) in doubt: each keeps counting as in
//  flight, all of it, a cancel is sent, and an order_in_doubt
//  hedger.reject says so; never sent again. Call from a timer (now_ns:
//  the wall clock), and once at start.
void hb_hedger_check_timeouts (hb_hedger_t *self, int64_t now_ns);

//  Asset units in flight for asset (signed: < 0 sells), as a request made
//  now on the newest pos.<asset> seen would see them (now_ns: unused).
double hb_hedger_in_flight (hb_hedger_t *self, int asset, int64_t now_ns);

//  The day's traded notional (plus what is in flight), USD, in the UTC
//  day of now_ns: what max_day_usd is checked against.
double hb_hedger_day_usd (hb_hedger_t *self, int64_t now_ns);

//  True while the kill switch is set, as of the last hb_hedger_check_kill
//  (hb_hedger_new and hb_hedger_on_request make one) or hedger.control.
bool hb_hedger_killed (hb_hedger_t *self);

//  True once a journal write or sync failed: no order goes out any more
//  (every request is refused journal_failed) until a restart replays what
//  is durable. The heartbeat says so (status bit 2), not "ok".
bool hb_hedger_broken (hb_hedger_t *self);

//  Looks at the kill file: when it appeared since the last look, the kill
//  is applied (working orders canceled, the echo published), when it
//  vanished the switch is reset (echoed too). Call from a timer.
void hb_hedger_check_kill (hb_hedger_t *self, int64_t now_ns);

//  From now on the kill file is what look says (the caller looked at it,
//  and logged what it saw): hb_hedger_check_kill and the checks made on a
//  request or command apply the last look given, never the disk.
void hb_hedger_kill_look (hb_hedger_t *self, const hb_killswitch_look_t *look);

//  A hedger.control command received at now_ns: applies a kill (always:
//  persisted in the kill file, working orders canceled, echoed on
//  hedger.control) or a reset (echoed; refused with a stale_control
//  hedger.reject when its ts_pub is older than max_request_age_ms, with
//  reset_failed when the kill file cannot be removed). Returns 0 when
//  applied, -1 when msg is not a command or it was refused.
int hb_hedger_on_control (hb_hedger_t *self, const hb_msg_t *msg, int64_t now_ns);

//  Creates (kill, by "hb-hedger") or removes (reset) the kill file,
//  durably. 0 or -1 (errno). For hb-hedger kill / reset.
int hb_hedger_kill_file_set (const hb_config_t *cfg, bool killed);

void hb_hedger_stats (hb_hedger_t *self, hb_hedger_stats_t *stats);

#ifdef HB_TEST_HOOKS
//  Injected crashes, for the restart tests only, compiled in the test
//  build only (HB_TEST_HOOKS; hb_hedger_live arms them from
//  HB_HEDGER_CRASH / HB_HEDGER_CRASH_NTH): the process kills itself with
//  SIGKILL at the nth point of the kind, counted from this call.
typedef enum {
    HB_HEDGER_CRASH_NONE = 0,
    HB_HEDGER_CRASH_AFTER_JOURNAL,  //  a request's intents are durable, none of its orders sent
    HB_HEDGER_CRASH_AFTER_SEND,     //  the order is handed to the bus
    HB_HEDGER_CRASH_AFTER_ACK       //  a final ack is in, its outcome not durable
} hb_hedger_crash_t;

//  Arms the crash point named point ("after_journal", "after_send",
//  "after_ack") at its nth occurrence. 0, or -1 for an unknown name or
//  nth < 1 (nothing armed).
int hb_hedger_set_crash (hb_hedger_t *self, const char *point, int nth);

//  The name of a crash point; "none" for anything else.
const char *hb_hedger_crash_name (hb_hedger_crash_t point);
#endif

#endif
