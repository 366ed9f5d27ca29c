/* The dashboard's pieces that need no server: tokens, the token file
 * written safely, the alerts kept, and "mute similar" (the proposal with
 * hostile values, the checked append). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "monitor/detect.h"
#include "web/web_alerts.h"
#include "web/web_mute.h"
#include "web/web_token.h"
#include "util/macros.h"

static char dir[] = "/tmp/vigil-test-web-XXXXXX";

static char *slurp(const char *path)
{
	static char buf[8192];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

static void test_tokens(void)
{
	char a[VG_WEB_TOKEN_LEN + 1], b[VG_WEB_TOKEN_LEN + 1];

	CHECK_INT(vg_web_token_new(a), 0);
	CHECK_INT(vg_web_token_new(b), 0);
	CHECK_INT(strlen(a), VG_WEB_TOKEN_LEN);
	CHECK(strspn(a, "0123456789abcdef") == VG_WEB_TOKEN_LEN);
	CHECK(strcmp(a, b) != 0);
	CHECK(vg_web_token_equal(a, a, strlen(a)));
	CHECK(!vg_web_token_equal(a, b, strlen(b)));
	CHECK(!vg_web_token_equal(a, a, strlen(a) - 1)); /* a prefix is not the token */
	CHECK(!vg_web_token_equal(a, "", 0));
}

static void test_safe_write(void)
{
	char path[256], victim[256], sub[256];
	struct stat st;
	ino_t ino = 0;
	char err[256];

	snprintf(path, sizeof(path), "%s/run/token", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	spit(victim, "keep\n");
	/* the directory is made 0700 */
	CHECK_INT(vg_web_safe_write(path, "one\n", &ino, err, sizeof(err)), 0);
	snprintf(sub, sizeof(sub), "%s/run", dir);
	CHECK(!stat(sub, &st) && (st.st_mode & 0777) == 0700);
	CHECK(!lstat(path, &st) && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0600);
	CHECK(st.st_ino == ino);
	CHECK_STR(slurp(path), "one\n");
	/* a planted symlink is replaced, never followed */
	unlink(path);
	CHECK_INT(symlink(victim, path), 0);
	CHECK_INT(vg_web_safe_write(path, "two\n", &ino, err, sizeof(err)), 0);
	CHECK_STR(slurp(victim), "keep\n");
	CHECK(!lstat(path, &st) && S_ISREG(st.st_mode));
	CHECK_STR(slurp(path), "two\n");
	/* removal only of our own file */
	unlink(path);
	spit(path, "someone else's\n");
	CHECK_INT(lstat(path, &st), 0);
	vg_web_safe_remove(path, st.st_ino + 1); /* (the old inode number may be reused) */
	CHECK(access(path, F_OK) == 0);
	CHECK_INT(vg_web_safe_write(path, "three\n", &ino, err, sizeof(err)), 0);
	vg_web_safe_remove(path, ino);
	CHECK(access(path, F_OK) != 0);
	/* a directory others may write in is refused */
	CHECK_INT(chmod(sub, 0777), 0);
	CHECK_INT(vg_web_safe_write(path, "x\n", &ino, err, sizeof(err)), -EPERM);
	CHECK(strstr(err, "writable by others") != NULL);
	CHECK_INT(vg_web_safe_write("relative", "x\n", &ino, err, sizeof(err)), -EINVAL);
}

static void add(struct vg_web_alerts *s, const char *prio, const char *pid, uint64_t t)
{
	struct vg_fields f = { .n = 2 };
	struct vg_alert a = { .time_ns = t, .rule = "R", .priority = prio, .output = "out",
			      .fields = &f, .source = "syscall", .hostname = "h" };

	f.kv[0] = (struct vg_kv){ .key = "proc.pid", .kind = VG_KV_STR, .s = pid, .s_len = strlen(pid) };
	f.kv[1] = (struct vg_kv){ .key = "ph.exe_ino", .kind = VG_KV_STR, .s = "77", .s_len = 2 };
	vg_web_alerts_add(s, &a, NULL);
}

static void test_alerts(void)
{
	struct vg_web_alerts *s = malloc(sizeof(*s));
	struct json_object *h, *v;
	uint64_t t = 1000ull * 60 * NSEC_PER_SEC; /* minute 1000 */

	vg_web_alerts_init(s);
	add(s, "Warning", "10", t);
	add(s, "Critical", "11", t + 1);
	add(s, "Warning", "10", t + 61000000000ull);
	CHECK_INT(s->next_id, 4);
	CHECK(vg_web_alerts_get(s, 1) != NULL && vg_web_alerts_get(s, 4) == NULL);
	CHECK(vg_web_alerts_get(s, 0) == NULL);
	CHECK(strstr(vg_web_alerts_get(s, 2)->json, "\"priority\":\"Critical\"") != NULL);
	CHECK(strstr(vg_web_alerts_get(s, 2)->json, "\"id\":2,") != NULL);
	CHECK_INT(vg_web_alerts_get(s, 1)->ph_ino, 77);
	CHECK_INT(vg_web_alerts_of_pid(s, 10), 2);
	CHECK_INT(s->by_priority[vg_web_priority_index("Warning")], 2);
	CHECK_INT(vg_web_priority_index("nonsense"), VG_WEB_PRIORITIES - 1);
	h = vg_web_alerts_history(s, 1001 * 60);
	CHECK(json_object_object_get_ex(h, "Warning", &v) && json_object_array_length(v) == VG_WEB_MINUTES);
	CHECK_INT(json_object_get_int(json_object_array_get_idx(v, VG_WEB_MINUTES - 1)), 1);
	CHECK_INT(json_object_get_int(json_object_array_get_idx(v, VG_WEB_MINUTES - 2)), 1);
	json_object_put(h);
	/* the oldest go first */
	for (unsigned i = 0; i < VG_WEB_ALERTS_MAX; i++)
		add(s, "Notice", "12", t + 2);
	CHECK(vg_web_alerts_get(s, 3) == NULL && vg_web_alerts_get(s, 4) != NULL);
	vg_web_alerts_free(s);
	free(s);
}

/* An alert envelope whose values try to break out of the YAML. */
static const char hostile[] =
	"{\"id\":5,\"alert\":{\"rule\":\"R \\\"quoted\\\": x\",\"output_fields\":{"
	"\"proc.exepath\":\"/tmp/a\\\"]\\n- rule: evil\\n  condition: always\","
	"\"fd.name\":\"/etc/\\u00e9t\\u00e9 #x\\\\y'z\",\"proc.name\":\"cat\",\"proc.pid\":9,"
	"\"user.name\":null}},\"ancestry\":[]}";

/* What the monitor gives the dashboard: the rules loaded as a reload would. */
static int check_rules(const char *const *files, unsigned n)
{
	struct vg_detect *d = NULL;
	int ret = vg_detect_load(&d, files, n);

	vg_detect_free(d);
	return ret;
}

static void test_mute_propose(void)
{
	struct json_object *env = json_tokener_parse(hostile), *p, *v, *want;
	char err[256];
	const char *yaml;

	CHECK(env != NULL);
	p = vg_web_mute_propose(env, NULL, err, sizeof(err));
	CHECK(p != NULL);
	CHECK(json_object_object_get_ex(p, "fields", &v) && json_object_array_length(v) == 2);
	CHECK(json_object_object_get_ex(p, "candidates", &v) && json_object_array_length(v) == 3);
	json_object_object_get_ex(p, "yaml", &v);
	yaml = json_object_get_string(v);
	CHECK(strstr(yaml, "- rule: \"R \\\"quoted\\\": x\"\n") == yaml);
	CHECK(strstr(yaml, "fields: [proc.exepath, fd.name]") != NULL);
	/* the newline stays an escape inside one quoted scalar */
	CHECK(strstr(yaml, "\"/tmp/a\\\"]\\u000a- rule: evil\\u000a  condition: always\"") != NULL);
	CHECK(strstr(yaml, "\n- rule: evil") == NULL);
	json_object_put(p);
	/* the user's pick; unknown or empty fields are not used */
	want = json_tokener_parse("[\"proc.name\", \"proc.pid\", \"user.name\", \"evt.type\"]");
	p = vg_web_mute_propose(env, want, err, sizeof(err));
	CHECK(p && json_object_object_get_ex(p, "yaml", &v));
	CHECK(p && strstr(json_object_get_string(v), "fields: [proc.name]\n") != NULL);
	json_object_put(p);
	json_object_put(want);
	want = json_tokener_parse("[\"evt.type\"]");
	CHECK(vg_web_mute_propose(env, want, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "at least one field") != NULL);
	json_object_put(want);
	json_object_put(env);
}

static void test_mute_append(void)
{
	char rules[256], over[256], tmp[256], victim[256], err[256], *before;
	const char *files[2];
	struct json_object *env, *p, *v;

	snprintf(rules, sizeof(rules), "%s/rules.yaml", dir);
	snprintf(over, sizeof(over), "%s/over.yaml", dir);
	snprintf(tmp, sizeof(tmp), "%s/over.yaml.new", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	spit(rules, "- rule: 'R \"quoted\": x'\n  desc: d\n  condition: evt.type = openat and "
		    "fd.name = /nope\n  output: o %proc.name\n  priority: WARNING\n");
	files[0] = rules;
	files[1] = over;
	CHECK_INT(vg_web_mute_prepare(over, err, sizeof(err)), 0);
	CHECK(strncmp(slurp(over), "# Exceptions added by", 21) == 0);
	env = json_tokener_parse(hostile);
	p = vg_web_mute_propose(env, NULL, err, sizeof(err));
	json_object_object_get_ex(p, "yaml", &v);
	CHECK_INT(symlink(victim, tmp), 0); /* planted: removed, not followed */
	CHECK_INT(vg_web_mute_append(over, json_object_get_string(v), files, 2, check_rules, err,
				     sizeof(err)),
		  0);
	CHECK_STR(slurp(victim), "keep\n");
	CHECK(access(tmp, F_OK) != 0);
	CHECK(strstr(slurp(over), "name: dashboard_5") != NULL);
	/* a second one appends; one that breaks the rules changes nothing */
	before = strdup(slurp(over));
	CHECK_INT(vg_web_mute_append(over, "- rule: nosuchrule\n  exceptions: []\n  override:\n"
					   "    exceptions: append\n",
				     files, 2, check_rules, err, sizeof(err)),
		  -EINVAL);
	CHECK_STR(slurp(over), before);
	CHECK(access(tmp, F_OK) != 0);
	/* the overrides file must be the last rule file */
	CHECK_INT(vg_web_mute_append(over, "", files, 1, check_rules, err, sizeof(err)), -EINVAL);
	/* a symlink as the overrides file is refused */
	unlink(over);
	CHECK_INT(symlink(victim, over), 0);
	CHECK_INT(vg_web_mute_prepare(over, err, sizeof(err)), -EPERM);
	free(before);
	json_object_put(p);
	json_object_put(env);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir))
		return 1;
	test_tokens();
	test_safe_write();
	test_alerts();
	test_mute_propose();
	test_mute_append();
	snprintf(cmd, sizeof(cmd), "chmod -R u+w %s; rm -rf %s", dir, dir);
	if (system(cmd))
		fprintf(stderr, "cleanup of %s failed\n", dir);
	return check_report();
}
