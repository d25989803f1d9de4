/* report_chart.c -- SVG fan charts for the report (see report_chart.h).
 *
 * Geometry is in SVG user units (the viewBox); the page scales the chart to
 * its column, so font sizes here are relative to the chart's width.  Points
 * that are not finite (production_growth over a zero year) break the median
 * line and the bands into separate pieces instead of being drawn as 0. */
#include "report_chart.h"

#include <math.h>
#include <string.h>

#include "metrics.h"
#include "scenario.h"
#include "stats.h"

typedef struct {
    double w, h;           /* viewBox */
    double l, r, t, b;     /* plot box: left, right, top, bottom */
    double x0, x1, y0, y1; /* domain: time, shown values */
    double scale;          /* stored value -> shown value */
    double shift;          /* added to a point's time (mid-month for months) */
} geom;

static double px(const geom *g, double x)
{
    return g->l + (x + g->shift - g->x0) / (g->x1 - g->x0) * (g->r - g->l);
}

static double py(const geom *g, double v)
{
    return g->b - (v * g->scale - g->y0) / (g->y1 - g->y0) * (g->b - g->t);
}

void ipsim_html_escape(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*s, out);
        }
    }
}

static double nice_step(double x)
{
    double e = pow(10.0, floor(log10(x)));
    double f = x / e;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * e;
}

void ipsim_chart_ticks(double lo, double hi, int n, double *first, double *last, double *step)
{
    if (!(hi > lo)) {
        double d = lo == 0 ? 1 : fabs(lo) * 0.1;
        lo -= d;
        hi += d;
    }
    double s = nice_step((hi - lo) / (n > 2 ? n - 1 : 1));
    *step = s;
    *first = floor(lo / s + 1e-9) * s;
    *last = ceil(hi / s - 1e-9) * s;
}

void ipsim_chart_number(char *buf, size_t size, double v, double step)
{
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 9)
        dec = 9;
    if (fabs(v) < step * 1e-6)
        v = 0;
    char raw[64];
    snprintf(raw, sizeof raw, "%.*f", dec, fabs(v));
    const char *dot = strchr(raw, '.');
    size_t whole = dot ? (size_t)(dot - raw) : strlen(raw), o = 0;
    char tmp[96];
    if (v < 0 && strspn(raw, "0.") != strlen(raw))
        tmp[o++] = '-';
    for (size_t i = 0; i < whole; i++) {
        tmp[o++] = raw[i];
        if ((whole - i - 1) % 3 == 0 && i + 1 < whole)
            tmp[o++] = ',';
    }
    snprintf(tmp + o, sizeof tmp - o, "%s", dot ? dot : "");
    snprintf(buf, size, "%s", tmp);
}

const char *ipsim_chart_unit(int metric, double *scale)
{
    const ipsim_metric_info *mi = ipsim_metric_get(metric);
    *scale = 1;
    if (!mi)
        return "";
    if (strcmp(mi->units, "1") == 0) {
        *scale = 100;
        return "%";
    }
    return mi->units;
}

/* ---- domain ---- */

static void extend(double v, double *lo, double *hi)
{
    if (isfinite(v)) {
        if (v < *lo)
            *lo = v;
        if (v > *hi)
            *hi = v;
    }
}

static void domains(geom *g, const ipsim_chart *c, const ipsim_chart_series *s, size_t ns,
                    const ipsim_chart_target *t, size_t nt, double *ystep)
{
    double xlo = INFINITY, xhi = -INFINITY, lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < ns; i++)
        for (size_t j = 0; s[i].fan && j < s[i].fan->n; j++) {
            extend(s[i].fan->x[j], &xlo, &xhi);
            extend(s[i].fan->q[j * IPSIM_NQUANTILES] * g->scale, &lo, &hi);
            extend(s[i].fan->q[j * IPSIM_NQUANTILES + 4] * g->scale, &lo, &hi);
        }
    for (size_t k = 0; k < nt; k++)
        extend(t[k].value * g->scale, &lo, &hi);
    if (!isfinite(xlo))
        xlo = xhi = 0;
    if (!isfinite(lo))
        lo = 0, hi = 1;
    if (lo == 0 && hi == 0)
        hi = 1; /* all zero (no lost projects): an axis from 0, not around it */
    if (lo >= 0 && lo <= 0.35 * hi)
        lo = 0; /* amounts read best from zero unless that flattens the fan */
    g->x0 = c->monthly ? xlo : xlo - 0.5;
    g->x1 = c->monthly ? xhi + 1.0 / 12 : xhi + 0.5;
    ipsim_chart_ticks(lo, hi, c->small ? 4 : 6, &g->y0, &g->y1, ystep);
    if (c->metric == IPSIM_M_OCCUPANCY && lo >= 0 && hi <= 100) { /* a share: axis in 0-100 % */
        g->y0 = fmax(g->y0, 0);
        g->y1 = fmin(g->y1, 100);
    }
}

/* ---- axes ---- */

static void y_axis(FILE *out, const geom *g, double step, int small)
{
    char lab[64];
    fputs("<g class=\"axis y\">", out);
    for (double v = g->y0; v <= g->y1 + step * 1e-6; v += step) {
        double y = g->b - (v - g->y0) / (g->y1 - g->y0) * (g->b - g->t);
        ipsim_chart_number(lab, sizeof lab, v, step);
        fprintf(out, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", g->l,
                g->r, y, y);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" dy=\"0.32em\">%s</text>",
                g->l - (small ? 4 : 6), y, lab);
    }
    fputs("</g>", out);
}

/* Year ticks (or quarter ticks for a horizon under two years). */
static void x_axis(FILE *out, const geom *g, int monthly, int small)
{
    double span = g->x1 - g->x0;
    int quarters = monthly && span < 2;
    double step;
    if (quarters) {
        step = span <= 0.75 ? 1.0 / 12 : 0.25;
    } else {
        double max_ticks = small ? 5 : 10;
        step = nice_step(span / max_ticks);
        if (step < 1)
            step = 1;
    }
    fputs("<g class=\"axis x\">", out);
    fprintf(out, "<line class=\"base\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", g->l,
            g->r, g->b, g->b);
    double first = ceil(g->x0 / step - 1e-9) * step;
    for (double x = first; x <= g->x1 + 1e-9; x += step) {
        if (x > (monthly ? g->x1 - 1e-9 : g->x1 - 0.5 + 1e-9))
            break; /* the end of the last month or year is no tick of its own */
        double X = g->l + (x - g->x0) / span * (g->r - g->l);
        char lab[16];
        if (quarters)
            ipsim_month_format((int)lround(x * 12), lab, sizeof lab);
        else
            snprintf(lab, sizeof lab, "%.0f", x);
        fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", X, X, g->b,
                g->b + 4);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>", X,
                g->b + (small ? 15 : 17), lab);
    }
    fputs("</g>", out);
}

/* ---- series ---- */

/* A band between quantiles lo and hi: one closed piece per finite run. */
static void band_path(FILE *out, const geom *g, const ipsim_fan *f, int lo, int hi)
{
    size_t j = 0;
    while (j < f->n) {
        while (j < f->n && !(isfinite(f->q[j * IPSIM_NQUANTILES + lo]) &&
                             isfinite(f->q[j * IPSIM_NQUANTILES + hi])))
            j++;
        size_t a = j;
        while (j < f->n && isfinite(f->q[j * IPSIM_NQUANTILES + lo]) &&
               isfinite(f->q[j * IPSIM_NQUANTILES + hi]))
            j++;
        if (j == a)
            continue;
        for (size_t k = a; k < j; k++)
            fprintf(out, "%c%.1f %.1f", k == a ? 'M' : 'L', px(g, f->x[k]),
                    py(g, f->q[k * IPSIM_NQUANTILES + hi]));
        for (size_t k = j; k-- > a;)
            fprintf(out, "L%.1f %.1f", px(g, f->x[k]), py(g, f->q[k * IPSIM_NQUANTILES + lo]));
        fputc('Z', out);
    }
}

static void median_path(FILE *out, const geom *g, const ipsim_fan *f)
{
    int pen = 0;
    for (size_t j = 0; j < f->n; j++) {
        double v = f->q[j * IPSIM_NQUANTILES + 2];
        if (!isfinite(v)) {
            pen = 0;
            continue;
        }
        fprintf(out, "%c%.1f %.1f", pen ? 'L' : 'M', px(g, f->x[j]), py(g, v));
        pen = 1;
    }
}

/* Yearly points: a dot with the year's figures as a tooltip. */
static void points(FILE *out, const geom *g, const ipsim_chart_series *s, const char *unit,
                   double step)
{
    const ipsim_fan *f = s->fan;
    char v[5][64], mean[64];
    for (size_t j = 0; j < f->n; j++) {
        const double *q = &f->q[j * IPSIM_NQUANTILES];
        if (!isfinite(q[2]))
            continue;
        for (int k = 0; k < 5; k++)
            ipsim_chart_number(v[k], sizeof v[k], q[k] * g->scale, step / 10);
        ipsim_chart_number(mean, sizeof mean, f->mean[j] * g->scale, step / 10);
        fprintf(out, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"><title>",
                px(g, f->x[j]), py(g, q[2]));
        ipsim_html_escape(out, s->name);
        fprintf(out, ", %.0f: median %s %s; 50%%: %s to %s; 90%%: %s to %s; mean %s</title></circle>",
                f->x[j], v[2], unit, v[1], v[3], v[0], v[4], mean);
    }
}

/* Bands of every series first, then every median on top, so that no
 * series' band hides another's median. */
static void bands(FILE *out, const geom *g, const ipsim_chart_series *s, size_t i)
{
    fprintf(out, "<g class=\"bands\" data-series=\"%zu\" style=\"color:%s\">", i, s->color);
    fputs("<path class=\"band90\" d=\"", out);
    band_path(out, g, s->fan, 0, 4);
    fputs("\"/><path class=\"band50\" d=\"", out);
    band_path(out, g, s->fan, 1, 3);
    fputs("\"/></g>", out);
}

static void series(FILE *out, const geom *g, const ipsim_chart *c, const ipsim_chart_series *s,
                   size_t i, const char *unit, double step)
{
    fprintf(out, "<g class=\"series\" data-series=\"%zu\" style=\"color:%s\"><title>", i, s->color);
    ipsim_html_escape(out, s->name);
    fputs("</title><path class=\"median\" d=\"", out);
    median_path(out, g, s->fan);
    fputs("\"/>", out);
    if (!c->monthly)
        points(out, g, s, unit, step);
    fputs("</g>", out);
}

static void target(FILE *out, const geom *g, const ipsim_chart_target *t, double step)
{
    double x = px(g, t->x), y = py(g, t->value);
    char v[64];
    ipsim_chart_number(v, sizeof v, t->value * g->scale, step / 10);
    int left = x > (g->l + g->r) / 2;
    fputs("<g class=\"target\"><title>", out);
    ipsim_html_escape(out, t->label);
    fprintf(out, "</title><line class=\"year\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>",
            x, x, g->t, g->b);
    fprintf(out, "<line class=\"threshold\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\"/>", g->l,
            g->r, y, y);
    fprintf(out, "<path class=\"marker\" d=\"M%.1f %.1fl6 6l-6 6l-6 -6Z\"/>", x, y - 6);
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s %s</text></g>",
            x + (left ? -9 : 9), y - 7, left ? "end" : "start",
            t->op == IPSIM_OP_LE ? "\xe2\x89\xa4" : "\xe2\x89\xa5", v);
}

int ipsim_chart_write(FILE *out, const ipsim_chart *c, const ipsim_chart_series *s, size_t ns,
                      const ipsim_chart_target *t, size_t nt)
{
    geom g = {0};
    const char *unit = ipsim_chart_unit(c->metric, &g.scale);
    g.w = c->small ? 320 : 600;
    g.h = c->small ? 200 : 300;
    g.l = c->small ? 46 : 62;
    g.r = g.w - 12;
    g.t = 22;
    g.b = g.h - (c->small ? 24 : 28);
    g.shift = c->monthly ? 1.0 / 24 : 0;
    double step;
    domains(&g, c, s, ns, t, nt, &step);
    size_t drawn = 0;
    for (size_t i = 0; i < ns; i++)
        drawn += s[i].fan != NULL;
    fprintf(out, "<svg class=\"chart%s%s\" id=\"", c->small ? " small" : "",
            drawn > 1 ? " overlay" : "");
    ipsim_html_escape(out, c->id);
    fprintf(out, "\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"", g.w, g.h);
    ipsim_html_escape(out, c->title);
    fputs("\" xmlns=\"http://www.w3.org/2000/svg\"><title>", out);
    ipsim_html_escape(out, c->title);
    fprintf(out, "</title><text class=\"unit\" x=\"%.1f\" y=\"%.1f\">", g.l - (c->small ? 40 : 56),
            g.t - 9);
    ipsim_html_escape(out, unit);
    if (ipsim_metric_get(c->metric) && ipsim_metric_get(c->metric)->kind == IPSIM_FLOW)
        fputs(c->monthly ? " per month" : " per year", out);
    fputs("</text>", out);
    y_axis(out, &g, step, c->small);
    x_axis(out, &g, c->monthly, c->small);
    for (size_t i = 0; i < ns; i++)
        if (s[i].fan)
            bands(out, &g, &s[i], i);
    for (size_t i = 0; i < ns; i++)
        if (s[i].fan)
            series(out, &g, c, &s[i], i, unit, step);
    for (size_t k = 0; k < nt; k++)
        target(out, &g, &t[k], step);
    fputs("</svg>", out);
    return ferror(out) ? -1 : 0;
}
