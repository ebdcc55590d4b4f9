/*  hb_mpscan: a bounds check of raw msgpack, run before msgpack-c sees
    untrusted bytes.

    msgpack-c allocates count * sizeof (msgpack_object) as soon as it reads
    an array or map header, before it has seen a single element, and its C
    API has no limit to set: the five bytes dd ff ff ff ff ask for 96 GiB.
    hb_mpscan_check walks the bytes once without allocating and proves every
    length and count against the bytes that remain. After it has passed,
    every object of the unpacked tree took at least one input byte, so
    unpacking size bytes needs at most size msgpack_objects.                */
#ifndef HB_MPSCAN_H
#define HB_MPSCAN_H

#include <stddef.h>
#include "hb_msg.h"

#define HB_MPSCAN_MAX_DEPTH 8       //  nesting below the top-level object

//  Returns HB_DECODE_OK when data[0..size) is exactly one msgpack object,
//  nested at most HB_MPSCAN_MAX_DEPTH deep, whose every length and count
//  fits in the bytes left. Otherwise: TRUNCATED when the input ends inside
//  the object (or a length or count needs more bytes than remain),
//  OVERSIZED when a length or count exceeds HB_MSG_MAX_SIZE, MALFORMED for
//  the reserved byte 0xc1, deeper nesting, or bytes after the object.
hb_decode_reason_t hb_mpscan_check (const void *data, size_t size);

#endif
