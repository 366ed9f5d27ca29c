/* Self-protection: lost events above the threshold within a window are one
 * alert per window; below it, or spread over windows, none. */
#include <stdint.h>
#include <string.h>

#include "audit/self_protect.h"
#include "check.h"
#include "output/alert.h"
#include "util/macros.h"

#define SEC NSEC_PER_SEC

static int alerts;
static char last_rule[64];

static void on_alert(void *ctx, const struct vg_alert *a)
{
	(void)ctx;
	alerts++;
	snprintf(last_rule, sizeof(last_rule), "%s", a->rule);
}

int main(void)
{
	struct vg_selfprot *sp;
	uint64_t t = 1000 * SEC;

	CHECK_INT(vg_sp_open(&sp, "host", on_alert, NULL), 0);
	vg_sp_drops(sp, 0, t); /* opens the window */
	vg_sp_drops(sp, VG_SP_DROP_ALERT - 1, t + SEC);
	CHECK_INT(alerts, 0);
	vg_sp_drops(sp, VG_SP_DROP_ALERT, t + 2 * SEC);
	CHECK_INT(alerts, 1);
	CHECK_STR(last_rule, "vigil events dropped");
	vg_sp_drops(sp, 5 * VG_SP_DROP_ALERT, t + 3 * SEC); /* same window: once */
	CHECK_INT(alerts, 1);
	/* a new window starts from the total at its start */
	t += VG_SP_DROP_WINDOW_S * SEC;
	vg_sp_drops(sp, 5 * VG_SP_DROP_ALERT, t);
	vg_sp_drops(sp, 5 * VG_SP_DROP_ALERT + 10, t + SEC);
	CHECK_INT(alerts, 1);
	vg_sp_drops(sp, 6 * VG_SP_DROP_ALERT + 10, t + 2 * SEC);
	CHECK_INT(alerts, 2);
	/* slow losses spread over windows never add up to an alert */
	t += 2 * VG_SP_DROP_WINDOW_S * SEC;
	for (int i = 0; i < 100; i++)
		vg_sp_drops(sp, 7 * VG_SP_DROP_ALERT + (uint64_t)i * 50, t + (uint64_t)i * SEC);
	CHECK_INT(alerts, 2);
	vg_sp_free(sp);
	return check_report();
}
