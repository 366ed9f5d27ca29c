/* A check of YAML text before libyaml sees it. libyaml's scanner is
 * quadratic in the depth of nested flow collections ("[[[[..." or "{{{{..."):
 * 200 KB of them took 29 s, and its own nesting limits act only after that
 * scan. Files deeper than VG_YAML_MAX_FLOW_DEPTH are refused up front, in
 * time linear in their size. The count ignores quoting on purpose, so that
 * no quote can hide brackets from it: a legitimate file never has that many
 * unclosed brackets, quoted or not. */
#ifndef VIGIL_UTIL_YAML_GUARD_H
#define VIGIL_UTIL_YAML_GUARD_H

#include <stddef.h>

#define VG_YAML_MAX_FLOW_DEPTH 64

/* 0, or -E2BIG with *line (1-based) where the depth first went over max. */
int vg_yaml_flow_depth_check(const char *buf, size_t len, unsigned max, unsigned *line);

#endif
