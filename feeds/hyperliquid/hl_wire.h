/*  hl_wire: Hyperliquid's number rules, checked before anything is signed.

    Prices and sizes travel as decimal strings inside the signed action,
    and the venue hashes what it parses: the text must be the one the
    official SDK would write for the same number, or the signature does
    not verify. The SDK (hyperliquid/utils/signing.py, float_to_wire)
    writes a float with 8 decimals, refuses it when that text does not
    read back as the same number (|text - x| >= 1e-12), and cuts trailing
    zeros and a trailing point: 100.0 -> "100", 0.10 -> "0.1".

    Tick and lot size (docs: for-developers/api/tick-and-lot-size):
      - a price has at most 5 significant figures and at most
        MAX_DECIMALS - szDecimals decimals, MAX_DECIMALS 6 for perps and 8
        for spot; an integer price is always allowed (123456 is valid,
        12345.6 is not);
      - a size has at most szDecimals decimals (szDecimals 3: 1.001 valid,
        1.0001 not).
    A value that breaks a rule is refused with the reason, never rounded
    silently: the caller decides which way to round (hl_wire_round_*).
    Both must be finite and > 0.                                           */
#ifndef HL_WIRE_H
#define HL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HL_WIRE_MAX             40      //  a wire number with its NUL
#define HL_WIRE_PERP_DECIMALS   6       //  MAX_DECIMALS of a perp price
#define HL_WIRE_SPOT_DECIMALS   8       //  ... of a spot price
#define HL_WIRE_SIG_FIGS        5       //  significant figures of a price

//  x as the SDK's float_to_wire text into out: 0, or -1 with the reason
//  in err (errsize bytes, may be NULL) when x is not finite, too large
//  (|x| >= 1e15) or does not survive 8 decimals.
int hl_wire_number (double x, char out [HL_WIRE_MAX], char *err, size_t errsize);

//  A limit price of an asset with sz_decimals, perp or spot: its wire text
//  into out, or -1 and why (not > 0, sz_decimals outside 0..MAX_DECIMALS,
//  more than 5 significant figures, too many decimals, not exact).
int hl_wire_price (double px, int sz_decimals, bool spot, char out [HL_WIRE_MAX],
                   char *err, size_t errsize);

//  An order size: its wire text, or -1 and why (not > 0, finer than
//  sz_decimals, sz_decimals outside 0..8, not exact).
int hl_wire_size (double sz, int sz_decimals, char out [HL_WIRE_MAX], char *err, size_t errsize);

//  The nearest valid price on the side that does not cost more: down for
//  a buy (up = false), up for a sell. px must be finite and > 0; returns
//  px unchanged when it is already valid, 0 when no valid price is left
//  (a buy below the smallest tick).
double hl_wire_round_price (double px, int sz_decimals, bool spot, bool up);

//  sz cut down (toward zero) to sz_decimals; 0 when nothing is left.
double hl_wire_round_size (double sz, int sz_decimals);

//  A venue time (ms since the epoch, as every Hyperliquid message has it)
//  in ns; 0 (unknown) when not > 0 or too far out to be a time: a hostile
//  value must not overflow the product.
int64_t hl_wire_time_ns (int64_t time_ms);

#endif
