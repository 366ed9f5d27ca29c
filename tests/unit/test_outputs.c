/* Outputs: the --output spec parser and its errors, the bounded queue,
 * RFC 5424 formatting, and a running set writing to a file and to a
 * program that never reads (drops counted, close bounded). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "output/out_worker.h"
#include "output/out_schema.h"
#include "output/sinks.h"
#include "output/outputs.h"
#include "util/macros.h"

static void test_spec_parser(void)
{
	struct vg_output_conf *c = NULL;
	char err[256];

	CHECK_INT(vg_output_conf_parse(&c, "file:path=/var/log/v.json,min_priority=warning,"
					   "fsync=interval,queue=50", err, sizeof(err)), 0);
	CHECK_INT(c->type, VG_OUT_FILE);
	CHECK_STR(c->path, "/var/log/v.json");
	CHECK_INT(c->min_prio, 4);
	CHECK_INT(c->fsync, VG_FSYNC_INTERVAL);
	CHECK_INT(c->queue, 50);
	CHECK_STR(vg_output_conf_name(c), "file:/var/log/v.json");
	vg_output_conf_free(c);

	CHECK_INT(vg_output_conf_parse(&c, "stdout", err, sizeof(err)), 0);
	CHECK_STR(vg_output_conf_name(c), "stdout");
	CHECK_INT(c->queue, VG_OUTPUT_QUEUE_DEFAULT);
	vg_output_conf_free(c);

	/* "\," keeps a comma in a value; '=' and ':' after the key are the value's */
	CHECK_INT(vg_output_conf_parse(&c, "program:command=tr a\\,b c\\\\d,name=p", err,
				       sizeof(err)), 0);
	CHECK_STR(c->command, "tr a,b c\\d");
	CHECK_STR(vg_output_conf_name(c), "p");
	vg_output_conf_free(c);
	CHECK_INT(vg_output_conf_parse(&c, "webhook:url=http://h:8080/x?a=b,header=X-A: 1,"
					   "header=X-B: 2,retries=0", err, sizeof(err)), 0);
	CHECK_STR(c->url, "http://h:8080/x?a=b");
	CHECK_INT(c->nheaders, 2);
	CHECK_STR(c->headers[1], "X-B: 2");
	vg_output_conf_free(c);

	CHECK_INT(vg_output_conf_parse(&c, "syslog:address=tcp://[::1]:6514,facility=local7", err,
				       sizeof(err)), 0);
	CHECK_STR(c->host, "::1");
	CHECK_STR(c->port, "6514");
	CHECK_INT(c->transport, VG_TR_TCP);
	CHECK_INT(c->facility, LOG_LOCAL7);
	vg_output_conf_free(c);

	/* errors name the key and the problem, and leave nothing allocated */
	c = NULL;
	CHECK_INT(vg_output_conf_parse(&c, "file:path=/x,fsync=often", err, sizeof(err)), -EINVAL);
	CHECK(c == NULL);
	CHECK_STR(err, "fsync: 'often' must be none, every or interval");
	CHECK_INT(vg_output_conf_parse(&c, "file:colour=red", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "unknown key 'colour' for a file output");
	CHECK_INT(vg_output_conf_parse(&c, "stdout:url=http://x", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "key 'url' does not apply to a stdout output");
	CHECK_INT(vg_output_conf_parse(&c, "file", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "a file output needs path=FILE");
	CHECK_INT(vg_output_conf_parse(&c, "file:path", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "'path' is not key=value");
	CHECK_INT(vg_output_conf_parse(&c, "stdout:queue=0", err, sizeof(err)), -EINVAL);
	CHECK_STR(err, "queue: '0' must be a number from 1 to 10000000");
	CHECK_INT(vg_output_conf_parse(&c, "syslog:address=udp://h:99999", err, sizeof(err)),
		  -EINVAL);
	CHECK(strstr(err, "no port from 1 to 65535") != NULL);
	CHECK_INT(vg_output_conf_parse(&c, "webhook:url=http://x,header=NoColon", err, sizeof(err)),
		  -EINVAL);
	CHECK(strstr(err, "header:") == err);
	CHECK_INT(vg_output_conf_parse(&c, "webhook:url=http://x,format=text", err, sizeof(err)),
		  -EINVAL);
	CHECK_INT(vg_output_conf_parse(&c, ":x=1", err, sizeof(err)), -EINVAL);
	CHECK_INT(vg_output_conf_parse(&c, "stdout:min_priority=loud", err, sizeof(err)), -EINVAL);
	CHECK(strncmp(err, "min_priority: 'loud'", 20) == 0);

	/* the generic setter, as a config file uses it */
	CHECK_INT(vg_output_conf_new(&c, "syslog", err, sizeof(err)), 0);
	CHECK_INT(vg_output_conf_set(c, "max_message", "100", err, sizeof(err)), -EINVAL);
	CHECK_INT(vg_output_conf_set(c, "format", "json", err, sizeof(err)), 0);
	CHECK_INT(vg_output_conf_check(c, err, sizeof(err)), 0);
	CHECK_STR(vg_output_conf_name(c), "syslog");
	vg_output_conf_free(c);
	CHECK_INT(vg_output_conf_new(&c, "carrier-pigeon", err, sizeof(err)), -EINVAL);
}

static struct vg_out_msg *msg(size_t text_len)
{
	struct vg_out_msg *m = calloc(1, sizeof(*m));

	atomic_init(&m->refs, 1);
	m->text = malloc(text_len + 1);
	memset(m->text, 'x', text_len);
	m->text[text_len] = 0;
	m->text_len = text_len;
	return m;
}

static void test_queue(void)
{
	struct vg_out_queue q;
	struct vg_out_msg *m[5];

	for (int i = 0; i < 5; i++)
		m[i] = msg(10);
	/* drop newest: the fourth is refused */
	CHECK_INT(vg_outq_init(&q, 3, 1 << 20, false), 0);
	for (int i = 0; i < 3; i++)
		CHECK_INT(vg_outq_push(&q, m[i]), 0);
	CHECK_INT(vg_outq_push(&q, m[3]), -ENOSPC);
	CHECK(vg_outq_pop(&q) == m[0]);
	vg_out_msg_put(m[0]);
	CHECK_INT(vg_outq_push(&q, m[3]), 0); /* wraps around */
	CHECK_INT(vg_outq_fini(&q), 3);

	/* drop oldest: the newest gets in, the oldest goes */
	CHECK_INT(vg_outq_init(&q, 2, 1 << 20, true), 0);
	CHECK_INT(vg_outq_push(&q, m[1]), 0);
	CHECK_INT(vg_outq_push(&q, m[2]), 0);
	CHECK_INT(vg_outq_push(&q, m[3]), 1);
	CHECK(vg_outq_pop(&q) == m[2]);
	vg_out_msg_put(m[2]);
	CHECK_INT(vg_outq_fini(&q), 1);

	/* the byte limit, and an empty queue takes one message of any size */
	struct vg_out_msg *big = msg(5000);

	CHECK_INT(vg_outq_init(&q, 100, 4096, false), 0);
	CHECK_INT(vg_outq_push(&q, big), 0);
	CHECK_INT(vg_outq_push(&q, m[4]), -ENOSPC);
	CHECK_INT(vg_outq_fini(&q), 1);
	vg_out_msg_put(big);
	for (int i = 0; i < 5; i++)
		vg_out_msg_put(m[i]);
}

static void test_rfc5424(void)
{
	char buf[256];
	/* 2026-11-22T02:30:00.123456789Z */
	uint64_t t = 1795314600ull * NSEC_PER_SEC + 123456789ull;
	size_t n;

	n = vg_rfc5424_format(buf, sizeof(buf), LOG_LOCAL3, LOG_WARNING, t, "web-1", "vigil", 42,
			      "alert", "hello world", 11);
	CHECK_STR(buf, "<156>1 2026-11-22T02:30:00.123456Z web-1 vigil 42 alert - hello world");
	CHECK_INT(n, strlen(buf));
	/* header fields: printable ASCII only, "-" when empty */
	vg_rfc5424_format(buf, sizeof(buf), LOG_DAEMON, LOG_CRIT, t, "a b\tc", "", 1, "m", "x", 1);
	CHECK_STR(buf, "<26>1 2026-11-22T02:30:00.123456Z abc - 1 m - x");
	/* cut to the buffer, terminated */
	n = vg_rfc5424_format(buf, 40, LOG_DAEMON, LOG_CRIT, t, "h", "vigil", 1, "m", "0123456789",
			      10);
	CHECK_INT(n, 39);
	CHECK_INT(strlen(buf), 39);
	CHECK_INT(vg_syslog_facility("authpriv"), LOG_AUTHPRIV);
	CHECK_INT(vg_syslog_facility("local9"), -EINVAL);
}

static struct vg_alert alert(const char *prio, const char *out)
{
	static const char *const tags[] = { "t1" };
	struct vg_alert a = {
		.time_ns = 1795314600ull * NSEC_PER_SEC,
		.rule = "r",
		.priority = prio,
		.output = out,
		.tags = tags,
		.ntags = 1,
		.source = "syscall",
		.hostname = "h",
	};
	return a;
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static void test_running_set(void)
{
	char dir[] = "/tmp/vigil-unit-out-XXXXXX", path[128], spec[256], err[256];
	struct vg_output_conf *confs[2];
	struct vg_outputs *o;
	struct vg_output_stats st;
	struct vg_alert a;
	struct stat sb;
	static char big[1024];
	struct timespec t0, t1;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/a.json", dir);
	snprintf(spec, sizeof(spec), "file:path=%s,min_priority=notice,name=f", path);
	CHECK_INT(vg_output_conf_parse(&confs[0], spec, err, sizeof(err)), 0);
	/* never reads its stdin: the pipe fills, then the queue */
	CHECK_INT(vg_output_conf_parse(&confs[1], "program:command=exec sleep 30,queue=2,"
					   "drain_ms=100,name=p", err, sizeof(err)), 0);
	CHECK_INT(vg_outputs_open(&o, confs, 2, NULL, err, sizeof(err)), 0);
	vg_output_conf_free(confs[0]);
	vg_output_conf_free(confs[1]);
	memset(big, 'b', sizeof(big) - 1);
	a = alert("Warning", big);
	for (int i = 0; i < 1000; i++)
		vg_outputs_emit(o, &a);
	a = alert("Debug", "quiet");
	vg_outputs_emit(o, &a); /* below the file's min_priority */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	vg_outputs_close(o);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	CHECK(t1.tv_sec - t0.tv_sec < 5); /* bounded by drain_ms and the program's grace */

	CHECK_INT(vg_outputs_count(o), 2);
	CHECK_INT(vg_outputs_stats(o, 0, &st), 0);
	CHECK_STR(st.name, "f");
	CHECK_INT(st.sent, 1000);
	CHECK_INT(st.dropped, 0);
	CHECK_INT(vg_outputs_stats(o, 1, &st), 0);
	CHECK_STR(st.type, "program");
	CHECK_INT(st.sent + st.dropped, 1001); /* every one accounted for */
	CHECK(st.dropped > 900);
	CHECK_INT(st.queued, 0);
	CHECK_INT(vg_outputs_stats(o, 2, &st), -ENOENT);
	vg_outputs_free(o);

	CHECK_INT(count_lines(path), 1000);
	CHECK_INT(stat(path, &sb), 0);
	CHECK_INT(sb.st_mode & 0777, 0600);
	unlink(path);
	rmdir(dir);

	/* a file that cannot be opened is an error at open, naming it */
	CHECK_INT(vg_output_conf_parse(&confs[0], "file:path=/nonexistent/dir/x", err, sizeof(err)),
		  0);
	CHECK(vg_outputs_open(&o, confs, 1, NULL, err, sizeof(err)) < 0);
	CHECK(strstr(err, "/nonexistent/dir/x") != NULL);
	vg_output_conf_free(confs[0]);
}

int main(void)
{
	test_spec_parser();
	test_queue();
	test_rfc5424();
	test_running_set();
	return check_report();
}
