/* Calls through the 32-bit (i386) ABI from this 64-bit program, with
 * "int $0x80", above all those whose arguments sit in user memory: the i386
 * socketcall() multiplexer (call number and an array of 32-bit argument
 * words), the direct i386 socket calls, and the old mmap(). The kernel
 * treats int 0x80 as a compat call whatever the process, so the pointers
 * must sit below 4 GiB: every structure lives in one MAP_32BIT page.
 *
 * Usage: vigil-int80 ACTION [ARGS]; prints pid=N and each call's result.
 *   revshell PORT       socketcall socket+connect to 127.0.0.1:PORT, then the
 *                       socket put on 0, 1 and 2 (i386 dup2): a reverse shell
 *   connect ADDR PORT   socketcall socket+connect to ADDR (IPv4 or IPv6)
 *   bind                socketcall bind, listen, a connect to itself, accept
 *                       and accept4 (the port it got is printed)
 *   fastopen ADDR PORT  socketcall sendto and sendmsg with MSG_FASTOPEN
 *   sendmmsg ADDR PORT  sendmmsg with MSG_FASTOPEN (two 32-bit mmsghdrs, the
 *                       address in each): socketcall(SENDMMSG), then the
 *                       direct i386 call; then a plain one (UDP, no flag)
 *   direct PORT         the direct i386 calls: socket, connect, sendmsg
 *                       (MSG_FASTOPEN, a 32-bit msghdr), bind, listen, accept4
 *   undecoded           socketcalls the kernel refuses: an unknown call
 *                       number, an argument array it cannot read
 *   oldmmap             the old mmap (arguments in a struct): an anonymous
 *                       mapping, read+write+exec, then a read-only one
 *   race KIND PORT DECOY N
 *                       N socketcalls while a second thread rewrites their
 *                       argument words during each call (after the kernel
 *                       copied them, for most calls): what the event says
 *                       must come from the kernel, not the words. KIND:
 *                       connect   connect to PORT; the fd word becomes a
 *                                 socket connected to DECOY
 *                       fastopen  sendto(MSG_FASTOPEN) to PORT; the flag is
 *                                 cleared from the flags word
 *                       listen    listen on a new socket; the fd word becomes
 *                                 a socket of ours listening on another port
 *                                 (printed: decoy=; DECOY is not used)
 *                       socket    socket(AF_INET, SOCK_RAW, ICMP); the words
 *                                 become AF_UNIX, SOCK_STREAM
 *                       oldmmap   the old mmap of an anonymous read+write+exec
 *                                 page; the struct's prot becomes PROT_READ
 *                                 (ok= counts the pages mapped rwx)
 *                       Prints ok= (calls that went through on the socket
 *                       asked for), raced= (of those, how many found the
 *                       rewritten words when they returned), and for listen
 *                       the ports listened on (ports=P1,P2...). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

/* i386 numbers (asm/unistd_32.h) and socketcall calls (linux/net.h) */
#define NR32_DUP2 63
#define NR32_OLD_MMAP 90
#define NR32_SOCKETCALL 102
#define NR32_SOCKET 359
#define NR32_BIND 361
#define NR32_CONNECT 362
#define NR32_LISTEN 363
#define NR32_ACCEPT4 364
#define NR32_SENDMSG 370
#define NR32_SENDMMSG 345
#define SC_SOCKET 1
#define SC_BIND 2
#define SC_CONNECT 3
#define SC_LISTEN 4
#define SC_ACCEPT 5
#define SC_GETSOCKNAME 6
#define SC_SENDTO 11
#define SC_SENDMSG 16
#define SC_ACCEPT4 18
#define SC_SENDMMSG 20

/* The i386 struct msghdr and struct iovec: pointers and lengths of 32 bits. */
struct msghdr32 {
	uint32_t name, namelen, iov, iovlen, control, controllen, flags;
};
struct iovec32 {
	uint32_t base, len;
};
/* The i386 struct mmsghdr: a msghdr and the count of bytes sent. */
struct mmsghdr32 {
	struct msghdr32 hdr;
	uint32_t len;
};

/* Everything the calls point at, in one page below 4 GiB. */
struct low {
	uint32_t words[6];
	struct sockaddr_in6 addr; /* big enough for either family */
	struct sockaddr_in peer;
	uint32_t peerlen;
	struct msghdr32 msg;
	struct iovec32 iov;
	struct mmsghdr32 mmsg[2];
	char data[8];
};

static struct low *low;

/* A 32-bit system call with up to four arguments (ebx, ecx, edx, esi). The
 * kernel returns zeroes in r8-r11 from int 0x80: they are clobbered. */
static long sys32(long nr, long a, long b, long c, long d)
{
	long ret;

	__asm__ volatile("int $0x80"
			 : "=a"(ret)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d)
			 : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

static uint32_t lo(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

/* socketcall(call, words): the words are copied into the low page. */
static long socketcall(int call, int n, const uint32_t *w)
{
	memcpy(low->words, w, n * sizeof(*w));
	return sys32(NR32_SOCKETCALL, call, lo(low->words), 0, 0);
}

/* Fills low->addr with ADDR:PORT; returns its length, 0 if ADDR is not an address. */
static uint32_t set_addr(const char *addr, int port)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&low->addr;

	memset(&low->addr, 0, sizeof(low->addr));
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(port);
		return sizeof(*v4);
	}
	if (inet_pton(AF_INET6, addr, &low->addr.sin6_addr) == 1) {
		low->addr.sin6_family = AF_INET6;
		low->addr.sin6_port = htons(port);
		return sizeof(low->addr);
	}
	return 0;
}

static int family_of(const char *addr)
{
	return strchr(addr, ':') ? AF_INET6 : AF_INET;
}

/* socketcall socket + connect to ADDR:PORT; returns the socket. */
static long sc_connect(const char *addr, int port)
{
	uint32_t len = set_addr(addr, port);
	long fd = socketcall(SC_SOCKET, 3, (uint32_t[]){ family_of(addr), SOCK_STREAM, 0 });
	long ret;

	printf("socket=%ld\n", fd);
	if (fd < 0 || !len)
		return -1;
	ret = socketcall(SC_CONNECT, 3, (uint32_t[]){ fd, lo(&low->addr), len });
	printf("connect=%ld\n", ret);
	return fd;
}

static int act_revshell(int port)
{
	long fd = sc_connect("127.0.0.1", port);

	if (fd < 0)
		return 1;
	/* the reverse shell's heart: the socket becomes the standard streams */
	printf("dup2=%ld\n", sys32(NR32_DUP2, fd, 2, 0, 0));
	fflush(stdout);
	printf("dup2_0=%ld dup2_1=%ld\n", sys32(NR32_DUP2, fd, 0, 0, 0), sys32(NR32_DUP2, fd, 1, 0, 0));
	return 0;
}

static int act_bind(void)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&low->addr;
	long l = socketcall(SC_SOCKET, 3, (uint32_t[]){ AF_INET, SOCK_STREAM, 0 });
	long c, ret;

	set_addr("127.0.0.1", 0);
	printf("bind=%ld\n", socketcall(SC_BIND, 3, (uint32_t[]){ l, lo(a), sizeof(*a) }));
	printf("listen=%ld\n", socketcall(SC_LISTEN, 2, (uint32_t[]){ l, 5 }));
	/* a call vigil does not watch: neither decoded nor counted */
	low->peerlen = sizeof(low->peer);
	ret = socketcall(SC_GETSOCKNAME, 3, (uint32_t[]){ l, lo(&low->peer), lo(&low->peerlen) });
	printf("port=%d getsockname=%ld\n", ntohs(low->peer.sin_port), ret);
	/* two connections to itself, one taken by accept, one by accept4 */
	for (int i = 0; i < 2; i++) {
		memcpy(a, &low->peer, sizeof(*a));
		c = socketcall(SC_SOCKET, 3, (uint32_t[]){ AF_INET, SOCK_STREAM, 0 });
		printf("connect=%ld\n", socketcall(SC_CONNECT, 3, (uint32_t[]){ c, lo(a), sizeof(*a) }));
	}
	low->peerlen = sizeof(low->peer);
	printf("accept=%ld\n",
	       socketcall(SC_ACCEPT, 3, (uint32_t[]){ l, lo(&low->peer), lo(&low->peerlen) }));
	printf("accept4=%ld\n", socketcall(SC_ACCEPT4, 4, (uint32_t[]){ l, 0, 0, SOCK_CLOEXEC }));
	return 0;
}

static int act_fastopen(const char *addr, int port)
{
	uint32_t len = set_addr(addr, port);
	long fd;

	if (!len)
		return 2;
	memcpy(low->data, "x", 2);
	fd = socketcall(SC_SOCKET, 3, (uint32_t[]){ family_of(addr), SOCK_STREAM, 0 });
	printf("sendto=%ld\n", socketcall(SC_SENDTO, 6, (uint32_t[]){ fd, lo(low->data), 1,
							 MSG_FASTOPEN, lo(&low->addr), len }));
	/* sendmsg: the address in the 32-bit msghdr */
	fd = socketcall(SC_SOCKET, 3, (uint32_t[]){ family_of(addr), SOCK_STREAM, 0 });
	low->iov = (struct iovec32){ lo(low->data), 1 };
	low->msg = (struct msghdr32){ .name = lo(&low->addr), .namelen = len, .iov = lo(&low->iov),
				      .iovlen = 1 };
	printf("sendmsg=%ld\n", socketcall(SC_SENDMSG, 3, (uint32_t[]){ fd, lo(&low->msg), MSG_FASTOPEN }));
	/* and a plain send: not a connect, not sent */
	fd = socketcall(SC_SOCKET, 3, (uint32_t[]){ family_of(addr), SOCK_DGRAM, 0 });
	printf("sendto_plain=%ld\n", socketcall(SC_SENDTO, 6, (uint32_t[]){ fd, lo(low->data), 1, 0,
							       lo(&low->addr), len }));
	return 0;
}

/* Two messages to ADDR (set in low->addr, len bytes), each naming it. */
static void fill_mmsg(uint32_t len)
{
	low->iov = (struct iovec32){ lo(low->data), 1 };
	for (int i = 0; i < 2; i++)
		low->mmsg[i] = (struct mmsghdr32){ .hdr = { .name = lo(&low->addr), .namelen = len,
							    .iov = lo(&low->iov), .iovlen = 1 } };
}

static int act_sendmmsg(const char *addr, int port)
{
	uint32_t len = set_addr(addr, port);
	long fd;

	if (!len)
		return 2;
	memcpy(low->data, "x", 2);
	fill_mmsg(len);
	fd = socketcall(SC_SOCKET, 3, (uint32_t[]){ family_of(addr), SOCK_STREAM, 0 });
	printf("socketcall=%ld\n", socketcall(SC_SENDMMSG, 4, (uint32_t[]){ fd, lo(low->mmsg), 2,
								   MSG_FASTOPEN }));
	fd = sys32(NR32_SOCKET, family_of(addr), SOCK_STREAM, 0, 0);
	printf("direct=%ld\n", sys32(NR32_SENDMMSG, fd, lo(low->mmsg), 2, MSG_FASTOPEN));
	/* and plain datagrams: not connects, not sent */
	fd = sys32(NR32_SOCKET, family_of(addr), SOCK_DGRAM, 0, 0);
	printf("plain=%ld\n", sys32(NR32_SENDMMSG, fd, lo(low->mmsg), 2, 0));
	return 0;
}

static int act_direct(int port)
{
	struct sockaddr_in *a = (struct sockaddr_in *)&low->addr;
	long fd = sys32(NR32_SOCKET, AF_INET, SOCK_STREAM, 0, 0), l;

	printf("socket=%ld\n", fd);
	set_addr("127.0.0.1", port);
	printf("connect=%ld\n", sys32(NR32_CONNECT, fd, lo(a), sizeof(*a), 0));
	fd = sys32(NR32_SOCKET, AF_INET, SOCK_STREAM, 0, 0);
	low->iov = (struct iovec32){ lo(low->data), 1 };
	low->msg = (struct msghdr32){ .name = lo(a), .namelen = sizeof(*a), .iov = lo(&low->iov),
				      .iovlen = 1 };
	printf("sendmsg=%ld\n", sys32(NR32_SENDMSG, fd, lo(&low->msg), MSG_FASTOPEN, 0));
	l = sys32(NR32_SOCKET, AF_INET, SOCK_STREAM, 0, 0);
	set_addr("127.0.0.1", 0);
	printf("bind=%ld\n", sys32(NR32_BIND, l, lo(a), sizeof(*a), 0));
	printf("listen=%ld\n", sys32(NR32_LISTEN, l, 3, 0, 0));
	low->peerlen = sizeof(low->peer);
	getsockname(l, (struct sockaddr *)&low->peer, &low->peerlen);
	printf("port=%d\n", ntohs(low->peer.sin_port));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	connect(fd, (struct sockaddr *)&low->peer, sizeof(low->peer));
	printf("accept4=%ld\n", sys32(NR32_ACCEPT4, l, 0, 0, SOCK_CLOEXEC));
	return 0;
}

/* The i386 struct mmap_arg_struct: addr, len, prot, flags, fd, offset. */
static long old_mmap(uint32_t prot)
{
	uint32_t *a = low->words;

	a[0] = 0;
	a[1] = 4096;
	a[2] = prot;
	a[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	a[4] = (uint32_t)-1;
	a[5] = 0;
	return sys32(NR32_OLD_MMAP, lo(a), 0, 0, 0);
}

static int act_oldmmap(void)
{
	long rwx = old_mmap(PROT_READ | PROT_WRITE | PROT_EXEC), ro = old_mmap(PROT_READ);

	/* the kernel returns an address below 4 GiB, or -errno */
	printf("rwx=%ld ro=%ld\n", rwx, ro);
	if (rwx > 0)
		munmap((void *)rwx, 4096);
	if (ro > 0)
		munmap((void *)ro, 4096);
	return rwx > 0 && ro > 0 ? 0 : 1;
}

static int act_undecoded(void)
{
	/* an unknown call number: EINVAL; an array at an unmapped address: EFAULT */
	printf("unknown=%ld\n", sys32(NR32_SOCKETCALL, 99, lo(low->words), 0, 0));
	printf("fault=%ld\n", sys32(NR32_SOCKETCALL, SC_CONNECT, 16, 0, 0));
	return 0;
}

/* The race: the rival thread writes `rival[]` over the argument words
 * once call i started (go == i), after a delay that differs per call, and
 * says so (done == i). */
static uint32_t rival[6];
static int rival_first, rival_n; /* the words to write: [first, first + n) */
static atomic_int go, done, stop;

static void *racer(void *arg)
{
	(void)arg;
	for (int i = 1;; i++) {
		while (atomic_load(&go) != i)
			if (atomic_load(&stop))
				return NULL;
		for (volatile int n = 0; n < (i * 37 % 64 + 1) * 1000; n++)
			;
		for (int k = 0; k < rival_n; k++)
			((volatile uint32_t *)low->words)[rival_first + k] = rival[k];
		atomic_store(&done, i);
	}
}

static int connected_to(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	return connect(fd, (struct sockaddr *)&a, sizeof(a)) ? -1 : fd;
}

static int local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);

	return getsockname(fd, (struct sockaddr *)&a, &len) ? 0 : ntohs(a.sin_port);
}

static int sock_type(int fd)
{
	int t = -1;
	socklen_t len = sizeof(t);

	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &t, &len) ? -1 : t;
}

/* Is the page at addr mapped read+write+exec (/proc/self/maps)? */
static int mapped_rwx(long addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long lo_, hi;
	char perm[5];
	int rwx = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %4s", &lo_, &hi, perm) == 3 && (unsigned long)addr >= lo_ &&
		    (unsigned long)addr < hi) {
			rwx = !strncmp(perm, "rwx", 3);
			break;
		}
	fclose(f);
	return rwx;
}

static int act_race(const char *kind, int port, int decoy, int n)
{
	int ok = 0, raced = 0, listening;
	pthread_t t;
	char ports[16384] = "";
	size_t pl = 0;

	memcpy(low->data, "x", 2);
	set_addr("127.0.0.1", port);
	signal(SIGPIPE, SIG_IGN); /* a send that lost its flag before the copy: EPIPE */
	if (!strcmp(kind, "connect")) {
		rival[0] = connected_to(decoy); /* the fd word becomes this socket */
		rival_n = 1;
	} else if (!strcmp(kind, "fastopen")) {
		rival[0] = 0; /* the flags word, without MSG_FASTOPEN */
		rival_first = 3;
		rival_n = 1;
	} else if (!strcmp(kind, "listen")) {
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		int d = socket(AF_INET, SOCK_STREAM, 0);

		if (bind(d, (struct sockaddr *)&a, sizeof(a)) || listen(d, 1))
			return 1;
		printf("decoy=%d\n", local_port(d));
		rival[0] = d;
		rival_n = 1;
	} else if (!strcmp(kind, "socket")) {
		rival[0] = AF_UNIX, rival[1] = SOCK_STREAM, rival[2] = 0;
		rival_n = 3;
	} else if (!strcmp(kind, "oldmmap")) {
		rival[0] = PROT_READ;
		rival_first = 2;
		rival_n = 1;
	} else {
		return 2;
	}
	if ((rival_n == 1 && rival[0] == (uint32_t)-1) || pthread_create(&t, NULL, racer, NULL))
		return 1;
	for (int i = 1; i <= n; i++) {
		long fd = -1, ret;

		if (strcmp(kind, "socket") && strcmp(kind, "oldmmap"))
			fd = socketcall(SC_SOCKET, 3, (uint32_t[]){ AF_INET, SOCK_STREAM, 0 });
		if (!strcmp(kind, "oldmmap")) {
			memcpy(low->words, (uint32_t[]){ 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
							 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0 }, 24);
			atomic_store(&go, i);
			ret = sys32(NR32_OLD_MMAP, lo(low->words), 0, 0, 0);
			if (ret > 0 && mapped_rwx(ret)) {
				ok++;
				raced += low->words[2] != (PROT_READ | PROT_WRITE | PROT_EXEC);
			}
			while (atomic_load(&done) != i)
				sched_yield();
			if (ret > 0)
				munmap((void *)ret, 4096);
			continue;
		}
		if (!strcmp(kind, "connect")) {
			memcpy(low->words, (uint32_t[]){ fd, lo(&low->addr), sizeof(struct sockaddr_in) }, 12);
			atomic_store(&go, i);
			ret = sys32(NR32_SOCKETCALL, SC_CONNECT, lo(low->words), 0, 0);
			ok += ret == 0;
			raced += ret == 0 && low->words[0] != fd;
		} else if (!strcmp(kind, "fastopen")) {
			memcpy(low->words, (uint32_t[]){ fd, lo(low->data), 1, MSG_FASTOPEN, lo(&low->addr),
							 sizeof(struct sockaddr_in) }, 24);
			atomic_store(&go, i);
			ret = sys32(NR32_SOCKETCALL, SC_SENDTO, lo(low->words), 0, 0);
			ok += ret == 1;
			raced += ret == 1 && !(low->words[3] & MSG_FASTOPEN);
		} else if (!strcmp(kind, "listen")) {
			struct sockaddr_in *a = (struct sockaddr_in *)&low->addr;

			set_addr("127.0.0.1", 0);
			bind(fd, (struct sockaddr *)a, sizeof(*a));
			memcpy(low->words, (uint32_t[]){ fd, 1 }, 8);
			atomic_store(&go, i);
			ret = sys32(NR32_SOCKETCALL, SC_LISTEN, lo(low->words), 0, 0);
			listening = 0;
			socklen_t len = sizeof(listening);
			getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len);
			if (ret == 0 && listening) {
				ok++;
				raced += low->words[0] != fd;
				if (pl < sizeof(ports) - 8)
					pl += snprintf(ports + pl, sizeof(ports) - pl, "%s%d", pl ? "," : "",
						       local_port(fd));
			}
		} else {
			memcpy(low->words, (uint32_t[]){ AF_INET, SOCK_RAW, IPPROTO_ICMP }, 12);
			atomic_store(&go, i);
			fd = sys32(NR32_SOCKETCALL, SC_SOCKET, lo(low->words), 0, 0);
			ok += fd >= 0 && sock_type(fd) == SOCK_RAW;
			raced += fd >= 0 && sock_type(fd) == SOCK_RAW && low->words[0] == AF_UNIX;
		}
		while (atomic_load(&done) != i)
			sched_yield();
		if (fd >= 0)
			close(fd);
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	printf("ok=%d\nraced=%d\n", ok, raced);
	if (pl)
		printf("ports=%s\n", ports);
	return 0;
}

int main(int argc, char **argv)
{
	const char *act = argc > 1 ? argv[1] : "";

	low = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED) {
		perror("mmap(MAP_32BIT)");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("pid=%d\n", getpid());
	if (!strcmp(act, "revshell") && argc > 2)
		return act_revshell(atoi(argv[2]));
	if (!strcmp(act, "connect") && argc > 3)
		return sc_connect(argv[2], atoi(argv[3])) < 0;
	if (!strcmp(act, "bind"))
		return act_bind();
	if (!strcmp(act, "fastopen") && argc > 3)
		return act_fastopen(argv[2], atoi(argv[3]));
	if (!strcmp(act, "sendmmsg") && argc > 3)
		return act_sendmmsg(argv[2], atoi(argv[3]));
	if (!strcmp(act, "direct") && argc > 2)
		return act_direct(atoi(argv[2]));
	if (!strcmp(act, "undecoded"))
		return act_undecoded();
	if (!strcmp(act, "oldmmap"))
		return act_oldmmap();
	if (!strcmp(act, "race") && argc > 5)
		return act_race(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	fprintf(stderr, "usage: vigil-int80 revshell PORT | connect ADDR PORT | bind |\n"
			"       fastopen ADDR PORT | sendmmsg ADDR PORT | direct PORT |\n"
			"       undecoded | oldmmap | race KIND PORT DECOY N\n");
	return 2;
}
