/*  hb_msg_sample: canned messages of every type, each valid, each field
    set and no two fields alike, plus edge cases (longest strings, extreme
    numbers). For tests (round trips, layout checks), fuzz seeds and any
    other helper's test that needs a message; not for production paths.   */
#ifndef HB_MSG_SAMPLE_H
#define HB_MSG_SAMPLE_H

#include "hb_msg.h"

typedef enum {
    HB_MSG_SAMPLE_TICK,             //  full book, HB_BOOK_DEPTH levels a side
    HB_MSG_SAMPLE_TICK_TOP,         //  one level a side
    HB_MSG_SAMPLE_TICK_EMPTY,       //  both sides empty
    HB_MSG_SAMPLE_TRADE,
    HB_MSG_SAMPLE_ORDER,            //  limit GTC
    HB_MSG_SAMPLE_ORDER_MARKET,     //  market IOC
    HB_MSG_SAMPLE_CANCEL,
    HB_MSG_SAMPLE_ACK,              //  accepted, partly filled
    HB_MSG_SAMPLE_ACK_REJECTED,     //  no venue order id, with reason and text
    HB_MSG_SAMPLE_FILL,
    HB_MSG_SAMPLE_HEARTBEAT,
    HB_MSG_SAMPLE_EDGE_TICK,        //  UINT64_MAX seq, DBL_MAX, denormals, -0.0, longest names
    HB_MSG_SAMPLE_EDGE_FILL,        //  longest names and ids, -DBL_MAX fee
    HB_MSG_SAMPLE_EDGE_ACK,         //  canceled; 95 bytes of text, none of it UTF-8
    HB_MSG_SAMPLE_EDGE_HEARTBEAT,   //  every counter near UINT64_MAX
    HB_MSG_SAMPLE_HEDGER_CONTROL,   //  a kill switch command (hedger.control)
    HB_MSG_SAMPLE_APPLOG,           //  a batch of risk's application log (seq.risk)
    HB_MSG_SAMPLE_CAPITAL_PLAN,     //  hb-treasury's plan for a short venue, two transfers in
    HB_MSG_SAMPLE_ACCOUNT,          //  a venue's account report, two positions, one not configured
    HB_MSG_SAMPLE_INSTRUMENT,       //  a discovered option (instrument.<venue>)
    HB_MSG_SAMPLE_COUNT
} hb_msg_sample_t;

//  The longest valid name and id (HB_NAME_MAX - 1, HB_ID_MAX - 1 bytes),
//  as used by the edge samples.
#define HB_MSG_SAMPLE_NAME31 "abcdefghijklmnopqrstuvwxyz.:-_0"
#define HB_MSG_SAMPLE_ID47   "!#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOP"

//  Fills *msg (zeroed first, so memcmp with a decoded copy works) with the
//  sample. which must be below HB_MSG_SAMPLE_COUNT.
void hb_msg_sample (hb_msg_t *msg, hb_msg_sample_t which);

//  "tick", "tick_top", ... "edge_heartbeat"; "unknown" out of range.
const char *hb_msg_sample_name (hb_msg_sample_t which);

#endif
