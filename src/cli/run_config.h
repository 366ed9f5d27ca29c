/* `vigil run`'s one translation: the configuration (defaults, file, --set,
 * the options' keys) into the monitor's and the sensor's option structs. */
#ifndef VIGIL_CLI_RUN_CONFIG_H
#define VIGIL_CLI_RUN_CONFIG_H

#include "config/config.h"
#include "monitor/monitor_opts.h"
#include "output/outputs.h"
#include "response/denylist.h"
#include "sensor/sensor.h"

/* What the option structs point into, owned for the life of the run. */
struct vg_run_storage {
	struct vg_output_conf *outputs[VG_OUTPUTS_MAX - 1];
	unsigned noutputs;
	struct vg_denylist deny;
	char syscalls[8192];
	struct vg_ph_watch_opt *watch; /* ph.watch, as pH takes it */
};

/* Fills mo and so from cfg. cli_outputs are --output entries
 * (TYPE[:KEY=VALUE,...]): when there are any they replace cfg's outputs.
 * Returns 0, or -1 after printing the problem. */
int vg_run_config_apply(struct vg_monitor_opts *mo, struct vg_sensor_opts *so,
			const struct vg_config *cfg, const char *const *cli_outputs,
			unsigned ncli_outputs, struct vg_run_storage *st);

/* Frees what vg_run_config_apply kept in st. */
void vg_run_storage_free(struct vg_run_storage *st);

#endif
