/* The control protocol: one JSON object per line each way.
 *
 *   request:  {"cmd":"NAME","args":{...}}      ("args" optional)
 *   response: {"ok":true,"result":...}  or  {"ok":false,"error":"why"}
 *
 * Parsing is strict and bounded: a request is at most VG_CTL_REQUEST_MAX
 * bytes, must be one JSON object with a command name of [a-z0-9._-] and no
 * other keys than "cmd" and "args". The parser never prints; problems come
 * back as a message for the response. */
#ifndef VIGIL_CONTROL_CTL_PROTO_H
#define VIGIL_CONTROL_CTL_PROTO_H

#include <stddef.h>

#include <json-c/json.h>

#define VG_CTL_REQUEST_MAX 4096	      /* bytes of one request line, newline included */
#define VG_CTL_RESPONSE_MAX (16u << 20) /* bytes of one response line */
#define VG_CTL_CMD_MAX 32	      /* command name length, NUL excluded */

struct vg_ctl_request {
	char cmd[VG_CTL_CMD_MAX + 1];
	struct json_object *args; /* an object, never NULL after a successful parse; owned */
};

/* Parses one request line (without or with its trailing newline). Returns 0
 * and fills req (free it with vg_ctl_request_free), or -EINVAL with *err a
 * static message naming the problem. */
int vg_ctl_parse_request(const char *buf, size_t len, struct vg_ctl_request *req,
			 const char **err);
void vg_ctl_request_free(struct vg_ctl_request *req);

/* Builds a request line (newline-terminated, malloc'd) or NULL. args may be
 * NULL; it is not consumed. */
char *vg_ctl_format_request(const char *cmd, struct json_object *args);

/* Response lines (newline-terminated, malloc'd; NULL on allocation failure).
 * vg_ctl_response_ok takes ownership of result (which may be NULL). */
char *vg_ctl_response_ok(struct json_object *result);
char *vg_ctl_response_error(const char *msg);

/* Parses a response line: 0 with *result (owned by the caller; may be JSON
 * null) on {"ok":true}, -EREMOTEIO with the monitor's message copied into
 * err on {"ok":false}, -EPROTO with a description in err if it is not a
 * response at all. */
int vg_ctl_parse_response(const char *buf, size_t len, struct json_object **result, char *err,
			  size_t errlen);

#endif
