/* Alerts' output_fields are typed as Falco types them: numbers for integer
 * fields, true/false for bool fields, null when absent, text for strings,
 * addresses and several values. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "output/alert.h"
#include "output/fields.h"

static void test_typed(void)
{
	struct vg_kv kv;

	vg_kv_typed(&kv, "proc.pid", "1234", true);
	CHECK_INT(kv.kind, VG_KV_INT);
	CHECK_INT(kv.i, 1234);
	CHECK_STR(kv.key, "proc.pid");
	vg_kv_typed(&kv, "evt.rawres", "-2", true);
	CHECK_INT(kv.kind, VG_KV_INT);
	CHECK_INT(kv.i, -2);
	vg_kv_typed(&kv, "proc.exe_ino.ctime", "1700000000123456789", true);
	CHECK_INT(kv.kind, VG_KV_INT);
	CHECK_INT(kv.i, 1700000000123456789LL);
	vg_kv_typed(&kv, "evt.failed", "true", true);
	CHECK_INT(kv.kind, VG_KV_BOOL);
	CHECK_INT(kv.i, 1);
	vg_kv_typed(&kv, "proc.is_exe_upper_layer", "false", true);
	CHECK_INT(kv.kind, VG_KV_BOOL);
	CHECK_INT(kv.i, 0);
	/* an index names one value */
	vg_kv_typed(&kv, "proc.apid[2]", "77", true);
	CHECK_INT(kv.kind, VG_KV_INT);
	CHECK_INT(kv.i, 77);
	/* several values stay the joined text */
	vg_kv_typed(&kv, "proc.apid", "77,1", true);
	CHECK_INT(kv.kind, VG_KV_STR);
	CHECK_STR(kv.s, "77,1");
	vg_kv_typed(&kv, "fd.port", "80", true);
	CHECK_INT(kv.kind, VG_KV_STR);
	/* strings, addresses, rendered arguments */
	vg_kv_typed(&kv, "proc.name", "123", true);
	CHECK_INT(kv.kind, VG_KV_STR);
	vg_kv_typed(&kv, "fd.sip", "127.0.0.1", true);
	CHECK_INT(kv.kind, VG_KV_STR);
	vg_kv_typed(&kv, "evt.arg.uid", "0", true);
	CHECK_INT(kv.kind, VG_KV_STR);
	vg_kv_typed(&kv, "evt.rawarg.uid", "0", true);
	CHECK_INT(kv.kind, VG_KV_INT);
	/* absent: null; unknown names: text */
	vg_kv_typed(&kv, "proc.pid", "<NA>", false);
	CHECK_INT(kv.kind, VG_KV_NULL);
	vg_kv_typed(&kv, "k8s.pod.name", "<NA>", true);
	CHECK_INT(kv.kind, VG_KV_STR);
	/* a rendering that is not a number stays text */
	vg_kv_typed(&kv, "proc.pid", "12x", true);
	CHECK_INT(kv.kind, VG_KV_STR);
}

static void test_json(void)
{
	struct vg_fields f = { .n = 0 };
	struct vg_alert a = { .rule = "r", .priority = "Warning", .output = "o", .fields = &f,
			      .source = "syscall", .hostname = "h" };
	char *j;

	vg_kv_typed(&f.kv[f.n++], "proc.pid", "42", true);
	vg_kv_typed(&f.kv[f.n++], "evt.failed", "false", true);
	vg_kv_typed(&f.kv[f.n++], "proc.name", "cat", true);
	vg_kv_typed(&f.kv[f.n++], "user.name", "<NA>", false);
	j = vg_alert_json(&a);
	CHECK(j != NULL);
	if (j) {
		CHECK(strstr(j, "\"proc.pid\":42") != NULL);
		CHECK(strstr(j, "\"evt.failed\":false") != NULL);
		CHECK(strstr(j, "\"proc.name\":\"cat\"") != NULL);
		CHECK(strstr(j, "\"user.name\":null") != NULL);
	}
	free(j);
}

int main(void)
{
	test_typed();
	test_json();
	return check_report();
}
