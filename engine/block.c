/* block.c -- allocation of the per-block result buffers (see block.h).
 *
 * A block is sized once and reused for every block a worker computes, so
 * this is the only place its sizes are checked for overflow. */
#include "block.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

/* a * b * c * d doubles, or 0 with *ok cleared when that overflows size_t. */
static size_t doubles(size_t a, size_t b, size_t c, size_t d, int *ok)
{
    size_t f[4] = {a, b, c, d}, n = 1;
    for (int i = 0; i < 4; i++) {
        if (f[i] != 0 && n > SIZE_MAX / sizeof(double) / f[i]) {
            *ok = 0;
            return 0;
        }
        n *= f[i];
    }
    return n;
}

/* Zero-filled; at least one element so that NULL always means failure. */
static double *zalloc(size_t n)
{
    return calloc(n ? n : 1, sizeof(double));
}

int ipsim_block_alloc(ipsim_block *b, size_t cap, size_t n_years, size_t n_months, size_t n_zones,
                      size_t n_targets, int monthly, ipsim_error *err)
{
    memset(b, 0, sizeof *b);
    int ok = 1;
    size_t ny = doubles(IPSIM_NMETRICS, cap, n_years, 1, &ok);
    size_t nyz = doubles(IPSIM_NMETRICS, cap, n_years, n_zones, &ok);
    size_t nm = monthly ? doubles(IPSIM_NMONTHLY, cap, n_months, 1, &ok) : 0;
    size_t nmz = monthly ? doubles(IPSIM_NMONTHLY, cap, n_months, n_zones, &ok) : 0;
    size_t nt = doubles(n_targets, cap, 1, 1, &ok);
    if (!ok)
        return ipsim_error_set(err, IPSIM_ENOMEM, "block of %zu paths is too large to address",
                               cap);
    b->cap = cap;
    b->n_years = n_years;
    b->n_months = n_months;
    b->n_zones = n_zones;
    b->n_targets = n_targets;
    b->monthly = monthly != 0;
    b->yearly = zalloc(ny);
    b->yearly_zone = zalloc(nyz);
    if (monthly) {
        b->monthly_prov = zalloc(nm);
        b->monthly_zone = zalloc(nmz);
    }
    if (n_targets)
        b->target_values = zalloc(nt);
    if (!b->yearly || !b->yearly_zone || (monthly && (!b->monthly_prov || !b->monthly_zone)) ||
        (n_targets && !b->target_values)) {
        size_t total = ny + nyz + nm + nmz + nt;
        ipsim_block_free(b);
        return ipsim_error_set(err, IPSIM_ENOMEM,
                               "out of memory allocating a block of %zu paths (%zu MiB)", cap,
                               total / (1024 * 1024 / sizeof(double)));
    }
    return IPSIM_OK;
}

void ipsim_block_free(ipsim_block *b)
{
    if (!b)
        return;
    free(b->yearly);
    free(b->yearly_zone);
    free(b->monthly_prov);
    free(b->monthly_zone);
    free(b->target_values);
    memset(b, 0, sizeof *b);
}
