/*  hb_sign: HMAC-SHA256, hex and base64 with OpenSSL. See hb_sign.h.      */
#include "hb_sign.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

int
hb_sign_hmac (const void *key, size_t key_len, const void *data, size_t len,
              uint8_t mac [HB_SIGN_MAC_SIZE])
{
    //  HMAC () with a NULL key pointer would mean "reuse": give it a byte
    static const uint8_t empty = 0;
    unsigned int mac_len = 0;
    if (!HMAC (EVP_sha256 (), key_len ? key : &empty, (int) key_len,
               len ? (const unsigned char *) data : &empty, len, mac, &mac_len)
    ||  mac_len != HB_SIGN_MAC_SIZE)
        return -1;
    return 0;
}

int
hb_sign_hex (const void *data, size_t len, char *out, size_t out_size)
{
    static const char digits [] = "0123456789abcdef";
    if (!out || out_size < 2 * len + 1)
        return -1;
    const uint8_t *bytes = (const uint8_t *) data;
    for (size_t i = 0; i < len; i++) {
        out [2 * i] = digits [bytes [i] >> 4];
        out [2 * i + 1] = digits [bytes [i] & 15];
    }
    out [2 * len] = 0;
    return (int) (2 * len);
}

int
hb_sign_base64_encode (const void *data, size_t len, char *out, size_t out_size)
{
    size_t need = 4 * ((len + 2) / 3) + 1;
    if (!out || out_size < need || need > (size_t) 1 << 30)
        return -1;
    int n = EVP_EncodeBlock ((unsigned char *) out, (const unsigned char *) data, (int) len);
    return n < 0 ? -1 : n;
}

static int
s_b64_value (char c)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

int
hb_sign_base64_decode (const char *text, size_t len, uint8_t *out, size_t out_size)
{
    //  Written out rather than EVP_DecodeBlock, which accepts whitespace
    //  and cannot say how much padding it removed.
    if (!text || len % 4)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v [4], pad = 0;
        for (int j = 0; j < 4; j++) {
            char c = text [i + j];
            if (c == '=' && i + 4 == len && j >= 2 && (j == 3 || text [i + 3] == '=')) {
                v [j] = 0;
                pad++;
                continue;
            }
            if (pad)
                return -1;          //  data after padding
            v [j] = s_b64_value (c);
            if (v [j] < 0)
                return -1;
        }
        uint32_t word = (uint32_t) v [0] << 18 | (uint32_t) v [1] << 12
                      | (uint32_t) v [2] << 6 | (uint32_t) v [3];
        size_t bytes = 3 - (size_t) pad;
        if (n + bytes > out_size)
            return -1;
        out [n++] = (uint8_t) (word >> 16);
        if (bytes > 1)
            out [n++] = (uint8_t) (word >> 8);
        if (bytes > 2)
            out [n++] = (uint8_t) word;
    }
    return (int) n;
}

int
hb_sign_hmac_hex (const void *key, size_t key_len, const void *data, size_t len,
                  char *out, size_t out_size)
{
    uint8_t mac [HB_SIGN_MAC_SIZE];
    if (out_size < HB_SIGN_HEX_SIZE || hb_sign_hmac (key, key_len, data, len, mac))
        return -1;
    return hb_sign_hex (mac, sizeof mac, out, out_size) < 0 ? -1 : 0;
}

int
hb_sign_hmac_base64 (const void *key, size_t key_len, const void *data, size_t len,
                     char *out, size_t out_size)
{
    uint8_t mac [HB_SIGN_MAC_SIZE];
    if (out_size < HB_SIGN_BASE64_SIZE || hb_sign_hmac (key, key_len, data, len, mac))
        return -1;
    return hb_sign_base64_encode (mac, sizeof mac, out, out_size) < 0 ? -1 : 0;
}
