/* block.h -- the results of a contiguous block of paths, as computed.
 *
 * Paths are computed in fixed blocks; each path writes its own slot, and the
 * results writer stores whole blocks.  Arrays are metric-major so that one
 * metric of one block is a single contiguous hyperslab [path, year(, zone)],
 * exactly the shape of its dataset in the results file. */
#ifndef IPSIM_BLOCK_H
#define IPSIM_BLOCK_H

#include <stddef.h>

#include "error.h"

/* Each array of a block starts on a boundary of this many bytes (a page),
 * as direct I/O requires of the memory it writes from (results.c). */
#define IPSIM_BLOCK_ALIGN 4096

typedef struct {
    size_t cap;      /* paths the buffers hold (stride of the path axis) */
    size_t n;        /* paths filled: slots 0 .. n-1 */
    size_t path0;    /* global index of slot 0 */
    size_t n_years, n_months, n_zones, n_targets;
    int monthly;     /* monthly arrays allocated */
    double *yearly;       /* [IPSIM_NMETRICS][cap][n_years] */
    double *yearly_zone;  /* [IPSIM_NMETRICS][cap][n_years][n_zones] */
    double *monthly_prov; /* [IPSIM_NMONTHLY][cap][n_months], or NULL */
    double *monthly_zone; /* [IPSIM_NMONTHLY][cap][n_months][n_zones], or NULL */
    double *target_values;/* [n_targets][cap]: the target's metric, per path */
    void *mem[5];         /* the allocations that hold them, in this order */
} ipsim_block;

int ipsim_block_alloc(ipsim_block *b, size_t cap, size_t n_years, size_t n_months,
                      size_t n_zones, size_t n_targets, int monthly, ipsim_error *err);
void ipsim_block_free(ipsim_block *b);

/* Pointers to the start of one metric's data for slot s. */
static inline double *ipsim_block_yearly(const ipsim_block *b, int m, size_t s)
{
    return b->yearly + ((size_t)m * b->cap + s) * b->n_years;
}
static inline double *ipsim_block_yearly_zone(const ipsim_block *b, int m, size_t s)
{
    return b->yearly_zone + (((size_t)m * b->cap + s) * b->n_years) * b->n_zones;
}
static inline double *ipsim_block_monthly(const ipsim_block *b, int m, size_t s)
{
    return b->monthly_prov + ((size_t)m * b->cap + s) * b->n_months;
}
static inline double *ipsim_block_monthly_zone(const ipsim_block *b, int m, size_t s)
{
    return b->monthly_zone + (((size_t)m * b->cap + s) * b->n_months) * b->n_zones;
}

#endif
