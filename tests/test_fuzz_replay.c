/* test_fuzz_replay.c -- the fuzz harness of tests/fuzz/fuzz_scenario.c run,
 * without libFuzzer, on every input it was seeded with or found: the kept
 * regressions (tests/fuzz/regressions/), the bad-input corpus, the shipped
 * scenarios, and inputs over the reader's limits made here.  So each build
 * (and `make test-asan`, sanitized) checks that none of them crashes, that
 * every refusal is located (FILE:LINE:COL) and that every accepted scenario
 * prints as YAML that reads back to the same text. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "fuzz/fuzz_scenario.c"

/* Runs the harness on every regular file of dir; returns how many. */
static size_t replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || e->d_name[0] == '.')
            continue;
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        uint8_t *buf = malloc((size_t)st.st_size + 1);
        assert_non_null(buf);
        size_t len = fread(buf, 1, (size_t)st.st_size, f);
        fclose(f);
        assert_int_equal(len, (size_t)st.st_size);
        LLVMFuzzerTestOneInput(buf, len);
        free(buf);
        n++;
    }
    closedir(d);
    return n;
}

static void test_regressions(void **state)
{
    (void)state;
    assert_true(replay_dir(IPSIM_TEST_DIR "/fuzz/regressions") >= 1);
}

static void test_bad_corpus(void **state)
{
    (void)state;
    assert_true(replay_dir(IPSIM_TEST_DIR "/bad") >= 100);
}

static void test_scenarios(void **state)
{
    (void)state;
    assert_true(replay_dir(IPSIM_SOURCE_DIR "/scenarios") >= 1);
}

/* Over the size limit by one byte, and far over it: refused, located. */
static void test_over_size_limit(void **state)
{
    (void)state;
    size_t sizes[] = {IPSIM_MAX_FILE_BYTES + 1u, 3u * IPSIM_MAX_FILE_BYTES};
    for (size_t i = 0; i < 2; i++) {
        uint8_t *buf = malloc(sizes[i]);
        assert_non_null(buf);
        memset(buf, '#', sizes[i]);
        LLVMFuzzerTestOneInput(buf, sizes[i]);
        ipsim_scenario scn;
        ipsim_error err = {0};
        assert_int_equal(ipsim_scenario_parse(&scn, (const char *)buf, sizes[i], FUZZ_FILE, &err),
                         IPSIM_EINPUT);
        assert_non_null(strstr(err.msg, "too large"));
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regressions),
        cmocka_unit_test(test_bad_corpus),
        cmocka_unit_test(test_scenarios),
        cmocka_unit_test(test_over_size_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
