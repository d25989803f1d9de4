/* results_read.c -- reading back results files (see results_read.h).
 *
 * Every check a user can fail (no such file, not HDF5, not ipsim, another
 * format version, an unfinished run) is IPSIM_EINPUT: the user named the
 * wrong file.  Failures inside a file that passed those checks are
 * IPSIM_EIO with HDF5's own words. */
#include "results_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <hdf5.h>

#include "metrics.h"
#include "results.h"

struct ipsim_rfile_h5 {
    hid_t file;
};

static herr_t first_msg(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0)
        snprintf((char *)data, 200, "%s", e->desc ? e->desc : "unknown error");
    return 0;
}

/* IPSIM_EIO: FILE: cannot read WHAT: HDF5's innermost message. */
static int read_error(ipsim_error *err, const ipsim_rfile *f, const char *what)
{
    char detail[200] = "";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, first_msg, detail);
    H5Eclear2(H5E_DEFAULT);
    return ipsim_error_set(err, IPSIM_EIO, "%s: cannot read %s%s%s", f->filename, what,
                           detail[0] ? ": " : "", detail);
}

static int not_results(ipsim_error *err, const char *name, const char *why)
{
    return ipsim_error_set(err, IPSIM_EINPUT, "%s: not an ipsim results file (%s)", name, why);
}

/* ---- attributes ---- */

/* A string attribute of obj, variable or fixed length, as a new string. */
static char *attr_string(hid_t obj, const char *name)
{
    if (H5Aexists(obj, name) <= 0)
        return NULL;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t ft = a < 0 ? -1 : H5Aget_type(a);
    char *s = NULL;
    if (ft >= 0 && H5Tget_class(ft) == H5T_STRING) {
        /* HDF5 does not convert between ASCII and UTF-8: read as stored. */
        hid_t mt = H5Tcopy(H5T_C_S1);
        H5Tset_cset(mt, H5Tget_cset(ft));
        if (H5Tis_variable_str(ft) > 0) {
            char *v = NULL;
            if (H5Tset_size(mt, H5T_VARIABLE) >= 0 && H5Aread(a, mt, &v) >= 0 && v) {
                s = strdup(v);
                H5free_memory(v);
            }
        } else {
            size_t n = H5Tget_size(ft);
            s = calloc(n + 1, 1);
            if (s && (H5Tset_size(mt, n + 1) < 0 || H5Aread(a, mt, s) < 0)) {
                free(s);
                s = NULL;
            }
        }
        H5Tclose(mt);
    }
    if (ft >= 0)
        H5Tclose(ft);
    if (a >= 0)
        H5Aclose(a);
    return s;
}

/* Numeric attribute of n elements (1 for a scalar) into out. */
static int attr_numbers(hid_t obj, const char *name, hid_t mem_type, size_t n, void *out)
{
    if (H5Aexists(obj, name) <= 0)
        return -1;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t sp = a < 0 ? -1 : H5Aget_space(a);
    hssize_t got = sp < 0 ? -1 : H5Sget_simple_extent_npoints(sp);
    int rc = got == (hssize_t)n && H5Aread(a, mem_type, out) >= 0 ? 0 : -1;
    if (sp >= 0)
        H5Sclose(sp);
    if (a >= 0)
        H5Aclose(a);
    return rc;
}

/* ---- small datasets ---- */

static hssize_t dataset_length(hid_t ds)
{
    hid_t sp = H5Dget_space(ds);
    hssize_t n = sp < 0 ? -1 : H5Sget_simple_extent_npoints(sp);
    if (sp >= 0)
        H5Sclose(sp);
    return n;
}

/* A 1-D dataset of variable-length strings, copied. */
static char **read_strings(hid_t file, const char *name, size_t *n_out)
{
    hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
    hssize_t n = ds < 0 ? -1 : dataset_length(ds);
    char **raw = n < 0 ? NULL : calloc((size_t)n + 1, sizeof *raw);
    char **copy = n < 0 ? NULL : calloc((size_t)n + 1, sizeof *copy);
    hid_t mt = H5Tcopy(H5T_C_S1);
    int ok = raw && copy && H5Tset_size(mt, H5T_VARIABLE) >= 0 &&
             H5Tset_cset(mt, H5T_CSET_UTF8) >= 0 &&
             H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0;
    for (hssize_t i = 0; ok && i < n; i++)
        ok = (copy[i] = strdup(raw[i] ? raw[i] : "")) != NULL;
    if (raw && ok) {
        hid_t sp = H5Dget_space(ds);
        H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
        H5Sclose(sp);
    }
    if (!ok && copy) {
        for (hssize_t i = 0; i < n; i++)
            free(copy[i]);
        free(copy);
        copy = NULL;
    }
    free(raw);
    H5Tclose(mt);
    if (ds >= 0)
        H5Dclose(ds);
    *n_out = copy ? (size_t)n : 0;
    return copy;
}

/* ---- the targets table ---- */

typedef struct {
    char *name, *metric;
    int32_t year;
    char *zone, *op;
    double value, p_met, p_low, p_high, mean, q[IPSIM_NQUANTILES], shortfall;
    uint64_t n_finite, n_met;
} target_row;

static hid_t target_row_type(hid_t str)
{
    static const char *qnames[IPSIM_NQUANTILES] = {"q05", "q25", "q50", "q75", "q95"};
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(target_row));
    herr_t st = t < 0 ? -1 : 0;
#define FIELD(n, member, type)                                                             \
    if (st >= 0)                                                                          \
    st = H5Tinsert(t, n, HOFFSET(target_row, member), type)
    FIELD("name", name, str);
    FIELD("metric", metric, str);
    FIELD("year", year, H5T_NATIVE_INT32);
    FIELD("zone", zone, str);
    FIELD("op", op, str);
    FIELD("value", value, H5T_NATIVE_DOUBLE);
    FIELD("p_met", p_met, H5T_NATIVE_DOUBLE);
    FIELD("p_low", p_low, H5T_NATIVE_DOUBLE);
    FIELD("p_high", p_high, H5T_NATIVE_DOUBLE);
    FIELD("mean", mean, H5T_NATIVE_DOUBLE);
    FIELD("shortfall", shortfall, H5T_NATIVE_DOUBLE);
    FIELD("n_finite", n_finite, H5T_NATIVE_UINT64);
    FIELD("n_met", n_met, H5T_NATIVE_UINT64);
#undef FIELD
    for (int k = 0; k < IPSIM_NQUANTILES && st >= 0; k++)
        st = H5Tinsert(t, qnames[k], HOFFSET(target_row, q) + (size_t)k * sizeof(double),
                       H5T_NATIVE_DOUBLE);
    if (st < 0 && t >= 0) {
        H5Tclose(t);
        t = -1;
    }
    return t;
}

/* One row into f's arrays; IPSIM_EINPUT if it names what f does not have. */
static int target_from_row(ipsim_rfile *f, size_t i, const target_row *r, ipsim_error *err)
{
    ipsim_target *t = &f->targets[i];
    ipsim_target_stats *s = &f->target_stats[i];
    t->name = strdup(r->name ? r->name : "");
    if (!t->name)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory reading %s", f->filename);
    t->metric = ipsim_metric_find(r->metric ? r->metric : "");
    t->year = r->year;
    t->op = r->op && strcmp(r->op, "<=") == 0 ? IPSIM_OP_LE : IPSIM_OP_GE;
    t->value = r->value;
    t->zone = r->zone && r->zone[0] ? (int)ipsim_rfile_zone_index(f, r->zone) : -1;
    if (t->metric < 0 || (r->zone && r->zone[0] && t->zone < 0))
        return ipsim_error_set(err, IPSIM_EINPUT, "%s: targets[%zu]: unknown metric or zone",
                               f->filename, i);
    s->p_met = r->p_met;
    s->p_low = r->p_low;
    s->p_high = r->p_high;
    s->mean = r->mean;
    memcpy(s->q, r->q, sizeof s->q);
    s->shortfall = r->shortfall;
    s->n = f->paths;
    s->n_met = (size_t)r->n_met;
    s->n_finite = (size_t)r->n_finite;
    return IPSIM_OK;
}

static int read_targets(ipsim_rfile *f, ipsim_error *err)
{
    hid_t file = f->h5->file;
    if (H5Lexists(file, "targets", H5P_DEFAULT) <= 0)
        return IPSIM_OK;
    hid_t ds = H5Dopen2(file, "targets", H5P_DEFAULT);
    hssize_t n = ds < 0 ? -1 : dataset_length(ds);
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    H5Tset_cset(str, H5T_CSET_UTF8);
    hid_t type = target_row_type(str);
    target_row *rows = n < 0 ? NULL : calloc((size_t)n + 1, sizeof *rows);
    f->targets = n < 0 ? NULL : calloc((size_t)n + 1, sizeof *f->targets);
    f->target_stats = n < 0 ? NULL : calloc((size_t)n + 1, sizeof *f->target_stats);
    int rc = IPSIM_OK;
    if (!rows || !f->targets || !f->target_stats || type < 0 ||
        H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) < 0) {
        rc = read_error(err, f, "the targets table");
    } else {
        f->n_targets = (size_t)n;
        for (size_t i = 0; i < f->n_targets && rc == IPSIM_OK; i++)
            rc = target_from_row(f, i, &rows[i], err);
        hid_t sp = H5Dget_space(ds);
        H5Dvlen_reclaim(type, sp, H5P_DEFAULT, rows);
        H5Sclose(sp);
    }
    free(rows);
    if (type >= 0)
        H5Tclose(type);
    H5Tclose(str);
    if (ds >= 0)
        H5Dclose(ds);
    return rc;
}

/* ---- open / close ---- */

/* What the user may have got wrong, before HDF5 is asked anything. */
static int check_name(const char *name, ipsim_error *err)
{
    size_t len = strlen(name);
    const char *suffixes[] = {".partial", ".partial.scratch"};
    for (size_t i = 0; i < 2; i++) {
        size_t ls = strlen(suffixes[i]);
        if (len >= ls && strcmp(name + len - ls, suffixes[i]) == 0)
            return ipsim_error_set(err, IPSIM_EINPUT,
                                   "%s: an unfinished run's file (results are renamed from "
                                   "FILE.partial to FILE only when the run succeeds)",
                                   name);
    }
    struct stat st;
    if (stat(name, &st) != 0)
        return ipsim_error_set(err, errno == ENOENT || errno == ENOTDIR ? IPSIM_EINPUT : IPSIM_EIO,
                               "%s: cannot open: %s", name, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return ipsim_error_set(err, IPSIM_EINPUT, "%s: is a directory, not a results file", name);
    return IPSIM_OK;
}

static hid_t open_file(const char *name)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    hid_t f = -1;
    if (fapl >= 0 && H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) >= 0 &&
        H5Pset_file_locking(fapl, 1, 1) >= 0)
        f = H5Fopen(name, H5F_ACC_RDONLY, fapl);
    if (fapl >= 0)
        H5Pclose(fapl);
    return f;
}

/* format, format_version and a finished run (summary/ written at finish). */
static int check_format(ipsim_rfile *f, ipsim_error *err)
{
    hid_t file = f->h5->file;
    char *format = attr_string(file, "format");
    int is_ipsim = format && strcmp(format, "ipsim") == 0;
    free(format);
    if (!is_ipsim)
        return not_results(err, f->filename, "no root attribute format = \"ipsim\"");
    if (attr_numbers(file, "format_version", H5T_NATIVE_INT, 1, &f->format_version) < 0)
        return not_results(err, f->filename, "no format_version attribute");
    if (f->format_version != IPSIM_FORMAT_VERSION)
        return ipsim_error_set(err, IPSIM_EINPUT,
                               "%s: results format version %d is not supported (expected %d)",
                               f->filename, f->format_version, IPSIM_FORMAT_VERSION);
    if (H5Lexists(file, "summary", H5P_DEFAULT) <= 0)
        return ipsim_error_set(err, IPSIM_EINPUT,
                               "%s: an unfinished ipsim results file (no summary/)", f->filename);
    return IPSIM_OK;
}

static int read_layout(ipsim_rfile *f, ipsim_error *err)
{
    hid_t file = f->h5->file;
    uint64_t paths = 0;
    int y, m;
    f->scenario_name = attr_string(file, "scenario_name");
    f->start = attr_string(file, "start");
    f->store = attr_string(file, "store");
    f->ipsim_version = attr_string(file, "ipsim_version");
    if (!f->scenario_name || !f->start || !f->store || !f->ipsim_version ||
        attr_numbers(file, "seed", H5T_NATIVE_UINT64, 1, &f->seed) < 0 ||
        attr_numbers(file, "paths", H5T_NATIVE_UINT64, 1, &paths) < 0 || paths == 0 ||
        attr_numbers(file, "horizon_months", H5T_NATIVE_INT, 1, &f->horizon_months) < 0 ||
        sscanf(f->start, "%d-%d", &y, &m) != 2)
        return not_results(err, f->filename, "root attributes missing or malformed");
    f->paths = (size_t)paths;
    f->start_abs = IPSIM_MONTH_ABS(y, m);
    f->zones = read_strings(file, "zone", &f->n_zones);
    hid_t ds = H5Dopen2(file, "year", H5P_DEFAULT);
    hssize_t ny = ds < 0 ? -1 : dataset_length(ds);
    f->years = ny < 0 ? NULL : calloc((size_t)ny + 1, sizeof *f->years);
    f->partial = ny < 0 ? NULL : calloc((size_t)ny + 1, sizeof *f->partial);
    int ok = f->zones && f->years && f->partial &&
             H5Dread(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, f->years) >= 0 &&
             attr_numbers(file, "partial_years", H5T_NATIVE_INT, (size_t)ny, f->partial) >= 0;
    if (ds >= 0)
        H5Dclose(ds);
    if (!ok)
        return read_error(err, f, "the year and zone scales");
    f->n_years = (size_t)ny;
    f->per_path = strcmp(f->store, "summary") != 0 &&
                  H5Lexists(file, "yearly", H5P_DEFAULT) > 0 &&
                  H5Lexists(file, "yearly_zone", H5P_DEFAULT) > 0;
    f->monthly = f->per_path && H5Lexists(file, "monthly", H5P_DEFAULT) > 0;
    return read_targets(f, err);
}

int ipsim_rfile_open(ipsim_rfile *f, const char *filename, ipsim_error *err)
{
    memset(f, 0, sizeof *f);
    int rc = check_name(filename, err);
    if (rc != IPSIM_OK)
        return rc;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* the library never prints */
    f->filename = strdup(filename);
    f->h5 = malloc(sizeof *f->h5);
    if (!f->filename || !f->h5) {
        free(f->filename);
        free(f->h5);
        memset(f, 0, sizeof *f);
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory opening %s", filename);
    }
    f->h5->file = -1;
    if (H5Fis_hdf5(filename) <= 0) {
        H5Eclear2(H5E_DEFAULT);
        rc = not_results(err, filename, "not an HDF5 file");
    } else if ((f->h5->file = open_file(filename)) < 0) {
        rc = read_error(err, f, "the file");
    } else {
        rc = check_format(f, err);
        if (rc == IPSIM_OK)
            rc = read_layout(f, err);
    }
    if (rc != IPSIM_OK)
        ipsim_rfile_close(f);
    return rc;
}

void ipsim_rfile_close(ipsim_rfile *f)
{
    if (f->h5 && f->h5->file >= 0)
        H5Fclose(f->h5->file);
    free(f->h5);
    for (size_t z = 0; f->zones && z < f->n_zones; z++)
        free(f->zones[z]);
    for (size_t t = 0; f->targets && t < f->n_targets; t++)
        free(f->targets[t].name);
    free(f->zones);
    free(f->targets);
    free(f->target_stats);
    free(f->years);
    free(f->partial);
    free(f->filename);
    free(f->scenario_name);
    free(f->start);
    free(f->store);
    free(f->ipsim_version);
    memset(f, 0, sizeof *f);
}

long ipsim_rfile_year_index(const ipsim_rfile *f, int year)
{
    for (size_t y = 0; y < f->n_years; y++)
        if (f->years[y] == year)
            return (long)y;
    return -1;
}

long ipsim_rfile_zone_index(const ipsim_rfile *f, const char *zone)
{
    for (size_t z = 0; z < f->n_zones; z++)
        if (strcmp(f->zones[z], zone) == 0)
            return (long)z;
    return -1;
}

/* ---- hyperslabs ---- */

/* Reads the box start/count of dataset name (rank dims) into out, packed. */
static int read_box(const ipsim_rfile *f, const char *name, int rank, const hsize_t *start,
                    const hsize_t *count, double *out, ipsim_error *err)
{
    hid_t ds = H5Dopen2(f->h5->file, name, H5P_DEFAULT);
    hid_t fsp = ds < 0 ? -1 : H5Dget_space(ds);
    hid_t mem = H5Screate_simple(rank, count, NULL);
    int ok = fsp >= 0 && mem >= 0 && H5Sget_simple_extent_ndims(fsp) == rank &&
             H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, NULL, count, NULL) >= 0 &&
             H5Sselect_valid(fsp) > 0 &&
             H5Dread(ds, H5T_NATIVE_DOUBLE, mem, fsp, H5P_DEFAULT, out) >= 0;
    int rc = ok ? IPSIM_OK : read_error(err, f, name);
    if (mem >= 0)
        H5Sclose(mem);
    if (fsp >= 0)
        H5Sclose(fsp);
    if (ds >= 0)
        H5Dclose(ds);
    return rc;
}

static int metric_path(char *buf, size_t n, const char *group, int metric, const char *suffix)
{
    const ipsim_metric_info *mi = ipsim_metric_get(metric);
    if (!mi)
        return -1;
    snprintf(buf, n, "%s/%s%s", group, mi->name, suffix);
    return 0;
}

static int bad_request(ipsim_error *err, const ipsim_rfile *f)
{
    return ipsim_error_set(err, IPSIM_EFAIL, "%s: read outside the file's metrics, years or zones",
                           f->filename);
}

static int need_per_path(const ipsim_rfile *f, ipsim_error *err)
{
    if (f->per_path)
        return IPSIM_OK;
    return ipsim_error_set(err, IPSIM_EINPUT,
                           "%s: stored with --store summary: it has no per-path yearly or zone "
                           "data (run again with --store yearly)",
                           f->filename);
}

int ipsim_rfile_summary(const ipsim_rfile *f, int metric, double *mean, double *q,
                        ipsim_error *err)
{
    char name[160];
    if (metric_path(name, sizeof name, "summary", metric, "_mean") < 0)
        return bad_request(err, f);
    hsize_t s1[1] = {0}, c1[1] = {f->n_years};
    int rc = read_box(f, name, 1, s1, c1, mean, err);
    metric_path(name, sizeof name, "summary", metric, "");
    hsize_t s2[2] = {0, 0}, c2[2] = {IPSIM_NQUANTILES, f->n_years};
    return rc == IPSIM_OK ? read_box(f, name, 2, s2, c2, q, err) : rc;
}

int ipsim_rfile_yearly(const ipsim_rfile *f, int metric, size_t y0, size_t ny, double *out,
                       ipsim_error *err)
{
    char name[160];
    int rc = need_per_path(f, err);
    if (rc != IPSIM_OK)
        return rc;
    if (metric_path(name, sizeof name, "yearly", metric, "") < 0 || y0 + ny > f->n_years)
        return bad_request(err, f);
    hsize_t start[2] = {0, y0}, count[2] = {f->paths, ny};
    return read_box(f, name, 2, start, count, out, err);
}

int ipsim_rfile_yearly_zone(const ipsim_rfile *f, int metric, size_t y0, size_t ny, size_t z0,
                            size_t nz, double *out, ipsim_error *err)
{
    char name[160];
    int rc = need_per_path(f, err);
    if (rc != IPSIM_OK)
        return rc;
    if (metric_path(name, sizeof name, "yearly_zone", metric, "") < 0 || y0 + ny > f->n_years ||
        z0 + nz > f->n_zones)
        return bad_request(err, f);
    hsize_t start[3] = {0, y0, z0}, count[3] = {f->paths, ny, nz};
    return read_box(f, name, 3, start, count, out, err);
}

int ipsim_rfile_monthly(const ipsim_rfile *f, int metric, size_t m0, size_t nm, double *out,
                        ipsim_error *err)
{
    char name[160];
    if (!f->monthly)
        return ipsim_error_set(err, IPSIM_EINPUT,
                               "%s: has no monthly data (run again with --store monthly)",
                               f->filename);
    if (metric >= IPSIM_NMONTHLY || metric_path(name, sizeof name, "monthly", metric, "") < 0 ||
        m0 + nm > (size_t)f->horizon_months)
        return bad_request(err, f);
    hsize_t start[2] = {0, m0}, count[2] = {f->paths, nm};
    return read_box(f, name, 2, start, count, out, err);
}

int ipsim_rfile_target_values(const ipsim_rfile *f, size_t t0, size_t nt, double *out,
                              ipsim_error *err)
{
    if (t0 + nt > f->n_targets)
        return bad_request(err, f);
    hsize_t start[2] = {0, t0}, count[2] = {f->paths, nt};
    return read_box(f, "target_values", 2, start, count, out, err);
}
