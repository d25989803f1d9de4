/* test_noalloc.c -- no heap allocation inside the per-month loop: once a
 * workspace has run one path, running more paths allocates nothing.
 *
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,
 * --wrap=aligned_alloc (tests/CMakeLists.txt), so every allocation the
 * library's code makes goes
 * through the counting wrappers below.  The scenarios switch every
 * mechanism on, including large arrival means (counts searched from the mode, chunks of
 * projects) and monthly outputs. */
#include "testutil.h"

#include <stdlib.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__real_aligned_alloc(size_t align, size_t n);

static int counting;
static size_t allocations;

void *__wrap_malloc(size_t n)
{
    allocations += counting;
    return __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    allocations += counting;
    return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    allocations += counting;
    return __real_realloc(p, n);
}

void *__wrap_aligned_alloc(size_t align, size_t n)
{
    allocations += counting;
    return __real_aligned_alloc(align, n);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Paths 1..n after a first path: no allocation at all. */
static void check_no_alloc(const char *yaml, size_t n)
{
    tu_sim s;
    tu_sim_init(&s, yaml, 1);
    ipsim_error err;
    assert_int_equal(ipsim_path_run(&s.ws, 5, 0, &s.blk, 0, &err), IPSIM_OK);
    /* the wrappers do see the library's allocations, both kinds */
    ipsim_block probe;
    allocations = 0;
    counting = 1;
    assert_int_equal(ipsim_block_alloc(&probe, 4, 2, 24, 3, 1, 1, &err), IPSIM_OK);
    counting = 0;
    ipsim_block_free(&probe);
    assert_true(allocations >= 5);
    ipsim_ws probe_ws;
    allocations = 0;
    counting = 1;
    assert_int_equal(ipsim_ws_alloc(&probe_ws, &s.model, &err), IPSIM_OK);
    counting = 0;
    ipsim_ws_free(&probe_ws);
    assert_true(allocations >= 20); /* the workspace's arrays: aligned_alloc */
    allocations = 0;
    counting = 1;
    for (size_t p = 1; p <= n; p++)
        if (ipsim_path_run(&s.ws, 5, p, &s.blk, 0, &err) != IPSIM_OK)
            break;
    counting = 0;
    if (allocations != 0)
        fail_msg("%zu heap allocations in %zu paths", allocations, n);
    tu_sim_free(&s);
}

static void test_bench_scenario(void **state)
{
    check_no_alloc(read_text(IPSIM_SOURCE_DIR "/bench/province40.yaml"), 20);
}

static void test_large_means(void **state)
{
    check_no_alloc("ipsim: 1\nstart: \"2025-01\"\nhorizon_months: 36\nredirect_prob: 0.5\n"
                   "macro: {sigma: 0.4}\n"
                   "defaults: {fdi_capital_median_musd: 10, domestic_capital_median_musd: 3,\n"
                   "           capital_per_ha_musd: 4, clearance_ha_per_year: 500,\n"
                   "           months_to_operation_cv: 1.5, abandon_prob: 0.1,\n"
                   "           expansions: [{ha: 1000, threshold: 0.5, delay_months: 3}]}\n"
                   "zones:\n"
                   "  - {name: A, area_ha: 5000, clean_ha: 100, projects_per_year: 3000}\n"
                   "  - {name: B, area_ha: 300, projects_per_year: 24, wwtp: \"2026-01\",\n"
                   "     polluting_share: 0.5}\n",
                   10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bench_scenario),
        cmocka_unit_test(test_large_means),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
