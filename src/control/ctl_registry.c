/* Command table and status sections of the control socket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ctl_proto.h"
#include "control/ctl_registry.h"

struct ctl_command {
	char name[VG_CTL_CMD_MAX + 1];
	vg_ctl_fn fn;
	void *ctx;
};

struct ctl_section {
	char name[VG_CTL_CMD_MAX + 1];
	vg_ctl_status_fn fn;
	void *ctx;
};

struct vg_ctl_registry {
	struct ctl_command cmds[VG_CTL_COMMANDS_MAX];
	unsigned ncmds;
	struct ctl_section sections[VG_CTL_SECTIONS_MAX];
	unsigned nsections;
};

/* The name rules of the protocol: checked by parsing a request for it. */
static int valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > VG_CTL_CMD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789._-", name[i]))
			return 0;
	return 1;
}

int vg_ctl_status(struct vg_ctl_registry *reg, struct json_object **result)
{
	struct json_object *all = json_object_new_object(), *sec;

	if (!all)
		return -ENOMEM;
	for (unsigned i = 0; i < reg->nsections; i++) {
		sec = json_object_new_object();
		if (!sec || reg->sections[i].fn(reg->sections[i].ctx, sec)) {
			/* one broken section does not hide the others */
			json_object_put(sec);
			sec = json_object_new_object();
			if (sec)
				json_object_object_add(sec, "error",
						       json_object_new_string("unavailable"));
		}
		json_object_object_add(all, reg->sections[i].name, sec);
	}
	*result = all;
	return 0;
}

static int status_cmd(void *ctx, struct json_object *args, struct json_object **result,
		      char *err, size_t errlen)
{
	(void)args;
	(void)err;
	(void)errlen;
	return vg_ctl_status(ctx, result);
}

int vg_ctl_registry_new(struct vg_ctl_registry **out)
{
	struct vg_ctl_registry *reg = calloc(1, sizeof(*reg));

	*out = NULL;
	if (!reg)
		return -ENOMEM;
	vg_ctl_register(reg, "status", status_cmd, reg);
	*out = reg;
	return 0;
}

void vg_ctl_registry_free(struct vg_ctl_registry *reg)
{
	free(reg);
}

static struct ctl_command *find_cmd(struct vg_ctl_registry *reg, const char *name)
{
	for (unsigned i = 0; i < reg->ncmds; i++)
		if (!strcmp(reg->cmds[i].name, name))
			return &reg->cmds[i];
	return NULL;
}

int vg_ctl_register(struct vg_ctl_registry *reg, const char *name, vg_ctl_fn fn, void *ctx)
{
	struct ctl_command *c;

	if (!fn || !valid_name(name))
		return -EINVAL;
	if (find_cmd(reg, name))
		return -EEXIST;
	if (reg->ncmds == VG_CTL_COMMANDS_MAX)
		return -ENOSPC;
	c = &reg->cmds[reg->ncmds++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->fn = fn;
	c->ctx = ctx;
	return 0;
}

int vg_ctl_add_status(struct vg_ctl_registry *reg, const char *name, vg_ctl_status_fn fn,
		      void *ctx)
{
	struct ctl_section *s;

	if (!fn || !valid_name(name))
		return -EINVAL;
	for (unsigned i = 0; i < reg->nsections; i++)
		if (!strcmp(reg->sections[i].name, name))
			return -EEXIST;
	if (reg->nsections == VG_CTL_SECTIONS_MAX)
		return -ENOSPC;
	s = &reg->sections[reg->nsections++];
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->fn = fn;
	s->ctx = ctx;
	return 0;
}

char *vg_ctl_handle(struct vg_ctl_registry *reg, const char *line, size_t len)
{
	struct vg_ctl_request req;
	struct json_object *result = NULL;
	struct ctl_command *c;
	const char *why = NULL;
	char err[VG_CTL_ERR_MAX] = "";
	char *resp;
	int ret;

	if (vg_ctl_parse_request(line, len, &req, &why))
		return vg_ctl_response_error(why);
	c = find_cmd(reg, req.cmd);
	if (!c) {
		snprintf(err, sizeof(err), "unknown command '%s'", req.cmd);
		vg_ctl_request_free(&req);
		return vg_ctl_response_error(err);
	}
	ret = c->fn(c->ctx, req.args, &result, err, sizeof(err));
	vg_ctl_request_free(&req);
	if (ret) {
		json_object_put(result);
		if (!err[0])
			snprintf(err, sizeof(err), "%s failed: %s", c->name, strerror(-ret));
		return vg_ctl_response_error(err);
	}
	resp = vg_ctl_response_ok(result);
	if (resp && strlen(resp) > VG_CTL_RESPONSE_MAX) {
		free(resp);
		return vg_ctl_response_error("response too large");
	}
	return resp;
}
