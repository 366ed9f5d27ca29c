/* Trace parsing (ADFA-LD, UNM; plain and gzip) and the replay driver. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "ph/ph_replay.h"
#include "ph/trace.h"
#include "util/macros.h"

struct calls {
	uint32_t pid[64], call[64];
	int n;
};

static int collect(void *ctx, uint32_t pid, uint32_t call)
{
	struct calls *c = ctx;

	if (c->n == 64)
		return -E2BIG;
	c->pid[c->n] = pid;
	c->call[c->n++] = call;
	return 0;
}

static long parse(enum ph_trace_format fmt, const char *text, struct calls *c,
		  struct ph_trace_error *err)
{
	memset(c, 0, sizeof(*c));
	return ph_trace_parse_buf(fmt, text, strlen(text), collect, c, err);
}

static void test_adfa_parse(void)
{
	struct ph_trace_error err;
	struct calls c;

	CHECK_INT(parse(PH_TRACE_ADFA, "6 6 63 6 42 120 \n", &c, &err), 6);
	CHECK_INT(c.call[0], 6);
	CHECK_INT(c.call[2], 63);
	CHECK_INT(c.call[5], 120);
	CHECK_INT(c.pid[5], 0);
	CHECK_INT(parse(PH_TRACE_ADFA, "1\t2  3\r\n4", &c, &err), 4);

	CHECK_INT(parse(PH_TRACE_ADFA, "6 6 x3 6", &c, &err), -EINVAL);
	CHECK_INT(err.line, 1);
	CHECK(strstr(err.msg, "column 5") != NULL);
	CHECK_INT(parse(PH_TRACE_ADFA, "1 2\n3 4a\n", &c, &err), -EINVAL);
	CHECK_INT(err.line, 2);
	CHECK(strstr(err.msg, "unexpected character") != NULL);
	CHECK_INT(parse(PH_TRACE_ADFA, "1 99999999999999999999", &c, &err), -EINVAL);
	CHECK(strstr(err.msg, "larger than 1023") != NULL);
	CHECK_INT(parse(PH_TRACE_ADFA, "1 -2", &c, &err), -EINVAL);
	CHECK_INT(parse(PH_TRACE_ADFA, " \n\n", &c, &err), -EINVAL);
	CHECK(strstr(err.msg, "no system calls") != NULL);
	CHECK_INT(ph_trace_parse_buf(PH_TRACE_ADFA, "1 \0 2", 5, collect, &c, &err), -EINVAL);
	CHECK(strstr(err.msg, "control byte") != NULL);
}

static void test_unm_parse(void)
{
	struct ph_trace_error err;
	struct calls c;

	CHECK_INT(parse(PH_TRACE_UNM, "509 90\n509 125\n\n510 5\n", &c, &err), 3);
	CHECK_INT(c.pid[1], 509);
	CHECK_INT(c.call[1], 125);
	CHECK_INT(c.pid[2], 510);
	CHECK_INT(parse(PH_TRACE_UNM, "", &c, &err), 0); /* no traces is fine */
	CHECK_INT(parse(PH_TRACE_UNM, "509 90\n509\n", &c, &err), -EINVAL);
	CHECK_INT(err.line, 2);
	CHECK(strstr(err.msg, "missing") != NULL);
	CHECK_INT(parse(PH_TRACE_UNM, "509 90 7\n", &c, &err), -EINVAL);
	CHECK(strstr(err.msg, "more fields") != NULL);
	CHECK_INT(parse(PH_TRACE_UNM, "5000000000 1\n", &c, &err), -EINVAL);
	CHECK(strstr(err.msg, "PID larger") != NULL);
	CHECK_INT(parse(PH_TRACE_UNM, "1 2000\n", &c, &err), -EINVAL);
	/* a callback error stops the parse and comes back as is */
	memset(&c, 0, sizeof(c));
	c.n = 64;
	CHECK_INT(ph_trace_parse_buf(PH_TRACE_UNM, "1 2\n", 4, collect, &c, &err), -E2BIG);
}

static void test_format_names(void)
{
	enum ph_trace_format f;

	CHECK_INT(ph_trace_format_parse("adfa", &f), 0);
	CHECK_INT(f, PH_TRACE_ADFA);
	CHECK_INT(ph_trace_format_parse("unm", &f), 0);
	CHECK_INT(f, PH_TRACE_UNM);
	CHECK_INT(ph_trace_format_parse("csv", &f), -EINVAL);
}

static char tmpdir[64];

static const char *tmp_path(const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void write_plain(const char *name, const char *text)
{
	FILE *f = fopen(tmp_path(name), "w");

	CHECK(f != NULL);
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void write_gz(const char *name, const char *text)
{
	gzFile gz = gzopen(tmp_path(name), "wb");

	CHECK(gz != NULL);
	if (!gz)
		return;
	gzputs(gz, text);
	gzclose(gz);
}

static void test_read_files(void)
{
	struct ph_trace_error err;
	struct calls c;
	char *big;

	memset(&c, 0, sizeof(c));
	write_plain("a.txt", "1 2 3\n");
	CHECK_INT(ph_trace_read_file(PH_TRACE_ADFA, tmp_path("a.txt"), collect, &c, &err), 3);
	memset(&c, 0, sizeof(c));
	write_gz("u.gz", "7 1\n8 2\n7 3\n");
	CHECK_INT(ph_trace_read_file(PH_TRACE_UNM, tmp_path("u.gz"), collect, &c, &err), 3);
	CHECK_INT(c.pid[2], 7);
	CHECK_INT(c.call[2], 3);
	memset(&c, 0, sizeof(c));
	write_gz("bad.gz", "7 1\n8 x\n");
	CHECK_INT(ph_trace_read_file(PH_TRACE_UNM, tmp_path("bad.gz"), collect, &c, &err),
		  -EINVAL);
	CHECK_INT(err.line, 2);
	CHECK(ph_trace_read_file(PH_TRACE_UNM, tmp_path("missing"), collect, &c, &err) ==
	      -ENOENT);
	CHECK(strstr(err.msg, "cannot open") != NULL);
	/* truncated gzip data: an error, not a crash */
	write_plain("trunc.gz", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\x33\x54\x30");
	memset(&c, 0, sizeof(c));
	CHECK(ph_trace_read_file(PH_TRACE_UNM, tmp_path("trunc.gz"), collect, &c, &err) < 0);
	/* a line over the limit */
	big = malloc(PH_TRACE_LINE_MAX + 16);
	CHECK(big != NULL);
	if (big) {
		memset(big, ' ', PH_TRACE_LINE_MAX + 10);
		big[PH_TRACE_LINE_MAX + 10] = '\0';
		write_plain("long.txt", big);
		free(big);
		CHECK_INT(ph_trace_read_file(PH_TRACE_ADFA, tmp_path("long.txt"), collect, &c,
					     &err),
			  -EINVAL);
		CHECK(strstr(err.msg, "longer than") != NULL);
	}
}

struct scores {
	uint64_t score[8];
	uint32_t pid[8];
	int n;
};

static void keep_score(void *ctx, const struct ph_trace_score *s)
{
	struct scores *sc = ctx;

	if (sc->n < 8) {
		sc->score[sc->n] = s->score;
		sc->pid[sc->n++] = s->pid;
	}
}

static void test_replay(void)
{
	struct ph_trace_error err;
	struct ph_params p;
	struct ph_replay r;
	struct scores sc = { 0 };
	uint64_t adds;

	ph_params_default(&p);
	p.ngram = 3;
	p.normal_wait = ~0ULL;
	CHECK_INT(ph_replay_init(&r, &p, 1000), 0);
	write_plain("train1", "1 2 3 4 1 2 3 4\n");
	write_plain("train2", "5 6 7 5 6 7\n");
	write_plain("broken", "1 2 3 9 9 9 9 9 bad\n");
	CHECK_INT(ph_replay_train_file(&r, PH_TRACE_ADFA, tmp_path("train1"), &err), 0);
	CHECK_INT(ph_replay_train_file(&r, PH_TRACE_ADFA, tmp_path("train2"), &err), 0);
	adds = r.profile.adds;
	/* a malformed file is rejected whole: nothing of it is learnt */
	CHECK_INT(ph_replay_train_file(&r, PH_TRACE_ADFA, tmp_path("broken"), &err), -EINVAL);
	CHECK_INT(err.line, 1);
	CHECK_INT(r.profile.adds, adds);
	CHECK_INT(r.traces, 2);
	CHECK_INT(r.calls, 14);
	CHECK_INT(ph_replay_end_training(&r), 0);
	CHECK(r.profile.status & PH_PROFILE_NORMAL);

	write_gz("test.gz", "10 1\n11 1\n10 2\n11 3\n10 3\n11 2\n10 4\n11 4\n");
	CHECK_INT(ph_replay_test_file(&r, PH_TRACE_UNM, tmp_path("test.gz"), keep_score, &sc,
				      &err),
		  0);
	CHECK_INT(sc.n, 2);
	CHECK_INT(sc.pid[0], 10); /* order of first appearance */
	CHECK_INT(sc.score[0], 0); /* 1 2 3 4: known */
	CHECK_INT(sc.pid[1], 11);
	CHECK_INT(sc.score[1], 3 * 1000000 / 4); /* 1 3 2 4: (1 3), (1 3 2), (3 2 4) new */
	/* testing changes nothing, so the same file scores the same again */
	adds = r.profile.adds;
	sc.n = 0;
	CHECK_INT(ph_replay_test_file(&r, PH_TRACE_UNM, tmp_path("test.gz"), keep_score, &sc,
				      &err),
		  0);
	CHECK_INT(sc.score[1], 3 * 1000000 / 4);
	CHECK_INT(r.profile.adds, adds);
	ph_replay_fini(&r);

	p.window = 99;
	CHECK_INT(ph_replay_init(&r, &p, 1000), -EINVAL);
	ph_replay_fini(&r);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vigil-test-ph-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_adfa_parse();
	test_unm_parse();
	test_format_names();
	test_read_files();
	test_replay();
	{
		static const char *names[] = { "a.txt", "u.gz", "bad.gz", "trunc.gz", "long.txt",
					       "train1", "train2", "broken", "test.gz" };

		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			unlink(tmp_path(names[i]));
		rmdir(tmpdir);
	}
	return check_report();
}
