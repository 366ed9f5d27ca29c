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

/* The other order: memory made executable by mprotect after it was
 * written. A loader writes its payload into a private writable mapping
 * (anonymous, or a file mapped privately), then flips it to read+execute:
 * never W+X at once. At mprotect's exit with PROT_EXEC and without
 * PROT_WRITE, the mapping at addr is looked up (bpf_find_vma): it was
 * written when it has anonymous pages of its own (anon_vma: an anonymous
 * mapping that was touched, or copies-on-write of a file's pages), or its
 * file can be written (as above). The loader's own mprotect calls (RELRO,
 * PROT_READ only) never ask for PROT_EXEC; libraries with text relocations
 * do, and count. JIT runtimes flip their code pages this way all day: the
 * rules allow them by executable. */
struct wx_written_ctx {
	bool written;
};

static long wx_vma_written(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct wx_written_ctx *ctx = data;
	struct file *f = BPF_CORE_READ(vma, vm_file);

	if (BPF_CORE_READ(vma, anon_vma))
		ctx->written = true;
	else if (f)
		ctx->written = (BPF_CORE_READ(f, f_mode) & FMODE_WRITE) ||
			       BPF_CORE_READ(f, f_mapping, i_mmap_writable.counter) > 0 ||
			       BPF_CORE_READ(f, f_inode, i_writecount.counter) > 0;
	return 0;
}

/* An mprotect (the route without a descriptor) that made written memory
 * executable, and succeeded. */
static __always_inline bool exec_after_write(const struct vg_route *r, unsigned long addr,
					     unsigned long prot, long ret)
{
	struct wx_written_ctx ctx = {};

	if (r->fd || ret != 0 || (prot & (PROT_WRITE | PROT_EXEC)) != PROT_EXEC)
		return false;
	if (bpf_find_vma(bpf_get_current_task_btf(), addr, wx_vma_written, &ctx, 0))
		return false;
	return ctx.written;
}

#endif /* VG_WX_H */
