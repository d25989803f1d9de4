/* test_results.c -- the HDF5 results file (results.h, MODEL.md §10), read
 * back with the HDF5 C API: attributes, scales and their attachment, shapes,
 * values, summaries against quantiles computed here independently, the
 * targets table, and the .partial / rename / abort life cycle.
 *
 * Also the writer thread that stores blocks during a run (writer.h).
 *
 * The scenario is built by hand (no YAML), starting 2025-07 for 30 months:
 * years 2025 (partial), 2026, 2027; two zones; two targets.  Blocks of 10
 * paths are written out of order, the last one short. */
#define _GNU_SOURCE /* O_DIRECT (testdio.h) */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>
#include <hdf5.h>
#include <hdf5_hl.h>

#include "block.h"
#include "metrics.h"
#include "results.h"
#include "stats.h"
#include "testdio.h"
#include "writer.h"

#define N_PATHS 25
#define BLOCK 10
#define N_YEARS 3
#define N_MONTHS 30
#define N_ZONES 2
#define N_TARGETS 2
#define TMP(name) IPSIM_TEST_TMP "/test_results_" name

static const char *zone_names[N_ZONES] = {"Alpha Park",
                                          "Ph\xe1\xbb\x91 N\xe1\xbb\x91i"}; /* Phố Nối */
static const char scenario_text[] = "ipsim: 1\nname: test \xc3\xa9t\xc3\xa9\nstart: \"2025-07\"\n";

/* ---- the scenario and the known values ---- */

typedef struct {
    ipsim_scenario scn;
    ipsim_zone zones[N_ZONES];
    ipsim_target targets[N_TARGETS];
} fixture;

static void fixture_init(fixture *f)
{
    memset(f, 0, sizeof *f);
    for (int z = 0; z < N_ZONES; z++)
        f->zones[z].name = (char *)zone_names[z];
    f->targets[0] = (ipsim_target){.name = "FDI 2026",
                                   .metric = IPSIM_M_FDI,
                                   .year = 2026,
                                   .op = IPSIM_OP_GE,
                                   .value = 30.0,
                                   .zone = -1};
    f->targets[1] = (ipsim_target){.name = "leased_ha 2027 Beta",
                                   .metric = IPSIM_M_LEASED,
                                   .year = 2027,
                                   .op = IPSIM_OP_LE,
                                   .value = 12.0,
                                   .zone = 1};
    f->scn.text = (char *)scenario_text;
    f->scn.text_len = sizeof scenario_text - 1;
    f->scn.name = "test \xc3\xa9t\xc3\xa9";
    f->scn.start_abs = IPSIM_MONTH_ABS(2025, 7);
    f->scn.horizon_months = N_MONTHS;
    f->scn.zones = f->zones;
    f->scn.n_zones = N_ZONES;
    f->scn.targets = f->targets;
    f->scn.n_targets = N_TARGETS;
}

/* Scrambled in p so that quantiles are not simply the path order. */
static double f_yearly(size_t p, int m, size_t y)
{
    if (m == IPSIM_M_PRODUCTION_GROWTH && y == 0 && p % 7 == 3)
        return NAN; /* production_growth over a zero year */
    return (double)((p * 37) % N_PATHS) * (m + 1) + 0.5 * (double)y + 0.001 * m;
}
static double f_yearly_zone(size_t p, int m, size_t y, size_t z)
{
    return f_yearly(p, m, y) + 0.25 * (double)z;
}
static double f_monthly(size_t p, int m, size_t t)
{
    return 100.0 * p + m + 0.01 * t;
}
static double f_monthly_zone(size_t p, int m, size_t t, size_t z)
{
    return f_monthly(p, m, t) + 0.5 * (double)z;
}
static double f_target(size_t p, size_t t)
{
    return t == 0 ? (double)((p * 11) % N_PATHS) * 2.5 : (double)p;
}

static void fill_block(ipsim_block *b, size_t path0, size_t n)
{
    b->path0 = path0;
    b->n = n;
    /* Slots past n hold junk that must never reach the file. */
    for (size_t s = 0; s < b->cap; s++) {
        size_t p = path0 + s;
        int junk = s >= n;
        for (int m = 0; m < IPSIM_NMETRICS; m++)
            for (size_t y = 0; y < b->n_years; y++) {
                ipsim_block_yearly(b, m, s)[y] = junk ? -999.0 : f_yearly(p, m, y);
                for (size_t z = 0; z < b->n_zones; z++)
                    ipsim_block_yearly_zone(b, m, s)[y * b->n_zones + z] =
                        junk ? -999.0 : f_yearly_zone(p, m, y, z);
            }
        for (int m = 0; b->monthly && m < IPSIM_NMONTHLY; m++)
            for (size_t t = 0; t < b->n_months; t++) {
                ipsim_block_monthly(b, m, s)[t] = junk ? -999.0 : f_monthly(p, m, t);
                for (size_t z = 0; z < b->n_zones; z++)
                    ipsim_block_monthly_zone(b, m, s)[t * b->n_zones + z] =
                        junk ? -999.0 : f_monthly_zone(p, m, t, z);
            }
        for (size_t t = 0; t < b->n_targets; t++)
            b->target_values[t * b->cap + s] = junk ? -999.0 : f_target(p, t);
    }
}

/* A new results file of N_PATHS paths, or the test fails. */
static ipsim_results *create_results(const fixture *f, const char *file, uint64_t seed,
                                     size_t block, enum ipsim_store store)
{
    ipsim_results *r = NULL;
    ipsim_error err = {0};
    if (ipsim_results_create(&r, file, &f->scn, seed, N_PATHS, block, store, -1, &err) != IPSIM_OK)
        fail_msg("create: %s", err.msg);
    return r;
}

/* Writes blocks 0, 2, 1 into r (block 2 before block 1, block 2 short). */
static void write_blocks(ipsim_results *r, enum ipsim_store store)
{
    ipsim_error err = {0};
    ipsim_block b;
    assert_int_equal(ipsim_block_alloc(&b, BLOCK, N_YEARS, N_MONTHS, N_ZONES, N_TARGETS,
                                       store == IPSIM_STORE_MONTHLY, &err),
                     IPSIM_OK);
    const size_t order[3] = {0, 2, 1};
    for (int i = 0; i < 3; i++) {
        size_t p0 = order[i] * BLOCK, n = N_PATHS - p0 < BLOCK ? N_PATHS - p0 : BLOCK;
        fill_block(&b, p0, n);
        if (ipsim_results_write_block(r, &b, &err) != IPSIM_OK)
            fail_msg("write_block: %s", err.msg);
    }
    ipsim_block_free(&b);
}

/* write_blocks into a new file; returns the open results for the caller to
 * finish or abort. */
static ipsim_results *write_run(const fixture *f, const char *file, enum ipsim_store store)
{
    ipsim_results *r = create_results(f, file, 7, BLOCK, store);
    write_blocks(r, store);
    return r;
}

static void finish_run(const fixture *f, const char *file, enum ipsim_store store,
                       ipsim_target_stats *stats)
{
    ipsim_error err = {0};
    ipsim_results *r = write_run(f, file, store);
    if (ipsim_results_finish(r, stats, &err) != IPSIM_OK)
        fail_msg("finish: %s", err.msg);
    /* Nothing left open: no file, group, dataset or attribute. */
    assert_int_equal(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0);
}

/* ---- reading back ---- */

static int exists(const char *path)
{
    return access(path, F_OK) == 0;
}

static char *cat(const char *a, const char *b, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s", a, b);
    return buf;
}

static hid_t open_file(const char *file)
{
    hid_t h = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(h >= 0);
    return h;
}

/* A scalar variable-length UTF-8 string attribute, copied to buf. */
static void attr_str(hid_t obj, const char *name, char *buf, size_t n)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    hid_t t = H5Aget_type(a);
    assert_int_equal(H5Tget_class(t), H5T_STRING);
    assert_true(H5Tis_variable_str(t) > 0);
    assert_int_equal(H5Tget_cset(t), H5T_CSET_UTF8);
    char *s = NULL;
    assert_true(H5Aread(a, t, &s) >= 0);
    snprintf(buf, n, "%s", s);
    H5free_memory(s);
    H5Tclose(t);
    H5Aclose(a);
}

static void attr_read(hid_t obj, const char *name, hid_t memtype, void *out)
{
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    assert_true(a >= 0);
    assert_true(H5Aread(a, memtype, out) >= 0);
    H5Aclose(a);
}

static int rank_dims(hid_t file, const char *path, hsize_t *dims)
{
    hid_t ds = H5Dopen2(file, path, H5P_DEFAULT);
    if (ds < 0)
        fail_msg("no dataset %s", path);
    hid_t sp = H5Dget_space(ds);
    int rank = H5Sget_simple_extent_dims(sp, dims, NULL);
    H5Sclose(sp);
    H5Dclose(ds);
    return rank;
}

static void read_doubles(hid_t file, const char *path, double *out)
{
    hid_t ds = H5Dopen2(file, path, H5P_DEFAULT);
    assert_true(ds >= 0);
    assert_true(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0);
    H5Dclose(ds);
}

/* Scales named in `scales` attached to axes 0.. of path, and units present. */
static void check_attached(hid_t file, const char *path, const char *const *scales, int rank)
{
    hid_t ds = H5Dopen2(file, path, H5P_DEFAULT);
    assert_true(ds >= 0);
    for (int i = 0; i < rank; i++) {
        hid_t sc = H5Dopen2(file, scales[i], H5P_DEFAULT);
        assert_true(sc >= 0);
        assert_true(H5DSis_scale(sc) > 0);
        if (H5DSis_attached(ds, sc, (unsigned)i) <= 0)
            fail_msg("%s axis %d not attached to %s", path, i, scales[i]);
        H5Dclose(sc);
    }
    H5Dclose(ds);
}

static void check_units(hid_t file, const char *path, int m)
{
    hid_t ds = H5Dopen2(file, path, H5P_DEFAULT);
    char buf[256];
    attr_str(ds, "units", buf, sizeof buf);
    assert_string_equal(buf, ipsim_metric_get(m)->units);
    attr_str(ds, "long_name", buf, sizeof buf);
    assert_true(strlen(buf) > 0);
    H5Dclose(ds);
}

/* ---- independent statistics ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* R's type 7 over the finite values, by the textbook formula. */
static void quantiles_ref(const double *x, size_t n, double *q, double *mean)
{
    double v[N_PATHS];
    size_t m = 0;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            v[m++] = x[i];
            s += x[i];
        }
    qsort(v, m, sizeof v[0], cmp_double);
    *mean = m ? s / (double)m : NAN;
    const double probs[5] = {0.05, 0.25, 0.5, 0.75, 0.95};
    for (int k = 0; k < 5; k++) {
        if (!m) {
            q[k] = NAN;
            continue;
        }
        double h = (double)(m - 1) * probs[k];
        size_t lo = (size_t)floor(h);
        size_t hi = lo + 1 < m ? lo + 1 : lo;
        q[k] = v[lo] + (h - (double)lo) * (v[hi] - v[lo]);
    }
}

static void assert_close(double got, double want)
{
    if (isnan(want) && isnan(got))
        return;
    if (!(fabs(got - want) <= 1e-12 * (1.0 + fabs(want))))
        fail_msg("got %.17g, want %.17g", got, want);
}

/* ---- checks shared by the store modes ---- */

static void check_root(hid_t h, const char *store)
{
    char buf[256];
    attr_str(h, "format", buf, sizeof buf);
    assert_string_equal(buf, "ipsim");
    attr_str(h, "ipsim_version", buf, sizeof buf);
    assert_string_equal(buf, IPSIM_VERSION_STRING);
    attr_str(h, "scenario_name", buf, sizeof buf);
    assert_string_equal(buf, "test \xc3\xa9t\xc3\xa9");
    attr_str(h, "start", buf, sizeof buf);
    assert_string_equal(buf, "2025-07");
    attr_str(h, "store", buf, sizeof buf);
    assert_string_equal(buf, store);
    attr_str(h, "created_utc", buf, sizeof buf);
    assert_int_equal(strlen(buf), 20);
    assert_true(buf[4] == '-' && buf[10] == 'T' && buf[19] == 'Z');
    int iv;
    uint64_t u;
    attr_read(h, "format_version", H5T_NATIVE_INT, &iv);
    assert_int_equal(iv, 1);
    attr_read(h, "horizon_months", H5T_NATIVE_INT, &iv);
    assert_int_equal(iv, N_MONTHS);
    attr_read(h, "first_year", H5T_NATIVE_INT, &iv);
    assert_int_equal(iv, 2025);
    attr_read(h, "seed", H5T_NATIVE_UINT64, &u);
    assert_int_equal(u, 7);
    attr_read(h, "paths", H5T_NATIVE_UINT64, &u);
    assert_int_equal(u, N_PATHS);
    attr_read(h, "block_paths", H5T_NATIVE_UINT64, &u);
    assert_int_equal(u, BLOCK);
    int partial[N_YEARS];
    attr_read(h, "partial_years", H5T_NATIVE_INT, partial);
    assert_true(partial[0] == 1 && partial[1] == 0 && partial[2] == 0);
}

static void check_scenario_text(hid_t h)
{
    hid_t ds = H5Dopen2(h, "scenario", H5P_DEFAULT);
    assert_true(ds >= 0);
    hid_t t = H5Dget_type(ds);
    assert_true(H5Tis_variable_str(t) > 0);
    char *s = NULL;
    assert_true(H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) >= 0);
    assert_string_equal(s, scenario_text);
    H5free_memory(s);
    H5Tclose(t);
    H5Dclose(ds);
}

static void check_scales(hid_t h, int monthly)
{
    hsize_t d[3];
    assert_int_equal(rank_dims(h, "path", d), 1);
    assert_int_equal(d[0], N_PATHS);
    uint64_t path[N_PATHS];
    hid_t ds = H5Dopen2(h, "path", H5P_DEFAULT);
    assert_true(H5Dread(ds, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, path) >= 0);
    H5Dclose(ds);
    for (int p = 0; p < N_PATHS; p++)
        assert_int_equal(path[p], p);

    int years[N_YEARS];
    ds = H5Dopen2(h, "year", H5P_DEFAULT);
    assert_true(H5Dread(ds, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, years) >= 0);
    H5Dclose(ds);
    assert_true(years[0] == 2025 && years[1] == 2026 && years[2] == 2027);

    double q[5];
    read_doubles(h, "quantile", q);
    for (int k = 0; k < 5; k++)
        assert_true(q[k] == ipsim_quantile_probs[k]);

    char *names[N_MONTHS];
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    H5Tset_cset(str, H5T_CSET_UTF8);
    ds = H5Dopen2(h, "zone", H5P_DEFAULT);
    assert_true(H5Dread(ds, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, names) >= 0);
    assert_string_equal(names[0], zone_names[0]);
    assert_string_equal(names[1], zone_names[1]);
    for (int z = 0; z < N_ZONES; z++)
        H5free_memory(names[z]);
    H5Dclose(ds);

    assert_int_equal(H5Lexists(h, "month", H5P_DEFAULT) > 0, monthly);
    if (monthly) {
        assert_int_equal(rank_dims(h, "month", d), 1);
        assert_int_equal(d[0], N_MONTHS);
        ds = H5Dopen2(h, "month", H5P_DEFAULT);
        assert_true(H5Dread(ds, str, H5S_ALL, H5S_ALL, H5P_DEFAULT, names) >= 0);
        assert_string_equal(names[0], "2025-07");
        assert_string_equal(names[5], "2025-12");
        assert_string_equal(names[6], "2026-01");
        assert_string_equal(names[29], "2027-12");
        for (int t = 0; t < N_MONTHS; t++)
            H5free_memory(names[t]);
        H5Dclose(ds);
    }
    H5Tclose(str);
    assert_int_equal(rank_dims(h, "target", d), 1);
    assert_int_equal(d[0], N_TARGETS);
}

/* Chunks of one block of paths, whole other axes; shuffle + deflate, or
 * (deflate 0) no filters and every chunk in its place from the start. */
static void check_chunks(hid_t h, const char *path, int rank, const hsize_t *want, int filtered)
{
    hid_t ds = H5Dopen2(h, path, H5P_DEFAULT);
    hid_t dcpl = H5Dget_create_plist(ds);
    hsize_t chunk[3];
    assert_int_equal(H5Pget_layout(dcpl), H5D_CHUNKED);
    assert_int_equal(H5Pget_chunk(dcpl, 3, chunk), rank);
    for (int i = 0; i < rank; i++)
        assert_int_equal(chunk[i], want[i]);
    unsigned flags;
    size_t nelmts = 0;
    if (!filtered) {
        H5D_alloc_time_t at;
        H5D_fill_time_t ft;
        assert_int_equal(H5Pget_nfilters(dcpl), 0);
        assert_true(H5Pget_alloc_time(dcpl, &at) >= 0 && at == H5D_ALLOC_TIME_EARLY);
        assert_true(H5Pget_fill_time(dcpl, &ft) >= 0 && ft == H5D_FILL_TIME_NEVER);
        H5Pclose(dcpl);
        H5Dclose(ds);
        return;
    }
    assert_int_equal(H5Pget_nfilters(dcpl), 2);
    assert_int_equal(H5Pget_filter2(dcpl, 0, &flags, &nelmts, NULL, 0, NULL, NULL),
                     H5Z_FILTER_SHUFFLE);
    nelmts = 0;
    assert_int_equal(H5Pget_filter2(dcpl, 1, &flags, &nelmts, NULL, 0, NULL, NULL),
                     H5Z_FILTER_DEFLATE);
    H5Pclose(dcpl);
    H5Dclose(ds);
}

/* Values, shapes and scales of yearly/ and yearly_zone/, chunked by
 * `block` paths; filtered (deflated) or not. */
static void check_yearly_chunked(hid_t h, hsize_t block, int filtered)
{
    const hsize_t cy[2] = {block, N_YEARS}, cyz[3] = {block, N_YEARS, N_ZONES};
    check_chunks(h, "yearly/leased_ha", 2, cy, filtered);
    check_chunks(h, "yearly_zone/leased_ha", 3, cyz, filtered);
    static const char *const pyz[3] = {"path", "year", "zone"};
    double v[N_PATHS * N_YEARS * N_ZONES];
    char name[128];
    hsize_t d[3];
    for (int m = 0; m < IPSIM_NMETRICS; m++) {
        snprintf(name, sizeof name, "yearly/%s", ipsim_metric_get(m)->name);
        assert_int_equal(rank_dims(h, name, d), 2);
        assert_true(d[0] == N_PATHS && d[1] == N_YEARS);
        check_attached(h, name, pyz, 2);
        check_units(h, name, m);
        read_doubles(h, name, v);
        for (size_t p = 0; p < N_PATHS; p++)
            for (size_t y = 0; y < N_YEARS; y++)
                assert_close(v[p * N_YEARS + y], f_yearly(p, m, y));

        snprintf(name, sizeof name, "yearly_zone/%s", ipsim_metric_get(m)->name);
        assert_int_equal(rank_dims(h, name, d), 3);
        assert_true(d[0] == N_PATHS && d[1] == N_YEARS && d[2] == N_ZONES);
        check_attached(h, name, pyz, 3);
        check_units(h, name, m);
        read_doubles(h, name, v);
        for (size_t p = 0; p < N_PATHS; p++)
            for (size_t y = 0; y < N_YEARS; y++)
                for (size_t z = 0; z < N_ZONES; z++)
                    assert_close(v[(p * N_YEARS + y) * N_ZONES + z], f_yearly_zone(p, m, y, z));
    }
}

static void check_yearly(hid_t h, int filtered)
{
    check_yearly_chunked(h, BLOCK, filtered);
}

static void check_monthly(hid_t h)
{
    static const char *const pmz[3] = {"path", "month", "zone"};
    static double v[N_PATHS * N_MONTHS * N_ZONES];
    char name[128];
    hsize_t d[3];
    for (int m = 0; m < IPSIM_NMONTHLY; m++) {
        snprintf(name, sizeof name, "monthly/%s", ipsim_metric_get(m)->name);
        assert_int_equal(rank_dims(h, name, d), 2);
        assert_true(d[0] == N_PATHS && d[1] == N_MONTHS);
        check_attached(h, name, pmz, 2);
        check_units(h, name, m);
        read_doubles(h, name, v);
        for (size_t p = 0; p < N_PATHS; p++)
            for (size_t t = 0; t < N_MONTHS; t++)
                assert_close(v[p * N_MONTHS + t], f_monthly(p, m, t));
        snprintf(name, sizeof name, "monthly_zone/%s", ipsim_metric_get(m)->name);
        assert_int_equal(rank_dims(h, name, d), 3);
        assert_true(d[0] == N_PATHS && d[1] == N_MONTHS && d[2] == N_ZONES);
        check_attached(h, name, pmz, 3);
        check_units(h, name, m);
        read_doubles(h, name, v);
        for (size_t p = 0; p < N_PATHS; p++)
            for (size_t t = 0; t < N_MONTHS; t++)
                for (size_t z = 0; z < N_ZONES; z++)
                    assert_close(v[(p * N_MONTHS + t) * N_ZONES + z], f_monthly_zone(p, m, t, z));
    }
    assert_true(H5Lexists(h, "monthly/production_growth", H5P_DEFAULT) == 0);
}

static void check_summary(hid_t h)
{
    static const char *const qy[2] = {"quantile", "year"};
    char name[128];
    hsize_t d[3];
    for (int m = 0; m < IPSIM_NMETRICS; m++) {
        double q[5 * N_YEARS], mean[N_YEARS];
        snprintf(name, sizeof name, "summary/%s", ipsim_metric_get(m)->name);
        assert_int_equal(rank_dims(h, name, d), 2);
        assert_true(d[0] == 5 && d[1] == N_YEARS);
        check_attached(h, name, qy, 2);
        check_units(h, name, m);
        read_doubles(h, name, q);
        snprintf(name, sizeof name, "summary/%s_mean", ipsim_metric_get(m)->name);
        assert_int_equal(rank_dims(h, name, d), 1);
        assert_true(d[0] == N_YEARS);
        check_attached(h, name, qy + 1, 1);
        check_units(h, name, m);
        read_doubles(h, name, mean);
        for (size_t y = 0; y < N_YEARS; y++) {
            double col[N_PATHS], want[5], want_mean;
            for (size_t p = 0; p < N_PATHS; p++)
                col[p] = f_yearly(p, m, y);
            quantiles_ref(col, N_PATHS, want, &want_mean);
            assert_close(mean[y], want_mean);
            for (int k = 0; k < 5; k++)
                assert_close(q[k * N_YEARS + y], want[k]);
        }
    }
}

typedef struct {
    char *name, *metric;
    int32_t year;
    char *zone, *op;
    double value, p_met, p_low, p_high, mean, q05, q25, q50, q75, q95, shortfall;
    uint64_t n_finite;
} row_t;

static hid_t row_type(hid_t str)
{
    hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(row_t));
#define F(f, ty) H5Tinsert(t, #f, HOFFSET(row_t, f), ty)
    F(name, str);
    F(metric, str);
    F(year, H5T_NATIVE_INT32);
    F(zone, str);
    F(op, str);
    F(value, H5T_NATIVE_DOUBLE);
    F(p_met, H5T_NATIVE_DOUBLE);
    F(p_low, H5T_NATIVE_DOUBLE);
    F(p_high, H5T_NATIVE_DOUBLE);
    F(mean, H5T_NATIVE_DOUBLE);
    F(q05, H5T_NATIVE_DOUBLE);
    F(q25, H5T_NATIVE_DOUBLE);
    F(q50, H5T_NATIVE_DOUBLE);
    F(q75, H5T_NATIVE_DOUBLE);
    F(q95, H5T_NATIVE_DOUBLE);
    F(shortfall, H5T_NATIVE_DOUBLE);
    F(n_finite, H5T_NATIVE_UINT64);
#undef F
    return t;
}

static void check_targets(hid_t h, const ipsim_target_stats *stats)
{
    static const char *const pt[2] = {"path", "target"}, *const t1[1] = {"target"};
    hsize_t d[3];
    assert_int_equal(rank_dims(h, "target_values", d), 2);
    assert_true(d[0] == N_PATHS && d[1] == N_TARGETS);
    check_attached(h, "target_values", pt, 2);
    double tv[N_PATHS * N_TARGETS];
    read_doubles(h, "target_values", tv);
    for (size_t p = 0; p < N_PATHS; p++)
        for (size_t t = 0; t < N_TARGETS; t++)
            assert_close(tv[p * N_TARGETS + t], f_target(p, t));

    assert_int_equal(rank_dims(h, "targets", d), 1);
    assert_true(d[0] == N_TARGETS);
    check_attached(h, "targets", t1, 1);
    hid_t str = H5Tcopy(H5T_C_S1);
    H5Tset_size(str, H5T_VARIABLE);
    H5Tset_cset(str, H5T_CSET_UTF8);
    hid_t type = row_type(str);
    row_t rows[N_TARGETS];
    hid_t ds = H5Dopen2(h, "targets", H5P_DEFAULT);
    assert_true(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0);

    const char *want_name[2] = {"FDI 2026", "leased_ha 2027 Beta"};
    const char *want_metric[2] = {"fdi_registered_musd", "leased_ha"};
    const char *want_zone[2] = {"", zone_names[1]}, *want_op[2] = {">=", "<="};
    const double want_value[2] = {30.0, 12.0};
    const int want_year[2] = {2026, 2027};
    for (size_t t = 0; t < N_TARGETS; t++) {
        row_t *r = &rows[t];
        assert_string_equal(r->name, want_name[t]);
        assert_string_equal(r->metric, want_metric[t]);
        assert_string_equal(r->zone, want_zone[t]);
        assert_string_equal(r->op, want_op[t]);
        assert_int_equal(r->year, want_year[t]);
        assert_true(r->value == want_value[t]);

        /* Independently: share met, Wilson, type-7 quantiles, shortfall. */
        double x[N_PATHS], q[5], mean, gap = 0;
        size_t met = 0;
        for (size_t p = 0; p < N_PATHS; p++) {
            x[p] = f_target(p, t);
            int ok = t == 0 ? x[p] >= want_value[t] : x[p] <= want_value[t];
            met += (size_t)ok;
            gap += t == 0 ? fmax(0, want_value[t] - x[p]) : fmax(0, x[p] - want_value[t]);
        }
        quantiles_ref(x, N_PATHS, q, &mean);
        double lo, hi;
        ipsim_stats_wilson(met, N_PATHS, IPSIM_WILSON_Z, &lo, &hi);
        assert_close(r->p_met, (double)met / N_PATHS);
        assert_true(met > 0 && met < N_PATHS); /* the fixture exercises both sides */
        assert_close(r->p_low, lo);
        assert_close(r->p_high, hi);
        assert_close(r->mean, mean);
        assert_close(r->q05, q[0]);
        assert_close(r->q25, q[1]);
        assert_close(r->q50, q[2]);
        assert_close(r->q75, q[3]);
        assert_close(r->q95, q[4]);
        assert_close(r->shortfall, gap / N_PATHS);
        assert_int_equal(r->n_finite, N_PATHS);
        if (stats) {
            assert_true(stats[t].p_met == r->p_met && stats[t].shortfall == r->shortfall);
            assert_true(stats[t].q[2] == r->q50 && stats[t].n_met == met);
        }
    }
    hid_t sp = H5Dget_space(ds);
    assert_true(H5Dvlen_reclaim(type, sp, H5P_DEFAULT, rows) >= 0);
    H5Sclose(sp);
    H5Dclose(ds);
    H5Tclose(type);
    H5Tclose(str);
}

/* ---- tests ---- */

static void test_yearly_store(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    const char *file = TMP("yearly.h5");
    char partial[512];
    cat(file, ".partial", partial, sizeof partial);
    unlink(file);
    ipsim_target_stats stats[N_TARGETS];
    finish_run(&f, file, IPSIM_STORE_YEARLY, stats);
    assert_true(exists(file));
    assert_false(exists(partial));

    hid_t h = open_file(file);
    check_root(h, "yearly");
    check_scenario_text(h);
    check_scales(h, 0);
    check_yearly(h, 0);
    check_summary(h);
    check_targets(h, stats);
    assert_true(H5Lexists(h, "monthly", H5P_DEFAULT) == 0);
    assert_true(H5Lexists(h, "monthly_zone", H5P_DEFAULT) == 0);
    H5Fclose(h);
}

static void test_summary_store(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    const char *file = TMP("summary.h5");
    char partial[512], scratch[512];
    cat(file, ".partial", partial, sizeof partial);
    cat(file, ".partial.scratch", scratch, sizeof scratch);
    finish_run(&f, file, IPSIM_STORE_SUMMARY, NULL);
    assert_true(exists(file));
    assert_false(exists(partial));
    assert_false(exists(scratch));

    hid_t h = open_file(file);
    check_root(h, "summary");
    check_scales(h, 0);
    assert_true(H5Lexists(h, "yearly", H5P_DEFAULT) == 0);
    assert_true(H5Lexists(h, "yearly_zone", H5P_DEFAULT) == 0);
    check_summary(h);
    check_targets(h, NULL);
    H5Fclose(h);
}

static void test_monthly_store(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    const char *file = TMP("monthly.h5");
    finish_run(&f, file, IPSIM_STORE_MONTHLY, NULL);
    hid_t h = open_file(file);
    check_root(h, "monthly");
    check_scales(h, 1);
    check_yearly(h, 1);
    check_monthly(h);
    check_summary(h);
    check_targets(h, NULL);
    H5Fclose(h);
}

/* The chunk holding the last of n_paths paths in chunks of `block`, cut
 * short by the end of the paths, as stored at deflate 0: the paths' rows,
 * then NaN, never what the block's free slots held (fill_block's junk),
 * whether written from a copy or from the block itself. */
static void check_short_chunk(hid_t h, const char *group, int m, size_t row_len, int zone,
                              size_t n_paths, size_t block)
{
    char ds_name[128];
    snprintf(ds_name, sizeof ds_name, "%s/%s", group, ipsim_metric_get(m)->name);
    hid_t ds = H5Dopen2(h, ds_name, H5P_DEFAULT);
    assert_true(ds >= 0);
    size_t p0 = (n_paths - 1) / block * block, rows = n_paths - p0;
    hsize_t off[3] = {p0, 0, 0}, bytes = 0;
    assert_true(H5Dget_chunk_storage_size(ds, off, &bytes) >= 0);
    assert_int_equal(bytes, block * row_len * sizeof(double));
    double *buf = malloc(bytes);
    assert_non_null(buf);
    uint32_t mask = 1;
    assert_true(H5Dread_chunk(ds, H5P_DEFAULT, off, &mask, buf) >= 0);
    assert_int_equal(mask, 0); /* no filters */
    for (size_t s = 0; s < block; s++)
        for (size_t i = 0; i < row_len; i++) {
            double v = buf[s * row_len + i];
            double want = s >= rows ? NAN
                          : zone    ? f_yearly_zone(p0 + s, m, i / N_ZONES, i % N_ZONES)
                                    : f_yearly(p0 + s, m, i);
            assert_memory_equal(&v, &want, sizeof v); /* the same bits */
        }
    free(buf);
    H5Dclose(ds);
}

static void test_short_chunk(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    const char *file = TMP("short.h5");
    ipsim_error err = {0};
    ipsim_results *r = create_results(&f, file, 7, BLOCK, IPSIM_STORE_YEARLY);
    write_blocks(r, IPSIM_STORE_YEARLY);
    if (ipsim_results_finish(r, NULL, &err) != IPSIM_OK)
        fail_msg("finish: %s", err.msg);
    hid_t h = open_file(file);
    check_yearly(h, 0);
    for (int m = 0; m < IPSIM_NMETRICS; m++) {
        check_short_chunk(h, "yearly", m, N_YEARS, 0, N_PATHS, BLOCK);
        check_short_chunk(h, "yearly_zone", m, N_YEARS * N_ZONES, 1, N_PATHS, BLOCK);
    }
    H5Fclose(h);
}

/* ---- direct I/O ----
 *
 * Blocks of 256 paths make a yearly_zone chunk three whole pages (256 x 3
 * years x 2 zones x 8 bytes), the yearly chunks not (256 x 3 x 8): the
 * former go to the disk with direct I/O, the latter through HDF5. */
#define DIO_PATHS 1400
#define DIO_BLOCK 256
#define DIO_CHUNKS ((DIO_PATHS + DIO_BLOCK - 1) / DIO_BLOCK)

/* A run of DIO_PATHS paths written in blocks out of order, direct or not;
 * returns the bytes written with direct I/O. */
static uint64_t write_dio_run(const fixture *f, const char *file, int direct)
{
    ipsim_results *r = NULL;
    ipsim_error err = {0};
    if (ipsim_results_create(&r, file, &f->scn, 7, DIO_PATHS, DIO_BLOCK, IPSIM_STORE_YEARLY, 0,
                             &err) != IPSIM_OK)
        fail_msg("create: %s", err.msg);
    if (!direct)
        ipsim_results_set_direct_io(r, 0);
    assert_int_equal(ipsim_results_direct_io(r), direct && tu_dio_supported(IPSIM_TEST_TMP));
    ipsim_block b;
    assert_int_equal(ipsim_block_alloc(&b, DIO_BLOCK, N_YEARS, N_MONTHS, N_ZONES, N_TARGETS, 0, &err),
                     IPSIM_OK);
    const size_t order[DIO_CHUNKS] = {5, 0, 3, 1, 4, 2};
    for (size_t i = 0; i < DIO_CHUNKS; i++) {
        size_t p0 = order[i] * DIO_BLOCK;
        fill_block(&b, p0, DIO_PATHS - p0 < DIO_BLOCK ? DIO_PATHS - p0 : DIO_BLOCK);
        if (ipsim_results_write_block(r, &b, &err) != IPSIM_OK)
            fail_msg("write_block: %s", err.msg);
    }
    ipsim_block_free(&b);
    uint64_t bytes = ipsim_results_direct_bytes(r);
    if (ipsim_results_finish(r, NULL, &err) != IPSIM_OK)
        fail_msg("finish: %s", err.msg);
    return bytes;
}

/* Dataset `name` of files a and b: the same bits, and those of f_yearly(_zone). */
static void check_dio_dataset(hid_t a, hid_t b, const char *name, int m, int zone)
{
    size_t row = zone ? N_YEARS * N_ZONES : N_YEARS, n = DIO_PATHS * row;
    double *va = malloc(n * sizeof *va), *vb = malloc(n * sizeof *vb);
    assert_true(va && vb);
    read_doubles(a, name, va);
    read_doubles(b, name, vb);
    assert_memory_equal(va, vb, n * sizeof *va);
    for (size_t p = 0; p < DIO_PATHS; p++)
        for (size_t i = 0; i < row; i++) {
            double want = zone ? f_yearly_zone(p, m, i / N_ZONES, i % N_ZONES) : f_yearly(p, m, i);
            assert_memory_equal(&va[p * row + i], &want, sizeof want);
        }
    free(va);
    free(vb);
}

static void test_direct_io(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    const char *direct = TMP("dio_direct.h5"), *buffered = TMP("dio_buffered.h5");
    uint64_t bytes = write_dio_run(&f, direct, 1);
    assert_int_equal(write_dio_run(&f, buffered, 0), 0);
    /* every yearly_zone chunk, the short last one too, and nothing else */
    uint64_t want = (uint64_t)IPSIM_NMETRICS * DIO_CHUNKS * DIO_BLOCK * N_YEARS * N_ZONES * 8;
    assert_int_equal(bytes, tu_dio_supported(IPSIM_TEST_TMP) ? want : 0);
    hid_t a = open_file(direct), b = open_file(buffered);
    char name[128];
    for (int m = 0; m < IPSIM_NMETRICS; m++) {
        snprintf(name, sizeof name, "yearly/%s", ipsim_metric_get(m)->name);
        check_dio_dataset(a, b, name, m, 0);
        snprintf(name, sizeof name, "yearly_zone/%s", ipsim_metric_get(m)->name);
        check_dio_dataset(a, b, name, m, 1);
        check_short_chunk(a, "yearly_zone", m, N_YEARS * N_ZONES, 1, DIO_PATHS, DIO_BLOCK);
        check_short_chunk(a, "yearly", m, N_YEARS, 0, DIO_PATHS, DIO_BLOCK);
    }
    H5Fclose(a);
    H5Fclose(b);
    unlink(direct);
    unlink(buffered);
}

/* A direct write that fails (its descriptor made read-only behind the
 * library's back) fails the block with a message naming the file, and the
 * run aborts leaving nothing. */
static void test_direct_io_error(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    const char *file = TMP("dio_error.h5");
    char partial[512];
    cat(file, ".partial", partial, sizeof partial);
    ipsim_results *r = NULL;
    ipsim_error err = {0};
    assert_int_equal(ipsim_results_create(&r, file, &f.scn, 7, DIO_PATHS, DIO_BLOCK,
                                          IPSIM_STORE_YEARLY, 0, &err),
                     IPSIM_OK);
    /* the one descriptor opened with O_DIRECT: now read-only */
    int dio_fd = -1;
    for (int fd = 3; fd < 1024; fd++) {
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0 && (fl & O_DIRECT)) {
            assert_int_equal(dio_fd, -1);
            dio_fd = fd;
        }
    }
    if (!tu_dio_supported(IPSIM_TEST_TMP)) { /* refused: none is open */
        assert_int_equal(dio_fd, -1);
        ipsim_results_abort(r);
        return;
    }
    assert_true(dio_fd >= 0);
    int ro = open(partial, O_RDONLY);
    assert_true(ro >= 0 && dup2(ro, dio_fd) == dio_fd);
    close(ro);
    ipsim_block b;
    assert_int_equal(ipsim_block_alloc(&b, DIO_BLOCK, N_YEARS, N_MONTHS, N_ZONES, N_TARGETS, 0, &err),
                     IPSIM_OK);
    fill_block(&b, 0, DIO_BLOCK);
    assert_int_equal(ipsim_results_write_block(r, &b, &err), IPSIM_EIO);
    assert_non_null(strstr(err.msg, partial));
    assert_non_null(strstr(err.msg, "cannot write results: Bad file descriptor"));
    ipsim_block_free(&b);
    ipsim_results_abort(r);
    assert_false(exists(partial));
    assert_false(exists(file));
}

/* Blocks of a multiple of the quantum fill whole pages of every zone
 * dataset the store keeps at deflate 0, and of no fewer paths. */
static void test_path_quantum(void **state)
{
    (void)state;
    /* 3 years x 2 zones x 8 bytes = 48 = 16 x 3: 4096 / 16 */
    assert_int_equal(ipsim_results_path_quantum(3, 30, 2, IPSIM_STORE_YEARLY, -1), 256);
    /* 25 x 40 x 8 = 8000 = 64 x 125 */
    assert_int_equal(ipsim_results_path_quantum(25, 300, 40, IPSIM_STORE_YEARLY, 0), 64);
    /* 7 x 3 x 8 = 168 = 8 x 21 */
    assert_int_equal(ipsim_results_path_quantum(7, 84, 3, IPSIM_STORE_YEARLY, -1), 512);
    /* months: 300 x 40 x 8 = 96000 = 256 x 375, so the years' 64 decide;
     * 1 x 12 x 8 = 96 = 32 x 3 needs 128, more than the years' 4 x 1 x 8 */
    assert_int_equal(ipsim_results_path_quantum(25, 300, 40, IPSIM_STORE_MONTHLY, 0), 64);
    assert_int_equal(ipsim_results_path_quantum(4, 12, 1, IPSIM_STORE_MONTHLY, 0), 128);
    /* deflated (monthly's default) or no per-path data: no constraint */
    assert_int_equal(ipsim_results_path_quantum(25, 300, 40, IPSIM_STORE_MONTHLY, -1), 1);
    assert_int_equal(ipsim_results_path_quantum(25, 300, 40, IPSIM_STORE_YEARLY, 4), 1);
    assert_int_equal(ipsim_results_path_quantum(25, 300, 40, IPSIM_STORE_SUMMARY, 0), 1);
    for (size_t y = 1; y <= 30; y++)
        for (size_t z = 1; z <= 30; z++) {
            size_t q = ipsim_results_path_quantum(y, 12 * y, z, IPSIM_STORE_YEARLY, 0);
            assert_int_equal(q * y * z * 8 % IPSIM_BLOCK_ALIGN, 0);
            assert_true(q == 1 || (q / 2) * y * z * 8 % IPSIM_BLOCK_ALIGN != 0);
        }
}

static void write_bytes(const char *path, const char *s)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(s, fp);
    fclose(fp);
}

static int same_bytes(const char *path, const char *s)
{
    char buf[256] = "";
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    return n == strlen(s) && memcmp(buf, s, n) == 0;
}

/* An aborted run leaves a pre-existing FILE as it was, and no debris. */
static void test_abort(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    const char *file = TMP("abort.h5");
    const char *old = "previous results, not HDF5\n";
    char partial[512], scratch[512];
    cat(file, ".partial", partial, sizeof partial);
    cat(file, ".partial.scratch", scratch, sizeof scratch);
    for (int store = IPSIM_STORE_SUMMARY; store <= IPSIM_STORE_MONTHLY; store++) {
        write_bytes(file, old);
        ipsim_results *r = write_run(&f, file, (enum ipsim_store)store);
        assert_true(exists(partial));
        assert_int_equal(exists(scratch), store == IPSIM_STORE_SUMMARY);
        assert_true(same_bytes(file, old)); /* untouched while running */
        ipsim_results_abort(r);
        assert_int_equal(H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_ALL), 0);
        assert_true(same_bytes(file, old));
        assert_false(exists(partial));
        assert_false(exists(scratch));
    }
    unlink(file);
}

/* A stale FILE.partial from a dead run is replaced; FILE is replaced at finish. */
static void test_replace(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    const char *file = TMP("replace.h5");
    char partial[512];
    cat(file, ".partial", partial, sizeof partial);
    write_bytes(file, "old\n");
    write_bytes(partial, "debris of a dead run\n");
    finish_run(&f, file, IPSIM_STORE_YEARLY, NULL);
    assert_false(exists(partial));
    assert_true(H5Fis_hdf5(file) > 0);
    hid_t h = open_file(file);
    check_root(h, "yearly");
    H5Fclose(h);
}

/* Blocks that do not cover whole chunks (paths 0-9, 10-12, 13-24, written
 * 13-24 first) take HDF5's own filter path and give the same file; the
 * whole-chunk block is compressed by 3 threads. */
static void test_unaligned_blocks(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    const char *file = TMP("unaligned.h5");
    ipsim_results *r = create_results(&f, file, 7, BLOCK, IPSIM_STORE_MONTHLY);
    ipsim_error err = {0};
    ipsim_results_set_threads(r, 3);
    ipsim_block b;
    assert_int_equal(ipsim_block_alloc(&b, 12, N_YEARS, N_MONTHS, N_ZONES, N_TARGETS, 1, &err),
                     IPSIM_OK);
    const size_t first[3] = {13, 0, 10}, count[3] = {12, 10, 3};
    for (int i = 0; i < 3; i++) {
        fill_block(&b, first[i], count[i]);
        if (ipsim_results_write_block(r, &b, &err) != IPSIM_OK)
            fail_msg("write_block: %s", err.msg);
    }
    ipsim_block_free(&b);
    assert_int_equal(ipsim_results_finish(r, NULL, &err), IPSIM_OK);
    hid_t h = open_file(file);
    check_yearly(h, 1);
    check_monthly(h);
    check_summary(h);
    check_targets(h, NULL);
    H5Fclose(h);
}

/* The writer thread (writer.h) stores blocks handed over from
 * IPSIM_WRITER_DEPTH + 1 buffers used in turn (the fewest a caller may
 * use): in order, whole, every value where it belongs; it says how far it
 * has stored, and whether (or, waiting, once) it has released a block. */
static void test_writer_queue(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    const char *file = TMP("writer.h5");
    enum { SMALL = 4, NB = IPSIM_WRITER_DEPTH + 1 };
    ipsim_results *r = create_results(&f, file, 7, SMALL, IPSIM_STORE_YEARLY);
    ipsim_error err = {0};
    ipsim_block b[NB];
    for (int i = 0; i < NB; i++)
        assert_int_equal(ipsim_block_alloc(&b[i], SMALL, N_YEARS, N_MONTHS, N_ZONES, N_TARGETS,
                                           0, &err),
                         IPSIM_OK);
    ipsim_writer *w;
    assert_int_equal(ipsim_writer_start(&w, r, &err), IPSIM_OK);
    size_t seen = 0;
    for (size_t k = 0; k * SMALL < N_PATHS; k++) {
        size_t p0 = k * SMALL, n = N_PATHS - p0 < SMALL ? N_PATHS - p0 : SMALL;
        fill_block(&b[k % NB], p0, n); /* free again: DEPTH submits since its last */
        assert_int_equal(ipsim_writer_submit(w, &b[k % NB], &err), IPSIM_OK);
        int released;
        assert_int_equal(ipsim_writer_released(w, p0 + n, &released, &err), IPSIM_OK);
        if (k % 3 == 1) { /* every third block, wait for it */
            assert_int_equal(ipsim_writer_wait_released(w, p0 + n, &err), IPSIM_OK);
            released = 1;
        }
        size_t stored = ipsim_writer_stored(w);
        assert_true(!released || stored >= p0 + n); /* released: stored, no error */
        assert_true(stored >= seen);                          /* never goes back */
        assert_true(stored <= p0 + n);                        /* nothing not handed over */
        assert_true(stored % SMALL == 0 || stored == N_PATHS); /* whole blocks */
        /* at most DEPTH blocks are still queued: the rest is stored */
        assert_true(stored + IPSIM_WRITER_DEPTH * SMALL >= p0 + n);
        seen = stored;
    }
    double busy = -1.0;
    assert_int_equal(ipsim_writer_finish(w, &busy, &err), IPSIM_OK);
    assert_true(busy >= 0.0);
    for (int i = 0; i < NB; i++)
        ipsim_block_free(&b[i]);
    assert_int_equal(ipsim_results_finish(r, NULL, &err), IPSIM_OK);
    hid_t h = open_file(file);
    check_yearly_chunked(h, SMALL, 0);
    check_targets(h, NULL);
    H5Fclose(h);
}

/* Without targets there is no target scale, target_values or targets, and
 * the summaries are still written. */
static void test_no_targets(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    f.scn.n_targets = 0;
    const char *file = TMP("no_targets.h5");
    ipsim_results *r = create_results(&f, file, 3, BLOCK, IPSIM_STORE_SUMMARY);
    ipsim_error err = {0};
    ipsim_block b;
    assert_int_equal(ipsim_block_alloc(&b, BLOCK, N_YEARS, N_MONTHS, N_ZONES, 0, 0, &err),
                     IPSIM_OK);
    for (size_t p0 = 0; p0 < N_PATHS; p0 += BLOCK) {
        fill_block(&b, p0, N_PATHS - p0 < BLOCK ? N_PATHS - p0 : BLOCK);
        assert_int_equal(ipsim_results_write_block(r, &b, &err), IPSIM_OK);
    }
    ipsim_block_free(&b);
    assert_int_equal(ipsim_results_finish(r, NULL, &err), IPSIM_OK);
    hid_t h = open_file(file);
    assert_true(H5Lexists(h, "target", H5P_DEFAULT) == 0);
    assert_true(H5Lexists(h, "targets", H5P_DEFAULT) == 0);
    assert_true(H5Lexists(h, "target_values", H5P_DEFAULT) == 0);
    check_summary(h);
    H5Fclose(h);
}

static void test_create_error(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    ipsim_results *r = (ipsim_results *)&f; /* must be reset to NULL */
    ipsim_error err = {0};
    const char *file = TMP("no/such/dir/x.h5");
    int rc = ipsim_results_create(&r, file, &f.scn, 1, 10, 10, IPSIM_STORE_YEARLY, -1, &err);
    assert_int_equal(rc, IPSIM_EIO);
    assert_int_equal(err.code, IPSIM_EIO);
    assert_null(r);
    assert_non_null(strstr(err.msg, file));
    print_message("create error: %s\n", err.msg);
}

/* Finishing before every path arrived fails and leaves nothing behind. */
static void test_missing_paths(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    const char *file = TMP("missing.h5");
    char partial[512];
    cat(file, ".partial", partial, sizeof partial);
    ipsim_results *r = create_results(&f, file, 1, BLOCK, IPSIM_STORE_SUMMARY);
    ipsim_error err = {0};
    ipsim_block b;
    assert_int_equal(ipsim_block_alloc(&b, BLOCK, N_YEARS, N_MONTHS, N_ZONES, N_TARGETS, 0, &err),
                     IPSIM_OK);
    fill_block(&b, 0, BLOCK);
    assert_int_equal(ipsim_results_write_block(r, &b, &err), IPSIM_OK);
    ipsim_block_free(&b);
    assert_int_equal(ipsim_results_finish(r, NULL, &err), IPSIM_EFAIL);
    assert_non_null(strstr(err.msg, "10 of 25"));
    assert_false(exists(file));
    assert_false(exists(partial));
}

/* A block that does not belong to the file is refused, not written. */
static void test_bad_block(void **state)
{
    (void)state;
    fixture f;
    fixture_init(&f);
    const char *file = TMP("bad_block.h5");
    ipsim_results *r = create_results(&f, file, 1, BLOCK, IPSIM_STORE_MONTHLY);
    ipsim_error err = {0};
    ipsim_block b;
    assert_int_equal(ipsim_block_alloc(&b, BLOCK, N_YEARS, N_MONTHS, N_ZONES, N_TARGETS, 1, &err),
                     IPSIM_OK);
    fill_block(&b, 20, BLOCK); /* paths 20..29 of 25 */
    assert_int_not_equal(ipsim_results_write_block(r, &b, &err), IPSIM_OK);
    ipsim_block_free(&b);
    assert_int_equal(ipsim_block_alloc(&b, BLOCK, N_YEARS, N_MONTHS, N_ZONES, N_TARGETS, 0, &err),
                     IPSIM_OK);
    fill_block(&b, 0, BLOCK); /* no monthly arrays for a monthly store */
    assert_int_not_equal(ipsim_results_write_block(r, &b, &err), IPSIM_OK);
    ipsim_block_free(&b);
    ipsim_results_abort(r);
    assert_false(exists(file));
}

static void test_block_alloc(void **state)
{
    (void)state;
    ipsim_block b;
    ipsim_error err = {0};
    assert_int_equal(ipsim_block_alloc(&b, 4, 3, 30, 2, 0, 0, &err), IPSIM_OK);
    assert_null(b.monthly_prov);
    assert_null(b.monthly_zone);
    assert_null(b.target_values);
    assert_true(ipsim_block_yearly_zone(&b, IPSIM_NMETRICS - 1, 3)[5] == 0.0);
    ipsim_block_free(&b);
    /* every array on a page, for direct I/O */
    assert_int_equal(ipsim_block_alloc(&b, 5, 3, 30, 7, 2, 1, &err), IPSIM_OK);
    const double *arrays[5] = {b.yearly, b.yearly_zone, b.monthly_prov, b.monthly_zone,
                               b.target_values};
    for (int i = 0; i < 5; i++) {
        assert_non_null(arrays[i]);
        assert_int_equal((uintptr_t)arrays[i] % IPSIM_BLOCK_ALIGN, 0);
    }
    ipsim_block_monthly_zone(&b, IPSIM_NMONTHLY - 1, 4)[30 * 7 - 1] = 1.0; /* the last of each */
    b.target_values[2 * 5 - 1] = 1.0;
    ipsim_block_free(&b);
    assert_null(b.yearly);
    assert_int_equal(ipsim_block_alloc(&b, SIZE_MAX / 4, 100, 1200, 50, 1, 1, &err), IPSIM_ENOMEM);
    assert_int_equal(err.code, IPSIM_ENOMEM);
    assert_null(b.yearly);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_alloc),
        cmocka_unit_test(test_yearly_store),
        cmocka_unit_test(test_summary_store),
        cmocka_unit_test(test_monthly_store),
        cmocka_unit_test(test_short_chunk),
        cmocka_unit_test(test_direct_io),
        cmocka_unit_test(test_direct_io_error),
        cmocka_unit_test(test_path_quantum),
        cmocka_unit_test(test_abort),
        cmocka_unit_test(test_replace),
        cmocka_unit_test(test_unaligned_blocks),
        cmocka_unit_test(test_writer_queue),
        cmocka_unit_test(test_no_targets),
        cmocka_unit_test(test_create_error),
        cmocka_unit_test(test_bad_block),
        cmocka_unit_test(test_missing_paths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
