/* The sensor's task-storage map (vg_tasks: struct vg_task, one entry per
 * thread, the sensor's ids and pH's state) made with the sensor's part
 * only, for a monitor without pH. */
#ifndef VIGIL_SENSOR_TASK_MAP_H
#define VIGIL_SENSOR_TASK_MAP_H

struct bpf_map;

/* Before load: makes the map with values of struct vg_task_ids (40 bytes
 * instead of struct vg_task's ~750) and gives it to the object for `map`.
 * The programs' accesses to pH's part are then only in code the verifier
 * drops (ph_on is 0). Returns 0 or a negative errno. */
int vg_task_map_sensor_only(struct bpf_map *map);

#endif
