/* csv.h -- CSV files that Excel opens directly, written in one place.
 *
 * RFC 4180: CRLF line ends, one header row, a field is quoted when it holds
 * a comma, a quote, CR or LF, and quotes inside it are doubled.  Text is
 * UTF-8; files (not streams) start with a UTF-8 byte order mark, without
 * which Excel reads Vietnamese zone names as ANSI.  Numbers are written with
 * the fewest digits that read back to the same double; NaN and infinities
 * are empty fields.
 *
 * A file is written as PATH.partial and renamed to PATH by
 * ipsim_csv_close(), so a failure never leaves a half-written PATH and
 * never damages an existing one. */
#ifndef IPSIM_CSV_H
#define IPSIM_CSV_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

#define IPSIM_CSV_NUM_BUF 32

typedef struct ipsim_csv ipsim_csv;

/* Creates PATH.partial, writes the BOM and the header row of n_cols names. */
int ipsim_csv_open(ipsim_csv **out, const char *path, const char *const *header, size_t n_cols,
                   ipsim_error *err);

/* Writes to an open stream (standard output, say): no BOM, no rename;
 * ipsim_csv_close() flushes and frees but does not close the stream. */
int ipsim_csv_attach(ipsim_csv **out, FILE *stream, const char *name, const char *const *header,
                     size_t n_cols, ipsim_error *err);

/* The next field of the current row. */
void ipsim_csv_str(ipsim_csv *c, const char *s);
void ipsim_csv_num(ipsim_csv *c, double v);
void ipsim_csv_int(ipsim_csv *c, long long v);
void ipsim_csv_empty(ipsim_csv *c);

/* Ends the current row. */
void ipsim_csv_end_row(ipsim_csv *c);

/* Flushes, checks every write, renames PATH.partial to PATH; frees c.  On
 * failure deletes PATH.partial and returns IPSIM_EIO naming the file. */
int ipsim_csv_close(ipsim_csv *c, ipsim_error *err);

/* Deletes PATH.partial (if a file) and frees c. */
void ipsim_csv_abort(ipsim_csv *c);

/* v with the fewest significant digits that read back as v ("0.3", not
 * "0.29999999999999999"); "nan", "inf" or "-inf" when not finite. */
const char *ipsim_csv_format_number(char buf[IPSIM_CSV_NUM_BUF], double v);

#endif
