/* scenario_check.c -- YAML node tree -> validated, fully resolved scenario.
 *
 * Every rule of MODEL.md §3, §7, §9 and §11 is applied here, once, so the
 * model never checks an input again: key sets, types (YAML 1.2 core schema),
 * ranges, `defaults:` merging, cross checks and targets.  Errors name the
 * full key path ("zones[Lien Ha Thai].expansions[0].threshold"), the same
 * syntax `--set KEY=VALUE` overrides use, and point at the line and column
 * where the offending value was written (in the zone or under defaults:).
 * Also: ipsim_scenario_free and the calendar helpers. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "scenario_tree.h"
#include "stream.h"

#define PATH_LEN 512
#define NAME_SHOWN 200 /* longest zone name written into a key path */

/* A zone name from the tree, for the duplicate check and target lookup. */
typedef struct {
    const char *name;
    size_t index;
} zname;

typedef struct {
    const char *file;
    ipsim_error *err;
    ipsim_scenario *scn;
    const ipsim_ynode *defaults; /* validated `defaults:` map, or NULL */
    int first_year, last_year;
    zname *names; /* zones with a well-formed name, sorted by name then index */
    size_t n_names;
    size_t dup_index; /* first zone whose name repeats an earlier one */
    size_t dup_first; /* ... and that earlier zone */
} ctx;

/* ---- messages and paths ------------------------------------------------ */

static int fail(ctx *c, ipsim_ymark at, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int fail(ctx *c, ipsim_ymark at, const char *path, const char *fmt, ...)
{
    char what[IPSIM_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return ipsim_yerror(c->err, c->file, at, path, "%s", what);
}

static int oom(ctx *c)
{
    return ipsim_error_set(c->err, IPSIM_ENOMEM, "out of memory while reading %s",
                           ipsim_yfile_label(c->file));
}

/* Appends s to the path in dst, cutting it at PATH_LEN (messages only). */
static void path_append(char *dst, const char *s)
{
    size_t at = strlen(dst), n = strlen(s);
    if (at + n >= PATH_LEN)
        n = PATH_LEN - 1 - at;
    memcpy(dst + at, s, n);
    dst[at + n] = '\0';
}

/* dst = "base.key" (or "key" at the root); dst and base are distinct. */
static void join_key(char *dst, const char *base, const char *key)
{
    dst[0] = '\0';
    path_append(dst, base);
    if (base[0])
        path_append(dst, ".");
    path_append(dst, key);
}

static void join_index(char *dst, const char *base, size_t i)
{
    snprintf(dst, PATH_LEN, "%s[%zu]", base, i);
}

/* "the quoted string \"72\"", "a list", ... for "found X" messages. */
static void describe(const ipsim_ynode *n, char *buf, size_t size)
{
    if (n->kind == IPSIM_Y_MAP) {
        snprintf(buf, size, "a mapping");
        return;
    }
    if (n->kind == IPSIM_Y_SEQ) {
        snprintf(buf, size, "a list");
        return;
    }
    switch (ipsim_yscalar_type(n)) {
    case IPSIM_YT_NULL:
        if (n->text[0])
            snprintf(buf, size, "null (%s)", n->text);
        else
            snprintf(buf, size, "an empty value (null)");
        break;
    case IPSIM_YT_BOOL:
        snprintf(buf, size, "the boolean %s", n->text);
        break;
    case IPSIM_YT_INT:
    case IPSIM_YT_FLOAT:
        snprintf(buf, size, "the number %.40s", n->text);
        break;
    default: {
        char shown[64];
        size_t k = 0;
        /* one line in the message: control characters are shown as spaces */
        for (; k < 60 && k < n->len; k++)
            shown[k] = (unsigned char)n->text[k] < 0x20 ? ' ' : n->text[k];
        shown[k] = '\0';
        snprintf(buf, size, "the %sstring \"%s%s\"", n->plain ? "" : "quoted ", shown,
                 n->len > 60 ? "..." : "");
    }
    }
}

/* A quoted scalar that would be a number or a bool if it were plain. */
static enum ipsim_ytype unquoted_type(const ipsim_ynode *n)
{
    if (n->kind != IPSIM_Y_SCALAR || n->plain)
        return IPSIM_YT_STR;
    ipsim_ynode tmp = *n;
    tmp.plain = 1;
    return ipsim_yscalar_type(&tmp);
}

static int type_error(ctx *c, const ipsim_ynode *n, const char *path, const char *expected)
{
    char found[128];
    const char *hint = "";
    describe(n, found, sizeof found);
    enum ipsim_ytype uq = unquoted_type(n);
    if (uq == IPSIM_YT_INT || uq == IPSIM_YT_FLOAT)
        hint = "; a quoted value is a string: remove the quotes";
    else if (n->kind == IPSIM_Y_SCALAR && n->plain &&
             (!strcmp(n->text, "yes") || !strcmp(n->text, "no") ||
              !strcmp(n->text, "on") || !strcmp(n->text, "off")))
        hint = "; yes/no/on/off are strings in YAML 1.2, booleans are true/false";
    return fail(c, n->mark, path, "found %s (expected %s%s)", found, expected, hint);
}

/* ---- keys -------------------------------------------------------------- */

static const char *const root_keys[] = {
    "ipsim", "name", "start", "horizon_months", "seed", "macro", "redirect_prob",
    "productivity_growth", "baseline", "defaults", "zones", "targets", NULL};
static const char *const zone_keys[] = {
    "name", "kind", "area_ha", "leased_ha", "clean_ha", "clearance_ha_per_year",
    "clearance_cv", "projects_per_year", "attractiveness", "fdi_share",
    "fdi_capital_median_musd", "domestic_capital_median_musd", "capital_sigma",
    "capital_per_ha_musd", "intensity_sigma", "months_to_operation",
    "months_to_operation_cv", "abandon_prob", "output_per_capital", "ramp_months",
    "polluting_share", "wwtp", "upgrades", "expansions", "initial", NULL};
static const char *const macro_keys[] = {"sigma", "annual_persistence", NULL};
static const char *const baseline_keys[] = {"production_musd", NULL};
static const char *const initial_keys[] = {
    "operating_capital_musd", "operating_projects", "pipeline_capital_musd",
    "pipeline_projects", "pipeline_months", NULL};
static const char *const upgrade_keys[] = {"from", "attractiveness", NULL};
static const char *const expansion_keys[] = {"ha", "threshold", "delay_months", NULL};
static const char *const target_keys[] = {"name", "metric", "year", "op", "value",
                                          "zone", NULL};

/* Where a mapping sits: tunes the hint for a key written at the wrong level. */
enum level { L_ROOT, L_ZONE, L_DEFAULTS, L_OTHER };

static int in_list(const char *key, const char *const *keys)
{
    for (; *keys; keys++)
        if (!strcmp(key, *keys))
            return 1;
    return 0;
}

static int edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    int row[65];
    if (lb > 64)
        return INT_MAX;
    for (size_t j = 0; j <= lb; j++)
        row[j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = (int)i;
        for (size_t j = 1; j <= lb; j++) {
            int up = row[j];
            int sub = diag + (a[i - 1] != b[j - 1]);
            int best = up + 1 < row[j - 1] + 1 ? up + 1 : row[j - 1] + 1;
            row[j] = sub < best ? sub : best;
            diag = up;
        }
    }
    return row[lb];
}

/* The valid word closest to word, if it is close enough to be a typo. */
static const char *closest(const char *word, const char *const *words)
{
    const char *best = NULL;
    int best_d = INT_MAX;
    size_t lw = strlen(word);
    if (lw > 64)
        return NULL;
    for (; *words; words++) {
        int d = edit_distance(word, *words);
        size_t lv = strlen(*words);
        int prefix = lw >= 5 && (!strncmp(word, *words, lw) || !strncmp(word, *words, lv));
        int limit = lv >= 10 ? 3 : (lv >= 4 ? 2 : 1);
        if ((d <= limit || prefix) && d < best_d) {
            best = *words;
            best_d = d;
        }
    }
    return best;
}

static void list_words(char *buf, size_t size, const char *const *words)
{
    size_t at = 0;
    buf[0] = '\0';
    for (; *words && at < size; words++)
        at += (size_t)snprintf(buf + at, size - at, "%s%s", at ? ", " : "", *words);
}

static int unknown_key(ctx *c, const ipsim_ypair *p, const char *path,
                       const char *const *keys, enum level lv)
{
    const char *key = p->key;
    if (lv == L_DEFAULTS && !strcmp(key, "name"))
        return fail(c, p->key_mark, path, "a zone's name cannot be set under defaults: "
                    "(expected a name in each zone)");
    if (lv == L_ROOT && in_list(key, zone_keys))
        return fail(c, p->key_mark, path, "unknown top-level key: %s is a zone key "
                    "(expected it inside a zone or under defaults:)", key);
    if ((lv == L_ZONE || lv == L_DEFAULTS) && in_list(key, root_keys))
        return fail(c, p->key_mark, path, "unknown zone key: %s is a top-level key "
                    "(expected it at the top level of the file)", key);
    const char *guess = strlen(key) == p->key_len ? closest(key, keys) : NULL;
    if (guess)
        return fail(c, p->key_mark, path, "unknown key (did you mean \"%s\"?)", guess);
    char valid[700];
    list_words(valid, sizeof valid, keys);
    return fail(c, p->key_mark, path, "unknown key (expected one of: %s)", valid);
}

/* Every key of map must be in keys, once.  Duplicates are found against
 * earlier valid keys only, so a huge map costs O(n * |keys|). */
static int check_keys(ctx *c, const ipsim_ynode *map, const char *base,
                      const char *const *keys, enum level lv)
{
    char path[PATH_LEN];
    for (size_t i = 0; i < map->n; i++) {
        const ipsim_ypair *p = &map->pairs[i];
        join_key(path, base, p->key);
        int valid = strlen(p->key) == p->key_len && in_list(p->key, keys);
        if (lv == L_DEFAULTS && !strcmp(p->key, "name"))
            valid = 0;
        if (!valid)
            return unknown_key(c, p, path, keys, lv);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(map->pairs[j].key, p->key))
                return fail(c, p->key_mark, path, "duplicate key (expected each key once; "
                            "first given at line %d, column %d)",
                            map->pairs[j].key_mark.line, map->pairs[j].key_mark.col);
    }
    return IPSIM_OK;
}

static int expect_kind(ctx *c, const ipsim_ynode *n, const char *path,
                       enum ipsim_ykind kind, const char *expected)
{
    return n->kind == kind ? IPSIM_OK : type_error(c, n, path, expected);
}

static int missing(ctx *c, const ipsim_ynode *map, const char *path, const char *expected)
{
    return fail(c, map->mark, path, "missing required key (expected %s)", expected);
}

/* ---- scalars ----------------------------------------------------------- */

enum range { R_ANY, R_POS, R_NONNEG, R_UNIT, R_UNIT_OPEN, R_GT_M1 };

static const char *const range_text[] = {
    "a finite number", "a number > 0", "a number >= 0", "a number in [0, 1]",
    "a number in [0, 1)", "a number > -1"};

static int in_range(double v, enum range r)
{
    switch (r) {
    case R_POS:
        return v > 0;
    case R_NONNEG:
        return v >= 0;
    case R_UNIT:
        return v >= 0 && v <= 1;
    case R_UNIT_OPEN:
        return v >= 0 && v < 1;
    case R_GT_M1:
        return v > -1;
    default:
        return 1;
    }
}

static int is_number(const ipsim_ynode *n)
{
    enum ipsim_ytype t = ipsim_yscalar_type(n);
    return n->kind == IPSIM_Y_SCALAR && (t == IPSIM_YT_INT || t == IPSIM_YT_FLOAT);
}

static int read_number(ctx *c, const ipsim_ynode *n, const char *path, enum range r,
                       double *out)
{
    const char *exp = range_text[r];
    double v;
    if (!is_number(n))
        return type_error(c, n, path, exp);
    if (ipsim_yscalar_double(n, &v))
        return fail(c, n->mark, path, "%.40s is too large to be a finite number "
                    "(expected %s)", n->text, exp);
    if (!isfinite(v))
        return fail(c, n->mark, path, "%s is not a finite number (expected %s)", n->text, exp);
    if (!in_range(v, r))
        return fail(c, n->mark, path, "%.40s is out of range (expected %s)", n->text, exp);
    *out = v;
    return IPSIM_OK;
}

/* A float where a whole number is expected: 72.0, or !!float 72. */
static int not_whole(ctx *c, const ipsim_ynode *n, const char *path, const char *exp)
{
    return fail(c, n->mark, path, "%s%.40s is not a whole number (expected %s)",
                n->tagged ? "!!float " : "", n->text, exp);
}

/* A core-schema integer in [lo, hi]; 72.0 is refused on purpose (§11.7). */
static int read_int_what(ctx *c, const ipsim_ynode *n, const char *path, long long lo,
                         long long hi, const char *what, long long *out)
{
    char exp[96];
    long long v;
    if (what)
        snprintf(exp, sizeof exp, "%s", what);
    else if (hi - lo < 100000)
        snprintf(exp, sizeof exp, "a whole number in [%lld, %lld]", lo, hi);
    else
        snprintf(exp, sizeof exp, "a whole number >= %lld", lo);
    if (n->kind == IPSIM_Y_SCALAR && ipsim_yscalar_type(n) == IPSIM_YT_FLOAT)
        return not_whole(c, n, path, exp);
    if (n->kind != IPSIM_Y_SCALAR || ipsim_yscalar_type(n) != IPSIM_YT_INT)
        return type_error(c, n, path, exp);
    int overflow = ipsim_yscalar_llong(n, &v) != 0;
    if (!overflow && v < lo)
        return fail(c, n->mark, path, "%.40s is out of range (expected %s)", n->text, exp);
    if ((overflow || v > hi) && !what && hi - lo >= 100000)
        return fail(c, n->mark, path, "%.40s is too large (expected %s, at most %lld)",
                    n->text, exp, hi);
    if (overflow || v > hi)
        return fail(c, n->mark, path, "%.40s is out of range (expected %s)", n->text, exp);
    *out = v;
    return IPSIM_OK;
}

static int read_int(ctx *c, const ipsim_ynode *n, const char *path, long long lo,
                    long long hi, long long *out)
{
    return read_int_what(c, n, path, lo, hi, NULL, out);
}

static int read_int_as(ctx *c, const ipsim_ynode *n, const char *path, long long lo,
                       long long hi, int *out)
{
    long long v = 0;
    int rc = read_int(c, n, path, lo, hi, &v);
    if (rc == IPSIM_OK)
        *out = (int)v;
    return rc;
}

/* A non-empty string (plain or quoted; the parser refuses NUL bytes). */
static int read_string(ctx *c, const ipsim_ynode *n, const char *path, const char *what,
                       const char **out)
{
    *out = NULL;
    if (n->kind != IPSIM_Y_SCALAR || ipsim_yscalar_type(n) != IPSIM_YT_STR) {
        char exp[160];
        snprintf(exp, sizeof exp, "%s; quote it to make it a string", what);
        return type_error(c, n, path, n->kind == IPSIM_Y_SCALAR ? exp : what);
    }
    if (n->len == 0)
        return fail(c, n->mark, path, "the string is empty (expected %s)", what);
    *out = n->text;
    return IPSIM_OK;
}

static int dup_string(ctx *c, const char *s, char **out)
{
    *out = strdup(s);
    return *out ? IPSIM_OK : oom(c);
}

/* "YYYY-MM" (plain or quoted), month 01..12 -> absolute month. */
static int read_date(ctx *c, const ipsim_ynode *n, const char *path, int *abs)
{
    static const char exp[] = "a \"YYYY-MM\" date, month 01 to 12";
    const char *s;
    if (n->kind != IPSIM_Y_SCALAR || ipsim_yscalar_type(n) != IPSIM_YT_STR)
        return type_error(c, n, path, exp);
    s = n->text;
    int shape = n->len == 7 && s[4] == '-';
    for (int i = 0; shape && i < 7; i++)
        if (i != 4 && (s[i] < '0' || s[i] > '9'))
            shape = 0;
    int month = shape ? (s[5] - '0') * 10 + (s[6] - '0') : 0;
    if (!shape || month < 1 || month > 12)
        return fail(c, n->mark, path, "\"%.40s\" is not a valid date (expected %s)", s, exp);
    int year = atoi(s);
    *abs = IPSIM_MONTH_ABS(year, month);
    return IPSIM_OK;
}

/* ---- zone parameters --------------------------------------------------- */

typedef struct zkey zkey;
typedef int (*zread)(ctx *c, const ipsim_ynode *n, const char *path, ipsim_zone *z,
                     const zkey *k);
struct zkey {
    const char *key;
    zread read;
    int required;
    enum range range;
    size_t off; /* double field, for read_znum */
};

static int read_znum(ctx *c, const ipsim_ynode *n, const char *path, ipsim_zone *z,
                     const zkey *k)
{
    return read_number(c, n, path, k->range, (double *)(void *)((char *)z + k->off));
}

static int read_kind(ctx *c, const ipsim_ynode *n, const char *path, ipsim_zone *z,
                     const zkey *k)
{
    static const char exp[] = "park, cluster or economic_zone";
    const char *s;
    int rc = read_string(c, n, path, exp, &s);
    if (rc)
        return rc;
    if (!strcmp(s, "park"))
        z->kind = IPSIM_PARK;
    else if (!strcmp(s, "cluster"))
        z->kind = IPSIM_CLUSTER;
    else if (!strcmp(s, "economic_zone"))
        z->kind = IPSIM_ECONOMIC_ZONE;
    else
        return fail(c, n->mark, path, "unknown kind \"%.60s\" (expected %s)", s, exp);
    return IPSIM_OK;
}

static int read_ramp(ctx *c, const ipsim_ynode *n, const char *path, ipsim_zone *z,
                     const zkey *k)
{
    return read_int_as(c, n, path, 1, INT_MAX, &z->ramp_months);
}

static int read_wwtp(ctx *c, const ipsim_ynode *n, const char *path, ipsim_zone *z,
                     const zkey *k)
{
    if (n->kind == IPSIM_Y_SCALAR && ipsim_yscalar_type(n) == IPSIM_YT_BOOL) {
        z->wwtp_from_abs = ipsim_yscalar_true(n) ? IPSIM_WWTP_ALWAYS : IPSIM_WWTP_NEVER;
        return IPSIM_OK;
    }
    if (n->kind != IPSIM_Y_SCALAR || ipsim_yscalar_type(n) != IPSIM_YT_STR ||
        !strcmp(n->text, "yes") || !strcmp(n->text, "no") || !strcmp(n->text, "on") ||
        !strcmp(n->text, "off"))
        return type_error(c, n, path, "true, false or a \"YYYY-MM\" date");
    return read_date(c, n, path, &z->wwtp_from_abs);
}

/* A list of at most IPSIM_MAX_LIST mappings; returns its length in *n. */
static int read_list_head(ctx *c, const ipsim_ynode *n, const char *path,
                          const char *expected, size_t *count)
{
    int rc = expect_kind(c, n, path, IPSIM_Y_SEQ, expected);
    if (rc)
        return rc;
    if (n->n > IPSIM_MAX_LIST)
        return fail(c, n->mark, path, "%zu entries is too many (expected at most %d)",
                    n->n, IPSIM_MAX_LIST);
    *count = n->n;
    return IPSIM_OK;
}

static int read_upgrade(ctx *c, const ipsim_ynode *it, const char *path, ipsim_upgrade *u)
{
    char kp[PATH_LEN];
    const ipsim_ynode *v;
    int rc = expect_kind(c, it, path, IPSIM_Y_MAP, "a mapping {from, attractiveness}");
    if (!rc)
        rc = check_keys(c, it, path, upgrade_keys, L_OTHER);
    if (rc)
        return rc;
    join_key(kp, path, "from");
    if (!(v = ipsim_ytree_get(it, "from")))
        return missing(c, it, kp, "a \"YYYY-MM\" date");
    if ((rc = read_date(c, v, kp, &u->from_abs)))
        return rc;
    join_key(kp, path, "attractiveness");
    if (!(v = ipsim_ytree_get(it, "attractiveness")))
        return missing(c, it, kp, range_text[R_NONNEG]);
    return read_number(c, v, kp, R_NONNEG, &u->attractiveness);
}

static int read_upgrades(ctx *c, const ipsim_ynode *n, const char *path, ipsim_zone *z,
                         const zkey *k)
{
    size_t count = 0;
    char ip[PATH_LEN];
    int rc = read_list_head(c, n, path, "a list of {from, attractiveness} mappings", &count);
    if (rc)
        return rc;
    free(z->upgrades);
    z->upgrades = count ? calloc(count, sizeof *z->upgrades) : NULL;
    z->n_upgrades = 0;
    if (count && !z->upgrades)
        return oom(c);
    z->n_upgrades = count;
    for (size_t i = 0; i < count && !rc; i++) {
        join_index(ip, path, i);
        rc = read_upgrade(c, n->items[i], ip, &z->upgrades[i]);
    }
    return rc;
}

static int read_expansion(ctx *c, const ipsim_ynode *it, const char *path,
                          ipsim_expansion *e)
{
    char kp[PATH_LEN];
    const ipsim_ynode *v;
    int rc = expect_kind(c, it, path, IPSIM_Y_MAP, "a mapping {ha, threshold, delay_months}");
    if (!rc)
        rc = check_keys(c, it, path, expansion_keys, L_OTHER);
    if (rc)
        return rc;
    join_key(kp, path, "ha");
    if (!(v = ipsim_ytree_get(it, "ha")))
        return missing(c, it, kp, range_text[R_POS]);
    if ((rc = read_number(c, v, kp, R_POS, &e->ha)))
        return rc;
    join_key(kp, path, "threshold");
    if (!(v = ipsim_ytree_get(it, "threshold")))
        return missing(c, it, kp, range_text[R_UNIT]);
    if ((rc = read_number(c, v, kp, R_UNIT, &e->threshold)))
        return rc;
    e->delay_months = 0;
    join_key(kp, path, "delay_months");
    if ((v = ipsim_ytree_get(it, "delay_months")))
        return read_int_as(c, v, kp, 0, INT_MAX, &e->delay_months);
    return IPSIM_OK;
}

static int read_expansions(ctx *c, const ipsim_ynode *n, const char *path, ipsim_zone *z,
                           const zkey *k)
{
    size_t count = 0;
    char ip[PATH_LEN];
    int rc = read_list_head(c, n, path, "a list of {ha, threshold, delay_months} mappings",
                            &count);
    if (rc)
        return rc;
    free(z->expansions);
    z->expansions = count ? calloc(count, sizeof *z->expansions) : NULL;
    z->n_expansions = 0;
    if (count && !z->expansions)
        return oom(c);
    z->n_expansions = count;
    for (size_t i = 0; i < count && !rc; i++) {
        join_index(ip, path, i);
        rc = read_expansion(c, n->items[i], ip, &z->expansions[i]);
    }
    return rc;
}

/* `initial:` replaces the default one whole, so unset keys take the
 * built-in defaults, never those of a `defaults: initial:`. */
static int read_initial(ctx *c, const ipsim_ynode *n, const char *path, ipsim_zone *z,
                        const zkey *k)
{
    char kp[PATH_LEN];
    const ipsim_ynode *v;
    long long count;
    int rc = expect_kind(c, n, path, IPSIM_Y_MAP, "a mapping of initial.* keys");
    if (!rc)
        rc = check_keys(c, n, path, initial_keys, L_OTHER);
    if (rc)
        return rc;
    z->initial_operating_capital_musd = z->initial_pipeline_capital_musd = 0;
    z->initial_operating_projects = z->initial_pipeline_projects = 0;
    z->initial_pipeline_months = 12;
    join_key(kp, path, "operating_capital_musd");
    if ((v = ipsim_ytree_get(n, "operating_capital_musd")) &&
        (rc = read_number(c, v, kp, R_NONNEG, &z->initial_operating_capital_musd)))
        return rc;
    join_key(kp, path, "operating_projects");
    if ((v = ipsim_ytree_get(n, "operating_projects"))) {
        if ((rc = read_int(c, v, kp, 0, LONG_MAX, &count)))
            return rc;
        z->initial_operating_projects = (long)count;
    }
    join_key(kp, path, "pipeline_capital_musd");
    if ((v = ipsim_ytree_get(n, "pipeline_capital_musd")) &&
        (rc = read_number(c, v, kp, R_NONNEG, &z->initial_pipeline_capital_musd)))
        return rc;
    join_key(kp, path, "pipeline_projects");
    if ((v = ipsim_ytree_get(n, "pipeline_projects"))) {
        if ((rc = read_int(c, v, kp, 0, LONG_MAX, &count)))
            return rc;
        z->initial_pipeline_projects = (long)count;
    }
    join_key(kp, path, "pipeline_months");
    if ((v = ipsim_ytree_get(n, "pipeline_months")))
        return read_int_as(c, v, kp, 1, INT_MAX, &z->initial_pipeline_months);
    return IPSIM_OK;
}

#define ZOFF(f) offsetof(ipsim_zone, f)
static const zkey zkeys[] = {
    {"kind", read_kind, 0, R_ANY, 0},
    {"area_ha", read_znum, 1, R_POS, ZOFF(area_ha)},
    {"leased_ha", read_znum, 0, R_NONNEG, ZOFF(leased_ha)},
    {"clean_ha", read_znum, 0, R_NONNEG, ZOFF(clean_ha)},
    {"clearance_ha_per_year", read_znum, 0, R_NONNEG, ZOFF(clearance_ha_per_year)},
    {"clearance_cv", read_znum, 0, R_NONNEG, ZOFF(clearance_cv)},
    {"projects_per_year", read_znum, 1, R_NONNEG, ZOFF(projects_per_year)},
    {"attractiveness", read_znum, 0, R_NONNEG, ZOFF(attractiveness)},
    {"fdi_share", read_znum, 0, R_UNIT, ZOFF(fdi_share)},
    {"fdi_capital_median_musd", read_znum, 1, R_POS, ZOFF(fdi_capital_median_musd)},
    {"domestic_capital_median_musd", read_znum, 1, R_POS,
     ZOFF(domestic_capital_median_musd)},
    {"capital_sigma", read_znum, 0, R_NONNEG, ZOFF(capital_sigma)},
    {"capital_per_ha_musd", read_znum, 1, R_POS, ZOFF(capital_per_ha_musd)},
    {"intensity_sigma", read_znum, 0, R_NONNEG, ZOFF(intensity_sigma)},
    {"months_to_operation", read_znum, 0, R_NONNEG, ZOFF(months_to_operation)},
    {"months_to_operation_cv", read_znum, 0, R_NONNEG, ZOFF(months_to_operation_cv)},
    {"abandon_prob", read_znum, 0, R_UNIT, ZOFF(abandon_prob)},
    {"output_per_capital", read_znum, 0, R_NONNEG, ZOFF(output_per_capital)},
    {"ramp_months", read_ramp, 0, R_ANY, 0},
    {"polluting_share", read_znum, 0, R_UNIT, ZOFF(polluting_share)},
    {"wwtp", read_wwtp, 0, R_ANY, 0},
    {"upgrades", read_upgrades, 0, R_ANY, 0},
    {"expansions", read_expansions, 0, R_ANY, 0},
    {"initial", read_initial, 0, R_ANY, 0},
};
#define N_ZKEYS (sizeof zkeys / sizeof zkeys[0])

/* The built-in defaults of MODEL.md §3 (required keys stay 0). */
static void zone_init(ipsim_zone *z)
{
    z->kind = IPSIM_PARK;
    z->clearance_cv = 0.5;
    z->attractiveness = 1;
    z->fdi_share = 0.5;
    z->capital_sigma = 1.2;
    z->intensity_sigma = 0.5;
    z->months_to_operation = 18;
    z->months_to_operation_cv = 0.5;
    z->output_per_capital = 1;
    z->ramp_months = 12;
    z->wwtp_from_abs = IPSIM_WWTP_NEVER;
    z->initial_pipeline_months = 12;
}

static void zone_free(ipsim_zone *z)
{
    free(z->name);
    free(z->upgrades);
    free(z->expansions);
}

/* Validates every key under `defaults:` on its own, reported as defaults.X. */
static int read_defaults(ctx *c, const ipsim_ynode *d)
{
    char path[PATH_LEN];
    ipsim_zone scratch = {0};
    int rc = expect_kind(c, d, "defaults", IPSIM_Y_MAP, "a mapping of zone keys");
    if (!rc)
        rc = check_keys(c, d, "defaults", zone_keys, L_DEFAULTS);
    zone_init(&scratch);
    for (size_t i = 0; i < N_ZKEYS && !rc; i++) {
        const ipsim_ynode *v = ipsim_ytree_get(d, zkeys[i].key);
        join_key(path, "defaults", zkeys[i].key);
        if (v)
            rc = zkeys[i].read(c, v, path, &scratch, &zkeys[i]);
    }
    zone_free(&scratch);
    if (!rc)
        c->defaults = d;
    return rc;
}

/* The zone's own value for key, else the one under defaults:; path gets
 * the key path of wherever it was written. */
static const ipsim_ynode *zone_value(const ctx *c, const ipsim_ynode *zn, const char *zpath,
                                     const char *key, char *path)
{
    const ipsim_ynode *v = ipsim_ytree_get(zn, key);
    if (v) {
        join_key(path, zpath, key);
        return v;
    }
    join_key(path, "defaults", key);
    return ipsim_ytree_get(c->defaults, key);
}

/* A zone's name node, if it is a well-formed name (for paths and lookups). */
static const char *name_of(const ipsim_ynode *zn)
{
    const ipsim_ynode *v = ipsim_ytree_get(zn, "name");
    if (!v || v->kind != IPSIM_Y_SCALAR || ipsim_yscalar_type(v) != IPSIM_YT_STR ||
        v->len == 0 || strlen(v->text) != v->len)
        return NULL;
    return v->text;
}

static void zone_path(const ipsim_ynode *zn, size_t i, char *zpath)
{
    const char *name = zn->kind == IPSIM_Y_MAP ? name_of(zn) : NULL;
    if (name)
        snprintf(zpath, PATH_LEN, "zones[%.*s%s]", NAME_SHOWN, name,
                 strlen(name) > NAME_SHOWN ? "..." : "");
    else
        snprintf(zpath, PATH_LEN, "zones[%zu]", i);
}

static int read_zone_name(ctx *c, const ipsim_ynode *zn, size_t i, ipsim_zone *z)
{
    char path[PATH_LEN];
    const char *s;
    snprintf(path, PATH_LEN, "zones[%zu].name", i);
    const ipsim_ynode *v = ipsim_ytree_get(zn, "name");
    if (!v)
        return missing(c, zn, path, "a unique zone name; it cannot come from defaults:");
    int rc = read_string(c, v, path, "a unique zone name (a string)", &s);
    if (rc)
        return rc;
    if (c->dup_index == i)
        return fail(c, v->mark, path, "duplicate zone name \"%.*s\" (expected unique "
                    "names; zones[%zu] already has it)", NAME_SHOWN, s, c->dup_first);
    return dup_string(c, s, &z->name);
}

/* What a message about a zone's value adds when the value comes from
 * defaults (where: its key path, as zone_value gives it). */
static const char *defaults_note(const char *where)
{
    return strncmp(where, "defaults.", 9) ? "" : "; this value comes from defaults:";
}

/* U(0) = A - L - C must be >= 0 (§3), to the 1e-9 relative of §2: a zone
 * whose decimal L + C equals A (50.1 + 50.2 = 100.3) is fully allocated,
 * whatever the last bit of the binary sum; the model clamps U(0) to 0. */
static int check_land(ctx *c, const ipsim_ynode *zn, const char *zpath, const ipsim_zone *z)
{
    char where[PATH_LEN], path[PATH_LEN];
    if (z->leased_ha + z->clean_ha <= z->area_ha * (1.0 + 1e-9))
        return IPSIM_OK;
    const char *key = "leased_ha";
    const ipsim_ynode *v = zone_value(c, zn, zpath, key, where);
    if (!v) {
        key = "clean_ha";
        v = zone_value(c, zn, zpath, key, where);
    }
    join_key(path, zpath, key);
    return fail(c, v->mark, path, "leased_ha + clean_ha = %.17g is more than area_ha = "
                "%.17g (expected leased_ha + clean_ha <= area_ha%s)",
                z->leased_ha + z->clean_ha, z->area_ha, defaults_note(where));
}

/* A month's mean arrivals before the macro factor, lambda / 12 times the
 * most the upgrades can raise the attractiveness to, must stay below the
 * projects a zone-month's stream can index (docs/model.md §1): at or above
 * it, about every other month would stop the run in its middle. */
static int check_arrivals(ctx *c, const ipsim_ynode *zn, const char *zpath, const ipsim_zone *z)
{
    char where[PATH_LEN], path[PATH_LEN];
    double top = z->attractiveness;
    for (size_t i = 0; i < z->n_upgrades; i++)
        if (z->upgrades[i].attractiveness > 1.0)
            top *= z->upgrades[i].attractiveness;
    double mean = z->projects_per_year / 12.0 * top;
    if (mean < (double)IPSIM_STREAM_MAX_INDEX)
        return IPSIM_OK;
    const ipsim_ynode *v = zone_value(c, zn, zpath, "projects_per_year", where);
    join_key(path, zpath, "projects_per_year");
    return fail(c, v->mark, path, "%.15g a year at an attractiveness of up to %.15g is %.3g "
                "arrivals a month (expected projects_per_year / 12 x attractiveness < %u, the "
                "projects a zone-month's random stream can index%s)",
                z->projects_per_year, top, mean, IPSIM_STREAM_MAX_INDEX, defaults_note(where));
}

static int read_zone(ctx *c, const ipsim_ynode *zn, size_t i, ipsim_zone *z)
{
    char zpath[PATH_LEN], path[PATH_LEN];
    zone_path(zn, i, zpath);
    int rc = expect_kind(c, zn, zpath, IPSIM_Y_MAP, "a zone mapping (name: ..., area_ha: "
                         "..., ...)");
    if (!rc)
        rc = check_keys(c, zn, zpath, zone_keys, L_ZONE);
    if (!rc)
        rc = read_zone_name(c, zn, i, z);
    zone_init(z);
    for (size_t k = 0; k < N_ZKEYS && !rc; k++) {
        const ipsim_ynode *v = zone_value(c, zn, zpath, zkeys[k].key, path);
        if (v) {
            rc = zkeys[k].read(c, v, path, z, &zkeys[k]);
        } else if (zkeys[k].required) {
            char exp[128];
            join_key(path, zpath, zkeys[k].key);
            snprintf(exp, sizeof exp, "%s, in the zone or under defaults:",
                     range_text[zkeys[k].range]);
            rc = missing(c, zn, path, exp);
        }
    }
    if (!rc)
        rc = check_land(c, zn, zpath, z);
    return rc ? rc : check_arrivals(c, zn, zpath, z);
}

static int zname_cmp(const void *a, const void *b)
{
    const zname *x = a, *y = b;
    int d = strcmp(x->name, y->name);
    return d ? d : (x->index > y->index) - (x->index < y->index);
}

/* Sorts the well-formed zone names once: finds the first repeated name in
 * file order (O(n log n) for 10000 zones) and serves target lookups. */
static int index_names(ctx *c, const ipsim_ynode *zones)
{
    c->dup_index = c->dup_first = SIZE_MAX;
    c->names = malloc((zones->n ? zones->n : 1) * sizeof *c->names);
    if (!c->names)
        return oom(c);
    for (size_t i = 0; i < zones->n; i++) {
        const ipsim_ynode *zn = zones->items[i];
        const char *name = zn->kind == IPSIM_Y_MAP ? name_of(zn) : NULL;
        if (name)
            c->names[c->n_names++] = (zname){name, i};
    }
    qsort(c->names, c->n_names, sizeof *c->names, zname_cmp);
    for (size_t k = 1; k < c->n_names; k++)
        if (!strcmp(c->names[k].name, c->names[k - 1].name) &&
            c->names[k].index < c->dup_index &&
            (k < 2 || strcmp(c->names[k - 1].name, c->names[k - 2].name))) {
            c->dup_index = c->names[k].index;
            c->dup_first = c->names[k - 1].index;
        }
    return IPSIM_OK;
}

static int read_zones(ctx *c, const ipsim_ynode *zones)
{
    int rc = expect_kind(c, zones, "zones", IPSIM_Y_SEQ, "a list of zone mappings");
    if (rc)
        return rc;
    if (zones->n == 0)
        return fail(c, zones->mark, "zones", "the list is empty (expected at least one zone)");
    if (zones->n > IPSIM_MAX_ZONES)
        return fail(c, zones->mark, "zones", "%zu zones is too many (expected at most %d)",
                    zones->n, IPSIM_MAX_ZONES);
    if ((rc = index_names(c, zones)))
        return rc;
    c->scn->zones = calloc(zones->n, sizeof *c->scn->zones);
    if (!c->scn->zones)
        return oom(c);
    c->scn->n_zones = zones->n;
    for (size_t i = 0; i < zones->n && !rc; i++)
        rc = read_zone(c, zones->items[i], i, &c->scn->zones[i]);
    return rc;
}

/* ---- targets ----------------------------------------------------------- */

static int find_zone(const ctx *c, const char *name)
{
    zname key = {name, 0};
    size_t lo = 0, hi = c->n_names;
    while (lo < hi) { /* lower bound on the name alone */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(c->names[mid].name, key.name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->n_names && !strcmp(c->names[lo].name, name))
        return (int)c->names[lo].index;
    return -1;
}

static int read_metric(ctx *c, const ipsim_ynode *n, const char *path, int *metric)
{
    const char *names[IPSIM_NMETRICS + 1];
    char valid[600];
    const char *s;
    int rc = read_string(c, n, path, "a metric name", &s);
    if (rc)
        return rc;
    if ((*metric = ipsim_metric_find(s)) >= 0)
        return IPSIM_OK;
    for (int m = 0; m < IPSIM_NMETRICS; m++)
        names[m] = ipsim_metric_get(m)->name;
    names[IPSIM_NMETRICS] = NULL;
    list_words(valid, sizeof valid, names);
    const char *guess = closest(s, names);
    if (guess)
        return fail(c, n->mark, path, "unknown metric \"%.60s\" (did you mean \"%s\"? "
                    "expected one of: %s)", s, guess, valid);
    return fail(c, n->mark, path, "unknown metric \"%.60s\" (expected one of: %s)", s, valid);
}

static int read_op(ctx *c, const ipsim_ynode *n, const char *path, enum ipsim_op *op)
{
    static const char exp[] = "\">=\" or \"<=\"";
    if (n->kind == IPSIM_Y_SCALAR && ipsim_yscalar_type(n) == IPSIM_YT_STR) {
        if (!strcmp(n->text, ">=")) {
            *op = IPSIM_OP_GE;
            return IPSIM_OK;
        }
        if (!strcmp(n->text, "<=")) {
            *op = IPSIM_OP_LE;
            return IPSIM_OK;
        }
        return fail(c, n->mark, path, "unknown operator \"%.20s\" (expected %s)", n->text, exp);
    }
    return type_error(c, n, path, exp);
}

static int read_target_year(ctx *c, const ipsim_ynode *n, const char *path,
                            ipsim_target *t)
{
    long long y;
    char exp[96];
    int rc = read_int_what(c, n, path, INT_MIN, INT_MAX, "a year (a whole number)", &y);
    if (rc)
        return rc;
    snprintf(exp, sizeof exp, "a year in [%d, %d]", c->first_year, c->last_year);
    if (y < c->first_year || y > c->last_year)
        return fail(c, n->mark, path, "%lld is outside the simulated years (expected %s)",
                    y, exp);
    t->year = (int)y;
    if (t->metric != IPSIM_M_PRODUCTION_GROWTH || t->year != c->first_year)
        return IPSIM_OK;
    /* §11.3: growth in the first year needs the year before, i.e. a baseline,
     * which exists for the province only */
    if (c->first_year == c->last_year)
        snprintf(exp, sizeof exp, "a year after %d; this horizon has no such year",
                 c->first_year);
    else
        snprintf(exp, sizeof exp, "a year in [%d, %d]", c->first_year + 1, c->last_year);
    if (t->zone >= 0)
        return fail(c, n->mark, path, "production_growth of a zone is undefined in the "
                    "first simulated year %d (expected %s)", t->year, exp);
    if (!c->scn->has_baseline)
        return fail(c, n->mark, path, "production_growth in the first simulated year %d "
                    "needs baseline.production_musd (expected %s, or a baseline)",
                    t->year, exp);
    return IPSIM_OK;
}

static int target_default_name(ctx *c, ipsim_target *t)
{
    const char *metric = ipsim_metric_get(t->metric)->name;
    const char *zone = t->zone >= 0 ? c->scn->zones[t->zone].name : NULL;
    int len = snprintf(NULL, 0, "%s %d%s%s", metric, t->year, zone ? " " : "",
                       zone ? zone : "");
    t->name = malloc((size_t)len + 1);
    if (!t->name)
        return oom(c);
    snprintf(t->name, (size_t)len + 1, "%s %d%s%s", metric, t->year, zone ? " " : "",
             zone ? zone : "");
    return IPSIM_OK;
}

/* Required target keys, checked in this order (year last: its checks need
 * the metric and the zone). */
static const char *const target_required[] = {"metric", "op", "value", "year", NULL};

static int read_target(ctx *c, const ipsim_ynode *tn, const char *tpath, ipsim_target *t)
{
    char path[PATH_LEN];
    const ipsim_ynode *v;
    const char *s;
    int rc = expect_kind(c, tn, tpath, IPSIM_Y_MAP, "a target mapping {metric, year, op, "
                         "value, zone, name}");
    if (!rc)
        rc = check_keys(c, tn, tpath, target_keys, L_OTHER);
    for (const char *const *k = target_required; *k && !rc; k++)
        if (!ipsim_ytree_get(tn, *k)) {
            join_key(path, tpath, *k);
            rc = missing(c, tn, path, !strcmp(*k, "op") ? "\">=\" or \"<=\"" :
                         !strcmp(*k, "metric") ? "a metric name" :
                         !strcmp(*k, "year") ? "a year" : "a finite number");
        }
    if (rc)
        return rc;
    t->zone = -1;
    join_key(path, tpath, "metric");
    if ((rc = read_metric(c, ipsim_ytree_get(tn, "metric"), path, &t->metric)))
        return rc;
    join_key(path, tpath, "op");
    if ((rc = read_op(c, ipsim_ytree_get(tn, "op"), path, &t->op)))
        return rc;
    join_key(path, tpath, "value");
    if ((rc = read_number(c, ipsim_ytree_get(tn, "value"), path, R_ANY, &t->value)))
        return rc;
    join_key(path, tpath, "zone");
    if ((v = ipsim_ytree_get(tn, "zone"))) {
        if ((rc = read_string(c, v, path, "the name of a zone", &s)))
            return rc;
        if ((t->zone = find_zone(c, s)) < 0)
            return fail(c, v->mark, path, "unknown zone \"%.*s\" (expected the name of a "
                        "zone under zones:)", NAME_SHOWN, s);
    }
    join_key(path, tpath, "year");
    if ((rc = read_target_year(c, ipsim_ytree_get(tn, "year"), path, t)))
        return rc;
    join_key(path, tpath, "name");
    if ((v = ipsim_ytree_get(tn, "name"))) {
        if ((rc = read_string(c, v, path, "a target name (a string)", &s)))
            return rc;
        return dup_string(c, s, &t->name);
    }
    return target_default_name(c, t);
}

static int read_targets(ctx *c, const ipsim_ynode *n)
{
    char tpath[PATH_LEN];
    int rc = expect_kind(c, n, "targets", IPSIM_Y_SEQ, "a list of target mappings");
    if (rc)
        return rc;
    if (n->n > IPSIM_MAX_TARGETS)
        return fail(c, n->mark, "targets", "%zu targets is too many (expected at most %d)",
                    n->n, IPSIM_MAX_TARGETS);
    if (n->n == 0)
        return IPSIM_OK;
    c->scn->targets = calloc(n->n, sizeof *c->scn->targets);
    if (!c->scn->targets)
        return oom(c);
    c->scn->n_targets = n->n;
    for (size_t i = 0; i < n->n && !rc; i++) {
        join_index(tpath, "targets", i);
        rc = read_target(c, n->items[i], tpath, &c->scn->targets[i]);
    }
    return rc;
}

/* ---- province level ---------------------------------------------------- */

/* seed: a whole number in [0, 2^64), read with strtoull (no sign). */
static int read_seed(ctx *c, const ipsim_ynode *n)
{
    static const char exp[] = "a whole number in [0, 2^64)";
    if (n->kind == IPSIM_Y_SCALAR && ipsim_yscalar_type(n) == IPSIM_YT_FLOAT)
        return not_whole(c, n, "seed", exp);
    if (n->kind != IPSIM_Y_SCALAR || ipsim_yscalar_type(n) != IPSIM_YT_INT)
        return type_error(c, n, "seed", exp);
    const char *s = n->text;
    int base = !strncmp(s, "0x", 2) ? 16 : !strncmp(s, "0o", 2) ? 8 : 10;
    if (base != 10)
        s += 2;
    else if (*s == '+' || (*s == '-' && strspn(s + 1, "0") == strlen(s + 1)))
        s++; /* -0 is 0 */
    errno = 0;
    unsigned long long v = strtoull(s, NULL, base);
    if (*s == '-' || errno == ERANGE || v > UINT64_MAX)
        return fail(c, n->mark, "seed", "%.40s is out of range (expected %s)", n->text, exp);
    c->scn->has_seed = 1;
    c->scn->seed = (uint64_t)v;
    return IPSIM_OK;
}

static int read_macro(ctx *c, const ipsim_ynode *n)
{
    const ipsim_ynode *v;
    int rc = expect_kind(c, n, "macro", IPSIM_Y_MAP, "a mapping {sigma, annual_persistence}");
    if (!rc)
        rc = check_keys(c, n, "macro", macro_keys, L_OTHER);
    if (!rc && (v = ipsim_ytree_get(n, "sigma")))
        rc = read_number(c, v, "macro.sigma", R_NONNEG, &c->scn->macro_sigma);
    if (!rc && (v = ipsim_ytree_get(n, "annual_persistence")))
        rc = read_number(c, v, "macro.annual_persistence", R_UNIT_OPEN, &c->scn->macro_rho);
    return rc;
}

static int read_baseline(ctx *c, const ipsim_ynode *n)
{
    const ipsim_ynode *v;
    int rc = expect_kind(c, n, "baseline", IPSIM_Y_MAP, "a mapping {production_musd}");
    if (!rc)
        rc = check_keys(c, n, "baseline", baseline_keys, L_OTHER);
    if (rc)
        return rc;
    if (!(v = ipsim_ytree_get(n, "production_musd")))
        return missing(c, n, "baseline.production_musd", range_text[R_POS]);
    c->scn->has_baseline = 1;
    return read_number(c, v, "baseline.production_musd", R_POS,
                       &c->scn->baseline_production_musd);
}

/* `name`, or the file's stem: "dir/thai_binh.yaml" -> "thai_binh". */
static int read_name(ctx *c, const ipsim_ynode *root)
{
    const ipsim_ynode *v = ipsim_ytree_get(root, "name");
    const char *s;
    if (v) {
        int rc = read_string(c, v, "name", "a scenario name (a string)", &s);
        return rc ? rc : dup_string(c, s, &c->scn->name);
    }
    const char *base = c->file ? c->file : "scenario";
    const char *slash = strrchr(base, '/');
    base = slash ? slash + 1 : base;
    const char *dot = strrchr(base, '.');
    size_t len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    if (len == 0) {
        base = "scenario";
        len = strlen(base);
    }
    c->scn->name = strndup(base, len);
    return c->scn->name ? IPSIM_OK : oom(c);
}

static int read_calendar(ctx *c, const ipsim_ynode *root)
{
    const ipsim_ynode *v;
    long long version;
    int rc;
    if (!(v = ipsim_ytree_get(root, "ipsim")))
        return missing(c, root, "ipsim", "the schema version, 1");
    if ((rc = read_int_what(c, v, "ipsim", 0, INT_MAX, "the schema version 1", &version)))
        return rc;
    if (version != 1)
        return fail(c, v->mark, "ipsim", "schema version %lld is not supported (expected 1)",
                    version);
    if (!(v = ipsim_ytree_get(root, "start")))
        return missing(c, root, "start", "a \"YYYY-MM\" date");
    if ((rc = read_date(c, v, "start", &c->scn->start_abs)))
        return rc;
    if (!(v = ipsim_ytree_get(root, "horizon_months")))
        return missing(c, root, "horizon_months", "a whole number in [1, 1200]");
    if ((rc = read_int_as(c, v, "horizon_months", 1, IPSIM_MAX_HORIZON,
                          &c->scn->horizon_months)))
        return rc;
    c->first_year = ipsim_scenario_first_year(c->scn);
    c->last_year = c->first_year + ipsim_scenario_n_years(c->scn) - 1;
    return IPSIM_OK;
}

static int read_province(ctx *c, const ipsim_ynode *root)
{
    const ipsim_ynode *v;
    int rc = read_name(c, root);
    c->scn->macro_rho = 0.5;
    if (!rc && (v = ipsim_ytree_get(root, "seed")))
        rc = read_seed(c, v);
    if (!rc && (v = ipsim_ytree_get(root, "macro")))
        rc = read_macro(c, v);
    if (!rc && (v = ipsim_ytree_get(root, "redirect_prob")))
        rc = read_number(c, v, "redirect_prob", R_UNIT, &c->scn->redirect_prob);
    if (!rc && (v = ipsim_ytree_get(root, "productivity_growth")))
        rc = read_number(c, v, "productivity_growth", R_GT_M1, &c->scn->productivity_growth);
    if (!rc && (v = ipsim_ytree_get(root, "baseline")))
        rc = read_baseline(c, v);
    return rc;
}

static int read_root(ctx *c, const ipsim_ynode *root)
{
    const ipsim_ynode *v;
    ipsim_ymark top = {1, 1, NULL};
    if (!root)
        return fail(c, top, "(root)", "the file is empty (expected a mapping with ipsim, "
                    "start, horizon_months and zones)");
    if (root->kind == IPSIM_Y_SCALAR && ipsim_yscalar_type(root) == IPSIM_YT_NULL)
        return fail(c, top, "(root)", "found an empty document (expected a mapping with "
                    "ipsim, start, horizon_months and zones)");
    int rc = expect_kind(c, root, "(root)", IPSIM_Y_MAP, "a mapping with ipsim, start, "
                         "horizon_months and zones");
    if (!rc)
        rc = check_keys(c, root, "", root_keys, L_ROOT);
    if (!rc)
        rc = read_calendar(c, root);
    if (!rc)
        rc = read_province(c, root);
    if (!rc && (v = ipsim_ytree_get(root, "defaults")))
        rc = read_defaults(c, v);
    if (rc)
        return rc;
    if (!(v = ipsim_ytree_get(root, "zones")))
        return missing(c, root, "zones", "a non-empty list of zone mappings");
    if ((rc = read_zones(c, v)))
        return rc;
    if ((v = ipsim_ytree_get(root, "targets")))
        rc = read_targets(c, v);
    return rc;
}

int ipsim_scenario_from_tree(ipsim_scenario *scn, const ipsim_ynode *root,
                             const char *filename, ipsim_error *err)
{
    ctx c = {.file = filename, .err = err, .scn = scn};
    int rc = read_root(&c, root);
    free(c.names);
    if (rc != IPSIM_OK)
        ipsim_scenario_free(scn);
    return rc;
}

/* ---- lifetime and calendar --------------------------------------------- */

void ipsim_scenario_free(ipsim_scenario *scn)
{
    if (!scn)
        return;
    for (size_t i = 0; i < scn->n_zones; i++)
        zone_free(&scn->zones[i]);
    for (size_t i = 0; i < scn->n_targets; i++)
        free(scn->targets[i].name);
    for (size_t i = 0; i < scn->n_overrides; i++)
        free(scn->overrides[i]);
    free(scn->overrides);
    free(scn->zones);
    free(scn->targets);
    free(scn->path);
    free(scn->text);
    free(scn->name);
    memset(scn, 0, sizeof *scn);
}

/* Floor division, so months before year 0 would still map correctly. */
static int year_of_abs(int abs)
{
    return abs >= 0 ? abs / 12 : -((-abs + 11) / 12);
}

int ipsim_scenario_first_year(const ipsim_scenario *scn)
{
    return year_of_abs(scn->start_abs);
}

int ipsim_scenario_n_years(const ipsim_scenario *scn)
{
    int last = scn->start_abs + scn->horizon_months - 1;
    return year_of_abs(last) - year_of_abs(scn->start_abs) + 1;
}

int ipsim_scenario_year_of_month(const ipsim_scenario *scn, int t)
{
    return year_of_abs(scn->start_abs + t) - year_of_abs(scn->start_abs);
}

int ipsim_scenario_year_partial(const ipsim_scenario *scn, int y)
{
    int year = ipsim_scenario_first_year(scn) + y;
    int first = scn->start_abs, last = scn->start_abs + scn->horizon_months - 1;
    int lo = year * 12 > first ? year * 12 : first;
    int hi = year * 12 + 11 < last ? year * 12 + 11 : last;
    return hi - lo + 1 < 12;
}
