/* vigil-bpfload: what an attacker's credential sniffer does, made harmless,
 * for the eBPF audit tests. It loads a tiny kprobe-type BPF program (return
 * 0: it reads nothing) from raw instructions, opens a uprobe on a libpam
 * symbol through the uprobe PMU and attaches the program to it with a BPF
 * link (or PERF_EVENT_IOC_SET_BPF where links are refused). It prints what
 * it made as key=value lines, then holds everything until its standard input
 * closes (or SIGTERM/SIGINT), and exits: the kernel removes the probe, the
 * link and the program with the last descriptor.
 *
 *   vigil-bpfload LIBRARY SYMBOL     e.g. /lib/x86_64-linux-gnu/libpam.so.0 pam_get_authtok
 *   vigil-bpfload --load-only         load the program, no probe
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "vigil-bpfload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static uint32_t prog_id(int fd)
{
	struct bpf_prog_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uintptr_t)&info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) ? 0 : info.id;
}

static uint32_t link_id(int fd)
{
	struct bpf_link_info info;
	union bpf_attr attr;

	memset(&info, 0, sizeof(info));
	memset(&attr, 0, sizeof(attr));
	attr.info.bpf_fd = fd;
	attr.info.info_len = sizeof(info);
	attr.info.info = (uintptr_t)&info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &attr) ? 0 : info.id;
}

static int load_prog(void)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_KPROBE;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = 2;
	attr.license = (uintptr_t) "GPL";
	strncpy(attr.prog_name, "bpfload_sniff", sizeof(attr.prog_name) - 1);
	fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd < 0)
		die("BPF_PROG_LOAD");
	return (int)fd;
}

/* The file offset of a dynamic symbol: what a uprobe wants. */
static uint64_t symbol_offset(const char *path, const char *name)
{
	uint64_t off = 0;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t nph;
	Elf *e;
	int fd;

	elf_version(EV_CURRENT);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_getphdrnum(e, &nph))
		die("elf_begin");
	while ((scn = elf_nextscn(e, scn)) && !off) {
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		for (size_t i = 0; d && i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *n;

			if (!gelf_getsym(d, (int)i, &sym) || !sym.st_value)
				continue;
			n = elf_strptr(e, sh.sh_link, sym.st_name);
			if (!n || strcmp(n, name))
				continue;
			/* virtual address -> file offset, through its segment */
			for (size_t p = 0; p < nph; p++) {
				GElf_Phdr ph;

				if (gelf_getphdr(e, (int)p, &ph) && ph.p_type == PT_LOAD &&
				    sym.st_value >= ph.p_vaddr && sym.st_value < ph.p_vaddr + ph.p_memsz)
					off = sym.st_value - ph.p_vaddr + ph.p_offset;
			}
			break;
		}
	}
	elf_end(e);
	close(fd);
	if (!off) {
		fprintf(stderr, "vigil-bpfload: no symbol %s in %s\n", name, path);
		exit(1);
	}
	return off;
}

static int uprobe_type(void)
{
	FILE *f = fopen("/sys/bus/event_source/devices/uprobe/type", "re");
	int t = -1;

	if (!f || fscanf(f, "%d", &t) != 1)
		die("uprobe PMU type");
	fclose(f);
	return t;
}

int main(int argc, char **argv)
{
	struct perf_event_attr pa;
	union bpf_attr attr;
	int prog, pfd, lfd = -1;
	uint64_t off;
	char c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pid=%d\n", getpid());
	prog = load_prog();
	printf("prog_id=%u\n", prog_id(prog));
	if (argc == 2 && !strcmp(argv[1], "--load-only"))
		goto hold;
	if (argc != 3) {
		fprintf(stderr, "usage: vigil-bpfload LIBRARY SYMBOL | --load-only\n");
		return 2;
	}
	off = symbol_offset(argv[1], argv[2]);
	memset(&pa, 0, sizeof(pa));
	pa.size = sizeof(pa);
	pa.type = uprobe_type();
	pa.config1 = (uintptr_t)argv[1]; /* uprobe path */
	pa.config2 = off;		 /* offset in the file */
	pfd = (int)syscall(SYS_perf_event_open, &pa, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
	if (pfd < 0)
		die("perf_event_open uprobe");
	printf("offset=%llu\nperf_fd=%d\n", (unsigned long long)off, pfd);

	memset(&attr, 0, sizeof(attr));
	attr.link_create.prog_fd = prog;
	attr.link_create.target_fd = pfd;
	attr.link_create.attach_type = BPF_PERF_EVENT;
	lfd = (int)sys_bpf(BPF_LINK_CREATE, &attr);
	if (lfd >= 0) {
		printf("link_id=%u\n", link_id(lfd));
	} else {
		printf("link_id=0\n");
		if (ioctl(pfd, PERF_EVENT_IOC_SET_BPF, prog))
			die("PERF_EVENT_IOC_SET_BPF");
	}
	if (ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0))
		die("PERF_EVENT_IOC_ENABLE");
hold:
	printf("ready=1\n");
	/* Hold until the test closes our standard input. */
	while (read(0, &c, 1) > 0)
		;
	return 0;
}
