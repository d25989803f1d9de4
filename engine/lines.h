/* lines.h -- zeroed allocations on cache lines of their own.
 *
 * Each thread's workspace is a few dozen small arrays written every month.
 * Allocated one thread after the other from a heap with holes, one
 * thread's array could share a 64-byte line with another's, and every
 * write would move the line between cores (false sharing): measured, 2 %
 * of the CPU time of a 2-thread run.  The unit is 128 bytes, not 64: the
 * L2's adjacent-line prefetcher fetches 64-byte lines in aligned pairs, so
 * arrays of two threads in one pair still pull it between cores (about a
 * point of 2-thread efficiency, docs/performance.md).  Free with free(). */
#ifndef IPSIM_LINES_H
#define IPSIM_LINES_H

#include <stddef.h>

#define IPSIM_LINE 128

/* n elements of size bytes, zeroed, IPSIM_LINE-aligned, the size rounded
 * up to whole IPSIM_LINEs; NULL when out of memory (or n * size overflows). */
void *ipsim_lines_alloc(size_t n, size_t size);

#endif
