/*  deribit_rpc: what the engine's two halves (deribit_venue.c: connection
    and market data; deribit_order.c: orders, acks and fills) both use and
    that calls neither: JSON-RPC requests out, with the table of requests in
    flight their answers are matched against; the host's clock and log
    (with a rate limit for conditions that repeat on every frame); the
    instrument lookup and the conversion of coin prices to USD.

    So the calls go one way: deribit_venue.c dispatches answers and
    notifications to deribit_order.c, and both call down into this file.   */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "deribit_venue_int.h"

int64_t
deribit_venue_now (deribit_venue_t *self)
{
    return self->host->now_ns (self->host->ctx);
}

void
deribit_venue_log (deribit_venue_t *self, int level, const char *format, ...)
{
    char line [512];
    va_list args;
    va_start (args, format);
    vsnprintf (line, sizeof line, format, args);
    va_end (args);
    self->host->log (self->host->ctx, level, "%s", line);
}

void
deribit_venue_complain (deribit_venue_t *self, uint64_t count, const char *format, ...)
{
    if (count > 10 && count % 1000 != 0)
        return;
    char line [512];
    va_list args;
    va_start (args, format);
    vsnprintf (line, sizeof line, format, args);
    va_end (args);
    self->host->log (self->host->ctx, HB_LOG_WARN, "%s (%llu so far)", line,
                     (unsigned long long) count);
}

int
deribit_venue_find_inst (const deribit_venue_t *self, const char *deribit_name)
{
    for (int i = 0; i < self->n_inst; i++)
        if (strcmp (self->inst [i].name, deribit_name) == 0)
            return i;
    return -1;
}

double
deribit_venue_usd (const deribit_inst_t *inst, double price, double index)
{
    if (!inst->coin_quoted)
        return price;
    if (!(index > 0))
        index = inst->index;
    return index > 0 ? price * index : 0;
}

int64_t
deribit_venue_rpc (deribit_venue_t *self, int kind, const char *method, json_t *params,
                   int inst, int order)
{
    if (!self->connected) {
        json_decref (params);
        return -1;
    }
    int64_t id = ++self->next_id;
    json_t *req = json_pack ("{s:s, s:I, s:s, s:o}", "jsonrpc", "2.0", "id", (json_int_t) id,
                             "method", method, "params", params ? params : json_object ());
    size_t len = req ? json_dumpb (req, self->text, sizeof self->text, JSON_COMPACT) : 0;
    json_decref (req);
    if (len == 0 || len >= sizeof self->text) {
        deribit_venue_log (self, HB_LOG_ERROR, "%s: request does not fit in %zu bytes", method,
                           sizeof self->text);
        return -1;
    }
    if (self->link.send (self->link.arg, self->text, len)) {
        self->stats.send_failed++;
        deribit_venue_complain (self, self->stats.send_failed, "%s: the connection refused the request",
                                method);
        return -1;
    }
    deribit_req_t *slot = &self->reqs [id % DERIBIT_REQS];
    if (slot->id)
        deribit_venue_log (self, HB_LOG_WARN, "request %lld never answered, forgotten",
                           (long long) slot->id);
    *slot = (deribit_req_t) { id, kind, inst, order, deribit_venue_now (self),
                              order >= 0 && order < DERIBIT_ORDERS ? self->orders [order].gen : 0 };
    return id;
}
