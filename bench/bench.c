/* bench.c -- `ipsim-bench`: how fast ipsim runs a scenario, beside the two
 * draw floors (docs/performance.md).
 *
 * Every measurement runs in a fresh child process (this program re-executed
 * with --child), so that each configuration's peak resident memory is its
 * own (wait4's ru_maxrss) and no run warms the next one's caches or heap.
 * The parent repeats each configuration (warm-up runs first, discarded),
 * prints a table of medians with min-max spreads, and one JSON line per
 * configuration. */
#define _DEFAULT_SOURCE /* wait4: the peak memory of one child */

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"
#include "run.h"

#define MAX_REPS 1000
#define MAX_THREADS 256

static const cli_option bench_options[] = {
    {'n', "paths", "PATHS", "paths per run (default 2000)"},
    {'r', "reps", "REPS", "measured rounds (default 5)"},
    {'w', "warmup", "RUNS", "discarded rounds before them (default 1)"},
    {'j', "threads", "N", "measure 1, 2, ... N threads (default: every core)"},
    {'s', "seed", "SEED", "seed (default: the scenario's, else 1)"},
    {0, "store", "WHAT", "summary | yearly | monthly (default yearly, as ipsim run)"},
    {'o', "dir", "DIR", "where the runs' results files go, deleted after (default /tmp)"},
    {0, "numpy", "SCRIPT", "the NumPy floor script (default: bench/numpy_draws.py)"},
    {0, "python", "PYTHON", "its interpreter (default /usr/bin/python3)"},
    {0, "no-numpy", NULL, "skip the NumPy floor"},
    {0, "memory", "A,B", "also peak memory at --store summary, 1 thread, A and B paths"},
    {0, "buffered-io", NULL, "write through the page cache only, no direct I/O (for comparison)"},
    {0, "child", "MODE", "internal: run one measurement (run or floor) and print it"},
    {0, "clearances", "N", "internal: clearance draws of the run the floor matches"},
    {0, NULL, NULL, NULL},
};
enum { O_PATHS, O_REPS, O_WARMUP, O_THREADS, O_SEED, O_STORE, O_DIR, O_NUMPY, O_PYTHON,
       O_NO_NUMPY, O_MEMORY, O_BUFFERED_IO, O_CHILD, O_CLEARANCES };

static const cli_command bench_cmd = {
    "bench",
    "ipsim-bench SCENARIO [-n PATHS] [-r REPS] [-w RUNS] [-j N] [-s SEED] [--store WHAT]\n"
    "                   [-o DIR] [--numpy SCRIPT] [--python PYTHON] [--no-numpy] [--memory A,B]\n"
    "                   [--buffered-io]",
    "Runs SCENARIO at 1, 2, ... N threads and reports zone-months/s, paths/s, parallel\n"
    "efficiency, the split of wall time between simulation, writing and finishing\n"
    "(summaries, targets, closing the file) and peak memory; then ipsim's own draw floor\n"
    "(the same draws through the same keyed streams, no model) and the NumPy draw floor\n"
    "(the same mix drawn with Generator(Philox) in blocks of 10^6), in ns per zone-month.\n"
    "Beside the efficiency at N threads it shows N one-thread runs side by side: what the\n"
    "host itself allows N threads (shared caches, memory, clock), whatever the program;\n"
    "and each run's CPU time and the cores it kept busy, which show whether a shortfall\n"
    "in efficiency is more CPU time for the same paths or idle cores.\n"
    "It measures in rounds, each running every thread count, ipsim's floor and the N runs\n"
    "side by side, so that drifting load on a shared machine weighs on all alike; each run\n"
    "is a fresh process; medians over REPS rounds, min-max in brackets; then one JSON line\n"
    "per configuration.",
    "ipsim-bench bench/province40.yaml -n 2000 -r 5 -j 2",
    bench_options,
};

typedef struct {
    const char *scenario, *store_name, *dir, *numpy, *python, *child;
    size_t memory[2]; /* --memory A,B, or zeros */
    size_t paths;
    int reps, warmup, threads, seed_given, no_numpy, buffered_io;
    uint64_t seed, clearances;
    enum ipsim_store store;
    ipsim_scenario scn;
} bench_args;

static int parse_store(const char *s, enum ipsim_store *out)
{
    static const char *const names[] = {"summary", "yearly", "monthly"};
    for (int i = 0; i < 3; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum ipsim_store)i;
            return 0;
        }
    fprintf(stderr, "ipsim-bench: --store: '%s' is not valid (expected summary, yearly or monthly)\n",
            s);
    return CLI_EXIT_INPUT;
}

static int on_option(void *ctx, int k, const char *arg)
{
    bench_args *a = ctx;
    unsigned long long v = 0;
    int rc = 0;
    switch (k) {
    case O_PATHS:
        rc = cli_whole("bench", "-n/--paths", arg, 1, IPSIM_STREAM_MAX_PATHS, &v);
        a->paths = (size_t)v;
        break;
    case O_REPS:
        rc = cli_whole("bench", "-r/--reps", arg, 1, MAX_REPS, &v);
        a->reps = (int)v;
        break;
    case O_WARMUP:
        rc = cli_whole("bench", "-w/--warmup", arg, 0, MAX_REPS, &v);
        a->warmup = (int)v;
        break;
    case O_THREADS:
        rc = cli_whole("bench", "-j/--threads", arg, 1, MAX_THREADS, &v);
        a->threads = (int)v;
        break;
    case O_SEED:
        rc = cli_whole("bench", "-s/--seed", arg, 0, UINT64_MAX, &v);
        a->seed = v;
        a->seed_given = 1;
        break;
    case O_STORE:
        a->store_name = arg;
        rc = parse_store(arg, &a->store);
        break;
    case O_DIR:
        a->dir = arg;
        break;
    case O_NUMPY:
        a->numpy = arg;
        break;
    case O_PYTHON:
        a->python = arg;
        break;
    case O_NO_NUMPY:
        a->no_numpy = 1;
        break;
    case O_MEMORY: {
        char *end;
        errno = 0;
        unsigned long long pa = strtoull(arg, &end, 10), pb = 0;
        if (*end == ',')
            pb = strtoull(end + 1, &end, 10);
        if (errno || *end || arg[0] == '-' || pa < 1 || pb < 1 || pa > IPSIM_STREAM_MAX_PATHS ||
            pb > IPSIM_STREAM_MAX_PATHS) {
            fprintf(stderr, "ipsim-bench: --memory: '%s' is not valid (expected two path counts A,B)\n",
                    arg);
            rc = CLI_EXIT_INPUT;
        }
        a->memory[0] = (size_t)pa;
        a->memory[1] = (size_t)pb;
        break;
    }
    case O_BUFFERED_IO:
        a->buffered_io = 1;
        break;
    case O_CHILD:
        a->child = arg;
        break;
    case O_CLEARANCES:
        rc = cli_whole("bench", "--clearances", arg, 0, UINT64_MAX, &v);
        a->clearances = v;
        break;
    }
    return rc;
}

static int fail(const ipsim_error *e)
{
    fprintf(stderr, "ipsim-bench: %s\n", e->msg);
    return ipsim_error_exit_status(e->code);
}

/* ---- children: one measurement each, one JSON object on stdout ---- */

/* The CPU time of every thread of this process so far (user + system). */
static double process_cpu(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return NAN;
    return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
           (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

static int child_run(bench_args *a)
{
    char out[4096];
    snprintf(out, sizeof out, "%s/ipsim-bench-%ld.h5", a->dir, (long)getpid());
    ipsim_run_timing tm = {0};
    ipsim_run_opts o;
    ipsim_run_opts_init(&o);
    o.n_paths = a->paths;
    o.seed = a->seed;
    o.threads = a->threads;
    o.store = a->store;
    o.buffered_io = a->buffered_io;
    o.timing = &tm;
    ipsim_error err = {0};
    double t0 = bench_now(), c0 = process_cpu();
    int rc = ipsim_run(&a->scn, &o, out, NULL, &err);
    double wall = bench_now() - t0, cpu = process_cpu() - c0;
    unlink(out);
    if (rc != IPSIM_OK)
        return fail(&err);
    printf("{\"wall_s\": %.6f, \"cpu_s\": %.6f, \"simulate_s\": %.6f, \"write_s\": %.6f, "
           "\"write_busy_s\": %.6f, \"finish_s\": %.6f, \"macro\": %llu, \"count\": %llu, "
           "\"clearance\": %llu, \"projects\": %llu, \"direct_bytes\": %llu}\n",
           wall, cpu, tm.simulate_s, tm.write_s, tm.write_busy_s, tm.finish_s,
           (unsigned long long)tm.draws[IPSIM_P_MACRO], (unsigned long long)tm.draws[IPSIM_P_COUNT],
           (unsigned long long)tm.draws[IPSIM_P_CLEARANCE],
           (unsigned long long)tm.draws[IPSIM_P_PROJECT], (unsigned long long)tm.direct_bytes);
    return 0;
}

static int child_floor(bench_args *a)
{
    uint64_t c[BENCH_NKINDS];
    double s = 0;
    ipsim_error err = {0};
    if (bench_floor(&a->scn, a->seed, a->paths, a->clearances, c, &s, &err) != IPSIM_OK)
        return fail(&err);
    printf("{\"wall_s\": %.6f", s);
    for (int k = 0; k < BENCH_NKINDS; k++)
        printf(", \"%s\": %llu", bench_kind_names[k], (unsigned long long)c[k]);
    printf("}\n");
    return 0;
}

/* ---- the parent: children, their JSON, the report ---- */

/* The number after "key": in a one-line JSON object, or NaN. */
static double json_num(const char *line, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    return p ? strtod(p + strlen(pat), NULL) : (double)NAN;
}

/* A child started by child_start: its pid and the read end of its stdout. */
typedef struct {
    pid_t pid;
    FILE *out;
} child;

/* Starts this program again with argv `args`, its stdout into a pipe.
 * 0 on success. */
static int child_start(char *const args[], child *c)
{
    int fd[2];
    if (pipe(fd) < 0)
        return -1;
    fflush(stdout);
    c->pid = fork();
    if (c->pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (c->pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        execv("/proc/self/exe", args);
        execvp(args[0], args);
        _exit(127);
    }
    close(fd[1]);
    c->out = fdopen(fd[0], "r");
    if (!c->out)
        close(fd[0]);
    return 0;
}

/* Waits for child c; stores its first stdout line in line and its peak
 * RSS (KiB) in *rss.  0 if it succeeded.  (Each child writes one short
 * line at its end, so children may be finished in any order.) */
static int child_finish(child *c, char *line, size_t size, long *rss)
{
    line[0] = '\0';
    if (c->out) {
        if (!fgets(line, (int)size, c->out))
            line[0] = '\0';
        while (fgetc(c->out) != EOF)
            ;
        fclose(c->out);
    }
    int status = 0;
    struct rusage ru;
    if (wait4(c->pid, &status, 0, &ru) < 0)
        return -1;
    *rss = ru.ru_maxrss;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 && line[0] == '{' ? 0 : -1;
}

typedef struct {
    double wall[MAX_REPS], simulate[MAX_REPS], write[MAX_REPS], busy[MAX_REPS], finish[MAX_REPS];
    double rss[MAX_REPS];
    double cpu[MAX_REPS]; /* CPU seconds of one run (for runs side by side, their mean) */
    double draws[BENCH_NKINDS]; /* of the last run; NaN where not reported */
    double direct_bytes;        /* of the last run: per-path data written with direct I/O */
    int n;
} measured;

/* Keeps one child's figures in m (line: its JSON; rss: its peak; cpu:
 * its CPU time, or the mean of the children started with it). */
static void keep_figures(measured *m, const char *line, long rss, double cpu)
{
    m->wall[m->n] = json_num(line, "wall_s");
    m->simulate[m->n] = json_num(line, "simulate_s");
    m->write[m->n] = json_num(line, "write_s");
    m->busy[m->n] = json_num(line, "write_busy_s");
    m->finish[m->n] = json_num(line, "finish_s");
    m->rss[m->n] = (double)rss;
    m->cpu[m->n] = cpu;
    m->n++;
}

/* n children of `mode` at `threads` threads and `paths` paths, started
 * together; kept in m unless it is a warm-up.  For n > 1 m keeps the
 * figures of the slowest child (started with the others, its wall time is
 * the whole batch's) but the mean CPU time of all n. */
static int measure_n(const bench_args *a, const char *argv0, const char *mode, int threads,
                     size_t paths, enum ipsim_store store, int keep, int n, measured *m)
{
    static const char *const stores[] = {"summary", "yearly", "monthly"};
    char sp[32], st[32], ss[32], sc[32];
    snprintf(sp, sizeof sp, "%zu", paths);
    snprintf(st, sizeof st, "%d", threads);
    snprintf(ss, sizeof ss, "%llu", (unsigned long long)a->seed);
    snprintf(sc, sizeof sc, "%llu", (unsigned long long)a->clearances);
    char *args[] = {(char *)argv0, (char *)a->scenario, "--child", (char *)mode, "-n", sp, "-j", st,
                    "-s", ss, "--store", (char *)stores[store], "-o", (char *)a->dir,
                    "--clearances", sc, a->buffered_io ? "--buffered-io" : NULL, NULL};
    child c[MAX_THREADS];
    char line[1024], last[1024] = "";
    long rss = 0, last_rss = 0;
    double cpu_sum = 0;
    int started = 0, ok = 1;
    while (started < n && child_start(args, &c[started]) == 0)
        started++;
    for (int i = 0; i < started; i++) {
        if (child_finish(&c[i], line, sizeof line, &rss) != 0) {
            ok = 0;
            continue;
        }
        cpu_sum += json_num(line, "cpu_s");
        if (last[0] == '\0' || json_num(line, "wall_s") > json_num(last, "wall_s")) {
            memcpy(last, line, sizeof last);
            last_rss = rss;
        }
    }
    if (!ok || started < n) {
        fprintf(stderr, "ipsim-bench: the %s run at %d thread%s failed\n", mode, threads,
                threads == 1 ? "" : "s");
        return -1;
    }
    for (int k = 0; k < BENCH_NKINDS; k++)
        m->draws[k] = json_num(last, bench_kind_names[k]);
    m->direct_bytes = json_num(last, "direct_bytes");
    if (keep)
        keep_figures(m, last, last_rss, cpu_sum / n);
    return 0;
}

static int measure_one(const bench_args *a, const char *argv0, const char *mode, int threads,
                       size_t paths, enum ipsim_store store, int keep, measured *m)
{
    return measure_n(a, argv0, mode, threads, paths, store, keep, 1, m);
}

/* warmup + reps children of `mode` at `threads` threads and `paths` paths. */
static int measure(const bench_args *a, const char *argv0, const char *mode, int threads,
                   size_t paths, enum ipsim_store store, int warmup, int reps, measured *m)
{
    memset(m, 0, sizeof *m);
    for (int i = 0; i < warmup + reps; i++)
        if (measure_one(a, argv0, mode, threads, paths, store, i >= warmup, m) < 0)
            return -1;
    return 0;
}

static bench_spread spread(const double *x, int n)
{
    double tmp[MAX_REPS];
    memcpy(tmp, x, (size_t)n * sizeof *x);
    return bench_spread_of(tmp, (size_t)n);
}

/* Median over reps of part[i] / wall[i]. */
static double share(const measured *m, const double *part)
{
    double r[MAX_REPS];
    for (int i = 0; i < m->n; i++)
        r[i] = m->wall[i] > 0 ? part[i] / m->wall[i] : 0;
    return bench_spread_of(r, (size_t)m->n).median;
}

/* The spread over rounds of scale * num[i] / den[i]: a ratio of two
 * figures of the same round, which the host's drifting load moves less
 * than the ratio of their medians over rounds. */
static bench_spread paired(const double *num, const double *den, int n, double scale)
{
    double r[MAX_REPS];
    for (int i = 0; i < n; i++)
        r[i] = scale * num[i] / den[i];
    return bench_spread_of(r, (size_t)n);
}

static void json_spread(const char *key, bench_spread s)
{
    printf(", \"%s\": {\"median\": %.9g, \"min\": %.9g, \"max\": %.9g}", key, s.median, s.min, s.max);
}

/* "key": {"macro": n, ...} for the first n kinds. */
static void json_draws(const char *key, const double *d, int n)
{
    printf(", \"%s\": {", key);
    for (int k = 0; k < n; k++)
        printf("%s\"%s\": %.0f", k ? ", " : "", bench_kind_names[k], d[k]);
    printf("}");
}

static void loadavg(char *buf, size_t n)
{
    FILE *f = fopen("/proc/loadavg", "r");
    buf[0] = '\0';
    if (f) {
        double l1 = 0, l5 = 0, l15 = 0;
        if (fscanf(f, "%lf %lf %lf", &l1, &l5, &l15) == 3)
            snprintf(buf, n, "%.2f %.2f %.2f", l1, l5, l15);
        fclose(f);
    }
}

/* The CPU's model name from /proc/cpuinfo ("unknown" elsewhere): the
 * figures mean little without it, and one host may not be the next. */
static void cpu_name(char *buf, size_t n)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    snprintf(buf, n, "unknown");
    while (f && fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) != 0 || !colon)
            continue;
        colon += 1 + (colon[1] == ' ');
        colon[strcspn(colon, "\n")] = '\0';
        for (char *c = colon; *c; c++)
            if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
                *c = ' '; /* it goes into JSON as it is */
        snprintf(buf, n, "%s", colon);
        break;
    }
    if (f)
        fclose(f);
}

typedef struct {
    int threads;
    measured m;
} run_result;

/* Mean over zones of a gamma shape 1/cv^2 (0 where the zone draws none). */
static double mean_shape(const ipsim_scenario *scn, int lag)
{
    double s = 0;
    int n = 0;
    for (size_t z = 0; z < scn->n_zones; z++) {
        const ipsim_zone *zp = &scn->zones[z];
        double cv = lag ? zp->months_to_operation_cv : zp->clearance_cv;
        int drawn = lag ? cv > 0 && zp->months_to_operation > 0 : cv > 0 && zp->clearance_ha_per_year > 0;
        if (drawn) {
            s += 1.0 / (cv * cv);
            n++;
        }
    }
    return n ? s / n : 0;
}

/* Runs the NumPy floor script on the mix the floor drew (d, by kind);
 * line receives its JSON line.  0 on success. */
static int numpy_floor(const bench_args *a, double zone_months, const double *d, char *line,
                       size_t size)
{
    char cmd[8192];
    snprintf(cmd, sizeof cmd,
             "'%s' '%s' --zone-months %.0f --macro %.0f --count %.0f --count-mean %.9g "
             "--clearance %.0f --clearance-shape %.9g --projects %.0f --lags %.0f "
             "--lag-shape %.9g --reps %d --warmup %d",
             a->python, a->numpy, zone_months, d[BENCH_MACRO], d[BENCH_COUNT],
             d[BENCH_COUNT] > 0 ? d[BENCH_PROJECTS] / d[BENCH_COUNT] : 0.0, d[BENCH_CLEARANCE],
             mean_shape(&a->scn, 0), d[BENCH_PROJECTS], d[BENCH_LAGS], mean_shape(&a->scn, 1),
             a->reps, a->warmup);
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    line[0] = '\0';
    char buf[2048];
    while (fgets(buf, sizeof buf, p))
        if (buf[0] == '{')
            snprintf(line, size, "%s", buf);
    int st = pclose(p);
    return st == 0 && line[0] == '{' ? 0 : -1;
}

/* Peak memory of single-thread --store summary runs of A and B paths. */
static int memory(bench_args *a, const char *argv0)
{
    measured m[2];
    const size_t *n = a->memory;
    for (int i = 0; i < 2; i++)
        if (measure(a, argv0, "run", 1, n[i], IPSIM_STORE_SUMMARY, 0, 1, &m[i]) < 0)
            return CLI_EXIT_FAIL;
    double growth = m[1].rss[0] / m[0].rss[0] - 1.0;
    printf("\npeak memory, --store summary, 1 thread: %zu paths %.1f MiB (%.1f s), %zu paths %.1f MiB "
           "(%.1f s): %+.1f %%\n",
           n[0], m[0].rss[0] / 1024, m[0].wall[0], n[1], m[1].rss[0] / 1024, m[1].wall[0],
           100 * growth);
    printf("{\"config\": \"memory\", \"scenario\": \"%s\", \"store\": \"summary\", \"threads\": 1, "
           "\"paths\": [%zu, %zu], \"peak_rss_kib\": [%.0f, %.0f], \"wall_s\": [%.3f, %.3f], "
           "\"growth\": %.4f}\n",
           a->scn.name, n[0], n[1], m[0].rss[0], m[1].rss[0], m[0].wall[0], m[1].wall[0], growth);
    return CLI_EXIT_OK;
}

/* Round by round, the efficiency at j threads: the round's 1-thread wall
 * over j times its j-thread wall. */
static bench_spread round_efficiency(const run_result *runs, int j)
{
    const measured *m = &runs[j - 1].m;
    return paired(runs[0].m.wall, m->wall, m->n, 1.0 / j);
}

/* Median over rounds of m's CPU time over its wall time: the cores it
 * kept busy (for runs side by side, all of them: `runs` runs). */
static double cores_busy(const measured *m, int runs)
{
    return paired(m->cpu, m->wall, m->n, runs).median;
}

/* Where the efficiency at j threads goes, from the CPU times:
 * E = T1 / (j Tj) = (C1 / Cj) * (Cj / Tj) / (j C1 / T1), so a run falls
 * short either because the same paths took more CPU time (shared caches,
 * memory, the hypervisor's other guests) or because it did not keep its
 * cores as busy as the one-thread run kept its own (serial steps, waits).
 * An idle OpenMP thread spins a while before it sleeps (libgomp's default
 * wait policy): CPU time and a busy core, with no work, so it raises the
 * first factor's denominator and the second's numerator alike;
 * OMP_WAIT_POLICY=passive in the environment takes it out
 * (docs/performance.md, twelfth pass).  One row per thread count, then the
 * runs side by side (CPU time per run). */
static void print_cpu(const run_result *runs, int threads, const measured *side)
{
    const measured *m1 = &runs[0].m;
    double busy1 = cores_busy(m1, 1);
    printf("\nCPU time (user + system, all of a run's threads, idle OpenMP threads' spinning included)\n"
           "and the cores it kept busy:\n");
    printf("threads  CPU s [min-max]        CPU ÷ 1 thread's [min-max]  cores busy  busy ÷ (threads × 1 thread's)\n");
    for (int j = 1; j <= threads + (threads > 1); j++) {
        int is_side = j > threads, cores = is_side ? threads : j;
        const measured *m = is_side ? side : &runs[j - 1].m;
        bench_spread c = spread(m->cpu, m->n), r = paired(m->cpu, m1->cpu, m->n, 1.0);
        double busy = cores_busy(m, is_side ? threads : 1);
        if (is_side)
            printf("%7s", "side");
        else
            printf("%7d", j);
        printf("  %7.3f [%.3f-%.3f]  %8.3f [%.3f-%.3f]      %6.2f  %12.3f\n", c.median, c.min,
               c.max, r.median, r.min, r.max, busy, busy / (cores * busy1));
    }
}

static int parent(bench_args *a, const char *argv0)
{
    const ipsim_scenario *scn = &a->scn;
    double zm = (double)a->paths * (double)scn->n_zones * (double)scn->horizon_months;
    char load0[64], load1[64], cpu[256];
    loadavg(load0, sizeof load0);
    cpu_name(cpu, sizeof cpu);
    /* the children inherit it, and it changes their CPU times (print_cpu) */
    const char *wait_policy = getenv("OMP_WAIT_POLICY");
    printf("ipsim-bench: %s: %zu zones, %d months, %zu paths (%.3g zone-months), store %s,\n"
           "             %d rounds after %d warm-up (each round: every thread count, the floor,\n"
           "             then N one-thread runs side by side; each a fresh process); load average %s\n"
           "             cpu: %s, %ld online%s%s\n\n",
           scn->name, scn->n_zones, scn->horizon_months, a->paths, zm, a->store_name, a->reps,
           a->warmup, load0, cpu, sysconf(_SC_NPROCESSORS_ONLN),
           wait_policy ? "; OMP_WAIT_POLICY=" : "", wait_policy ? wait_policy : "");

    /* Round robin: each round runs every thread count, the floor and the
     * runs side by side, so that the other load on a shared machine, which
     * drifts, weighs on all of them alike and their ratios (efficiency, run
     * over floor) hold.
     * The floor draws as many clearances as the 1-thread run of its round
     * (always the same number: the draws are the seed's). */
    static run_result runs[MAX_THREADS];
    measured fl, side;
    memset(runs, 0, sizeof runs);
    memset(&fl, 0, sizeof fl);
    memset(&side, 0, sizeof side);
    for (int i = 0; i < a->warmup + a->reps; i++) {
        int keep = i >= a->warmup;
        for (int j = 1; j <= a->threads; j++) {
            runs[j - 1].threads = j;
            if (measure_one(a, argv0, "run", j, a->paths, a->store, keep, &runs[j - 1].m) < 0)
                return CLI_EXIT_FAIL;
        }
        a->clearances = (uint64_t)runs[0].m.draws[BENCH_CLEARANCE];
        if (measure_one(a, argv0, "floor", 1, a->paths, a->store, keep, &fl) < 0)
            return CLI_EXIT_FAIL;
        /* N one-thread runs at once: what this host allows N threads,
         * whatever the program (shared caches, memory, clock, hypervisor) */
        if (a->threads > 1 &&
            measure_n(a, argv0, "run", 1, a->paths, a->store, keep, a->threads, &side) < 0)
            return CLI_EXIT_FAIL;
    }

    bench_spread w1 = spread(runs[0].m.wall, runs[0].m.n);
    printf("threads  wall s [min-max]           zone-months/s  paths/s  efficiency  simulate  write (busy)   finish  peak RSS MiB\n");
    for (int j = 1; j <= a->threads; j++) {
        measured *m = &runs[j - 1].m;
        bench_spread w = spread(m->wall, m->n), r = spread(m->rss, m->n);
        printf("%7d  %8.3f [%.3f-%.3f]  %13.4g  %7.0f  %10.3f  %7.1f%%  %4.1f%% (%4.1f%%)  %5.1f%%  %12.1f\n",
               j, w.median, w.min, w.max, zm / w.median, (double)a->paths / w.median,
               w1.median / (j * w.median), 100 * share(m, m->simulate), 100 * share(m, m->write),
               100 * share(m, m->busy), 100 * share(m, m->finish), r.median / 1024.0);
    }

    /* the side-by-side runs and each round's efficiency against its own
     * 1-thread run (none when only 1 thread is measured) */
    bench_spread ws = spread(side.wall, side.n),
                 side_rounds = paired(runs[0].m.wall, side.wall, side.n, 1.0);
    if (a->threads > 1) {
        printf("%7s  %8.3f [%.3f-%.3f]  %13.4g  %7.0f  %10.3f  (%d one-thread runs at once: the host's limit)\n",
               "side", ws.median, ws.min, ws.max, a->threads * zm / ws.median,
               a->threads * (double)a->paths / ws.median, w1.median / ws.median, a->threads);
        printf("efficiency round by round, median [min-max]:");
        for (int j = 2; j <= a->threads; j++) {
            bench_spread e = round_efficiency(runs, j);
            printf(" %d threads %.3f [%.3f-%.3f],", j, e.median, e.min, e.max);
        }
        printf(" side by side %.3f [%.3f-%.3f]\n", side_rounds.median, side_rounds.min,
               side_rounds.max);
    }
    if (runs[0].m.direct_bytes == runs[0].m.direct_bytes)
        printf("per-path data written with direct I/O: %.1f MB a run%s\n",
               runs[0].m.direct_bytes / 1e6, a->buffered_io ? " (--buffered-io)" : "");
    print_cpu(runs, a->threads, &side);

    /* ns per zone-month at 1 thread: the whole run and its simulation part */
    bench_spread s1 = spread(runs[0].m.simulate, runs[0].m.n), f = spread(fl.wall, fl.n);
    double ns_run = 1e9 * w1.median / zm, ns_sim = 1e9 * s1.median / zm, ns_floor = 1e9 * f.median / zm;
    char np_line[2048] = "";
    double ns_np = NAN;
    if (!a->no_numpy) {
        const char *ns;
        if (numpy_floor(a, zm, fl.draws, np_line, sizeof np_line) == 0 &&
            (ns = strstr(np_line, "\"ns_per_zone_month\"")))
            ns_np = json_num(ns, "median");
        else
            fprintf(stderr, "ipsim-bench: the NumPy floor did not run (%s %s); see --no-numpy\n",
                    a->python, a->numpy);
    }
    printf("\n1 thread, ns per zone-month [min-max]        vs ipsim floor  NumPy floor faster by\n");
    printf("ipsim run, whole (wall)           %8.1f              %6.2fx        %s\n", ns_run,
           ns_run / ns_floor, "");
    printf("ipsim run, simulation only        %8.1f              %6.2fx\n", ns_sim, ns_sim / ns_floor);
    printf("ipsim draw floor                  %8.1f [%.1f-%.1f]\n", ns_floor, 1e9 * f.min / zm,
           1e9 * f.max / zm);
    /* the same two ratios round by round (a round's 1-thread run and floor
     * ran one after the other; every configuration has one figure per
     * round): median [min-max] */
    bench_spread pr = paired(runs[0].m.wall, fl.wall, fl.n, 1.0),
                 ps = paired(runs[0].m.simulate, fl.wall, fl.n, 1.0);
    printf("ipsim ÷ floor round by round: whole %.2fx [%.2f-%.2f], simulation %.2fx [%.2f-%.2f]\n",
           pr.median, pr.min, pr.max, ps.median, ps.min, ps.max);
    if (ns_np == ns_np)
        printf("NumPy draw floor                  %8.1f                             %.2fx (whole), %.2fx (simulation)\n",
               ns_np, ns_np / ns_run, ns_np / ns_sim);
    loadavg(load1, sizeof load1);
    printf("\nload average at the end: %s\n\n", load1);

    for (int j = 1; j <= a->threads; j++) {
        measured *m = &runs[j - 1].m;
        bench_spread w = spread(m->wall, m->n);
        printf("{\"config\": \"run\", \"scenario\": \"%s\", \"zones\": %zu, \"months\": %d, "
               "\"paths\": %zu, \"store\": \"%s\", \"threads\": %d, \"reps\": %d, \"warmup\": %d",
               scn->name, scn->n_zones, scn->horizon_months, a->paths, a->store_name, j, m->n,
               a->warmup);
        json_spread("wall_s", w);
        json_spread("simulate_s", spread(m->simulate, m->n));
        json_spread("write_s", spread(m->write, m->n));
        json_spread("write_busy_s", spread(m->busy, m->n));
        json_spread("finish_s", spread(m->finish, m->n));
        json_spread("peak_rss_kib", spread(m->rss, m->n));
        json_spread("efficiency_rounds", round_efficiency(runs, j));
        json_spread("cpu_s", spread(m->cpu, m->n));
        json_spread("cpu_over_1thread", paired(m->cpu, runs[0].m.cpu, m->n, 1.0));
        printf(", \"cores_busy\": %.4f, \"direct_bytes\": %.0f", cores_busy(m, 1),
               m->direct_bytes == m->direct_bytes ? m->direct_bytes : 0.0);
        printf(", \"zone_months_per_s\": %.6g, \"paths_per_s\": %.6g, \"ns_per_zone_month\": %.6g, "
               "\"efficiency\": %.4f, \"simulate_share\": %.4f, \"write_share\": %.4f, "
               "\"write_busy_share\": %.4f, \"finish_share\": %.4f, \"load_start\": \"%s\", "
               "\"load_end\": \"%s\", \"cpu\": \"%s\"}\n",
               zm / w.median, (double)a->paths / w.median, 1e9 * w.median / zm,
               w1.median / (j * w.median), share(m, m->simulate), share(m, m->write),
               share(m, m->busy), share(m, m->finish), load0, load1, cpu);
    }
    if (a->threads > 1) {
        printf("{\"config\": \"side_by_side\", \"scenario\": \"%s\", \"runs\": %d, \"threads\": 1, "
               "\"paths\": %zu, \"reps\": %d, \"warmup\": %d",
               scn->name, a->threads, a->paths, side.n, a->warmup);
        json_spread("wall_s", ws);
        json_spread("simulate_s", spread(side.simulate, side.n));
        json_spread("efficiency_rounds", side_rounds);
        json_spread("cpu_s", spread(side.cpu, side.n));
        json_spread("cpu_over_1thread", paired(side.cpu, runs[0].m.cpu, side.n, 1.0));
        printf(", \"cores_busy\": %.4f", cores_busy(&side, a->threads));
        printf(", \"paths_per_s\": %.6g, \"efficiency\": %.4f, \"cpu\": \"%s\"}\n",
               a->threads * (double)a->paths / ws.median, w1.median / ws.median, cpu);
    }
    printf("{\"config\": \"floor_ipsim\", \"scenario\": \"%s\", \"paths\": %zu, \"threads\": 1, "
           "\"reps\": %d, \"warmup\": %d",
           scn->name, a->paths, fl.n, a->warmup);
    bench_spread fns = {1e9 * f.median / zm, 1e9 * f.min / zm, 1e9 * f.max / zm};
    json_spread("ns_per_zone_month", fns);
    json_draws("draws", fl.draws, BENCH_NKINDS);
    json_draws("run_draws", runs[0].m.draws, BENCH_PROJECTS + 1);
    json_spread("run_over_floor_rounds", pr);
    json_spread("simulate_over_floor_rounds", ps);
    printf(", \"run_ns_per_zone_month\": %.6g, \"simulate_ns_per_zone_month\": %.6g, "
           "\"run_over_floor\": %.4f, \"simulate_over_floor\": %.4f}\n",
           ns_run, ns_sim, ns_run / ns_floor, ns_sim / ns_floor);
    if (np_line[0]) {
        size_t n = strlen(np_line);
        while (n && (np_line[n - 1] == '\n' || np_line[n - 1] == ' '))
            np_line[--n] = '\0';
        if (n && np_line[n - 1] == '}') /* reopen the object to add the ratios */
            np_line[--n] = '\0';
        printf("%s, \"run_ns_per_zone_month\": %.6g, \"simulate_ns_per_zone_month\": %.6g, "
               "\"floor_over_run\": %.4f, \"floor_over_simulate\": %.4f}\n",
               np_line, ns_run, ns_sim, ns_np / ns_run, ns_np / ns_sim);
    }
    return CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
    bench_args a = {0};
    a.paths = 2000;
    a.reps = 5;
    a.warmup = 1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    a.threads = cores > 0 ? (cores < MAX_THREADS ? (int)cores : MAX_THREADS) : 1;
    a.store = IPSIM_STORE_YEARLY;
    a.store_name = "yearly";
    a.dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    a.numpy = IPSIM_SOURCE_DIR "/bench/numpy_draws.py";
    a.python = "/usr/bin/python3";
    const char *pos[1];
    int n_pos;
    int rc = cli_parse(&bench_cmd, argc, argv, on_option, &a, pos, 1, &n_pos);
    if (rc != 0)
        return rc < 0 ? CLI_EXIT_OK : rc;
    if (n_pos != 1) {
        fprintf(stderr, "ipsim-bench: expected one SCENARIO file (see 'ipsim-bench --help')\n");
        return CLI_EXIT_INPUT;
    }
    a.scenario = pos[0];
    ipsim_error err = {0};
    if (ipsim_scenario_load(&a.scn, a.scenario, &err) != IPSIM_OK)
        return fail(&err);
    if (!a.seed_given)
        a.seed = a.scn.has_seed ? a.scn.seed : 1;
    if (a.child && strcmp(a.child, "run") == 0)
        rc = child_run(&a);
    else if (a.child && strcmp(a.child, "floor") == 0)
        rc = child_floor(&a);
    else if (a.child) {
        fprintf(stderr, "ipsim-bench: --child: '%s' is not valid (expected run or floor)\n", a.child);
        rc = CLI_EXIT_INPUT;
    } else {
        rc = parent(&a, argv[0]);
        if (rc == CLI_EXIT_OK && a.memory[0])
            rc = memory(&a, argv[0]);
    }
    ipsim_scenario_free(&a.scn);
    return rc;
}
