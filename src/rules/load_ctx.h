/* Parse stage, shared by the parts of the rules loader (yaml_load.c,
 * load_rule.c, load_exceptions.c, load_override.c): the file being loaded,
 * the item being read, and helpers on its YAML nodes (util/yaml_doc.h). */
#ifndef VIGIL_RULES_LOAD_CTX_H
#define VIGIL_RULES_LOAD_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "rules/store.h"
#include "util/yaml_doc.h"

/* One rules file being loaded. */
struct vg_load {
	struct vg_rules *rs;
	int file;
	yaml_document_t *doc;
	int rc; /* -ENOMEM stops the load */
};

/* an item's name and kind, for messages */
struct vg_load_item {
	const char *kind; /* "list", "macro", "rule" */
	const char *name;
	char label[160];
	struct vg_loc loc;
	yaml_node_t *map;
};

#define yerr(y, node, label, ...)                                                                  \
	do {                                                                                       \
		struct vg_loc l_ = vg_load_loc((y), (node));                                       \
		vg_diag_add((y)->rs, VG_DIAG_ERROR, &l_, (label), __VA_ARGS__);                    \
	} while (0)

#define ywarn(y, node, label, ...)                                                                 \
	do {                                                                                       \
		struct vg_loc l_ = vg_load_loc((y), (node));                                       \
		vg_diag_add((y)->rs, VG_DIAG_WARNING, &l_, (label), __VA_ARGS__);                  \
	} while (0)

/* The YAML document's nodes, as the loader reads them */
static inline yaml_node_t *get_node(const struct vg_load *y, int id)
{
	return vg_yaml_node(y->doc, id);
}

static inline bool is_scalar(const yaml_node_t *n)
{
	return vg_yaml_is_scalar(n);
}

static inline const char *sval(const yaml_node_t *n)
{
	return vg_yaml_str(n);
}

static inline size_t slen(const yaml_node_t *n)
{
	return vg_yaml_len(n);
}

static inline bool is_null(const yaml_node_t *n)
{
	return vg_yaml_is_null(n);
}

/* value of key in a mapping, NULL if absent */
static inline yaml_node_t *map_get(const struct vg_load *y, const yaml_node_t *map, const char *key)
{
	return vg_yaml_map_get(y->doc, map, key);
}

static inline int parse_bool(const yaml_node_t *n, bool *out)
{
	return vg_yaml_bool(n, out);
}

/* Where node n is in the file (no node: the file alone). */
struct vg_loc vg_load_loc(const struct vg_load *y, const yaml_node_t *n);
/* A scalar copied into the engine's arena; NULL (and y->rc) when out of
 * memory. */
char *vg_load_copy(struct vg_load *y, const yaml_node_t *n);
void *vg_load_alloc(struct vg_load *y, size_t size);
/* A scalar becomes a text that remembers where it came from. */
int vg_load_text(struct vg_load *y, const yaml_node_t *n, struct vg_text *t);
/* Checks that every key of an item is known (a warning if not) and appears
 * once (an error if not: returns false). */
bool vg_load_check_keys(struct vg_load *y, const struct vg_load_item *it, const char *const *known);
/* Reads a scalar or a sequence of scalars into an array of strings. */
int vg_load_strings(struct vg_load *y, const struct vg_load_item *it, yaml_node_t *n,
		    const char *what, const char ***out, uint32_t *count, bool *was_seq);

#endif
