/*  hb_prices: a table of asset prices loaded from a CSV file, for the
    offline analyst commands.

    Format: a header row, then one row per time. The first column is a time
    stamp (any text, not interpreted); every other column is one asset,
    named in the header, with a positive price on every row. Fields are
    separated by commas and trimmed of blanks; quoting is not supported.
    Blank lines are ignored. Lines are numbered from 1 in error messages.  */
#ifndef HB_PRICES_H
#define HB_PRICES_H

#include <stddef.h>

typedef struct _hb_prices_t hb_prices_t;

//  Fewest data rows accepted (two returns: the sample covariance needs n-1).
#define HB_PRICES_MIN_ROWS  3

//  Loads path. Returns NULL on any error with a one-line message in err
//  (err_size bytes, may be 0) naming the file, the line and, where it
//  applies, the column: file not readable, empty file, missing header (the
//  first row has a number where an asset name should be), fewer than two
//  columns, an empty or duplicate asset name, a row with a different number
//  of fields than the header, a price that is not a number, not finite or
//  not positive, fewer than HB_PRICES_MIN_ROWS data rows.
hb_prices_t *hb_prices_load (const char *path, char *err, size_t err_size);

//  NULL-safe; nulls *self_p.
void hb_prices_destroy (hb_prices_t **self_p);

int hb_prices_assets (const hb_prices_t *self);        //  columns less the time
int hb_prices_rows (const hb_prices_t *self);          //  data rows
const char *hb_prices_name (const hb_prices_t *self, int asset);

//  The time field of data row `row` (0-based), trimmed, as written.
const char *hb_prices_time (const hb_prices_t *self, int row);

//  Price of asset in data row `row` (0-based).
double hb_prices_get (const hb_prices_t *self, int row, int asset);

//  Log returns, row-major (rows - 1) x assets: out [t * assets + i] =
//  ln (p [t+1][i] / p [t][i]). out must hold (rows - 1) * assets doubles.
void hb_prices_log_returns (const hb_prices_t *self, double *out);

#endif
