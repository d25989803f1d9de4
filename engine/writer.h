/* writer.h -- stores blocks of paths in a background thread, so that
 * writing blocks overlaps computing the next.
 *
 * The writer thread is the only one that calls HDF5 while it runs (HDF5 is
 * built serial); the caller hands blocks over in order, up to
 * IPSIM_WRITER_DEPTH at a time, and computes into a buffer the writer no
 * longer holds (ipsim_writer_released): with IPSIM_WRITER_DEPTH more
 * buffers than the blocks being computed, a writer that falls behind for a
 * block (a slow flush, a busy CPU) does not stop the computing threads. */
#ifndef IPSIM_WRITER_H
#define IPSIM_WRITER_H

#include "block.h"
#include "error.h"
#include "results.h"

typedef struct ipsim_writer ipsim_writer;

#define IPSIM_WRITER_DEPTH 2

/* Starts the thread that stores blocks into r (borrowed). */
int ipsim_writer_start(ipsim_writer **out, ipsim_results *r, ipsim_error *err);

/* Waits until fewer than IPSIM_WRITER_DEPTH blocks are queued, then hands
 * b over; b must not change until IPSIM_WRITER_DEPTH more submits, or
 * ipsim_writer_finish, have returned.  Returns the first error of any
 * block stored so far (IPSIM_OK if none). */
int ipsim_writer_submit(ipsim_writer *w, const ipsim_block *b, ipsim_error *err);

/* Paths stored so far: the end (path0 + n) of the last block stored. */
size_t ipsim_writer_stored(ipsim_writer *w);

/* Whether the writer no longer holds the block ending at path `end`
 * (stored, or dropped after an error): its buffer may be reused.  The
 * _wait form waits for it; both return the first error of any block
 * stored so far (IPSIM_OK if none) and, on error, leave the buffer
 * question moot: nothing more is stored. */
int ipsim_writer_released(ipsim_writer *w, size_t end, int *released, ipsim_error *err);
int ipsim_writer_wait_released(ipsim_writer *w, size_t end, ipsim_error *err);

/* Waits until the last block is stored, stops the thread, frees w, and
 * returns the first error of any block (IPSIM_OK if none).  *busy_s
 * (may be NULL) receives the seconds the thread spent storing. */
int ipsim_writer_finish(ipsim_writer *w, double *busy_s, ipsim_error *err);

#endif
