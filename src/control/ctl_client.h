/* The client side of the control socket, for the vigil CLI commands. */
#ifndef VIGIL_CONTROL_CTL_CLIENT_H
#define VIGIL_CONTROL_CTL_CLIENT_H

#include <stddef.h>

#include <json-c/json.h>

#define VG_CTL_CLIENT_TIMEOUT_MS 10000

/* Sends one request and waits (bounded) for its answer. Returns 0 with
 * *result (owned by the caller, may be NULL for JSON null), or a negative
 * errno with a one-line message in err:
 *   -ENOTCONN      no monitor is running (no socket, or nobody answers)
 *   -EACCES        the socket is root-only and we are not root
 *   -EREMOTEIO     the monitor answered with an error (its message)
 *   -ETIMEDOUT, -EPROTO, ... */
int vg_ctl_call(const char *path, const char *cmd, struct json_object *args,
		struct json_object **result, char *err, size_t errlen);

#endif
