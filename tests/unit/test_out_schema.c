/* The output key table (src/output/out_schema.c): every key documented and
 * taken by some type, every default parses and is what a new output holds,
 * every value the table lists is accepted and its bounds hold, a key is
 * refused by the types that do not take it, and docs/outputs.md holds the
 * table the code generates. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "check.h"
#include "output/out_conf.h"
#include "output/out_schema.h"
#include "rules/rules.h"

/* A type that takes k, and one that does not (-1 when all do). */
static int type_taking(const struct vg_out_key *k, bool takes)
{
	for (int t = 0; t < VG_OUT_TYPES; t++)
		if (!!(k->types & VG_OUT_TYPE_BIT(t)) == takes)
			return t;
	return -1;
}

static void test_every_key_documented(void)
{
	CHECK(vg_out_nkeys >= 25);
	for (size_t i = 0; i < vg_out_nkeys; i++) {
		const struct vg_out_key *k = &vg_out_keys[i];

		CHECK(k->key && *k->key);
		CHECK(k->doc && strlen(k->doc) > 10);
		CHECK(k->types && !(k->types >> VG_OUT_TYPES));
		/* the docs' default column: the default itself, or words for it */
		CHECK(k->def || k->def_doc);
		CHECK(k->size && k->offset + k->size <= sizeof(struct vg_output_conf));
		CHECK(vg_out_key_find(k->key) == k); /* no name twice */
		if (k->kind == VG_OUT_KEY_CHOICE)
			CHECK(k->choices && k->choices[0].name && k->choices[1].name);
		if (k->kind == VG_OUT_KEY_U64 || k->kind == VG_OUT_KEY_SIZE)
			CHECK(k->min <= k->max && k->max);
	}
	CHECK(vg_out_key_find("nosuchkey") == NULL);
}

/* Each default parses, and a new output holds exactly the parsed default
 * (for every type: keys of other types are initialised too). */
static void test_defaults_parse(void)
{
	char err[256];

	for (int t = 0; t < VG_OUT_TYPES; t++) {
		struct vg_output_conf *fresh = NULL, *set = NULL;

		CHECK_INT(vg_output_conf_new(&fresh, vg_output_type_name(t), err, sizeof(err)), 0);
		CHECK_INT(vg_output_conf_new(&set, vg_output_type_name(t), err, sizeof(err)), 0);
		if (!fresh || !set)
			continue;
		CHECK_INT(fresh->type, t);
		for (size_t i = 0; i < vg_out_nkeys; i++) {
			const struct vg_out_key *k = &vg_out_keys[i];

			if (!k->def)
				continue;
			err[0] = 0;
			CHECK_INT(vg_out_key_set(k, set, k->def, err, sizeof(err)), 0);
			if (err[0])
				fprintf(stderr, "default of %s: %s\n", k->key, err);
			CHECK(!memcmp((char *)fresh + k->offset, (char *)set + k->offset, k->size));
		}
		vg_output_conf_free(fresh);
		vg_output_conf_free(set);
	}
}

/* The defaults the docs promise, as values. */
static void test_default_values(void)
{
	struct vg_output_conf *c = NULL;
	char err[256];

	CHECK_INT(vg_output_conf_new(&c, "webhook", err, sizeof(err)), 0);
	if (!c)
		return;
	CHECK_INT(c->min_prio, VG_PRIO_DEBUG);
	CHECK_INT(c->queue, VG_OUTPUT_QUEUE_DEFAULT);
	CHECK_INT(c->queue_bytes, 64ull << 20);
	CHECK_INT(c->drop_oldest, false);
	CHECK_INT(c->drain_ms, 2000);
	CHECK_INT(c->timeout_ms, 5000);
	CHECK_INT(c->connect_timeout_ms, 2000);
	CHECK_INT(c->retries, 3);
	CHECK_INT(c->backoff_ms, 200);
	CHECK_INT(c->backoff_max_ms, 30000);
	CHECK_INT(c->fsync, VG_FSYNC_NONE);
	CHECK_INT(c->fsync_interval_ms, 1000);
	CHECK_INT(c->facility, LOG_DAEMON);
	CHECK_INT(c->max_message, 8192);
	CHECK_INT(c->insecure, false);
	CHECK_INT(c->format, VG_FMT_DEFAULT);
	CHECK(!c->path && !c->url && !c->command && !c->address && !c->nheaders);
	vg_output_conf_free(c);
}

/* Every choice is accepted and stored; numbers hold their bounds; a key a
 * type does not take is refused by name. */
static void test_values_and_types(void)
{
	char err[256], v[64];

	for (size_t i = 0; i < vg_out_nkeys; i++) {
		const struct vg_out_key *k = &vg_out_keys[i];
		int yes = type_taking(k, true), no = type_taking(k, false);
		struct vg_output_conf *c = NULL;

		if (no >= 0 && !vg_output_conf_new(&c, vg_output_type_name(no), err, sizeof(err))) {
			CHECK_INT(vg_output_conf_set(c, k->key, k->def ? k->def : "x", err,
						     sizeof(err)), -EINVAL);
			CHECK(strstr(err, "does not apply") && strstr(err, k->key));
			vg_output_conf_free(c);
		}
		if (yes < 0 || vg_output_conf_new(&c, vg_output_type_name(yes), err, sizeof(err))) {
			CHECK(0);
			continue;
		}
		if (k->kind == VG_OUT_KEY_CHOICE) {
			for (size_t j = 0; k->choices[j].name; j++) {
				int got = 0;

				CHECK_INT(vg_output_conf_set(c, k->key, k->choices[j].name, err,
							     sizeof(err)), 0);
				memcpy(&got, (char *)c + k->offset, k->size);
				CHECK_INT(got, k->choices[j].value);
			}
		}
		if (k->kind == VG_OUT_KEY_U64) {
			snprintf(v, sizeof(v), "%llu", (unsigned long long)k->min);
			CHECK_INT(vg_output_conf_set(c, k->key, v, err, sizeof(err)), 0);
			snprintf(v, sizeof(v), "%llu", (unsigned long long)k->max);
			CHECK_INT(vg_output_conf_set(c, k->key, v, err, sizeof(err)), 0);
			snprintf(v, sizeof(v), "%llu", (unsigned long long)k->max + 1);
			CHECK_INT(vg_output_conf_set(c, k->key, v, err, sizeof(err)), -EINVAL);
			CHECK(strncmp(err, k->key, strlen(k->key)) == 0);
			if (k->min) {
				snprintf(v, sizeof(v), "%llu", (unsigned long long)k->min - 1);
				CHECK_INT(vg_output_conf_set(c, k->key, v, err, sizeof(err)), -EINVAL);
			}
		}
		/* a bad value's error starts with the key */
		if (k->kind != VG_OUT_KEY_STRING && k->kind != VG_OUT_KEY_PATH) {
			CHECK_INT(vg_output_conf_set(c, k->key, "\001bad value", err, sizeof(err)),
				  -EINVAL);
			CHECK(strncmp(err, k->key, strlen(k->key)) == 0);
		}
		vg_output_conf_free(c);
	}
	CHECK_INT(vg_output_type_parse("file"), VG_OUT_FILE);
	CHECK_INT(vg_output_type_parse("kafka"), -EINVAL);
	CHECK_STR(vg_output_type_name(VG_OUT_PROGRAM), "program");
}

/* docs/outputs.md holds the table as `vigil config output-keys` prints it
 * (the tests run from the top of the tree). */
static void test_docs_hold_the_table(void)
{
	char *table = NULL, *doc;
	size_t len = 0;
	FILE *f = open_memstream(&table, &len);
	FILE *d = fopen("docs/outputs.md", "r");
	long n;

	CHECK(f && d);
	if (!f || !d)
		return;
	vg_out_keys_markdown(f);
	fclose(f);
	fseek(d, 0, SEEK_END);
	n = ftell(d);
	rewind(d);
	doc = calloc(1, (size_t)n + 1);
	CHECK(doc && fread(doc, 1, (size_t)n, d) == (size_t)n);
	fclose(d);
	for (size_t i = 0; i < vg_out_nkeys; i++)
		CHECK(strstr(table, vg_out_keys[i].doc) != NULL);
	if (!strstr(doc, table))
		fprintf(stderr, "docs/outputs.md: the key table is stale: paste in the output of "
				"`build/vigil config output-keys`\n");
	CHECK(strstr(doc, table) != NULL);
	free(doc);
	free(table);
}

int main(void)
{
	test_every_key_documented();
	test_defaults_parse();
	test_default_values();
	test_values_and_types();
	test_docs_hold_the_table();
	return check_report();
}
