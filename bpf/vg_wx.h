// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* Code that is writable and executable without one W+X mapping: the same
 * file mapped twice (a memfd or a /dev/shm file, writable in one mapping and
 * executable in the other), or mapped executable while a descriptor can
 * still write it. When the executable mapping is made, the file can be
 * written: the descriptor mapped was opened for writing (FMODE_WRITE: a
 * memfd always is), or a shared writable mapping of the file exists
 * (i_mmap_writable of its address space), or another descriptor writes it
 * (the inode's i_writecount). Loaded libraries and programs are opened
 * read-only and never mapped shared-writable. Such an mmap with PROT_EXEC is
 * sent with aux = 1; the route names the descriptor (argument 5), whose path
 * the record carries. */
#ifndef VG_WX_H
#define VG_WX_H

#define FMODE_WRITE 0x2 /* a #define: not in BTF */

/* Is this an mmap asking for PROT_EXEC of a file open for writing? Only
 * mmap's route names a descriptor (mprotect has none). */
static __always_inline bool exec_map_of_written_file(const struct vg_route *r, unsigned long prot,
						     unsigned long fd)
{
	struct file *f;

	if (!r->fd || !(prot & PROT_EXEC))
		return false;
	f = fd_to_file((long)(int)fd);
	if (!f)
		return false;
	return (BPF_CORE_READ(f, f_mode) & FMODE_WRITE) ||
	       BPF_CORE_READ(f, f_mapping, i_mmap_writable.counter) > 0 ||
	       BPF_CORE_READ(f, f_inode, i_writecount.counter) > 0;
}

#endif /* VG_WX_H */
