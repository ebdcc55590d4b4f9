/*  hb_log_level: the log levels, on their own so that the plugin SDK
    (feeds/hb_plugin.h, installed for plugins built out of tree) can name
    them without hb_log's functions, which a plugin cannot link: a plugin
    logs through host->log.                                                 */
#ifndef HB_LOG_LEVEL_H
#define HB_LOG_LEVEL_H

typedef enum {
    HB_LOG_ERROR = 0,
    HB_LOG_WARN  = 1,
    HB_LOG_INFO  = 2,
    HB_LOG_DEBUG = 3
} hb_log_level_t;

#endif
