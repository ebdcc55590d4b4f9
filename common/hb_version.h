/*  hb_version: the one version string every program prints for --version
    (hb_service.h). Bump it here only.                                      */
#ifndef HB_VERSION_H
#define HB_VERSION_H

#define HB_VERSION "0.13.0"

#endif
