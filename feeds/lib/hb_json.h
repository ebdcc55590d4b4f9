/*  hb_json: parsing venue messages with jansson, and strict getters.

    Why jansson (docs/PLUGINS.md, section 8): maintained for 15 years, in
    Debian (libjansson-dev), strict RFC 8259 by default (no comments, no
    trailing commas, duplicate keys can be refused), a small reference-
    counted API, and parse errors that carry line, column and position.

    hb_json_t is a parser that owns an arena: the tree of each parse is
    allocated from it and lives until the next hb_json_parse on the same
    parser (or its destroy), so parsing a venue message does not touch the
    heap once the arena has grown to the largest message seen. (jansson's
    allocator hook is process-wide: hb_json installs, once, functions that
    serve the arena of the parse running on the calling thread and plain
    malloc/free to everyone else, so other jansson users are unaffected.)
    Do not json_decref a tree from hb_json_parse; it is harmless but
    useless. Trees built with json_pack etc. are ordinary heap trees.

    Getters are strict and say what is wrong. Each takes an object and a
    key, and on failure returns -1 and writes into err (may be NULL) a
    text naming the key and what was found, e.g.
        "key 'p': expected a decimal, got string \"abc\""
        "key 'u': missing"
    Numbers: hb_json_num accepts a JSON number or a string holding a
    decimal ("65000.10", "-1e-8"); the whole string must parse, and the
    result must be finite. Integers: a JSON integer, or a string of digits
    that fits. Venues send prices as strings precisely so that they are not
    rounded by a JSON library; strtod of the text is the rounding we want. */
#ifndef HB_JSON_H
#define HB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define HB_JSON_ERR_MAX 160

typedef struct hb_json_s hb_json_t;

//  A parser whose arena starts at arena_bytes (0: 64 KiB) and grows, by
//  doubling, up to max_bytes (0: 16 MiB). NULL when out of memory.
hb_json_t *hb_json_new (size_t arena_bytes, size_t max_bytes);

//  Frees the arena (and with it the last tree), nulls *self_p. NULL-safe.
void hb_json_destroy (hb_json_t **self_p);

//  Parses len bytes of text (need not be NUL-terminated) as one JSON
//  object or array. Returns the root, valid until the next parse on self,
//  or NULL with the reason (jansson's text, line, column) in err. A message
//  needing more than max_bytes of tree is refused the same way.
json_t *hb_json_parse (hb_json_t *self, const char *text, size_t len,
                       char *err, size_t errsize);

//  Heap bytes the arena holds now (for start-up sizing and tests).
size_t hb_json_arena_size (const hb_json_t *self);

//  ---------------------------------------------------------------------------
//  Getters: 0 and *out set, or -1 with err (HB_JSON_ERR_MAX is enough).

//  A string member; *out points into the tree (valid as long as it).
int hb_json_str (const json_t *obj, const char *key, const char **out, char *err, size_t errsize);

//  A string member copied into out (out_size bytes); too long is an error.
int hb_json_strcpy (const json_t *obj, const char *key, char *out, size_t out_size,
                    char *err, size_t errsize);

//  A finite number, from a JSON number or a decimal string (see above).
int hb_json_num (const json_t *obj, const char *key, double *out, char *err, size_t errsize);

//  A signed 64-bit integer, from a JSON integer or a string of digits.
int hb_json_int (const json_t *obj, const char *key, int64_t *out, char *err, size_t errsize);

//  A boolean member (true / false only).
int hb_json_bool (const json_t *obj, const char *key, bool *out, char *err, size_t errsize);

//  An object, resp. array, member; *out points into the tree.
int hb_json_obj (const json_t *obj, const char *key, json_t **out, char *err, size_t errsize);
int hb_json_arr (const json_t *obj, const char *key, json_t **out, char *err, size_t errsize);

//  The same rules applied to a value rather than a member (array elements,
//  e.g. a Binance level ["65000.10", "1.5"]); what names the value in err.
int hb_json_value_num (const json_t *value, const char *what, double *out, char *err, size_t errsize);
int hb_json_value_int (const json_t *value, const char *what, int64_t *out, char *err, size_t errsize);

//  Parses text[0..len) as a finite decimal (no surrounding space). 0 or -1.
int hb_json_decimal (const char *text, size_t len, double *out);

//  The key is present (and not JSON null).
bool hb_json_has (const json_t *obj, const char *key);

//  root (taken: decref'd whatever happens; NULL, as from a failed
//  json_pack, is an error) as compact JSON text into out (size bytes,
//  NUL-terminated): a request body. 0, or -1 when it does not fit.
int hb_json_dump (json_t *root, char *out, size_t size);

#endif
