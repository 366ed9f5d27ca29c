/* Compile stage, output templates: "%proc.name ran %proc.aname[2] flags=%evt.arg.flags".
 * Each %field becomes a segment bound to an interned field ref, so values
 * already extracted for the condition are reused. */
#include "rules/template.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool add_seg(struct vg_cctx *cc, struct vg_tmpl *t, const struct vg_tmpl_seg *seg)
{
	uint32_t n = t->nsegs;

	if ((n & (n - 1)) == 0) {
		struct vg_tmpl_seg *ns = vg_arena_grow(&cc->rs->arena, t->segs, n, n ? 2 * n : 4,
						       sizeof(*ns));
		if (!ns) {
			vg_cc_error(cc, 0, "out of memory");
			return false;
		}
		t->segs = ns;
	}
	t->segs[t->nsegs++] = *seg;
	return true;
}

static bool is_field_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

const struct vg_tmpl *vg_compile_output(struct vg_cctx *cc)
{
	const struct vg_text *text = cc->text;
	struct vg_tmpl *t = vg_arena_alloc(&cc->rs->arena, sizeof(*t));
	const char *s = text->s ? text->s : "";
	uint32_t len = text->len, lit = 0, i = 0;

	if (!t) {
		vg_cc_error(cc, 0, "out of memory");
		return NULL;
	}
	/* Whitespace around the template is not part of the alert (a folded
	 * YAML scalar keeps its final newline), as Falco trims it. */
	while (len && isspace((unsigned char)s[len - 1]))
		len--;
	while (len && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (i < len) {
		struct vg_parse_error perr;
		struct vg_ast_field af;
		struct vg_tmpl_seg seg = { 0 };
		const char *dot;
		size_t used, dlen;

		if (s[i] != '%' || i + 1 >= len || (s[i + 1] != '%' && !is_field_start(s[i + 1]))) {
			i++;
			continue;
		}
		/* flush the literal before the % */
		if (i > lit) {
			seg.lit = s + lit;
			seg.lit_len = i - lit;
			if (!add_seg(cc, t, &seg))
				return NULL;
			memset(&seg, 0, sizeof(seg));
		}
		if (s[i + 1] == '%') { /* %% is a literal % */
			lit = i + 1;
			i += 2;
			continue;
		}
		if (vg_parse_field(&cc->rs->arena, s + i + 1, len - i - 1, &af, &used, &perr) < 0 ||
		    af.nxform) {
			/* "100%" or "%1": not a field, keep it as text */
			lit = i;
			i++;
			continue;
		}
		af.pos = i + 1;
		seg.display = vg_arena_strndup(&cc->rs->arena, s + i + 1, used);
		if (!seg.display) {
			vg_cc_error(cc, 0, "out of memory");
			return NULL;
		}
		if (!vg_field_lookup(af.name, af.name_len, &dot, &dlen) &&
		    vg_field_unavailable(af.name, af.name_len)) {
			struct vg_loc loc;

			vg_text_loc(cc->rs, text, af.pos, &loc);
			vg_diag_add(cc->rs, VG_DIAG_WARNING, &loc, cc->item,
				    "output field '%s' comes from %s: it will read <NA>",
				    seg.display, vg_field_unavailable(af.name, af.name_len));
		} else {
			seg.ref = vg_resolve_field(cc, &af);
			if (!seg.ref) {
				if (cc->rc == 1) { /* skip-if-unknown-filter: only the output */
					cc->rc = 0;
					cc->skip_reason = NULL;
				} else {
					return NULL;
				}
			}
		}
		if (!add_seg(cc, t, &seg))
			return NULL;
		i += 1 + (uint32_t)used;
		lit = i;
	}
	if (len > lit) {
		struct vg_tmpl_seg seg = { .lit = s + lit, .lit_len = len - lit };

		if (!add_seg(cc, t, &seg))
			return NULL;
	}
	return t;
}
