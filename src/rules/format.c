/* A rule's output rendered for the event just evaluated (vg_rules_format in
 * rules.h): its template's fields take the values the evaluator fetched,
 * or are fetched now. */
#include "rules/eval.h"
#include "rules/tree.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct sink {
	char *buf;
	size_t size, used;
};

static void put(struct sink *k, const char *s, size_t n)
{
	if (k->used + 1 >= k->size)
		return;
	if (n > k->size - 1 - k->used)
		n = k->size - 1 - k->used;
	memcpy(k->buf + k->used, s, n);
	k->used += n;
	k->buf[k->used] = '\0';
}

static void render_value(const struct vg_field_ref *ref, const struct vg_value *v, struct sink *k)
{
	char tmp[64];

	switch (ref->field->type) {
	case VG_FT_STR:
		put(k, v->s.ptr, v->s.len);
		return;
	case VG_FT_INT:
		snprintf(tmp, sizeof(tmp), "%" PRId64, v->i);
		break;
	case VG_FT_UINT:
		snprintf(tmp, sizeof(tmp), "%" PRIu64, v->u);
		break;
	case VG_FT_BOOL:
		snprintf(tmp, sizeof(tmp), "%s", v->b ? "true" : "false");
		break;
	case VG_FT_IPADDR:
	case VG_FT_IPNET:
		if (!inet_ntop(v->ip.family == 6 ? AF_INET6 : AF_INET, v->ip.addr, tmp,
			       sizeof(tmp)))
			snprintf(tmp, sizeof(tmp), "<NA>");
		break;
	default:
		snprintf(tmp, sizeof(tmp), "<NA>");
		break;
	}
	put(k, tmp, strlen(tmp));
}

/* renders one field into k; false if it has no value */
static bool render_field(struct vg_rules *rs, const struct vg_field_ref *ref, struct sink *k)
{
	const struct vg_value *vals;
	int n;

	if (!ref) {
		put(k, "<NA>", 4);
		return false;
	}
	n = vg_fetch(rs, ref, &vals);
	if (n <= 0) {
		put(k, "<NA>", 4);
		return false;
	}
	for (int i = 0; i < n; i++) {
		if (i)
			put(k, ",", 1);
		render_value(ref, &vals[i], k);
	}
	return true;
}

int vg_rules_format(struct vg_rules *rs, const struct vg_rule *rule, vg_field_get get,
		    const void *ctx, struct vg_alert_text *out)
{
	const struct vg_tmpl *t = rule->tmpl;
	struct sink o = { out->output, sizeof(out->output), 0 };
	struct sink vals = { out->values, sizeof(out->values), 0 };

	out->output[0] = '\0';
	out->values[0] = '\0';
	out->nfields = 0;
	if (!t || !rs->compiled)
		return -EINVAL;
	rs->get = get;
	rs->ctx = ctx;
	for (uint32_t i = 0; i < t->nsegs; i++) {
		const struct vg_tmpl_seg *seg = &t->segs[i];
		struct vg_alert_field *f;
		bool seen = false;
		size_t start;

		if (seg->lit) {
			put(&o, seg->lit, seg->lit_len);
			continue;
		}
		render_field(rs, seg->ref, &o);
		for (unsigned k = 0; k < out->nfields; k++)
			if (strcmp(out->fields[k].name, seg->display) == 0)
				seen = true;
		if (seen || out->nfields == VG_ALERT_FIELDS_MAX || vals.used + 1 >= vals.size)
			continue;
		f = &out->fields[out->nfields++];
		f->name = seg->display;
		start = vals.used;
		f->present = render_field(rs, seg->ref, &vals);
		f->value = out->values + start;
		/* each value is NUL-terminated inside values[] */
		if (vals.used + 1 < vals.size)
			vals.used++;
		else
			out->values[vals.size - 1] = '\0';
	}
	return 0;
}
