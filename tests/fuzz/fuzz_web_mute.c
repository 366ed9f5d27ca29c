/* Fuzz target: arbitrary bytes as an alert envelope for "mute similar"
 * (src/web/web_mute.c). Whatever the alert's rule name and values, the
 * proposed YAML must be one well-formed YAML document holding exactly one
 * rule item, whose exception values are exactly the alert's values: no
 * value can add YAML of its own. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "web/web_mute.h"

static yaml_node_t *get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(d, p->key);

		if (k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

static yaml_node_t *item(yaml_document_t *d, yaml_node_t *seq, int i)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE ||
	    seq->data.sequence.items.start + i >= seq->data.sequence.items.top)
		return NULL;
	return yaml_document_get_node(d, seq->data.sequence.items.start[i]);
}

static void check(struct json_object *env, struct json_object *prop)
{
	struct json_object *yaml, *fields, *alert, *of, *v;
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root, *values, *names;
	const char *text;

	if (!json_object_object_get_ex(prop, "yaml", &yaml) ||
	    !json_object_object_get_ex(prop, "fields", &fields))
		abort();
	text = json_object_get_string(yaml);
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	if (!yaml_parser_load(&parser, &doc))
		abort(); /* not YAML at all */
	root = yaml_document_get_root_node(&doc);
	if (!root || root->type != YAML_SEQUENCE_NODE ||
	    root->data.sequence.items.top - root->data.sequence.items.start != 1)
		abort(); /* one rule item, never more */
	values = item(&doc, get(&doc, item(&doc, get(&doc, item(&doc, root, 0), "exceptions"), 0),
				"values"), 0);
	names = get(&doc, item(&doc, get(&doc, item(&doc, root, 0), "exceptions"), 0), "fields");
	json_object_object_get_ex(env, "alert", &alert);
	json_object_object_get_ex(alert, "output_fields", &of);
	for (size_t i = 0; i < json_object_array_length(fields); i++) {
		const char *f = json_object_get_string(json_object_array_get_idx(fields, i));
		yaml_node_t *val = item(&doc, values, (int)i), *name = item(&doc, names, (int)i);

		if (!val || val->type != YAML_SCALAR_NODE || !name || name->type != YAML_SCALAR_NODE ||
		    strcmp((char *)name->data.scalar.value, f) ||
		    !json_object_object_get_ex(of, f, &v) ||
		    val->data.scalar.length != (size_t)json_object_get_string_len(v) ||
		    memcmp(val->data.scalar.value, json_object_get_string(v), val->data.scalar.length))
			abort(); /* a value that is not the alert's */
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), err[256];
	struct json_object *env, *prop, *all;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = 0;
	env = json_tokener_parse(s);
	free(s);
	if (!env)
		return 0;
	all = json_tokener_parse("[\"proc.exepath\",\"proc.name\",\"proc.pname\",\"fd.name\","
				 "\"user.name\",\"container.id\",\"ph.exe\"]");
	prop = vg_web_mute_propose(env, NULL, err, sizeof(err));
	if (prop)
		check(env, prop);
	json_object_put(prop);
	prop = vg_web_mute_propose(env, all, err, sizeof(err));
	if (prop)
		check(env, prop);
	json_object_put(prop);
	json_object_put(all);
	json_object_put(env);
	return 0;
}
