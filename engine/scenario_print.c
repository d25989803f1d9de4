/* scenario_print.c -- the resolved scenario written back as YAML.
 *
 * `ipsim check` shows what the model will actually use: every default
 * applied, every zone spelled out.  The output is itself a valid scenario
 * (print -> load gives the same struct), so numbers use the shortest form
 * that reads back exactly and strings are double-quoted with YAML escapes. */
#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "metrics.h"
#include "scenario.h"

void ipsim_month_format(int abs, char *buf, size_t size)
{
    int year = abs >= 0 ? abs / 12 : -((-abs + 11) / 12);
    unsigned char month = (unsigned char)(abs - year * 12 + 1); /* 1..12 */
    snprintf(buf, size, "%04d-%02u", year, (unsigned)month);
}

/* Decodes one UTF-8 sequence at s (valid: libyaml checked the input). */
static unsigned long utf8_next(const unsigned char *s, size_t *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if (s[0] < 0xC0 || s[0] >= 0xF8) {
        *len = 1;
        return 0xFFFD;
    }
    int extra = (s[0] & 0xE0) == 0xC0 ? 1 : (s[0] & 0xF0) == 0xE0 ? 2 : 3;
    unsigned long cp = s[0] & (0x3F >> extra);
    for (int i = 1; i <= extra; i++) {
        if ((s[i] & 0xC0) != 0x80) { /* malformed: emit the lead byte alone */
            *len = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *len = (size_t)extra + 1;
    return cp;
}

/* Characters YAML reads back unchanged inside double quotes. */
static int printable(unsigned long cp)
{
    return (cp >= 0x20 && cp <= 0x7E && cp != '"' && cp != '\\') ||
           (cp >= 0xA0 && cp <= 0xD7FF && cp != 0x2028 && cp != 0x2029) ||
           (cp >= 0xE000 && cp <= 0xFFFD && cp != 0xFEFF) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

static void put_string(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', out);
    while (*p) {
        size_t len;
        unsigned long cp = utf8_next(p, &len);
        if (printable(cp))
            fwrite(p, 1, len, out);
        else if (cp == '"' || cp == '\\')
            fprintf(out, "\\%c", (int)cp);
        else if (cp < 0x80)
            fprintf(out, "\\x%02lX", cp);
        else if (cp <= 0xFFFF)
            fprintf(out, "\\u%04lX", cp);
        else
            fprintf(out, "\\U%08lX", cp);
        p += len;
    }
    fputc('"', out);
}

static void put_month(FILE *out, int abs)
{
    char buf[16];
    ipsim_month_format(abs, buf, sizeof buf);
    fprintf(out, "\"%s\"", buf);
}

/* Numbers are written as the shortest decimal that reads back exactly
 * (0.3, not 0.29999999999999999; 40, not 4e+01), by the one formatter. */
static const char *num(char buf[IPSIM_CSV_NUM_BUF], double v)
{
    return ipsim_csv_format_number(buf, v);
}

static void put_num(FILE *out, const char *indent, const char *key, double v)
{
    char buf[IPSIM_CSV_NUM_BUF];
    fprintf(out, "%s%s: %s\n", indent, key, num(buf, v));
}

static void print_lists(FILE *out, const ipsim_zone *z)
{
    char a[IPSIM_CSV_NUM_BUF], b[IPSIM_CSV_NUM_BUF];
    fprintf(out, "    upgrades:%s\n", z->n_upgrades ? "" : " []");
    for (size_t i = 0; i < z->n_upgrades; i++) {
        fprintf(out, "      - {from: ");
        put_month(out, z->upgrades[i].from_abs);
        fprintf(out, ", attractiveness: %s}\n", num(a, z->upgrades[i].attractiveness));
    }
    fprintf(out, "    expansions:%s\n", z->n_expansions ? "" : " []");
    for (size_t i = 0; i < z->n_expansions; i++)
        fprintf(out, "      - {ha: %s, threshold: %s, delay_months: %d}\n",
                num(a, z->expansions[i].ha), num(b, z->expansions[i].threshold),
                z->expansions[i].delay_months);
    fprintf(out, "    initial:\n");
    put_num(out, "      ", "operating_capital_musd", z->initial_operating_capital_musd);
    fprintf(out, "      operating_projects: %ld\n", z->initial_operating_projects);
    put_num(out, "      ", "pipeline_capital_musd", z->initial_pipeline_capital_musd);
    fprintf(out, "      pipeline_projects: %ld\n", z->initial_pipeline_projects);
    fprintf(out, "      pipeline_months: %d\n", z->initial_pipeline_months);
}

static void print_zone(FILE *out, const ipsim_zone *z)
{
    static const char *const kinds[] = {"park", "cluster", "economic_zone"};
    const struct {
        const char *key;
        double v;
    } nums[] = {
        {"area_ha", z->area_ha},
        {"leased_ha", z->leased_ha},
        {"clean_ha", z->clean_ha},
        {"clearance_ha_per_year", z->clearance_ha_per_year},
        {"clearance_cv", z->clearance_cv},
        {"projects_per_year", z->projects_per_year},
        {"attractiveness", z->attractiveness},
        {"fdi_share", z->fdi_share},
        {"fdi_capital_median_musd", z->fdi_capital_median_musd},
        {"domestic_capital_median_musd", z->domestic_capital_median_musd},
        {"capital_sigma", z->capital_sigma},
        {"capital_per_ha_musd", z->capital_per_ha_musd},
        {"intensity_sigma", z->intensity_sigma},
        {"months_to_operation", z->months_to_operation},
        {"months_to_operation_cv", z->months_to_operation_cv},
        {"abandon_prob", z->abandon_prob},
        {"output_per_capital", z->output_per_capital},
        {"polluting_share", z->polluting_share},
    };
    fprintf(out, "  - name: ");
    put_string(out, z->name);
    fprintf(out, "\n    kind: %s\n", kinds[z->kind]);
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++)
        put_num(out, "    ", nums[i].key, nums[i].v);
    fprintf(out, "    ramp_months: %d\n", z->ramp_months);
    fprintf(out, "    wwtp: ");
    if (z->wwtp_from_abs == IPSIM_WWTP_ALWAYS || z->wwtp_from_abs == IPSIM_WWTP_NEVER)
        fprintf(out, "%s", z->wwtp_from_abs == IPSIM_WWTP_ALWAYS ? "true" : "false");
    else
        put_month(out, z->wwtp_from_abs);
    fputc('\n', out);
    print_lists(out, z);
}

static void print_target(FILE *out, const ipsim_scenario *scn, const ipsim_target *t)
{
    fprintf(out, "  - name: ");
    put_string(out, t->name);
    fprintf(out, "\n    metric: %s\n    year: %d\n    op: \"%s\"\n",
            ipsim_metric_get(t->metric)->name, t->year, t->op == IPSIM_OP_GE ? ">=" : "<=");
    put_num(out, "    ", "value", t->value);
    if (t->zone >= 0) {
        fprintf(out, "    zone: ");
        put_string(out, scn->zones[t->zone].name);
        fputc('\n', out);
    }
}

static void print_province(FILE *out, const ipsim_scenario *scn)
{
    fprintf(out, "# resolved scenario: every default applied\n");
    fprintf(out, "ipsim: 1\nname: ");
    put_string(out, scn->name);
    fprintf(out, "\nstart: ");
    put_month(out, scn->start_abs);
    fprintf(out, "\nhorizon_months: %d\n", scn->horizon_months);
    if (scn->has_seed)
        fprintf(out, "seed: %llu\n", (unsigned long long)scn->seed);
    fprintf(out, "macro:\n");
    put_num(out, "  ", "sigma", scn->macro_sigma);
    put_num(out, "  ", "annual_persistence", scn->macro_rho);
    put_num(out, "", "redirect_prob", scn->redirect_prob);
    put_num(out, "", "productivity_growth", scn->productivity_growth);
    if (scn->has_baseline) {
        fprintf(out, "baseline:\n");
        put_num(out, "  ", "production_musd", scn->baseline_production_musd);
    }
}

int ipsim_scenario_print(FILE *out, const ipsim_scenario *scn)
{
    print_province(out, scn);
    fprintf(out, "zones:\n");
    for (size_t i = 0; i < scn->n_zones; i++)
        print_zone(out, &scn->zones[i]);
    fprintf(out, "targets:%s\n", scn->n_targets ? "" : " []");
    for (size_t i = 0; i < scn->n_targets; i++)
        print_target(out, scn, &scn->targets[i]);
    return ferror(out) ? IPSIM_EIO : IPSIM_OK;
}
