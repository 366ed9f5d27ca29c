/* Folding of repeated alerts (src/output/repeats.c): what makes two alerts
 * the same, the first sent at once, the summary with vigil.repeats when the
 * window ends, eviction, and a window of 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "output/repeats.h"
#include "util/macros.h"

static int nsent;
static char last_rule[64];
static int last_ntags;
static int64_t last_repeats;
static char last_output[512];

static void send(void *ctx, const struct vg_alert *a)
{
	const struct vg_kv *kv = vg_fields_get(a->fields, "vigil.repeats");

	(void)ctx;
	nsent++;
	strncpy(last_rule, a->rule, sizeof(last_rule) - 1);
	last_ntags = a->ntags;
	last_repeats = kv ? kv->i : -1;
	strncpy(last_output, a->output, sizeof(last_output) - 1);
}

static struct vg_fields fields;

static struct vg_alert alert(uint64_t t, const char *pid, const char *file)
{
	static const char *const tags[] = { "VG-031" };

	memset(&fields, 0, sizeof(fields));
	fields.kv[0] = (struct vg_kv){ .key = "proc.pid", .kind = VG_KV_STR, .s = pid,
				       .s_len = strlen(pid) };
	fields.kv[1] = (struct vg_kv){ .key = "fd.name", .kind = VG_KV_STR, .s = file,
				       .s_len = strlen(file) };
	fields.kv[2] = (struct vg_kv){ .key = "evt.time", .kind = VG_KV_STR, .s = "x", .s_len = 1 };
	fields.n = 3;
	return (struct vg_alert){ .time_ns = t, .rule = "r", .priority = "Warning",
				  .output = "ran it", .fields = &fields, .tags = tags, .ntags = 1,
				  .source = "syscall", .hostname = "h" };
}

int main(void)
{
	const uint64_t s = NSEC_PER_SEC;
	struct vg_repeats *r = vg_repeats_new(10 * s);
	struct vg_alert a;

	CHECK(vg_repeats_ignored_field("proc.pid"));
	CHECK(vg_repeats_ignored_field("proc.ppid"));
	CHECK(vg_repeats_ignored_field("thread.tid"));
	CHECK(vg_repeats_ignored_field("proc.apid[2]"));
	CHECK(vg_repeats_ignored_field("fd.num"));
	CHECK(vg_repeats_ignored_field("evt.time.s"));
	CHECK(!vg_repeats_ignored_field("proc.cmdline"));
	CHECK(!vg_repeats_ignored_field("fd.name"));

	/* the first is sent; the same in another pid is folded */
	a = alert(100 * s, "10", "/tmp/x");
	CHECK(!vg_repeats_fold(r, &a, "/tmp/x", send, NULL));
	a = alert(101 * s, "11", "/tmp/x");
	CHECK(vg_repeats_fold(r, &a, "/tmp/x", send, NULL));
	a = alert(102 * s, "12", "/tmp/x");
	CHECK(vg_repeats_fold(r, &a, "/tmp/x", send, NULL));
	/* another file, or another program image: not the same */
	a = alert(102 * s, "12", "/tmp/y");
	CHECK(!vg_repeats_fold(r, &a, "/tmp/x", send, NULL));
	a = alert(102 * s, "12", "/tmp/x");
	CHECK(!vg_repeats_fold(r, &a, "/usr/bin/other", send, NULL));
	CHECK_INT((int)vg_repeats_folded(r), 2);
	/* before the window ends: nothing; after: one summary, of the first */
	vg_repeats_flush(r, 105 * s, false, send, NULL);
	CHECK_INT(nsent, 0);
	vg_repeats_flush(r, 110 * s, false, send, NULL);
	CHECK_INT(nsent, 1);
	CHECK_INT((int)last_repeats, 2);
	CHECK_STR(last_output, "ran it (repeated 2 more times in 2 s)");
	CHECK_STR(last_rule, "r");
	CHECK_INT(last_ntags, 1);
	/* the others had no repeats: no summary at exit */
	vg_repeats_flush(r, 0, true, send, NULL);
	CHECK_INT(nsent, 1);
	/* a window that ended: the alert is sent again */
	a = alert(200 * s, "13", "/tmp/x");
	CHECK(!vg_repeats_fold(r, &a, "/tmp/x", send, NULL));
	a = alert(211 * s, "14", "/tmp/x");
	CHECK(!vg_repeats_fold(r, &a, "/tmp/x", send, NULL));
	/* more distinct alerts than slots: the oldest make room (summary first) */
	a = alert(212 * s, "15", "/tmp/x");
	CHECK(vg_repeats_fold(r, &a, "/tmp/x", send, NULL));
	nsent = 0;
	for (int i = 0; i < VG_REPEATS_SLOTS + 4; i++) {
		char name[32];

		snprintf(name, sizeof(name), "/tmp/f%d", i);
		a = alert(213 * s, "16", name);
		CHECK(!vg_repeats_fold(r, &a, "", send, NULL));
	}
	CHECK_INT(nsent, 1); /* the one with a repeat, evicted */
	vg_repeats_free(r);

	/* window 0: never folds */
	r = vg_repeats_new(0);
	a = alert(1, "1", "/tmp/x");
	CHECK(!vg_repeats_fold(r, &a, "", send, NULL));
	CHECK(!vg_repeats_fold(r, &a, "", send, NULL));
	vg_repeats_free(r);
	return check_report();
}
