/* pH incidents: an episode becomes an alert (ph_incident_report.c). */
#ifndef VIGIL_PH_INCIDENT_REPORT_H
#define VIGIL_PH_INCIDENT_REPORT_H

#include <stdint.h>

#include "ph/ph_episode.h"

/* Reports the episode, or its severity update. */
void vg_ph__report(struct vg_ph_incidents *in, struct episode *ep, uint64_t now_ns);

#endif
