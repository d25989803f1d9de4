/* lines.h -- zeroed allocations on cache lines of their own.
 *
 * Each thread's workspace is a few dozen small arrays written every month.
 * Allocated one thread after the other from a heap with holes, one
 * thread's array could share a 64-byte line with another's, and every
 * write would move the line between cores (false sharing): measured, 2 %
 * of the CPU time of a 2-thread run.  Free with free(). */
#ifndef IPSIM_LINES_H
#define IPSIM_LINES_H

#include <stddef.h>

#define IPSIM_LINE 64

/* n elements of size bytes, zeroed, 64-byte aligned, the size rounded up
 * to whole lines; NULL when out of memory (or n * size overflows). */
void *ipsim_lines_alloc(size_t n, size_t size);

#endif
