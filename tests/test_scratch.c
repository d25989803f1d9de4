/* test_scratch.c -- the summary store's column file (scratch.h): blocks
 * written in any order read back as whole columns and as blocks; a file
 * of other dimensions, another version, or cut short is refused; paths or
 * columns out of range are errors, not writes past the data. */
#include "testutil.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "scratch.h"

enum { N = 23, Y = 4, M = 3, CAP = 8 };

static void tmp_name(char *buf, size_t size, const char *what)
{
    snprintf(buf, size, "%s/scratch_%s_%ld.bin", IPSIM_TEST_TMP, what, (long)getpid());
}

/* The value of metric m, year y, path p. */
static double value(size_t m, size_t y, size_t p)
{
    return (double)(m * 10000 + y * 1000 + p) + 0.25;
}

/* A block array [metric][CAP][year] holding paths path0 .. +n. */
static void fill_block(double *base, size_t path0, size_t n)
{
    for (size_t m = 0; m < M; m++)
        for (size_t s = 0; s < CAP; s++)
            for (size_t y = 0; y < Y; y++)
                base[(m * CAP + s) * Y + y] = s < n ? value(m, y, path0 + s) : -1.0;
}

/* Writes paths 0..N-1 in blocks of CAP, the last block first. */
static void write_all(ipsim_scratch *s, const char *name)
{
    double base[M * CAP * Y];
    ipsim_error err;
    size_t starts[] = {16, 0, 8};
    for (size_t k = 0; k < 3; k++) {
        size_t n = N - starts[k] < CAP ? N - starts[k] : CAP;
        fill_block(base, starts[k], n);
        assert_int_equal(ipsim_scratch_write(s, name, base, CAP, starts[k], n, &err), IPSIM_OK);
    }
}

/* A new scratch file named for `what`, every path written when `full`
 * (and then closed), else left open and empty. */
static void create(ipsim_scratch *s, char *name, size_t size, const char *what, int full)
{
    ipsim_error err;
    tmp_name(name, size, what);
    assert_int_equal(ipsim_scratch_create(s, name, N, Y, M, &err), IPSIM_OK);
    if (full) {
        write_all(s, name);
        assert_int_equal(ipsim_scratch_close(s), 0);
    }
}

static void test_columns_and_blocks(void **state)
{
    char name[512];
    ipsim_scratch s;
    ipsim_error err;
    create(&s, name, sizeof name, "rw", 1);

    assert_int_equal(ipsim_scratch_open(&s, name, N, Y, M, &err), IPSIM_OK);
    double col[N];
    for (size_t m = 0; m < M; m++)
        for (size_t y = 0; y < Y; y++) {
            assert_int_equal(ipsim_scratch_column(&s, name, m, y, col, &err), IPSIM_OK);
            for (size_t p = 0; p < N; p++)
                assert_true(col[p] == value(m, y, p));
        }
    /* a block read back: paths 8..15, rows past n untouched */
    double base[M * CAP * Y];
    for (size_t i = 0; i < M * CAP * Y; i++)
        base[i] = 7.0;
    assert_int_equal(ipsim_scratch_read(&s, name, base, CAP, 8, 5, &err), IPSIM_OK);
    for (size_t m = 0; m < M; m++)
        for (size_t r = 0; r < CAP; r++)
            for (size_t y = 0; y < Y; y++)
                assert_true(base[(m * CAP + r) * Y + y] == (r < 5 ? value(m, y, 8 + r) : 7.0));
    ipsim_scratch_close(&s);
    unlink(name);
}

static void test_out_of_range(void **state)
{
    char name[512];
    ipsim_scratch s;
    ipsim_error err;
    double base[M * CAP * Y] = {0}, col[N];
    create(&s, name, sizeof name, "range", 0);
    assert_int_equal(ipsim_scratch_write(&s, name, base, CAP, 20, 4, &err), IPSIM_EFAIL);
    assert_non_null(strstr(err.msg, name));
    assert_int_equal(ipsim_scratch_write(&s, name, base, CAP, 0, CAP + 1, &err), IPSIM_EFAIL);
    assert_int_equal(ipsim_scratch_column(&s, name, M, 0, col, &err), IPSIM_EFAIL);
    assert_int_equal(ipsim_scratch_column(&s, name, 0, Y, col, &err), IPSIM_EFAIL);
    ipsim_scratch_close(&s);
    /* closed: nothing to write to */
    assert_int_equal(ipsim_scratch_write(&s, name, base, CAP, 0, 1, &err), IPSIM_EFAIL);
    assert_int_equal(ipsim_scratch_close(&s), 0);
    unlink(name);
}

static void test_refuses_other_files(void **state)
{
    char name[512];
    ipsim_scratch s;
    ipsim_error err;
    create(&s, name, sizeof name, "other", 1);
    /* other dimensions */
    assert_int_equal(ipsim_scratch_open(&s, name, N + 1, Y, M, &err), IPSIM_EINPUT);
    assert_non_null(strstr(err.msg, "not the scratch file of this run"));
    assert_int_equal(s.fd, -1);
    assert_int_equal(ipsim_scratch_open(&s, name, N, Y + 1, M, &err), IPSIM_EINPUT);
    assert_int_equal(ipsim_scratch_open(&s, name, N, Y, M - 1, &err), IPSIM_EINPUT);
    /* another version */
    FILE *f = fopen(name, "r+b");
    assert_non_null(f);
    uint32_t v = IPSIM_SCRATCH_VERSION + 1;
    assert_int_equal(fseek(f, 8, SEEK_SET), 0);
    assert_int_equal(fwrite(&v, sizeof v, 1, f), 1);
    fclose(f);
    assert_int_equal(ipsim_scratch_open(&s, name, N, Y, M, &err), IPSIM_EINPUT);
    /* cut short, the right header */
    assert_int_equal(ipsim_scratch_create(&s, name, N, Y, M, &err), IPSIM_OK);
    ipsim_scratch_close(&s);
    assert_int_equal(truncate(name, 64 + (N * Y * M - 1) * 8), 0);
    assert_int_equal(ipsim_scratch_open(&s, name, N, Y, M, &err), IPSIM_EINPUT);
    /* not there */
    unlink(name);
    assert_int_equal(ipsim_scratch_open(&s, name, N, Y, M, &err), IPSIM_EIO);
    assert_non_null(strstr(err.msg, name));
}

/* A file that cannot take its length (here a file size limit) is an I/O
 * error and is not left behind. */
static void test_create_fails_cleanly(void **state)
{
    char name[512];
    tmp_name(name, sizeof name, "limit");
    struct rlimit old, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 4096;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    ipsim_scratch s;
    ipsim_error err;
    int rc = ipsim_scratch_create(&s, name, 1000, Y, M, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    assert_int_equal(rc, IPSIM_EIO);
    assert_non_null(strstr(err.msg, name));
    assert_int_equal(s.fd, -1);
    assert_int_equal(access(name, F_OK), -1);
}

/* Too many paths to address: refused before anything is written. */
static void test_too_large(void **state)
{
    char name[512];
    tmp_name(name, sizeof name, "large");
    ipsim_scratch s;
    ipsim_error err;
    assert_int_equal(ipsim_scratch_create(&s, name, SIZE_MAX / 2, 101, 13, &err), IPSIM_EINPUT);
    assert_int_equal(access(name, F_OK), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_columns_and_blocks),
        cmocka_unit_test(test_out_of_range),
        cmocka_unit_test(test_refuses_other_files),
        cmocka_unit_test(test_create_fails_cleanly),
        cmocka_unit_test(test_too_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
