/*  hb_book: the aggregator's book. Positions per (venue, instrument), net
    exposure per asset and margin per venue, from the config's starting
    positions and collateral plus every fill applied. Pure arithmetic: no
    I/O, no clock (callers pass now_ns), no allocation after hb_book_new.

    Conventions (docs/PROTOCOL.md, Positions, says the same):
    - qty is signed, in the instrument's unit: coins for spot, contracts
      for the rest. A linear contract (linear perp, future) is
      qty x multiplier coins; an inverse perp contract is multiplier USD.
    - Average entry: arithmetic mean of prices for linear and spot, harmonic
      for inverse (the mean of 1/price, which is what makes coin P&L add up).
      Adding to a position moves the entry; reducing it realizes P&L on the
      closed part at the old entry; a fill that crosses zero closes the
      whole position and opens the remainder at the fill price.
    - P&L is in the settle currency: USD for spot, linear, future and
      option; the coin for an inverse perp and a coin-settled option
      (settle: coin, priced in the coin, Deribit style):
          linear   qty x mult x (exit - entry)                       USD
          inverse  qty x mult x (1/entry - 1/exit)                   coin
          coin option  qty x mult x (exit - entry), prices in coin   coin
      Fees are kept apart from realized P&L, converted to the settle
      currency at the fill price when paid in the other one.
    - USD exposure (delta) of a position at price S:
          spot, linear, future   qty x mult x S
          option                 qty x mult x S(underlying), a delta-1
                                 placeholder: greeks are hb-risk's job
          inverse                qty x mult x S / entry, which is
                                 qty x mult (the contract notional) plus the
                                 coin P&L it has made, itself held in coin.
      Coin collateral is exposure too: an asset's net exposure is the sum of
      its positions plus every venue's balance of that coin plus the coin
      P&L (realized - fees) of inverse positions and the coin P&L
      (realized - fees + unrealized at the mark: the premium paid or
      received against what the option is worth) of coin-settled options,
      all at S. A shock moves a coin option's USD value with S, its coin
      mark kept.
    - Margin per venue: equity = collateral at mark (USD + coins x S) +
      realized - fees + unrealized (in USD). Initial / maintenance margin =
      sum over margined positions of |USD notional| x the venue's rate
      (inverse: |qty| x mult; options: the underlying notional; a long spot
      position is paid for and uses none). utilization = initial / equity.
    - Liquidation distance for asset A on a venue: the relative move x of A
      (every price of A times 1 + x, everything else fixed) nearest to 0 at
      which equity falls to maintenance margin, searched in [-100 %,
      +1000 %]; 0 when already there.
    - The reference price of an asset is the latest mid of any of its
      spot, perp or future instruments on any venue (the config's price
      until one arrives).                                                  */
#ifndef HB_BOOK_H
#define HB_BOOK_H

#include "hb_config.h"
#include "hb_msg.h"

typedef struct _hb_book_t hb_book_t;

//  A book holding cfg's starting positions and collateral. cfg must outlive
//  the book. Returns NULL when out of memory.
hb_book_t *hb_book_new (const hb_config_t *cfg);
void hb_book_destroy (hb_book_t **self_p);

//  Applies one fill, whose message on fill.<venue>.<symbol> had the feed's
//  (epoch, seq) (0, 0: not known; the position states name it: docs/
//  PROTOCOL.md, position). Returns the asset index of the instrument, or -1
//  (book unchanged) when the venue or symbol is not in the config. Does not
//  deduplicate: that is the caller's job (journal + fill id set).
int hb_book_fill (hb_book_t *self, const hb_fill_t *fill, uint64_t epoch, uint64_t seq);

//  Applies one funding payment (funding.<venue>.<symbol>) to its
//  position's realized P&L (usd > 0 paid: realized falls; in the settle
//  currency, an inverse perp's at the asset's reference price), so the
//  venue's equity counts it. Returns the asset index, or -1 (book
//  unchanged) when the venue or symbol is not in the config or the amount
//  is not finite. Does not deduplicate: the ledger does (by id).
int hb_book_funding (hb_book_t *self, const hb_funding_t *funding);

//  Records a mid for (venue, symbol) seen at ts_ns. Returns the asset index,
//  or -1 when unknown or mid is not a positive finite number.
int hb_book_mark (hb_book_t *self, const char *venue, const char *symbol, double mid, int64_t ts_ns);

//  The venue index of a venue name, -1 when unknown.
int hb_book_venue_index (const hb_book_t *self, const char *venue);

//  Collateral moved between venues (capital.transfer from the source's
//  feed): sent takes amount + fee of the asset (a config asset, else a USD
//  stablecoin) out of the source; credited puts amount into the
//  destination. In between it is in neither venue's equity (in flight).
//  Other statuses change nothing. Returns 1 when it changed a venue, 0 when
//  not (another status, unknown venue, bad amount).
int hb_book_transfer (hb_book_t *self, const hb_transfer_t *transfer);

//  True when (venue, instrument) holds a position or has ever had a fill.
bool hb_book_active (const hb_book_t *self, int venue, int instrument);

//  Fills *out with the position of instrument of venue (indices into the
//  config) as of now_ns (staleness). Position messages are body only: the
//  caller sets the envelope.
void hb_book_position (const hb_book_t *self, int venue, int instrument, int64_t now_ns,
                       hb_position_t *out);

//  Net exposure of asset (index into cfg->assets) over every venue.
void hb_book_exposure (const hb_book_t *self, int asset, int64_t now_ns, hb_exposure_t *out);

//  Margin of venue, with the liquidation distance of its assets (largest
//  |exposure| first, at most HB_MARGIN_ASSETS).
void hb_book_margin (const hb_book_t *self, int venue, int64_t now_ns, hb_margin_t *out);

//  Reference price of asset (see above).
double hb_book_price (const hb_book_t *self, int asset);

#endif
