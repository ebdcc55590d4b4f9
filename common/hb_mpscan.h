/*  hb_mpscan: a bounds check of raw msgpack, and a reader of the bytes it
    has checked, one object at a time, in place.

    hb_mpscan_check walks the bytes once without allocating and proves every
    length and count against the bytes that remain (msgpack-c's unpacker
    allocates count * sizeof (msgpack_object) as soon as it reads an array
    header, and its C API has no limit to set: the five bytes dd ff ff ff ff
    ask for 96 GiB).

    hb_mpscan_read then gives the objects one by one as msgpack_object
    values (msgpack-c's own type, so the codecs read them as they would
    an unpacked tree) without building the tree: the wire codec reads each
    field once, in order, and unpacking every message into a zone first was
    a third of a receiving process's CPU per tick (docs/OPERATIONS.md,
    Throughput). Encoding stays with msgpack-c's packer.                    */
#ifndef HB_MPSCAN_H
#define HB_MPSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>
#include "hb_msg.h"

#define HB_MPSCAN_MAX_DEPTH 8       //  nesting below the top-level object

//  Returns HB_DECODE_OK when data[0..size) is exactly one msgpack object,
//  nested at most HB_MPSCAN_MAX_DEPTH deep, whose every length and count
//  fits in the bytes left. Otherwise: TRUNCATED when the input ends inside
//  the object (or a length or count needs more bytes than remain),
//  OVERSIZED when a length or count exceeds HB_MSG_MAX_SIZE, MALFORMED for
//  the reserved byte 0xc1, deeper nesting, or bytes after the object.
hb_decode_reason_t hb_mpscan_check (const void *data, size_t size);

//  Reads the object at data[*pos] into *out and moves *pos past it. A
//  string, bin or ext points into data (not NUL-terminated). An array or a
//  map gives its count (via.array.size, via.map.size: a map entry counts
//  one) and a NULL ptr; *pos is left at its first child, and *items is set
//  to the number of child objects to read or skip (a map entry counts
//  two); 0 for a scalar. False, *out untouched, when the bytes end first or
//  the byte is 0xc1: never for bytes hb_mpscan_check accepted.
bool hb_mpscan_read (const uint8_t *data, size_t size, size_t *pos, msgpack_object *out,
                     uint64_t *items);

//  Moves *pos past n objects (and whatever they hold). False when the
//  bytes end first or are malformed.
bool hb_mpscan_skip (const uint8_t *data, size_t size, size_t *pos, uint64_t n);

#endif
