/* vigil-uring: file and network operations made through io_uring, not
 * through their system calls, for the real-kernel tests of the sensor's
 * io_uring programs (tests/e2e/test_uring.py). Raw io_uring_setup and
 * io_uring_enter (tests/bin/vg_uring_min.h), no liburing.
 *
 *   vigil-uring [--sqpoll] read PATH [MARK] openat + read 4 KiB + close (MARK:
 *                                           ignored, for the command line)
 *   vigil-uring [--sqpoll] connect PORT [ADDR]
 *                                           socket + connect to ADDR:PORT (an
 *                                           IPv4 address, 127.0.0.1 by default)
 *   vigil-uring fastopen PORT [ADDR]        TCP Fast Open through io_uring: SENDMSG
 *                                           and SEND (the address in addr2) with
 *                                           MSG_FASTOPEN to ADDR:PORT, each on a new
 *                                           socket; then a plain SENDMSG on the
 *                                           first (not a connect)
 *   vigil-uring serve 0                     bind to 127.0.0.1 (any port), listen and
 *                                           accept one connection made to it
 *                                           by a plain connect() of its own
 *   vigil-uring [--sqpoll] rename OLD NEW | unlink PATH | mkdir PATH
 *   vigil-uring [--sqpoll] link OLD NEW | symlink TARGET LINK
 *   vigil-uring --async read PATH           every request forced to an io-wq
 *                                           worker (IOSQE_ASYNC)
 *   vigil-uring --skip mkdir PATH           the mkdir asks for no completion on
 *                                           success (IOSQE_CQE_SKIP_SUCCESS); a
 *                                           linked NOP is waited for instead
 *   vigil-uring flood PATH N [DEPTH]        N opens of PATH (closed again),
 *                                           DEPTH (256) submitted at once
 *   vigil-uring sysread PATH                the same open + read as "read",
 *                                           through the syscalls (to compare)
 *
 * Prints key=value lines: pid, and res (the CQE result) of each step. Exits
 * 0 when the operations were submitted and completed, whatever their result
 * (a failed open is a test case), 2 on usage errors, 1 when io_uring fails. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "vg_uring_min.h"

#ifndef IORING_OP_SOCKET
#define IORING_OP_SOCKET 45
#endif
#define VG_IORING_OP_BIND 56   /* 6.11: newer than Debian 12's headers */
#define VG_IORING_OP_LISTEN 57

static struct vg_ring ring;
static bool skip_success; /* --skip */
static bool force_async;  /* --async */

/* Submits the one SQE queued and returns its result. */
static int run1(void)
{
	struct io_uring_cqe cqe;

	if (skip_success) { /* no CQE on success: a linked NOP's tells it is done */
		struct io_uring_sqe *nop = vg_ring_sqe(&ring);

		ring.sqes[(*ring.sq_tail + ring.queued - 2) & *ring.sq_mask].flags |=
			IOSQE_CQE_SKIP_SUCCESS | IOSQE_IO_LINK;
		nop->opcode = IORING_OP_NOP;
	}
	if (vg_ring_submit(&ring, 1) || vg_ring_wait(&ring, &cqe)) {
		perror("io_uring_enter");
		exit(1);
	}
	return cqe.res;
}

static struct io_uring_sqe *sqe(unsigned op)
{
	struct io_uring_sqe *s = vg_ring_sqe(&ring);

	if (!s) {
		fprintf(stderr, "vigil-uring: submission queue full\n");
		exit(1);
	}
	s->opcode = op;
	if (force_async)
		s->flags |= IOSQE_ASYNC;
	return s;
}

static int open_at(const char *path, int flags)
{
	struct io_uring_sqe *s = sqe(IORING_OP_OPENAT);

	s->fd = AT_FDCWD;
	s->addr = (uintptr_t)path;
	s->open_flags = flags;
	return run1();
}

static int do_read(const char *path)
{
	static char buf[4096];
	struct io_uring_sqe *s;
	int fd = open_at(path, O_RDONLY), n;

	printf("open_res=%d\n", fd);
	if (fd < 0)
		return 0;
	s = sqe(IORING_OP_READ);
	s->fd = fd;
	s->addr = (uintptr_t)buf;
	s->len = sizeof(buf);
	n = run1();
	printf("read_res=%d\n", n);
	s = sqe(IORING_OP_CLOSE);
	s->fd = fd;
	printf("close_res=%d\n", run1());
	return 0;
}

static int do_connect(const char *port, const char *addr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	struct io_uring_sqe *s = sqe(IORING_OP_SOCKET);
	int fd;

	s->fd = AF_INET;
	s->off = SOCK_STREAM;
	fd = run1();
	printf("socket_res=%d\n", fd);
	if (fd < 0)
		return 1;
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return 2;
	s = sqe(IORING_OP_CONNECT);
	s->fd = fd;
	s->addr = (uintptr_t)&sa;
	s->off = sizeof(sa);
	printf("connect_res=%d\n", run1());
	close(fd);
	return 0;
}

/* sendmsg/send with MSG_FASTOPEN: each connects its socket. */
static int do_fastopen(const char *port, const char *addr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(atoi(port)) };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr m = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
			    .msg_iovlen = 1 };
	struct io_uring_sqe *s;
	int fd = socket(AF_INET, SOCK_STREAM, 0), fd2 = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || fd2 < 0 || inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return 2;
	s = sqe(IORING_OP_SENDMSG);
	s->fd = fd;
	s->addr = (uintptr_t)&m;
	s->len = 1;
	s->msg_flags = MSG_FASTOPEN;
	printf("sendmsg_res=%d\n", run1());
	s = sqe(IORING_OP_SEND);
	s->fd = fd2;
	s->addr = (uintptr_t)"x";
	s->len = 1;
	s->msg_flags = MSG_FASTOPEN;
	s->addr2 = (uintptr_t)&sa;
	s->addr_len = sizeof(sa);
	printf("send_res=%d\n", run1());
	/* a plain send: no record */
	m.msg_name = NULL;
	m.msg_namelen = 0;
	s = sqe(IORING_OP_SENDMSG);
	s->fd = fd;
	s->addr = (uintptr_t)&m;
	s->len = 1;
	printf("plain_res=%d\n", run1());
	close(fd);
	close(fd2);
	return 0;
}

/* A listener made through io_uring (bind, listen, accept); the client end
 * is a plain connect() of this process (the backlog takes it). */
static int do_serve(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	struct io_uring_sqe *s;
	int lfd = socket(AF_INET, SOCK_STREAM, 0), cfd;

	if (lfd < 0)
		return 1;
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	s = sqe(VG_IORING_OP_BIND);
	s->fd = lfd;
	s->addr = (uintptr_t)&sa;
	s->addr2 = sizeof(sa);
	printf("bind_res=%d\n", run1());
	s = sqe(VG_IORING_OP_LISTEN);
	s->fd = lfd;
	s->len = 8;
	printf("listen_res=%d\n", run1());
	if (getsockname(lfd, (struct sockaddr *)&sa, &len))
		return 1;
	printf("port=%d\n", ntohs(sa.sin_port));
	cfd = socket(AF_INET, SOCK_STREAM, 0);
	if (cfd < 0 || connect(cfd, (struct sockaddr *)&sa, sizeof(sa)))
		return 1;
	s = sqe(IORING_OP_ACCEPT);
	s->fd = lfd;
	printf("accept_res=%d\n", run1());
	close(cfd);
	close(lfd);
	return 0;
}

/* rename, link: old and new, both relative to the working directory */
static int two_paths(unsigned op, const char *a, const char *b)
{
	struct io_uring_sqe *s = sqe(op);

	s->fd = AT_FDCWD;
	s->addr = (uintptr_t)a;
	s->len = (unsigned)AT_FDCWD;
	s->addr2 = (uintptr_t)b;
	printf("res=%d\n", run1());
	return 0;
}

static int one_path(unsigned op, const char *path)
{
	struct io_uring_sqe *s = sqe(op);

	s->fd = AT_FDCWD;
	s->addr = (uintptr_t)path;
	if (op == IORING_OP_MKDIRAT)
		s->len = 0700;
	printf("res=%d\n", run1());
	return 0;
}

static int do_symlink(const char *target, const char *link)
{
	struct io_uring_sqe *s = sqe(IORING_OP_SYMLINKAT);

	s->fd = AT_FDCWD; /* where the link goes */
	s->addr = (uintptr_t)target;
	s->addr2 = (uintptr_t)link;
	printf("res=%d\n", run1());
	return 0;
}

/* The same open and read through the system calls. */
static int do_sysread(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);

	printf("open_res=%d\n", fd < 0 ? -errno : fd);
	if (fd >= 0) {
		printf("read_res=%zd\n", read(fd, buf, sizeof(buf)));
		close(fd);
	}
	return 0;
}

/* N opens, submitted in batches as deep as the ring, each closed again. */
static int do_flood(const char *path, long n)
{
	struct io_uring_cqe cqe;
	long done = 0, ok = 0, failed = 0;

	while (done < n) {
		unsigned batch = 0;
		struct io_uring_sqe *s;

		while (done + batch < n && (s = vg_ring_sqe(&ring))) {
			s->opcode = IORING_OP_OPENAT;
			s->fd = AT_FDCWD;
			s->addr = (uintptr_t)path;
			s->open_flags = O_RDONLY;
			batch++;
		}
		if (vg_ring_submit(&ring, batch))
			return 1;
		for (unsigned i = 0; i < batch; i++) {
			if (vg_ring_wait(&ring, &cqe))
				return 1;
			if (cqe.res >= 0) {
				close(cqe.res);
				ok++;
			} else {
				failed++;
			}
		}
		done += batch;
	}
	printf("opens=%ld\nok=%ld\nfailed=%ld\n", done, ok, failed);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: vigil-uring [--sqpoll] read PATH | connect PORT [ADDR] |"
			" fastopen PORT [ADDR] | rename OLD NEW |"
			" serve 0 | unlink PATH | mkdir PATH | link OLD NEW | symlink TARGET LINK |"
			" flood PATH N [DEPTH] | sysread PATH\n");
	return 2;
}

int main(int argc, char **argv)
{
	unsigned flags = 0, depth = 256;
	const char *cmd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 1 && !strcmp(argv[1], "--async")) {
		force_async = true;
		argv++;
		argc--;
	}
	if (argc > 1 && !strcmp(argv[1], "--skip")) {
		skip_success = true;
		argv++;
		argc--;
	}
	if (argc > 1 && !strcmp(argv[1], "--sqpoll")) {
		flags |= IORING_SETUP_SQPOLL;
		argv++;
		argc--;
	}
	if (argc < 3)
		return usage();
	cmd = argv[1];
	if (!strcmp(cmd, "sysread")) {
		printf("pid=%d\n", getpid());
		return do_sysread(argv[2]);
	}
	if (!strcmp(cmd, "flood") && argc > 4)
		depth = (unsigned)atoi(argv[4]);
	if (!depth || vg_ring_init(&ring, depth, flags)) {
		perror("io_uring_setup");
		return 1;
	}
	printf("pid=%d\n", getpid());
	if (!strcmp(cmd, "read"))
		return do_read(argv[2]);
	if (!strcmp(cmd, "connect"))
		return do_connect(argv[2], argc > 3 ? argv[3] : "127.0.0.1");
	if (!strcmp(cmd, "fastopen"))
		return do_fastopen(argv[2], argc > 3 ? argv[3] : "127.0.0.1");
	if (!strcmp(cmd, "serve"))
		return do_serve();
	if (!strcmp(cmd, "unlink"))
		return one_path(IORING_OP_UNLINKAT, argv[2]);
	if (!strcmp(cmd, "mkdir"))
		return one_path(IORING_OP_MKDIRAT, argv[2]);
	if (argc < 4)
		return usage();
	if (!strcmp(cmd, "rename"))
		return two_paths(IORING_OP_RENAMEAT, argv[2], argv[3]);
	if (!strcmp(cmd, "link"))
		return two_paths(IORING_OP_LINKAT, argv[2], argv[3]);
	if (!strcmp(cmd, "symlink"))
		return do_symlink(argv[2], argv[3]);
	if (!strcmp(cmd, "flood"))
		return do_flood(argv[2], atol(argv[3]));
	return usage();
}
