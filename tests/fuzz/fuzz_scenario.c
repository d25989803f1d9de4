/* fuzz_scenario.c -- libFuzzer harness for the scenario reader.
 *
 * Built by `make fuzz` (clang, ASan + UBSan, see tests/fuzz/CMakeLists.txt)
 * and, without libFuzzer, by tests/test_fuzz_replay.c, which replays the
 * seed corpus and every input kept in tests/fuzz/regressions/ under the
 * ordinary test suite.  Besides "no crash, no leak, no undefined
 * behaviour", each input checks the reader's contract:
 *   - a refused input is an input error whose message starts with
 *     "FILE:LINE:COL: ", or "--set KEY=VALUE: " for an override (or an
 *     out-of-memory error);
 *   - an accepted input prints as YAML that reads back and prints again to
 *     the very same text (ipsim check's promise). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

#define FUZZ_FILE "fuzz.yaml"
/* Comment lines "#--set KEY=VALUE" of an input are also applied as
 * `--set` overrides, so the override path is fuzzed with the reader. */
#define SET_MARK "#--set "
#define MAX_SETS 16

/* abort() is what libFuzzer (and the replay test) report as a failure. */
static void fuzz_fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_scenario: %s: %s\n", what, detail);
    abort();
}

/* "fuzz.yaml:LINE:COL: " with LINE, COL >= 1, or "--set ". */
static int located(const char *msg)
{
    const char *p = msg + strlen(FUZZ_FILE);
    if (strncmp(msg, "--set ", 6) == 0)
        return 1;
    if (strncmp(msg, FUZZ_FILE ":", strlen(FUZZ_FILE ":")) != 0)
        return 0;
    for (int field = 0; field < 2; field++) {
        p++;
        if (*p < '1' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
        if (*p != ':')
            return 0;
    }
    return p[1] == ' ';
}

/* The scenario printed into a malloc'd buffer. */
static char *print_to_string(const ipsim_scenario *scn, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f)
        return NULL;
    int rc = ipsim_scenario_print(f, scn);
    if (fclose(f) != 0 || rc != IPSIM_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

static void check_round_trip(const ipsim_scenario *scn)
{
    size_t len1, len2;
    char *text1 = print_to_string(scn, &len1);
    if (!text1)
        return; /* out of memory */
    ipsim_scenario again;
    ipsim_error err = {0};
    int rc = ipsim_scenario_parse(&again, text1, len1, FUZZ_FILE, &err);
    if (rc == IPSIM_ENOMEM) {
        free(text1);
        return;
    }
    if (rc != IPSIM_OK) {
        fprintf(stderr, "--- printed scenario ---\n%s--- end ---\n", text1);
        fuzz_fail("the printed scenario does not read back", err.msg);
    }
    char *text2 = print_to_string(&again, &len2);
    if (text2 && (len1 != len2 || memcmp(text1, text2, len1) != 0)) {
        fprintf(stderr, "--- first print ---\n%s--- second print ---\n%s--- end ---\n", text1,
                text2);
        fuzz_fail("print -> parse -> print changed the text", "see above");
    }
    free(text2);
    free(text1);
    ipsim_scenario_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The "#--set " lines of data, as NUL-terminated copies in sets[]. */
static size_t find_sets(const uint8_t *data, size_t size, char **sets)
{
    size_t n = 0, mark = strlen(SET_MARK);
    for (size_t i = 0; i + mark <= size && n < MAX_SETS; i++) {
        if ((i > 0 && data[i - 1] != '\n') || memcmp(data + i, SET_MARK, mark) != 0)
            continue;
        size_t end = i + mark;
        while (end < size && data[end] != '\n')
            end++;
        sets[n] = malloc(end - i - mark + 1);
        if (!sets[n])
            break;
        memcpy(sets[n], data + i + mark, end - i - mark);
        sets[n][end - i - mark] = '\0';
        n++;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ipsim_scenario scn;
    ipsim_error err = {0};
    char *sets[MAX_SETS] = {0};
    size_t n_sets = size <= IPSIM_MAX_FILE_BYTES ? find_sets(data, size, sets) : 0;
    int rc = ipsim_scenario_parse_with(&scn, (const char *)data, size, FUZZ_FILE,
                                       (const char *const *)sets, n_sets, &err);
    for (size_t i = 0; i < n_sets; i++)
        free(sets[i]);
    if (rc == IPSIM_OK) {
        check_round_trip(&scn);
        ipsim_scenario_free(&scn);
    } else if (rc == IPSIM_EINPUT) {
        if (!located(err.msg))
            fuzz_fail("input error without FILE:LINE:COL", err.msg);
    } else if (rc != IPSIM_ENOMEM) {
        fuzz_fail("unexpected error code", err.msg);
    }
    return 0;
}
