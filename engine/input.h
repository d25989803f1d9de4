/* input.h -- opening a file the user names as input (a scenario, a CSV of
 * history) so that no name can make a command wait forever. */
#ifndef IPSIM_INPUT_H
#define IPSIM_INPUT_H

#include <stdio.h>

/* fopen(path, "rb"), but a FIFO that no process writes to reads as empty
 * (which the readers then refuse) instead of blocking the open until one
 * does; a pipe with a writer, as bash's <(...), reads as before.  NULL
 * with errno on failure. */
FILE *ipsim_input_open(const char *path);

#endif
