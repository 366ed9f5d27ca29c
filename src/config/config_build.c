/* Building a configuration (config.h): built-in defaults (every key's
 * default from the schema), then the file (config_yaml.c), then the
 * command line's overrides. Printing is in config_print.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_ctx.h"
#include "config/config_watch.h"

int vg_config_apply(struct vg_config *c, const struct vg_config_override *ov, unsigned n,
		    struct vg_config_errors *errs)
{
	int ret = 0;

	for (unsigned i = 0; i < n; i++) {
		int r = ov[i].items ? vg_config_set_list(c, ov[i].key, ov[i].items, ov[i].nitems,
							 ov[i].origin, errs)
			: ov[i].key
			    ? vg_config_set_kv(c, ov[i].key, ov[i].value, ov[i].origin, errs)
			    : vg_config_set(c, ov[i].value, ov[i].origin, errs);

		if (r && !ret)
			ret = r;
	}
	return ret;
}

int vg_config_build(struct vg_config **out, const char *builtin_rules, const char *path,
		    const struct vg_config_override *ov, unsigned n, struct vg_config_errors *errs)
{
	struct vg_config *c;
	int ret = vg_config_new(&c, builtin_rules);

	*out = NULL;
	if (ret)
		return ret;
	ret = vg_config_load_file(c, path ? path : VG_CONFIG_DEFAULT_PATH, errs);
	if (ret == -ENOENT && !path)
		ret = 0; /* no default file: the built-in defaults */
	else if (ret == -ENOENT)
		vg_config_add_error(errs, path, NULL, NULL, "no such file");
	if (!ret)
		ret = vg_config_apply(c, ov, n, errs);
	if (ret) {
		vg_config_free(c);
		return ret;
	}
	*out = c;
	return 0;
}

int vg_config_new(struct vg_config **out, const char *builtin_rules)
{
	struct vg_config *c = calloc(1, sizeof(*c));
	struct vg_config_errors *errs = calloc(1, sizeof(*errs));
	int ret = 0;

	*out = NULL;
	if (!c || !errs || !(c->builtin_rules = strdup(builtin_rules ? builtin_rules : ""))) {
		free(errs);
		vg_config_free(c);
		return -ENOMEM;
	}
	for (unsigned i = 0; i < vg_config_nkeys && !ret; i++)
		ret = vg_config_set_kv(c, vg_config_keys[i].name, vg_config_keys[i].def, "default",
				       errs);
	free(errs);
	if (ret) { /* a default that fails its own check: out of memory */
		vg_config_free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void vg_config_free(struct vg_config *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < vg_config_nkeys; i++) {
		const struct vg_config_key *k = &vg_config_keys[i];

		if (k->type == VG_CT_STRING || k->type == VG_CT_ENUM)
			free(*(char **)vg_config_field(c, k));
		else if (k->type == VG_CT_LIST)
			vg_strlist_clear(vg_config_field(c, k));
		else if (k->type == VG_CT_WATCH)
			vg_watch_list_clear(vg_config_field(c, k));
	}
	vg_config_outputs_clear(c);
	free(c->builtin_rules);
	free(c);
}
