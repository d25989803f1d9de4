/* cli_table.c -- what the CLI prints as results: the target table and the
 * progress bar of a run. */
#include "cli.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics.h"

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void target_label(char *buf, size_t n, const ipsim_scenario *scn, const ipsim_target *t)
{
    snprintf(buf, n, "%s", t->name);
    (void)scn;
}

void cli_table_targets(FILE *out, const ipsim_scenario *scn, const ipsim_target_stats *st)
{
    if (scn->n_targets == 0) {
        fprintf(out, "(no targets in this scenario)\n");
        return;
    }
    int w = 6;
    for (size_t k = 0; k < scn->n_targets; k++) {
        int len = (int)strlen(scn->targets[k].name);
        if (len > w)
            w = len;
    }
    if (w > 40)
        w = 40;
    fprintf(out, "%-*s  %-14s  %6s  %-15s  %12s  %12s  %12s  %12s\n", w, "target", "condition",
            "P(met)", "95% interval", "q05", "median", "q95", "shortfall");
    for (size_t k = 0; k < scn->n_targets; k++) {
        const ipsim_target *t = &scn->targets[k];
        const ipsim_target_stats *s = &st[k];
        char label[256], cond[64], ci[32];
        target_label(label, sizeof label, scn, t);
        snprintf(cond, sizeof cond, "%s %.6g", t->op == IPSIM_OP_GE ? ">=" : "<=", t->value);
        snprintf(ci, sizeof ci, "[%.3f, %.3f]", s->p_low, s->p_high);
        fprintf(out, "%-*.*s  %-14s  %6.3f  %-15s  %12.6g  %12.6g  %12.6g  %12.6g\n", w, w, label,
                cond, s->p_met, ci, s->q[0], s->q[2], s->q[4], s->shortfall);
    }
}

void cli_progress_start(cli_progress *p, FILE *out)
{
    p->out = out;
    p->t0 = cli_now();
    p->active = out != NULL;
}

int cli_progress_update(void *ctx, size_t done, size_t total)
{
    cli_progress *p = ctx;
    if (!p->active)
        return 0;
    double el = cli_now() - p->t0, rate = el > 0 ? (double)done / el : 0.0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0.0;
    int width = 30, fill = (int)((double)width * (double)done / (double)total);
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = '\0';
    fprintf(p->out, "\r[%s] %3.0f%%  %zu/%zu paths  %.0f paths/s  ETA %.0f s   ", bar,
            100.0 * (double)done / (double)total, done, total, rate, ceil(eta));
    fflush(p->out);
    return 0;
}

void cli_progress_end(cli_progress *p)
{
    if (p->active) {
        fprintf(p->out, "\r%*s\r", 90, "");
        fflush(p->out);
    }
}
