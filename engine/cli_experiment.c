/* cli_experiment.c -- options and set-up shared by `ipsim sweep` and
 * `ipsim solve` (see cli_experiment.h). */
#include "cli_experiment.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

void cli_exp_init(cli_exp_args *a)
{
    memset(a, 0, sizeof *a);
    ipsim_experiment_opts_init(&a->o);
}

int cli_exp_option(const char *cmd, cli_exp_args *a, int k, const char *arg)
{
    int rc = 0;
    switch (k) {
    case CLI_EXP_PATHS:
        rc = cli_paths(cmd, arg, &a->o.n_paths);
        break;
    case CLI_EXP_SEED:
        rc = cli_seed(cmd, arg, &a->o.seed);
        a->o.seed_given = 1;
        break;
    case CLI_EXP_THREADS:
        rc = cli_threads(cmd, arg, &a->o.threads);
        break;
    case CLI_EXP_SET:
        rc = cli_sets_add(&a->sets, arg);
        break;
    }
    return rc;
}

int cli_exp_open(cli_exp_args *a, const char *scenario, ipsim_experiment **x)
{
    ipsim_error err = {0};
    if (ipsim_experiment_open(x, scenario, a->sets.v, a->sets.n, &a->o, &err) != IPSIM_OK)
        return cli_fail(&err);
    return 0;
}

void cli_exp_done(cli_exp_args *a, ipsim_experiment *x)
{
    ipsim_experiment_close(x);
    cli_sets_free(&a->sets);
}

int cli_exp_fail(const char *cmd, const char *opt, const ipsim_error *e)
{
    fprintf(stderr, "ipsim %s: %s: %s\n", cmd, opt, e->msg);
    return ipsim_error_exit_status(e->code);
}

int cli_exp_number(const char *cmd, const char *opt, const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    if (s[0] == '\0' || isspace((unsigned char)s[0]) || *end != '\0' || errno == ERANGE ||
        !isfinite(*out)) {
        fprintf(stderr, "ipsim %s: %s: '%s' is not valid (expected a number)\n", cmd, opt, s);
        return CLI_EXIT_INPUT;
    }
    return 0;
}

size_t cli_exp_key_len(const char *s)
{
    const char *p = s;
    while (*p && *p != '=') {
        if (*p++ != '[')
            continue;
        if (*p == '"') /* a quoted name: skip to its closing quote */
            for (p++; *p && *p != '"'; p++)
                p += p[0] == '\\' && p[1];
        p = strchr(p, ']') ? strchr(p, ']') + 1 : p + strlen(p);
    }
    return (size_t)(p - s);
}
