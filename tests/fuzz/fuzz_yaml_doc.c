/* Fuzz util/yaml_doc, the YAML reading the rules and the configuration
 * share (tests/fuzz/corpus/yaml_doc/). Whatever the input: no crash; every
 * document is walked with the node helpers; an error always has a message,
 * and a place within the input (libyaml also breaks lines at CR, NEL, LS and
 * PS, so the bound is the input's size). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/yaml_doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned walk(yaml_document_t *doc, yaml_node_t *n, unsigned depth)
{
	unsigned seen = 1;
	bool b;

	if (!n || depth > 200)
		return 0;
	if (n->type == YAML_SCALAR_NODE) {
		(void)vg_yaml_is_null(n);
		(void)vg_yaml_bool(n, &b);
		if (vg_yaml_str(n)[vg_yaml_len(n)] != '\0')
			abort(); /* libyaml terminates every scalar */
	} else if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *i = n->data.sequence.items.start;
		     i < n->data.sequence.items.top; i++)
			seen += walk(doc, vg_yaml_node(doc, *i), depth + 1);
	} else if (n->type == YAML_MAPPING_NODE) {
		(void)vg_yaml_map_get(doc, n, "rule");
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++)
			seen += walk(doc, vg_yaml_node(doc, p->value), depth + 1);
	}
	if (vg_yaml_line(n) == 0 || vg_yaml_column(n) == 0)
		abort(); /* positions are 1-based */
	return seen;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vg_yaml_reader r;
	struct vg_yaml_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = vg_yaml_open(&r, (const char *)data, size, &err);
	while (rc == 0 && (rc = vg_yaml_next(&r, &err)) > 0) {
		walk(&r.doc, yaml_document_get_root_node(&r.doc), 0);
		rc = 0;
	}
	vg_yaml_close(&r);
	if (rc < 0 && (!err.msg[0] || err.line > size + 1))
		abort();
	return 0;
}
