/* pH's knowledge of calls and programs: how dangerous a novel call is,
 * and which programs the services scope leaves quiet (ph_classify.c). */
#ifndef VIGIL_PH_CLASSIFY_H
#define VIGIL_PH_CLASSIFY_H

#include "ph/ph_incident_types.h"

/* 1 for the programs the services scope leaves quiet (by file name;
 * ph_classify.c). */
int vg_ph_quiet_program(const char *exe_path);
/* Severity of a novel call by itself (the sensor's events can raise dup2
 * and mprotect): exported for the tests. */
enum vg_ph_severity vg_ph_call_severity(const char *call);
/* Why a call is risky ("runs a program"), or NULL (ph_classify.c). */
const char *vg_ph_call_why(const char *call);

#endif
