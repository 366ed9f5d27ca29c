/* io_uring opcodes (include/uapi/linux/io_uring.h numbers, which are ABI and
 * never change) and the syscalls vigil reports the watched ones as. Written
 * out here: Debian's kernel headers are older than the kernels we run on. */
#include <stddef.h>

#include "sensor/uring_ops.h"
#include "util/macros.h"

/* An opcode's record is the syscall's record: same fields, same rules.
 * renameat2, linkat... take the flags the opcode carries. */
const struct vg_uring_op vg_uring_watched[] = {
	{ 18, 257 }, /* OPENAT -> openat */
	{ 28, 437 }, /* OPENAT2 -> openat2 */
	{ 35, 316 }, /* RENAMEAT -> renameat2 */
	{ 36, 263 }, /* UNLINKAT -> unlinkat */
	{ 37, 258 }, /* MKDIRAT -> mkdirat */
	{ 38, 266 }, /* SYMLINKAT -> symlinkat */
	{ 39, 265 }, /* LINKAT -> linkat */
	{ 45, 41 },  /* SOCKET -> socket */
	{ 16, 42 },  /* CONNECT -> connect */
	/* sends: with MSG_FASTOPEN only, a connect (bpf/vg_uring.h) */
	{ 9, 46 },   /* SENDMSG -> sendmsg */
	{ 26, 44 },  /* SEND -> sendto */
	{ 48, 46 },  /* SENDMSG_ZC -> sendmsg */
	{ 47, 44 },  /* SEND_ZC -> sendto */
	{ 13, 288 }, /* ACCEPT -> accept4 */
	{ 56, 49 },  /* BIND -> bind */
	{ 57, 50 },  /* LISTEN -> listen */
};
const unsigned vg_uring_watched_count = ARRAY_SIZE(vg_uring_watched);

static const char *const names[] = {
	"IORING_OP_NOP",	     "IORING_OP_READV",		  "IORING_OP_WRITEV",
	"IORING_OP_FSYNC",	     "IORING_OP_READ_FIXED",	  "IORING_OP_WRITE_FIXED",
	"IORING_OP_POLL_ADD",	     "IORING_OP_POLL_REMOVE",	  "IORING_OP_SYNC_FILE_RANGE",
	"IORING_OP_SENDMSG",	     "IORING_OP_RECVMSG",	  "IORING_OP_TIMEOUT",
	"IORING_OP_TIMEOUT_REMOVE",  "IORING_OP_ACCEPT",	  "IORING_OP_ASYNC_CANCEL",
	"IORING_OP_LINK_TIMEOUT",    "IORING_OP_CONNECT",	  "IORING_OP_FALLOCATE",
	"IORING_OP_OPENAT",	     "IORING_OP_CLOSE",		  "IORING_OP_FILES_UPDATE",
	"IORING_OP_STATX",	     "IORING_OP_READ",		  "IORING_OP_WRITE",
	"IORING_OP_FADVISE",	     "IORING_OP_MADVISE",	  "IORING_OP_SEND",
	"IORING_OP_RECV",	     "IORING_OP_OPENAT2",	  "IORING_OP_EPOLL_CTL",
	"IORING_OP_SPLICE",	     "IORING_OP_PROVIDE_BUFFERS", "IORING_OP_REMOVE_BUFFERS",
	"IORING_OP_TEE",	     "IORING_OP_SHUTDOWN",	  "IORING_OP_RENAMEAT",
	"IORING_OP_UNLINKAT",	     "IORING_OP_MKDIRAT",	  "IORING_OP_SYMLINKAT",
	"IORING_OP_LINKAT",	     "IORING_OP_MSG_RING",	  "IORING_OP_FSETXATTR",
	"IORING_OP_SETXATTR",	     "IORING_OP_FGETXATTR",	  "IORING_OP_GETXATTR",
	"IORING_OP_SOCKET",	     "IORING_OP_URING_CMD",	  "IORING_OP_SEND_ZC",
	"IORING_OP_SENDMSG_ZC",	     "IORING_OP_READ_MULTISHOT",  "IORING_OP_WAITID",
	"IORING_OP_FUTEX_WAIT",	     "IORING_OP_FUTEX_WAKE",	  "IORING_OP_FUTEX_WAITV",
	"IORING_OP_FIXED_FD_INSTALL", "IORING_OP_FTRUNCATE",	  "IORING_OP_BIND",
	"IORING_OP_LISTEN",	     "IORING_OP_RECV_ZC",	  "IORING_OP_EPOLL_WAIT",
	"IORING_OP_READV_FIXED",     "IORING_OP_WRITEV_FIXED",	  "IORING_OP_PIPE",
};

const char *vg_uring_op_name(unsigned op)
{
	return op < ARRAY_SIZE(names) ? names[op] : NULL;
}
