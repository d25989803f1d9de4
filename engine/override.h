/* override.h -- `--set KEY=VALUE`: one value patched into a parsed scenario
 * tree, before it is validated (see scenario_tree.h), so an override gets
 * exactly the checks and messages a value written in the file gets.
 *
 * KEY is the key path the reader prints in its messages:
 *   macro.sigma   defaults.fdi_share   seed
 *   zones[Lien Ha Thai].clearance_ha_per_year   zones[0].expansions[1].threshold
 *   targets[FDI 2025].value   targets[0].value
 * A `[...]` holding only digits is an index (from 0); anything else is a
 * name, and names are allowed only right after `zones` and `targets`.
 * Inside brackets everything up to the first `]` is the name, so dots and
 * spaces need no quoting.  A name that contains `]`, starts with `"`, or is
 * all digits is written in double quotes, with `\"` for a quote and `\\`
 * for a backslash: zones["Phase ]2["], zones["2025"].  A target without a
 * `name:` is found by its default name "METRIC YEAR [ZONE]".
 *
 * VALUE is YAML (a scalar, or a flow list or mapping such as
 * [{from: "2027-01", attractiveness: 1.2}]) and replaces the value at KEY
 * whole.  Missing mappings on the way are created (macro.sigma in a file
 * without macro:); missing list entries are not: an index past the end or a
 * name that no zone or target has is an error. */
#ifndef IPSIM_OVERRIDE_H
#define IPSIM_OVERRIDE_H

#include "error.h"
#include "scenario_tree.h"

/* "--set SET", the text that marks of the patched nodes point at (so
 * messages read "--set KEY=VALUE: KEY: ..."); malloc'd, NULL if out of
 * memory.  It must outlive every use of the tree. */
char *ipsim_override_src(const char *set);

/* Applies set ("KEY=VALUE") to *root (which may be NULL for an empty file).
 * Every node added is marked with src.  An error in KEY or VALUE returns
 * IPSIM_EINPUT with "SRC: ..." in err; the tree may then be partly patched
 * and is only good for ipsim_ytree_free(). */
int ipsim_override_apply(ipsim_ynode **root, const char *set, const char *src, ipsim_error *err);

#endif
