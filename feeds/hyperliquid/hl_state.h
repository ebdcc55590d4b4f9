/*  hl_state: the account's positions and margin as Hyperliquid reports
    them, from /info {"type":"clearinghouseState","user":"0x.."}:

      {"marginSummary": {"accountValue","totalNtlPos","totalRawUsd","totalMarginUsed"},
       "crossMarginSummary": {..}, "crossMaintenanceMarginUsed": "..",
       "withdrawable": "..",
       "assetPositions": [{"type": "oneWay", "position": {"coin","szi" (signed),
           "entryPx","positionValue","unrealizedPnl","liquidationPx" (or null),
           "marginUsed","leverage": {"type","value"},"cumFunding": {..}}}, ..],
       "time": ms}

    Parsed into bus units (positions in contracts of the instrument's
    multiplier, USDC as USD) for the plugin to log and to publish as
    account.<venue> (hl_state_account). Pure: no transport, no state
    between calls.                                                       */
#ifndef HL_STATE_H
#define HL_STATE_H

#include <stddef.h>
#include <stdint.h>
#include "hb_msg.h"
#include "hl_md.h"

typedef struct {
    const char *symbol;             //  the config's (points into the venue config)
    double      qty;                //  signed bus quantity (< 0 short)
    double      entry;              //  average entry price
    double      unrealized;         //  USD
    double      liquidation;        //  price, 0 when none
    double      margin_used;        //  USD
    double      funding;            //  cumulative funding since open, USD (paid > 0)
    double      funding_all;        //  the coin's funding over the account's life (cumFunding.allTime)
} hl_position_t;

typedef struct {
    double        account_value;    //  USD
    double        margin_used;
    double        maintenance;      //  cross maintenance margin used
    double        withdrawable;
    int64_t       time_ms;
    int           n_positions;
    hl_position_t positions [HL_MD_COINS];
    int           n_other;          //  positions in coins this venue does not list
} hl_state_t;

//  Parses text (len bytes) into out: 0, or -1 with why in err.
int hl_state_parse (const hl_md_t *md, const char *text, size_t len, hl_state_t *out,
                    char *err, size_t errsize);

//  Overwrites msg with the account.<venue> message of state (venue
//  copied; ts_venue the state's time): positions at size 0 left out (the
//  venue may list a closed one), the first HB_ACCOUNT_POSITIONS listed
//  (HB_ACCOUNT_TRUNCATED past that), funding_usd the sum of the
//  configured coins' all-time funding (closed positions' included).
void hl_state_account (const hl_state_t *state, const char *venue, hb_msg_t *msg);

#endif
