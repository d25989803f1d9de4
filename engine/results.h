/* results.h -- the HDF5 results file of MODEL.md §10.
 *
 * A run writes FILE.partial block by block and renames it to FILE only in
 * ipsim_results_finish(), so a failed run never leaves or damages FILE; an
 * interrupted one can be resumed from it (see "Checkpoints" below).
 * Blocks may arrive in any order (a process may own any contiguous range);
 * summaries and targets are computed at finish by reading the per-path
 * datasets back in path order, so they are identical whatever the thread
 * count or block order. */
#ifndef IPSIM_RESULTS_H
#define IPSIM_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#include "block.h"
#include "error.h"
#include "scenario.h"
#include "stats.h"

#define IPSIM_FORMAT_VERSION 1

enum ipsim_store { IPSIM_STORE_SUMMARY = 0, IPSIM_STORE_YEARLY, IPSIM_STORE_MONTHLY };

typedef struct ipsim_results ipsim_results;

/* Creates FILE.partial for a run of n_paths paths with block size block_paths.
 * scn is borrowed: it must outlive r.  deflate: the level (0-9) of the
 * per-path chunks a block covers whole, or -1 for the store's default (4
 * at IPSIM_STORE_MONTHLY, else 0).  At 0 the per-path datasets have no
 * filters and a run spends no time deflating; h5repack compresses a file
 * afterwards. */
int ipsim_results_create(ipsim_results **out, const char *filename, const ipsim_scenario *scn,
                         uint64_t seed, size_t n_paths, size_t block_paths,
                         enum ipsim_store store, int deflate, ipsim_error *err);

/* Threads that compress a block's chunks in ipsim_results_write_block()
 * (default 1); the run's thread count, so -j is respected. */
void ipsim_results_set_threads(ipsim_results *r, int threads);

/* Direct I/O (O_DIRECT) for the per-path chunks stored at deflate 0
 * (default on): those that fill whole pages of the file (blocks of a
 * multiple of ipsim_results_path_quantum paths) go to the disk straight
 * from the block's buffers, not through the page cache, sparing the
 * writer thread the copy; all but yearly/, which the finish reads back.
 * Where the file system refuses it they are written as the others are.
 * The writer waits for the disk one chunk at a time (1.85 GB/s on the
 * development machine), which many threads may outrun: ipsim_run turns
 * it off beyond 4 threads (docs/performance.md, Not reached).
 * ipsim_results_direct_bytes: bytes written so. */
void ipsim_results_set_direct_io(ipsim_results *r, int on);
uint64_t ipsim_results_direct_bytes(const ipsim_results *r);

/* 1 if blocks will go to the disk with direct I/O: the thread that writes
 * them then mostly waits for the disk rather than copying (writer.c). */
int ipsim_results_direct_io(const ipsim_results *r);

/* The fewest paths whose rows of every per-path dataset with zones that
 * the store keeps fill whole pages (IPSIM_BLOCK_ALIGN): blocks of a
 * multiple of it are written with direct I/O.  1 where nothing would be
 * (deflate > 0, or the summary store). */
size_t ipsim_results_path_quantum(size_t n_years, size_t n_months, size_t n_zones,
                                  enum ipsim_store store, int deflate);

/* Page cache the file keeps while it is written (default
 * IPSIM_RESULTS_CACHE_KEEP bytes): at each checkpoint, the pages more than
 * `bytes` behind the end of the last checkpoint (written back by then, or
 * being written) are dropped from the cache (posix_fadvise DONTNEED).  A
 * run of 10^5 paths writes ~10 GB it will not read again; left cached, it
 * pushes everything else out of memory and costs the kernel reclaim time
 * (docs/performance.md).  0 keeps everything cached. */
#define IPSIM_RESULTS_CACHE_KEEP ((size_t)512 << 20)
void ipsim_results_set_cache_keep(ipsim_results *r, size_t bytes);

/* Stores slots 0 .. b->n-1 of b as paths b->path0 ...  The free slots
 * b->n .. b->cap-1 may be overwritten (with the fill value, NaN). */
int ipsim_results_write_block(ipsim_results *r, const ipsim_block *b, ipsim_error *err);

/* Computes summaries and target statistics, writes them, closes and renames
 * FILE.partial to FILE.  stats (may be NULL) receives scn->n_targets entries.
 * Frees r whatever happens. */
int ipsim_results_finish(ipsim_results *r, ipsim_target_stats *stats, ipsim_error *err);

/* Closes and deletes FILE.partial (and any scratch file); frees r. */
void ipsim_results_abort(ipsim_results *r);

/* Checkpoints.  FILE.partial records which blocks of block_paths paths are
 * stored (`blocks_done`, flushed after each block's data) and stays
 * readable whenever the run stops, kill -9 included.
 *
 * ipsim_results_suspend closes FILE.partial and keeps it for a later
 * resume; frees r.
 *
 * ipsim_results_resume takes over the FILE.partial an interrupted run of
 * the same scenario text, seed, path count, store mode, block size and
 * ipsim version left (else IPSIM_EINPUT saying what differs; IPSIM_EIO if
 * the file cannot be read), keeps its finished blocks and sets done[k] = 1
 * for each (done has one entry per block), so that the caller writes the
 * others and finishes as after ipsim_results_create. */
int ipsim_results_suspend(ipsim_results *r, ipsim_error *err);
int ipsim_results_resume(ipsim_results **out, const char *filename, const ipsim_scenario *scn,
                         uint64_t seed, size_t n_paths, size_t block_paths,
                         enum ipsim_store store, int deflate, unsigned char *done,
                         ipsim_error *err);

#endif
