/* program output: `sh -c COMMAND` reads JSON (or text) lines on its stdin.
 * If it exits, it is started again with backoff and the line that failed
 * is written to the new one. Writes go to a non-blocking pipe from a
 * thread that blocks every signal, so a dead reader gives EPIPE, never a
 * SIGPIPE that would kill vigil. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output/sinks.h"

extern char **environ;

struct program_state {
	pid_t pid; /* 0: not running */
	int fd;	   /* the pipe to its stdin */
	uint64_t backoff;
	char *line;
	size_t cap;
};

static int start_child(struct vg_out *o, struct program_state *p)
{
	char *argv[] = { "sh", "-c", o->conf->command, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, defaults;
	int pipefd[2], ret;

	if (pipe2(pipefd, O_CLOEXEC))
		return -errno;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[0], STDIN_FILENO);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&defaults);
	sigaddset(&defaults, SIGPIPE); /* vigil ignores it; the program must not */
	sigaddset(&defaults, SIGINT);
	sigaddset(&defaults, SIGTERM);
	sigaddset(&defaults, SIGHUP);
	sigaddset(&defaults, SIGUSR1);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &defaults);
	/* Its own process group: a Ctrl-C meant for vigil does not cut the
	 * program off before vigil has flushed to it. */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
						POSIX_SPAWN_SETPGROUP);
	ret = -posix_spawn(&p->pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[0]);
	if (ret) {
		close(pipefd[1]);
		p->pid = 0;
		return ret;
	}
	fcntl(pipefd[1], F_SETFL, O_NONBLOCK);
	p->fd = pipefd[1];
	return 0;
}

/* Closes its stdin and waits up to ms for it to exit, then ends its
 * process group (the processes we started). */
static void stop_child(struct program_state *p, uint64_t ms)
{
	uint64_t until = vg_out_now_ns() + ms * 1000000ull;
	struct timespec tick = { 0, 10 * 1000000L };

	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (!p->pid)
		return;
	while (waitpid(p->pid, NULL, WNOHANG) == 0) {
		if (vg_out_now_ns() >= until) {
			kill(-p->pid, SIGTERM);
			waitpid(p->pid, NULL, 0);
			break;
		}
		nanosleep(&tick, NULL);
	}
	p->pid = 0;
}

static int program_open(struct vg_out *o, char *err, size_t errlen)
{
	struct program_state *p = calloc(1, sizeof(*p));
	int ret;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->fd = -1;
	o->state = p;
	ret = start_child(o, p);
	if (ret)
		snprintf(err, errlen, "cannot start sh -c '%s': %s", o->conf->command, strerror(-ret));
	return ret;
}

static int write_line(struct vg_out *o, struct program_state *p, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(p->fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			/* a slow reader: wait, however long, unless stopping */
			struct pollfd pf = { .fd = p->fd, .events = POLLOUT };

			if (vg_out_aborting(o))
				return -ETIMEDOUT;
			poll(&pf, 1, 100);
			continue;
		}
		if (n < 0)
			return -errno;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

static void program_send(struct vg_out *o, const struct vg_out_msg *m)
{
	struct program_state *p = o->state;
	bool json = o->conf->format == VG_FMT_JSON;
	const char *s = json ? m->json : m->text;
	size_t len = json ? m->json_len : m->text_len;

	if (len + 1 > p->cap) {
		char *bigger = realloc(p->line, len + 1);

		if (!bigger) {
			vg_out_lost(o, 1);
			return;
		}
		p->line = bigger;
		p->cap = len + 1;
	}
	memcpy(p->line, s, len);
	p->line[len] = '\n';
	for (bool first = true; !vg_out_aborting(o); first = false) {
		if (!first) {
			vg_out_retry(o);
			p->backoff = vg_out_backoff_next(o->conf, p->backoff);
			if (vg_out_sleep(o, p->backoff))
				break;
		}
		/* exited since the last line: start it again */
		if (p->pid && waitpid(p->pid, NULL, WNOHANG) == p->pid) {
			p->pid = 0;
			vg_out_fail(o, "the program exited");
		}
		if (!p->pid) {
			stop_child(p, 0);
			if (start_child(o, p)) {
				vg_out_fail(o, "cannot start the program");
				continue;
			}
		}
		if (!write_line(o, p, p->line, len + 1)) {
			vg_out_sent(o, 1);
			p->backoff = 0;
			return;
		}
		if (vg_out_aborting(o))
			break;
		vg_out_fail(o, "write to the program: %s", strerror(errno));
		stop_child(p, 100); /* EPIPE: it is gone or going */
	}
	vg_out_lost(o, 1);
}

static void program_close(struct vg_out *o)
{
	struct program_state *p = o->state;

	if (!p)
		return;
	stop_child(p, o->conf->drain_ms > 1000 ? o->conf->drain_ms : 1000);
	free(p->line);
	free(p);
	o->state = NULL;
}

const struct vg_out_sink vg_sink_program = {
	.open = program_open,
	.send = program_send,
	.close = program_close,
};
