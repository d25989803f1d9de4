/* pio.h -- positioned reads and writes of a whole buffer, for the files
 * the results writer handles itself (the scratch file, direct I/O). */
#ifndef IPSIM_PIO_H
#define IPSIM_PIO_H

#include <stddef.h>
#include <sys/types.h>

/* pwrite (write != 0) or pread of all len bytes at offset `at`, again
 * after a signal or a partial transfer: 0, or -1 with errno (EIO when a
 * call transfers nothing: a read past the end of the file). */
int ipsim_pio_all(int fd, void *buf, size_t len, off_t at, int write);

#endif
