/* Reading the configuration from YAML (util/yaml_doc.h): a file's mapping
 * of keys, or one KEY=VALUE of the command line. Each key is looked up in
 * the schema (schema.c) and its value handed to config_values.c or
 * config_outputs.c. Every problem is recorded with where it is; loading goes
 * on after an error so one run of `vigil config check` shows them all. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_ctx.h"
#include "config/config_outputs.h"
#include "config/config_values.h"
#include "config/config_watch.h"
#include "util/yaml_doc.h"
#include "util/macros.h"

static void set_node(struct vg_config_loader *ld, const struct vg_config_key *k, yaml_node_t *node,
		     const yaml_mark_t *key_mark)
{
	unsigned idx = (unsigned)(k - vg_config_keys);

	if (idx < ARRAY_SIZE(ld->seen)) {
		if (ld->seen[idx]) {
			ld_error(ld, key_mark, k->name, "given twice (first on line %u)",
				 ld->seen[idx]);
			return;
		}
		ld->seen[idx] = key_mark ? (unsigned)key_mark->line + 1 : 1;
	}
	if (k->type == VG_CT_LIST) {
		vg_config_set_list_node(ld, k, node);
	} else if (k->type == VG_CT_OUTPUTS) {
		vg_config_set_outputs(ld, k, node);
	} else if (k->type == VG_CT_WATCH) {
		vg_config_set_watch(ld, k, node);
	} else if (node->type != YAML_SCALAR_NODE) {
		ld_error(ld, &node->start_mark, k->name, "expected %s, got a %s",
			 vg_config_type_name(k->type),
			 node->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
	} else {
		vg_config_set_scalar(ld, k, node);
	}
}

/* Is name a group of keys ("sensor" of "sensor.ring_size")? */
static bool is_group(const char *name)
{
	size_t n = strlen(name);

	for (unsigned i = 0; i < vg_config_nkeys; i++)
		if (!strncmp(vg_config_keys[i].name, name, n) && vg_config_keys[i].name[n] == '.')
			return true;
	return false;
}

static void walk_mapping(struct vg_config_loader *ld, yaml_node_t *map, const char *prefix)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = yaml_document_get_node(ld->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(ld->doc, p->value);
		const struct vg_config_key *k;
		char name[128];

		if (!kn || !vn)
			continue;
		if (kn->type != YAML_SCALAR_NODE || strlen((const char *)kn->data.scalar.value) !=
							    kn->data.scalar.length) {
			ld_error(ld, &kn->start_mark, prefix, "keys must be plain names");
			continue;
		}
		if ((size_t)snprintf(name, sizeof(name), "%s%s%s", prefix, *prefix ? "." : "",
				     (const char *)kn->data.scalar.value) >= sizeof(name)) {
			ld_error(ld, &kn->start_mark, prefix, "unknown key (name too long)");
			continue;
		}
		k = vg_config_key_find(name);
		if (k) {
			set_node(ld, k, vn, &kn->start_mark);
		} else if (is_group(name)) {
			if (vn->type == YAML_MAPPING_NODE)
				walk_mapping(ld, vn, name);
			else if (!vg_yaml_is_null(vn))
				ld_error(ld, &vn->start_mark, name,
					 "expected a mapping of the %s.* keys", name);
		} else {
			ld_error(ld, &kn->start_mark, name, "unknown key");
		}
	}
}

/* A problem libyaml or the reader found, at its place */
static void yaml_error(struct vg_config_loader *ld, const struct vg_yaml_error *err)
{
	yaml_mark_t at = { .line = err->line ? err->line - 1 : 0,
			   .column = err->column ? err->column - 1 : 0 };

	ld_error(ld, err->line ? &at : NULL, NULL, "%s", err->msg);
}

int vg_config_load_buf(struct vg_config *c, const char *name, const char *buf, size_t len,
		       struct vg_config_errors *errs)
{
	struct vg_config_loader ld = { .c = c, .where = name, .errs = errs };
	struct vg_yaml_reader r;
	struct vg_yaml_error err;
	yaml_node_t *root;
	int rc;

	rc = vg_yaml_open(&r, buf, len, &err);
	if (rc == 0)
		rc = vg_yaml_next(&r, &err);
	if (rc < 0) {
		if (rc == -EINVAL)
			yaml_error(&ld, &err);
		vg_yaml_close(&r);
		return rc;
	}
	root = rc > 0 ? yaml_document_get_root_node(&r.doc) : NULL;
	ld.doc = &r.doc;
	if (root && root->type == YAML_MAPPING_NODE)
		walk_mapping(&ld, root, "");
	else if (root && !vg_yaml_is_null(root))
		ld_error(&ld, &root->start_mark, NULL,
			 "the configuration must be a mapping of keys");
	/* One document only: a second one would be silently ignored. */
	if (!ld.failed && rc > 0) {
		rc = vg_yaml_next(&r, &err);
		if (rc < 0)
			yaml_error(&ld, &err);
		else if (rc > 0)
			ld_error(&ld, &yaml_document_get_root_node(&r.doc)->start_mark, NULL,
				 "more than one YAML document");
	}
	vg_yaml_close(&r);
	return ld.failed ? -EINVAL : 0;
}

int vg_config_load_file(struct vg_config *c, const char *path, struct vg_config_errors *errs)
{
	struct vg_yaml_error err;
	char *buf;
	size_t n;
	int ret;

	ret = vg_yaml_read_file(path, VG_CONFIG_FILE_MAX, &buf, &n, &err);
	if (ret < 0) {
		if (ret != -ENOENT) /* the caller decides whether no file is an error */
			vg_config_add_error(errs, path, NULL, NULL, "%s", err.msg);
		return ret;
	}
	ret = vg_config_load_buf(c, path, buf, n, errs);
	free(buf);
	return ret;
}

int vg_config_set_kv(struct vg_config *c, const char *key, const char *value, const char *origin,
		     struct vg_config_errors *errs)
{
	const struct vg_config_key *k = vg_config_key_find(key);
	struct vg_config_loader ld = { .c = c, .where = origin, .errs = errs };
	struct vg_yaml_reader r;
	struct vg_yaml_error err;
	yaml_node_t *root;
	yaml_node_t empty = { .type = YAML_SCALAR_NODE };
	int rc;

	if (!k) {
		vg_config_add_error(errs, origin, NULL, key,
				    is_group(key) ? "is a group: name one of its keys"
						  : "unknown key");
		return -EINVAL;
	}
	rc = vg_yaml_open(&r, value, strlen(value), &err);
	if (rc == 0)
		rc = vg_yaml_next(&r, &err);
	if (rc < 0) {
		/* err.msg reads "YAML: what" */
		if (rc == -EINVAL)
			vg_config_add_error(errs, origin, NULL, key, "value is not valid YAML: %s",
					    strncmp(err.msg, "YAML: ", 6) ? err.msg : err.msg + 6);
		vg_yaml_close(&r);
		return rc;
	}
	ld.doc = &r.doc;
	root = rc > 0 ? yaml_document_get_root_node(&r.doc) : NULL;
	if (!root) { /* KEY= : the empty string (an empty list) */
		empty.data.scalar.value = (yaml_char_t *)"";
		empty.data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
		root = &empty;
	}
	/* Errors from a --set have no line: the value is one line. */
	{
		unsigned before = errs->n;

		set_node(&ld, k, root, NULL);
		for (unsigned i = before; i < errs->n; i++)
			errs->e[i].line = errs->e[i].column = 0;
	}
	vg_yaml_close(&r);
	return ld.failed ? -EINVAL : 0;
}

int vg_config_set(struct vg_config *c, const char *assignment, const char *origin,
		  struct vg_config_errors *errs)
{
	const char *eq = strchr(assignment, '=');
	char key[128];

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(key)) {
		vg_config_add_error(errs, origin, NULL, NULL, "'%.64s' is not KEY=VALUE",
				    assignment);
		return -EINVAL;
	}
	memcpy(key, assignment, (size_t)(eq - assignment));
	key[eq - assignment] = 0;
	return vg_config_set_kv(c, key, eq + 1, origin, errs);
}

int vg_config_set_list(struct vg_config *c, const char *key, const char *const *items,
		       unsigned n, const char *origin, struct vg_config_errors *errs)
{
	const struct vg_config_key *k = vg_config_key_find(key);
	struct vg_config_loader ld = { .c = c, .where = origin, .errs = errs };
	struct vg_strlist fresh = { 0 };

	if (!k || k->type != VG_CT_LIST) {
		vg_config_add_error(errs, origin, NULL, key, "not a list key");
		return -EINVAL;
	}
	for (unsigned i = 0; i < n; i++)
		if (vg_config_list_add(&ld, k, &fresh, items[i], strlen(items[i]), NULL)) {
			vg_strlist_clear(&fresh);
			return -EINVAL;
		}
	vg_strlist_clear(vg_config_field(c, k));
	*(struct vg_strlist *)vg_config_field(c, k) = fresh;
	return 0;
}

