/* util/yaml_doc: the YAML reading the rules and the configuration share.
 * A problem says where it is (file, line, column), brackets nested too deep
 * are refused before parsing, files are read up to a limit without blocking
 * on a FIFO, and the node helpers read what YAML means (null, booleans). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "util/yaml_doc.h"
#include "util/yaml_guard.h"

static char dir[64];

static const char *at(const char *name)
{
	static char p[2][128];
	static int k;

	k ^= 1;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	fputs(text, f);
	fclose(f);
}

/* Loads text's documents; returns the last vg_yaml_next result. */
static int load_all(const char *text, struct vg_yaml_error *err, int *docs)
{
	struct vg_yaml_reader r;
	int rc = vg_yaml_open(&r, text, strlen(text), err);

	*docs = 0;
	while (rc == 0 && (rc = vg_yaml_next(&r, err)) > 0) {
		(*docs)++;
		rc = 0;
	}
	vg_yaml_close(&r);
	return rc;
}

static void test_errors(void)
{
	struct vg_yaml_error err;
	char buf[512];
	int docs;

	/* a syntax error: its line and column, and libyaml's words */
	memset(&err, 0, sizeof(err));
	CHECK_INT(load_all("a: 1\nb: [1, 2\nc: 3\n", &err, &docs), -EINVAL);
	CHECK(err.line >= 2 && err.column >= 1);
	CHECK(strncmp(err.msg, "YAML: ", 6) == 0);
	vg_yaml_error_format("rules.yaml", &err, buf, sizeof(buf));
	{
		char want[64];

		snprintf(want, sizeof(want), "rules.yaml:%u:%u: YAML: ", err.line, err.column);
		CHECK(strncmp(buf, want, strlen(want)) == 0);
	}
	/* a mapping value where none may be: line 2, column 5 */
	CHECK_INT(load_all("key: value\nbad: x: y\n", &err, &docs), -EINVAL);
	CHECK_INT(err.line, 2);
	CHECK_INT(err.column, 7);
	vg_yaml_error_format("c.yaml", &err, buf, sizeof(buf));
	CHECK_STR(buf, "c.yaml:2:7: YAML: mapping values are not allowed in this context");

	/* too deep: refused before parsing, at the line where it went too deep */
	{
		size_t n = 2 * VG_YAML_MAX_FLOW_DEPTH + 16;
		char *deep = calloc(1, n + 8);

		strcpy(deep, "a: 1\nb: ");
		memset(deep + 8, '[', VG_YAML_MAX_FLOW_DEPTH + 1);
		CHECK_INT(load_all(deep, &err, &docs), -EINVAL);
		CHECK_INT(err.line, 2);
		CHECK_INT(err.column, 1);
		CHECK(strstr(err.msg, "nested deeper than 64: refused before parsing") != NULL);
		free(deep);
	}

	/* without a place: "FILE: MSG" */
	memset(&err, 0, sizeof(err));
	snprintf(err.msg, sizeof(err.msg), "larger than 10 bytes");
	vg_yaml_error_format("x.yaml", &err, buf, sizeof(buf));
	CHECK_STR(buf, "x.yaml: larger than 10 bytes");
}

static void test_documents(void)
{
	struct vg_yaml_error err;
	int docs;

	CHECK_INT(load_all("", &err, &docs), 0);
	CHECK_INT(docs, 0);
	CHECK_INT(load_all("- a\n", &err, &docs), 0);
	CHECK_INT(docs, 1);
	CHECK_INT(load_all("a: 1\n---\nb: 2\n---\nc: 3\n", &err, &docs), 0);
	CHECK_INT(docs, 3);
	/* an error in the second document: the first was read */
	CHECK_INT(load_all("a: 1\n---\nb: [\n", &err, &docs), -EINVAL);
	CHECK_INT(docs, 1);
	CHECK(err.line >= 3);
}

static void test_nodes(void)
{
	const char *text = "name: vigil\nempty:\ntilde: ~\nnull_word: NULL\nquoted: 'null'\n"
			   "yes_word: Yes\noff_word: off\nmaybe: maybe\nlist: [1, 2]\n";
	struct vg_yaml_reader r;
	struct vg_yaml_error err;
	yaml_node_t *root, *n;
	bool b = false;

	CHECK_INT(vg_yaml_open(&r, text, strlen(text), &err), 0);
	CHECK_INT(vg_yaml_next(&r, &err), 1);
	root = yaml_document_get_root_node(&r.doc);
	n = vg_yaml_map_get(&r.doc, root, "name");
	CHECK(vg_yaml_is_scalar(n));
	CHECK_STR(vg_yaml_str(n), "vigil");
	CHECK_INT(vg_yaml_len(n), 5);
	CHECK_INT(vg_yaml_line(n), 1);
	CHECK_INT(vg_yaml_column(n), 7);
	CHECK(vg_yaml_map_get(&r.doc, root, "nope") == NULL);
	CHECK(vg_yaml_map_get(&r.doc, n, "name") == NULL); /* not a mapping */
	CHECK(vg_yaml_is_null(vg_yaml_map_get(&r.doc, root, "empty")));
	CHECK(vg_yaml_is_null(vg_yaml_map_get(&r.doc, root, "tilde")));
	CHECK(vg_yaml_is_null(vg_yaml_map_get(&r.doc, root, "null_word")));
	CHECK(!vg_yaml_is_null(vg_yaml_map_get(&r.doc, root, "quoted")));
	CHECK(!vg_yaml_is_null(vg_yaml_map_get(&r.doc, root, "list")));
	CHECK_INT(vg_yaml_bool(vg_yaml_map_get(&r.doc, root, "yes_word"), &b), 0);
	CHECK(b);
	CHECK_INT(vg_yaml_bool(vg_yaml_map_get(&r.doc, root, "off_word"), &b), 0);
	CHECK(!b);
	CHECK_INT(vg_yaml_bool(vg_yaml_map_get(&r.doc, root, "maybe"), &b), -EINVAL);
	CHECK_INT(vg_yaml_bool(vg_yaml_map_get(&r.doc, root, "list"), &b), -EINVAL);
	n = vg_yaml_map_get(&r.doc, root, "list");
	CHECK_INT(vg_yaml_line(n), 9);
	CHECK_INT(vg_yaml_column(n), 7);
	CHECK_INT(vg_yaml_next(&r, &err), 0);
	vg_yaml_close(&r);
	CHECK_INT(vg_yaml_bool_str("TRUE", &b), 0);
	CHECK(b);
	CHECK_INT(vg_yaml_bool_str("no", &b), 0);
	CHECK(!b);
	CHECK_INT(vg_yaml_bool_str("", &b), -EINVAL);
}

static void test_files(void)
{
	struct vg_yaml_error err;
	char *buf;
	size_t len;

	put("ok.yaml", "a: 1\n");
	CHECK_INT(vg_yaml_read_file(at("ok.yaml"), 100, &buf, &len, &err), 0);
	CHECK_INT(len, 5);
	CHECK_STR(buf, "a: 1\n");
	free(buf);
	/* the limit: exactly max is fine, one more is not */
	CHECK_INT(vg_yaml_read_file(at("ok.yaml"), 5, &buf, &len, &err), 0);
	free(buf);
	CHECK_INT(vg_yaml_read_file(at("ok.yaml"), 4, &buf, &len, &err), -EFBIG);
	CHECK(buf == NULL);
	CHECK_STR(err.msg, "larger than 4 bytes");
	CHECK_INT(err.line, 0);
	/* missing: -ENOENT, and the message does not repeat the file's name */
	CHECK_INT(vg_yaml_read_file(at("nope.yaml"), 100, &buf, &len, &err), -ENOENT);
	CHECK(strncmp(err.msg, "cannot open: ", 13) == 0);
	CHECK(strstr(err.msg, dir) == NULL);
	/* a FIFO is refused without blocking; a directory too */
	CHECK_INT(mkfifo(at("fifo"), 0600), 0);
	CHECK_INT(vg_yaml_read_file(at("fifo"), 100, &buf, &len, &err), -EINVAL);
	CHECK(strstr(err.msg, "not a regular file") != NULL);
	CHECK_INT(vg_yaml_read_file(dir, 100, &buf, &len, &err), -EISDIR);
	/* an empty file is an empty buffer */
	put("empty.yaml", "");
	CHECK_INT(vg_yaml_read_file(at("empty.yaml"), 100, &buf, &len, &err), 0);
	CHECK_INT(len, 0);
	CHECK_STR(buf, "");
	free(buf);
	unlink(at("ok.yaml"));
	unlink(at("fifo"));
	unlink(at("empty.yaml"));
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/vg-yaml-doc-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	test_errors();
	test_documents();
	test_nodes();
	test_files();
	rmdir(dir);
	return check_report();
}
