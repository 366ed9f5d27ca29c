/* Fuzz target: arbitrary bytes as a control request line, through the
 * whole dispatch (parse → registry → response). The answer must always be
 * exactly one line of JSON that parses back as a response. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl_proto.h"
#include "control/ctl_registry.h"

static int echo(void *ctx, struct json_object *args, struct json_object **result, char *err,
		size_t errlen)
{
	*result = json_object_get(args);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vg_ctl_registry *reg;
	struct json_object *res = NULL;
	char err[256];
	char *resp;
	size_t n;

	if (!reg && (vg_ctl_registry_new(&reg) || vg_ctl_register(reg, "echo", echo, NULL)))
		abort();
	resp = vg_ctl_handle(reg, (const char *)data, size);
	if (!resp)
		abort();
	n = strlen(resp);
	if (n == 0 || resp[n - 1] != '\n' || memchr(resp, '\n', n - 1))
		abort(); /* one line, always */
	if (vg_ctl_parse_response(resp, n, &res, err, sizeof(err)) == -EPROTO)
		abort(); /* our own answer must be a response */
	json_object_put(res);
	free(resp);
	return 0;
}
