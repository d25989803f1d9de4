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

/* n doubles rounded up to whole IPSIM_BLOCK_ALIGN units, added to *total;
 * returns the offset in bytes where they start. */
static size_t carve(size_t n, size_t *total, int *ok)
{
    size_t at = *total, bytes = n * sizeof(double); /* (doubles() checked n) */
    if (bytes > SIZE_MAX / 2 - at) {
        *ok = 0;
        return at;
    }
    *total = at + (bytes + IPSIM_BLOCK_ALIGN - 1) / IPSIM_BLOCK_ALIGN * IPSIM_BLOCK_ALIGN;
    return at;
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
    /* Every array starts on an IPSIM_BLOCK_ALIGN boundary, in one zeroed
     * allocation (calloc's fresh pages are zeroed as they are first
     * touched, by the threads that compute): the results writer hands a
     * metric's rows to the disk as they are (direct I/O, results.c). */
    size_t total = 0, at[5];
    at[0] = carve(ny, &total, &ok);
    at[1] = carve(nyz, &total, &ok);
    at[2] = carve(nm, &total, &ok);
    at[3] = carve(nmz, &total, &ok);
    at[4] = carve(nt, &total, &ok);
    if (!ok)
        return ipsim_error_set(err, IPSIM_ENOMEM, "block of %zu paths is too large to address",
                               cap);
    b->cap = cap;
    b->n_years = n_years;
    b->n_months = n_months;
    b->n_zones = n_zones;
    b->n_targets = n_targets;
    b->monthly = monthly != 0;
    b->mem = calloc(1, total + IPSIM_BLOCK_ALIGN);
    if (!b->mem) {
        memset(b, 0, sizeof *b);
        return ipsim_error_set(err, IPSIM_ENOMEM,
                               "out of memory allocating a block of %zu paths (%zu MiB)", cap,
                               total >> 20);
    }
    char *base = (char *)b->mem + (IPSIM_BLOCK_ALIGN - (uintptr_t)b->mem % IPSIM_BLOCK_ALIGN) %
                                      IPSIM_BLOCK_ALIGN;
    b->yearly = (double *)(base + at[0]);
    b->yearly_zone = (double *)(base + at[1]);
    b->monthly_prov = monthly ? (double *)(base + at[2]) : NULL;
    b->monthly_zone = monthly ? (double *)(base + at[3]) : NULL;
    b->target_values = n_targets ? (double *)(base + at[4]) : NULL;
    return IPSIM_OK;
}

void ipsim_block_free(ipsim_block *b)
{
    if (!b)
        return;
    free(b->mem);
    memset(b, 0, sizeof *b);
}
