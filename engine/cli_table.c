/* cli_table.c -- what the CLI prints as results: the target table, yearly
 * tables of a metric, and the progress bar of a run.  Numbers in tables
 * have 6 significant digits; NaN (no finite value) prints as "-". */
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

const char *cli_num(char buf[CLI_NUM_BUF], double v)
{
    if (isnan(v))
        snprintf(buf, CLI_NUM_BUF, "-");
    else
        snprintf(buf, CLI_NUM_BUF, "%.6g", v);
    return buf;
}

void cli_table_targets(FILE *out, const ipsim_scenario *scn, const ipsim_target_stats *st)
{
    cli_table_target_rows(out, scn->n_targets, scn->targets, st);
}

void cli_table_target_rows(FILE *out, size_t n, const ipsim_target *targets,
                           const ipsim_target_stats *st)
{
    if (n == 0) {
        fprintf(out, "(no targets in this scenario)\n");
        return;
    }
    int w = 6;
    for (size_t k = 0; k < n; k++) {
        int len = (int)strlen(targets[k].name);
        if (len > w)
            w = len;
    }
    if (w > 40)
        w = 40;
    fprintf(out, "%-*s  %-14s  %6s  %-15s  %12s  %12s  %12s  %12s\n", w, "target", "condition",
            "P(met)", "95% interval", "q05", "median", "q95", "shortfall");
    for (size_t k = 0; k < n; k++) {
        const ipsim_target *t = &targets[k];
        const ipsim_target_stats *s = &st[k];
        char cond[64], ci[32], q0[CLI_NUM_BUF], q2[CLI_NUM_BUF], q4[CLI_NUM_BUF], sf[CLI_NUM_BUF];
        snprintf(cond, sizeof cond, "%s %.6g", t->op == IPSIM_OP_GE ? ">=" : "<=", t->value);
        snprintf(ci, sizeof ci, "[%.3f, %.3f]", s->p_low, s->p_high);
        fprintf(out, "%-*.*s  %-14s  %6.3f  %-15s  %12s  %12s  %12s  %12s\n", w, w, t->name, cond,
                s->p_met, ci, cli_num(q0, s->q[0]), cli_num(q2, s->q[2]), cli_num(q4, s->q[4]),
                cli_num(sf, s->shortfall));
    }
}

void cli_table_yearly_header(FILE *out, const char *what)
{
    fprintf(out, "%-26s  %-5s  %12s  %12s  %12s  %12s\n", what, "year", "mean", "q05", "median",
            "q95");
}

void cli_table_yearly_row(FILE *out, const char *label, int year, int partial, double mean,
                          double q05, double q50, double q95)
{
    char y[16], m[CLI_NUM_BUF], a[CLI_NUM_BUF], b[CLI_NUM_BUF], c[CLI_NUM_BUF];
    snprintf(y, sizeof y, "%d%s", year, partial ? "*" : "");
    fprintf(out, "%-26s  %-5s  %12s  %12s  %12s  %12s\n", label, y, cli_num(m, mean),
            cli_num(a, q05), cli_num(b, q50), cli_num(c, q95));
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
