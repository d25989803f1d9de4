/* outpath.h -- the check every output file name gets before any work. */
#ifndef IPSIM_OUTPATH_H
#define IPSIM_OUTPATH_H

#include <stddef.h>

#include "error.h"

/* IPSIM_EINPUT when `path` can never be the name of the file to write (it
 * is empty, or a directory), else IPSIM_OK.  Each writer writes PATH.partial
 * and renames it at the end: without this check such a name would fail only
 * then, after all the work.  (A directory that cannot be written in, or does
 * not exist, fails the creation of PATH.partial, at once: IPSIM_EIO.) */
int ipsim_outpath_check(const char *path, ipsim_error *err);

/* IPSIM_EINPUT when `path` is the same file as one of the n inputs (the
 * same device and inode, whatever the names or links lead there), else
 * IPSIM_OK: the output would overwrite a file the command reads, and with
 * it what the user had (`ipsim run s.yaml -o s.yaml`). */
int ipsim_outpath_check_inputs(const char *path, const char *const *inputs, size_t n,
                               ipsim_error *err);

#endif
