/* csv_read.c -- a CSV table with the position of every field; see
 * csv_read.h.  One pass over the text: fields are unquoted into a single
 * store (never longer than the text), positions kept beside them. */
#include "csv_read.h"
#include "input.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const unsigned char *s;
    size_t len, i;
    int line, col;
    const char *name;
    ipsim_error *err;
    ipsim_csv_field *field; /* every record's fields, header first */
    size_t n, cap;
    size_t *rec_start; /* index of each record's first field */
    size_t n_rec, rec_cap;
    char *out; /* next free byte of the store */
} parser;

static int fail(parser *p, int line, int col, const char *what)
{
    return ipsim_error_set(p->err, IPSIM_EINPUT, "%s:%d:%d: %s", p->name, line, col, what);
}

static int grow(void **a, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *b = realloc(*a, n * size);
    if (!b)
        return -1;
    *a = b;
    *cap = n;
    return 0;
}

/* Length of the UTF-8 sequence at i, or 0 if it is not valid UTF-8. */
static size_t utf8_len(const parser *p, size_t i)
{
    unsigned c = p->s[i];
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (n == 0 || (n == 2 && c < 0xC2) || i + n > p->len)
        return 0;
    for (size_t k = 1; k < n; k++)
        if ((p->s[i + k] & 0xC0) != 0x80)
            return 0;
    return n;
}

/* Moves past one character (LF counts as a new line); checks the text. */
static int advance(parser *p)
{
    if (p->s[p->i] == '\0')
        return fail(p, p->line, p->col, "NUL byte (expected a text file)");
    size_t n = utf8_len(p, p->i);
    if (n == 0)
        return fail(p, p->line, p->col, "not UTF-8 text (expected a UTF-8 or ASCII file)");
    if (p->s[p->i] == '\n') {
        p->line++;
        p->col = 1;
    } else {
        p->col++;
    }
    p->i += n;
    return IPSIM_OK;
}

static int at_eol(const parser *p)
{
    return p->i >= p->len || p->s[p->i] == '\n' ||
           (p->s[p->i] == '\r' && (p->i + 1 >= p->len || p->s[p->i + 1] == '\n'));
}

static void skip_eol(parser *p)
{
    if (p->i < p->len && p->s[p->i] == '\r')
        p->i++;
    if (p->i < p->len && p->s[p->i] == '\n') {
        p->i++;
        p->line++;
        p->col = 1;
    }
}

static int blank_or_comment(const parser *p)
{
    size_t j = p->i;
    if (j < p->len && p->s[j] == '#')
        return 1;
    while (j < p->len && (p->s[j] == ' ' || p->s[j] == '\t'))
        j++;
    return j >= p->len || p->s[j] == '\n' || (p->s[j] == '\r' && (j + 1 >= p->len || p->s[j + 1] == '\n'));
}

static int add_field(parser *p, const char *start, int line, int col)
{
    if (grow((void **)&p->field, &p->cap, p->n + 1, sizeof *p->field))
        return ipsim_error_set(p->err, IPSIM_ENOMEM, "%s: out of memory", p->name);
    p->field[p->n++] = (ipsim_csv_field){start, line, col};
    return IPSIM_OK;
}

/* One field at p->i, unquoted into the store. */
static int field(parser *p)
{
    while (p->i < p->len && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
        p->i++, p->col++;
    int line = p->line, col = p->col, rc;
    char *start = p->out;
    if (p->i < p->len && p->s[p->i] == '"') {
        p->i++, p->col++;
        for (;;) {
            if (p->i >= p->len)
                return fail(p, line, col,
                            "unclosed quote (expected a closing \" before the end of the file)");
            if (p->s[p->i] == '"') {
                if (p->i + 1 < p->len && p->s[p->i + 1] == '"') {
                    *p->out++ = '"';
                    p->i += 2, p->col += 2;
                    continue;
                }
                p->i++, p->col++;
                break;
            }
            size_t from = p->i;
            if ((rc = advance(p)) != IPSIM_OK)
                return rc;
            memcpy(p->out, p->s + from, p->i - from);
            p->out += p->i - from;
        }
        while (p->i < p->len && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
            p->i++, p->col++;
        if (!at_eol(p) && p->s[p->i] != ',')
            return fail(p, p->line, p->col,
                        "text after a quoted field (expected a comma or the end of the line)");
    } else {
        while (!at_eol(p) && p->s[p->i] != ',') {
            size_t from = p->i;
            if ((rc = advance(p)) != IPSIM_OK)
                return rc;
            memcpy(p->out, p->s + from, p->i - from);
            p->out += p->i - from;
        }
        while (p->out > start && (p->out[-1] == ' ' || p->out[-1] == '\t'))
            p->out--;
    }
    *p->out++ = '\0';
    return add_field(p, start, line, col);
}

static int record(parser *p)
{
    if (grow((void **)&p->rec_start, &p->rec_cap, p->n_rec + 1, sizeof *p->rec_start))
        return ipsim_error_set(p->err, IPSIM_ENOMEM, "%s: out of memory", p->name);
    p->rec_start[p->n_rec++] = p->n;
    for (;;) {
        int rc = field(p);
        if (rc != IPSIM_OK)
            return rc;
        if (at_eol(p))
            break;
        p->i++, p->col++; /* the comma */
    }
    skip_eol(p);
    return IPSIM_OK;
}

/* Checks the header and row lengths, and lays the fields out as a table. */
static int build(parser *p, ipsim_csv_table *t)
{
    if (p->n_rec == 0)
        return fail(p, p->line, 1, "no header line (expected a line of column names)");
    const ipsim_csv_field *f = p->field;
    size_t nc = (p->n_rec > 1 ? p->rec_start[1] : p->n);
    if (nc > IPSIM_CSV_READ_MAX_COLS)
        return fail(p, f[IPSIM_CSV_READ_MAX_COLS].line, f[IPSIM_CSV_READ_MAX_COLS].col,
                    "too many columns (expected at most 64)");
    for (size_t c = 0; c < nc; c++) {
        if (f[c].s[0] == '\0')
            return fail(p, f[c].line, f[c].col, "empty column name in the header (expected a name)");
        for (size_t d = 0; d < c; d++)
            if (strcmp(f[c].s, f[d].s) == 0) {
                char msg[200];
                snprintf(msg, sizeof msg, "column '%.60s' appears twice in the header (expected each once)",
                         f[c].s);
                return fail(p, f[c].line, f[c].col, msg);
            }
    }
    for (size_t r = 1; r < p->n_rec; r++) {
        size_t end = r + 1 < p->n_rec ? p->rec_start[r + 1] : p->n;
        size_t got = end - p->rec_start[r];
        if (got != nc) {
            char msg[160];
            snprintf(msg, sizeof msg, "the row has %zu field%s (expected %zu, as in the header)", got,
                     got == 1 ? "" : "s", nc);
            size_t at = got > nc ? p->rec_start[r] + nc : end - 1;
            return fail(p, f[at].line, f[at].col, msg);
        }
    }
    t->n_cols = nc;
    t->n_rows = p->n_rec - 1;
    t->header = p->field;
    t->cells = p->field + nc;
    p->field = NULL; /* the table owns it now */
    return IPSIM_OK;
}

int ipsim_csv_read_text(ipsim_csv_table *t, const char *text, size_t len, const char *name, ipsim_error *err)
{
    memset(t, 0, sizeof *t);
    parser p = {.s = (const unsigned char *)text, .len = len, .line = 1, .col = 1, .name = name, .err = err};
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        p.i = 3;
    t->name = strdup(name);
    t->store = malloc(2 * len + 2);
    if (!t->name || !t->store) {
        ipsim_csv_table_free(t);
        return ipsim_error_set(err, IPSIM_ENOMEM, "%s: out of memory", name);
    }
    p.out = t->store;
    int rc = IPSIM_OK;
    while (rc == IPSIM_OK && p.i < p.len) {
        if (blank_or_comment(&p)) {
            while (!at_eol(&p))
                p.i++;
            skip_eol(&p);
            continue;
        }
        rc = record(&p);
    }
    if (rc == IPSIM_OK)
        rc = build(&p, t);
    free(p.field);
    free(p.rec_start);
    if (rc != IPSIM_OK)
        ipsim_csv_table_free(t);
    return rc;
}

int ipsim_csv_read_file(ipsim_csv_table *t, const char *path, ipsim_error *err)
{
    memset(t, 0, sizeof *t);
    FILE *f = ipsim_input_open(path);
    if (!f) /* a file that is not there is the user's input, as for scenarios */
        return ipsim_error_set(err, IPSIM_EINPUT, "%s: cannot open the file: %s", path, strerror(errno));
    char *buf = malloc(IPSIM_CSV_READ_MAX_BYTES + 1);
    if (!buf) {
        fclose(f);
        return ipsim_error_set(err, IPSIM_ENOMEM, "%s: out of memory", path);
    }
    size_t n = fread(buf, 1, IPSIM_CSV_READ_MAX_BYTES + 1, f);
    int bad = ferror(f);
    fclose(f);
    int rc;
    if (bad)
        rc = ipsim_error_set(err, IPSIM_EIO, "%s: cannot read", path);
    else if (n > IPSIM_CSV_READ_MAX_BYTES)
        rc = ipsim_error_set(err, IPSIM_EINPUT, "%s:1:1: file larger than 64 MiB (expected a smaller table)",
                             path);
    else
        rc = ipsim_csv_read_text(t, buf, n, path, err);
    free(buf);
    return rc;
}

void ipsim_csv_table_free(ipsim_csv_table *t)
{
    free(t->header);
    free(t->store);
    free(t->name);
    memset(t, 0, sizeof *t);
}

int ipsim_csv_table_column(const ipsim_csv_table *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (strcmp(t->header[c].s, name) == 0)
            return (int)c;
    return -1;
}
