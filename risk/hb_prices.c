/*  hb_prices: see hb_prices.h. */
#include "hb_prices.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _hb_prices_t {
    int     assets;
    int     rows;
    int     capacity;       //  rows allocated
    char  **names;
    double *price;          //  rows x assets
    char  **times;          //  rows: the first field of each row, as written
};

static void
s_error (char *err, size_t err_size, const char *format, ...)
{
    if (!err || err_size == 0)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (err, err_size, format, args);
    va_end (args);
}

//  Splits line in place on commas into at most max fields, trimmed;
//  returns the number of fields found (which may exceed max: the extra ones
//  are counted, not stored)
static int
s_split (char *line, char **fields, int max)
{
    int count = 0;
    char *cursor = line;
    while (true) {
        char *comma = strchr (cursor, ',');
        if (comma)
            *comma = '\0';
        char *start = cursor;
        while (isspace ((unsigned char) *start))
            start++;
        char *end = start + strlen (start);
        while (end > start && isspace ((unsigned char) end [-1]))
            *--end = '\0';
        if (count < max)
            fields [count] = start;
        count++;
        if (!comma)
            return count;
        cursor = comma + 1;
    }
}

static bool
s_blank (const char *line)
{
    while (*line && isspace ((unsigned char) *line))
        line++;
    return *line == '\0';
}

//  A number with nothing else in the field
static bool
s_number (const char *text, double *value)
{
    if (*text == '\0')
        return false;
    char *end;
    errno = 0;
    *value = strtod (text, &end);
    return *end == '\0' && errno != ERANGE;
}

static int
s_add_row (hb_prices_t *self)
{
    if (self->rows == self->capacity) {
        int capacity = self->capacity? self->capacity * 2: 256;
        double *price = realloc (self->price,
            (size_t) capacity * (size_t) self->assets * sizeof *price);
        if (!price)
            return -1;
        self->price = price;
        char **times = realloc (self->times, (size_t) capacity * sizeof *times);
        if (!times)
            return -1;
        self->times = times;
        self->capacity = capacity;
    }
    return self->rows++;
}

//  Reads the header into self; 0 or -1 with err set
static int
s_header (hb_prices_t *self, char *line, const char *path, int lineno,
          char *err, size_t err_size)
{
    int count = 1;
    for (const char *c = line; *c; c++)
        count += *c == ',';
    if (count < 2) {
        s_error (err, err_size, "%s:%d: header has 1 column; expected a time column and at least one asset",
                 path, lineno);
        return -1;
    }
    char **fields = calloc ((size_t) count, sizeof *fields);
    self->names = calloc ((size_t) count - 1, sizeof *self->names);
    if (!fields || !self->names) {
        free (fields);
        s_error (err, err_size, "%s: out of memory", path);
        return -1;
    }
    s_split (line, fields, count);
    int rc = 0;
    self->assets = count - 1;
    for (int i = 1; i < count && rc == 0; i++) {
        double value;
        if (*fields [i] == '\0') {
            s_error (err, err_size, "%s:%d: column %d: empty asset name in the header",
                     path, lineno, i + 1);
            rc = -1;
        }
        else
        if (s_number (fields [i], &value)) {
            s_error (err, err_size, "%s:%d: missing header: column %d is the number '%s', "
                     "expected an asset name", path, lineno, i + 1, fields [i]);
            rc = -1;
        }
        else {
            for (int j = 1; j < i && rc == 0; j++)
                if (strcmp (fields [j], fields [i]) == 0) {
                    s_error (err, err_size, "%s:%d: column %d: duplicate asset name '%s'",
                             path, lineno, i + 1, fields [i]);
                    rc = -1;
                }
            if (rc == 0 && !(self->names [i - 1] = strdup (fields [i]))) {
                s_error (err, err_size, "%s: out of memory", path);
                rc = -1;
            }
        }
    }
    free (fields);
    return rc;
}

hb_prices_t *
hb_prices_load (const char *path, char *err, size_t err_size)
{
    FILE *file = fopen (path, "r");
    if (!file) {
        s_error (err, err_size, "%s: cannot open: %s", path, strerror (errno));
        return NULL;
    }
    hb_prices_t *self = calloc (1, sizeof *self);
    char *line = NULL, **fields = NULL;
    size_t line_size = 0;
    int lineno = 0, rc = self? 0: -1;
    bool have_header = false;
    if (!self)
        s_error (err, err_size, "%s: out of memory", path);
    while (rc == 0 && getline (&line, &line_size, file) >= 0) {
        lineno++;
        if (s_blank (line))
            continue;
        if (!have_header) {
            rc = s_header (self, line, path, lineno, err, err_size);
            have_header = true;
            fields = rc == 0? calloc ((size_t) self->assets + 1, sizeof *fields): NULL;
            if (rc == 0 && !fields) {
                s_error (err, err_size, "%s: out of memory", path);
                rc = -1;
            }
            continue;
        }
        int count = s_split (line, fields, self->assets + 1);
        if (count != self->assets + 1) {
            s_error (err, err_size, "%s:%d: %d fields, expected %d as in the header",
                     path, lineno, count, self->assets + 1);
            rc = -1;
            break;
        }
        int row = s_add_row (self);
        if (row >= 0 && !(self->times [row] = strdup (fields [0]))) {
            self->rows--;
            row = -1;
        }
        if (row < 0) {
            s_error (err, err_size, "%s: out of memory", path);
            rc = -1;
            break;
        }
        for (int i = 0; i < self->assets && rc == 0; i++) {
            double value;
            const char *text = fields [i + 1];
            if (!s_number (text, &value) || !isfinite (value)) {
                s_error (err, err_size, "%s:%d: column %d (%s): '%s' is not a number",
                         path, lineno, i + 2, self->names [i], text);
                rc = -1;
            }
            else
            if (!(value > 0.0)) {
                s_error (err, err_size, "%s:%d: column %d (%s): price %s is not positive",
                         path, lineno, i + 2, self->names [i], text);
                rc = -1;
            }
            else
                self->price [(size_t) row * self->assets + i] = value;
        }
    }
    if (rc == 0 && !have_header) {
        s_error (err, err_size, "%s:%d: empty file: missing header", path, lineno);
        rc = -1;
    }
    if (rc == 0 && self->rows < HB_PRICES_MIN_ROWS) {
        s_error (err, err_size, "%s:%d: %d data rows, at least %d needed",
                 path, lineno, self->rows, HB_PRICES_MIN_ROWS);
        rc = -1;
    }
    free (line);
    free (fields);
    fclose (file);
    if (rc != 0)
        hb_prices_destroy (&self);
    return self;
}

void
hb_prices_destroy (hb_prices_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_prices_t *self = *self_p;
    if (self->names)
        for (int i = 0; i < self->assets; i++)
            free (self->names [i]);
    free (self->names);
    if (self->times)
        for (int row = 0; row < self->rows; row++)
            free (self->times [row]);
    free (self->times);
    free (self->price);
    free (self);
    *self_p = NULL;
}

int
hb_prices_assets (const hb_prices_t *self)
{
    return self->assets;
}

int
hb_prices_rows (const hb_prices_t *self)
{
    return self->rows;
}

const char *
hb_prices_name (const hb_prices_t *self, int asset)
{
    return self->names [asset];
}

const char *
hb_prices_time (const hb_prices_t *self, int row)
{
    return self->times [row];
}

double
hb_prices_get (const hb_prices_t *self, int row, int asset)
{
    return self->price [(size_t) row * self->assets + asset];
}

void
hb_prices_log_returns (const hb_prices_t *self, double *out)
{
    int n = self->assets;
    for (int t = 0; t + 1 < self->rows; t++)
        for (int i = 0; i < n; i++)
            out [(size_t) t * n + i] = log (hb_prices_get (self, t + 1, i) / hb_prices_get (self, t, i));
}
