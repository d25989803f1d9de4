/* bench.h -- pieces of the benchmark harness (bench/): the draw floor and
 * the small statistics the report needs. */
#ifndef IPSIM_BENCH_H
#define IPSIM_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "scenario.h"

/* Draws counted by kind: what the model's own draw functions drew. */
enum { BENCH_MACRO, BENCH_COUNT, BENCH_CLEARANCE, BENCH_PROJECTS, BENCH_LAGS, BENCH_NKINDS };
extern const char *const bench_kind_names[BENCH_NKINDS];

/* ipsim's draw floor: the draws a run of `paths` paths made, through the
 * same keyed streams and the model's own draw functions, without the model.
 * Macro factors, arrival counts and project draws are exactly the run's
 * (they are pure functions of the keys); clearances are skipped by the
 * model where no land is left to clear, which the floor cannot know
 * without the model, so it spreads the run's number of clearance draws,
 * `clearances`, evenly over the zone-months that could draw one.
 * Returns the wall seconds; fills counts[BENCH_NKINDS]. */
int bench_floor(const ipsim_scenario *scn, uint64_t seed, size_t paths, uint64_t clearances,
                uint64_t counts[BENCH_NKINDS], double *seconds, ipsim_error *err);

/* Median, min and max of x[0..n-1] (sorted in place). */
typedef struct {
    double median, min, max;
} bench_spread;
bench_spread bench_spread_of(double *x, size_t n);

double bench_now(void);

#endif
