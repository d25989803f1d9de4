/* embed.c -- the smallest program that embeds libipsim: load a scenario, run
 * its Monte Carlo paths into a results file, print each target's P(met).
 *
 *   cc embed.c $(pkg-config --cflags --libs ipsim) -o embed
 *   ./embed scenarios/thai_binh_2025.yaml tb.h5 2000
 *
 * or with CMake: find_package(ipsim) and link ipsim::ipsim (see
 * examples/CMakeLists.txt). */
#include <stdio.h>
#include <stdlib.h>

#include <ipsim/ipsim.h>

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s SCENARIO.yaml RESULTS.h5 [PATHS]\n", argv[0]);
        return 2;
    }
    ipsim_scenario scn;
    ipsim_error err = {0};
    if (ipsim_scenario_load(&scn, argv[1], &err) != IPSIM_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return ipsim_error_exit_status(err.code);
    }
    ipsim_run_opts opts;
    ipsim_run_opts_init(&opts);
    opts.seed = scn.has_seed ? scn.seed : 1;
    if (argc == 4)
        opts.n_paths = strtoul(argv[3], NULL, 10);
    ipsim_target_stats *st = calloc(scn.n_targets ? scn.n_targets : 1, sizeof *st);
    int rc = st ? ipsim_run(&scn, &opts, argv[2], st, &err)
                : ipsim_error_set(&err, IPSIM_ENOMEM, "out of memory");
    if (rc == IPSIM_OK) {
        printf("%s: %zu paths -> %s\n", scn.name, opts.n_paths, argv[2]);
        for (size_t i = 0; i < scn.n_targets; i++) {
            const ipsim_target *t = &scn.targets[i];
            printf("%-30s %-24s %d %s %-10g P(met) = %.3f [%.3f, %.3f]\n", t->name,
                   ipsim_metric_get(t->metric)->name, t->year, t->op == IPSIM_OP_GE ? ">=" : "<=",
                   t->value, st[i].p_met, st[i].p_low, st[i].p_high);
        }
    } else {
        fprintf(stderr, "%s\n", err.msg);
    }
    free(st);
    ipsim_scenario_free(&scn);
    return ipsim_error_exit_status(rc);
}
