/* The control protocol's request and response lines (json-c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl_proto.h"

static int valid_cmd_name(const char *s, size_t len)
{
	if (len == 0 || len > VG_CTL_CMD_MAX)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

int vg_ctl_parse_request(const char *buf, size_t len, struct vg_ctl_request *req,
			 const char **err)
{
	struct json_tokener *tok;
	struct json_object *root, *cmd = NULL, *args = NULL;
	const char *name;
	size_t name_len;
	int ret = -EINVAL;

	memset(req, 0, sizeof(*req));
	if (len && buf[len - 1] == '\n')
		len--;
	if (len + 1 > VG_CTL_REQUEST_MAX) {
		*err = "request too long";
		return -EINVAL;
	}
	if (len == 0) {
		*err = "empty request";
		return -EINVAL;
	}
	if (memchr(buf, '\0', len) || memchr(buf, '\n', len)) {
		*err = "request holds a NUL byte or more than one line";
		return -EINVAL;
	}
	tok = json_tokener_new_ex(16); /* a request has no reason to nest deeper */
	if (!tok) {
		*err = "out of memory";
		return -ENOMEM;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, buf, (int)len);
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		*err = "request is not one valid JSON value";
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		*err = "request is not a JSON object";
		goto out;
	}
	json_object_object_foreach(root, key, val) {
		if (!strcmp(key, "cmd"))
			cmd = val;
		else if (!strcmp(key, "args"))
			args = val;
		else {
			*err = "unknown key in request (only \"cmd\" and \"args\")";
			goto out;
		}
	}
	if (!cmd || !json_object_is_type(cmd, json_type_string)) {
		*err = "request has no \"cmd\" string";
		goto out;
	}
	name = json_object_get_string(cmd);
	name_len = (size_t)json_object_get_string_len(cmd);
	if (strlen(name) != name_len || !valid_cmd_name(name, name_len)) {
		*err = "bad command name (1-32 characters of a-z 0-9 . _ -)";
		goto out;
	}
	if (args && !json_object_is_type(args, json_type_object) &&
	    !json_object_is_type(args, json_type_null)) {
		*err = "\"args\" is not an object";
		goto out;
	}
	memcpy(req->cmd, name, name_len + 1);
	if (args && json_object_is_type(args, json_type_object))
		req->args = json_object_get(args);
	else
		req->args = json_object_new_object();
	if (!req->args) {
		*err = "out of memory";
		ret = -ENOMEM;
		goto out;
	}
	ret = 0;
out:
	json_object_put(root);
	json_tokener_free(tok);
	return ret;
}

void vg_ctl_request_free(struct vg_ctl_request *req)
{
	json_object_put(req->args);
	req->args = NULL;
}

/* The object as one line plus '\n', or NULL. */
static char *to_line(struct json_object *o)
{
	size_t n;
	const char *s = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &n);
	char *line;

	if (!s)
		return NULL;
	line = malloc(n + 2);
	if (!line)
		return NULL;
	memcpy(line, s, n);
	line[n] = '\n';
	line[n + 1] = 0;
	return line;
}

char *vg_ctl_format_request(const char *cmd, struct json_object *args)
{
	struct json_object *o = json_object_new_object();
	char *line = NULL;

	if (!o)
		return NULL;
	json_object_object_add(o, "cmd", json_object_new_string(cmd));
	if (args)
		json_object_object_add(o, "args", json_object_get(args));
	line = to_line(o);
	json_object_put(o);
	return line;
}

char *vg_ctl_response_ok(struct json_object *result)
{
	struct json_object *o = json_object_new_object();
	char *line;

	if (!o) {
		json_object_put(result);
		return NULL;
	}
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, "result", result);
	line = to_line(o);
	json_object_put(o);
	return line;
}

char *vg_ctl_response_error(const char *msg)
{
	struct json_object *o = json_object_new_object();
	char *line;

	if (!o)
		return NULL;
	json_object_object_add(o, "ok", json_object_new_boolean(0));
	json_object_object_add(o, "error", json_object_new_string(msg));
	line = to_line(o);
	json_object_put(o);
	return line;
}

int vg_ctl_parse_response(const char *buf, size_t len, struct json_object **result, char *err,
			  size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *root, *ok, *v;
	int ret = -EPROTO;

	*result = NULL;
	if (len && buf[len - 1] == '\n')
		len--;
	tok = json_tokener_new();
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = len < (size_t)0x7fffffff ? json_tokener_parse_ex(tok, buf, (int)len) : NULL;
	if (!root || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len || !json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "ok", &ok) ||
	    !json_object_is_type(ok, json_type_boolean)) {
		snprintf(err, errlen, "the monitor's answer is not a control response");
		goto out;
	}
	if (!json_object_get_boolean(ok)) {
		snprintf(err, errlen, "%s",
			 json_object_object_get_ex(root, "error", &v) &&
					 json_object_is_type(v, json_type_string)
				 ? json_object_get_string(v)
				 : "the monitor refused the request");
		ret = -EREMOTEIO;
		goto out;
	}
	json_object_object_get_ex(root, "result", &v);
	*result = json_object_get(v);
	ret = 0;
out:
	json_object_put(root);
	json_tokener_free(tok);
	return ret;
}
