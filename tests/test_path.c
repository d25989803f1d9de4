/* test_path.c -- whole paths: land conservation and 0 <= occupancy <= 1
 * every month; results identical at 1, 2 and 3 threads and in any path
 * order; a 2-thread run stopped by its progress callback resumes to the
 * same file; common random numbers between policy variants (MODEL.md §2,
 * §6). */
#define _GNU_SOURCE /* O_DIRECT (testdio.h) */
#include "testutil.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include <hdf5.h>

#include "results.h"
#include "run.h"

/* Everything switched on: macro noise, redirect, WWTPs, expansions,
 * clearance, abandonment, pipeline, upgrades. */
static const char *yaml_rich =
    "ipsim: 1\nname: rich\nstart: \"2024-07\"\nhorizon_months: 42\nseed: 11\n"
    "macro: {sigma: 0.3, annual_persistence: 0.4}\nredirect_prob: 0.5\n"
    "productivity_growth: 0.02\nbaseline: {production_musd: 100}\n"
    "defaults: {fdi_capital_median_musd: 10, domestic_capital_median_musd: 3,\n"
    "           capital_per_ha_musd: 2, polluting_share: 0.3, abandon_prob: 0.15,\n"
    "           months_to_operation: 8}\n"
    "zones:\n"
    "  - {name: A, area_ha: 120, leased_ha: 60, clean_ha: 10, projects_per_year: 40,\n"
    "     clearance_ha_per_year: 30, wwtp: \"2025-06\",\n"
    "     expansions: [{ha: 50, threshold: 0.6, delay_months: 4}, {ha: 30, threshold: 0.7}],\n"
    "     upgrades: [{from: \"2025-01\", attractiveness: 1.4}],\n"
    "     initial: {operating_capital_musd: 300, operating_projects: 20,\n"
    "               pipeline_capital_musd: 50, pipeline_projects: 5, pipeline_months: 6}}\n"
    "  - {name: B, area_ha: 80, leased_ha: 20, clean_ha: 30, projects_per_year: 12,\n"
    "     clearance_ha_per_year: 10, clearance_cv: 1.2, wwtp: true}\n"
    "  - {name: C, kind: cluster, area_ha: 15, leased_ha: 14, clean_ha: 0.5,\n"
    "     projects_per_year: 20}\n"
    "targets:\n"
    "  - {metric: fdi_registered_musd, year: 2026, op: \">=\", value: 500}\n"
    "  - {metric: occupancy, year: 2027, op: \">=\", value: 0.8, zone: A}\n"
    "  - {metric: production_growth, year: 2025, op: \">=\", value: 0.1}\n";

static void test_conservation_every_month(void **state)
{
    tu_sim s;
    tu_sim_init(&s, yaml_rich, 300);
    tu_sim_run(&s, 11);
    size_t Z = s.blk.n_zones, T = s.blk.n_months;
    double lost = 0, expanded = 0;
    for (size_t p = 0; p < 300; p++) {
        const double *A = ipsim_block_monthly_zone(&s.blk, IPSIM_M_AREA, p);
        const double *L = ipsim_block_monthly_zone(&s.blk, IPSIM_M_LEASED, p);
        const double *C = ipsim_block_monthly_zone(&s.blk, IPSIM_M_CLEAN, p);
        const double *O = ipsim_block_monthly_zone(&s.blk, IPSIM_M_OCCUPANCY, p);
        for (size_t t = 0; t < T; t++)
            for (size_t z = 0; z < Z; z++) {
                size_t i = t * Z + z;
                double U = A[i] - L[i] - C[i];
                if (!(L[i] >= 0 && C[i] >= 0 && U >= -1e-9 * A[i] && O[i] >= 0 && O[i] <= 1))
                    fail_msg("path %zu month %zu zone %zu: A %g L %g C %g occupancy %g", p, t, z,
                             A[i], L[i], C[i], O[i]);
                assert_close(O[i], L[i] / A[i], 1e-15);
                if (t > 0)
                    assert_true(A[i] >= A[i - Z]);
            }
        const double *po = ipsim_block_monthly(&s.blk, IPSIM_M_OCCUPANCY, p);
        for (size_t t = 0; t < T; t++)
            assert_true(po[t] >= 0 && po[t] <= 1);
        lost += ipsim_block_yearly(&s.blk, IPSIM_M_LOST, p)[2];
        expanded += A[(T - 1) * Z] > 120;
    }
    /* the scenario really exercises loss and expansion */
    assert_true(lost > 0);
    assert_true(expanded > 0);
    tu_sim_free(&s);
}

/* Paths computed in reverse order, or by a workspace that ran other paths
 * before, give the same numbers. */
static void test_order_independence(void **state)
{
    tu_sim a, b;
    tu_sim_init(&a, yaml_rich, 40);
    tu_sim_init(&b, yaml_rich, 40);
    tu_sim_run(&a, 11);
    ipsim_error err;
    for (size_t p = 40; p-- > 0;)
        assert_int_equal(ipsim_path_run(&b.ws, 11, p, &b.blk, p, &err), IPSIM_OK);
    size_t ny = a.blk.n_years * a.blk.n_zones * a.blk.cap * IPSIM_NMETRICS;
    assert_memory_equal(a.blk.yearly_zone, b.blk.yearly_zone, ny * sizeof(double));
    size_t nm = a.blk.n_months * a.blk.n_zones * a.blk.cap * IPSIM_NMONTHLY;
    assert_memory_equal(a.blk.monthly_zone, b.blk.monthly_zone, nm * sizeof(double));
    tu_sim_free(&a);
    tu_sim_free(&b);
}

/* --- comparing two results files dataset by dataset ------------------- */

typedef struct {
    hid_t other;
    int compared, differ;
} cmp_ctx;

static herr_t compare_one(hid_t obj, const char *name, const H5O_info_t *info, void *data)
{
    cmp_ctx *c = data;
    if (info->type != H5O_TYPE_DATASET)
        return 0;
    hid_t d1 = H5Dopen2(obj, name, H5P_DEFAULT), d2 = H5Dopen2(c->other, name, H5P_DEFAULT);
    assert_true(d1 >= 0 && d2 >= 0);
    hid_t t1 = H5Dget_type(d1);
    if (H5Tget_class(t1) == H5T_FLOAT) {
        hid_t s1 = H5Dget_space(d1);
        hssize_t n = H5Sget_simple_extent_npoints(s1);
        double *x = malloc(sizeof(double) * (size_t)(n ? n : 1));
        double *y = malloc(sizeof(double) * (size_t)(n ? n : 1));
        assert_true(H5Dread(d1, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) >= 0);
        assert_true(H5Dread(d2, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, y) >= 0);
        if (memcmp(x, y, sizeof(double) * (size_t)n) != 0) {
            print_error("dataset %s differs\n", name);
            c->differ++;
        }
        c->compared++;
        free(x);
        free(y);
        H5Sclose(s1);
    }
    H5Tclose(t1);
    H5Dclose(d1);
    H5Dclose(d2);
    return 0;
}

static int compare_files(const char *f1, const char *f2, int *compared)
{
    hid_t a = H5Fopen(f1, H5F_ACC_RDONLY, H5P_DEFAULT), b = H5Fopen(f2, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(a >= 0 && b >= 0);
    cmp_ctx c = {b, 0, 0};
    assert_true(H5Ovisit(a, H5_INDEX_NAME, H5_ITER_INC, compare_one, &c) >= 0);
    H5Fclose(a);
    H5Fclose(b);
    *compared = c.compared;
    return c.differ;
}

/* How a test runs the scenario: 1000 paths, seed 77. */
typedef struct {
    int threads;
    size_t block, keep; /* block paths; page cache kept (ipsim_run_opts) */
} run_spec;

static ipsim_run_opts opts_for(run_spec sp, enum ipsim_store store)
{
    ipsim_run_opts o;
    ipsim_run_opts_init(&o);
    o.n_paths = 1000;
    o.seed = 77;
    o.threads = sp.threads;
    o.block_paths = sp.block;
    o.cache_keep = sp.keep;
    o.store = store;
    return o;
}

static void run_file(const ipsim_scenario *scn, run_spec sp, enum ipsim_store store,
                     const char *file, ipsim_target_stats *st)
{
    ipsim_run_opts o = opts_for(sp, store);
    ipsim_error err = {0};
    if (ipsim_run(scn, &o, file, st, &err) != IPSIM_OK)
        fail_msg("run failed: %s", err.msg);
}

/* Files fa and fb hold the same datasets (at least min_compared of them)
 * and their runs gave the same target statistics; both files are deleted. */
static void same_results(const char *fa, const char *fb, const ipsim_target_stats *sa,
                         const ipsim_target_stats *sb, size_t n_stats, int min_compared)
{
    int compared;
    assert_int_equal(compare_files(fa, fb, &compared), 0);
    assert_true(compared >= min_compared);
    assert_memory_equal(sa, sb, n_stats * sizeof *sa);
    unlink(fa);
    unlink(fb);
}

/* Runs a and b give the same file, every dataset compared (at least
 * min_compared), and the same target statistics. */
static void same_runs(run_spec a, run_spec b, enum ipsim_store store, int min_compared)
{
    ipsim_scenario scn;
    tu_parse(&scn, yaml_rich);
    ipsim_target_stats sa[3], sb[3];
    run_file(&scn, a, store, "path_ja.h5", sa);
    run_file(&scn, b, store, "path_jb.h5", sb);
    same_results("path_ja.h5", "path_jb.h5", sa, sb, 3, min_compared);
    ipsim_scenario_free(&scn);
}

#define KEEP IPSIM_RESULTS_CACHE_KEEP

static void test_threads_bit_identical(void **state)
{
    /* yearly, yearly_zone, summary, monthly */
    same_runs((run_spec){1, 64, KEEP}, (run_spec){2, 64, KEEP}, IPSIM_STORE_MONTHLY,
              4 * IPSIM_NMETRICS);
}

/* Paths are taken one at a time across block ends (run.c): with small
 * blocks, several are in flight and the buffers are reused many times; at
 * 3 threads on any machine the results are still those of 1 thread. */
static void test_threads_across_blocks(void **state)
{
    same_runs((run_spec){1, 16, KEEP}, (run_spec){3, 16, KEEP}, IPSIM_STORE_YEARLY,
              2 * IPSIM_NMETRICS);
}

/* A run that drops its file's pages from the page cache as it goes (all
 * but the last byte behind each checkpoint, HDF5's metadata included)
 * writes the same file: the cache is only a cache. */
static void test_cache_dropped(void **state)
{
    ipsim_run_opts o;
    ipsim_run_opts_init(&o);
    assert_true(o.cache_keep == KEEP);
    same_runs((run_spec){2, 16, KEEP}, (run_spec){2, 16, 1}, IPSIM_STORE_YEARLY,
              2 * IPSIM_NMETRICS);
}

/* Runs of the rich scenario at two threads with and without direct I/O,
 * in blocks of the store's quantum (want_q) so that its chunks go to the
 * disk so, give the same file; block_bytes is what one block writes
 * directly. */
static void direct_vs_buffered(enum ipsim_store store, int deflate, size_t want_q,
                               uint64_t block_bytes, int min_compared)
{
    ipsim_scenario scn;
    tu_parse(&scn, yaml_rich);
    size_t q = ipsim_results_path_quantum((size_t)ipsim_scenario_n_years(&scn),
                                          (size_t)scn.horizon_months, scn.n_zones, store, deflate);
    assert_int_equal(q, want_q);
    ipsim_run_timing ta = {0}, tb = {0};
    ipsim_run_opts a = opts_for((run_spec){2, q, KEEP}, store), b = a;
    assert_int_equal(ipsim_run_block_paths(&scn, &(ipsim_run_opts){.store = store,
                                                                    .deflate = deflate}) % q, 0);
    a.deflate = b.deflate = deflate;
    a.timing = &ta;
    b.timing = &tb;
    b.buffered_io = 1;
    ipsim_target_stats sa[3], sb[3];
    ipsim_error err = {0};
    if (ipsim_run(&scn, &a, "path_dio.h5", sa, &err) != IPSIM_OK ||
        ipsim_run(&scn, &b, "path_buf.h5", sb, &err) != IPSIM_OK)
        fail_msg("run failed: %s", err.msg);
    uint64_t blocks = (a.n_paths + q - 1) / q; /* the last one short, its chunks whole */
    assert_int_equal(ta.direct_bytes, tu_dio_supported(".") ? blocks * block_bytes : 0);
    assert_int_equal(tb.direct_bytes, 0);
    /* beyond 4 threads the writer copies into the page cache, as before */
    ipsim_run_timing tc = {0};
    ipsim_run_opts c = a;
    c.threads = 5;
    c.timing = &tc;
    if (ipsim_run(&scn, &c, "path_j5.h5", NULL, &err) != IPSIM_OK)
        fail_msg("run failed: %s", err.msg);
    assert_int_equal(tc.direct_bytes, 0);
    unlink("path_j5.h5");
    same_results("path_dio.h5", "path_buf.h5", sa, sb, 3, min_compared);
    ipsim_scenario_free(&scn);
}

/* The default store: yearly_zone (4 years x 3 zones x 8 bytes = 96 =
 * 32 x 3 a path, so 4096 / 32 paths), not yearly (128 x 32 bytes, a page,
 * but the finish reads it back through the page cache). */
static void test_direct_io_same_file(void **state)
{
    direct_vs_buffered(IPSIM_STORE_YEARLY, -1, 128, IPSIM_NMETRICS * 128 * 96,
                       2 * IPSIM_NMETRICS);
}

/* Monthly data stored unfiltered: monthly_zone (42 months x 3 zones: 1008 =
 * 16 x 63 bytes a path, 256 paths) decides; in blocks of 256, monthly (336
 * bytes a path) and yearly_zone are whole pages too. */
static void test_direct_io_monthly(void **state)
{
    direct_vs_buffered(IPSIM_STORE_MONTHLY, 0, 256,
                       256 * (IPSIM_NMETRICS * 96 + IPSIM_NMONTHLY * (336 + 1008)),
                       2 * IPSIM_NMETRICS + 2 * IPSIM_NMONTHLY);
}

/* The per-path values do not depend on how paths are grouped in blocks. */
static void test_block_size_irrelevant(void **state)
{
    same_runs((run_spec){2, 16, KEEP}, (run_spec){2, 300, KEEP}, IPSIM_STORE_YEARLY,
              2 * IPSIM_NMETRICS);
}

typedef struct {
    pthread_t caller;
    int calls, other_thread, stop_at;
    size_t last, block;
} stop_ctx;

/* Asks to stop at its stop_at-th call; checks what run.h promises. */
static int stop_progress(void *ctx, size_t done, size_t total)
{
    stop_ctx *c = ctx;
    c->calls++;
    c->other_thread |= !pthread_equal(pthread_self(), c->caller);
    assert_true(done > c->last && done <= total);
    assert_true(done % c->block == 0 || done == total); /* whole blocks stored */
    c->last = done;
    return c->calls == c->stop_at;
}

/* The progress callback stops a 2-thread run: it is called from the calling
 * thread only, with growing counts of whole blocks; the run fails with
 * IPSIM_EINTR, keeps FILE.partial, and resuming it gives the file of an
 * uninterrupted run. */
static void test_stop_and_resume_two_threads(void **state)
{
    ipsim_scenario scn;
    tu_parse(&scn, yaml_rich);
    ipsim_target_stats ref[3], st[3];
    run_file(&scn, (run_spec){1, 16, KEEP}, IPSIM_STORE_YEARLY, "path_ref.h5", ref);
    ipsim_run_opts o = opts_for((run_spec){2, 16, KEEP}, IPSIM_STORE_YEARLY);
    ipsim_error err = {0};
    stop_ctx c = {.caller = pthread_self(), .stop_at = 3, .block = 16};
    o.progress = stop_progress;
    o.progress_ctx = &c;
    unlink("path_stop.h5");
    assert_int_equal(ipsim_run(&scn, &o, "path_stop.h5", NULL, &err), IPSIM_EINTR);
    assert_int_equal(c.calls, 3);
    assert_int_equal(c.other_thread, 0);
    assert_true(c.last < o.n_paths);
    assert_int_equal(access("path_stop.h5", F_OK), -1);
    assert_int_equal(access("path_stop.h5.partial", F_OK), 0);
    o.progress = NULL;
    o.resume = 1;
    if (ipsim_run(&scn, &o, "path_stop.h5", st, &err) != IPSIM_OK)
        fail_msg("resume failed: %s", err.msg);
    same_results("path_ref.h5", "path_stop.h5", ref, st, 3, 2 * IPSIM_NMETRICS);
    ipsim_scenario_free(&scn);
}

/* Common random numbers (§6): a variant with an added upgrade in zone B
 * from 2025-07 makes the same draws as the base wherever both draw. */
static void test_common_random_numbers(void **state)
{
    char variant[4096];
    const char *at = strstr(yaml_rich, "wwtp: true}");
    assert_non_null(at);
    int pre = (int)(at - yaml_rich);
    snprintf(variant, sizeof variant, "%.*swwtp: true,\n     upgrades: [{from: \"2025-07\", attractiveness: 1.8}]}%s",
             pre, yaml_rich, at + strlen("wwtp: true}"));
    tu_sim a, b;
    tu_sim_init(&a, yaml_rich, 1);
    tu_sim_init(&b, variant, 1);
    assert_int_equal(b.scn.zones[1].n_upgrades, 1);
    const int t_up = 12; /* 2025-07 from 2024-07 */
    for (uint64_t path = 0; path < 50; path++) {
        ipsim_stream_set_path(&a.ws.st, 11, path);
        ipsim_stream_set_path(&b.ws.st, 11, path);
        ipsim_demand_reset(&a.ws);
        ipsim_demand_reset(&b.ws);
        for (int t = 0; t < 42; t++) {
            double ma = ipsim_demand_macro(&a.ws, t), mb = ipsim_demand_macro(&b.ws, t);
            assert_true(ma == mb);
            for (size_t z = 0; z < 3; z++) {
                unsigned na = ipsim_demand_count(&a.ws, z, t, ma);
                unsigned nb = ipsim_demand_count(&b.ws, z, t, mb);
                if (z != 1 || t < t_up)
                    assert_int_equal(na, nb);
                else /* the upgrade raises the mean: never fewer arrivals */
                    assert_true(nb >= na);
                unsigned n = na < nb ? na : nb;
                for (unsigned i = 0; i < n; i++) {
                    ipsim_project pa, pb;
                    /* zeroed: their padding bytes are compared too */
                    memset(&pa, 0, sizeof pa);
                    memset(&pb, 0, sizeof pb);
                    ipsim_demand_project(&a.ws, z, t, i, &pa);
                    ipsim_demand_project(&b.ws, z, t, i, &pb);
                    assert_memory_equal(&pa, &pb, sizeof pa);
                }
            }
        }
    }
    /* Whole paths: before the upgrade, every output is identical. */
    tu_sim_free(&a);
    tu_sim_free(&b);
    tu_sim_init(&a, yaml_rich, 20);
    tu_sim_init(&b, variant, 20);
    tu_sim_run(&a, 11);
    tu_sim_run(&b, 11);
    int later_differ = 0;
    for (size_t p = 0; p < 20; p++)
        for (int m = 0; m < IPSIM_NMONTHLY; m++) {
            const double *x = ipsim_block_monthly_zone(&a.blk, m, p);
            const double *y = ipsim_block_monthly_zone(&b.blk, m, p);
            assert_memory_equal(x, y, (size_t)t_up * 3 * sizeof(double));
            later_differ |= memcmp(x, y, 42 * 3 * sizeof(double)) != 0;
        }
    assert_true(later_differ); /* and the policy does change something */
    tu_sim_free(&a);
    tu_sim_free(&b);
}

int main(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conservation_every_month),
        cmocka_unit_test(test_order_independence),
        cmocka_unit_test(test_threads_bit_identical),
        cmocka_unit_test(test_threads_across_blocks),
        cmocka_unit_test(test_cache_dropped),
        cmocka_unit_test(test_stop_and_resume_two_threads),
        cmocka_unit_test(test_block_size_irrelevant),
        cmocka_unit_test(test_direct_io_same_file),
        cmocka_unit_test(test_direct_io_monthly),
        cmocka_unit_test(test_common_random_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
