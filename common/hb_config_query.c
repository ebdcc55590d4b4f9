/*  hb_config_query: questions asked of a loaded config (lookups by name,
    which endpoints are bound and by whom, which need CURVE). Plain reads
    of hb_config_t: the loader's sections and hb_curve call these, these
    call nothing of theirs. See hb_config.h.                             */
#include "hb_config_int.h"

#include <arpa/inet.h>
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

const char *
hb_kind_name (hb_kind_t kind)
{
    static const char *names [] = { "?", "spot", "linear_perp", "inverse_perp", "future", "option" };
    return kind >= HB_KIND_SPOT && kind <= HB_KIND_OPTION ? names [kind] : "?";
}

const hb_venue_cfg_t *
hb_config_venue (const hb_config_t *self, const char *name)
{
    for (int i = 0; self && name && i < self->n_venues; i++)
        if (strcmp (self->venues [i].name, name) == 0)
            return &self->venues [i];
    return NULL;
}

const char *
hb_config_metrics (const hb_config_t *self, const char *name)
{
    const hb_component_cfg_t *component = hb_config_component (self, name);
    if (component)
        return component->metrics;
    if (name && strncmp (name, "feed.", 5) == 0)
        name += 5;
    const hb_venue_cfg_t *venue = hb_config_venue (self, name);
    return venue ? venue->metrics : "";
}

const hb_component_cfg_t *
hb_config_component (const hb_config_t *self, const char *name)
{
    for (int i = 0; self && name && i < self->n_components; i++)
        if (strcmp (self->components [i].name, name) == 0)
            return &self->components [i];
    return NULL;
}

int
hb_config_asset_index (const hb_config_t *self, const char *name)
{
    for (int i = 0; self && name && i < self->n_assets; i++)
        if (strcmp (self->assets [i].name, name) == 0)
            return i;
    return -1;
}

const hb_instrument_cfg_t *
hb_venue_instrument (const hb_venue_cfg_t *venue, const char *symbol)
{
    if (venue && symbol && venue->by_symbol && venue->n_by_symbol == venue->n_instruments) {
        //  the first of equal symbols: the leftmost match
        int lo = 0, hi = venue->n_by_symbol;
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (strcmp (venue->instruments [venue->by_symbol [mid]].symbol, symbol) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < venue->n_by_symbol && strcmp (venue->instruments [venue->by_symbol [lo]].symbol, symbol) == 0)
            return &venue->instruments [venue->by_symbol [lo]];
        return NULL;
    }
    for (int i = 0; venue && symbol && i < venue->n_instruments; i++)
        if (strcmp (venue->instruments [i].symbol, symbol) == 0)
            return &venue->instruments [i];
    return NULL;
}

double
hb_config_fill_usd (const hb_config_t *self, const hb_fill_t *fill)
{
    assert (self);
    assert (fill);
    const hb_venue_cfg_t *venue = hb_config_venue (self, fill->venue);
    const hb_instrument_cfg_t *ins = hb_venue_instrument (venue, fill->symbol);
    double mult = ins && ins->multiplier > 0 ? ins->multiplier : 1;
    return ins && ins->kind == HB_KIND_INVERSE_PERP ? fill->qty * mult : fill->qty * fill->px * mult;
}

bool
hb_config_fill_plausible (const hb_config_t *self, const hb_fill_t *fill)
{
    double usd = hb_config_fill_usd (self, fill);
    double max_usd = self->aggregator.max_fill_usd;         //  0: none (a config built in code)
    return isfinite (usd) && !(max_usd > 0 && usd > max_usd);
}

const char *
hb_venue_param (const hb_venue_cfg_t *venue, const char *key)
{
    for (int i = 0; venue && key && i < venue->n_params; i++)
        if (strcmp (venue->params [i].key, key) == 0)
            return venue->params [i].value;
    return NULL;
}

const hb_host_cfg_t *
hb_config_host (const hb_config_t *self, const char *name)
{
    for (int i = 0; self && name && i < self->n_hosts; i++)
        if (strcmp (self->hosts [i].name, name) == 0)
            return &self->hosts [i];
    return NULL;
}

bool
hb_config_key_name_valid (const char *name)
{
    if (!name)
        return false;
    size_t len = strlen (name);
    return len > 0 && len < HB_KEY_NAME_MAX && name [0] != '.'
        && strspn (name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-") == len;
}

static int
s_add (hb_cfg_bound_t *list, int n, const char *endpoint, const char *owner, const char *key, int line)
{
    if (!endpoint [0] || n == HB_CFG_BOUND_MAX)
        return n;
    for (int i = 0; i < n; i++)
        if (strcmp (list [i].endpoint, endpoint) == 0)
            return n;       //  a component's endpoint and its section's are one
    list [n].endpoint = endpoint;
    snprintf (list [n].owner, sizeof list [n].owner, "%s", owner);
    snprintf (list [n].key, sizeof list [n].key, "%s", key);
    list [n].line = line;
    return n + 1;
}

int
hb_cfg_bound (const hb_config_t *cfg, hb_cfg_bound_t *list)
{
    char owner [HB_KEY_NAME_MAX], key [HB_YAML_PATH_MAX];
    int n = 0;
    for (int i = 0; i < cfg->n_venues; i++) {
        const hb_venue_cfg_t *venue = &cfg->venues [i];
        snprintf (owner, sizeof owner, "feed.%s", venue->name);
        snprintf (key, sizeof key, "venues.%s.endpoint", venue->name);
        n = s_add (list, n, venue->endpoint, owner, key, venue->line);
        snprintf (key, sizeof key, "venues.%s.replay_endpoint", venue->name);
        n = s_add (list, n, venue->replay_endpoint, owner, key, venue->line);
    }
    for (int i = 0; i < cfg->n_components; i++) {
        const hb_component_cfg_t *component = &cfg->components [i];
        snprintf (key, sizeof key, "components.%s.endpoint", component->name);
        n = s_add (list, n, component->endpoint, component->name, key, component->line);
    }
    const hb_component_cfg_t *aggregator = hb_config_component (cfg, "aggregator");
    int line = aggregator ? aggregator->line : 0;
    n = s_add (list, n, cfg->aggregator.endpoint, "aggregator", "components.aggregator.endpoint", line);
    n = s_add (list, n, cfg->aggregator.snapshot_endpoint, "aggregator",
               "components.aggregator.snapshot_endpoint", line);
    const hb_component_cfg_t *risk = hb_config_component (cfg, "risk");
    n = s_add (list, n, cfg->risk.endpoint, "risk", "components.risk.endpoint", risk ? risk->line : 0);
    const hb_component_cfg_t *hedger = hb_config_component (cfg, "hedger");
    n = s_add (list, n, cfg->hedger.endpoint, "hedger", "components.hedger.endpoint",
               hedger ? hedger->line : 0);
    return n;
}

//  The host of tcp://host:port is a loopback address or localhost. A name
//  other than localhost counts as off loopback: it may resolve anywhere.
static bool
s_loopback (const char *endpoint)
{
    char host [HB_ENDPOINT_MAX];
    snprintf (host, sizeof host, "%s", endpoint + 6);
    char *colon = strrchr (host, ':');
    if (colon)
        *colon = 0;
    char *name = host;
    if (*name == '[') {
        name++;
        name [strcspn (name, "]")] = 0;
    }
    if (strcasecmp (name, "localhost") == 0)
        return true;
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton (AF_INET, name, &v4) == 1)
        return (ntohl (v4.s_addr) >> 24) == 127;
    if (inet_pton (AF_INET6, name, &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK (&v6) || (IN6_IS_ADDR_V4MAPPED (&v6) && v6.s6_addr [12] == 127);
    return false;
}

bool
hb_config_endpoint_curve (const hb_config_t *self, const char *endpoint)
{
    assert (endpoint);
    if (strncmp (endpoint, "tcp://", 6) != 0)
        return false;
    return (self && self->security.loopback) || !s_loopback (endpoint);
}

const char *
hb_config_bound_endpoint (const hb_config_t *self, int index, char *owner)
{
    assert (self);
    hb_cfg_bound_t list [HB_CFG_BOUND_MAX];
    int n = hb_cfg_bound (self, list);
    if (index < 0 || index >= n)
        return NULL;
    if (owner)
        strcpy (owner, list [index].owner);
    return list [index].endpoint;
}

size_t
hb_config_instrument_slots (const hb_config_t *self, size_t *first)
{
    assert (self);
    size_t n = 0;
    for (int v = 0; v < HB_MAX_VENUES; v++) {
        if (first)
            first [v] = n;
        if (v < self->n_venues && self->venues [v].n_instruments > 0)
            n += (size_t) self->venues [v].n_instruments;
    }
    return n;
}

double
hb_config_funding_bps (const hb_config_t *self, int v, int i)
{
    assert (self && v >= 0 && v < self->n_venues && i >= 0 && i < self->venues [v].n_instruments);
    return self->hedger.funding_bps [v] ? self->hedger.funding_bps [v][i] : 0;
}

double
hb_config_basis_bps (const hb_config_t *self, int v, int i)
{
    assert (self && v >= 0 && v < self->n_venues && i >= 0 && i < self->venues [v].n_instruments);
    return self->hedger.basis_bps [v] ? self->hedger.basis_bps [v][i] : 0;
}
