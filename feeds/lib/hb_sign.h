/*  hb_sign: request signing for venue APIs (OpenSSL 3).

    Venues sign a canonical text of each request with HMAC-SHA256 and want
    the MAC in hex (Binance, Deribit) or base64 (OKX, Coinbase Exchange);
    some hand out their secret in base64. These are the few primitives
    they need, with caller-owned output buffers: nothing allocates, and
    nothing here logs (a secret never reaches a log from this module).
    Every function returns -1 rather than writing past out_size.         */
#ifndef HB_SIGN_H
#define HB_SIGN_H

#include <stddef.h>
#include <stdint.h>

#define HB_SIGN_MAC_SIZE        32                  //  HMAC-SHA256 bytes
#define HB_SIGN_HEX_SIZE        (2 * HB_SIGN_MAC_SIZE + 1)  //  + NUL
#define HB_SIGN_BASE64_SIZE     45                  //  4 * ceil (32 / 3) + NUL

//  Raw HMAC-SHA256 of data under key into mac (HB_SIGN_MAC_SIZE bytes).
//  An empty key or empty data is valid. 0, or -1 on an OpenSSL failure.
int hb_sign_hmac (const void *key, size_t key_len, const void *data, size_t len,
                  uint8_t mac [HB_SIGN_MAC_SIZE]);

//  The same MAC as lowercase hex, NUL-terminated, into out (at least
//  HB_SIGN_HEX_SIZE bytes). 0 or -1 (failure, or out_size too small).
int hb_sign_hmac_hex (const void *key, size_t key_len, const void *data, size_t len,
                      char *out, size_t out_size);

//  The same MAC as standard base64 with padding (44 characters + NUL).
int hb_sign_hmac_base64 (const void *key, size_t key_len, const void *data, size_t len,
                         char *out, size_t out_size);

//  Standard base64 (RFC 4648, with padding) of data, NUL-terminated.
//  Returns the length written (without NUL), or -1 when out is too small.
int hb_sign_base64_encode (const void *data, size_t len, char *out, size_t out_size);

//  Decodes standard base64 (padding required, no whitespace; the URL-safe
//  alphabet is refused). Returns the number of bytes written to out, or -1
//  when the text is not valid base64 or does not fit.
int hb_sign_base64_decode (const char *text, size_t len, uint8_t *out, size_t out_size);

//  Lowercase hex of data, NUL-terminated; length or -1 when out is too small.
int hb_sign_hex (const void *data, size_t len, char *out, size_t out_size);

#endif
