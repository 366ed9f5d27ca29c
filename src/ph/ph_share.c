/* A settled profile copied to a build-id twin; see ph_share.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "ph/ph_share.h"

long vg_ph_share_profile(const struct vg_ph_exchange *x, __u64 *next_profile, const char *dir,
			 const struct ph_exe_key *from, const struct ph_exe_key *to,
			 const char *from_path, char *err, size_t errlen)
{
	char file[PATH_MAX];
	struct ph_profile p;
	long n;

	if (!dir || dir[0] != '/')
		return -EINVAL;
	/* one name per target: two shares never write the same file */
	if ((size_t)snprintf(file, sizeof(file), "%s/.share-%llx-%llx.tmp", dir,
			     (unsigned long long)to->dev,
			     (unsigned long long)to->ino) >= sizeof(file)) {
		snprintf(err, errlen, "state directory path too long");
		return -ENAMETOOLONG;
	}
	if (bpf_map_lookup_elem(x->profiles_fd, to, &p)) {
		/* not run a call yet: created as the kernel would (ph_step.h) */
		__u64 id = __atomic_fetch_add(next_profile, 1, __ATOMIC_SEQ_CST) + 1;

		if (id > 0xffffffffull) {
			snprintf(err, errlen, "profile numbers exhausted");
			return -ENOSPC;
		}
		ph_profile_init(&p, id);
		if (bpf_map_update_elem(x->profiles_fd, to, &p, BPF_NOEXIST) && errno != EEXIST) {
			snprintf(err, errlen, "cannot create the profile: %s", strerror(errno));
			return -errno;
		}
	}
	n = vg_ph_export(x, from, from_path, file, err, errlen);
	if (n >= 0)
		n = vg_ph_import(x, to, file, 0, err, errlen);
	unlink(file);
	return n;
}
