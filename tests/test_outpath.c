/* test_outpath.c -- ipsim_outpath_check: an empty name or a directory is
 * bad input (IPSIM_EINPUT, the name in the message); any other name passes,
 * even one whose directory is missing (its creation fails later, as I/O). */
#include "testutil.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "outpath.h"

static void test_refused(void **state)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s/outpath_dir", IPSIM_TEST_TMP);
    mkdir(dir, 0777);
    ipsim_error e = {0};
    assert_int_equal(ipsim_outpath_check("", &e), IPSIM_EINPUT);
    assert_non_null(strstr(e.msg, "empty"));
    assert_int_equal(ipsim_outpath_check(dir, &e), IPSIM_EINPUT);
    assert_non_null(strstr(e.msg, dir));
    assert_non_null(strstr(e.msg, "is a directory"));
    assert_int_equal(ipsim_outpath_check("/", &e), IPSIM_EINPUT);
    assert_int_equal(ipsim_outpath_check(".", &e), IPSIM_EINPUT);
    /* a trailing slash names a directory, whether or not it exists */
    assert_int_equal(ipsim_outpath_check("no-such-dir-outpath/", &e), IPSIM_EINPUT);
}

static void test_accepted(void **state)
{
    char file[512];
    snprintf(file, sizeof file, "%s/outpath_file.h5", IPSIM_TEST_TMP);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    ipsim_error e = {0};
    assert_int_equal(ipsim_outpath_check(file, &e), IPSIM_OK);  /* replaced at the end */
    assert_int_equal(ipsim_outpath_check("new.h5", &e), IPSIM_OK);
    assert_int_equal(ipsim_outpath_check("no-such-dir-outpath/x.h5", &e), IPSIM_OK);
    remove(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
