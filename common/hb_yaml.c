/*  hb_yaml: see hb_yaml.h. The typed scalars are in hb_yaml_scalar.c. */
#include "hb_yaml.h"
#include "hb_yaml_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define S_FILE_MAX      (4 * 1024 * 1024)   //  a deployment file is a few KB
#define S_ERRORS_MAX    500                 //  kept; the rest are counted
#define S_DEPTH_MAX     64                  //  nodes inside nodes
#define S_FLOW_DEPTH_MAX 1000               //  brackets, before parsing
#define S_VALUE_SHOWN   60                  //  longest value quoted in an error

typedef struct {
    int   line;
    int   order;                //  keeps errors on one line in the order found
    char *text;
} s_error_t;

struct _hb_yaml_t {
    char            *path;
    yaml_document_t  document;
    bool             loaded;
    s_error_t       *errors;
    int              n_errors;  //  stored
    int              n_dropped; //  beyond S_ERRORS_MAX
    bool            *visited;   //  per node, for the load-time walk
};

static void
s_record (hb_yaml_t *self, int line, const char *path, const char *message, const char *value)
{
    if (self->n_errors >= S_ERRORS_MAX) {
        self->n_dropped++;
        return;
    }
    //  The value is user text: show it short and on one line
    char shown [S_VALUE_SHOWN + 4] = "";
    if (value) {
        snprintf (shown, sizeof shown, "%.*s%s", S_VALUE_SHOWN, value,
                  strlen (value) > S_VALUE_SHOWN ? "..." : "");
        for (char *c = shown; *c; c++)
            if ((unsigned char) *c < 0x20 || *c == 0x7f)
                *c = '?';
    }
    char where [32] = "";
    if (line > 0)
        snprintf (where, sizeof where, ":%d", line);
    char *text = NULL;
    int rc = asprintf (&text, "%s%s: %s%s%s%s%s%s", self->path, where,
                       path && *path ? path : "", path && *path ? ": " : "",
                       message, *shown ? " (value '" : "", shown, *shown ? "')" : "");
    if (rc < 0)
        return;
    if (self->n_errors % 32 == 0) {
        s_error_t *grown = realloc (self->errors, (size_t) (self->n_errors + 32) * sizeof *grown);
        if (!grown) {
            free (text);
            self->n_dropped++;
            return;
        }
        self->errors = grown;
    }
    self->errors [self->n_errors] = (s_error_t) { line, self->n_errors, text };
    self->n_errors++;
}

static int
s_line (const yaml_node_t *node)
{
    return (int) node->start_mark.line + 1;
}

static void
s_path_join (char *dst, const char *parent, const char *key)
{
    int n = *parent ? snprintf (dst, HB_YAML_PATH_MAX, "%s.%s", parent, key)
                    : snprintf (dst, HB_YAML_PATH_MAX, "%s", key);
    if (n >= HB_YAML_PATH_MAX)
        strcpy (dst + HB_YAML_PATH_MAX - 4, "...");
}

static void
s_path_index (char *dst, const char *parent, int index)
{
    int n = snprintf (dst, HB_YAML_PATH_MAX, "%s[%d]", parent, index);
    if (n >= HB_YAML_PATH_MAX)
        strcpy (dst + HB_YAML_PATH_MAX - 4, "...");
}

static const char *
s_scalar (const yaml_node_t *node)
{
    return node && node->type == YAML_SCALAR_NODE ? (const char *) node->data.scalar.value : NULL;
}

typedef struct {
    const char *key;
    int         index;
    int         line;
} s_key_t;

static int
s_key_compare (const void *a, const void *b)
{
    const s_key_t *ka = a, *kb = b;
    int rc = strcmp (ka->key, kb->key);
    return rc ? rc : ka->index - kb->index;
}

//  What libyaml leaves to the application: duplicate keys, keys that are not
//  scalars, pathological nesting. Each node is visited once, so aliases
//  (even one that refers to its own ancestor) cost nothing extra.
static void
s_walk (hb_yaml_t *self, yaml_node_t *node, const char *path, int depth)
{
    size_t id = (size_t) (node - self->document.nodes.start);
    if (self->visited [id])
        return;
    self->visited [id] = true;
    if (depth > S_DEPTH_MAX) {
        s_record (self, s_line (node), path, "nested too deeply (more than 64 levels)", NULL);
        return;
    }
    char child [HB_YAML_PATH_MAX];
    if (node->type == YAML_SEQUENCE_NODE) {
        int index = 0;
        for (yaml_node_item_t *item = node->data.sequence.items.start;
             item < node->data.sequence.items.top; item++, index++) {
            s_path_index (child, path, index);
            s_walk (self, yaml_document_get_node (&self->document, *item), child, depth + 1);
        }
    }
    if (node->type != YAML_MAPPING_NODE)
        return;
    yaml_node_pair_t *pairs = node->data.mapping.pairs.start;
    int n = (int) (node->data.mapping.pairs.top - pairs);
    s_key_t *keys = n > 1 ? calloc ((size_t) n, sizeof *keys) : NULL;
    int n_keys = 0;
    for (int i = 0; i < n; i++) {
        yaml_node_t *key = yaml_document_get_node (&self->document, pairs [i].key);
        yaml_node_t *value = yaml_document_get_node (&self->document, pairs [i].value);
        const char *text = s_scalar (key);
        if (!text) {
            s_record (self, s_line (key), *path ? path : "(document)",
                      "a key must be a plain name, not a collection", NULL);
            continue;
        }
        if (keys)
            keys [n_keys++] = (s_key_t) { text, i, s_line (key) };
        s_path_join (child, path, text);
        s_walk (self, value, child, depth + 1);
    }
    if (keys) {
        qsort (keys, (size_t) n_keys, sizeof *keys, s_key_compare);
        for (int i = 1; i < n_keys; i++) {
            int first = i - 1;
            while (i < n_keys && strcmp (keys [i].key, keys [first].key) == 0) {
                char message [64];
                snprintf (message, sizeof message, "duplicate key (first at line %d)", keys [first].line);
                s_path_join (child, path, keys [i].key);
                s_record (self, keys [i].line, child, message, NULL);
                i++;
            }
        }
        free (keys);
    }
}

static void
s_parse_error (hb_yaml_t *self, const yaml_parser_t *parser, const char *text)
{
    int line = (int) parser->problem_mark.line + 1;
    if (parser->error == YAML_READER_ERROR) {
        //  the reader reports a byte offset, not a mark
        line = 1;
        for (size_t i = 0; i < parser->problem_offset && text [i]; i++)
            line += text [i] == '\n';
    }
    char message [256];
    int n = snprintf (message, sizeof message, "%s", parser->problem ? parser->problem : "cannot parse");
    if (parser->error == YAML_READER_ERROR && parser->problem_value != -1 && n > 0 && (size_t) n < sizeof message)
        n += snprintf (message + n, sizeof message - (size_t) n, " (byte 0x%02x)", parser->problem_value & 0xff);
    if (parser->context && n > 0 && (size_t) n < sizeof message)
        snprintf (message + n, sizeof message - (size_t) n, " (%s at line %d)",
                  parser->context, (int) parser->context_mark.line + 1);
    s_record (self, line, "(yaml)", message, NULL);
}

//  libyaml rescans every open flow level ([ or {) at each token, so deep
//  flow nesting costs time quadratic in the depth (100,000 levels: half a
//  minute). No deployment nests more than a few levels: refuse early. The
//  count ignores quoting, which can only overestimate, and only ever by as
//  many brackets as a string or comment holds unclosed.
static int
s_check_nesting (hb_yaml_t *self, const char *text)
{
    int depth = 0, line = 1;
    for (const char *p = text; *p; p++) {
        line += *p == '\n';
        depth += (*p == '[' || *p == '{') - (depth > 0 && (*p == ']' || *p == '}'));
        if (depth > S_FLOW_DEPTH_MAX) {
            char message [64];
            snprintf (message, sizeof message, "brackets nested deeper than %d levels", S_FLOW_DEPTH_MAX);
            s_record (self, line, "(yaml)", message, NULL);
            return -1;
        }
    }
    return 0;
}

static char *
s_read_file (hb_yaml_t *self)
{
    FILE *file = fopen (self->path, "rb");
    if (!file) {
        s_record (self, 0, NULL, strerror (errno), NULL);
        return NULL;
    }
    struct stat st;
    char *text = NULL;
    if (fstat (fileno (file), &st) != 0 || !S_ISREG (st.st_mode))
        s_record (self, 0, NULL, "not a regular file", NULL);
    else
    if (st.st_size > S_FILE_MAX)
        s_record (self, 0, NULL, "file too large for a deployment config (over 4 MiB)", NULL);
    else
    if ((text = malloc ((size_t) st.st_size + 1)) != NULL) {
        size_t size = fread (text, 1, (size_t) st.st_size, file);
        if (ferror (file)) {
            s_record (self, 0, NULL, strerror (errno), NULL);
            free (text);
            text = NULL;
        }
        else {
            text [size] = 0;
            //  libyaml reads up to the first NUL, so a NUL byte would cut
            //  the config there and `--check` would pass on what is left;
            //  other control characters have no business in a config either
            int line = 1;
            for (size_t i = 0; i < size; i++) {
                unsigned char c = (unsigned char) text [i];
                if (c == '\n')
                    line++;
                else
                if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
                    char what [64];
                    snprintf (what, sizeof what, "control character 0x%02x in the file%s", c,
                              c == 0 ? " (a NUL byte)" : "");
                    s_record (self, line, "(yaml)", what, NULL);
                    free (text);
                    text = NULL;
                    break;
                }
            }
        }
    }
    fclose (file);
    return text;
}

hb_yaml_t *
hb_yaml_new (const char *path)
{
    hb_yaml_t *self = calloc (1, sizeof *self);
    if (!self || !(self->path = strdup (path))) {
        free (self);
        return NULL;
    }
    char *text = s_read_file (self);
    if (!text || s_check_nesting (self, text) != 0) {
        free (text);
        return self;
    }

    yaml_parser_t parser;
    yaml_parser_initialize (&parser);
    yaml_parser_set_input_string (&parser, (const unsigned char *) text, strlen (text));
    if (!yaml_parser_load (&parser, &self->document))
        s_parse_error (self, &parser, text);
    else {
        self->loaded = true;
        yaml_node_t *root = yaml_document_get_root_node (&self->document);
        //  A second document would be silently ignored otherwise
        yaml_document_t next;
        if (root && !yaml_parser_load (&parser, &next))
            s_parse_error (self, &parser, text);
        else
        if (root) {
            if (yaml_document_get_root_node (&next))
                s_record (self, (int) next.start_mark.line + 1, "(yaml)",
                          "a second document: the file must hold exactly one", NULL);
            yaml_document_delete (&next);
        }
        size_t n_nodes = (size_t) (self->document.nodes.top - self->document.nodes.start);
        if (root && (self->visited = calloc (n_nodes, sizeof (bool))) != NULL)
            s_walk (self, root, "", 0);
        free (self->visited);
        self->visited = NULL;
    }
    yaml_parser_delete (&parser);
    free (text);
    return self;
}

hb_yaml_t *
hb_yaml_new_empty (const char *name)
{
    hb_yaml_t *self = calloc (1, sizeof *self);
    if (!self || !(self->path = strdup (name))) {
        free (self);
        return NULL;
    }
    return self;
}

void
hb_yaml_destroy (hb_yaml_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    hb_yaml_t *self = *self_p;
    if (self->loaded)
        yaml_document_delete (&self->document);
    for (int i = 0; i < self->n_errors; i++)
        free (self->errors [i].text);
    free (self->errors);
    free (self->path);
    free (self);
    *self_p = NULL;
}

int
hb_yaml_root (hb_yaml_t *self, hb_ynode_t *root)
{
    memset (root, 0, sizeof *root);
    root->doc = self;
    root->line = 1;
    strcpy (root->path, "(document)");
    if (!self->loaded)
        return -1;         //  why is already recorded
    root->node = yaml_document_get_root_node (&self->document);
    if (!root->node) {
        s_record (self, 1, root->path, "empty file: expected a mapping with hedgebus: 1 and the deployment", NULL);
        return -1;
    }
    root->line = s_line (root->node);
    root->path [0] = 0;     //  top-level keys are named on their own
    return 0;
}

static void
s_error_v (const hb_ynode_t *at, const char *format, va_list args)
{
    char message [512];
    vsnprintf (message, sizeof message, format, args);
    const char *value = s_scalar (at->node);
    s_record (at->doc, at->line, *at->path ? at->path : "(document)", message, value);
}

void
hb_yaml_error (const hb_ynode_t *at, const char *format, ...)
{
    va_list args;
    va_start (args, format);
    s_error_v (at, format, args);
    va_end (args);
}

void
hb_yaml_error_at (hb_yaml_t *self, int line, const char *path, const char *format, ...)
{
    char message [512];
    va_list args;
    va_start (args, format);
    vsnprintf (message, sizeof message, format, args);
    va_end (args);
    s_record (self, line, path, message, NULL);
}

int
hb_yaml_errors (const hb_yaml_t *self)
{
    return self->n_errors + self->n_dropped;
}

const char *
hb_yaml_path (const hb_yaml_t *self)
{
    return self->path;
}

static int
s_error_compare (const void *a, const void *b)
{
    const s_error_t *ea = a, *eb = b;
    return ea->line != eb->line ? (ea->line > eb->line) - (ea->line < eb->line)
                                : ea->order - eb->order;
}

static void
s_emit (char *errbuf, size_t errsize, const char *line)
{
    if (!errbuf) {
        fprintf (stderr, "%s\n", line);
        return;
    }
    size_t used = strnlen (errbuf, errsize);
    if (used + 1 < errsize)
        snprintf (errbuf + used, errsize - used, "%s\n", line);
}

void
hb_yaml_report (const hb_yaml_t *self, char *errbuf, size_t errsize)
{
    //  Sorting a copy keeps report () const and repeatable
    s_error_t *sorted = self->n_errors ? malloc ((size_t) self->n_errors * sizeof *sorted) : NULL;
    const s_error_t *errors = self->errors;
    if (sorted) {
        memcpy (sorted, self->errors, (size_t) self->n_errors * sizeof *sorted);
        qsort (sorted, (size_t) self->n_errors, sizeof *sorted, s_error_compare);
        errors = sorted;
    }
    for (int i = 0; i < self->n_errors; i++)
        s_emit (errbuf, errsize, errors [i].text);
    if (self->n_dropped) {
        char line [HB_YAML_PATH_MAX + 64];
        snprintf (line, sizeof line, "%.*s: %d more errors not shown",
                  HB_YAML_PATH_MAX, self->path, self->n_dropped);
        s_emit (errbuf, errsize, line);
    }
    free (sorted);
}

//  ---------------------------------------------------------------------------
//  Walking

bool
hb_ynode_present (const hb_ynode_t *self)
{
    return self->node != NULL;
}

bool
hb_ynode_is_map (const hb_ynode_t *self)
{
    return self->node && self->node->type == YAML_MAPPING_NODE;
}

bool
hb_ynode_is_seq (const hb_ynode_t *self)
{
    return self->node && self->node->type == YAML_SEQUENCE_NODE;
}

bool
hb_yamli_is_null (const yaml_node_t *node)
{
    if (!node || node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *text = (const char *) node->data.scalar.value;
    return !*text || strcmp (text, "~") == 0 || strcasecmp (text, "null") == 0;
}

const char *
hb_ynode_type (const hb_ynode_t *self)
{
    if (!self->node)
        return "nothing";
    if (self->node->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (self->node->type == YAML_SEQUENCE_NODE)
        return "a list";
    if (hb_yamli_is_null (self->node))
        return "an empty value";
    if (self->node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return "a quoted string";
    return "a scalar";
}

bool
hb_ynode_expect_map (const hb_ynode_t *self)
{
    if (hb_ynode_is_map (self))
        return true;
    if (self->node)
        hb_yaml_error (self, "expected a mapping (key: value ...), got %s", hb_ynode_type (self));
    return false;
}

bool
hb_ynode_expect_seq (const hb_ynode_t *self)
{
    if (hb_ynode_is_seq (self))
        return true;
    if (self->node)
        hb_yaml_error (self, "expected a list, got %s", hb_ynode_type (self));
    return false;
}

//  Edit distance, for "did you mean": keys are short, so O(n*m) is fine
static int
s_distance (const char *a, const char *b)
{
    size_t la = strlen (a), lb = strlen (b);
    if (la > 40 || lb > 40)
        return 99;
    int row [41];
    for (size_t j = 0; j <= lb; j++)
        row [j] = (int) j;
    for (size_t i = 1; i <= la; i++) {
        int diagonal = row [0];
        row [0] = (int) i;
        for (size_t j = 1; j <= lb; j++) {
            int above = row [j];
            int cost = tolower ((unsigned char) a [i - 1]) != tolower ((unsigned char) b [j - 1]);
            int best = diagonal + cost;
            if (row [j] + 1 < best)
                best = row [j] + 1;
            if (row [j - 1] + 1 < best)
                best = row [j - 1] + 1;
            row [j] = best;
            diagonal = above;
        }
    }
    return row [lb];
}

int
hb_ynode_check_keys (const hb_ynode_t *self, const char *const *known)
{
    int unknown = 0;
    int n = hb_ynode_is_map (self) ? hb_ynode_size (self) : 0;
    for (int i = 0; i < n; i++) {
        const char *key;
        hb_ynode_t child;
        if (hb_ynode_pair (self, i, &key, &child) != 0 || !key)
            continue;
        const char *nearest = NULL;
        int best = 3;
        bool found = false;
        for (int k = 0; known [k] && !found; k++) {
            found = strcmp (key, known [k]) == 0;
            int distance = s_distance (key, known [k]);
            if (distance < best && distance * 3 <= (int) strlen (known [k])) {
                best = distance;
                nearest = known [k];
            }
        }
        if (found)
            continue;
        unknown++;
        char message [96] = "unknown key";
        if (nearest)
            snprintf (message, sizeof message, "unknown key (did you mean '%s'?)", nearest);
        s_record (self->doc, child.line, child.path, message, NULL);
    }
    return unknown;
}

int
hb_ynode_size (const hb_ynode_t *self)
{
    if (hb_ynode_is_map (self))
        return (int) (self->node->data.mapping.pairs.top - self->node->data.mapping.pairs.start);
    if (hb_ynode_is_seq (self))
        return (int) (self->node->data.sequence.items.top - self->node->data.sequence.items.start);
    return 0;
}

int
hb_ynode_pair (const hb_ynode_t *self, int index, const char **key, hb_ynode_t *child)
{
    if (index < 0 || index >= hb_ynode_size (self) || !hb_ynode_is_map (self))
        return -1;
    yaml_document_t *document = &self->doc->document;
    yaml_node_pair_t *pair = &self->node->data.mapping.pairs.start [index];
    yaml_node_t *key_node = yaml_document_get_node (document, pair->key);
    *key = s_scalar (key_node);
    child->doc = self->doc;
    child->node = yaml_document_get_node (document, pair->value);
    child->line = s_line (key_node);
    s_path_join (child->path, self->path, *key ? *key : "?");
    return 0;
}

int
hb_ynode_get (const hb_ynode_t *self, const char *key, hb_ynode_t *child)
{
    int n = hb_ynode_is_map (self) ? hb_ynode_size (self) : 0;
    for (int i = 0; i < n; i++) {
        const char *name;
        //  the first of duplicate keys wins; the duplicate is reported at load
        if (hb_ynode_pair (self, i, &name, child) == 0 && name && strcmp (name, key) == 0)
            return 0;
    }
    child->doc = self->doc;
    child->node = NULL;
    child->line = self->line;
    s_path_join (child->path, self->path, key);
    return -1;
}

int
hb_ynode_need (const hb_ynode_t *self, const char *key, hb_ynode_t *child)
{
    if (hb_ynode_get (self, key, child) == 0)
        return 0;
    if (hb_ynode_is_map (self))
        s_record (self->doc, child->line, child->path, "missing required key", NULL);
    return -1;
}

int
hb_ynode_item (const hb_ynode_t *self, int index, hb_ynode_t *child)
{
    if (!hb_ynode_is_seq (self) || index < 0 || index >= hb_ynode_size (self))
        return -1;
    child->doc = self->doc;
    child->node = yaml_document_get_node (&self->doc->document,
                                          self->node->data.sequence.items.start [index]);
    child->line = s_line (child->node);
    s_path_index (child->path, self->path, index);
    return 0;
}

const char *
hb_ynode_scalar (const hb_ynode_t *self)
{
    return s_scalar (self->node);
}
