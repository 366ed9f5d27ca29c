/* The compiler's context: where an item's problems are reported, and the
 * fields its conditions and outputs name, interned once per engine so that
 * each is fetched at most once per event (compile_ctx.h). */
#include "rules/compile_ctx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- diagnostics in context ---- */

void vg_cc_error(struct vg_cctx *cc, uint32_t pos, const char *fmt, ...)
{
	struct vg_loc loc = cc->loc;
	char msg[352];
	va_list ap;

	if (cc->rc)
		return; /* one error per item: later ones are usually consequences */
	cc->rc = -EINVAL;
	if (cc->text && cc->text->npieces)
		vg_text_loc(cc->rs, cc->text, pos, &loc);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vg_diag_add(cc->rs, cc->level, &loc, cc->item, "%s", msg);
}

void vg_cc_skip(struct vg_cctx *cc, const char *fmt, ...)
{
	char msg[352];
	va_list ap;

	if (cc->rc)
		return;
	cc->rc = 1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cc->skip_reason = vg_arena_strndup(&cc->rs->arena, msg, strlen(msg));
	if (!cc->skip_reason)
		cc->skip_reason = "needs a field vigil does not provide";
}

void *vg_cc_alloc(struct vg_cctx *cc, size_t size)
{
	void *p = vg_arena_alloc(&cc->rs->arena, size);

	if (!p)
		vg_cc_error(cc, 0, "out of memory");
	return p;
}

/* ---- fields ---- */

static bool all_digits(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static const struct vg_field_ref *intern_ref(struct vg_cctx *cc, const struct vg_field *f,
					     int32_t index, const char *arg, size_t arg_len)
{
	struct vg_rules *rs = cc->rs;
	struct vg_field_ref *r;

	for (uint32_t i = 0; i < rs->nrefs; i++) {
		r = rs->refs[i];
		if (r->field == f && r->index == index && (r->arg != NULL) == (arg != NULL) &&
		    (!arg || (r->arg_len == arg_len && memcmp(r->arg, arg, arg_len) == 0)))
			return r;
	}
	if (rs->nrefs == rs->refs_cap) {
		uint32_t ncap = rs->refs_cap ? rs->refs_cap * 2 : 64;
		struct vg_field_ref **nr = vg_arena_grow(&rs->arena, rs->refs, rs->nrefs, ncap,
							 sizeof(*nr));
		if (!nr) {
			vg_cc_error(cc, 0, "out of memory");
			return NULL;
		}
		rs->refs = nr;
		rs->refs_cap = ncap;
	}
	r = vg_cc_alloc(cc, sizeof(*r));
	if (!r)
		return NULL;
	r->field = f;
	r->index = index;
	if (arg) {
		r->arg = vg_arena_strndup(&rs->arena, arg, arg_len);
		if (!r->arg) {
			vg_cc_error(cc, 0, "out of memory");
			return NULL;
		}
		r->arg_len = (uint32_t)arg_len;
	}
	r->slot = rs->nrefs;
	rs->refs[rs->nrefs++] = r;
	return r;
}

const struct vg_field_ref *vg_resolve_field(struct vg_cctx *cc, const struct vg_ast_field *af)
{
	const char *dot_arg, *arg, *provider;
	size_t dot_len, arg_len;
	const struct vg_field *f = vg_field_lookup(af->name, af->name_len, &dot_arg, &dot_len);
	int32_t index = -1;

	if (!f) {
		provider = vg_field_unavailable(af->name, af->name_len);
		if (provider)
			vg_cc_skip(cc, "field '%.*s' comes from %s, which vigil does not provide",
				   (int)af->name_len, af->name, provider);
		else if (cc->unknown_is_skip)
			vg_cc_skip(cc, "unknown field '%.*s' (skip-if-unknown-filter)",
				   (int)af->name_len, af->name);
		else
			vg_cc_error(cc, af->pos, "unknown field '%.*s'", (int)af->name_len,
				    af->name);
		return NULL;
	}
	if (dot_arg && af->arg) {
		vg_cc_error(cc, af->pos, "field '%s' has two arguments", f->name);
		return NULL;
	}
	arg = dot_arg ? dot_arg : af->arg;
	arg_len = dot_arg ? dot_len : af->arg_len;
	if (!arg) {
		if (f->flags & VG_FA_REQ) {
			vg_cc_error(cc, af->pos, "field '%s' needs an argument (%s.NAME or %s[N])",
				    f->name, f->name, f->name);
			return NULL;
		}
		return intern_ref(cc, f, -1, NULL, 0);
	}
	if (!(f->flags & (VG_FA_INDEX | VG_FA_NAME))) {
		vg_cc_error(cc, af->pos, "field '%s' takes no argument", f->name);
		return NULL;
	}
	if (all_digits(arg, arg_len) && (f->flags & VG_FA_INDEX)) {
		long v = strtol(arg, NULL, 10);

		if (arg_len > 6 || v > 65535) {
			vg_cc_error(cc, af->pos, "index of '%s' is too large", f->name);
			return NULL;
		}
		index = (int32_t)v;
		return intern_ref(cc, f, index, NULL, 0);
	}
	if (!(f->flags & VG_FA_NAME)) {
		vg_cc_error(cc, af->pos, "field '%s' takes a numeric index, not '%.*s'", f->name,
			    (int)arg_len, arg);
		return NULL;
	}
	if (memchr(arg, '\0', arg_len) || arg_len > 256) {
		vg_cc_error(cc, af->pos, "invalid argument for field '%s'", f->name);
		return NULL;
	}
	return intern_ref(cc, f, -1, arg, arg_len);
}

enum vg_ftype vg_cc_xform_type(struct vg_cctx *cc, const struct vg_ast_field *af,
				enum vg_ftype t)
{
	for (unsigned i = 0; i < af->nxform; i++) {
		enum vg_xform xf = (enum vg_xform)af->xform[i];
		const char *nm = vg_xform_name(xf);

		if (t != VG_FT_STR) {
			vg_cc_error(cc, af->pos, "transformer '%.*s' needs a string, '%.*s' is %s",
				    (int)strlen(nm) - 1, nm, (int)af->name_len, af->name,
				    vg_ftype_name(t));
			return VG_FT_NONE;
		}
		if (xf == VG_XF_LEN)
			t = VG_FT_UINT;
	}
	return t;
}
