/* lines.c -- see lines.h. */
#include "lines.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *ipsim_lines_alloc(size_t n, size_t size)
{
    if (size && n > (SIZE_MAX - IPSIM_LINE) / size)
        return NULL;
    size_t bytes = (n * size + IPSIM_LINE - 1) / IPSIM_LINE * IPSIM_LINE;
    void *p = aligned_alloc(IPSIM_LINE, bytes ? bytes : IPSIM_LINE);
    if (p)
        memset(p, 0, bytes ? bytes : IPSIM_LINE);
    return p;
}
