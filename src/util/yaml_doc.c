/* Reading YAML for the rules and the configuration (yaml_doc.h). */
#include "util/yaml_doc.h"
#include "util/safe_file.h"
#include "util/yaml_guard.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

int vg_yaml_error_format(const char *file, const struct vg_yaml_error *e, char *buf, size_t size)
{
	if (e->line)
		return snprintf(buf, size, "%s:%u:%u: %s", file, e->line, e->column, e->msg);
	return snprintf(buf, size, "%s: %s", file, e->msg);
}

static void set_error(struct vg_yaml_error *err, unsigned line, unsigned column, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));

static void set_error(struct vg_yaml_error *err, unsigned line, unsigned column, const char *fmt,
		      ...)
{
	va_list ap;

	err->line = line;
	err->column = column;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* ---- files ---- */

int vg_yaml_read_file(const char *path, size_t max, char **buf, size_t *len,
		      struct vg_yaml_error *err)
{
	char why[600], esc[512];
	struct stat st;
	size_t got = 0, n;
	char *b;
	int fd;

	*buf = NULL;
	*len = 0;
	fd = vg_safe_open_read(path, false, why, sizeof(why));
	if (fd < 0) {
		/* why reads "PATH: cannot open: ...": the caller names the file */
		vg_escape(path, esc, sizeof(esc));
		n = strlen(esc);
		set_error(err, 0, 0, "%s",
			  !strncmp(why, esc, n) && !strncmp(why + n, ": ", 2) ? why + n + 2 : why);
		return fd;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		set_error(err, 0, 0, "not a regular file");
		close(fd);
		return -EINVAL;
	}
	if ((size_t)st.st_size > max) {
		set_error(err, 0, 0, "larger than %zu bytes", max);
		close(fd);
		return -EFBIG;
	}
	/* the size may change under us: read to the end, one byte past max */
	b = malloc(max + 2);
	if (!b) {
		close(fd);
		set_error(err, 0, 0, "out of memory");
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, b + got, max + 1 - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			set_error(err, 0, 0, "cannot read: %s", strerror(e));
			free(b);
			close(fd);
			return -e;
		}
		got += (size_t)r;
		if (r == 0 || got > max)
			break;
	}
	close(fd);
	if (got > max) {
		set_error(err, 0, 0, "larger than %zu bytes", max);
		free(b);
		return -EFBIG;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	return 0;
}

/* ---- documents ---- */

int vg_yaml_open(struct vg_yaml_reader *r, const char *buf, size_t len, struct vg_yaml_error *err)
{
	unsigned deep_line;

	memset(r, 0, sizeof(*r));
	/* libyaml's scanner is quadratic in the depth of flow collections */
	if (vg_yaml_flow_depth_check(buf, len, VG_YAML_MAX_FLOW_DEPTH, &deep_line)) {
		set_error(err, deep_line, 1,
			  "YAML: brackets nested deeper than %d: refused before parsing",
			  VG_YAML_MAX_FLOW_DEPTH);
		return -EINVAL;
	}
	if (!yaml_parser_initialize(&r->parser)) {
		set_error(err, 0, 0, "out of memory");
		return -ENOMEM;
	}
	r->parser_ok = true;
	yaml_parser_set_input_string(&r->parser, (const unsigned char *)buf, len);
	return 0;
}

int vg_yaml_next(struct vg_yaml_reader *r, struct vg_yaml_error *err)
{
	const yaml_parser_t *p = &r->parser;

	if (r->have_doc) {
		yaml_document_delete(&r->doc);
		r->have_doc = false;
	}
	if (!r->parser_ok)
		return 0;
	if (!yaml_parser_load(&r->parser, &r->doc)) {
		const yaml_mark_t *m = p->problem ? &p->problem_mark : &p->context_mark;

		if (p->problem && p->context)
			set_error(err, (unsigned)m->line + 1, (unsigned)m->column + 1,
				  "YAML: %s (%s started at line %zu)", p->problem, p->context,
				  p->context_mark.line + 1);
		else
			set_error(err, (unsigned)m->line + 1, (unsigned)m->column + 1, "YAML: %s",
				  p->problem ? p->problem : "syntax error");
		return -EINVAL;
	}
	r->have_doc = true;
	/* libyaml returns an empty document at the end of the stream */
	return yaml_document_get_root_node(&r->doc) ? 1 : 0;
}

void vg_yaml_close(struct vg_yaml_reader *r)
{
	if (r->have_doc)
		yaml_document_delete(&r->doc);
	if (r->parser_ok)
		yaml_parser_delete(&r->parser);
	r->have_doc = r->parser_ok = false;
}

/* ---- nodes ---- */

bool vg_yaml_is_null(const yaml_node_t *n)
{
	size_t len;

	if (!vg_yaml_is_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	len = vg_yaml_len(n);
	return len == 0 || (len == 1 && vg_yaml_str(n)[0] == '~') ||
	       (len == 4 && strncasecmp(vg_yaml_str(n), "null", 4) == 0);
}

yaml_node_t *vg_yaml_map_get(yaml_document_t *doc, const yaml_node_t *map, const char *key)
{
	size_t klen = strlen(key);

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = vg_yaml_node(doc, p->key);

		if (vg_yaml_is_scalar(k) && vg_yaml_len(k) == klen &&
		    memcmp(vg_yaml_str(k), key, klen) == 0)
			return vg_yaml_node(doc, p->value);
	}
	return NULL;
}

static int bool_of(const char *s, size_t len, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no",
									       "off"};

	for (int i = 0; i < 3; i++) {
		if (len == strlen(yes[i]) && strncasecmp(s, yes[i], len) == 0) {
			*out = true;
			return 0;
		}
		if (len == strlen(no[i]) && strncasecmp(s, no[i], len) == 0) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

int vg_yaml_bool(const yaml_node_t *n, bool *out)
{
	if (!vg_yaml_is_scalar(n))
		return -EINVAL;
	return bool_of(vg_yaml_str(n), vg_yaml_len(n), out);
}

int vg_yaml_bool_str(const char *s, bool *out)
{
	return bool_of(s, strlen(s), out);
}
