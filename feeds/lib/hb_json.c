/*  hb_json: jansson with an arena per parser, and strict getters. See
    hb_json.h.

    jansson allocates through one pair of process-wide functions. Ours
    serve the arena of the parser running hb_json_parse on the calling
    thread (a thread-local pointer, set only for the duration of the
    parse) and malloc otherwise. free must tell arena memory from heap
    memory whatever thread frees it and whenever: every arena block is in
    one registry, and a pointer inside a block is not freed (the block
    goes back as a whole when its parser resets or dies).                 */
#include "hb_json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_MAX_BLOCKS    24
#define S_ALIGN         16

typedef struct {
    uint8_t *data;
    size_t   size;
} s_block_t;

struct hb_json_s {
    s_block_t  blocks [S_MAX_BLOCKS];
    int        n_blocks;
    size_t     used;                //  in the last block
    size_t     total;               //  bytes of every block
    size_t     max_bytes;
    hb_json_t *next;                //  registry
};

static pthread_once_t  s_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static hb_json_t      *s_parsers;   //  every live parser (registry)
static __thread hb_json_t *s_current;   //  parser running on this thread

static bool
s_owned (const void *ptr)
{
    const uint8_t *p = (const uint8_t *) ptr;
    bool owned = false;
    pthread_mutex_lock (&s_lock);
    for (hb_json_t *parser = s_parsers; parser && !owned; parser = parser->next)
        for (int i = 0; i < parser->n_blocks && !owned; i++)
            owned = p >= parser->blocks [i].data
                 && p < parser->blocks [i].data + parser->blocks [i].size;
    pthread_mutex_unlock (&s_lock);
    return owned;
}

//  A new last block of at least need bytes; -1 past max_bytes
static int
s_grow (hb_json_t *self, size_t need)
{
    if (self->n_blocks == S_MAX_BLOCKS)
        return -1;
    size_t size = self->n_blocks ? self->blocks [self->n_blocks - 1].size * 2 : 64 * 1024;
    if (size < need)
        size = need;
    if (self->total + size > self->max_bytes)
        size = self->max_bytes - self->total;
    if (size < need)
        return -1;
    uint8_t *data = (uint8_t *) malloc (size);
    if (!data)
        return -1;
    pthread_mutex_lock (&s_lock);
    self->blocks [self->n_blocks].data = data;
    self->blocks [self->n_blocks].size = size;
    self->n_blocks++;
    pthread_mutex_unlock (&s_lock);
    self->total += size;
    self->used = 0;
    return 0;
}

static void *
s_malloc (size_t size)
{
    hb_json_t *self = s_current;
    if (!self)
        return malloc (size);
    size = (size + S_ALIGN - 1) & ~(size_t) (S_ALIGN - 1);
    if (self->n_blocks == 0
    ||  self->used + size > self->blocks [self->n_blocks - 1].size) {
        if (s_grow (self, size))
            return NULL;            //  jansson turns this into a parse error
    }
    void *ptr = self->blocks [self->n_blocks - 1].data + self->used;
    self->used += size;
    return ptr;
}

static void
s_free (void *ptr)
{
    if (ptr && !s_owned (ptr))
        free (ptr);
}

static void
s_install (void)
{
    json_set_alloc_funcs (s_malloc, s_free);
}

//  Frees every block (registry first, so no free of ours races with it)
static void
s_release (hb_json_t *self)
{
    pthread_mutex_lock (&s_lock);
    int n = self->n_blocks;
    s_block_t blocks [S_MAX_BLOCKS];
    memcpy (blocks, self->blocks, sizeof blocks);
    self->n_blocks = 0;
    pthread_mutex_unlock (&s_lock);
    for (int i = 0; i < n; i++)
        free (blocks [i].data);
    self->total = 0;
    self->used = 0;
}

hb_json_t *
hb_json_new (size_t arena_bytes, size_t max_bytes)
{
    pthread_once (&s_once, s_install);
    hb_json_t *self = (hb_json_t *) calloc (1, sizeof *self);
    if (!self)
        return NULL;
    self->max_bytes = max_bytes ? max_bytes : 16 * 1024 * 1024;
    if (!arena_bytes)
        arena_bytes = 64 * 1024;
    if (arena_bytes > self->max_bytes)
        arena_bytes = self->max_bytes;
    pthread_mutex_lock (&s_lock);
    self->next = s_parsers;
    s_parsers = self;
    pthread_mutex_unlock (&s_lock);
    if (s_grow (self, arena_bytes))
        hb_json_destroy (&self);
    return self;
}

void
hb_json_destroy (hb_json_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_json_t *self = *self_p;
    s_release (self);
    pthread_mutex_lock (&s_lock);
    for (hb_json_t **p = &s_parsers; *p; p = &(*p)->next)
        if (*p == self) {
            *p = self->next;
            break;
        }
    pthread_mutex_unlock (&s_lock);
    free (self);
    *self_p = NULL;
}

size_t
hb_json_arena_size (const hb_json_t *self)
{
    return self->total;
}

static void
s_err (char *err, size_t errsize, const char *format, ...) __attribute__ ((format (printf, 3, 4)));

static void
s_err (char *err, size_t errsize, const char *format, ...)
{
    if (!err || !errsize)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (err, errsize, format, args);
    va_end (args);
}

json_t *
hb_json_parse (hb_json_t *self, const char *text, size_t len, char *err, size_t errsize)
{
    //  The previous tree dies here. Blocks added while it grew are merged
    //  into one, so the arena stops growing once it has seen the largest
    //  message.
    if (self->n_blocks > 1) {
        size_t total = self->total;
        s_release (self);
        if (s_grow (self, total) && s_grow (self, 64 * 1024)) {
            s_err (err, errsize, "out of memory for the parse arena");
            return NULL;
        }
    }
    self->used = 0;
    json_error_t error;
    s_current = self;
    json_t *root = json_loadb (text, len, JSON_REJECT_DUPLICATES, &error);
    s_current = NULL;
    if (!root)
        s_err (err, errsize, "invalid JSON at line %d column %d: %s",
               error.line, error.column, error.text);
    return root;
}

//  ---------------------------------------------------------------------------
//  Getters

static const char *
s_type_name (const json_t *value)
{
    switch (json_typeof (value)) {
        case JSON_OBJECT:  return "an object";
        case JSON_ARRAY:   return "an array";
        case JSON_STRING:  return "a string";
        case JSON_INTEGER: return "an integer";
        case JSON_REAL:    return "a real";
        case JSON_TRUE:    return "true";
        case JSON_FALSE:   return "false";
        default:           return "null";
    }
}

//  "got string \"abc\"" with the string cut short: enough to recognize it
static void
s_wrong (const json_t *value, const char *what, const char *expected, char *err, size_t errsize)
{
    if (json_is_string (value))
        s_err (err, errsize, "%s: expected %s, got string \"%.40s\"", what, expected,
               json_string_value (value));
    else
        s_err (err, errsize, "%s: expected %s, got %s", what, expected, s_type_name (value));
}

static const json_t *
s_member (const json_t *obj, const char *key, char *err, size_t errsize)
{
    if (!json_is_object (obj)) {
        s_err (err, errsize, "key '%s': the container is not an object", key);
        return NULL;
    }
    const json_t *value = json_object_get (obj, key);
    if (!value || json_is_null (value)) {
        s_err (err, errsize, "key '%s': missing", key);
        return NULL;
    }
    return value;
}

int
hb_json_dump (json_t *root, char *out, size_t size)
{
    size_t n = root && size > 1? json_dumpb (root, out, size - 1, JSON_COMPACT): 0;
    json_decref (root);
    if (n == 0 || n >= size - 1)
        return -1;
    out [n] = 0;
    return 0;
}

bool
hb_json_has (const json_t *obj, const char *key)
{
    const json_t *value = json_is_object (obj) ? json_object_get (obj, key) : NULL;
    return value && !json_is_null (value);
}

int
hb_json_decimal (const char *text, size_t len, double *out)
{
    char buf [64];
    if (!text || len == 0 || len >= sizeof buf)
        return -1;
    memcpy (buf, text, len);
    buf [len] = 0;
    //  strtod would take leading space, hex, "inf" and "nan": only decimals
    for (size_t i = 0; i < len; i++) {
        char c = buf [i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
            return -1;
    }
    char *end = NULL;
    errno = 0;
    double value = strtod (buf, &end);
    if (end != buf + len || !isfinite (value) || errno == ERANGE)
        return -1;
    *out = value;
    return 0;
}

int
hb_json_value_num (const json_t *value, const char *what, double *out, char *err, size_t errsize)
{
    if (json_is_integer (value) || json_is_real (value)) {
        double number = json_number_value (value);
        if (isfinite (number)) {
            *out = number;
            return 0;
        }
    }
    else
    if (json_is_string (value)
    &&  hb_json_decimal (json_string_value (value), json_string_length (value), out) == 0)
        return 0;
    s_wrong (value, what, "a decimal", err, errsize);
    return -1;
}

int
hb_json_value_int (const json_t *value, const char *what, int64_t *out, char *err, size_t errsize)
{
    if (json_is_integer (value)) {
        *out = (int64_t) json_integer_value (value);
        return 0;
    }
    if (json_is_string (value)) {
        const char *text = json_string_value (value);
        size_t len = json_string_length (value);
        bool digits = len > 0 && len < 20;
        for (size_t i = (len && text [0] == '-') ? 1 : 0; i < len && digits; i++)
            digits = text [i] >= '0' && text [i] <= '9';
        if (digits && !(len == 1 && text [0] == '-')) {
            *out = strtoll (text, NULL, 10);
            return 0;
        }
    }
    s_wrong (value, what, "an integer", err, errsize);
    return -1;
}

int
hb_json_str (const json_t *obj, const char *key, const char **out, char *err, size_t errsize)
{
    const json_t *value = s_member (obj, key, err, errsize);
    if (!value)
        return -1;
    if (!json_is_string (value)) {
        char what [80];
        snprintf (what, sizeof what, "key '%s'", key);
        s_wrong (value, what, "a string", err, errsize);
        return -1;
    }
    *out = json_string_value (value);
    return 0;
}

int
hb_json_strcpy (const json_t *obj, const char *key, char *out, size_t out_size,
                char *err, size_t errsize)
{
    const char *text;
    if (hb_json_str (obj, key, &text, err, errsize))
        return -1;
    size_t len = strlen (text);
    if (len >= out_size) {
        s_err (err, errsize, "key '%s': string of %zu bytes, at most %zu allowed",
               key, len, out_size ? out_size - 1 : 0);
        return -1;
    }
    memcpy (out, text, len + 1);
    return 0;
}

int
hb_json_num (const json_t *obj, const char *key, double *out, char *err, size_t errsize)
{
    const json_t *value = s_member (obj, key, err, errsize);
    char what [80];
    snprintf (what, sizeof what, "key '%s'", key);
    return value ? hb_json_value_num (value, what, out, err, errsize) : -1;
}

int
hb_json_int (const json_t *obj, const char *key, int64_t *out, char *err, size_t errsize)
{
    const json_t *value = s_member (obj, key, err, errsize);
    char what [80];
    snprintf (what, sizeof what, "key '%s'", key);
    return value ? hb_json_value_int (value, what, out, err, errsize) : -1;
}

int
hb_json_bool (const json_t *obj, const char *key, bool *out, char *err, size_t errsize)
{
    const json_t *value = s_member (obj, key, err, errsize);
    if (!value)
        return -1;
    if (!json_is_boolean (value)) {
        char what [80];
        snprintf (what, sizeof what, "key '%s'", key);
        s_wrong (value, what, "true or false", err, errsize);
        return -1;
    }
    *out = json_is_true (value);
    return 0;
}

static int
s_typed (const json_t *obj, const char *key, json_t **out, json_type type, const char *name,
         char *err, size_t errsize)
{
    const json_t *value = s_member (obj, key, err, errsize);
    if (!value)
        return -1;
    if (json_typeof (value) != type) {
        char what [80];
        snprintf (what, sizeof what, "key '%s'", key);
        s_wrong (value, what, name, err, errsize);
        return -1;
    }
    *out = (json_t *) value;
    return 0;
}

int
hb_json_obj (const json_t *obj, const char *key, json_t **out, char *err, size_t errsize)
{
    return s_typed (obj, key, out, JSON_OBJECT, "an object", err, errsize);
}

int
hb_json_arr (const json_t *obj, const char *key, json_t **out, char *err, size_t errsize)
{
    return s_typed (obj, key, out, JSON_ARRAY, "an array", err, errsize);
}
