/*  hl_err: the error text of this folder's functions: printf into the
    caller's err buffer (errsize bytes), which may be NULL.               */
#ifndef HL_ERR_H
#define HL_ERR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline void hl_err (char *err, size_t errsize, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

static inline void
hl_err (char *err, size_t errsize, const char *format, ...)
{
    if (!err || !errsize)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (err, errsize, format, args);
    va_end (args);
}

#endif
