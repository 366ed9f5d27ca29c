/* The field registry table (built from VG_FIELDS in fields.h). */
#include "rules/fields.h"

#include <string.h>
#include "util/macros.h"

static const struct vg_field field_table[VG_F__COUNT] = {
#define VG_FIELD_ENTRY(ID, nm, ty, fl, ds)                                                         \
	[VG_F_##ID] = { .id = VG_F_##ID, .name = nm, .type = VG_FT_##ty, .flags = fl, .desc = ds },
	VG_FIELDS(VG_FIELD_ENTRY)
#undef VG_FIELD_ENTRY
};

/* Field classes that exist in Falco but come from plugins or from Kubernetes
 * metadata. A rule that needs one is skipped, not failed. */
static const struct {
	const char *prefix;
	const char *provider;
} unavailable[] = {
	{ "k8s.", "Kubernetes metadata" },
	{ "k8smeta.", "the k8smeta plugin" },
	{ "ka.", "the k8saudit plugin" },
	{ "jevt.", "the json plugin" },
	{ "json.", "the json plugin" },
	{ "ct.", "the cloudtrail plugin" },
	{ "s3.", "the cloudtrail plugin" },
	{ "ec2.", "the cloudtrail plugin" },
	{ "aws.", "an AWS plugin" },
	{ "gcp.", "the gcpaudit plugin" },
	{ "github.", "the github plugin" },
	{ "okta.", "the okta plugin" },
	{ "docker.", "the docker plugin" },
	{ "nomad.", "the nomad plugin" },
	{ "kafka.", "the kafka plugin" },
	{ "al.", "the gcpaudit plugin" },
	{ "dummy.", "the dummy plugin" },
	{ "evt.plugininfo", "plugin events" },
	{ "evt.pluginname", "plugin events" },
	{ "mesos.", "Mesos metadata" },
	{ "marathon.", "Mesos metadata" },
	{ "span.", "tracers" },
};

const struct vg_field *vg_field_table(void)
{
	return field_table;
}

const struct vg_field *vg_field_by_id(enum vg_field_id id)
{
	return (unsigned)id < VG_F__COUNT ? &field_table[id] : NULL;
}

const struct vg_field *vg_field_by_name(const char *name, size_t len)
{
	for (unsigned i = 0; i < VG_F__COUNT; i++)
		if (strlen(field_table[i].name) == len && memcmp(field_table[i].name, name, len) == 0)
			return &field_table[i];
	return NULL;
}

const struct vg_field *vg_field_lookup(const char *lexeme, size_t len, const char **dot_arg,
				       size_t *dot_arg_len)
{
	const struct vg_field *f = vg_field_by_name(lexeme, len);

	*dot_arg = NULL;
	*dot_arg_len = 0;
	if (f)
		return f;
	/* evt.arg.flags: the longest registered prefix that takes a name */
	for (size_t cut = len; cut > 0; cut--) {
		if (lexeme[cut - 1] != '.' || cut == len)
			continue;
		f = vg_field_by_name(lexeme, cut - 1);
		if (f && (f->flags & VG_FA_NAME)) {
			*dot_arg = lexeme + cut;
			*dot_arg_len = len - cut;
			return f;
		}
	}
	return NULL;
}

const char *vg_field_unavailable(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(unavailable); i++) {
		size_t pl = strlen(unavailable[i].prefix);

		if (len >= pl && memcmp(name, unavailable[i].prefix, pl) == 0)
			return unavailable[i].provider;
	}
	return NULL;
}

const char *vg_ftype_name(enum vg_ftype type)
{
	switch (type) {
	case VG_FT_STR:
		return "string";
	case VG_FT_INT:
		return "int64";
	case VG_FT_UINT:
		return "uint64";
	case VG_FT_BOOL:
		return "bool";
	case VG_FT_IPADDR:
		return "ipaddr";
	case VG_FT_IPNET:
		return "ipnet";
	case VG_FT_NONE:
		break;
	}
	return "none";
}
