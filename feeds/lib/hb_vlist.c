/*  hb_vlist: see hb_vlist.h. */
#include <stdlib.h>
#include <string.h>
#include "hb_vlist.h"

struct hb_vlist_s {
    char  (*names) [HB_NAME_MAX];   //  sorted
    size_t  count;
};

bool
hb_vlist_wanted (const hb_host_api_t *host)
{
    return host && host->abi_version >= 5
        && host->size >= offsetof (hb_host_api_t, instrument_delist) + sizeof host->instrument_delist
        && host->instrument_list && host->instrument_delist && host->venue && host->venue->discover.present;
}

hb_vlist_t *
hb_vlist_new (void)
{
    return (hb_vlist_t *) calloc (1, sizeof (hb_vlist_t));
}

void
hb_vlist_destroy (hb_vlist_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->names);
    free (*self_p);
    *self_p = NULL;
}

static int
s_by_name (const void *a, const void *b)
{
    return strcmp ((const char *) a, (const char *) b);
}

int
hb_vlist_apply (hb_vlist_t *self, const hb_host_api_t *host, const hb_instrument_t *items, size_t count)
{
    char (*names) [HB_NAME_MAX] = calloc (count ? count : 1, HB_NAME_MAX);
    if (!names)
        return -1;
    int kept = host->instrument_list (host->ctx, items, count);
    if (kept < 0) {
        free (names);
        return kept;
    }
    for (size_t i = 0; i < count; i++)
        memcpy (names [i], items [i].symbol, HB_NAME_MAX);
    qsort (names, count, HB_NAME_MAX, s_by_name);
    for (size_t i = 0; i < self->count; i++)
        if (!bsearch (self->names [i], names, count, HB_NAME_MAX, s_by_name))
            host->instrument_delist (host->ctx, self->names [i]);
    free (self->names);
    self->names = names;
    self->count = count;
    return kept;
}

size_t
hb_vlist_size (const hb_vlist_t *self)
{
    return self->count;
}
