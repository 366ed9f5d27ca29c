/* How vigil reads YAML: its rules files and its configuration both go
 * through here. libyaml's document API keeps every node's line and column,
 * so that a problem is reported as FILE:LINE:COLUMN; text nested too deep
 * is refused before libyaml sees it (yaml_guard.h); files are opened without
 * blocking on a FIFO and read up to a size limit.
 *
 *   struct vg_yaml_reader r;
 *   vg_yaml_read_file(path, max, &buf, &len, &err);   (or a buffer of your own)
 *   vg_yaml_open(&r, buf, len, &err);
 *   while ((rc = vg_yaml_next(&r, &err)) > 0) { ... r.doc ... }
 *   vg_yaml_close(&r);
 *
 * Messages stay the callers': this module says where and what went wrong
 * (struct vg_yaml_error); each caller files it its own way. */
#ifndef VIGIL_UTIL_YAML_DOC_H
#define VIGIL_UTIL_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

/* A problem with a YAML file: line and column are 1-based, 0 when the
 * problem has no place (the file could not be read). */
struct vg_yaml_error {
	unsigned line, column;
	char msg[320];
};

/* "FILE:LINE:COL: MSG", "FILE: MSG" without a place; snprintf's count. */
int vg_yaml_error_format(const char *file, const struct vg_yaml_error *e, char *buf, size_t size);

/* Reads a whole file of at most max bytes into a malloc'ed buffer (*buf,
 * NUL-terminated; free it). Refuses FIFOs, devices and directories before
 * opening anything that could block. 0, or a negative errno with err->msg
 * saying why without the file's name ("cannot open: ...", "not a regular
 * file", "larger than N bytes", "cannot read: ..."); -ENOENT when the file
 * does not exist. */
int vg_yaml_read_file(const char *path, size_t max, char **buf, size_t *len,
		      struct vg_yaml_error *err);

/* A stream of YAML documents in a buffer (which must outlive the reader). */
struct vg_yaml_reader {
	yaml_parser_t parser;
	yaml_document_t doc; /* the current document, after vg_yaml_next > 0 */
	bool parser_ok, have_doc;
};

/* 0; -EINVAL when the text nests brackets deeper than VG_YAML_MAX_FLOW_DEPTH
 * (err says where; nothing is parsed); -ENOMEM. vg_yaml_close afterwards in
 * every case. */
int vg_yaml_open(struct vg_yaml_reader *r, const char *buf, size_t len, struct vg_yaml_error *err);
/* Loads the next document into r->doc: 1; 0 at the end of the stream;
 * -EINVAL for a syntax error (err says where). The previous document is
 * freed. */
int vg_yaml_next(struct vg_yaml_reader *r, struct vg_yaml_error *err);
void vg_yaml_close(struct vg_yaml_reader *r);

/* ---- nodes ---- */

static inline yaml_node_t *vg_yaml_node(yaml_document_t *doc, int id)
{
	return yaml_document_get_node(doc, id);
}

static inline bool vg_yaml_is_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE;
}

/* A scalar's bytes (NUL-terminated by libyaml, but may hold a NUL) */
static inline const char *vg_yaml_str(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static inline size_t vg_yaml_len(const yaml_node_t *n)
{
	return n->data.scalar.length;
}

/* Where a node starts, 1-based */
static inline unsigned vg_yaml_line(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.line + 1;
}

static inline unsigned vg_yaml_column(const yaml_node_t *n)
{
	return (unsigned)n->start_mark.column + 1;
}

/* A plain "", "~" or "null" (any case): YAML's null */
bool vg_yaml_is_null(const yaml_node_t *n);
/* The value of key in a mapping; NULL when absent (or map is not one). */
yaml_node_t *vg_yaml_map_get(yaml_document_t *doc, const yaml_node_t *map, const char *key);
/* true/yes/on, false/no/off, any case: 0, else -EINVAL (not a scalar too). */
int vg_yaml_bool(const yaml_node_t *n, bool *out);
/* The same on a C string (the configuration's "--set key=value"). */
int vg_yaml_bool_str(const char *s, bool *out);

#endif
