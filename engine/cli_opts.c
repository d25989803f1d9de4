/* cli_opts.c -- the one option parser and help layout every subcommand
 * uses, so options, --help and exit statuses behave the same everywhere. */
#include "cli.h"
#include "stream.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void cli_help(FILE *out, const cli_command *cmd)
{
    fprintf(out, "usage: %s\n\n%s\n\noptions:\n", cmd->synopsis, cmd->summary);
    for (const cli_option *o = cmd->options; o->long_name; o++) {
        char left[64];
        if (o->short_name)
            snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->long_name,
                     o->arg ? " " : "", o->arg ? o->arg : "");
        else
            snprintf(left, sizeof left, "    --%s%s%s", o->long_name, o->arg ? " " : "",
                     o->arg ? o->arg : "");
        fprintf(out, "  %-28s %s\n", left, o->help);
    }
    fprintf(out, "  %-28s %s\n", "-h, --help", "show this help and exit");
    if (cmd->example)
        fprintf(out, "\nexample:\n  %s\n", cmd->example);
    fprintf(out, "\nexit status: 0 success, 2 bad input, 1 other failure\n");
}

static int find_option(const cli_command *cmd, const char *arg, const char **value)
{
    *value = NULL;
    for (int i = 0; cmd->options[i].long_name; i++) {
        const cli_option *o = &cmd->options[i];
        if (arg[1] == '-') {
            size_t n = strlen(o->long_name);
            if (strncmp(arg + 2, o->long_name, n) == 0 && (arg[2 + n] == '\0' || arg[2 + n] == '=')) {
                if (arg[2 + n] == '=')
                    *value = arg + 3 + n;
                return i;
            }
        } else if (o->short_name && arg[1] == o->short_name) {
            if (arg[2] != '\0')
                *value = arg + 2;
            return i;
        }
    }
    return -1;
}

int cli_parse(const cli_command *cmd, int argc, char **argv, cli_option_fn fn, void *ctx,
              const char **pos, int max_pos, int *n_pos)
{
    *n_pos = 0;
    int only_pos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_pos || a[0] != '-' || a[1] == '\0') {
            if (*n_pos >= max_pos) {
                fprintf(stderr, "ipsim %s: unexpected argument '%s' (see 'ipsim %s --help')\n",
                        cmd->name, a, cmd->name);
                return CLI_EXIT_INPUT;
            }
            pos[(*n_pos)++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_pos = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_help(stdout, cmd);
            return -1;
        }
        const char *value;
        int k = find_option(cmd, a, &value);
        if (k < 0) {
            fprintf(stderr, "ipsim %s: unknown option '%s' (see 'ipsim %s --help')\n", cmd->name, a,
                    cmd->name);
            return CLI_EXIT_INPUT;
        }
        const cli_option *o = &cmd->options[k];
        if (o->arg && !value) {
            if (i + 1 >= argc) {
                fprintf(stderr, "ipsim %s: option '%s' needs a value (%s)\n", cmd->name, a, o->arg);
                return CLI_EXIT_INPUT;
            }
            value = argv[++i];
        } else if (!o->arg && value) {
            fprintf(stderr, "ipsim %s: option '--%s' takes no value\n", cmd->name, o->long_name);
            return CLI_EXIT_INPUT;
        }
        int rc = fn(ctx, k, value);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int cli_whole(const char *cmd, const char *opt, const char *s, unsigned long long lo,
              unsigned long long hi, unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    /* strtoull would skip leading blanks and wrap a '-' around (" -1": 2^64 - 1) */
    if (!isdigit((unsigned char)s[0]) || *end != '\0' || errno == ERANGE || v < lo || v > hi) {
        fprintf(stderr, "ipsim %s: %s: '%s' is not valid (expected a whole number from %llu to %llu)\n",
                cmd, opt, s, lo, hi);
        return CLI_EXIT_INPUT;
    }
    *out = v;
    return 0;
}

/* --store summary|yearly|monthly, as every command that runs paths spells it. */
int cli_store_parse(const char *cmd, const char *arg, enum ipsim_store *out)
{
    static const char *const names[] = {"summary", "yearly", "monthly"};
    for (int i = 0; i < 3; i++)
        if (strcmp(arg, names[i]) == 0) {
            *out = (enum ipsim_store)i;
            return 0;
        }
    fprintf(stderr, "ipsim %s: --store: '%s' is not valid (expected summary, yearly or monthly)\n",
            cmd, arg);
    return CLI_EXIT_INPUT;
}

/* The run options every command shares take the same ranges everywhere. */
int cli_paths(const char *cmd, const char *arg, size_t *out)
{
    unsigned long long v = 0;
    int rc = cli_whole(cmd, "-n/--paths", arg, 1, IPSIM_STREAM_MAX_PATHS, &v);
    *out = (size_t)v;
    return rc;
}

int cli_seed(const char *cmd, const char *arg, uint64_t *out)
{
    unsigned long long v = 0;
    int rc = cli_whole(cmd, "-s/--seed", arg, 0, UINT64_MAX, &v);
    *out = (uint64_t)v;
    return rc;
}

int cli_threads(const char *cmd, const char *arg, int *out)
{
    unsigned long long v = 0;
    int rc = cli_whole(cmd, "-j/--threads", arg, 1, 4096, &v);
    *out = (int)v;
    return rc;
}
