/* pH's control commands, inside: the state they share (struct
 * vg_ph_admin) and how they show a profile and a task in JSON. Used by
 * ph_admin.c and ph_admin_actions.c only. */
#ifndef VIGIL_PH_ADMIN_VIEW_H
#define VIGIL_PH_ADMIN_VIEW_H

#include <stdint.h>
#include <time.h>

#include <json-c/json.h>

#include "ph/ph_kernel.h"
#include "ph/ph_model.h"
#include "ph/ph_paths.h"
#include "ph/ph_task_state.h"

#define ITEMS_SCAN_MAX (1u << 24) /* keys walked per request, at most */

struct vg_ph_admin {
	struct vg_ph_kernel *k;
	struct vg_ph_kernel_maps maps;
	struct vg_ph_paths *paths;
	int tasks_ok; /* the task map's value has the layout of struct vg_task */
	int64_t boot_to_wall_ns;
};

int64_t vg_pha_clock_ns(clockid_t id);
/* "training", "frozen" or "normal". */
const char *vg_pha_state_name(uint32_t status);
void vg_pha_add_u64(struct json_object *o, const char *k, uint64_t v);
void vg_pha_add_str(struct json_object *o, const char *k, const char *v);
/* An ISO 8601 UTC time, or null for 0. */
void vg_pha_add_time(struct json_object *o, const char *k, uint64_t wall_ns);
/* Items per profile number: one walk of the items map. counts[id] for
 * ids below n (counts may be NULL); returns the total. */
long long vg_pha_count_items(struct vg_ph_admin *a, uint64_t *counts, uint64_t n);
/* Bytes a profile takes: its map entry plus its items (key + stamp). */
uint64_t vg_pha_profile_bytes(uint64_t items);
/* A profile as `vigil profiles` shows it; items < 0: not counted. */
struct json_object *vg_pha_profile_json(struct vg_ph_admin *a, const struct ph_exe_key *key,
					const struct ph_profile *p, long long items);
/* The model state of a task, looked up by pidfd. 0 or a negative errno
 * (-ENOENT: pH does not follow it). */
int vg_pha_task_state_of(struct vg_ph_admin *a, int pid, struct ph_task_state *st);

#endif
