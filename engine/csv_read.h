/* csv_read.h -- reading a CSV table whose every field keeps its line and
 * column, so that a bad value in an input file can be pointed at
 * ("FILE:LINE:COL: ...").  Writing CSV is csv.h.
 *
 * RFC 4180 with the leniencies of files people make by hand: LF or CRLF
 * line ends, a UTF-8 byte order mark (Excel writes one), spaces around
 * unquoted fields (trimmed), blank lines and lines starting with '#'
 * (skipped).  Quoted fields may hold commas, doubled quotes and line
 * breaks.  The first non-skipped line is the header. */
#ifndef IPSIM_CSV_READ_H
#define IPSIM_CSV_READ_H

#include <stddef.h>

#include "error.h"

#define IPSIM_CSV_READ_MAX_BYTES (64u << 20) /* file size */
#define IPSIM_CSV_READ_MAX_COLS  64

/* One field: its text (unquoted, NUL-terminated) and where it starts. */
typedef struct {
    const char *s;
    int line, col; /* 1-based; col counts characters, not bytes */
} ipsim_csv_field;

typedef struct {
    char *name;              /* file name used in messages */
    size_t n_cols;           /* header fields */
    size_t n_rows;           /* data rows */
    ipsim_csv_field *header; /* [n_cols] */
    ipsim_csv_field *cells;  /* [row * n_cols + col] */
    char *store;             /* backing memory of every field's text */
} ipsim_csv_table;

/* Reads path into *t (zeroed first).  A file that cannot be opened is
 * IPSIM_EINPUT (a read error IPSIM_EIO); a malformed one (unclosed quote, a row with the wrong number
 * of fields, an empty or repeated header name, no header) is IPSIM_EINPUT
 * with "FILE:LINE:COL: what is wrong (expected ...)".  On error *t is empty. */
int ipsim_csv_read_file(ipsim_csv_table *t, const char *path, ipsim_error *err);

/* Same, from text in memory; name is used in messages. */
int ipsim_csv_read_text(ipsim_csv_table *t, const char *text, size_t len, const char *name, ipsim_error *err);

void ipsim_csv_table_free(ipsim_csv_table *t);

/* Index of the header column called name, or -1. */
int ipsim_csv_table_column(const ipsim_csv_table *t, const char *name);

/* The field in data row `row` (from 0) and column c. */
static inline const ipsim_csv_field *ipsim_csv_table_cell(const ipsim_csv_table *t, size_t row, size_t c)
{
    return &t->cells[row * t->n_cols + c];
}

#endif
