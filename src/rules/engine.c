/* The rule engine's façade (rules.h): loading files, then the pipeline run
 * once by vg_rules_compile (compile -> optimize -> programs -> index), and
 * the queries on the result. The stages are in the files store.h lists. */
#include "rules/compile.h"
#include "rules/eval.h"
#include "rules/evtindex.h"
#include "rules/optimize.h"
#include "rules/store.h"
#include "rules/yaml_load.h"
#include "util/safe_file.h"
#include "util/yaml_doc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- loading ---- */

int vg_rules_load_buffer(struct vg_rules *rs, const char *name, const char *data, size_t len)
{
	struct vg_loc loc = { .file = -1 };
	unsigned errors = rs->nerrors;
	struct vg_src_file *nf;
	char *copy, *nm;
	int rc;

	if (rs->compiled)
		return -EBUSY;
	if (rs->nfiles >= rs->max_files) {
		vg_diag_add(rs, VG_DIAG_ERROR, NULL, "", "%s: more than %u rules files", name,
			    rs->max_files);
		return -E2BIG;
	}
	if (len > rs->max_file_bytes) {
		vg_diag_add(rs, VG_DIAG_ERROR, NULL, "", "%s: file larger than %zu bytes", name,
			    rs->max_file_bytes);
		return -EFBIG;
	}
	nf = vg_arena_grow(&rs->arena, rs->files, rs->nfiles, rs->nfiles + 1, sizeof(*nf));
	copy = vg_arena_strndup(&rs->arena, data, len);
	nm = vg_arena_strndup(&rs->arena, name, strlen(name));
	if (!nf || !copy || !nm) {
		vg_diag_add(rs, VG_DIAG_ERROR, &loc, "", "%s: out of memory", name);
		return -ENOMEM;
	}
	rs->files = nf;
	nf[rs->nfiles].name = nm;
	nf[rs->nfiles].text = copy;
	nf[rs->nfiles].len = len;
	rs->nfiles++;
	rc = vg_load_yaml(rs, (int)rs->nfiles - 1);
	if (rc == 0 && rs->nerrors > errors)
		rc = -EINVAL;
	return rc;
}

int vg_rules_load_file(struct vg_rules *rs, const char *path)
{
	struct vg_yaml_error err;
	char esc[512];
	char *buf;
	size_t len;
	int rc;

	if (rs->compiled)
		return -EBUSY;
	rc = vg_yaml_read_file(path, rs->max_file_bytes, &buf, &len, &err);
	if (rc < 0) {
		vg_diag_add(rs, VG_DIAG_ERROR, NULL, "", "%s: %s",
			    vg_escape(path, esc, sizeof(esc)), err.msg);
		return rc;
	}
	rc = vg_rules_load_buffer(rs, path, buf, len);
	free(buf);
	return rc;
}

unsigned vg_rules_count(const struct vg_rules *rs)
{
	return rs->nrules;
}

const struct vg_rule *vg_rules_get(const struct vg_rules *rs, unsigned i)
{
	return i < rs->nrules ? &rs->rules[i]->pub : NULL;
}

const struct vg_rule *vg_rules_find(const struct vg_rules *rs, const char *name)
{
	struct vg_rule_def *r = vg_find_rule(rs, name, strlen(name));

	return r ? &r->pub : NULL;
}

int vg_rules_set_enabled(struct vg_rules *rs, const char *name, bool enabled)
{
	struct vg_rule_def *r = vg_find_rule(rs, name, strlen(name));

	if (!r)
		return -ENOENT;
	if (!rs->compiled || r->pub.state != VG_RULE_LOADED)
		return -EINVAL;
	r->pub.enabled = enabled;
	return vg_build_index(rs);
}

void vg_rules_evtypes(const struct vg_rules *rs, struct vg_evtset *out)
{
	*out = rs->evtypes;
}

int vg_rules_compile(struct vg_rules *rs)
{
	int rc;

	if (rs->compiled)
		return -EBUSY;
	rs->compiled = true;
	rc = vg_compile_rules(rs);
	if (rc == 0)
		vg_optimize_rules(rs); /* on failure the compiled trees are used as they are */
	if (rc == 0)
		rc = vg_eval_setup(rs);
	if (rc == 0)
		rc = vg_build_index(rs);
	if (rc == 0 && rs->nerrors)
		rc = -EINVAL;
	return rc;
}
