/* report_page.c -- the report's HTML: what the page shows, in which order,
 * and its stylesheet.  Every string that came from a user (scenario, zone,
 * target and file names) goes through ipsim_html_escape(). */
#include "report_page.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "report_chart.h"

/* The province charts every report has, in page order, and the metrics
 * drawn as small multiples per zone. */
static const int key_metrics[] = {IPSIM_M_OCCUPANCY, IPSIM_M_FDI, IPSIM_M_TOTAL_REGISTERED,
                                  IPSIM_M_PRODUCTION, IPSIM_M_LOST};
static const char *const key_titles[] = {"Province occupancy", "FDI registered capital",
                                         "Total registered capital", "Production",
                                         "Lost projects"};
#define N_KEY (sizeof key_metrics / sizeof key_metrics[0])
static const int zone_metrics[] = {IPSIM_M_OCCUPANCY, IPSIM_M_PRODUCTION};
#define N_ZONE_METRICS (sizeof zone_metrics / sizeof zone_metrics[0])

int ipsim_report_is_key(int metric)
{
    for (size_t i = 0; i < N_KEY; i++)
        if (key_metrics[i] == metric)
            return 1;
    return 0;
}

int ipsim_report_is_zone_metric(int metric)
{
    for (size_t i = 0; i < N_ZONE_METRICS; i++)
        if (zone_metrics[i] == metric)
            return 1;
    return 0;
}

static const char style[] =
    ":root{--fg:#1b1b1b;--muted:#5c6166;--line:#e2e2e2}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:#fff;color:var(--fg);font:14px/1.45 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;-webkit-print-color-adjust:exact;"
    "print-color-adjust:exact}"
    "main{max-width:1240px;margin:0 auto;padding:28px 24px 56px}"
    "h1{font-size:26px;margin:0 0 6px;letter-spacing:-.01em}"
    "h2{font-size:19px;margin:34px 0 12px;padding-bottom:5px;border-bottom:2px solid var(--line)}"
    "h3{font-size:15px;margin:22px 0 8px}"
    "p{margin:4px 0}.meta,.note{color:var(--muted)}.note{font-size:12.5px;margin-top:8px}"
    ".files{margin:8px 0 0;padding:0;list-style:none}.files li{margin:2px 0}"
    ".swatch{display:inline-block;width:13px;height:13px;border-radius:3px;margin-right:7px;"
    "vertical-align:-2px}"
    ".legend{display:flex;flex-wrap:wrap;gap:6px 22px;align-items:center;margin:14px 0 0;"
    "padding:8px 12px;background:#f7f7f7;border-radius:6px;font-size:13px;color:#333}"
    ".legend svg{vertical-align:middle;margin-right:6px}"
    ".grid2{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:22px 32px}"
    ".grid4{display:grid;grid-template-columns:repeat(4,minmax(0,1fr));gap:14px 18px}"
    "figure{margin:0;break-inside:avoid}"
    "figcaption{font-weight:600;margin-bottom:2px}figcaption span{font-weight:400;"
    "color:var(--muted);font-size:12.5px;margin-left:6px}"
    "svg.chart{display:block;width:100%;height:auto;font-size:12px;overflow:visible}"
    "svg.chart.small{font-size:11px}"
    "svg .axis text,svg .unit{fill:#444}svg .unit{font-weight:600}"
    "svg .axis line{stroke:#999}svg .axis line.base{stroke:#666}svg .axis line.grid{"
    "stroke:var(--line)}svg .bands{mix-blend-mode:multiply}"
    "svg .band90{fill:currentColor;fill-opacity:.15}svg .band50{fill:currentColor;"
    "fill-opacity:.32}svg.overlay .band90{fill-opacity:.10}svg.overlay .band50{fill-opacity:.22}"
    "svg .median{fill:none;stroke:currentColor;stroke-width:2.2;"
    "stroke-linejoin:round;stroke-linecap:round}"
    "svg .point{fill:currentColor;stroke:#fff;stroke-width:1}"
    "svg .target .threshold{stroke:#222;stroke-width:1.3;stroke-dasharray:6 4}"
    "svg .target .year{stroke:#222;stroke-opacity:.35;stroke-dasharray:2 3}"
    "svg .target .marker{fill:#fff;stroke:#222;stroke-width:1.6}"
    "svg .target text{fill:#222;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px;"
    "stroke-linejoin:round}"
    "table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}"
    "th,td{padding:6px 9px;border-bottom:1px solid var(--line);text-align:right;"
    "vertical-align:middle;white-space:nowrap}"
    "th{background:#f4f4f4;font-weight:600}td.l,th.l{text-align:left;white-space:normal}"
    ".pbar{display:inline-block;width:80px;height:9px;margin-left:8px;background:#e9e9e9;"
    "border-radius:2px;overflow:hidden;vertical-align:middle}.pbar span{display:block;"
    "height:100%;background:currentColor}"
    "footer{margin-top:40px;color:var(--muted);font-size:12px}"
    "@media (max-width:900px){.grid2{grid-template-columns:1fr}.grid4{"
    "grid-template-columns:repeat(2,minmax(0,1fr))}}"
    "@media print{@page{size:A4 landscape;margin:12mm}body{font-size:11px}main{max-width:none;"
    "padding:0}h2{break-after:avoid;margin-top:18px}.grid2{gap:10px 18px}"
    ".grid4{grid-template-columns:repeat(4,minmax(0,1fr));gap:8px 12px}"
    "figure,tr,.legend{break-inside:avoid}section{break-before:auto}}";

/* ---- text ---- */

static void esc(FILE *out, const char *s)
{
    ipsim_html_escape(out, s);
}

/* A table figure: four significant digits, thousands separated. */
static void value_text(char *buf, size_t n, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, n, "n/a");
        return;
    }
    double step = v == 0 ? 1 : pow(10.0, floor(log10(fabs(v))) - 3);
    ipsim_chart_number(buf, n, v, step > 1 ? 1 : step);
}

static const char *op_text(int op)
{
    return op == IPSIM_OP_LE ? "\xe2\x89\xa4" : "\xe2\x89\xa5";
}

/* "metric >= value in YEAR, ZONE" */
static void condition(FILE *out, const ipsim_report_target *rt)
{
    fprintf(out, "%s %s %.10g in %d", ipsim_metric_get(rt->t->metric)->name, op_text(rt->t->op),
            rt->t->value, rt->t->year);
    if (rt->zone[0]) {
        fputs(", ", out);
        esc(out, rt->zone);
    }
}

/* The tooltip of a target on a chart: name, condition and P(met) per file. */
static char *target_label(const ipsim_report_data *r, size_t k)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return NULL;
    const ipsim_report_target *rt = &r->targets[k];
    fprintf(m, "%s: %s %s %.10g in %d%s%s. P(met):", rt->t->name,
            ipsim_metric_get(rt->t->metric)->name, op_text(rt->t->op), rt->t->value, rt->t->year,
            rt->zone[0] ? ", " : "", rt->zone);
    for (size_t i = 0; i < r->n_files; i++) {
        long t = r->target_index[k * r->n_files + i];
        if (t >= 0)
            fprintf(m, "%s %s %.3f", i ? "," : "", r->n_files > 1 ? r->files[i].label : "",
                    r->files[i].f.target_stats[t].p_met);
    }
    fclose(m);
    return buf;
}

/* ---- charts ---- */

/* Targets drawn on a chart of metric for zone ("" = province). */
static size_t chart_targets(const ipsim_report_data *r, int metric, const char *zone, int monthly,
                            ipsim_chart_target *out, char **labels)
{
    size_t n = 0;
    for (size_t k = 0; k < r->n_targets; k++) {
        const ipsim_report_target *rt = &r->targets[k];
        if (rt->t->metric != metric || strcmp(rt->zone, zone) != 0)
            continue;
        /* A yearly flow has no place on a chart per month. */
        if (monthly && ipsim_metric_get(metric)->kind == IPSIM_FLOW)
            continue;
        double x = rt->t->year;
        if (monthly) {
            const ipsim_rfile *f = &r->files[0].f;
            int last = IPSIM_MONTH_ABS(rt->t->year, 12), end = f->start_abs + f->horizon_months - 1;
            x = (double)(last < end ? last : end) / 12.0;
        }
        labels[n] = target_label(r, k);
        out[n] = (ipsim_chart_target){x, rt->t->value, rt->t->op, labels[n] ? labels[n] : ""};
        n++;
    }
    return n;
}

/* One figure: caption, then the chart of the given fans (one per file). */
static void figure(FILE *out, const ipsim_report_data *r, const char *id, const char *title,
                   const char *sub, int metric, const char *zone, int monthly, int small,
                   const ipsim_fan *const *fans)
{
    ipsim_chart_series s[IPSIM_REPORT_MAX_FILES];
    for (size_t i = 0; i < r->n_files; i++)
        s[i] = (ipsim_chart_series){fans[i] && fans[i]->n ? fans[i] : NULL, r->files[i].color,
                                    r->files[i].label};
    ipsim_chart_target *t = calloc(r->n_targets + 1, sizeof *t);
    char **labels = calloc(r->n_targets + 1, sizeof *labels);
    size_t nt = t && labels ? chart_targets(r, metric, zone, monthly, t, labels) : 0;
    fputs("<figure><figcaption>", out);
    esc(out, title);
    if (sub) {
        fputs("<span>", out);
        esc(out, sub);
        fputs("</span>", out);
    }
    fputs("</figcaption>", out);
    ipsim_chart c = {id, title, metric, monthly, small};
    ipsim_chart_write(out, &c, s, r->n_files, t, nt);
    fputs("</figure>\n", out);
    for (size_t k = 0; k < nt; k++)
        free(labels[k]);
    free(labels);
    free(t);
}

/* Which years of file i are only partly simulated, if any. */
static void partial_note(FILE *out, const ipsim_report_data *r, size_t i)
{
    const ipsim_rfile *f = &r->files[i].f;
    size_t n = 0;
    for (size_t j = 0; j < f->n_years; j++) {
        if (!f->partial[j])
            continue;
        fprintf(out, "%s%d", n++ ? ", " : "<p class=\"note\">Partly simulated years: ", f->years[j]);
    }
    if (!n)
        return;
    if (r->n_files > 1) {
        fputs(" (", out);
        esc(out, r->files[i].label);
        fputc(')', out);
    }
    fputs(". Their flows are sums over the simulated months, never annualised; their stocks "
          "are at the last simulated month.</p>\n", out);
}

static void province(FILE *out, const ipsim_report_data *r, int monthly)
{
    int drawn[IPSIM_NMETRICS] = {0};
    const ipsim_fan *fans[IPSIM_REPORT_MAX_FILES];
    char id[64];
    fprintf(out, "<section id=\"province-%s\"><h2>Province, %s</h2><div class=\"grid2\">\n",
            monthly ? "monthly" : "yearly", monthly ? "by month" : "by year");
    /* The key charts, then (yearly only) one per other metric with a target. */
    for (size_t k = 0; k < N_KEY + (monthly ? 0 : IPSIM_NMETRICS); k++) {
        int m = k < N_KEY ? key_metrics[k] : (int)(k - N_KEY);
        if (drawn[m])
            continue;
        int any = 0;
        for (size_t i = 0; i < r->n_files; i++) {
            fans[i] = monthly ? &r->files[i].month[m] : &r->files[i].year[m];
            any |= fans[i]->n > 0;
        }
        if (!any)
            continue;
        drawn[m] = 1;
        const ipsim_metric_info *mi = ipsim_metric_get(m);
        snprintf(id, sizeof id, "%s-%s", monthly ? "month" : "year", mi->name);
        figure(out, r, id, k < N_KEY ? key_titles[k] : mi->name, mi->description, m, "", monthly,
               0, fans);
    }
    fputs("</div>\n", out);
    for (size_t i = 0; !monthly && i < r->n_files; i++)
        partial_note(out, r, i);
    if (monthly)
        fputs("<p class=\"note\">Yearly targets on flows are drawn on the yearly charts only; "
              "targets on stocks are marked at the year's last simulated month.</p>\n", out);
    fputs("</section>\n", out);
}

/* Small multiples: one chart per zone, for metric m. */
static void zone_grid(FILE *out, const ipsim_report_data *r, int m, const char *title)
{
    const ipsim_fan *fans[IPSIM_REPORT_MAX_FILES];
    char id[96];
    size_t shown = r->n_zones < IPSIM_REPORT_MAX_ZONES ? r->n_zones : IPSIM_REPORT_MAX_ZONES;
    fprintf(out, "<h3>%s by zone</h3><div class=\"grid4\">\n", title);
    for (size_t z = 0; z < shown; z++) {
        int any = 0;
        for (size_t i = 0; i < r->n_files; i++) {
            long zi = r->zone_index[z * r->n_files + i];
            fans[i] = zi >= 0 && r->files[i].zone[m] ? &r->files[i].zone[m][zi] : NULL;
            any |= fans[i] != NULL;
        }
        if (!any)
            continue;
        snprintf(id, sizeof id, "zone-%s-%zu", ipsim_metric_get(m)->name, z);
        figure(out, r, id, r->zones[z], NULL, m, r->zones[z], 0, 1, fans);
    }
    fputs("</div>\n", out);
    if (shown < r->n_zones)
        fprintf(out, "<p class=\"note\">The first %zu of %zu zones, in file order.</p>\n", shown,
                r->n_zones);
}

static void zones(FILE *out, const ipsim_report_data *r)
{
    fputs("<section id=\"zones\"><h2>Zones</h2>\n", out);
    int any = 0;
    for (size_t i = 0; i < r->n_files; i++) {
        if (r->files[i].f.per_path) {
            any = 1;
            continue;
        }
        fputs("<p class=\"note\">", out);
        esc(out, r->files[i].f.filename);
        fputs(" keeps no per-zone results (it was run with --store summary): its zones are not "
              "drawn.</p>\n", out);
    }
    static const char *const titles[] = {"Occupancy", "Production"};
    for (size_t k = 0; any && k < N_ZONE_METRICS; k++)
        zone_grid(out, r, zone_metrics[k], titles[k]);
    /* Zone targets on other metrics: one chart per (metric, zone). */
    int header = 0;
    for (size_t k = 0; any && k < r->n_targets; k++) {
        const ipsim_report_target *rt = &r->targets[k];
        int m = rt->t->metric, dup = 0;
        if (!rt->zone[0] || ipsim_report_is_zone_metric(m))
            continue;
        for (size_t j = 0; j < k; j++)
            dup |= r->targets[j].t->metric == m && strcmp(r->targets[j].zone, rt->zone) == 0;
        size_t z = 0;
        while (z < r->n_zones && strcmp(r->zones[z], rt->zone) != 0)
            z++;
        if (dup || z == r->n_zones)
            continue;
        if (!header++)
            fputs("<h3>Other zone targets</h3><div class=\"grid2\">\n", out);
        const ipsim_fan *fans[IPSIM_REPORT_MAX_FILES];
        for (size_t i = 0; i < r->n_files; i++) {
            long zi = r->zone_index[z * r->n_files + i];
            fans[i] = zi >= 0 && r->files[i].zone[m] ? &r->files[i].zone[m][zi] : NULL;
        }
        char id[96];
        snprintf(id, sizeof id, "zone-%s-%zu", ipsim_metric_get(m)->name, z);
        char *title = NULL;
        size_t len = 0;
        FILE *t = open_memstream(&title, &len);
        if (t) {
            fprintf(t, "%s, %s", rt->zone, ipsim_metric_get(m)->name);
            fclose(t);
        }
        figure(out, r, id, title ? title : "", ipsim_metric_get(m)->description, m, rt->zone, 0,
               0, fans);
        free(title);
    }
    if (header)
        fputs("</div>\n", out);
    fputs("</section>\n", out);
}

/* ---- tables ---- */

static void pbar(FILE *out, double p, const char *color)
{
    fprintf(out, "<span class=\"pbar\" style=\"color:%s\"><span style=\"width:%.1f%%\"></span></span>",
            color, isfinite(p) ? 100 * p : 0);
}

/* Every figure of each target of one file. */
static void target_table(FILE *out, const ipsim_report_data *r, size_t i)
{
    const ipsim_report_file *rf = &r->files[i];
    fputs("<table class=\"targets\"><thead><tr><th class=\"l\">target</th><th class=\"l\">"
          "condition</th><th>P(met)</th><th>95% interval</th><th>mean</th><th>5%</th>"
          "<th>median</th><th>95%</th><th>shortfall</th></tr></thead><tbody>\n", out);
    for (size_t k = 0; k < r->n_targets; k++) {
        long t = r->target_index[k * r->n_files + i];
        if (t < 0)
            continue;
        const ipsim_target_stats *s = &rf->f.target_stats[t];
        char mean[64], q05[64], q50[64], q95[64], sf[64];
        value_text(mean, sizeof mean, s->mean);
        value_text(q05, sizeof q05, s->q[0]);
        value_text(q50, sizeof q50, s->q[2]);
        value_text(q95, sizeof q95, s->q[4]);
        value_text(sf, sizeof sf, s->shortfall);
        fputs("<tr><td class=\"l\">", out);
        esc(out, r->targets[k].t->name);
        fputs("</td><td class=\"l\">", out);
        condition(out, &r->targets[k]);
        fprintf(out, "</td><td>%.3f", s->p_met);
        pbar(out, s->p_met, rf->color);
        fprintf(out, "</td><td>[%.3f, %.3f]</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td>"
                     "<td>%s</td></tr>\n",
                s->p_low, s->p_high, mean, q05, q50, q95, sf);
    }
    fputs("</tbody></table>\n", out);
}

/* P(met) of every target in every file, side by side. */
static void comparison_table(FILE *out, const ipsim_report_data *r)
{
    fputs("<table class=\"comparison\"><thead><tr><th class=\"l\">target</th>"
          "<th class=\"l\">condition</th>", out);
    for (size_t i = 0; i < r->n_files; i++) {
        fprintf(out, "<th><span class=\"swatch\" style=\"background:%s\"></span>",
                r->files[i].color);
        esc(out, r->files[i].label);
        fputs("</th>", out);
    }
    fputs("</tr></thead><tbody>\n", out);
    for (size_t k = 0; k < r->n_targets; k++) {
        fputs("<tr><td class=\"l\">", out);
        esc(out, r->targets[k].t->name);
        fputs("</td><td class=\"l\">", out);
        condition(out, &r->targets[k]);
        fputs("</td>", out);
        for (size_t i = 0; i < r->n_files; i++) {
            long t = r->target_index[k * r->n_files + i];
            if (t < 0) {
                fputs("<td class=\"missing\">&mdash;</td>", out);
                continue;
            }
            const ipsim_target_stats *s = &r->files[i].f.target_stats[t];
            fprintf(out, "<td>%.3f [%.3f, %.3f]", s->p_met, s->p_low, s->p_high);
            pbar(out, s->p_met, r->files[i].color);
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody></table>\n", out);
}

static void targets(FILE *out, const ipsim_report_data *r)
{
    fputs("<section id=\"targets\"><h2>Targets</h2>\n", out);
    if (r->n_targets == 0) {
        fputs("<p class=\"note\">The scenario has no targets.</p></section>\n", out);
        return;
    }
    if (r->n_files == 1) {
        target_table(out, r, 0);
    } else {
        fputs("<p>Probability that each target is met (share of paths), with its 95% Wilson "
              "interval.</p>\n", out);
        comparison_table(out, r);
        for (size_t i = 0; i < r->n_files; i++) {
            fprintf(out, "<h3><span class=\"swatch\" style=\"background:%s\"></span>",
                    r->files[i].color);
            esc(out, r->files[i].label);
            fputs("</h3>\n", out);
            target_table(out, r, i);
        }
    }
    fputs("<p class=\"note\">P(met) is the share of paths on which the target is met; quantiles "
          "are over paths (type 7); the shortfall is the expected gap to the target.</p>\n"
          "</section>\n", out);
}

/* ---- header ---- */

static void title_text(FILE *out, const ipsim_report_data *r)
{
    if (r->title) {
        esc(out, r->title);
        return;
    }
    for (size_t i = 0; i < r->n_files; i++) {
        int seen = 0;
        for (size_t j = 0; j < i; j++)
            seen |= strcmp(r->files[j].f.scenario_name, r->files[i].f.scenario_name) == 0;
        if (seen)
            continue;
        if (i)
            fputs(" vs ", out);
        esc(out, r->files[i].f.scenario_name);
    }
}

static void legend(FILE *out)
{
    fputs("<div class=\"legend\" aria-label=\"legend\">"
          "<span><svg width=\"34\" height=\"14\" viewBox=\"0 0 34 14\" style=\"color:#555\">"
          "<rect width=\"34\" height=\"14\" fill=\"currentColor\" fill-opacity=\".15\"/>"
          "<rect y=\"3.5\" width=\"34\" height=\"7\" fill=\"currentColor\" fill-opacity=\".32\"/>"
          "<line x1=\"0\" x2=\"34\" y1=\"7\" y2=\"7\" stroke=\"currentColor\" stroke-width=\"2.2\"/>"
          "</svg>median, 50% band (25&ndash;75%), 90% band (5&ndash;95%) over paths</span>"
          "<span><svg width=\"40\" height=\"14\" viewBox=\"0 0 40 14\"><line x1=\"0\" x2=\"40\" "
          "y1=\"7\" y2=\"7\" stroke=\"#222\" stroke-width=\"1.3\" stroke-dasharray=\"6 4\"/>"
          "<path d=\"M20 1l6 6l-6 6l-6 -6Z\" fill=\"#fff\" stroke=\"#222\" stroke-width=\"1.6\"/>"
          "</svg>target: threshold and year</span>"
          "<span>Hover a point or a target for its figures.</span></div>\n", out);
}

static void header(FILE *out, const ipsim_report_data *r)
{
    fputs("<header><h1>", out);
    title_text(out, r);
    fputs("</h1><ul class=\"files\">\n", out);
    for (size_t i = 0; i < r->n_files; i++) {
        const ipsim_rfile *f = &r->files[i].f;
        fputs("<li>", out);
        if (r->n_files > 1) {
            fprintf(out, "<span class=\"swatch\" style=\"background:%s\"></span><b>",
                    r->files[i].color);
            esc(out, r->files[i].label);
            fputs("</b>: ", out);
        }
        char paths[64], start[16];
        ipsim_chart_number(paths, sizeof paths, (double)f->paths, 1);
        ipsim_month_format(f->start_abs, start, sizeof start);
        fprintf(out, "<span class=\"meta\">%s paths, seed %llu, %d months from %s, store %s, "
                     "ipsim %s, file ",
                paths, (unsigned long long)f->seed, f->horizon_months, start, f->store,
                f->ipsim_version);
        esc(out, f->filename);
        fputs("</span></li>\n", out);
    }
    fputs("</ul>\n", out);
    legend(out);
    fputs("</header>\n", out);
}

void ipsim_report_page(FILE *out, const ipsim_report_data *r)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
          "<meta name=\"generator\" content=\"ipsim report\"><title>", out);
    title_text(out, r);
    fprintf(out, " &mdash; ipsim report</title><style>%s</style></head>\n<body><main>\n", style);
    header(out, r);
    targets(out, r);
    province(out, r, 0);
    if (r->monthly)
        province(out, r, 1);
    zones(out, r);
    fputs("<footer>Made by <code>ipsim report</code> from the results files above. Bands are "
          "quantiles over the Monte Carlo paths: per year from each file's summary, per month "
          "and per zone from its per-path data.</footer>\n</main></body></html>\n", out);
}
