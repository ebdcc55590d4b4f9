/*  hb_config_int: what the parts of the config loader share; not for use
    outside common/hb_config*.c. The calls form a tree, never a circle:
    hb_config.c (load, top level) calls the section readers (hb_config_venue,
    _risk, _hedger, _treasury, _hosts, _security), which call the typed readers
    (hb_config_read.c) and the lookups (hb_config_query.c); those two call
    only hb_yaml.

    Every reader below reports problems through hb_yaml (file, line, key
    path) and carries on, so one load lists every mistake in the file.     */
#ifndef HB_CONFIG_INT_H
#define HB_CONFIG_INT_H

#include "hb_config.h"
#include "hb_yaml.h"

#define HB_CFG_IPC_PATH_MAX     107     //  sun_path less its NUL
#define HB_CFG_ENDPOINTS_MAX    (HB_MAX_VENUES + HB_MAX_COMPONENTS + 1)

//  A closed or open interval for a number; INFINITY for no bound.
typedef struct {
    double lo, hi;
    bool   lo_open, hi_open;
} hb_cfg_range_t;

extern const hb_cfg_range_t hb_cfg_positive;    //  (0, inf)
extern const hb_cfg_range_t hb_cfg_nonneg;      //  [0, inf)
extern const hb_cfg_range_t hb_cfg_unit;        //  (0, 1]

typedef struct {
    char endpoint [HB_ENDPOINT_MAX];
    char path [HB_YAML_PATH_MAX];
    int  line;
} hb_cfg_endpoint_t;

//  The state of one load.
typedef struct {
    hb_yaml_t          *yaml;
    hb_config_t        *cfg;
    hb_cfg_endpoint_t   endpoints [HB_CFG_ENDPOINTS_MAX];
    int                 n_endpoints;
} hb_cfg_loader_t;

//  True when value lies in range.
bool hb_cfg_in_range (double value, const hb_cfg_range_t *range);

//  Every endpoint some process of the config binds, with its owner (the
//  certificate it serves with) and where the file says so (hb_config_query.c).
typedef struct {
    const char *endpoint;
    char        owner [HB_KEY_NAME_MAX];
    char        key [HB_YAML_PATH_MAX];
    int         line;
} hb_cfg_bound_t;

#define HB_CFG_BOUND_MAX (2 * HB_MAX_VENUES + HB_MAX_COMPONENTS + 4)

//  Fills list (HB_CFG_BOUND_MAX entries), each endpoint once; returns how many.
int hb_cfg_bound (const hb_config_t *cfg, hb_cfg_bound_t *list);

//  Reads map.key as a number into *out, or leaves dflt there when the key is
//  absent and not required. Returns 0 when *out holds a valid value, -1
//  (reported) when the key is missing but required, not a number or out of
//  range.
int hb_cfg_number (const hb_ynode_t *map, const char *key, bool required, double dflt,
                   const hb_cfg_range_t *range, double *out);

//  Reads map.key as an integer in [min, max], dflt when absent. 0 / -1.
int hb_cfg_integer (const hb_ynode_t *map, const char *key, int dflt, int min, int max, int *out);

//  map.key as a boolean, dflt when absent or invalid (reported).
bool hb_cfg_bool (const hb_ynode_t *map, const char *key, bool dflt);

//  map.metrics, a host:port for Prometheus (hb_metrics_address_check), into
//  out (HB_ENDPOINT_MAX bytes); "" when absent.
void hb_cfg_metrics (const hb_ynode_t *map, char *out);

//  A name (hb_name_valid) given as a scalar value into name
//  (HB_NAME_MAX bytes). 0 / -1 (reported).
int hb_cfg_name (const hb_ynode_t *node, char *name);

//  A name given as a mapping key (assets:, venues:, components:). 0 / -1.
int hb_cfg_key_name (hb_cfg_loader_t *self, const hb_ynode_t *entry, const char *key, char *name);

//  Reads map.key as an endpoint into out (HB_ENDPOINT_MAX bytes), or
//  builds ipc://<run_dir>/<dflt_name> when the key is absent and dflt_name
//  is not NULL, and claims it: an endpoint used twice in the file is an
//  error naming the first user. out is "" when there is none or it is bad.
void hb_cfg_endpoint_key (hb_cfg_loader_t *self, const hb_ynode_t *map, const char *key,
                          const char *dflt_name, char *out);

//  The venues: section (hb_config_venue.c).
void hb_cfg_venues (hb_cfg_loader_t *self, const hb_ynode_t *root);

//  venues.X.discover (hb_config_discover.c), called by hb_cfg_venues.
void hb_cfg_discover (hb_cfg_loader_t *self, const hb_ynode_t *map, hb_venue_cfg_t *venue);

//  components.risk (hb_config_risk.c): its own keys, NULL when the key list
//  is wanted for hb_ynode_check_keys; with map NULL only the defaults.
extern const char *const hb_cfg_risk_keys [];
void hb_cfg_risk (hb_cfg_loader_t *self, const hb_ynode_t *map, hb_component_cfg_t *component);

//  components.hedger (hb_config_hedger.c), the same shape as the risk
//  pair above; runs after venues (it names them).
extern const char *const hb_cfg_hedger_keys [];
void hb_cfg_hedger (hb_cfg_loader_t *self, const hb_ynode_t *map, hb_component_cfg_t *component);

//  The treasury: section (hb_config_treasury.c), defaults when absent;
//  runs after venues and components (routes name venues, and the
//  treasury component publishes on its endpoint).
void hb_cfg_treasury (hb_cfg_loader_t *self, const hb_ynode_t *root);

//  The hosts: section, then host:, enabled: and program: of every venue
//  and component (hb_config_hosts.c); runs after venues and components.
void hb_cfg_hosts (hb_cfg_loader_t *self, const hb_ynode_t *root);

//  The security: section, and the rule that a tcp endpoint off loopback
//  needs it (hb_config_security.c); runs last, over every endpoint claimed.
void hb_cfg_security (hb_cfg_loader_t *self, const hb_ynode_t *root);

#endif
