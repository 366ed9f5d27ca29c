/* The `outputs:` key (config_outputs.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_outputs.h"
#include "output/out_schema.h"

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
static int parse_output(struct vg_config_loader *ld, const struct vg_config_key *k,
			yaml_node_t *node, struct vg_output_entry *o)
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
			ld_error(ld, &vn->start_mark, k->name,
				 "output key '%s' must have a scalar value", key);
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
			/* the output types are those of the output key table */
			if (vg_output_type_parse(val) < 0) {
				ld_error(ld, &vn->start_mark, k->name,
					 "unknown output type '%.64s' (stdout, file, syslog, "
					 "webhook, program)",
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

void vg_config_set_outputs(struct vg_config_loader *ld, const struct vg_config_key *k,
			   yaml_node_t *node)
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
		vg_config_outputs_clear(ld->c);
		memcpy(ld->c->outputs, fresh, n * sizeof(*fresh));
		ld->c->noutputs = n;
	} else {
		for (unsigned i = 0; i < n; i++)
			vg_output_entry_clear(&fresh[i]);
	}
	free(fresh);
}
