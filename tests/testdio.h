/* testdio.h -- whether a directory's file system takes direct I/O, which
 * the results writer uses where it can: the tests that count the bytes it
 * wrote so expect none where it cannot. */
#ifndef IPSIM_TESTDIO_H
#define IPSIM_TESTDIO_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_DIRECT */
#endif
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "block.h"

/* 1 if the file system of directory `dir` takes direct (O_DIRECT) writes,
 * as the results writer makes where it can. */
static inline int tu_dio_supported(const char *dir)
{
    int ok = 0;
#ifdef O_DIRECT
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/dio_probe.%ld", dir, (long)getpid());
    int fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0644);
    void *page = aligned_alloc(IPSIM_BLOCK_ALIGN, IPSIM_BLOCK_ALIGN);
    if (fd >= 0 && page) {
        memset(page, 0, IPSIM_BLOCK_ALIGN);
        ok = pwrite(fd, page, IPSIM_BLOCK_ALIGN, 0) == IPSIM_BLOCK_ALIGN;
    }
    free(page);
    if (fd >= 0)
        close(fd);
    unlink(probe);
#else
    (void)dir;
#endif
    return ok;
}

#endif
