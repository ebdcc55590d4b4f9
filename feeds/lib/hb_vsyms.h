/*  hb_vsyms: a venue's names for the instruments of its config section.
    Every venue names an instrument its own way (Coinbase "BTC-USD",
    OKX "BTC-USDT-SWAP", ...); params sym.<symbol> give that name, the
    symbol itself when absent. Each plugin checks the names the same way
    (not empty, short enough, no two symbols on one name) and looks them
    up both ways: this is that, once. Index i is the venue's i-th
    instrument (config order), so a plugin keeps its own per-instrument
    state in an array of the same order.
    Lookups are linear: a venue section has a handful of instruments.    */
#ifndef HB_VSYMS_H
#define HB_VSYMS_H

#include <stddef.h>
#include "hb_config.h"

typedef struct hb_vsyms_s hb_vsyms_t;

//  The names of venue's instruments. what says what a name is, for the
//  errors ("a Coinbase product id"), noun names one ("product"). NULL
//  with err set ("params.sym.X: ...") when a name is empty or too long or
//  taken by another symbol, or out of memory.
hb_vsyms_t *hb_vsyms_new (const hb_venue_cfg_t *venue, const char *what, const char *noun,
                          char *err, size_t errsize);

//  NULL-safe, nulls *self_p.
void hb_vsyms_destroy (hb_vsyms_t **self_p);

//  Instruments named.
int hb_vsyms_count (const hb_vsyms_t *self);

//  The venue's name and the instrument of index i; NULL when i is out of
//  range. Both stay valid for the life of self.
const char *hb_vsyms_id (const hb_vsyms_t *self, int i);
const hb_instrument_cfg_t *hb_vsyms_inst (const hb_vsyms_t *self, int i);

//  The index of the venue's name id, or of the bus symbol; -1 when none
//  (or NULL).
int hb_vsyms_find_id (const hb_vsyms_t *self, const char *id);
int hb_vsyms_find_symbol (const hb_vsyms_t *self, const char *symbol);

//  The bus symbol of the venue's name id, and the venue's name of symbol;
//  NULL when none.
const char *hb_vsyms_symbol_of (const hb_vsyms_t *self, const char *id);
const char *hb_vsyms_id_of (const hb_vsyms_t *self, const char *symbol);

#endif
