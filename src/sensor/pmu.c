/* Dynamic PMU types from sysfs. */
#include <stdio.h>

#include "sensor/pmu.h"

uint32_t vg_pmu_type(const char *name)
{
	char path[128];
	unsigned type = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/event_source/devices/%s/type", name);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fscanf(f, "%u", &type) != 1)
		type = 0;
	fclose(f);
	return type;
}
