/* test_lines.c -- ipsim_lines_alloc: aligned to IPSIM_LINE (128 bytes, the
 * adjacent-line prefetcher's pair), zeroed to the end of its last line, and
 * NULL rather than a short block when n * size overflows. */
#include "testutil.h"

#include <stdint.h>
#include <stdlib.h>

#include "lines.h"

static void test_aligned_and_zeroed(void **state)
{
    assert_int_equal(IPSIM_LINE, 128);
    const size_t sizes[] = {1, 3, 8, 24, 40, 127, 128, 129, 1000};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++)
        for (size_t n = 0; n < 70; n += 7) {
            unsigned char *p = ipsim_lines_alloc(n, sizes[i]);
            assert_non_null(p);
            assert_int_equal((uintptr_t)p % IPSIM_LINE, 0);
            /* whole lines, all zero: no other allocation shares the last */
            size_t bytes = (n * sizes[i] + IPSIM_LINE - 1) / IPSIM_LINE * IPSIM_LINE;
            for (size_t b = 0; b < bytes; b++)
                assert_int_equal(p[b], 0);
            free(p);
        }
}

static void test_overflow(void **state)
{
    assert_null(ipsim_lines_alloc(SIZE_MAX / 8, 16));
    assert_null(ipsim_lines_alloc(SIZE_MAX, 2));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aligned_and_zeroed),
        cmocka_unit_test(test_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
