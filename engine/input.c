/* input.c -- see input.h. */
#define _POSIX_C_SOURCE 200809L /* fdopen, O_CLOEXEC */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

FILE *ipsim_input_open(const char *path)
{
    /* Opening a FIFO for reading waits for a writer, unless O_NONBLOCK;
     * then reads block again as usual (with no writer they see the end). */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    int flags = fcntl(fd, F_GETFL);
    FILE *f = flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0 ? NULL : fdopen(fd, "rb");
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}
