/* vigil-connect-race ADDR PORT FAKEPORT N [fastopen|sendmmsg]: N connects
 * (or TCP Fast Open sendtos, or sendmmsgs of two messages with
 * MSG_FASTOPEN, each naming the buffer) to ADDR:PORT from one thread while a second thread
 * rewrites the same sockaddr buffer to ADDR:FAKEPORT during each call
 * (nothing listens there, so a connect that copies the fake address is
 * refused: no traffic leaves loopback). The kernel copies the address at the call's entry; what
 * the buffer holds when the call returns is whatever the other thread left
 * there. The sensor must report where the connection went, not the buffer.
 * With N = 0 it makes one call (of the mode asked), no second thread.
 * Prints pid=, ok= (calls that went through: to the real peer) and raced= (of
 * those, how many found the fake address in the buffer when they returned). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef MSG_FASTOPEN
#define MSG_FASTOPEN 0x20000000
#endif

static struct sockaddr_in6 real_addr, fake_addr;
static socklen_t addr_len;
static struct sockaddr_in6 shared; /* the buffer both threads touch */
static atomic_int stop;

static void rewrite(const struct sockaddr_in6 *from)
{
	volatile unsigned char *dst = (volatile unsigned char *)&shared;
	const unsigned char *src = (const unsigned char *)from;

	for (socklen_t i = 0; i < addr_len; i++)
		dst[i] = src[i];
}

/* Call i's rival: once the call has started (go == i), waits a little, a
 * different while for each call, then writes the fake address, and says so
 * (done == i). Most calls have copied the real address by then, and return
 * to find the fake one in the buffer. */
static atomic_int go, done;

static void *racer(void *arg)
{
	(void)arg;
	for (int i = 1;; i++) {
		while (atomic_load(&go) != i)
			if (atomic_load(&stop))
				return NULL;
		for (volatile int n = 0; n < (i * 37 % 64 + 8) * 100; n++)
			;
		rewrite(&fake_addr);
		atomic_store(&done, i);
	}
}

static int parse(const char *addr, int port, struct sockaddr_in6 *out)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)out;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, addr, &out->sin6_addr) == 1) {
		out->sin6_family = AF_INET6;
		out->sin6_port = htons(port);
		return sizeof(*out);
	}
	return -1;
}

enum mode { CONNECT, FASTOPEN, SENDMMSG };

/* sendmmsg(MSG_FASTOPEN): two messages, both naming the shared buffer; the
 * first connects. Returns how many were sent. */
static int send_two(int fd)
{
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct mmsghdr m[2];

	memset(m, 0, sizeof(m));
	for (int i = 0; i < 2; i++) {
		m[i].msg_hdr.msg_name = &shared;
		m[i].msg_hdr.msg_namelen = addr_len;
		m[i].msg_hdr.msg_iov = &iov;
		m[i].msg_hdr.msg_iovlen = 1;
	}
	return sendmmsg(fd, m, 2, MSG_FASTOPEN);
}

/* One call; returns 1 if it went through (only the real port listens). */
static int one(enum mode mode, int *raced)
{
	int fd = socket(real_addr.sin6_family, SOCK_STREAM, 0);
	int ok;

	if (fd < 0)
		return 0;
	if (mode == FASTOPEN)
		ok = sendto(fd, "x", 1, MSG_FASTOPEN, (struct sockaddr *)&shared, addr_len) >= 0;
	else if (mode == SENDMMSG)
		ok = send_two(fd) >= 1;
	else
		ok = connect(fd, (struct sockaddr *)&shared, addr_len) == 0;
	if (ok && memcmp(&shared, &real_addr, addr_len))
		++*raced;
	close(fd);
	return ok;
}

int main(int argc, char **argv)
{
	int n, ok = 0, raced = 0, len;
	enum mode mode = CONNECT;
	pthread_t t;

	if (argc < 5) {
		fprintf(stderr, "usage: vigil-connect-race ADDR PORT FAKEPORT N [fastopen|sendmmsg]\n");
		return 2;
	}
	printf("pid=%d\n", getpid());
	fflush(stdout);
	len = parse(argv[1], atoi(argv[2]), &real_addr);
	if (len < 0 || parse(argv[1], atoi(argv[3]), &fake_addr) < 0) {
		fprintf(stderr, "vigil-connect-race: bad address %s\n", argv[1]);
		return 2;
	}
	addr_len = len;
	n = atoi(argv[4]);
	if (argc > 5 && !strcmp(argv[5], "fastopen"))
		mode = FASTOPEN;
	else if (argc > 5 && !strcmp(argv[5], "sendmmsg"))
		mode = SENDMMSG;
	shared = real_addr;
	if (n == 0) {
		ok = one(mode, &raced);
	} else {
		if (pthread_create(&t, NULL, racer, NULL))
			return 1;
		for (int i = 1; i <= n; i++) {
			rewrite(&real_addr);
			atomic_store(&go, i);
			ok += one(mode, &raced);
			while (atomic_load(&done) != i)
				sched_yield();
		}
		atomic_store(&stop, 1);
		pthread_join(t, NULL);
	}
	printf("ok=%d\nraced=%d\n", ok, raced);
	return 0;
}
