/*  hb_risk_sample: a risk sample (hb_risk_report_t) cut into the messages
    that carry it, and joined again from them.

    A sample of many assets does not fit one payload (HB_MSG_MAX_SIZE), so
    hb-risk publishes it as risk.exposure parts of HB_RISK_PART_ASSETS
    asset records, then risk.corr parts of HB_RISK_PART_CORR correlations
    (docs/PROTOCOL.md, Risk). The decoder already refuses a part whose place
    disagrees with its sample's size (HB_DECODE_PART); what one message
    cannot show, a part missing or a part of another sample, the assembler
    below refuses and counts.

    The exposures and the correlations are joined separately: a reader that
    takes only risk.exposure still gets whole samples, and a sample's
    correlations complete after its exposures (corr_sample tells which
    sample the matrix is of).                                              */
#ifndef HB_RISK_SAMPLE_H
#define HB_RISK_SAMPLE_H

#include "hb_msg.h"

//  Cutting (the publisher)

//  Messages that carry report: its exposure parts, then (two assets or
//  more) its correlation parts.
int hb_risk_sample_parts (const hb_risk_report_t *report);

//  Fills msg's env.type and body with message i (0 .. parts - 1) of
//  report; the rest of the envelope is left as it is. report->sample names
//  every part.
void hb_risk_sample_part (const hb_risk_report_t *report, int i, hb_msg_t *msg);

//  Joining (a reader)

typedef enum {
    HB_RISK_SAMPLE_OK = 0,
    HB_RISK_SAMPLE_GAP,             //  not the part expected next: an earlier one was lost
    HB_RISK_SAMPLE_MISMATCH,        //  a part of the sample being joined disagrees with
                                    //  its first part (size, sample, portfolio fields)
    HB_RISK_SAMPLE_INCOMPLETE,      //  a new sample began before the last one completed
    HB_RISK_SAMPLE_REASON_COUNT
} hb_risk_sample_reason_t;

//  Completion bits of hb_risk_sample_add
#define HB_RISK_SAMPLE_EXPOSURES    0x01    //  the exposures of a sample are complete
#define HB_RISK_SAMPLE_CORR         0x02    //  the correlations of a sample are complete

typedef struct _hb_risk_sample_t hb_risk_sample_t;

//  NULL when memory runs out (a sample of HB_RISK_MAX_ASSETS is ~160 KB).
hb_risk_sample_t *hb_risk_sample_new (void);
void hb_risk_sample_destroy (hb_risk_sample_t **self_p);

//  Takes a decoded risk.exposure or risk.corr (other types: 0). Parts must
//  come in order, from one publisher epoch. Returns the completion bits
//  (0: more parts needed), or -1 when the part is refused: *reason (when
//  not NULL) says why, and it is counted; the sample it belonged to is
//  dropped and joining starts again at the next part 0.
int hb_risk_sample_add (hb_risk_sample_t *self, const hb_msg_t *msg,
                        hb_risk_sample_reason_t *reason);

//  The latest complete sample: NULL before the first. Its exposures are
//  from the latest complete risk.exposure sample, its corr from the latest
//  complete risk.corr one of the same number of assets (corr_sample; 0:
//  none yet). Valid until the next hb_risk_sample_add.
const hb_risk_report_t *hb_risk_sample_report (const hb_risk_sample_t *self);

//  Parts refused for reason since the start.
uint64_t hb_risk_sample_refused (const hb_risk_sample_t *self, hb_risk_sample_reason_t reason);

const char *hb_risk_sample_reason_name (hb_risk_sample_reason_t reason);   //  "gap", ..

#endif
