/* override.c -- `--set KEY=VALUE` (see override.h): KEY is split into
 * steps, the tree is walked (creating missing mappings), and VALUE, parsed
 * by the same YAML reader as the file, replaces what was at KEY.  Only the
 * document's shape is known here; whether the key exists in the schema and
 * the value is valid is left to ipsim_scenario_from_tree, so an override is
 * checked exactly like the file. */
#include "override.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_STEPS IPSIM_MAX_DEPTH
#define NAMES_SHOWN 6 /* names listed when a zone or target is not found */

enum step_kind { S_KEY, S_INDEX, S_NAME };

typedef struct {
    enum step_kind kind;
    char *text;   /* S_KEY and S_NAME: unescaped, owned */
    size_t len;
    size_t index; /* S_INDEX */
    size_t end;   /* KEY up to here is the path so far, for messages */
} step;

typedef struct {
    const char *set, *src;
    ipsim_error *err;
    step steps[MAX_STEPS];
    size_t n;
    const char *value; /* after the '=' */
} key_path;

static const char key_help[] = "KEY=VALUE, KEY like macro.sigma, "
                               "zones[NAME].clearance_ha_per_year or zones[0].expansions[1].threshold";

char *ipsim_override_src(const char *set)
{
    size_t n = strlen(set);
    char *s = malloc(n + 7);
    if (s) {
        memcpy(s, "--set ", 6);
        memcpy(s + 6, set, n + 1);
    }
    return s;
}

/* "SRC: KEY: what", the path being the first `end` characters of KEY. */
static int fail_at(const key_path *k, size_t end, const char *what)
{
    if (end == 0)
        return ipsim_error_set(k->err, IPSIM_EINPUT, "%s: (root): %s", k->src, what);
    return ipsim_error_set(k->err, IPSIM_EINPUT, "%s: %.*s: %s", k->src, (int)end, k->set, what);
}

/* expected: NULL for the general shape of KEY=VALUE. */
static int malformed(const key_path *k, const char *what, const char *expected)
{
    return ipsim_error_set(k->err, IPSIM_EINPUT, "%s: malformed KEY: %s (expected %s)", k->src, what,
                           expected ? expected : key_help);
}

static int oom(const key_path *k)
{
    return ipsim_error_set(k->err, IPSIM_ENOMEM, "%s: out of memory", k->src);
}

/* ---- KEY -> steps ------------------------------------------------------ */

static int add_step(key_path *k, enum step_kind kind, const char *text, size_t len, size_t end)
{
    if (k->n == MAX_STEPS)
        return malformed(k, "too many parts", NULL);
    step *s = &k->steps[k->n];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    s->end = end;
    if (kind == S_INDEX) {
        errno = 0;
        unsigned long long v = strtoull(text, NULL, 10);
        s->index = errno == ERANGE || v > SIZE_MAX ? SIZE_MAX : (size_t)v;
    } else {
        if (!(s->text = malloc(len + 1)))
            return oom(k);
        memcpy(s->text, text, len);
        s->text[len] = '\0';
        s->len = len;
    }
    k->n++;
    return IPSIM_OK;
}

/* A `"..."` selector at p (just after the quote); unescapes into buf. */
static int quoted(key_path *k, const char **p, char *buf, size_t *len)
{
    const char *s = *p;
    *len = 0;
    for (; *s && *s != '"'; s++) {
        if (*s == '\\' && s[1])
            s++;
        buf[(*len)++] = *s;
    }
    if (*s != '"')
        return malformed(k, "a quoted name is never closed",
                         "a closing \" before ']'; write \\\" for a quote inside the name");
    *p = s + 1;
    return IPSIM_OK;
}

/* One `[...]` at *p (just after the '['). */
static int selector(key_path *k, const char **p, char *buf)
{
    const char *s = *p;
    size_t len = 0;
    int rc, was_quoted = *s == '"';
    if (was_quoted) {
        s++;
        if ((rc = quoted(k, &s, buf, &len)))
            return rc;
        if (*s != ']')
            return malformed(k, "a quoted name must be followed by ']'", NULL);
    } else {
        const char *close = strchr(s, ']');
        if (!close)
            return malformed(k, "'[' without a matching ']'", NULL);
        len = (size_t)(close - s);
        memcpy(buf, s, len);
        s = close;
        if (len == 0)
            return malformed(k, "empty []",
                             "an index such as [0] or a name such as [Lien Ha Thai]");
    }
    buf[len] = '\0';
    *p = s + 1;
    int index = !was_quoted && strspn(buf, "0123456789") == len;
    return add_step(k, index ? S_INDEX : S_NAME, buf, len, (size_t)(*p - k->set));
}

static void steps_free(key_path *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->steps[i].text);
    k->n = 0;
}

/* Splits k->set at the first '=' outside brackets into steps and value. */
static int parse_key(key_path *k)
{
    const char *p = k->set;
    char *buf = malloc(strlen(k->set) + 1);
    int rc = buf ? IPSIM_OK : oom(k);
    while (rc == IPSIM_OK) {
        size_t len = strcspn(p, ".[]=");
        if (len == 0)
            rc = malformed(k, *p == '\0' || *p == '=' ? "a key name is missing"
                                                      : "a key name is missing before '.', "
                                                        "'[' or ']'", NULL);
        else
            rc = add_step(k, S_KEY, p, len, (size_t)(p + len - k->set));
        p += len;
        while (rc == IPSIM_OK && *p == '[') {
            p++;
            rc = selector(k, &p, buf);
        }
        if (rc != IPSIM_OK || *p == '=')
            break;
        if (*p == '.') {
            p++;
            continue;
        }
        rc = *p == '\0' ? malformed(k, "no '=' after KEY", NULL)
             : *p == ']' ? malformed(k, "']' without a matching '['", NULL)
                         : malformed(k, "unexpected text after ']'", "'.', '[' or '='");
    }
    free(buf);
    if (rc == IPSIM_OK)
        k->value = p + 1;
    return rc;
}

/* ---- the walk ---------------------------------------------------------- */

static ipsim_ynode *node_new(enum ipsim_ykind kind, const char *src)
{
    ipsim_ynode *n = calloc(1, sizeof *n);
    if (n) {
        n->kind = kind;
        n->mark.src = src;
    }
    return n;
}

static int is_null(const ipsim_ynode *n)
{
    return !n || (n->kind == IPSIM_Y_SCALAR && ipsim_yscalar_type(n) == IPSIM_YT_NULL);
}

static const char *kind_text(const ipsim_ynode *n)
{
    return n->kind == IPSIM_Y_MAP ? "a mapping" : n->kind == IPSIM_Y_SEQ ? "a list" : "a single value";
}

/* The pair for key in map, appended (marked src, no value yet) if absent. */
static ipsim_ynode **map_slot(key_path *k, ipsim_ynode *map, const step *s)
{
    for (size_t i = 0; i < map->n; i++)
        if (map->pairs[i].key_len == s->len && !memcmp(map->pairs[i].key, s->text, s->len))
            return &map->pairs[i].value;
    if (map->n == map->cap) {
        size_t cap = map->cap ? map->cap * 2 : 8;
        ipsim_ypair *p = realloc(map->pairs, cap * sizeof *p);
        if (!p)
            return NULL;
        map->pairs = p;
        map->cap = cap;
    }
    ipsim_ypair *p = &map->pairs[map->n];
    if (!(p->key = strdup(s->text)))
        return NULL;
    p->key_len = s->len;
    p->key_mark.src = k->src;
    p->key_mark.line = p->key_mark.col = 0;
    p->value = NULL;
    map->n++;
    return &p->value;
}

/* The name a zone or target item goes by: `name`, else for a target its
 * default "METRIC YEAR [ZONE]" (MODEL.md §11.6), into buf. */
static const char *item_name(const ipsim_ynode *it, int target, char *buf, size_t size)
{
    const ipsim_ynode *v = ipsim_ytree_get(it, "name");
    if (v)
        return v->kind == IPSIM_Y_SCALAR ? v->text : NULL;
    const ipsim_ynode *m = ipsim_ytree_get(it, "metric"), *y = ipsim_ytree_get(it, "year"),
                      *z = ipsim_ytree_get(it, "zone");
    if (!target || !m || !y || m->kind != IPSIM_Y_SCALAR || y->kind != IPSIM_Y_SCALAR ||
        (z && z->kind != IPSIM_Y_SCALAR))
        return NULL;
    snprintf(buf, size, "%s %s%s%s", m->text, y->text, z ? " " : "", z ? z->text : "");
    return buf;
}

static int name_not_found(key_path *k, const ipsim_ynode *seq, const step *s, int target)
{
    char list[IPSIM_ERROR_MSG_MAX / 2], buf[256], what[IPSIM_ERROR_MSG_MAX];
    size_t at = 0, shown = 0;
    list[0] = '\0';
    for (size_t i = 0; i < seq->n && shown < NAMES_SHOWN && at < sizeof list; i++) {
        const char *name = item_name(seq->items[i], target, buf, sizeof buf);
        if (name && seq->items[i]->kind == IPSIM_Y_MAP) {
            at += (size_t)snprintf(list + at, sizeof list - at, "%s\"%.60s\"", shown ? ", " : "",
                                   name);
            shown++;
        }
    }
    snprintf(what, sizeof what, "no %s is named \"%.100s\" (expected %s%s%san index 0 to %zu)",
             target ? "target" : "zone", s->text, list, shown < seq->n && shown ? ", ..." : "",
             shown ? " or " : "", seq->n - 1);
    return fail_at(k, s->end, what);
}

/* The item of seq that step s selects; names only for zones and targets. */
static ipsim_ynode **seq_slot(key_path *k, ipsim_ynode *seq, size_t i, int *rc)
{
    const step *s = &k->steps[i];
    char what[256], buf[256];
    if (seq->n == 0) {
        *rc = fail_at(k, s->end, "the list is empty (expected an existing entry; set the "
                                 "whole list instead)");
        return NULL;
    }
    if (s->kind == S_INDEX) {
        if (s->index < seq->n)
            return &seq->items[s->index];
        snprintf(what, sizeof what, "index %zu is out of range (expected 0 to %zu; the list "
                 "has %zu entr%s)", s->index, seq->n - 1, seq->n, seq->n == 1 ? "y" : "ies");
        *rc = fail_at(k, s->end, what);
        return NULL;
    }
    const step *list = &k->steps[i - 1];
    int zones = i == 1 && !strcmp(list->text, "zones");
    int targets = i == 1 && !strcmp(list->text, "targets");
    if (!zones && !targets) {
        snprintf(what, sizeof what, "the entries of %s are selected by number (expected an "
                 "index such as [0]; names select only zones[...] and targets[...])", list->text);
        *rc = fail_at(k, s->end, what);
        return NULL;
    }
    for (size_t j = 0; j < seq->n; j++) {
        const char *name = seq->items[j]->kind == IPSIM_Y_MAP
                               ? item_name(seq->items[j], targets, buf, sizeof buf)
                               : NULL;
        if (name && strlen(name) == s->len && !strcmp(name, s->text))
            return &seq->items[j];
    }
    *rc = name_not_found(k, seq, s, targets);
    return NULL;
}

/* Follows the steps from *root; returns the slot the value goes into. */
static ipsim_ynode **walk(key_path *k, ipsim_ynode **root, int *rc)
{
    ipsim_ynode **slot = root;
    char what[256];
    for (size_t i = 0; i < k->n; i++) {
        const step *s = &k->steps[i];
        size_t at = i ? k->steps[i - 1].end : 0; /* path up to the node being entered */
        if (s->kind == S_KEY) {
            if (is_null(*slot)) {
                ipsim_ynode *map = node_new(IPSIM_Y_MAP, k->src);
                if (!map) {
                    *rc = oom(k);
                    return NULL;
                }
                ipsim_ytree_free(*slot);
                *slot = map;
            }
            if ((*slot)->kind != IPSIM_Y_MAP) {
                snprintf(what, sizeof what, "found %s (expected a mapping that holds %.100s)",
                         kind_text(*slot), s->text);
                *rc = fail_at(k, at, what);
                return NULL;
            }
            if (!(slot = map_slot(k, *slot, s))) {
                *rc = oom(k);
                return NULL;
            }
            continue;
        }
        if (is_null(*slot) || (*slot)->kind != IPSIM_Y_SEQ) {
            if (is_null(*slot))
                snprintf(what, sizeof what, "there is no list here (expected an existing "
                         "list to select from; set the whole list instead)");
            else
                snprintf(what, sizeof what, "found %s (expected a list to select from)",
                         kind_text(*slot));
            *rc = fail_at(k, at, what);
            return NULL;
        }
        if (!(slot = seq_slot(k, *slot, i, rc)))
            return NULL;
    }
    return slot;
}

static void mark_all(ipsim_ynode *n, const char *src)
{
    n->mark.src = src;
    for (size_t i = 0; i < n->n; i++) {
        if (n->kind == IPSIM_Y_MAP) {
            n->pairs[i].key_mark.src = src;
            if (n->pairs[i].value)
                mark_all(n->pairs[i].value, src);
        } else if (n->kind == IPSIM_Y_SEQ) {
            mark_all(n->items[i], src);
        }
    }
}

/* VALUE as a tree; an empty VALUE is a null scalar, as in a file.  A YAML
 * error reads "SRC: VALUE:LINE:COL: ...", placed inside VALUE. */
static int parse_value(key_path *k, ipsim_ynode **out)
{
    int rc = ipsim_ytree_parse(k->value, strlen(k->value), "VALUE", out, k->err);
    if (rc != IPSIM_OK) {
        char msg[IPSIM_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", k->err ? k->err->msg : "");
        return ipsim_error_set(k->err, rc, "%s: %s", k->src, msg);
    }
    if (!*out) {
        ipsim_ynode *n = node_new(IPSIM_Y_SCALAR, k->src);
        if (!n || !(n->text = calloc(1, 1))) {
            free(n);
            return oom(k);
        }
        n->plain = 1;
        *out = n;
    }
    mark_all(*out, k->src);
    return IPSIM_OK;
}

int ipsim_override_apply(ipsim_ynode **root, const char *set, const char *src, ipsim_error *err)
{
    key_path k = {.set = set, .src = src, .err = err};
    ipsim_ynode *value = NULL;
    int rc = parse_key(&k);
    if (rc == IPSIM_OK)
        rc = parse_value(&k, &value);
    if (rc == IPSIM_OK) {
        ipsim_ynode **slot = walk(&k, root, &rc);
        if (slot) {
            ipsim_ytree_free(*slot);
            *slot = value;
            value = NULL;
        }
    }
    ipsim_ytree_free(value);
    steps_free(&k);
    return rc;
}
