/* error.h -- error codes and messages returned by every ipsim library call.
 *
 * The library never prints or exits: a failing call fills a caller-owned
 * ipsim_error and returns its code, so the CLI decides what the user sees
 * and which exit status follows (input errors -> 2, everything else -> 1). */
#ifndef IPSIM_ERROR_H
#define IPSIM_ERROR_H

#include <stddef.h>

enum {
    IPSIM_OK = 0,
    IPSIM_EFAIL = 1,  /* internal or unexpected failure */
    IPSIM_EINPUT = 2, /* the user's input is wrong: scenario, option, file */
    IPSIM_ENOMEM = 3, /* an allocation failed */
    IPSIM_EIO = 4,    /* reading or writing a file failed */
    IPSIM_EINTR = 5   /* stopped on request (progress callback): resumable */
};

#define IPSIM_ERROR_MSG_MAX 1024

typedef struct {
    int code;
    char msg[IPSIM_ERROR_MSG_MAX];
} ipsim_error;

/* Records code and a printf-style message in err (if not NULL); returns code. */
int ipsim_error_set(ipsim_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* The process exit status that matches an error code (0, 1 or 2). */
int ipsim_error_exit_status(int code);

#endif
