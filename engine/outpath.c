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

int ipsim_outpath_check_inputs(const char *path, const char *const *inputs, size_t n,
                               ipsim_error *err)
{
    struct stat out, in;
    if (stat(path, &out) != 0) /* not there yet: no input can be it */
        return IPSIM_OK;
    for (size_t i = 0; i < n; i++)
        if (inputs[i] && stat(inputs[i], &in) == 0 && in.st_dev == out.st_dev &&
            in.st_ino == out.st_ino)
            return ipsim_error_set(err, IPSIM_EINPUT,
                                   "%s: is the input file %s (the output would overwrite it; "
                                   "give another name)",
                                   path, inputs[i]);
    return IPSIM_OK;
}
