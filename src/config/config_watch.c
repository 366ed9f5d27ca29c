/* The ph.watch key (config_watch.h). Each entry is a program's absolute
 * path, or a mapping of its path and its own pH settings (schema.c,
 * vg_config_watch_keys): normal_wait, coverage_runs, anomaly_limit and
 * ignore_calls. Errors name the entry and the setting
 * ("ph.watch[2].normal_wait: ..."), at the value's line and column. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_values.h"
#include "config/config_watch.h"
#include "sensor/syscalls.h"
#include "util/parse.h"

#define ANOMALY_LIMIT_MAX 1000000000ull

/* "ph.watch[N].setting": where an error is, by entry (1-based) */
static const char *entry_key(char *buf, size_t len, const struct vg_config_key *k, unsigned idx,
			     const char *setting)
{
	snprintf(buf, len, "%s[%u]%s%s", k->name, idx + 1, setting ? "." : "",
		 setting ? setting : "");
	return buf;
}

/* A scalar's text, refused when it holds a NUL byte or is too long. */
static const char *scalar_text(struct vg_config_loader *ld, const char *key, const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;

	if (n->type != YAML_SCALAR_NODE) {
		ld_error(ld, &n->start_mark, key, "expected a single value, got a %s",
			 n->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
		return NULL;
	}
	if (strlen(v) != n->data.scalar.length) {
		ld_error(ld, &n->start_mark, key, "contains a NUL byte");
		return NULL;
	}
	if (n->data.scalar.length > VG_CONFIG_STRING_MAX) {
		ld_error(ld, &n->start_mark, key, "longer than %d bytes", VG_CONFIG_STRING_MAX);
		return NULL;
	}
	return v;
}

static int set_path(struct vg_config_loader *ld, const struct vg_config_key *k, const char *key,
		    const yaml_node_t *n, char **out)
{
	const char *v = scalar_text(ld, key, n);
	char why[200];

	if (!v)
		return -EINVAL;
	if (k->check && k->check(v, why, sizeof(why))) {
		ld_error(ld, &n->start_mark, key, "%s", why);
		return -EINVAL;
	}
	free(*out);
	*out = strdup(v);
	if (!*out) {
		ld_error(ld, &n->start_mark, key, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

/* A number or a duration, in the range of the global key `global`
 * (ANOMALY_LIMIT_MAX when there is none). */
static int set_number(struct vg_config_loader *ld, const char *key, const yaml_node_t *n,
		      const char *global, bool seconds, uint64_t *out)
{
	const struct vg_config_key *g = global ? vg_config_key_find(global) : NULL;
	uint64_t min = g ? g->min : 0, max = g ? g->max : ANOMALY_LIMIT_MAX, u;
	const char *v = scalar_text(ld, key, n);
	bool quoted;

	if (!v)
		return -EINVAL;
	quoted = n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		 n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	if (quoted || (seconds ? vg_config_parse_seconds(v, &u) : vg_parse_u64(v, &u))) {
		ld_error(ld, &n->start_mark, key, "expected %s, got '%.64s'",
			 vg_config_type_name(seconds ? VG_CT_SECONDS : VG_CT_UINT), v);
		return -EINVAL;
	}
	if (u < min || u > max) {
		ld_error(ld, &n->start_mark, key, "%llu is out of range: must be %llu to %llu",
			 (unsigned long long)u, (unsigned long long)min, (unsigned long long)max);
		return -EINVAL;
	}
	*out = u;
	return 0;
}

static int add_call(struct vg_config_loader *ld, const char *key, const yaml_node_t *n,
		    const char *name, size_t len, struct vg_strlist *l)
{
	char **grown, *copy;

	if (l->n == VG_CONFIG_WATCH_CALLS_MAX) {
		ld_error(ld, &n->start_mark, key, "more than %d calls", VG_CONFIG_WATCH_CALLS_MAX);
		return -E2BIG;
	}
	copy = strndup(name, len);
	if (!copy) {
		ld_error(ld, &n->start_mark, key, "out of memory");
		return -ENOMEM;
	}
	if (vg_syscall_nr(copy) < 0) {
		ld_error(ld, &n->start_mark, key, "'%.64s' is not a system call name", copy);
		free(copy);
		return -EINVAL;
	}
	for (unsigned i = 0; i < l->n; i++)
		if (!strcmp(l->items[i], copy)) {
			ld_error(ld, &n->start_mark, key, "'%.64s' is listed twice", copy);
			free(copy);
			return -EINVAL;
		}
	grown = realloc(l->items, (l->n + 1) * sizeof(*grown));
	if (!grown) {
		free(copy);
		ld_error(ld, &n->start_mark, key, "out of memory");
		return -ENOMEM;
	}
	grown[l->n++] = copy;
	l->items = grown;
	return 0;
}

/* ignore_calls: a sequence of names, or one scalar "futex, poll". */
static int set_calls(struct vg_config_loader *ld, const char *key, const yaml_node_t *n,
		     struct vg_strlist *out)
{
	struct vg_strlist l = { 0 };
	int ret = 0;

	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top && !ret; it++) {
			yaml_node_t *item = yaml_document_get_node(ld->doc, *it);
			const char *v = item ? scalar_text(ld, key, item) : NULL;

			ret = v ? add_call(ld, key, item, v, strlen(v), &l) : -EINVAL;
		}
	} else {
		const char *v = scalar_text(ld, key, n);

		const char *s, *e;

		for (const char *p = v; !ret && vg_next_list_item(&p, &s, &e);)
			if (e > s)
				ret = add_call(ld, key, n, s, (size_t)(e - s), &l);
		if (!v)
			ret = -EINVAL;
	}
	if (ret) {
		vg_strlist_clear(&l);
		return ret;
	}
	vg_strlist_clear(out);
	*out = l;
	return 0;
}

static void entry_clear(struct vg_watch_entry *e)
{
	free(e->path);
	vg_strlist_clear(&e->ignore_calls);
	memset(e, 0, sizeof(*e));
}

static void entry_unset(struct vg_watch_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->normal_wait = e->coverage_runs = e->anomaly_limit = VG_CONFIG_UNSET;
}

/* One mapping: {path: ..., setting: value ...}. */
static int parse_mapping(struct vg_config_loader *ld, const struct vg_config_key *k, unsigned idx,
			 yaml_node_t *node, struct vg_watch_entry *e)
{
	char key[160];
	int ret = 0;

	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top && ret != -ENOMEM; p++) {
		yaml_node_t *kn = yaml_document_get_node(ld->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(ld->doc, p->value);
		const char *name = kn ? scalar_text(ld, entry_key(key, sizeof(key), k, idx, NULL), kn)
				      : NULL;
		bool seen = false;
		int r;

		if (!name || !vn) {
			ret = -EINVAL;
			continue;
		}
		entry_key(key, sizeof(key), k, idx, name);
		if (!strcmp(name, "path")) {
			seen = e->path != NULL;
			r = seen ? 0 : set_path(ld, k, key, vn, &e->path);
		} else if (!strcmp(name, "normal_wait")) {
			seen = e->normal_wait != VG_CONFIG_UNSET;
			r = seen ? 0
				   : set_number(ld, key, vn, "ph.normal_wait", true, &e->normal_wait);
		} else if (!strcmp(name, "coverage_runs")) {
			seen = e->coverage_runs != VG_CONFIG_UNSET;
			r = seen ? 0
				   : set_number(ld, key, vn, "ph.coverage_runs", false,
						&e->coverage_runs);
		} else if (!strcmp(name, "anomaly_limit")) {
			seen = e->anomaly_limit != VG_CONFIG_UNSET;
			r = seen ? 0 : set_number(ld, key, vn, NULL, false, &e->anomaly_limit);
		} else if (!strcmp(name, "ignore_calls")) {
			seen = e->ignore_calls.n > 0;
			r = seen ? 0 : set_calls(ld, key, vn, &e->ignore_calls);
		} else {
			ld_error(ld, &kn->start_mark, key,
				 "unknown setting (path, normal_wait, coverage_runs, anomaly_limit, "
				 "ignore_calls)");
			r = -EINVAL;
		}
		if (seen) {
			ld_error(ld, &kn->start_mark, key, "given twice");
			r = -EINVAL;
		}
		if (r)
			ret = r;
	}
	if (!ret && !e->path) {
		ld_error(ld, &node->start_mark, entry_key(key, sizeof(key), k, idx, NULL),
			 "a mapping needs path: (the program)");
		return -EINVAL;
	}
	return ret;
}

/* Entry idx (its place in the list as written) of l. */
static int add_entry(struct vg_config_loader *ld, const struct vg_config_key *k,
		     struct vg_watch_list *l, unsigned idx, yaml_node_t *node, const char *path,
		     size_t len)
{
	struct vg_watch_entry e, *grown;
	char key[160];
	int ret;

	entry_key(key, sizeof(key), k, idx, NULL);
	if (l->n == k->max) {
		ld_error(ld, &node->start_mark, k->name, "more than %llu entries",
			 (unsigned long long)k->max);
		return -E2BIG;
	}
	entry_unset(&e);
	if (path) { /* an item of "a,b" */
		yaml_node_t one = *node;

		one.data.scalar.value = (yaml_char_t *)strndup(path, len);
		one.data.scalar.length = len;
		ret = one.data.scalar.value ? set_path(ld, k, key, &one, &e.path) : -ENOMEM;
		free(one.data.scalar.value);
	} else if (node->type == YAML_MAPPING_NODE) {
		ret = parse_mapping(ld, k, idx, node, &e);
	} else if (node->type == YAML_SCALAR_NODE) {
		ret = set_path(ld, k, key, node, &e.path);
	} else {
		ld_error(ld, &node->start_mark, key, "expected a path or a mapping, got a list");
		ret = -EINVAL;
	}
	for (unsigned i = 0; !ret && i < l->n; i++)
		if (!strcmp(l->e[i].path, e.path)) {
			ld_error(ld, &node->start_mark, key, "'%.64s' is listed twice", e.path);
			ret = -EINVAL;
		}
	grown = ret ? NULL : realloc(l->e, (l->n + 1) * sizeof(*grown));
	if (!ret && !grown) {
		ld_error(ld, &node->start_mark, key, "out of memory");
		ret = -ENOMEM;
	}
	if (ret) {
		entry_clear(&e);
		return ret;
	}
	grown[l->n++] = e;
	l->e = grown;
	return 0;
}

/* The paths array readers take (config.h). */
static int index_paths(struct vg_watch_list *l)
{
	free(l->paths);
	l->paths = calloc(l->n + 1, sizeof(*l->paths));
	if (!l->paths)
		return -ENOMEM;
	for (unsigned i = 0; i < l->n; i++)
		l->paths[i] = l->e[i].path;
	return 0;
}

void vg_config_set_watch(struct vg_config_loader *ld, const struct vg_config_key *k,
			 yaml_node_t *node)
{
	struct vg_watch_list fresh = { 0 }, *slot = vg_config_field(ld->c, k);
	int ret = 0;

	if (node->type == YAML_SCALAR_NODE) {
		const char *v = scalar_text(ld, k->name, node);

		/* "a,b": the command line's form (--ph-watch PATH,PATH) */
		const char *s, *e;

		for (const char *p = v; !ret && vg_next_list_item(&p, &s, &e);) {
			if (e == s) {
				ld_error(ld, &node->start_mark, k->name, "empty item in '%.64s'", v);
				ret = -EINVAL;
				break;
			}
			ret = add_entry(ld, k, &fresh, fresh.n, node, s, (size_t)(e - s));
		}
		if (!v)
			ret = -EINVAL;
	} else if (node->type == YAML_SEQUENCE_NODE) {
		/* every entry is checked, so that one run names every problem */
		for (yaml_node_item_t *it = node->data.sequence.items.start;
		     it < node->data.sequence.items.top && ret != -E2BIG && ret != -ENOMEM; it++) {
			yaml_node_t *item = yaml_document_get_node(ld->doc, *it);
			unsigned idx = (unsigned)(it - node->data.sequence.items.start);
			int r = item ? add_entry(ld, k, &fresh, idx, item, NULL, 0) : -EINVAL;

			if (r)
				ret = r;
		}
	} else {
		ld_error(ld, &node->start_mark, k->name,
			 "expected a list of paths or {path: ...} mappings, got a mapping");
		ret = -EINVAL;
	}
	if (!ret && index_paths(&fresh)) {
		ld_error(ld, &node->start_mark, k->name, "out of memory");
		ret = -ENOMEM;
	}
	if (ret) {
		vg_watch_list_clear(&fresh);
		return;
	}
	vg_watch_list_clear(slot);
	*slot = fresh;
}

#define APPEND(...)                                                                                \
	(at += (size_t)snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, __VA_ARGS__))

int vg_config_format_watch(const struct vg_watch_list *l, char *buf, size_t len)
{
	char item[VG_CONFIG_STRING_MAX * 4 + 8];
	size_t at = 0;

	APPEND("[");
	for (unsigned i = 0; i < l->n; i++) {
		const struct vg_watch_entry *e = &l->e[i];
		bool plain = e->normal_wait == VG_CONFIG_UNSET &&
			     e->coverage_runs == VG_CONFIG_UNSET &&
			     e->anomaly_limit == VG_CONFIG_UNSET && !e->ignore_calls.n;

		vg_config_yaml_string(item, sizeof(item), e->path);
		APPEND("%s%s%s", i ? ", " : "", plain ? "" : "{path: ", item);
		if (plain)
			continue;
		if (e->normal_wait != VG_CONFIG_UNSET)
			APPEND(", normal_wait: %llu", (unsigned long long)e->normal_wait);
		if (e->coverage_runs != VG_CONFIG_UNSET)
			APPEND(", coverage_runs: %llu", (unsigned long long)e->coverage_runs);
		if (e->anomaly_limit != VG_CONFIG_UNSET)
			APPEND(", anomaly_limit: %llu", (unsigned long long)e->anomaly_limit);
		if (e->ignore_calls.n) {
			APPEND(", ignore_calls: [");
			for (unsigned j = 0; j < e->ignore_calls.n; j++)
				APPEND("%s%s", j ? ", " : "", e->ignore_calls.items[j]);
			APPEND("]");
		}
		APPEND("}");
	}
	APPEND("]");
	return (int)at;
}

void vg_watch_list_clear(struct vg_watch_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		entry_clear(&l->e[i]);
	free(l->e);
	free(l->paths);
	memset(l, 0, sizeof(*l));
}
