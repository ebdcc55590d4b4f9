/*  hb_num: text for a double that reads back as the same double, in the
    fewest digits (15 to 17 significant): what JSON (hb-tap) and the
    Prometheus exposition (hb_metrics) both print. Finite values only.    */
#ifndef HB_NUM_H
#define HB_NUM_H

#include <stdio.h>
#include <stdlib.h>

static inline void
hb_num_shortest (double value, char *text, size_t size)
{
    for (int precision = 15; precision <= 17; precision++) {
        snprintf (text, size, "%.*g", precision, value);
        if (strtod (text, NULL) == value)
            break;
    }
}

#endif
