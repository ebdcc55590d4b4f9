/*  hb-keygen: makes CURVE certificates for the bus (see hb_curve.h).

        hb-keygen --out DIR [--force] NAME ...

    For each NAME writes DIR/NAME.key (the public certificate: copy it to
    every host of the deployment) and DIR/NAME.key_secret (mode 0600: keep
    it on the host that runs NAME only), in czmq's zcert format. NAME is
    the process the certificate is for: feed.<venue>, a component name, or
    an operator tool's (tap, top, record, replay). An existing certificate
    is kept unless --force. Prints "NAME PUBLIC-KEY" per certificate.

    Exit status: 0, 1 when a certificate could not be written (the others
    are), 2 on a usage error. On the service skeleton (hb_service.h),
    options and logging only: no config, no reactor.                                             */
#include "hb_curve.h"
#include "hb_log.h"
#include "hb_service.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    const char *dir;
    bool        force;
    int         n_names;
    char      **names;
} s_state_t;

static int
s_option (void *arg, const char *name, const char *value)
{
    s_state_t *state = (s_state_t *) arg;
    if (strcmp (name, "out") == 0)
        state->dir = value;
    else
        state->force = true;
    return 0;
}

static int
s_args (void *arg, int argc, char **argv)
{
    s_state_t *state = (s_state_t *) arg;
    if (!state->dir) {
        fprintf (stderr, "hb-keygen: --out DIR is required\n");
        return -1;
    }
    if (argc == 0) {
        fprintf (stderr, "hb-keygen: name at least one certificate\n");
        return -1;
    }
    for (int i = 0; i < argc; i++)
        if (!hb_curve_name_valid (argv [i])) {
            fprintf (stderr, "hb-keygen: a NAME is 1 to 47 of A-Z a-z 0-9 . _ : - "
                             "(not starting with .)\n");
            return -1;
        }
    state->n_names = argc;
    state->names = argv;
    return 0;
}

static int
s_setup (hb_service_t *service, void *arg)
{
    (void) service;
    s_state_t *state = (s_state_t *) arg;
    int rc = 0;
    for (int i = 0; i < state->n_names; i++) {
        char public_txt [41];
        if (hb_curve_keygen (state->dir, state->names [i], state->force, public_txt) == 0)
            printf ("%s %s\n", state->names [i], public_txt);
        else
            rc = 1;
    }
    return rc;
}

int
main (int argc, char *argv [])
{
    static const hb_service_option_t options [] = { { "out", "DIR" }, { "force", NULL }, { NULL } };
    static s_state_t state;
    static const hb_service_def_t def = {
        .program   = "hb-keygen",
        .component = "keygen",
        .usage     = "--out DIR [--force] NAME ...",
        .config_optional = true,
        .options   = options,
        .option    = s_option,
        .args      = s_args,
        .setup     = s_setup,
        .state     = &state,
    };
    return hb_service_main (&def, argc, argv);
}
