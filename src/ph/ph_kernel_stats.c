/* pH's kernel side: its counters, memory and map descriptors, read for
 * `vigil status`, /metrics and the pH tools (the rest is ph_kernel.c). */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ph/ph_kernel.h"
#include "ph/ph_kernel_state.h"
#include "ph/ph_model.h" /* before the skeleton: it uses struct ph_params */
#include "util/map_walk.h"
#include "sensor.skel.h"

/* The per-CPU counts of bpf/ph_step.h's ph_calls, summed. */
void vg_ph_kernel_stats(struct vg_ph_kernel *k, struct vg_ph_kernel_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!k || !k->skel)
		return;
	st->alerts = k->alerts;
	st->shared = k->shared;
	st->coverage_normal = k->coverage_normal;
	st->malformed = k->malformed;
	st->drops = k->skel->data_ph->ph_alert_drops;
	st->model_errors = k->skel->data_ph->ph_model_errors;
	st->profile_errors = k->skel->data_ph->ph_profile_errors;
	st->profiles = k->skel->data_ph->ph_next_profile;
	st->signal_windows = k->skel->data_ph->ph_signal_pushes;
	st->responses = k->skel->data_ph->ph_responses;
	{
		uint64_t calls[2] = { 0, 0 }; /* fast, slow: summed over the CPUs */
		__u32 zero = 0;

		if (!vg_percpu_sum(bpf_map__fd(k->skel->maps.ph_calls), &zero, 2, calls)) {
			st->calls_fast = calls[0];
			st->calls_slow = calls[1];
		}
	}
}

void vg_ph_kernel_persist_stats(struct vg_ph_kernel *k, struct ph_persist_stats *st)
{
	ph_persist_stats(k ? k->persist : NULL, st);
}

void vg_ph_kernel_incident_stats(struct vg_ph_kernel *k, struct vg_ph_incident_stats *st)
{
	vg_ph_incidents_stats(k ? k->incidents : NULL, st);
}

int vg_ph_kernel_memory(struct vg_ph_kernel *k, struct vg_ph_memory *m)
{
	struct ph_persist_stats st;

	memset(m, 0, sizeof(*m));
	if (!k || !k->skel)
		return -EINVAL;
	/* counted in a thread: a walk of millions of items must not stall the
	 * loop that serves this (ph_census.h) */
	vg_ph_census_read(k->census, &m->profiles, &m->items);
	m->profile_bytes = sizeof(struct ph_exe_key) + sizeof(struct ph_profile);
	m->item_bytes = sizeof(struct ph_item_key) + sizeof(__u64);
	m->total_bytes = m->profiles * m->profile_bytes + m->items * m->item_bytes;
	m->avg_bytes = m->profiles ? m->total_bytes / m->profiles : 0;
	ph_persist_stats(k->persist, &st);
	m->disk_bytes = st.bytes_last;
	return 0;
}

void vg_ph_kernel_maps(struct vg_ph_kernel *k, struct vg_ph_kernel_maps *m)
{
	m->tasks = bpf_map__fd(k->skel->maps.vg_tasks);
	m->profiles = bpf_map__fd(k->skel->maps.ph_profiles);
	m->items = bpf_map__fd(k->skel->maps.ph_items);
	m->alerts = bpf_map__fd(k->skel->maps.ph_alerts);
	m->sketches = bpf_map__fd(k->skel->maps.ph_sketches);
}
