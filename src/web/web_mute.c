/* "Mute similar" (see web_mute.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "output/alert.h"
#include "web/web_mute.h"
#include "util/macros.h"

/* Fields an exception may use, in the order they are proposed: what names
 * the program and what it touched. String fields only. */
static const char *const mute_fields[] = {
	"proc.exepath", "proc.name", "proc.pname", "fd.name", "user.name", "container.id",
	"ph.exe",
};
#define NMUTE (ARRAY_SIZE(mute_fields))
/* Picked unless the user chooses: the program by its path, and the file */
static const char *const default_pick[] = { "proc.exepath", "fd.name", "ph.exe" };

/* A YAML double-quoted scalar of the string s (valid UTF-8): printable
 * characters as they are, everything YAML does not allow raw (controls,
 * DEL, C1 controls, U+FFFE/U+FFFF) and the quote and backslash escaped. */
static void yaml_quote(FILE *y, struct json_object *s)
{
	const unsigned char *p = (const unsigned char *)json_object_get_string(s);
	size_t left = (size_t)json_object_get_string_len(s), n;

	fputc('"', y);
	for (; left; p += n, left -= n) {
		uint32_t cp;

		n = vg_utf8_seq(p, left);
		if (!n)
			break; /* cannot happen: checked by utf8_ok */
		cp = n == 1 ? p[0] : n == 2 ? (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu)
			: n == 3 ? (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu)
				 : (p[0] & 0x07u) << 18 | (p[1] & 0x3fu) << 12 | (p[2] & 0x3fu) << 6 |
					   (p[3] & 0x3fu);
		if (cp == '"' || cp == '\\')
			fprintf(y, "\\%c", (int)cp);
		else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0xfffe || cp == 0xffff)
			fprintf(y, "\\u%04x", (unsigned)cp);
		else
			fwrite(p, 1, n, y);
	}
	fputc('"', y);
}

/* Alerts are valid UTF-8 (vg_alert_json makes them so); YAML needs it too,
 * so anything else is refused rather than written. */
static int utf8_ok(struct json_object *s)
{
	const unsigned char *p = (const unsigned char *)json_object_get_string(s);
	size_t left = (size_t)json_object_get_string_len(s), n;

	for (; left; p += n, left -= n)
		if (!(n = vg_utf8_seq(p, left)))
			return 0;
	return 1;
}

static int picked(struct json_object *want, const char *field, unsigned index,
		  struct json_object *fields)
{
	if (!want) {
		for (size_t i = 0; i < ARRAY_SIZE(default_pick); i++)
			if (!strcmp(field, default_pick[i]))
				return 1;
		/* no path: the program's name, as the last resort */
		return !strcmp(field, "proc.name") &&
		       !json_object_object_get_ex(fields, "proc.exepath", NULL);
	}
	(void)index;
	for (size_t i = 0; i < json_object_array_length(want); i++) {
		const char *w = json_object_get_string(json_object_array_get_idx(want, i));

		if (w && !strcmp(w, field))
			return 1;
	}
	return 0;
}

struct json_object *vg_web_mute_propose(struct json_object *envelope, struct json_object *want,
					char *err, size_t errlen)
{
	struct json_object *alert, *fields, *rule, *id, *v, *out, *cands, *chosen;
	struct json_object *values[NMUTE];
	const char *names[NMUTE];
	unsigned n = 0, ncand = 0;
	char *yaml = NULL;
	size_t ylen = 0;
	FILE *y;

	if (!json_object_object_get_ex(envelope, "alert", &alert) ||
	    !json_object_object_get_ex(alert, "rule", &rule) ||
	    !json_object_object_get_ex(alert, "output_fields", &fields) ||
	    !json_object_object_get_ex(envelope, "id", &id)) {
		snprintf(err, errlen, "the alert has no rule or fields");
		return NULL;
	}
	if (!json_object_is_type(rule, json_type_string) || !utf8_ok(rule)) {
		snprintf(err, errlen, "the alert's rule name is not valid UTF-8");
		return NULL;
	}
	if (want && !json_object_is_type(want, json_type_array)) {
		snprintf(err, errlen, "\"fields\" must be a list of field names");
		return NULL;
	}
	out = json_object_new_object();
	cands = json_object_new_array();
	chosen = json_object_new_array();
	y = open_memstream(&yaml, &ylen);
	if (!out || !cands || !chosen || !y) {
		json_object_put(out);
		json_object_put(cands);
		json_object_put(chosen);
		if (y)
			fclose(y);
		free(yaml);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (unsigned i = 0; i < NMUTE; i++) {
		if (!json_object_object_get_ex(fields, mute_fields[i], &v) ||
		    !json_object_is_type(v, json_type_string) || !json_object_get_string_len(v) ||
		    !utf8_ok(v))
			continue;
		struct json_object *c = json_object_new_object();

		json_object_object_add(c, "field", json_object_new_string(mute_fields[i]));
		json_object_object_add(c, "value", json_object_get(v));
		json_object_array_add(cands, c);
		if (picked(want, mute_fields[i], ncand++, fields)) {
			names[n] = mute_fields[i];
			values[n++] = v;
			json_object_array_add(chosen, json_object_new_string(mute_fields[i]));
		}
	}
	json_object_object_add(out, "rule", json_object_get(rule));
	json_object_object_add(out, "id", json_object_get(id));
	json_object_object_add(out, "candidates", cands);
	json_object_object_add(out, "fields", chosen);
	if (!n) {
		fclose(y);
		free(yaml);
		json_object_put(out);
		snprintf(err, errlen, "pick at least one field the alert has a value for");
		return NULL;
	}
	fputs("- rule: ", y);
	yaml_quote(y, rule);
	fprintf(y, "\n  exceptions:\n    - name: dashboard_%llu\n      fields: [",
		(unsigned long long)json_object_get_uint64(id));
	for (unsigned i = 0; i < n; i++)
		fprintf(y, "%s%s", i ? ", " : "", names[i]);
	fprintf(y, "]\n      comps: [");
	for (unsigned i = 0; i < n; i++)
		fprintf(y, "%s=", i ? ", " : "");
	fprintf(y, "]\n      values:\n        - [");
	for (unsigned i = 0; i < n; i++) {
		fputs(i ? ", " : "", y);
		yaml_quote(y, values[i]);
	}
	fprintf(y, "]\n  override:\n    exceptions: append\n");
	fclose(y);
	json_object_object_add(out, "yaml", yaml ? json_object_new_string(yaml) : NULL);
	free(yaml);
	return out;
}

static const char header[] =
	"# Exceptions added by \"mute similar\" in vigil's dashboard (docs/dashboard.md).\n"
	"# vigil loads this file after the other rule files; edit or empty it freely.\n";

int vg_web_mute_prepare(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd;

	if (!lstat(path, &st)) {
		if (S_ISREG(st.st_mode))
			return 0;
		snprintf(err, errlen, "%s is not a regular file (a symlink is refused)", path);
		return -EPERM;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
		return -errno;
	}
	if (write(fd, header, sizeof(header) - 1) != (ssize_t)(sizeof(header) - 1)) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

/* path's content, then yaml, into tmp (created O_EXCL | O_NOFOLLOW). */
static int write_candidate(const char *path, const char *tmp, const char *yaml, char *err,
			   size_t errlen)
{
	char buf[8192];
	ssize_t n;
	int in, out, ret = 0;

	in = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	unlink(tmp); /* a leftover (or planted) name goes; a symlink is not followed */
	out = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		close(in);
		return -errno;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			ret = -EIO;
			break;
		}
	if (n < 0 || write(out, "\n", 1) != 1 || write(out, yaml, strlen(yaml)) != (ssize_t)strlen(yaml) ||
	    fsync(out))
		ret = -EIO;
	if (ret)
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
	close(in);
	close(out);
	return ret;
}

int vg_web_mute_append(const char *path, const char *yaml, const char *const *rules_files,
		       unsigned nrules_files, vg_web_rules_check_fn check, char *err,
		       size_t errlen)
{
	const char *files[65];
	char tmp[4200];
	int ret;

	if (!nrules_files || nrules_files > 65 || strcmp(rules_files[nrules_files - 1], path)) {
		snprintf(err, errlen, "the overrides file is not among the rules loaded");
		return -EINVAL;
	}
	snprintf(tmp, sizeof(tmp), "%s.new", path);
	ret = write_candidate(path, tmp, yaml, err, errlen);
	if (ret) {
		unlink(tmp);
		return ret;
	}
	memcpy(files, rules_files, nrules_files * sizeof(files[0]));
	files[nrules_files - 1] = tmp;
	if (!check || check(files, nrules_files)) {
		snprintf(err, errlen, "the rules would not load with this exception (see the log)");
		unlink(tmp);
		return -EINVAL;
	}
	if (rename(tmp, path)) { /* replaces the name itself, never a symlink's target */
		snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		return -errno;
	}
	return 0;
}
