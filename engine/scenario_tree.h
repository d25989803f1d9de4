/* scenario_tree.h -- private to the scenario reader: the parsed YAML tree.
 *
 * Reading a scenario is two separate steps so that `--set KEY=VALUE`
 * overrides can patch the document between them:
 *   text  --ipsim_ytree_parse-->  node tree (with line/col marks)
 *   tree  --ipsim_scenario_from_tree-->  validated ipsim_scenario.
 * The tree knows YAML only (kinds, scalar text, quoting, marks); every rule
 * of the scenario schema lives in the second step. */
#ifndef IPSIM_SCENARIO_TREE_H
#define IPSIM_SCENARIO_TREE_H

#include <stddef.h>

#include "error.h"
#include "scenario.h"

/* Where a node or key was written.  line/col are 1-based.  src, when not
 * NULL, replaces "FILE:LINE:COL" in messages: an override patched into the
 * tree points it at e.g. "--set zones[A].fdi_share=2" (not owned). */
typedef struct {
    int line, col;
    const char *src;
} ipsim_ymark;

enum ipsim_ykind { IPSIM_Y_SCALAR, IPSIM_Y_MAP, IPSIM_Y_SEQ };

/* Core-schema type of a scalar (YAML 1.2 §10.3); quoted scalars are STR. */
enum ipsim_ytype { IPSIM_YT_NULL, IPSIM_YT_BOOL, IPSIM_YT_INT, IPSIM_YT_FLOAT,
                   IPSIM_YT_STR };

typedef struct ipsim_ynode ipsim_ynode;

typedef struct {
    char *key;          /* NUL-terminated; keys are always scalars */
    size_t key_len;     /* may differ from strlen() if the key holds "\0" */
    ipsim_ymark key_mark;
    ipsim_ynode *value;
} ipsim_ypair;

struct ipsim_ynode {
    enum ipsim_ykind kind;
    ipsim_ymark mark;
    /* scalar */
    char *text; /* NUL-terminated copy of the value */
    size_t len;
    int plain;  /* plain style: typed by the core schema; else a string */
    int tagged; /* a scalar's explicit core-schema tag (!!int ...) ... */
    enum ipsim_ytype tag_type; /* ... and the type it gives it */
    /* map (pairs) or seq (items); duplicate keys are kept, the checker
     * reports them with the full key path */
    ipsim_ypair *pairs;
    ipsim_ynode **items;
    size_t n, cap;
};

/* Parses text (len bytes) with libyaml's event API into *root.  Rejects
 * files over IPSIM_MAX_FILE_BYTES, syntax errors, aliases, anchors, tags
 * other than the core schema's (!!str, !!int, !!float, !!bool, !!null,
 * !!seq, !!map) or that do not fit their value,
 * non-scalar keys, nesting deeper than IPSIM_MAX_DEPTH and more than one
 * document.  An empty stream gives *root == NULL and IPSIM_OK. */
int ipsim_ytree_parse(const char *text, size_t len, const char *filename,
                      ipsim_ynode **root, ipsim_error *err);
void ipsim_ytree_free(ipsim_ynode *node);

/* First value under key in a map, or NULL. */
const ipsim_ynode *ipsim_ytree_get(const ipsim_ynode *map, const char *key);

/* Core-schema typing of a scalar node. */
enum ipsim_ytype ipsim_yscalar_type(const ipsim_ynode *node);
/* Value of an INT or FLOAT scalar; returns 0, or -1 if it overflows a
 * double (1e999).  Infinities and NaN are returned as such. */
int ipsim_yscalar_double(const ipsim_ynode *node, double *out);
/* Value of an INT scalar; returns 0, or -1 if it does not fit. */
int ipsim_yscalar_llong(const ipsim_ynode *node, long long *out);
/* 1 if a BOOL scalar is true. */
int ipsim_yscalar_true(const ipsim_ynode *node);

/* Fills err with IPSIM_EINPUT and "FILE:LINE:COL: PATH: message" (or
 * "SRC: PATH: message" for a mark with src); returns IPSIM_EINPUT. */
int ipsim_yerror(ipsim_error *err, const char *filename, ipsim_ymark at,
                 const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* The name used for a file in messages (filename, or "<string>"). */
const char *ipsim_yfile_label(const char *filename);

/* Validates the tree against the scenario schema (MODEL.md §9, §11) into
 * *scn, which must be zeroed; filename names the file in messages and gives
 * the default scenario name.  On error *scn is freed and zeroed. */
int ipsim_scenario_from_tree(ipsim_scenario *scn, const ipsim_ynode *root,
                             const char *filename, ipsim_error *err);

#endif
