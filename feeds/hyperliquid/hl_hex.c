/*  hl_hex: "0x" hex texts. See hl_hex.h.                                  */
#include "hl_hex.h"

#include <string.h>

static const char s_digits [] = "0123456789abcdef";

void
hl_hex_encode (const uint8_t *bytes, size_t n, char *out)
{
    out [0] = '0';
    out [1] = 'x';
    for (size_t i = 0; i < n; i++) {
        out [2 + 2 * i] = s_digits [bytes [i] >> 4];
        out [3 + 2 * i] = s_digits [bytes [i] & 15];
    }
    out [2 + 2 * n] = 0;
}

void
hl_hex_encode_number (const uint8_t *bytes, size_t n, char *out)
{
    hl_hex_encode (bytes, n, out);
    size_t lead = 2;
    while (out [lead] == '0' && out [lead + 1])
        lead++;
    memmove (out + 2, out + lead, strlen (out + lead) + 1);
}

static int
s_nibble (char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int
hl_hex_decode (const char *text, uint8_t *bytes, size_t n)
{
    if (!text || strlen (text) != 2 + 2 * n || text [0] != '0'
    ||  (text [1] != 'x' && text [1] != 'X'))
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = s_nibble (text [2 + 2 * i]), lo = s_nibble (text [3 + 2 * i]);
        if (hi < 0 || lo < 0)
            return -1;
        bytes [i] = (uint8_t) (hi << 4 | lo);
    }
    return 0;
}
