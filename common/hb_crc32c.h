/*  hb_crc32c: CRC-32C (Castagnoli, iSCSI/ext4/RocksDB polynomial 0x1EDC6F41).
    Chosen over zlib's CRC-32 because it has better error detection on the
    record sizes we frame, and x86-64 computes it in hardware (SSE4.2); the
    portable slicing-by-8 version is used where that is missing.            */
#ifndef HB_CRC32C_H
#define HB_CRC32C_H

#include <stddef.h>
#include <stdint.h>

//  Extends crc (0 to start) over size bytes of data and returns the new
//  value; chaining works like zlib's crc32: hb_crc32c (hb_crc32c (0, a, n),
//  b, m) is the CRC of a followed by b. hb_crc32c (0, "123456789", 9) is
//  0xE3069283. data may be NULL when size is 0. Thread-safe, no allocation.
uint32_t hb_crc32c (uint32_t crc, const void *data, size_t size);

//  The same function computed in portable C only, whatever the CPU offers;
//  for tests and for comparing speed.
uint32_t hb_crc32c_sw (uint32_t crc, const void *data, size_t size);

#endif
