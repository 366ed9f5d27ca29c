/* vg_tasks without pH's part (task_map.h). A task-storage map needs the
 * BTF of its key and value, and libbpf gives a map the BTF of its
 * declaration (struct vg_task), whose size must match the value's: so the
 * short map is made here, with a BTF of its own that describes struct
 * vg_task_ids, and handed to the object in place of its declaration
 * (bpf_map__reuse_fd). Without this, every thread's entry would carry pH's
 * unused ~700 bytes whenever the sensor remembers its ids (at every exec
 * and fork). */
#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "ph/ph_task_state.h"
#include "sensor/task_map.h"
#include "util/macros.h"

/* struct vg_task_ids as BTF: {u32 ids[8]; u32 known; u32 flags}, and the
 * key's int. Returns the value's type id, *key_id set; negative on error. */
static int describe(struct btf *btf, int *key_id)
{
	int u32, arr, st;

	*key_id = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	u32 = btf__add_int(btf, "unsigned int", 4, 0);
	if (*key_id < 0 || u32 < 0)
		return -EINVAL;
	arr = btf__add_array(btf, u32, u32, ARRAY_SIZE(((struct vg_task_ids *)0)->ids));
	st = btf__add_struct(btf, "vg_task_ids", sizeof(struct vg_task_ids));
	if (arr < 0 || st < 0 ||
	    btf__add_field(btf, "ids", arr, offsetof(struct vg_task_ids, ids) * 8, 0) ||
	    btf__add_field(btf, "known", u32, offsetof(struct vg_task_ids, known) * 8, 0) ||
	    btf__add_field(btf, "flags", u32, offsetof(struct vg_task_ids, flags) * 8, 0))
		return -EINVAL;
	return st;
}

int vg_task_map_sensor_only(struct bpf_map *map)
{
	struct btf *btf = btf__new_empty();
	int key_id, value_id, fd, ret;

	if (!btf)
		return -ENOMEM;
	value_id = describe(btf, &key_id);
	ret = value_id < 0 ? value_id : btf__load_into_kernel(btf);
	if (ret < 0) {
		btf__free(btf);
		return ret;
	}
	LIBBPF_OPTS(bpf_map_create_opts, opts, .btf_fd = btf__fd(btf),
		    .btf_key_type_id = (__u32)key_id, .btf_value_type_id = (__u32)value_id,
		    .map_flags = BPF_F_NO_PREALLOC);
	fd = bpf_map_create(BPF_MAP_TYPE_TASK_STORAGE, bpf_map__name(map), sizeof(int),
			    sizeof(struct vg_task_ids), 0, &opts);
	ret = fd < 0 ? -errno : bpf_map__reuse_fd(map, fd); /* which takes a copy */
	if (fd >= 0)
		close(fd);
	btf__free(btf); /* the map holds the kernel's copy */
	return ret;
}
