/* outpath.c -- see outpath.h. */
#include "outpath.h"

#include <string.h>
#include <sys/stat.h>

int ipsim_outpath_check(const char *path, ipsim_error *err)
{
    struct stat st;
    size_t n = strlen(path);
    if (n == 0)
        return ipsim_error_set(err, IPSIM_EINPUT, "the output file name is empty");
    if (path[n - 1] == '/' || (stat(path, &st) == 0 && S_ISDIR(st.st_mode)))
        return ipsim_error_set(err, IPSIM_EINPUT,
                               "%s: is a directory (expected the name of a file to write)", path);
    return IPSIM_OK;
}
