/* cli_sets.c -- the repeatable `--set KEY=VALUE` option that run, check,
 * sweep and solve share: the texts are kept in command-line order (later
 * ones win) and handed to ipsim_scenario_load_with(). */
#include <stdlib.h>

#include "cli.h"

int cli_sets_add(cli_sets *s, const char *arg)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        const char **v = realloc(s->v, cap * sizeof *v);
        if (!v) {
            fprintf(stderr, "ipsim: out of memory\n");
            return CLI_EXIT_FAIL;
        }
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = arg;
    return 0;
}

void cli_sets_free(cli_sets *s)
{
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}
