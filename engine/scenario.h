/* scenario.h -- a validated, fully resolved scenario (MODEL.md §3, §7, §9).
 *
 * ipsim_scenario_load() reads the YAML file, merges `defaults:` into every
 * zone and applies every validation rule of MODEL.md §9 and §11, so the
 * model code never checks an input again.  Nothing here is mutated after
 * loading: the scenario is shared read-only by every thread. */
#ifndef IPSIM_SCENARIO_H
#define IPSIM_SCENARIO_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

/* Reader limits (documented in README "Scenario reference"). */
#define IPSIM_MAX_FILE_BYTES (4u << 20) /* scenario text */
#define IPSIM_MAX_DEPTH 64              /* YAML nesting, MODEL.md §11.7 */
#define IPSIM_MAX_ZONES 10000
#define IPSIM_MAX_TARGETS 1000
#define IPSIM_MAX_LIST 1000 /* upgrades or expansions of one zone */
#define IPSIM_MAX_HORIZON 1200

/* Months are counted as year*12 + (month-1): "2025-01" -> 24300. */
#define IPSIM_MONTH_ABS(year, month) ((year) * 12 + (month) - 1)

/* wwtp_from_abs sentinels: `wwtp: true` and `wwtp: false`. */
#define IPSIM_WWTP_ALWAYS INT_MIN
#define IPSIM_WWTP_NEVER INT_MAX

enum ipsim_zone_kind { IPSIM_PARK = 0, IPSIM_CLUSTER, IPSIM_ECONOMIC_ZONE };

typedef struct {
    int from_abs;          /* absolute month (see IPSIM_MONTH_ABS) */
    double attractiveness; /* multiplier x >= 0 */
} ipsim_upgrade;

typedef struct {
    double ha;        /* > 0 */
    double threshold; /* in [0, 1] */
    int delay_months; /* >= 0 */
} ipsim_expansion;

typedef struct {
    char *name;
    enum ipsim_zone_kind kind;
    double area_ha, leased_ha, clean_ha;
    double clearance_ha_per_year, clearance_cv;
    double projects_per_year, attractiveness, fdi_share;
    double fdi_capital_median_musd, domestic_capital_median_musd, capital_sigma;
    double capital_per_ha_musd, intensity_sigma;
    double months_to_operation, months_to_operation_cv;
    double abandon_prob, output_per_capital;
    int ramp_months; /* >= 1 */
    double polluting_share;
    int wwtp_from_abs; /* absolute month, or IPSIM_WWTP_ALWAYS / _NEVER */
    ipsim_upgrade *upgrades;
    size_t n_upgrades;
    ipsim_expansion *expansions;
    size_t n_expansions;
    double initial_operating_capital_musd;
    long initial_operating_projects;
    double initial_pipeline_capital_musd;
    long initial_pipeline_projects;
    int initial_pipeline_months; /* >= 1 */
} ipsim_zone;

enum ipsim_op { IPSIM_OP_GE = 0, IPSIM_OP_LE = 1 };

typedef struct {
    char *name;   /* given, or "METRIC YEAR [ZONE]" */
    int metric;   /* enum ipsim_metric */
    int year;     /* calendar year, inside the simulated years */
    enum ipsim_op op;
    double value;
    int zone;     /* zone index, or -1 for the province */
} ipsim_target;

typedef struct {
    char *path;       /* file it was read from */
    char *text;       /* the file's text, verbatim (stored in results) */
    size_t text_len;
    char *name;       /* `name`, or the file's stem */
    int start_abs;    /* absolute month of t = 0 */
    int horizon_months;
    int has_seed;
    uint64_t seed;
    double macro_sigma, macro_rho;
    double redirect_prob, productivity_growth;
    int has_baseline;
    double baseline_production_musd;
    ipsim_zone *zones;
    size_t n_zones;
    ipsim_target *targets;
    size_t n_targets;
    char **overrides; /* the `--set KEY=VALUE` texts applied, in order */
    size_t n_overrides;
} ipsim_scenario;

/* Reads and validates path into *scn (zeroed first).  On an input error
 * returns IPSIM_EINPUT with err->msg "FILE:LINE:COL: KEY: what is wrong
 * (expected ...)"; *scn is then empty and needs no free. */
int ipsim_scenario_load(ipsim_scenario *scn, const char *path, ipsim_error *err);

/* Same, from text in memory; filename is used in messages and for the
 * default name. */
int ipsim_scenario_parse(ipsim_scenario *scn, const char *text, size_t len,
                         const char *filename, ipsim_error *err);

/* Same as load/parse, with overrides applied to the document before it is
 * validated: sets[i] is "KEY=VALUE" (syntax in engine/override.h).  An
 * override error, or a value the schema refuses, is IPSIM_EINPUT with a
 * message that starts "--set KEY=VALUE: ".  The texts are kept in
 * scn->overrides; scn->text stays the file's text, verbatim. */
int ipsim_scenario_load_with(ipsim_scenario *scn, const char *path, const char *const *sets,
                             size_t n_sets, ipsim_error *err);
int ipsim_scenario_parse_with(ipsim_scenario *scn, const char *text, size_t len,
                              const char *filename, const char *const *sets, size_t n_sets,
                              ipsim_error *err);

void ipsim_scenario_free(ipsim_scenario *scn);

/* Calendar helpers. */
int ipsim_scenario_first_year(const ipsim_scenario *scn);
int ipsim_scenario_n_years(const ipsim_scenario *scn);
/* Year index (0-based) of month index t. */
int ipsim_scenario_year_of_month(const ipsim_scenario *scn, int t);
/* 1 if the year index y is only partly simulated. */
int ipsim_scenario_year_partial(const ipsim_scenario *scn, int y);
/* Writes "YYYY-MM" for absolute month abs into buf (>= 8 bytes). */
void ipsim_month_format(int abs, char *buf, size_t size);

/* Prints the resolved scenario (defaults applied, every zone's parameters)
 * as YAML that ipsim_scenario_load() accepts. */
int ipsim_scenario_print(FILE *out, const ipsim_scenario *scn);

#endif
