/* user.*, group.* and container.* fields: who the process acts as (its
 * effective ids, named through the user cache) and where it runs. */
#include "fields/fx.h"
#include "proc/container.h"
#include "proc/proctable.h"
#include "proc/usercache.h"
#include "sensor/event.h"

static int user_name(struct vg_rule_ctx *c, uint32_t uid, struct vg_value *out)
{
	if (!c->users)
		return 0;
	return vg_put_copy(c, out, vg_uc_user(c->users, uid, c->ev->u.hdr.ts_ns));
}

/* user.homedir, user.shell: from the passwd entry; absent without one */
static int user_account_path(struct vg_rule_ctx *c, uint32_t uid, unsigned id,
			     struct vg_value *out)
{
	struct vg_uc_account a;
	const char *path;

	if (!c->users)
		return 0;
	vg_uc_account(c->users, uid, c->ev->u.hdr.ts_ns, &a);
	path = id == VG_F_USER_HOMEDIR ? a.home : a.shell;
	return path[0] ? vg_put_copy(c, out, path) : 0;
}

static int container_field(struct vg_rule_ctx *c, enum vg_field_id id, struct vg_value *out)
{
	const struct vg_container *ct = vg_fx_container(c);
	bool host = vg_fx_on_host(ct);

	if (!ct)
		return 0;
	switch (id) {
	case VG_F_CONTAINER_ID:
		return vg_put_cstr(out, host ? "host" : ct->short_id);
	case VG_F_CONTAINER_FULL_ID:
		return vg_put_cstr(out, host ? "host" : ct->id);
	case VG_F_CONTAINER_NAME:
		return host ? vg_put_cstr(out, "host") : 0;
	case VG_F_CONTAINER_TYPE:
		return host ? 0 : vg_put_cstr(out, vg_runtime_name(ct->runtime));
	default:
		return 0; /* images, mounts, privileges: no container metadata yet */
	}
}

FX(user_uid)
{
	return vg_put_uint(out, vg_fx_self(c)->euid);
}

FX(user_name_of)
{
	return user_name(c, vg_fx_self(c)->euid, out);
}

FX(user_path)
{
	return user_account_path(c, vg_fx_self(c)->euid, ref->field->id, out);
}

FX(user_loginuid)
{
	return vg_put_int(out, (int32_t)vg_fx_self(c)->loginuid);
}

FX(user_loginname)
{
	const struct vg_rule_pview *s = vg_fx_self(c);

	return s->loginuid != VG_LOGINUID_UNSET ? user_name(c, s->loginuid, out) : 0;
}

FX(group_gid)
{
	return vg_put_uint(out, vg_fx_self(c)->egid);
}

FX(group_name)
{
	if (!c->users)
		return 0;
	return vg_put_copy(c, out, vg_uc_group(c->users, vg_fx_self(c)->egid, c->ev->u.hdr.ts_ns));
}

FX(container)
{
	return container_field(c, ref->field->id, out);
}

static const struct vg_fx fx[] = {
	{ VG_F_USER_UID, user_uid },
	{ VG_F_USER_NAME, user_name_of },
	{ VG_F_USER_HOMEDIR, user_path },
	{ VG_F_USER_SHELL, user_path },
	{ VG_F_USER_LOGINUID, user_loginuid },
	{ VG_F_USER_LOGINNAME, user_loginname },
	{ VG_F_GROUP_GID, group_gid },
	{ VG_F_GROUP_NAME, group_name },
	{ VG_F_CONTAINER_ID, container },
	{ VG_F_CONTAINER_FULL_ID, container },
	{ VG_F_CONTAINER_NAME, container },
	{ VG_F_CONTAINER_TYPE, container },
};

VG_FX_FAMILY(vg_fx_user, "user, group, container", fx);
