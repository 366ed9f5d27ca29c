/* Loading the configuration: libyaml builds the document (with line and
 * column marks), then each mapping key is looked up in the schema and its
 * value checked against the key's type and range before it replaces the
 * current one. Every problem is recorded with where it is; loading goes on
 * after an error so one run of `vigil config check` shows them all. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <strings.h>
#include <yaml.h>

#include "config/config.h"
#include "util/parse.h"
#include "util/safe_file.h"
#include "util/yaml_guard.h"

static const char *const output_types[] = { "stdout", "file", "syslog", "webhook", "program" };

struct loader {
	struct vg_config *c;
	const char *where;
	yaml_document_t *doc;
	struct vg_config_errors *errs;
	unsigned seen[64]; /* line of each key's first setting; 0 = not yet */
	int failed;
};

static void add_error(struct vg_config_errors *errs, const char *where, const yaml_mark_t *mark,
		      const char *key, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void add_error(struct vg_config_errors *errs, const char *where, const yaml_mark_t *mark,
		      const char *key, const char *fmt, ...)
{
	struct vg_config_error *e;
	va_list ap;

	errs->total++;
	if (errs->n == VG_CONFIG_ERRORS_MAX)
		return;
	e = &errs->e[errs->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->where, sizeof(e->where), "%s", where);
	if (mark) {
		e->line = (unsigned)mark->line + 1;
		e->column = (unsigned)mark->column + 1;
	}
	snprintf(e->key, sizeof(e->key), "%s", key ? key : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

#define ld_error(ld, mark, key, ...)                                                               \
	do {                                                                                       \
		add_error((ld)->errs, (ld)->where, (mark), (key), __VA_ARGS__);                    \
		(ld)->failed = 1;                                                                  \
	} while (0)

void vg_config_error_format(const struct vg_config_error *e, char *buf, size_t len)
{
	const char *sep = e->key[0] ? ": " : "";

	if (e->line)
		snprintf(buf, len, "%s:%u:%u: %s%s%s", e->where, e->line, e->column, e->key, sep,
			 e->msg);
	else
		snprintf(buf, len, "%s: %s%s%s", e->where, e->key, sep, e->msg);
}

/* ---- values */

static void strlist_clear(struct vg_strlist *l)
{
	for (unsigned i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static void output_clear(struct vg_output_entry *o)
{
	free(o->type);
	for (unsigned i = 0; i < o->nkv; i++) {
		free(o->kv[i].key);
		free(o->kv[i].value);
	}
	memset(o, 0, sizeof(*o));
}

static void outputs_clear(struct vg_config *c)
{
	for (unsigned i = 0; i < c->noutputs; i++)
		output_clear(&c->outputs[i]);
	c->noutputs = 0;
}

static void *field(struct vg_config *c, const struct vg_config_key *k)
{
	return (char *)c + k->offset;
}

static const void *cfield(const struct vg_config *c, const struct vg_config_key *k)
{
	return (const char *)c + k->offset;
}

static const char *type_name(enum vg_config_type t)
{
	switch (t) {
	case VG_CT_BOOL: return "true or false";
	case VG_CT_UINT: return "a number";
	case VG_CT_SIZE: return "a size (bytes, K/M/G suffix)";
	case VG_CT_SECONDS: return "a duration (seconds, s/m/h/d suffix)";
	case VG_CT_STRING: return "a string";
	case VG_CT_ENUM: return "one of the names";
	case VG_CT_LIST: return "a list of strings";
	case VG_CT_OUTPUTS: return "a list of outputs";
	}
	return "?";
}

static int format_size(char *buf, size_t len, uint64_t v);

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on" }, *const no[] = { "false", "no", "off" };

	for (unsigned i = 0; i < 3; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_seconds(const char *s, uint64_t *out)
{
	char num[32];
	size_t n = strlen(s);
	uint64_t mult = 1, v;

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 's': mult = 1; break;
	case 'm': mult = 60; break;
	case 'h': mult = 3600; break;
	case 'd': mult = 86400; break;
	default: mult = 0; break;
	}
	if (mult)
		num[n - 1] = 0;
	if (vg_parse_u64(num, &v))
		return -EINVAL;
	if (mult && v > UINT64_MAX / mult)
		return -ERANGE;
	*out = v * (mult ? mult : 1);
	return 0;
}

static bool in_choices(const char *choices, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = choices; *p;) {
		size_t w = strcspn(p, "|");

		if (w == n && !strncmp(p, v, n))
			return true;
		p += w + (p[w] == '|');
	}
	return false;
}

/* One string: the string types, and each item of a list. */
static int check_string(struct loader *ld, const struct vg_config_key *k, const char *v, size_t n,
			const yaml_mark_t *mark)
{
	char why[200];

	if (strlen(v) != n) {
		ld_error(ld, mark, k->name, "contains a NUL byte");
		return -EINVAL;
	}
	if (n > VG_CONFIG_STRING_MAX) {
		ld_error(ld, mark, k->name, "longer than %d bytes", VG_CONFIG_STRING_MAX);
		return -EINVAL;
	}
	if (k->check && k->check(v, why, sizeof(why))) {
		ld_error(ld, mark, k->name, "%s", why);
		return -EINVAL;
	}
	return 0;
}

/* A scalar for a scalar key: checked in full before it is stored. */
static void set_scalar(struct loader *ld, const struct vg_config_key *k, const yaml_node_t *node)
{
	const char *v = (const char *)node->data.scalar.value;
	size_t n = node->data.scalar.length;
	const yaml_mark_t *mark = &node->start_mark;
	bool quoted = node->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		      node->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	uint64_t u = 0;
	bool b;
	int ret;

	switch (k->type) {
	case VG_CT_BOOL:
		if (quoted || parse_bool(v, &b)) {
			ld_error(ld, mark, k->name, "expected true or false, got '%.64s'", v);
			return;
		}
		*(bool *)field(ld->c, k) = b;
		return;
	case VG_CT_UINT:
	case VG_CT_SIZE:
	case VG_CT_SECONDS:
		ret = quoted ? -EINVAL
		      : k->type == VG_CT_UINT ? vg_parse_u64(v, &u)
		      : k->type == VG_CT_SIZE ? vg_parse_size(v, &u)
					      : parse_seconds(v, &u);
		if (ret) {
			ld_error(ld, mark, k->name, "expected %s, got '%.64s'", type_name(k->type), v);
			return;
		}
		if (k->pow2 && (u < k->min || u > k->max || (u & (u - 1)))) {
			char lo[32], hi[32];

			format_size(lo, sizeof(lo), k->min);
			format_size(hi, sizeof(hi), k->max);
			ld_error(ld, mark, k->name, "%llu must be a power of two from %s to %s",
				 (unsigned long long)u, lo, hi);
			return;
		}
		if (u < k->min || u > k->max) {
			ld_error(ld, mark, k->name, "%llu is out of range: must be %llu to %llu",
				 (unsigned long long)u, (unsigned long long)k->min,
				 (unsigned long long)k->max);
			return;
		}
		*(uint64_t *)field(ld->c, k) = u;
		return;
	case VG_CT_ENUM:
		if (strlen(v) != n || !in_choices(k->choices, v)) {
			ld_error(ld, mark, k->name, "'%.64s' is not one of %s", v, k->choices);
			return;
		}
		/* fall through */
	case VG_CT_STRING: {
		char **slot = field(ld->c, k), *copy;

		if (check_string(ld, k, v, n, mark))
			return;
		copy = strdup(v);
		if (!copy) {
			ld_error(ld, mark, k->name, "out of memory");
			return;
		}
		free(*slot);
		*slot = copy;
		return;
	}
	default:
		return;
	}
}

/* Adds one item to a list being built; checked first. */
static int list_add(struct loader *ld, const struct vg_config_key *k, struct vg_strlist *l,
		    const char *v, size_t n, const yaml_mark_t *mark)
{
	char **grown, *copy;

	if (l->n == k->max) {
		ld_error(ld, mark, k->name, "more than %llu items", (unsigned long long)k->max);
		return -E2BIG;
	}
	if (memchr(v, 0, n)) {
		ld_error(ld, mark, k->name, "contains a NUL byte");
		return -EINVAL;
	}
	copy = strndup(v, n);
	if (!copy || check_string(ld, k, copy, n, mark)) {
		if (!copy)
			ld_error(ld, mark, k->name, "out of memory");
		free(copy);
		return -EINVAL;
	}
	grown = realloc(l->items, (l->n + 1) * sizeof(*grown));
	if (!grown) {
		free(copy);
		ld_error(ld, mark, k->name, "out of memory");
		return -ENOMEM;
	}
	grown[l->n++] = copy;
	l->items = grown;
	return 0;
}

/* A list: a YAML sequence of scalars, or one scalar of comma-separated
 * items (handy on the command line: --set sensor.syscalls=openat,connect). */
static void set_list(struct loader *ld, const struct vg_config_key *k, const yaml_node_t *node)
{
	struct vg_strlist fresh = { 0 }, *slot = field(ld->c, k);
	int ret = 0;

	if (node->type == YAML_SCALAR_NODE) {
		const char *v = (const char *)node->data.scalar.value;
		size_t n = node->data.scalar.length;

		if (strlen(v) != n) {
			ld_error(ld, &node->start_mark, k->name, "contains a NUL byte");
			return;
		}
		for (const char *p = v; *p && !ret;) {
			size_t w = strcspn(p, ",");
			const char *s = p, *e = p + w;

			while (s < e && *s == ' ')
				s++;
			while (e > s && e[-1] == ' ')
				e--;
			if (e == s) {
				ld_error(ld, &node->start_mark, k->name, "empty item in '%.64s'", v);
				ret = -EINVAL;
				break;
			}
			ret = list_add(ld, k, &fresh, s, (size_t)(e - s), &node->start_mark);
			p += w + (p[w] == ',');
		}
	} else if (node->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = node->data.sequence.items.start;
		     it < node->data.sequence.items.top && !ret; it++) {
			yaml_node_t *item = yaml_document_get_node(ld->doc, *it);

			if (!item || item->type != YAML_SCALAR_NODE) {
				ld_error(ld, item ? &item->start_mark : &node->start_mark, k->name,
					 "list items must be strings");
				ret = -EINVAL;
				break;
			}
			ret = list_add(ld, k, &fresh, (const char *)item->data.scalar.value,
				       item->data.scalar.length, &item->start_mark);
		}
	} else {
		ld_error(ld, &node->start_mark, k->name, "expected a list, got a mapping");
		ret = -EINVAL;
	}
	if (ret) {
		strlist_clear(&fresh);
		return;
	}
	strlist_clear(slot);
	*slot = fresh;
}

static bool good_output_key(const char *s, size_t n)
{
	if (n == 0 || n > 64 || strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* One entry of outputs: a mapping of scalars, one of them `type`. */
static int parse_output(struct loader *ld, const struct vg_config_key *k, yaml_node_t *node,
			struct vg_output_entry *o)
{
	if (node->type != YAML_MAPPING_NODE) {
		ld_error(ld, &node->start_mark, k->name, "each output is a mapping with a type:");
		return -EINVAL;
	}
	o->line = (unsigned)node->start_mark.line + 1;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; p < node->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = yaml_document_get_node(ld->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(ld->doc, p->value);
		const char *key, *val;
		size_t vlen;

		if (!kn || !vn || kn->type != YAML_SCALAR_NODE ||
		    !good_output_key((const char *)kn->data.scalar.value, kn->data.scalar.length)) {
			ld_error(ld, kn ? &kn->start_mark : &node->start_mark, k->name,
				 "output keys are names of a-z, 0-9 and _");
			return -EINVAL;
		}
		key = (const char *)kn->data.scalar.value;
		if (vn->type != YAML_SCALAR_NODE) {
			ld_error(ld, &vn->start_mark, k->name, "output key '%s' must have a scalar value",
				 key);
			return -EINVAL;
		}
		val = (const char *)vn->data.scalar.value;
		vlen = vn->data.scalar.length;
		if (strlen(val) != vlen || vlen > VG_CONFIG_STRING_MAX) {
			ld_error(ld, &vn->start_mark, k->name,
				 "output key '%s': value has a NUL byte or is too long", key);
			return -EINVAL;
		}
		if (!strcmp(key, "type")) {
			bool known = false;

			for (unsigned i = 0; i < sizeof(output_types) / sizeof(output_types[0]); i++)
				known |= !strcmp(val, output_types[i]);
			if (!known) {
				ld_error(ld, &vn->start_mark, k->name,
					 "unknown output type '%.64s' (stdout, file, syslog, webhook, program)",
					 val);
				return -EINVAL;
			}
			if (o->type) {
				ld_error(ld, &kn->start_mark, k->name, "type given twice");
				return -EINVAL;
			}
			if (!(o->type = strdup(val)))
				return -ENOMEM;
			continue;
		}
		for (unsigned i = 0; i < o->nkv; i++)
			if (!strcmp(o->kv[i].key, key)) {
				ld_error(ld, &kn->start_mark, k->name,
					 "output key '%s' given twice (first on line %u)", key,
					 o->kv[i].line);
				return -EINVAL;
			}
		if (o->nkv == VG_CONFIG_OUTPUT_KEYS_MAX) {
			ld_error(ld, &kn->start_mark, k->name, "more than %d keys in one output",
				 VG_CONFIG_OUTPUT_KEYS_MAX);
			return -E2BIG;
		}
		o->kv[o->nkv].key = strdup(key);
		o->kv[o->nkv].value = strdup(val);
		o->kv[o->nkv].line = (unsigned)kn->start_mark.line + 1;
		o->nkv++;
		if (!o->kv[o->nkv - 1].key || !o->kv[o->nkv - 1].value)
			return -ENOMEM;
	}
	if (!o->type) {
		ld_error(ld, &node->start_mark, k->name, "output without a type:");
		return -EINVAL;
	}
	return 0;
}

static void set_outputs(struct loader *ld, const struct vg_config_key *k, yaml_node_t *node)
{
	struct vg_output_entry *fresh;
	unsigned n = 0;
	int ret = 0;

	if (node->type != YAML_SEQUENCE_NODE) {
		ld_error(ld, &node->start_mark, k->name, "expected a list of outputs");
		return;
	}
	fresh = calloc(VG_CONFIG_OUTPUTS_MAX, sizeof(*fresh));
	if (!fresh) {
		ld_error(ld, &node->start_mark, k->name, "out of memory");
		return;
	}
	for (yaml_node_item_t *it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top && !ret; it++) {
		yaml_node_t *item = yaml_document_get_node(ld->doc, *it);

		if (n == VG_CONFIG_OUTPUTS_MAX) {
			ld_error(ld, &node->start_mark, k->name, "more than %d outputs",
				 VG_CONFIG_OUTPUTS_MAX);
			ret = -E2BIG;
			break;
		}
		if (!item)
			ret = -EINVAL;
		else
			ret = parse_output(ld, k, item, &fresh[n++]);
		if (ret == -ENOMEM)
			ld_error(ld, &node->start_mark, k->name, "out of memory");
	}
	if (!ret) {
		outputs_clear(ld->c);
		memcpy(ld->c->outputs, fresh, n * sizeof(*fresh));
		ld->c->noutputs = n;
	} else {
		for (unsigned i = 0; i < n; i++)
			output_clear(&fresh[i]);
	}
	free(fresh);
}

static void set_node(struct loader *ld, const struct vg_config_key *k, yaml_node_t *node,
		     const yaml_mark_t *key_mark)
{
	unsigned idx = (unsigned)(k - vg_config_keys);

	if (idx < sizeof(ld->seen) / sizeof(ld->seen[0])) {
		if (ld->seen[idx]) {
			ld_error(ld, key_mark, k->name, "given twice (first on line %u)", ld->seen[idx]);
			return;
		}
		ld->seen[idx] = key_mark ? (unsigned)key_mark->line + 1 : 1;
	}
	if (k->type == VG_CT_LIST) {
		set_list(ld, k, node);
	} else if (k->type == VG_CT_OUTPUTS) {
		set_outputs(ld, k, node);
	} else if (node->type != YAML_SCALAR_NODE) {
		ld_error(ld, &node->start_mark, k->name, "expected %s, got a %s", type_name(k->type),
			 node->type == YAML_SEQUENCE_NODE ? "list" : "mapping");
	} else {
		set_scalar(ld, k, node);
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

static bool is_null(const yaml_node_t *node)
{
	const char *v = (const char *)node->data.scalar.value;

	return node->type == YAML_SCALAR_NODE && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*v || !strcmp(v, "~") || !strcmp(v, "null"));
}

static void walk_mapping(struct loader *ld, yaml_node_t *map, const char *prefix)
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
			else if (!is_null(vn))
				ld_error(ld, &vn->start_mark, name,
					 "expected a mapping of the %s.* keys", name);
		} else {
			ld_error(ld, &kn->start_mark, name, "unknown key");
		}
	}
}

static void yaml_error(struct loader *ld, const yaml_parser_t *p)
{
	const yaml_mark_t *mark = p->problem ? &p->problem_mark : &p->context_mark;

	ld_error(ld, mark, NULL, "YAML: %s%s%s", p->problem ? p->problem : "syntax error",
		 p->context ? " " : "", p->context ? p->context : "");
}

int vg_config_load_buf(struct vg_config *c, const char *name, const char *buf, size_t len,
		       struct vg_config_errors *errs)
{
	struct loader ld = { .c = c, .where = name, .errs = errs };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	unsigned deep_line;

	if (vg_yaml_flow_depth_check(buf, len, VG_YAML_MAX_FLOW_DEPTH, &deep_line)) {
		yaml_mark_t at = { .line = deep_line - 1 };

		add_error(errs, name, &at, NULL,
			  "YAML: brackets nested deeper than %d: refused before parsing",
			  VG_YAML_MAX_FLOW_DEPTH);
		return -EINVAL;
	}
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_error(&ld, &parser);
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	ld.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE)
		walk_mapping(&ld, root, "");
	else if (root && !is_null(root))
		ld_error(&ld, &root->start_mark, NULL, "the configuration must be a mapping of keys");
	/* One document only: a second one would be silently ignored. */
	if (!ld.failed) {
		yaml_document_t next;

		if (!yaml_parser_load(&parser, &next)) {
			yaml_error(&ld, &parser);
		} else {
			if (yaml_document_get_root_node(&next))
				ld_error(&ld, &yaml_document_get_root_node(&next)->start_mark, NULL,
					 "more than one YAML document");
			yaml_document_delete(&next);
		}
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return ld.failed ? -EINVAL : 0;
}

int vg_config_load_file(struct vg_config *c, const char *path, struct vg_config_errors *errs)
{
	char why[600];
	/* a FIFO or device is refused before any open that could block */
	int fd = vg_safe_open_read(path, false, why, sizeof(why));
	FILE *f = fd >= 0 ? fdopen(fd, "re") : NULL;
	char *buf;
	size_t n;
	int ret;

	if (!f) {
		ret = fd < 0 ? fd : -errno;
		if (fd >= 0)
			close(fd);
		if (ret != -ENOENT)
			add_error(errs, path, NULL, NULL, "cannot open: %s",
				  fd == -EINVAL ? "not a regular file (a FIFO or device): refused" :
						  strerror(-ret));
		return ret;
	}
	buf = malloc(VG_CONFIG_FILE_MAX + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, VG_CONFIG_FILE_MAX + 1, f);
	if (ferror(f)) {
		ret = -EIO;
		add_error(errs, path, NULL, NULL, "cannot read: %s", strerror(errno));
	} else if (n > VG_CONFIG_FILE_MAX) {
		ret = -EFBIG;
		add_error(errs, path, NULL, NULL, "larger than %u bytes", VG_CONFIG_FILE_MAX);
	} else {
		ret = vg_config_load_buf(c, path, buf, n, errs);
	}
	free(buf);
	fclose(f);
	return ret;
}

int vg_config_set_kv(struct vg_config *c, const char *key, const char *value, const char *origin,
		     struct vg_config_errors *errs)
{
	const struct vg_config_key *k = vg_config_key_find(key);
	struct loader ld = { .c = c, .where = origin, .errs = errs };
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	yaml_node_t empty = { .type = YAML_SCALAR_NODE };

	if (!k) {
		add_error(errs, origin, NULL, key, is_group(key) ? "is a group: name one of its keys"
								 : "unknown key");
		return -EINVAL;
	}
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)value, strlen(value));
	if (!yaml_parser_load(&parser, &doc)) {
		add_error(errs, origin, NULL, key, "value is not valid YAML: %s",
			  parser.problem ? parser.problem : "syntax error");
		yaml_parser_delete(&parser);
		return -EINVAL;
	}
	ld.doc = &doc;
	root = yaml_document_get_root_node(&doc);
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
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return ld.failed ? -EINVAL : 0;
}

int vg_config_set(struct vg_config *c, const char *assignment, const char *origin,
		  struct vg_config_errors *errs)
{
	const char *eq = strchr(assignment, '=');
	char key[128];

	if (!eq || eq == assignment || (size_t)(eq - assignment) >= sizeof(key)) {
		add_error(errs, origin, NULL, NULL, "'%.64s' is not KEY=VALUE", assignment);
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
	struct loader ld = { .c = c, .where = origin, .errs = errs };
	struct vg_strlist fresh = { 0 };

	if (!k || k->type != VG_CT_LIST) {
		add_error(errs, origin, NULL, key, "not a list key");
		return -EINVAL;
	}
	for (unsigned i = 0; i < n; i++)
		if (list_add(&ld, k, &fresh, items[i], strlen(items[i]), NULL)) {
			strlist_clear(&fresh);
			return -EINVAL;
		}
	strlist_clear(field(c, k));
	*(struct vg_strlist *)field(c, k) = fresh;
	return 0;
}

int vg_config_apply(struct vg_config *c, const struct vg_config_override *ov, unsigned n,
		    struct vg_config_errors *errs)
{
	int ret = 0;

	for (unsigned i = 0; i < n; i++) {
		int r = ov[i].items ? vg_config_set_list(c, ov[i].key, ov[i].items, ov[i].nitems,
							 ov[i].origin, errs)
			: ov[i].key ? vg_config_set_kv(c, ov[i].key, ov[i].value, ov[i].origin, errs)
				    : vg_config_set(c, ov[i].value, ov[i].origin, errs);

		if (r && !ret)
			ret = r;
	}
	return ret;
}

int vg_config_build(struct vg_config **out, const char *builtin_rules, const char *path,
		    const struct vg_config_override *ov, unsigned n, struct vg_config_errors *errs)
{
	struct vg_config *c;
	int ret = vg_config_new(&c, builtin_rules);

	*out = NULL;
	if (ret)
		return ret;
	ret = vg_config_load_file(c, path ? path : VG_CONFIG_DEFAULT_PATH, errs);
	if (ret == -ENOENT && !path)
		ret = 0; /* no default file: the built-in defaults */
	else if (ret == -ENOENT)
		add_error(errs, path, NULL, NULL, "no such file");
	if (!ret)
		ret = vg_config_apply(c, ov, n, errs);
	if (ret) {
		vg_config_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

int vg_config_new(struct vg_config **out, const char *builtin_rules)
{
	struct vg_config *c = calloc(1, sizeof(*c));
	struct vg_config_errors *errs = calloc(1, sizeof(*errs));
	int ret = 0;

	*out = NULL;
	if (!c || !errs || !(c->builtin_rules = strdup(builtin_rules ? builtin_rules : ""))) {
		free(errs);
		vg_config_free(c);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < vg_config_nkeys && !ret; i++)
		ret = vg_config_set_kv(c, vg_config_keys[i].name, vg_config_keys[i].def, "default",
				       errs);
	free(errs);
	if (ret) { /* a default that fails its own check: out of memory */
		vg_config_free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void vg_config_free(struct vg_config *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < vg_config_nkeys; i++) {
		const struct vg_config_key *k = &vg_config_keys[i];

		if (k->type == VG_CT_STRING || k->type == VG_CT_ENUM)
			free(*(char **)field(c, k));
		else if (k->type == VG_CT_LIST)
			strlist_clear(field(c, k));
	}
	outputs_clear(c);
	free(c->builtin_rules);
	free(c);
}

/* ---- printing */

/* A string as YAML: plain when that reads back the same, else quoted. */
static int yaml_string(char *buf, size_t len, const char *s)
{
	bool plain = *s && !strchr("-?:,[]{}#&*!|>'\"%@`~ ", s[0]) && s[strlen(s) - 1] != ' ' &&
		     strcmp(s, "null") && strcmp(s, "true") && strcmp(s, "false");
	size_t at = 0;

	for (const char *p = s; *p && plain; p++)
		plain = (unsigned char)*p >= 0x20 && *p != 0x7f && !strchr(",[]{}#\"'", *p) &&
			!(*p == ':' && (p[1] == ' ' || !p[1]));
	if (plain)
		return snprintf(buf, len, "%s", s);
	at += (size_t)snprintf(len ? buf : NULL, len, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[8];

		if (*p == '"' || *p == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
		else
			snprintf(esc, sizeof(esc), "%c", *p);
		at += (size_t)snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, "%s",
				       esc);
	}
	at += (size_t)snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, "\"");
	return (int)at;
}

static int format_size(char *buf, size_t len, uint64_t v)
{
	if (v && !(v & ((1ull << 30) - 1)))
		return snprintf(buf, len, "%lluG", (unsigned long long)(v >> 30));
	if (v && !(v & ((1ull << 20) - 1)))
		return snprintf(buf, len, "%lluM", (unsigned long long)(v >> 20));
	if (v && !(v & ((1ull << 10) - 1)))
		return snprintf(buf, len, "%lluK", (unsigned long long)(v >> 10));
	return snprintf(buf, len, "%llu", (unsigned long long)v);
}

#define APPEND(...)                                                                                \
	(at += (size_t)snprintf(at < len ? buf + at : NULL, at < len ? len - at : 0, __VA_ARGS__))

int vg_config_format(const struct vg_config *c, const struct vg_config_key *k, char *buf,
		     size_t len)
{
	char item[VG_CONFIG_STRING_MAX * 4 + 8];
	size_t at = 0;

	switch (k->type) {
	case VG_CT_BOOL:
		return snprintf(buf, len, "%s", *(const bool *)cfield(c, k) ? "true" : "false");
	case VG_CT_UINT:
	case VG_CT_SECONDS:
		return snprintf(buf, len, "%llu", (unsigned long long)*(const uint64_t *)cfield(c, k));
	case VG_CT_SIZE:
		return format_size(buf, len, *(const uint64_t *)cfield(c, k));
	case VG_CT_STRING:
	case VG_CT_ENUM:
		return yaml_string(buf, len, *(char *const *)cfield(c, k));
	case VG_CT_LIST: {
		const struct vg_strlist *l = cfield(c, k);

		APPEND("[");
		for (unsigned i = 0; i < l->n; i++) {
			yaml_string(item, sizeof(item), l->items[i]);
			APPEND("%s%s", i ? ", " : "", item);
		}
		APPEND("]");
		return (int)at;
	}
	case VG_CT_OUTPUTS:
		APPEND("[");
		for (unsigned i = 0; i < c->noutputs; i++) {
			const struct vg_output_entry *o = &c->outputs[i];

			APPEND("%s{type: %s", i ? ", " : "", o->type);
			for (unsigned j = 0; j < o->nkv; j++) {
				yaml_string(item, sizeof(item), o->kv[j].value);
				APPEND(", %s: %s", o->kv[j].key, item);
			}
			APPEND("}");
		}
		APPEND("]");
		return (int)at;
	}
	return 0;
}

/* Length of the group part of a key ("sensor" of "sensor.poll_ms"), or 0. */
static size_t group_len(const char *name)
{
	const char *dot = strchr(name, '.');

	return dot ? (size_t)(dot - name) : 0;
}

static bool same_group(const char *a, const char *b)
{
	size_t n = group_len(a);

	return n && n == group_len(b) && !strncmp(a, b, n);
}

void vg_config_show(const struct vg_config *c, FILE *out)
{
	for (unsigned i = 0; i < vg_config_nkeys; i++) {
		const struct vg_config_key *k = &vg_config_keys[i];
		size_t g = group_len(k->name), need = (size_t)vg_config_format(c, k, NULL, 0) + 1;
		char *buf = malloc(need);

		if (g && (i == 0 || !same_group(vg_config_keys[i - 1].name, k->name)))
			fprintf(out, "%.*s:\n", (int)g, k->name);
		if (buf)
			vg_config_format(c, k, buf, need);
		fprintf(out, "%s%s: %s", g ? "  " : "", k->name + (g ? g + 1 : 0), buf ? buf : "?");
		free(buf);
		if (k->type == VG_CT_LIST && k->offset == offsetof(struct vg_config, rules.files) &&
		    !c->rules.files.n)
			fprintf(out, "  # the default rules: %s", c->builtin_rules);
		fputc('\n', out);
	}
}

void vg_config_example(FILE *out)
{
	fprintf(out,
		"# vigil configuration: /etc/vigil/vigil.yaml (see vigil.yaml(5)).\n"
		"#\n"
		"# Every key is listed with its default, commented out: uncomment a line to\n"
		"# change it. `vigil config check` validates this file, `vigil config show`\n"
		"# prints the configuration in effect, and `vigil run --set KEY=VALUE`\n"
		"# overrides any key for one run. SIGHUP reloads this file and the rules;\n"
		"# keys marked (restart) take effect at the next start only.\n"
		"# This file is generated from vigil's key table (vigil config example).\n");
	for (unsigned i = 0; i < vg_config_nkeys; i++) {
		const struct vg_config_key *k = &vg_config_keys[i];
		size_t g = group_len(k->name);
		const char *ind = g ? "  " : "";

		if (!g || i == 0 || !same_group(vg_config_keys[i - 1].name, k->name))
			fputc('\n', out);
		if (g && (i == 0 || !same_group(vg_config_keys[i - 1].name, k->name)))
			fprintf(out, "#%.*s:\n", (int)g, k->name);
		fprintf(out, "%s# %s%s\n", ind, k->doc, k->live ? "" : " (restart)");
		fprintf(out, "%s#%s: %s\n", ind, k->name + (g ? g + 1 : 0), k->def);
	}
	fprintf(out,
		"\n# For example, JSON lines to a file and warnings and above to syslog:\n"
		"#outputs:\n"
		"#  - type: file\n"
		"#    path: /var/log/vigil/alerts.json\n"
		"#  - type: syslog\n"
		"#    min_priority: warning\n");
}

static const char *md_type(const struct vg_config_key *k, char *buf, size_t len)
{
	switch (k->type) {
	case VG_CT_BOOL: return "boolean";
	case VG_CT_UINT:
		snprintf(buf, len, "number, %llu to %llu", (unsigned long long)k->min,
			 (unsigned long long)k->max);
		return buf;
	case VG_CT_SIZE:
		snprintf(buf, len, "size, %llu to %llu bytes%s", (unsigned long long)k->min,
			 (unsigned long long)k->max, k->pow2 ? ", power of two" : "");
		return buf;
	case VG_CT_SECONDS:
		snprintf(buf, len, "seconds, %llu to %llu", (unsigned long long)k->min,
			 (unsigned long long)k->max);
		return buf;
	case VG_CT_STRING: return "string";
	case VG_CT_ENUM: {
		size_t at = (size_t)snprintf(buf, len, "one of ");

		for (const char *p = k->choices; *p && at < len - 3; p++)
			at += (size_t)snprintf(buf + at, len - at, "%s", *p == '|' ? ", " : (char[]){ *p, 0 });
		return buf;
	}
	case VG_CT_LIST:
		snprintf(buf, len, "list, at most %llu", (unsigned long long)k->max);
		return buf;
	case VG_CT_OUTPUTS:
		snprintf(buf, len, "list of mappings, at most %llu", (unsigned long long)k->max);
		return buf;
	}
	return "?";
}

void vg_config_markdown(FILE *out)
{
	char t[128];

	fprintf(out, "| key | type | default | reload | meaning |\n|---|---|---|---|---|\n");
	for (unsigned i = 0; i < vg_config_nkeys; i++) {
		const struct vg_config_key *k = &vg_config_keys[i];
		char doc[512];
		size_t at = 0;

		/* A | in the doc would end the cell. */
		for (const char *p = k->doc; *p && at < sizeof(doc) - 3; p++) {
			if (*p == '|')
				doc[at++] = '\\';
			doc[at++] = *p;
		}
		doc[at] = 0;
		fprintf(out, "| `%s` | %s | `%s` | %s | %s |\n", k->name, md_type(k, t, sizeof(t)),
			k->def, k->live ? "live" : "restart", doc);
	}
}
