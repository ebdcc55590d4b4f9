/*  hb_crc32c: see hb_crc32c.h. */
#include "hb_crc32c.h"

#include <string.h>

#if defined(__x86_64__)
#   include <nmmintrin.h>
#   define HB_CRC32C_HW 1
#endif

#define HB_CRC32C_POLY 0x82F63B78u      //  0x1EDC6F41 bit-reflected

//  Slicing-by-8 tables: s_table [k][b] is the CRC of byte b followed by k
//  zero bytes, so eight bytes are folded in with eight lookups.
static uint32_t s_table [8][256];
static uint32_t (*s_impl) (uint32_t, const uint8_t *, size_t);

static uint32_t
s_crc_sw (uint32_t crc, const uint8_t *p, size_t size)
{
    while (size && ((uintptr_t) p & 7)) {
        crc = s_table [0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
        size--;
    }
    while (size >= 8) {
        uint64_t word;
        memcpy (&word, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        word = __builtin_bswap64 (word);
#endif
        word ^= crc;
        crc = s_table [7][word & 0xFF]         ^ s_table [6][(word >> 8) & 0xFF]
            ^ s_table [5][(word >> 16) & 0xFF] ^ s_table [4][(word >> 24) & 0xFF]
            ^ s_table [3][(word >> 32) & 0xFF] ^ s_table [2][(word >> 40) & 0xFF]
            ^ s_table [1][(word >> 48) & 0xFF] ^ s_table [0][word >> 56];
        p += 8;
        size -= 8;
    }
    while (size--)
        crc = s_table [0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc;
}

#ifdef HB_CRC32C_HW
__attribute__ ((target ("sse4.2"))) static uint32_t
s_crc_hw (uint32_t crc, const uint8_t *p, size_t size)
{
    while (size && ((uintptr_t) p & 7)) {
        crc = _mm_crc32_u8 (crc, *p++);
        size--;
    }
    uint64_t crc64 = crc;
    while (size >= 8) {
        uint64_t word;
        memcpy (&word, p, 8);
        crc64 = _mm_crc32_u64 (crc64, word);
        p += 8;
        size -= 8;
    }
    crc = (uint32_t) crc64;
    while (size--)
        crc = _mm_crc32_u8 (crc, *p++);
    return crc;
}
#endif

//  Runs before main (and at dlopen for a plugin), so the tables and the
//  choice of implementation are settled before any thread can call us.
__attribute__ ((constructor)) static void
s_crc_init (void)
{
    for (uint32_t b = 0; b < 256; b++) {
        uint32_t crc = b;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (HB_CRC32C_POLY & (0u - (crc & 1)));
        s_table [0][b] = crc;
    }
    for (uint32_t b = 0; b < 256; b++)
        for (int k = 1; k < 8; k++)
            s_table [k][b] = s_table [0][s_table [k - 1][b] & 0xFF] ^ (s_table [k - 1][b] >> 8);
    s_impl = s_crc_sw;
#ifdef HB_CRC32C_HW
    __builtin_cpu_init ();
    if (__builtin_cpu_supports ("sse4.2"))
        s_impl = s_crc_hw;
#endif
}

uint32_t
hb_crc32c (uint32_t crc, const void *data, size_t size)
{
    if (size == 0)
        return crc;
    if (!s_impl)            //  called from another constructor, before ours
        s_crc_init ();
    return ~s_impl (~crc, (const uint8_t *) data, size);
}

uint32_t
hb_crc32c_sw (uint32_t crc, const void *data, size_t size)
{
    if (size == 0)
        return crc;
    if (!s_impl)
        s_crc_init ();
    return ~s_crc_sw (~crc, (const uint8_t *) data, size);
}
