/*  hl_hex: the "0x" hex texts of Ethereum-style values (addresses, client
    order ids, signature words), as Hyperliquid's JSON carries them.      */
#ifndef HL_HEX_H
#define HL_HEX_H

#include <stddef.h>
#include <stdint.h>

//  "0x" + 2n lowercase hex digits + NUL into out (2n + 3 bytes).
void hl_hex_encode (const uint8_t *bytes, size_t n, char *out);

//  The number a big-endian word holds, as eth_utils' to_hex(int) writes
//  it (the SDK's signature r and s): "0x" and no leading zeros, "0x0" for
//  zero; out takes 2n + 3 bytes.
void hl_hex_encode_number (const uint8_t *bytes, size_t n, char *out);

//  Exactly "0x" (or "0X") + 2n hex digits of either case into bytes:
//  0, or -1 when text is NULL, of another length or not hex.
int hl_hex_decode (const char *text, uint8_t *bytes, size_t n);

#endif
