/*  hb-keygen: makes CURVE certificates for the bus (see hb_curve.h).

        hb-keygen --out DIR [--force] NAME ...

    For each NAME writes DIR/NAME.key (the public certificate: copy it to
    every host of the deployment) and DIR/NAME.key_secret (mode 0600: keep
    it on the host that runs NAME only), in czmq's zcert format. NAME is
    the process the certificate is for: feed.<venue>, a component name, or
    an operator tool's (tap, top, record, replay). An existing certificate
    is kept unless --force. Prints "NAME PUBLIC-KEY" per certificate.

    Exit status: 0, 1 when a certificate could not be written (the others
    are), 2 on a usage error.                                             */
#include "hb_curve.h"
#include "hb_log.h"

#include <getopt.h>

static int
s_usage (const char *why)
{
    if (why)
        fprintf (stderr, "hb-keygen: %s\n", why);
    fprintf (stderr, "usage: hb-keygen --out DIR [--force] NAME ...\n");
    return 2;
}

int
main (int argc, char *argv [])
{
    static const struct option options [] = {
        { "out",   required_argument, NULL, 'o' },
        { "force", no_argument,       NULL, 'f' },
        { "help",  no_argument,       NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    const char *dir = NULL;
    bool force = false;
    int opt;
    while ((opt = getopt_long (argc, argv, "o:fh", options, NULL)) != -1) {
        switch (opt) {
            case 'o': dir = optarg; break;
            case 'f': force = true; break;
            case 'h': s_usage (NULL); return 0;
            default:  return s_usage (NULL);
        }
    }
    if (!dir)
        return s_usage ("--out DIR is required");
    if (optind == argc)
        return s_usage ("name at least one certificate");
    for (int i = optind; i < argc; i++)
        if (!hb_curve_name_valid (argv [i]))
            return s_usage ("a NAME is 1 to 47 of A-Z a-z 0-9 . _ : - (not starting with .)");
    hb_log_init ("keygen", HB_LOG_INFO);
    int rc = 0;
    for (int i = optind; i < argc; i++) {
        char public_txt [41];
        if (hb_curve_keygen (dir, argv [i], force, public_txt) == 0)
            printf ("%s %s\n", argv [i], public_txt);
        else
            rc = 1;
    }
    return rc;
}
