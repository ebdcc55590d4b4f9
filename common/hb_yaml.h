/*  hb_yaml: a YAML document loaded with libyaml's document API, walked node
    by node with the key path and line of each node, collecting errors.

    It knows nothing about hedgebus: hb_config puts the schema on top. Every
    error is kept as

        FILE:LINE: KEY.PATH: message (value 'X')

    (the value part only when the node is a scalar) and reported at the end,
    all of them, sorted by line, so a user fixes a file in one pass.

    Loading already reports what libyaml cannot: syntax errors as
    FILE:LINE: (yaml) problem, duplicate keys in any mapping, keys that are
    not scalars, more than one document, nesting that is absurdly deep.
    Anchors and aliases are allowed (a shared fees block, say); an alias is
    the node it points to, with that node's line.                            */
#ifndef HB_YAML_H
#define HB_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#define HB_YAML_PATH_MAX    160

typedef struct _hb_yaml_t hb_yaml_t;

//  A place in the document: a node (NULL when the key is absent) with its
//  key path ("venues.alpha.instruments[2].asset") and the line to report.
//  The line is where the key was written when the node was reached through
//  a key, the node's own line otherwise, and the parent's line for an absent
//  key. A plain value, cheap to copy, valid while its hb_yaml_t lives.
typedef struct {
    hb_yaml_t   *doc;
    yaml_node_t *node;
    int          line;
    char         path [HB_YAML_PATH_MAX];
} hb_ynode_t;

//  Reads and parses path. Returns NULL only when out of memory; a file that
//  cannot be read or parsed gives an object with errors recorded and no
//  root (hb_yaml_root fails).
hb_yaml_t *hb_yaml_new (const char *path);

//  A document with no file and no root, errors reported under name: for a
//  config built by hand (tests), where every section is absent. NULL only
//  when out of memory.
hb_yaml_t *hb_yaml_new_empty (const char *name);

void hb_yaml_destroy (hb_yaml_t **self_p);

//  The document's root node. Returns -1 (with an error already recorded)
//  when there is none: unreadable file, syntax error, empty file.
int hb_yaml_root (hb_yaml_t *self, hb_ynode_t *root);

//  Records an error at node: the message (printf format), then the node's
//  scalar value when it has one.
void hb_yaml_error (const hb_ynode_t *at, const char *format, ...)
    __attribute__ ((format (printf, 2, 3)));

//  Records an error at an explicit line and path, for checks that span
//  several nodes (a duplicate endpoint, a missing section).
void hb_yaml_error_at (hb_yaml_t *self, int line, const char *path, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));

int hb_yaml_errors (const hb_yaml_t *self);
const char *hb_yaml_path (const hb_yaml_t *self);

//  Writes every error, sorted by line, one per line: to errbuf (appended
//  after what it holds, truncated to errsize) when errbuf is not NULL, else
//  to stderr.
void hb_yaml_report (const hb_yaml_t *self, char *errbuf, size_t errsize);

//  ---------------------------------------------------------------------------
//  Walking. The type checks record an error ("expected a mapping, got a
//  sequence") and return false; an absent node (node == NULL) is never an
//  error here.

bool hb_ynode_present (const hb_ynode_t *self);
bool hb_ynode_is_map (const hb_ynode_t *self);
bool hb_ynode_is_seq (const hb_ynode_t *self);
bool hb_ynode_expect_map (const hb_ynode_t *self);
bool hb_ynode_expect_seq (const hb_ynode_t *self);

//  "mapping", "sequence", "null", "string", "scalar".
const char *hb_ynode_type (const hb_ynode_t *self);

//  Checks that a mapping has only keys from known (a NULL-terminated list);
//  each other key is an error naming its path, with the nearest known key
//  as a suggestion when one is close. Returns the number of unknown keys.
int hb_ynode_check_keys (const hb_ynode_t *self, const char *const *known);

//  The value of key in a mapping. Returns 0, or -1 when the node is not a
//  mapping or has no such key; then child->node is NULL and child carries
//  the parent's line and the would-be path.
int hb_ynode_get (const hb_ynode_t *self, const char *key, hb_ynode_t *child);

//  Same, but an absent key is an error ("missing required key").
int hb_ynode_need (const hb_ynode_t *self, const char *key, hb_ynode_t *child);

//  Number of pairs of a mapping or items of a sequence (0 for anything else).
int hb_ynode_size (const hb_ynode_t *self);

//  The index-th pair of a mapping: *key is its scalar key (NULL for a key
//  that is not a scalar, already reported at load). Returns 0 or -1.
int hb_ynode_pair (const hb_ynode_t *self, int index, const char **key, hb_ynode_t *child);

//  The index-th item of a sequence, path "parent[index]". Returns 0 or -1.
int hb_ynode_item (const hb_ynode_t *self, int index, hb_ynode_t *child);

//  The text of a scalar, NULL for anything else (no error recorded).
const char *hb_ynode_scalar (const hb_ynode_t *self);

//  Typed scalars. Each returns 0, or -1 after recording an error that says
//  what was expected (wrong type, null, text that is not a number, NaN or
//  infinity, out of the type's range, too long for buf).
int hb_ynode_string (const hb_ynode_t *self, char *buf, size_t size);
int hb_ynode_double (const hb_ynode_t *self, double *value);
int hb_ynode_int (const hb_ynode_t *self, int64_t min, int64_t max, int64_t *value);
int hb_ynode_uint64 (const hb_ynode_t *self, uint64_t *value);
int hb_ynode_bool (const hb_ynode_t *self, bool *value);

//  A UTC time, "2026-11-21T00:00:00Z" (fractional seconds allowed) or a
//  date "2026-11-21" (midnight UTC), as ns since the epoch.
int hb_ynode_time (const hb_ynode_t *self, int64_t *ns);

#endif
