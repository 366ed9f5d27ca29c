/* The monitor's detectors as a set (src/monitor/detectors.c): every
 * adapter fills the interface it must, those that share the sensor's
 * programs open before it, the sensor opens once between them, a detector
 * the configuration leaves off stays off, the rules' status section is
 * there with or without rules, and the set closes in reverse. What the
 * detectors do on real events the e2e tests check (detect, ph, auth,
 * response, self_protect). */
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "control/ctl_registry.h"
#include "monitor/detect.h"
#include "monitor/detectors.h"
#include "monitor/monitor_opts.h"
#include "proc/proctable.h"
#include "proc/usercache.h"
#include "response/kill.h"
#include "util/macros.h"

static const struct vg_detector_ops *const ops[VG_DET_COUNT] = {
	&vg_det_rules, &vg_det_ph, &vg_det_deny, &vg_det_auth, &vg_det_selfprot,
};

static int sensor_opens, detectors_open_at_sensor;
static struct vg_detectors *current;
static char fake_sensor;

static int open_sensor(void *ctx, const struct vg_sensor_part *part, struct vg_sensor **out)
{
	sensor_opens++;
	detectors_open_at_sensor = (int)current->opened;
	*out = (struct vg_sensor *)&fake_sensor; /* never dereferenced by these tests */
	return 0;
}

static unsigned alerts;
static void on_alert(void *ctx, const struct vg_alert *a)
{
	alerts++;
}

static void test_interface_is_filled(void)
{
	bool seen_after_sensor = false;

	for (unsigned i = 0; i < VG_DET_COUNT; i++) {
		CHECK(ops[i]->name && ops[i]->open && ops[i]->close);
		/* the sensor opens once: every before_sensor detector comes first */
		if (!ops[i]->before_sensor)
			seen_after_sensor = true;
		CHECK(!(ops[i]->before_sensor && seen_after_sensor));
		/* only a detector opened before the sensor can give it programs */
		CHECK(!ops[i]->sensor_part || ops[i]->before_sensor);
		CHECK(!ops[i]->sensor_opened || ops[i]->before_sensor);
	}
}

static int open_set(struct vg_detectors *d, struct vg_monitor_opts *mo, struct vg_proctable *pt,
		    struct vg_usercache *uc, const struct vg_killer *k)
{
	struct vg_detector_env env = { .opts = mo, .hostname = "host", .procs = pt, .users = uc,
				       .killer = k, .alert = on_alert };

	memset(d, 0, sizeof(*d));
	current = d;
	sensor_opens = 0;
	return vg_detectors_open(d, &env, open_sensor, NULL);
}

static void test_all_off_but_the_rules_section(void)
{
	struct vg_monitor_opts mo = { .no_auth = true };
	struct vg_proctable *pt;
	struct vg_usercache *uc;
	struct vg_killer k;
	struct vg_detectors d;
	struct vg_ctl_registry *reg;
	struct json_object *st = NULL, *sec;

	vg_killer_init(&k, false);
	CHECK_INT(vg_pt_new(&pt, 64, NSEC_PER_SEC), 0);
	CHECK_INT(vg_uc_new(&uc, 16, NSEC_PER_SEC), 0);
	CHECK_INT(open_set(&d, &mo, pt, uc, &k), 0);
	CHECK_INT(d.opened, VG_DET_COUNT);
	CHECK_INT(sensor_opens, 1);
	CHECK_INT(detectors_open_at_sensor, VG_DET_DENY); /* after rules and pH */
	/* no rule files: the rules' state exists (for its status), nothing else runs */
	CHECK(d.state[VG_DET_RULES] != NULL);
	CHECK(vg_det_rules_detect(d.state[VG_DET_RULES]) == NULL);
	for (unsigned i = VG_DET_PH; i < VG_DET_COUNT; i++)
		CHECK(d.state[i] == NULL);
	CHECK(vg_det_ph_kernel(d.state[VG_DET_PH]) == NULL);
	CHECK_INT(vg_ctl_registry_new(&reg), 0);
	for (unsigned i = 0; i < VG_DET_COUNT; i++)
		CHECK_INT(vg_detectors_status(&d, i, reg), 0);
	CHECK_INT(vg_ctl_status(reg, &st), 0);
	CHECK(st && json_object_object_get_ex(st, "rules", &sec));
	json_object_put(st);
	vg_ctl_registry_free(reg);
	vg_detectors_close(&d);
	CHECK_INT(d.opened, 0);
	vg_uc_free(uc);
	vg_pt_free(pt);
}

static void test_rules_and_self_protection(void)
{
	char dir[] = "/tmp/vigil-test-det-XXXXXX", path[64];
	const char *files[1] = { path };
	struct vg_monitor_opts mo = { .no_auth = true, .rules_files = files, .nrules_files = 1 };
	struct vg_proctable *pt;
	struct vg_usercache *uc;
	struct vg_killer k;
	struct vg_detectors d;
	struct vg_detect *fresh = NULL;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/r.yaml", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	fputs("- rule: r\n  desc: d\n  condition: evt.type = openat and fd.name = /nope\n"
	      "  output: o %proc.name\n  priority: WARNING\n",
	      f);
	fclose(f);
	vg_killer_init(&k, false);
	CHECK_INT(vg_pt_new(&pt, 64, NSEC_PER_SEC), 0);
	CHECK_INT(vg_uc_new(&uc, 16, NSEC_PER_SEC), 0);
	CHECK_INT(open_set(&d, &mo, pt, uc, &k), 0);
	CHECK(vg_det_rules_detect(d.state[VG_DET_RULES]) != NULL);
	CHECK_INT(vg_detect_rule_count(vg_det_rules_detect(d.state[VG_DET_RULES])), 1);
	CHECK(d.state[VG_DET_SELFPROT] != NULL); /* it runs with the rules */
	/* a reload's set replaces the running one */
	CHECK_INT(vg_detect_load(&fresh, files, 1), 0);
	vg_det_rules_replace(d.state[VG_DET_RULES], fresh);
	CHECK(vg_det_rules_detect(d.state[VG_DET_RULES]) == fresh);
	vg_detectors_close(&d);
	vg_uc_free(uc);
	vg_pt_free(pt);
	/* broken rules stop the set before the sensor opens */
	f = fopen(path, "w");
	fputs("- rule: r\n  condition: evt.type = = \n", f);
	fclose(f);
	CHECK_INT(vg_pt_new(&pt, 64, NSEC_PER_SEC), 0);
	CHECK_INT(vg_uc_new(&uc, 16, NSEC_PER_SEC), 0);
	CHECK(open_set(&d, &mo, pt, uc, &k) < 0);
	CHECK_INT(sensor_opens, 0);
	vg_detectors_close(&d);
	vg_uc_free(uc);
	vg_pt_free(pt);
	unlink(path);
	rmdir(dir);
	CHECK_INT(alerts, 0);
}

int main(void)
{
	test_interface_is_filled();
	test_all_off_but_the_rules_section();
	test_rules_and_self_protection();
	return check_report();
}
