/*  hb_yaml_int: what the two parts of hb_yaml share. hb_yaml.c holds the
    document (load, errors, report) and the walk; hb_yaml_scalar.c the
    typed scalars. Internal to those two files.                            */
#ifndef HB_YAML_INT_H
#define HB_YAML_INT_H

#include <stdbool.h>
#include <yaml.h>

//  True for a plain scalar that YAML reads as null: empty, "~" or "null"
//  (any case). A quoted "null" is a string; NULL or any other node is not
//  null.
bool hb_yamli_is_null (const yaml_node_t *node);

#endif
