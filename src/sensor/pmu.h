/* The dynamic perf PMUs that create probes: their type numbers are chosen
 * by the kernel at boot and published in sysfs. */
#ifndef VIGIL_SENSOR_PMU_H
#define VIGIL_SENSOR_PMU_H

#include <stdint.h>

/* The type of the PMU named name ("uprobe", "kprobe") read from
 * /sys/bus/event_source/devices/NAME/type; 0 when this kernel has none. */
uint32_t vg_pmu_type(const char *name);

#endif
