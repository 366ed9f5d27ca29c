/* Fuzz target for the rule loader: the input is a rules file. It is loaded,
 * compiled, evaluated against a synthetic event and every match formatted,
 * so parser, compiler, evaluator and output templates all see it. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rules/rules.h"

static int fuzz_get(const void *ctx, const struct vg_field_ref *ref, struct vg_value *out,
		    unsigned max)
{
	static const char *const strs[] = { "bash", "/etc/shadow", "", "a b c", "/tmp/../x" };
	unsigned n = ref->index > 3 ? 0 : (max < 3 ? max : 3);

	(void)ctx;
	for (unsigned i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		switch (ref->field->type) {
		case VG_FT_STR:
			out[i].s.ptr = strs[(ref->field->id + i) % 5];
			out[i].s.len = (uint32_t)strlen(out[i].s.ptr);
			break;
		case VG_FT_INT:
			out[i].i = (int64_t)ref->field->id - 10;
			break;
		case VG_FT_UINT:
			out[i].u = ref->field->id;
			break;
		case VG_FT_BOOL:
			out[i].b = ref->field->id & 1;
			break;
		default:
			out[i].ip.family = 4;
			out[i].ip.addr[0] = 10;
			break;
		}
		if (!(ref->field->flags & VG_FF_ANY) || ref->index >= 0)
			return 1;
	}
	return (int)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vg_alert_text alert;
	struct vg_rules *rs = vg_rules_new();
	const struct vg_rule *m[8];

	if (!rs)
		return 0;
	vg_rules_load_buffer(rs, "fuzz.yaml", (const char *)data, size);
	vg_rules_compile(rs);
	for (unsigned t = 1; t < vg_evtype_count(); t += 7) {
		int n = vg_rules_eval(rs, t, fuzz_get, NULL, m, 8);

		for (int i = 0; i < n && i < 8; i++)
			vg_rules_format(rs, m[i], fuzz_get, NULL, &alert);
	}
	vg_rules_free(rs);
	return 0;
}
