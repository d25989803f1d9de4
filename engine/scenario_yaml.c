/* scenario_yaml.c -- scenario text -> YAML node tree (libyaml event API),
 * core-schema typing of scalars, and the load/parse entry points (which
 * apply `--set` overrides between the two steps of scenario_tree.h).
 *
 * The tree is built with an explicit stack, so a hostile file can neither
 * recurse us off the C stack nor make us allocate past IPSIM_MAX_DEPTH
 * levels: the 65th nested collection is rejected the moment it opens. */
#include "scenario_tree.h"
#include "input.h"
#include "override.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define PATH_MAX_LEN 512

/* ---- messages ---------------------------------------------------------- */

const char *ipsim_yfile_label(const char *filename)
{
    return filename ? filename : "<string>";
}

int ipsim_yerror(ipsim_error *err, const char *filename, ipsim_ymark at,
                 const char *path, const char *fmt, ...)
{
    char what[IPSIM_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (at.src)
        return ipsim_error_set(err, IPSIM_EINPUT, "%s: %s: %s", at.src, path, what);
    return ipsim_error_set(err, IPSIM_EINPUT, "%s:%d:%d: %s: %s",
                           ipsim_yfile_label(filename), at.line, at.col, path, what);
}

/* ---- tree -------------------------------------------------------------- */

void ipsim_ytree_free(ipsim_ynode *node)
{
    if (!node)
        return;
    for (size_t i = 0; i < node->n; i++) {
        if (node->kind == IPSIM_Y_MAP) {
            free(node->pairs[i].key);
            ipsim_ytree_free(node->pairs[i].value);
        } else if (node->kind == IPSIM_Y_SEQ) {
            ipsim_ytree_free(node->items[i]);
        }
    }
    free(node->pairs);
    free(node->items);
    free(node->text);
    free(node);
}

const ipsim_ynode *ipsim_ytree_get(const ipsim_ynode *map, const char *key)
{
    if (!map || map->kind != IPSIM_Y_MAP)
        return NULL;
    size_t klen = strlen(key);
    for (size_t i = 0; i < map->n; i++)
        if (map->pairs[i].key_len == klen && strcmp(map->pairs[i].key, key) == 0)
            return map->pairs[i].value;
    return NULL;
}

/* ---- core schema (YAML 1.2 §10.3.2) ------------------------------------ */

static int all_of(const char *s, const char *set)
{
    return *s && strspn(s, set) == strlen(s);
}

static int is_null(const char *s)
{
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
           !strcmp(s, "NULL");
}

static int is_true(const char *s)
{
    return !strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE");
}

static int is_false(const char *s)
{
    return !strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE");
}

static int is_int(const char *s)
{
    if (!strncmp(s, "0o", 2))
        return all_of(s + 2, "01234567");
    if (!strncmp(s, "0x", 2))
        return all_of(s + 2, "0123456789abcdefABCDEF");
    if (*s == '-' || *s == '+')
        s++;
    return all_of(s, "0123456789");
}

static int is_inf(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    return !strcmp(s, ".inf") || !strcmp(s, ".Inf") || !strcmp(s, ".INF");
}

static int is_nan(const char *s)
{
    return !strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN");
}

static size_t digits(const char *s)
{
    return strspn(s, "0123456789");
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static int is_decimal_float(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (*s == '.') {
        size_t d = digits(s + 1);
        if (!d)
            return 0;
        s += 1 + d;
    } else {
        size_t d = digits(s);
        if (!d)
            return 0;
        s += d;
        if (*s == '.')
            s += 1 + digits(s + 1);
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        size_t d = digits(s);
        if (!d)
            return 0;
        s += d;
    }
    return *s == '\0';
}

enum ipsim_ytype ipsim_yscalar_type(const ipsim_ynode *node)
{
    if (node && node->kind == IPSIM_Y_SCALAR && node->tagged)
        return node->tag_type;
    if (!node || node->kind != IPSIM_Y_SCALAR || !node->plain)
        return IPSIM_YT_STR;
    const char *s = node->text;
    if (is_null(s))
        return IPSIM_YT_NULL;
    if (is_true(s) || is_false(s))
        return IPSIM_YT_BOOL;
    if (is_int(s))
        return IPSIM_YT_INT;
    if (is_inf(s) || is_nan(s) || is_decimal_float(s))
        return IPSIM_YT_FLOAT;
    return IPSIM_YT_STR;
}

int ipsim_yscalar_true(const ipsim_ynode *node)
{
    return node && node->kind == IPSIM_Y_SCALAR && is_true(node->text);
}

/* 0o17 and 0x1F: unsigned, no sign allowed by the schema. */
static int based_ull(const char *s, unsigned long long *out)
{
    int base = s[1] == 'o' ? 8 : 16;
    errno = 0;
    *out = strtoull(s + 2, NULL, base);
    return errno == ERANGE ? -1 : 0;
}

int ipsim_yscalar_llong(const ipsim_ynode *node, long long *out)
{
    const char *s = node->text;
    if (!strncmp(s, "0o", 2) || !strncmp(s, "0x", 2)) {
        unsigned long long u;
        if (based_ull(s, &u) || u > (unsigned long long)LLONG_MAX)
            return -1;
        *out = (long long)u;
        return 0;
    }
    errno = 0;
    *out = strtoll(s, NULL, 10);
    return errno == ERANGE ? -1 : 0;
}

int ipsim_yscalar_double(const ipsim_ynode *node, double *out)
{
    const char *s = node->text;
    if (is_nan(s)) {
        *out = NAN;
        return 0;
    }
    if (is_inf(s)) {
        *out = s[0] == '-' ? -INFINITY : INFINITY;
        return 0;
    }
    if (!strncmp(s, "0o", 2) || !strncmp(s, "0x", 2)) {
        unsigned long long u;
        if (!based_ull(s, &u)) {
            *out = (double)u;
            return 0;
        }
        /* past 2^64 still a finite number, as the same value in decimal is
         * (digits checked by the schema; rounded at each digit, a relative
         * error of a few 2^-53) */
        int base = s[1] == 'o' ? 8 : 16;
        double v = 0.0;
        for (const char *p = s + 2; *p; p++) {
            int c = tolower((unsigned char)*p);
            v = v * base + (isdigit(c) ? c - '0' : c - 'a' + 10);
        }
        *out = v;
        return isinf(v) ? -1 : 0;
    }
    errno = 0;
    *out = strtod(s, NULL);
    /* ERANGE also flags underflow to ~0, which is a fine finite value */
    return (errno == ERANGE && isinf(*out)) ? -1 : 0;
}

/* ---- the builder ------------------------------------------------------- */

typedef struct {
    const char *text;
    size_t len;
    const char *file;
    ipsim_error *err;
    ipsim_ynode *root;
    ipsim_ynode *stack[IPSIM_MAX_DEPTH];
    int depth;
    int docs;
} builder;

static ipsim_ymark mark_of(yaml_mark_t m)
{
    ipsim_ymark r = {(int)m.line + 1, (int)m.column + 1, NULL};
    return r;
}

static int oom(builder *b)
{
    return ipsim_error_set(b->err, IPSIM_ENOMEM, "out of memory while reading %s",
                           ipsim_yfile_label(b->file));
}

static int wants_key(const ipsim_ynode *map)
{
    return map->n == 0 || map->pairs[map->n - 1].value != NULL;
}

/* Index path of the position the next event would fill, e.g. "zones[0].
 * upgrades[1]" -- zone names are unknown here, indices are exact. */
static void builder_path(const builder *b, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < b->depth && at < size; i++) {
        const ipsim_ynode *c = b->stack[i];
        int top = i == b->depth - 1;
        if (c->kind == IPSIM_Y_SEQ) {
            at += (size_t)snprintf(buf + at, size - at, "[%zu]", top ? c->n : c->n - 1);
        } else if (!(top && wants_key(c))) {
            at += (size_t)snprintf(buf + at, size - at, "%s%s", at ? "." : "",
                                   c->pairs[c->n - 1].key);
        }
    }
    if (at >= size && size > 4)
        strcpy(buf + size - 4, "...");
    if (strlen(buf) > 120) /* deep nesting: the start locates it well enough */
        strcpy(buf + 117, "...");
    if (!buf[0])
        snprintf(buf, size, "(root)");
}

static int builder_fail(builder *b, yaml_mark_t m, const char *what)
{
    char path[PATH_MAX_LEN];
    builder_path(b, path, sizeof path);
    return ipsim_yerror(b->err, b->file, mark_of(m), path, "%s", what);
}

/* builder_fail with one string argument in what (a printf format). */
static int builder_fail_s(builder *b, yaml_mark_t m, const char *what, const char *arg)
{
    char msg[IPSIM_ERROR_MSG_MAX];
    snprintf(msg, sizeof msg, what, arg);
    return builder_fail(b, m, msg);
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    if (n < *cap)
        return 0;
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p = realloc(*arr, ncap * elem);
    if (!p)
        return -1;
    *arr = p;
    *cap = ncap;
    return 0;
}

/* Hangs node under the open collection on top of the stack (or makes it
 * the root).  Takes ownership of node in every case. */
static int attach(builder *b, ipsim_ynode *node, yaml_mark_t m)
{
    if (b->depth == 0) {
        b->root = node;
        return IPSIM_OK;
    }
    ipsim_ynode *top = b->stack[b->depth - 1];
    if (top->kind == IPSIM_Y_SEQ) {
        if (grow((void **)&top->items, &top->cap, top->n, sizeof *top->items)) {
            ipsim_ytree_free(node);
            return oom(b);
        }
        top->items[top->n++] = node;
        return IPSIM_OK;
    }
    if (!wants_key(top)) {
        top->pairs[top->n - 1].value = node;
        return IPSIM_OK;
    }
    if (node->kind != IPSIM_Y_SCALAR || (node->tagged && node->tag_type != IPSIM_YT_STR)) {
        ipsim_ytree_free(node);
        return builder_fail(b, m, "a mapping key must be a plain name "
                            "(expected `key: value`)");
    }
    if (grow((void **)&top->pairs, &top->cap, top->n, sizeof *top->pairs)) {
        ipsim_ytree_free(node);
        return oom(b);
    }
    ipsim_ypair *p = &top->pairs[top->n++];
    p->key = node->text;
    p->key_len = node->len;
    p->key_mark = node->mark;
    p->value = NULL;
    node->text = NULL;
    ipsim_ytree_free(node);
    return IPSIM_OK;
}

static ipsim_ynode *node_new(enum ipsim_ykind kind, yaml_mark_t m)
{
    ipsim_ynode *n = calloc(1, sizeof *n);
    if (n) {
        n->kind = kind;
        n->mark = mark_of(m);
    }
    return n;
}

/* The core schema's tags (YAML 1.2 §10.3): the kind of node each fits,
 * and the type it gives a scalar. */
static const struct {
    const char *name;
    enum ipsim_ykind kind;
    enum ipsim_ytype type;
} core_tags[] = {
    {"str", IPSIM_Y_SCALAR, IPSIM_YT_STR},   {"int", IPSIM_Y_SCALAR, IPSIM_YT_INT},
    {"float", IPSIM_Y_SCALAR, IPSIM_YT_FLOAT}, {"bool", IPSIM_Y_SCALAR, IPSIM_YT_BOOL},
    {"null", IPSIM_Y_SCALAR, IPSIM_YT_NULL}, {"seq", IPSIM_Y_SEQ, IPSIM_YT_STR},
    {"map", IPSIM_Y_MAP, IPSIM_YT_STR},
};

/* 1 if the scalar text s is a value of type t under the core schema: a
 * tag names the type, it does not make "abc" an integer (!!float also
 * takes "24", as the schema's float pattern does). */
static int fits_type(const char *s, enum ipsim_ytype t)
{
    switch (t) {
    case IPSIM_YT_INT:
        return is_int(s);
    case IPSIM_YT_FLOAT:
        return is_decimal_float(s) || is_inf(s) || is_nan(s);
    case IPSIM_YT_BOOL:
        return is_true(s) || is_false(s);
    case IPSIM_YT_NULL:
        return is_null(s);
    default:
        return 1;
    }
}

/* An explicit tag on node n (made from event e): a core-schema tag that
 * fits it (its kind, and a scalar's text) types it; any other is refused,
 * since it would ask for a type the schema does not have. */
static int check_tag(builder *b, const yaml_event_t *e, const char *tag, ipsim_ynode *n)
{
    static const char prefix[] = "tag:yaml.org,2002:";
    char shown[64];
    size_t i = sizeof core_tags / sizeof core_tags[0];
    if (!strncmp(tag, prefix, sizeof prefix - 1)) {
        const char *name = tag + sizeof prefix - 1;
        for (i = 0; i < sizeof core_tags / sizeof core_tags[0]; i++)
            if (!strcmp(name, core_tags[i].name))
                break;
        snprintf(shown, sizeof shown, "!!%s", name);
    } else {
        snprintf(shown, sizeof shown, "%s", tag);
    }
    if (i == sizeof core_tags / sizeof core_tags[0])
        return builder_fail_s(b, e->start_mark, "tag %s is not supported (expected a plain or "
                              "quoted value, or one of the core schema's tags !!str, !!int, "
                              "!!float, !!bool, !!null, !!seq, !!map)", shown);
    if (core_tags[i].kind != n->kind ||
        (n->kind == IPSIM_Y_SCALAR && !fits_type(n->text, core_tags[i].type)))
        return builder_fail_s(b, e->start_mark, "the value does not fit its tag %s (expected "
                              "a value of that type)", shown);
    if (n->kind == IPSIM_Y_SCALAR) {
        n->tagged = 1;
        n->tag_type = core_tags[i].type;
    }
    return IPSIM_OK;
}

static int on_scalar(builder *b, const yaml_event_t *e)
{
    ipsim_ynode *n = node_new(IPSIM_Y_SCALAR, e->start_mark);
    char *text = malloc(e->data.scalar.length + 1);
    if (!n || !text) {
        free(n);
        free(text);
        return oom(b);
    }
    memcpy(text, e->data.scalar.value, e->data.scalar.length);
    text[e->data.scalar.length] = '\0';
    /* a "\0" escape: every later step (and message) would see the text cut
     * short there, "area_ha\0" as area_ha */
    if (strlen(text) != e->data.scalar.length) {
        free(n);
        free(text);
        return builder_fail(b, e->start_mark, "the value holds a NUL character (\\0) "
                            "(expected text without one)");
    }
    n->text = text;
    n->len = e->data.scalar.length;
    n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (e->data.scalar.tag) {
        int rc = check_tag(b, e, (const char *)e->data.scalar.tag, n);
        if (rc) {
            ipsim_ytree_free(n);
            return rc;
        }
    }
    return attach(b, n, e->start_mark);
}

static int on_open(builder *b, const yaml_event_t *e, enum ipsim_ykind kind)
{
    if (b->depth == IPSIM_MAX_DEPTH)
        return builder_fail(b, e->start_mark, "nesting is deeper than 64 levels "
                            "(expected at most 64 levels of lists and mappings)");
    ipsim_ynode *n = node_new(kind, e->start_mark);
    if (!n)
        return oom(b);
    const yaml_char_t *tag =
        kind == IPSIM_Y_SEQ ? e->data.sequence_start.tag : e->data.mapping_start.tag;
    int rc = tag ? check_tag(b, e, (const char *)tag, n) : IPSIM_OK;
    if (rc) {
        ipsim_ytree_free(n);
        return rc;
    }
    rc = attach(b, n, e->start_mark);
    if (rc == IPSIM_OK)
        b->stack[b->depth++] = n;
    return rc;
}

/* Anchors and aliases are refused outright: expanding aliases is how
 * "billion laughs" files blow up. */
static int check_anchor(builder *b, const yaml_event_t *e)
{
    const yaml_char_t *anchor = NULL;
    if (e->type == YAML_SCALAR_EVENT)
        anchor = e->data.scalar.anchor;
    else if (e->type == YAML_MAPPING_START_EVENT)
        anchor = e->data.mapping_start.anchor;
    else if (e->type == YAML_SEQUENCE_START_EVENT)
        anchor = e->data.sequence_start.anchor;
    if (anchor)
        return builder_fail_s(b, e->start_mark, "anchor &%s is not supported (expected "
                            "the value written out; anchors and aliases are refused)",
                            (const char *)anchor);
    return IPSIM_OK;
}

static int on_event(builder *b, const yaml_event_t *e)
{
    int rc = check_anchor(b, e);
    if (rc)
        return rc;
    switch (e->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->docs > 1)
            return builder_fail(b, e->start_mark, "more than one YAML document "
                                "(expected a single document; remove the `---` line)");
        return IPSIM_OK;
    case YAML_ALIAS_EVENT:
        return builder_fail_s(b, e->start_mark, "alias *%s is not supported (expected "
                            "the value written out; aliases are never expanded)",
                            (const char *)e->data.alias.anchor);
    case YAML_SCALAR_EVENT:
        return on_scalar(b, e);
    case YAML_SEQUENCE_START_EVENT:
        return on_open(b, e, IPSIM_Y_SEQ);
    case YAML_MAPPING_START_EVENT:
        return on_open(b, e, IPSIM_Y_MAP);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        b->depth--;
        return IPSIM_OK;
    default:
        return IPSIM_OK;
    }
}

/* ---- libyaml errors ---------------------------------------------------- */

/* 1-based line and column of byte offset off (columns count characters). */
static ipsim_ymark mark_at_offset(const char *text, size_t len, size_t off)
{
    ipsim_ymark m = {1, 1, NULL};
    for (size_t i = 0; i < off && i < len; i++) {
        if (text[i] == '\n') {
            m.line++;
            m.col = 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            m.col++;
        }
    }
    return m;
}

/* Byte at a libyaml mark (line/column are in characters), or 0. */
static unsigned char byte_at_mark(const char *text, size_t len, yaml_mark_t m)
{
    size_t i = 0, line = 0, col = 0;
    while (i < len && line < m.line)
        if (text[i++] == '\n')
            line++;
    while (i < len && col < m.column) {
        i++;
        while (i < len && ((unsigned char)text[i] & 0xC0) == 0x80)
            i++;
        col++;
    }
    return i < len ? (unsigned char)text[i] : 0;
}

static int syntax_error(builder *b, const yaml_parser_t *p)
{
    const char *file = ipsim_yfile_label(b->file);
    if (p->error == YAML_MEMORY_ERROR)
        return oom(b);
    if (p->error == YAML_READER_ERROR) {
        ipsim_ymark m = mark_at_offset(b->text, b->len, p->problem_offset);
        return ipsim_error_set(b->err, IPSIM_EINPUT, "%s:%d:%d: syntax error: %s "
                               "(byte 0x%02X; expected UTF-8 text)", file, m.line, m.col,
                               p->problem, (unsigned)(p->problem_value & 0xFF));
    }
    ipsim_ymark pm = mark_of(p->problem_mark), cm = mark_of(p->context_mark);
    const char *problem = p->problem ? p->problem : "invalid YAML";
    const char *context = p->context ? p->context : NULL;
    if (strstr(problem, "tab") || byte_at_mark(b->text, b->len, p->problem_mark) == '\t')
        return ipsim_error_set(b->err, IPSIM_EINPUT, "%s:%d:%d: syntax error: tab "
                               "character used for indentation (expected spaces; YAML "
                               "does not allow tabs here)", file, pm.line, pm.col);
    if (context && strstr(context, "quoted scalar") && strstr(problem, "end of stream"))
        return ipsim_error_set(b->err, IPSIM_EINPUT, "%s:%d:%d: syntax error: the quoted "
                               "string opened here is never closed (expected a closing "
                               "quote before the end of the file)", file, cm.line, cm.col);
    if (context && strstr(context, "block scalar"))
        return ipsim_error_set(b->err, IPSIM_EINPUT, "%s:%d:%d: syntax error: %s after "
                               "`>` or `|` (expected a quoted value: a value that starts "
                               "with > or | must be quoted, e.g. op: \">=\")", file,
                               pm.line, pm.col, problem);
    if (context)
        return ipsim_error_set(b->err, IPSIM_EINPUT, "%s:%d:%d: syntax error: %s (%s "
                               "started at line %d, column %d)", file, pm.line, pm.col,
                               problem, context, cm.line, cm.col);
    return ipsim_error_set(b->err, IPSIM_EINPUT, "%s:%d:%d: syntax error: %s", file,
                           pm.line, pm.col, problem);
}

int ipsim_ytree_parse(const char *text, size_t len, const char *filename,
                      ipsim_ynode **root, ipsim_error *err)
{
    *root = NULL;
    if (len > IPSIM_MAX_FILE_BYTES) {
        ipsim_ymark m = {1, 1, NULL};
        return ipsim_yerror(err, filename, m, "(root)", "the file is too large "
                            "(expected at most %u bytes)", IPSIM_MAX_FILE_BYTES);
    }
    builder b = {.text = text, .len = len, .file = filename, .err = err};
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return oom(&b);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc = IPSIM_OK, done = 0;
    while (rc == IPSIM_OK && !done) {
        yaml_event_t e;
        if (!yaml_parser_parse(&parser, &e)) {
            rc = syntax_error(&b, &parser);
            break;
        }
        done = e.type == YAML_STREAM_END_EVENT;
        rc = on_event(&b, &e);
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&parser);
    if (rc != IPSIM_OK) {
        ipsim_ytree_free(b.root);
        return rc;
    }
    *root = b.root;
    return IPSIM_OK;
}

/* ---- entry points ------------------------------------------------------ */

/* Copies the override texts into scn->overrides, for the results file. */
static int keep_sets(ipsim_scenario *scn, const char *const *sets, size_t n_sets)
{
    if (!n_sets)
        return IPSIM_OK;
    scn->overrides = calloc(n_sets, sizeof *scn->overrides);
    if (!scn->overrides)
        return IPSIM_ENOMEM;
    for (size_t i = 0; i < n_sets; i++, scn->n_overrides++)
        if (!(scn->overrides[i] = strdup(sets[i])))
            return IPSIM_ENOMEM;
    return IPSIM_OK;
}

/* Parses buf (owned: kept as scn->text on success, freed on error), applies
 * the overrides to the tree, then validates it.  Each override's marks point
 * at its own "--set ..." text, which must outlive the validation. */
static int parse_owned(ipsim_scenario *scn, char *buf, size_t len, const char *filename,
                       const char *const *sets, size_t n_sets, ipsim_error *err)
{
    ipsim_ynode *root = NULL;
    char **srcs = n_sets ? calloc(n_sets, sizeof *srcs) : NULL;
    int rc = n_sets && !srcs ? ipsim_error_set(err, IPSIM_ENOMEM, "out of memory")
                             : ipsim_ytree_parse(buf, len, filename, &root, err);
    for (size_t i = 0; i < n_sets && rc == IPSIM_OK; i++) {
        if (!(srcs[i] = ipsim_override_src(sets[i])))
            rc = ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
        else
            rc = ipsim_override_apply(&root, sets[i], srcs[i], err);
    }
    if (rc == IPSIM_OK)
        rc = ipsim_scenario_from_tree(scn, root, filename, err);
    ipsim_ytree_free(root);
    for (size_t i = 0; i < n_sets && srcs; i++)
        free(srcs[i]);
    free(srcs);
    if (rc == IPSIM_OK) {
        scn->path = strdup(filename ? filename : "");
        if (!scn->path || keep_sets(scn, sets, n_sets) != IPSIM_OK) {
            ipsim_scenario_free(scn);
            rc = ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
        }
    }
    if (rc != IPSIM_OK) {
        free(buf);
        return rc;
    }
    scn->text = buf;
    scn->text_len = len;
    return IPSIM_OK;
}

int ipsim_scenario_parse_with(ipsim_scenario *scn, const char *text, size_t len,
                              const char *filename, const char *const *sets, size_t n_sets,
                              ipsim_error *err)
{
    memset(scn, 0, sizeof *scn);
    if (len > IPSIM_MAX_FILE_BYTES) {
        ipsim_ynode *none;
        return ipsim_ytree_parse(text, len, filename, &none, err);
    }
    char *buf = malloc(len + 1);
    if (!buf)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory");
    memcpy(buf, text, len);
    buf[len] = '\0';
    return parse_owned(scn, buf, len, filename, sets, n_sets, err);
}

int ipsim_scenario_parse(ipsim_scenario *scn, const char *text, size_t len,
                         const char *filename, ipsim_error *err)
{
    return ipsim_scenario_parse_with(scn, text, len, filename, NULL, 0, err);
}

/* Reads at most IPSIM_MAX_FILE_BYTES + 1 bytes, so an oversized file is
 * refused without reading all of it. */
static int read_file(FILE *f, const char *path, char **out, size_t *out_len,
                     ipsim_error *err)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap || cap > IPSIM_MAX_FILE_BYTES)
            break;
        size_t ncap = cap * 2 > IPSIM_MAX_FILE_BYTES + 1u ? IPSIM_MAX_FILE_BYTES + 1u : cap * 2;
        char *p = realloc(buf, ncap + 1);
        if (!p) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = p;
        cap = ncap;
    }
    if (!buf)
        return ipsim_error_set(err, IPSIM_ENOMEM, "out of memory reading %s", path);
    if (ferror(f)) {
        int e = errno;
        free(buf);
        return ipsim_error_set(err, IPSIM_EINPUT, "%s: cannot read the scenario file: %s",
                               path, strerror(e));
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return IPSIM_OK;
}

int ipsim_scenario_load_with(ipsim_scenario *scn, const char *path, const char *const *sets,
                             size_t n_sets, ipsim_error *err)
{
    memset(scn, 0, sizeof *scn);
    FILE *f = ipsim_input_open(path);
    if (!f)
        return ipsim_error_set(err, IPSIM_EINPUT, "%s: cannot open the scenario file: %s",
                               path, strerror(errno));
    char *buf = NULL;
    size_t len = 0;
    int rc = read_file(f, path, &buf, &len, err);
    fclose(f);
    if (rc != IPSIM_OK)
        return rc;
    if (len > IPSIM_MAX_FILE_BYTES) {
        ipsim_ynode *none;
        rc = ipsim_ytree_parse(buf, len, path, &none, err);
        free(buf);
        return rc;
    }
    return parse_owned(scn, buf, len, path, sets, n_sets, err);
}

int ipsim_scenario_load(ipsim_scenario *scn, const char *path, ipsim_error *err)
{
    return ipsim_scenario_load_with(scn, path, NULL, 0, err);
}
