/* pio.c -- whole-buffer pread/pwrite (see pio.h). */
#define _POSIX_C_SOURCE 200809L /* pread, pwrite */
#include "pio.h"

#include <errno.h>
#include <unistd.h>

int ipsim_pio_all(int fd, void *buf, size_t len, off_t at, int write)
{
    char *p = buf;
    while (len) {
        ssize_t k = write ? pwrite(fd, p, len, at) : pread(fd, p, len, at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            return -1;
        }
        p += k;
        at += k;
        len -= (size_t)k;
    }
    return 0;
}
