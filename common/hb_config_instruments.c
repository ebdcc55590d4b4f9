/*  hb_config_instruments: a venue's instruments and positions (their
    memory, sized from the file's counts or grown by code, and the index by
    symbol that hb_venue_instrument searches). Declared in hb_config.h; the
    loader (hb_config_venue.c) and hb_config_destroy use them.           */
#include "hb_config.h"

#include <stdlib.h>
#include <string.h>

int
hb_venue_cfg_alloc (hb_venue_cfg_t *venue, int n_instruments, int n_positions)
{
    if (n_instruments < 0 || n_instruments > HB_MAX_INSTRUMENTS
    ||  n_positions < 0 || n_positions > HB_MAX_POSITIONS)
        return -1;
    //  calloc (0) may give NULL: one element at least, so NULL means no memory
    hb_instrument_cfg_t *instruments = calloc ((size_t) (n_instruments ? n_instruments : 1),
                                               sizeof *instruments);
    hb_position_cfg_t *positions = calloc ((size_t) (n_positions ? n_positions : 1), sizeof *positions);
    if (!instruments || !positions) {
        free (instruments);
        free (positions);
        return -1;
    }
    hb_venue_cfg_release (venue);
    venue->instruments = instruments;
    venue->positions = positions;
    return 0;
}

//  Grows *array (n entries of size bytes) by one zeroed entry, counted in
//  *n; the new entry, or NULL at max or when out of memory
static void *
s_grow_one (void **array, int *n, size_t size, int max)
{
    if (*n < 0 || *n >= max)
        return NULL;
    char *grown = realloc (*array, (size_t) (*n + 1) * size);
    if (!grown)
        return NULL;
    *array = grown;
    char *added = grown + (size_t) (*n)++ * size;
    memset (added, 0, size);
    return added;
}

hb_instrument_cfg_t *
hb_venue_cfg_add_instrument (hb_venue_cfg_t *venue)
{
    void *array = venue->instruments;
    hb_instrument_cfg_t *added = s_grow_one (&array, &venue->n_instruments, sizeof *venue->instruments,
                                             HB_MAX_INSTRUMENTS);
    venue->instruments = array;
    return added;
}

hb_position_cfg_t *
hb_venue_cfg_add_position (hb_venue_cfg_t *venue)
{
    void *array = venue->positions;
    hb_position_cfg_t *added = s_grow_one (&array, &venue->n_positions, sizeof *venue->positions,
                                           HB_MAX_POSITIONS);
    venue->positions = array;
    return added;
}

//  By symbol, then by index: among equal symbols (a config built in code)
//  the first one is found, as a scan would
static int
s_by_symbol (const void *a, const void *b, void *arg)
{
    const hb_instrument_cfg_t *instruments = arg;
    int i = *(const int *) a, j = *(const int *) b;
    int order = strcmp (instruments [i].symbol, instruments [j].symbol);
    return order ? order : (i > j) - (i < j);
}

int
hb_venue_cfg_index (hb_venue_cfg_t *venue)
{
    free (venue->by_symbol);
    venue->by_symbol = NULL;
    venue->n_by_symbol = 0;
    if (venue->n_instruments <= 0)
        return 0;
    venue->by_symbol = malloc ((size_t) venue->n_instruments * sizeof *venue->by_symbol);
    if (!venue->by_symbol)
        return -1;
    for (int i = 0; i < venue->n_instruments; i++)
        venue->by_symbol [i] = i;
    qsort_r (venue->by_symbol, (size_t) venue->n_instruments, sizeof *venue->by_symbol, s_by_symbol,
             venue->instruments);
    venue->n_by_symbol = venue->n_instruments;
    return 0;
}

void
hb_venue_cfg_release (hb_venue_cfg_t *venue)
{
    free (venue->instruments);
    free (venue->positions);
    free (venue->by_symbol);
    venue->instruments = NULL;
    venue->positions = NULL;
    venue->by_symbol = NULL;
    venue->n_by_symbol = 0;
}
