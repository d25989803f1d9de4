/* writer.h -- stores blocks of paths in a background thread, so that
 * writing block k overlaps computing block k+1 (double buffering).
 *
 * The writer thread is the only one that calls HDF5 while it runs (HDF5 is
 * built serial); the caller computes into one block while the writer
 * stores the other, and hands blocks over in order. */
#ifndef IPSIM_WRITER_H
#define IPSIM_WRITER_H

#include "block.h"
#include "error.h"
#include "results.h"

typedef struct ipsim_writer ipsim_writer;

/* Starts the thread that stores blocks into r (borrowed). */
int ipsim_writer_start(ipsim_writer **out, ipsim_results *r, ipsim_error *err);

/* Waits until the block handed over before is stored, then hands b over;
 * b must not change until the next ipsim_writer_submit or
 * ipsim_writer_finish returns.  Returns the stored block's status: after
 * IPSIM_OK, every block handed over before b is in the file. */
int ipsim_writer_submit(ipsim_writer *w, const ipsim_block *b, ipsim_error *err);

/* Waits until the last block is stored, stops the thread, frees w, and
 * returns the first error of any block (IPSIM_OK if none).  *busy_s
 * (may be NULL) receives the seconds the thread spent storing. */
int ipsim_writer_finish(ipsim_writer *w, double *busy_s, ipsim_error *err);

#endif
