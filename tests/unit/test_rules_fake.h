/* A fake event for rule-engine tests: a list of (field, index, arg, value)
 * entries and a vg_field_get that serves them and counts its calls. */
#ifndef VIGIL_TEST_RULES_FAKE_H
#define VIGIL_TEST_RULES_FAKE_H

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

struct fake_entry {
	enum vg_field_id id;
	int index;	 /* -1: none */
	const char *arg; /* NULL: none */
	const char *s;	 /* string value, or the text of a number/bool/ip */
};

struct fake_event {
	struct fake_entry e[64];
	int n;
	int calls[VG_F__COUNT];
};

static inline void fake_set(struct fake_event *ev, enum vg_field_id id, int index,
			    const char *arg, const char *s)
{
	if (ev->n < 64)
		ev->e[ev->n++] = (struct fake_entry){ id, index, arg, s };
}

static inline int fake_get(const void *ctx, const struct vg_field_ref *ref, struct vg_value *out,
			   unsigned max)
{
	struct fake_event *ev = (struct fake_event *)ctx;
	unsigned n = 0;

	ev->calls[ref->field->id]++;
	for (int i = 0; i < ev->n && n < max; i++) {
		const struct fake_entry *e = &ev->e[i];
		struct vg_value *v = &out[n];

		if (e->id != ref->field->id)
			continue;
		if (ref->index >= 0 && e->index != ref->index)
			continue;
		if ((ref->arg == NULL) != (e->arg == NULL) || (ref->arg && strcmp(ref->arg, e->arg)))
			continue;
		memset(v, 0, sizeof(*v));
		switch (ref->field->type) {
		case VG_FT_STR:
			v->s.ptr = e->s;
			v->s.len = (uint32_t)strlen(e->s);
			break;
		case VG_FT_INT:
			v->i = strtoll(e->s, NULL, 10);
			break;
		case VG_FT_UINT:
			v->u = strtoull(e->s, NULL, 10);
			break;
		case VG_FT_BOOL:
			v->b = strcmp(e->s, "true") == 0;
			break;
		case VG_FT_IPADDR:
		case VG_FT_IPNET:
			if (inet_pton(AF_INET, e->s, v->ip.addr) == 1)
				v->ip.family = 4;
			else if (inet_pton(AF_INET6, e->s, v->ip.addr) == 1)
				v->ip.family = 6;
			break;
		default:
			break;
		}
		n++;
	}
	return (int)n;
}

#endif
