/* The control protocol and command registry: request parsing (strict,
 * bounded), responses, dispatch, status sections, and the path table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "control/ctl_proto.h"
#include "control/ctl_registry.h"
#include "ph/ph_paths.h"

static int parse_err(const char *line, const char **why)
{
	struct vg_ctl_request req;
	int ret = vg_ctl_parse_request(line, strlen(line), &req, why);

	if (!ret)
		vg_ctl_request_free(&req);
	return ret;
}

static void test_parse(void)
{
	struct vg_ctl_request req;
	const char *why = NULL;
	struct json_object *v;
	char big[VG_CTL_REQUEST_MAX + 16];

	CHECK_INT(vg_ctl_parse_request("{\"cmd\":\"status\"}\n", 17, &req, &why), 0);
	CHECK_STR(req.cmd, "status");
	CHECK(req.args && json_object_is_type(req.args, json_type_object));
	vg_ctl_request_free(&req);

	const char *l = "{\"cmd\":\"profile\",\"args\":{\"action\":\"reset\",\"pid\":42}}";
	CHECK_INT(vg_ctl_parse_request(l, strlen(l), &req, &why), 0);
	CHECK_STR(req.cmd, "profile");
	CHECK(json_object_object_get_ex(req.args, "pid", &v) && json_object_get_int(v) == 42);
	vg_ctl_request_free(&req);

	CHECK_INT(parse_err("", &why), -EINVAL);
	CHECK_STR(why, "empty request");
	CHECK_INT(parse_err("not json", &why), -EINVAL);
	CHECK_STR(why, "request is not one valid JSON value");
	CHECK_INT(parse_err("[1,2]", &why), -EINVAL);
	CHECK_STR(why, "request is not a JSON object");
	CHECK_INT(parse_err("{\"cmd\":\"a\"} {}", &why), -EINVAL); /* two values */
	CHECK_INT(parse_err("{\"cmd\":\"a\",\"evil\":1}", &why), -EINVAL);
	CHECK(strstr(why, "unknown key") != NULL);
	CHECK_INT(parse_err("{\"args\":{}}", &why), -EINVAL);
	CHECK_STR(why, "request has no \"cmd\" string");
	CHECK_INT(parse_err("{\"cmd\":5}", &why), -EINVAL);
	CHECK_INT(parse_err("{\"cmd\":\"Status\"}", &why), -EINVAL); /* upper case */
	CHECK_INT(parse_err("{\"cmd\":\"a b\"}", &why), -EINVAL);
	CHECK_INT(parse_err("{\"cmd\":\"\"}", &why), -EINVAL);
	CHECK_INT(parse_err("{\"cmd\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", &why), -EINVAL);
	CHECK_INT(parse_err("{\"cmd\":\"a\\u0000b\"}", &why), -EINVAL); /* NUL inside */
	CHECK_INT(parse_err("{\"cmd\":\"a\",\"args\":[1]}", &why), -EINVAL);
	CHECK_STR(why, "\"args\" is not an object");
	CHECK_INT(parse_err("{\"cmd\":\"a\",\"args\":null}", &why), 0);
	CHECK_INT(parse_err("{\"cmd\":\"\xff\"}", &why), -EINVAL); /* not UTF-8 */
	CHECK_INT(parse_err("{\"cmd\":\"a\"}\n{\"cmd\":\"b\"}", &why), -EINVAL);
	/* deep nesting is refused, not recursed into */
	memset(big, '[', 200);
	big[200] = 0;
	CHECK_INT(parse_err(big, &why), -EINVAL);
	memset(big, ' ', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	memcpy(big, "{\"cmd\":\"a\"}", 11);
	CHECK_INT(parse_err(big, &why), -EINVAL);
	CHECK_STR(why, "request too long");
	/* a NUL byte inside the given length */
	CHECK_INT(vg_ctl_parse_request("{\"cmd\":\"a\"}\0x", 13, &req, &why), -EINVAL);
}

static void test_responses(void)
{
	struct json_object *res, *o = json_object_new_object();
	char err[128];
	char *line;

	json_object_object_add(o, "n", json_object_new_int(7));
	line = vg_ctl_response_ok(o);
	CHECK(line && line[strlen(line) - 1] == '\n' && !strchr(line, '\n')[1]);
	CHECK_INT(vg_ctl_parse_response(line, strlen(line), &res, err, sizeof(err)), 0);
	CHECK(res && json_object_get_int(json_object_object_get(res, "n")) == 7);
	json_object_put(res);
	free(line);

	line = vg_ctl_response_error("no \"such\"\nthing");
	CHECK(line && strchr(line, '\n') == line + strlen(line) - 1); /* one line */
	CHECK_INT(vg_ctl_parse_response(line, strlen(line), &res, err, sizeof(err)), -EREMOTEIO);
	CHECK_STR(err, "no \"such\"\nthing");
	free(line);

	CHECK_INT(vg_ctl_parse_response("{\"x\":1}\n", 8, &res, err, sizeof(err)), -EPROTO);
	CHECK_INT(vg_ctl_parse_response("garbage", 7, &res, err, sizeof(err)), -EPROTO);

	line = vg_ctl_format_request("ps", NULL);
	CHECK_STR(line, "{\"cmd\":\"ps\"}\n");
	free(line);
}

static int echo_calls;

static int echo_cmd(void *ctx, struct json_object *args, struct json_object **result, char *err,
		    size_t errlen)
{
	echo_calls++;
	CHECK(ctx == &echo_calls);
	*result = json_object_get(args);
	return 0;
}

static int fail_cmd(void *ctx, struct json_object *args, struct json_object **result, char *err,
		    size_t errlen)
{
	snprintf(err, errlen, "it failed on purpose");
	return -EIO;
}

static int section_a(void *ctx, struct json_object *sec)
{
	json_object_object_add(sec, "value", json_object_new_int(*(int *)ctx));
	return 0;
}

static int section_broken(void *ctx, struct json_object *sec)
{
	return -EIO;
}

static struct json_object *answer(struct vg_ctl_registry *reg, const char *line, int want_ok)
{
	char *resp = vg_ctl_handle(reg, line, strlen(line));
	struct json_object *res = NULL;
	char err[256] = "";
	int ret;

	CHECK(resp != NULL);
	if (!resp)
		return NULL;
	ret = vg_ctl_parse_response(resp, strlen(resp), &res, err, sizeof(err));
	CHECK_INT(ret == 0, want_ok);
	free(resp);
	if (!want_ok) {
		json_object_put(res);
		return json_object_new_string(err);
	}
	return res;
}

static void test_registry(void)
{
	struct vg_ctl_registry *reg;
	struct json_object *r, *s;
	char name[8];
	int value = 5;

	CHECK_INT(vg_ctl_registry_new(&reg), 0);
	CHECK_INT(vg_ctl_register(reg, "echo", echo_cmd, &echo_calls), 0);
	CHECK_INT(vg_ctl_register(reg, "echo", echo_cmd, NULL), -EEXIST);
	CHECK_INT(vg_ctl_register(reg, "status", echo_cmd, NULL), -EEXIST); /* built in */
	CHECK_INT(vg_ctl_register(reg, "Bad Name", echo_cmd, NULL), -EINVAL);
	CHECK_INT(vg_ctl_register(reg, "x", NULL, NULL), -EINVAL);
	CHECK_INT(vg_ctl_register(reg, "fail", fail_cmd, NULL), 0);
	CHECK_INT(vg_ctl_add_status(reg, "alpha", section_a, &value), 0);
	CHECK_INT(vg_ctl_add_status(reg, "alpha", section_a, &value), -EEXIST);
	CHECK_INT(vg_ctl_add_status(reg, "broken", section_broken, NULL), 0);

	r = answer(reg, "{\"cmd\":\"echo\",\"args\":{\"k\":\"v\"}}\n", 1);
	CHECK_STR(json_object_get_string(json_object_object_get(r, "k")), "v");
	CHECK_INT(echo_calls, 1);
	json_object_put(r);

	r = answer(reg, "{\"cmd\":\"fail\"}", 0);
	CHECK_STR(json_object_get_string(r), "it failed on purpose");
	json_object_put(r);
	r = answer(reg, "{\"cmd\":\"nope\"}", 0);
	CHECK_STR(json_object_get_string(r), "unknown command 'nope'");
	json_object_put(r);
	r = answer(reg, "{", 0);
	CHECK_STR(json_object_get_string(r), "request is not one valid JSON value");
	json_object_put(r);

	/* status gathers every section; a broken one says so, others stay */
	r = answer(reg, "{\"cmd\":\"status\"}", 1);
	s = json_object_object_get(r, "alpha");
	CHECK(s && json_object_get_int(json_object_object_get(s, "value")) == 5);
	s = json_object_object_get(r, "broken");
	CHECK(s && json_object_object_get(s, "error"));
	json_object_put(r);

	/* the table is bounded */
	int ret = 0;
	for (int i = 0; i < VG_CTL_COMMANDS_MAX + 2 && !ret; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		ret = vg_ctl_register(reg, name, echo_cmd, NULL);
	}
	CHECK_INT(ret, -ENOSPC);
	vg_ctl_registry_free(reg);
}

static void test_paths(void)
{
	struct vg_ph_paths *t;
	uint64_t last = 1;
	char p[32];

	CHECK_INT(vg_ph_paths_new(&t, 64), 0);
	CHECK(vg_ph_paths_get(t, 1, 2, &last) == NULL && last == 0);
	CHECK_INT(vg_ph_paths_set(t, 1, 2, "/bin/x", 6), 0);
	CHECK_STR(vg_ph_paths_get(t, 1, 2, NULL), "/bin/x");
	CHECK(vg_ph_paths_get(t, 2, 2, NULL) == NULL); /* other device */
	vg_ph_paths_anomaly(t, 1, 2, 1234);
	CHECK_STR(vg_ph_paths_get(t, 1, 2, &last), "/bin/x");
	CHECK_INT(last, 1234);
	CHECK_INT(vg_ph_paths_set(t, 1, 0, "/x", 2), -EINVAL); /* inode 0: no file */
	/* many more names than slots: bounded, never fails, recent ones kept */
	for (int i = 0; i < 1000; i++) {
		snprintf(p, sizeof(p), "/bin/p%d", i);
		CHECK_INT(vg_ph_paths_set(t, 7, (uint64_t)i + 100, p, strlen(p)), 0);
	}
	CHECK_STR(vg_ph_paths_get(t, 7, 1099, NULL), "/bin/p999");
	CHECK_INT(vg_kernel_dev(((uint64_t)8 << 8) | 1), (8 << 20) | 1); /* sda1 */
	vg_ph_paths_free(t);
}

int main(void)
{
	test_parse();
	test_responses();
	test_registry();
	test_paths();
	return check_report();
}
