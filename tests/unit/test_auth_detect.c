/* The authentication detections without the kernel: failures, the
 * brute-force window (N failures within T seconds, one alert per burst),
 * success after failures, key limits and result names. */
#include <stdlib.h>
#include <string.h>

#include "auth/auth_detect.h"
#include "check.h"
#include "util/macros.h"

#define S NSEC_PER_SEC

struct seen {
	int n;
	char rule[16][64];
	char priority[16][16];
	int64_t failures[16];
	char burst_key[16][32];
	char output[16][512];
};

static void collect(void *ctx, const struct vg_alert *a)
{
	struct seen *s = ctx;
	const struct vg_kv *kv;

	if (s->n >= 16)
		return;
	snprintf(s->rule[s->n], sizeof(s->rule[0]), "%s", a->rule);
	snprintf(s->priority[s->n], sizeof(s->priority[0]), "%s", a->priority);
	snprintf(s->output[s->n], sizeof(s->output[0]), "%s", a->output);
	kv = vg_fields_get(a->fields, "auth.failures");
	s->failures[s->n] = kv ? kv->i : -1;
	kv = vg_fields_get(a->fields, "auth.burst_key");
	snprintf(s->burst_key[s->n], sizeof(s->burst_key[0]), "%s",
		 kv && kv->kind == VG_KV_STR ? kv->s : "");
	s->n++;
}

static struct vg_auth_detect *mk(unsigned n, uint64_t t, unsigned keys)
{
	struct vg_auth_detect_opts o = { .failures = n, .window_s = t, .max_keys = keys,
					 .hostname = "h" };
	struct vg_auth_detect *d = NULL;

	CHECK_INT(vg_auth_detect_new(&d, &o), 0);
	return d;
}

static int feed(struct vg_auth_detect *d, struct seen *s, uint64_t t, const char *user,
		const char *rhost, int result)
{
	struct vg_auth_attempt a = { .time_ns = t, .mono_ns = t, .kind = AUTH_EV_AUTHENTICATE,
				     .result = result, .pid = 42, .tid = 42, .comm = "sshd",
				     .exepath = "/usr/sbin/sshd", .service = "sshd", .user = user,
				     .ruser = "", .rhost = rhost, .tty = "ssh" };

	return vg_auth_detect_feed(d, &a, false, collect, s);
}

static int count(const struct seen *s, const char *rule)
{
	int n = 0;

	for (int i = 0; i < s->n; i++)
		n += !strcmp(s->rule[i], rule);
	return n;
}

static void test_failure_and_burst(void)
{
	struct vg_auth_detect *d = mk(5, 60, 64);
	struct seen s = { 0 };

	/* four failures: four VG-070, no brute force yet */
	for (int i = 0; i < 4; i++)
		CHECK_INT(feed(d, &s, (100 + i) * S, "bob", "10.0.0.9", 7), 1);
	CHECK_INT(count(&s, "Authentication failure"), 4);
	CHECK_INT(count(&s, "Password brute force"), 0);
	CHECK_STR(s.priority[0], "Notice");
	/* the fifth within 60 s: one brute-force alert, even though the user
	 * and the host cross together */
	CHECK_INT(feed(d, &s, 104 * S, "bob", "10.0.0.9", 7), 2);
	CHECK_INT(count(&s, "Password brute force"), 1);
	CHECK_STR(s.rule[s.n - 1], "Password brute force");
	CHECK_INT(s.failures[s.n - 1], 5);
	CHECK_STR(s.burst_key[s.n - 1], "user,origin");
	CHECK(strstr(s.output[s.n - 1], "5 authentication failures") != NULL);
	/* more failures in the same burst: no more brute-force alerts */
	for (int i = 0; i < 10; i++)
		feed(d, &s, (110 + i * 5) * S, "bob", "10.0.0.9", 7);
	CHECK_INT(count(&s, "Password brute force"), 1);
	/* T seconds of quiet end the burst; a new one alerts again */
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 5; i++)
		feed(d, &s, (300 + i) * S, "bob", "10.0.0.9", 7);
	CHECK_INT(count(&s, "Password brute force"), 1);
	vg_auth_detect_free(d);
}

static void test_window_edges(void)
{
	struct vg_auth_detect *d = mk(3, 10, 64);
	struct seen s = { 0 };

	/* spread out: never 3 within 10 s */
	feed(d, &s, 0 * S + 1, "amy", "", 7);
	feed(d, &s, 6 * S, "amy", "", 7);
	feed(d, &s, 12 * S, "amy", "", 7);
	feed(d, &s, 18 * S, "amy", "", 7);
	CHECK_INT(count(&s, "Password brute force"), 0);
	/* 12, 18, 20: three within 8 s */
	feed(d, &s, 20 * S, "amy", "", 7);
	CHECK_INT(count(&s, "Password brute force"), 1);
	CHECK_INT(count(&s, "Authentication failure"), 5);
	vg_auth_detect_free(d);

	d = mk(3, 10, 64);
	memset(&s, 0, sizeof(s));
	feed(d, &s, 100 * S, "amy", "", 7);
	feed(d, &s, 105 * S, "amy", "", 7);
	feed(d, &s, 110 * S, "amy", "", 7); /* 10 s after the first: inside */
	CHECK_INT(count(&s, "Password brute force"), 1);
	vg_auth_detect_free(d);

	d = mk(3, 10, 64);
	memset(&s, 0, sizeof(s));
	feed(d, &s, 100 * S, "amy", "", 7);
	feed(d, &s, 105 * S, "amy", "", 7);
	feed(d, &s, 110 * S + 1, "amy", "", 7); /* just outside */
	CHECK_INT(count(&s, "Password brute force"), 0);
	vg_auth_detect_free(d);
}

static void test_per_key(void)
{
	struct vg_auth_detect *d = mk(3, 60, 64);
	struct seen s = { 0 };

	/* password spraying: many users from one host, the host key alerts */
	feed(d, &s, 1 * S, "u1", "192.0.2.1", 7);
	feed(d, &s, 2 * S, "u2", "192.0.2.1", 10);
	feed(d, &s, 3 * S, "u3", "192.0.2.1", 7);
	CHECK_INT(count(&s, "Password brute force"), 1);
	CHECK_STR(s.burst_key[s.n - 1], "rhost");
	/* one user from many hosts: the user key alerts */
	memset(&s, 0, sizeof(s));
	feed(d, &s, 4 * S, "carol", "198.51.100.1", 7);
	feed(d, &s, 5 * S, "carol", "198.51.100.2", 7);
	feed(d, &s, 6 * S, "carol", "198.51.100.3", 7);
	CHECK_INT(count(&s, "Password brute force"), 1);
	CHECK_STR(s.burst_key[s.n - 1], "user");
	/* no remote host: the service is the origin */
	memset(&s, 0, sizeof(s));
	feed(d, &s, 7 * S, "x1", "", 7);
	feed(d, &s, 8 * S, "x2", "", 7);
	feed(d, &s, 9 * S, "x3", "", 7);
	CHECK_INT(count(&s, "Password brute force"), 1);
	CHECK_STR(s.burst_key[s.n - 1], "service");
	vg_auth_detect_free(d);
}

static void test_login_after_failures(void)
{
	struct vg_auth_detect *d = mk(3, 60, 64);
	struct seen s = { 0 };

	/* a success after two failures is ordinary */
	feed(d, &s, 1 * S, "dan", "10.1.1.1", 7);
	feed(d, &s, 2 * S, "dan", "10.1.1.1", 7);
	CHECK_INT(feed(d, &s, 3 * S, "dan", "10.1.1.1", 0), 0);
	CHECK_INT(count(&s, "Login after failures"), 0);
	/* one more failure makes three in the window, then a success */
	feed(d, &s, 4 * S, "dan", "10.1.1.1", 7);
	CHECK_INT(feed(d, &s, 5 * S, "dan", "10.1.1.1", 0), 1);
	CHECK_INT(count(&s, "Login after failures"), 1);
	CHECK_STR(s.priority[s.n - 1], "Warning");
	CHECK_INT(s.failures[s.n - 1], 3);
	/* the burst is over: the next success is quiet */
	CHECK_INT(feed(d, &s, 6 * S, "dan", "10.1.1.1", 0), 0);
	/* failures that aged out of the window do not count */
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < 3; i++)
		feed(d, &s, (100 + i) * S, "eve", "10.2.2.2", 7);
	CHECK_INT(feed(d, &s, 200 * S, "eve", "10.2.2.2", 0), 0);
	vg_auth_detect_free(d);
}

static void test_limits_and_names(void)
{
	struct vg_auth_detect *d = mk(2, 60, 4);
	struct vg_auth_detect_opts bad = { .failures = 0, .window_s = 60, .max_keys = 4 };
	struct vg_auth_detect *none = NULL;
	struct seen s = { 0 };
	char name[64], buf[32];

	/* a spray of user names cannot grow the table past its limit */
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "user%d", i);
		feed(d, &s, (uint64_t)(i + 1) * S, name, "", 7);
	}
	CHECK(vg_auth_detect_keys(d) <= 4);
	vg_auth_detect_free(d);

	CHECK(vg_auth_detect_new(&none, &bad) < 0);
	bad.failures = VG_AUTH_FAILURES_MAX + 1;
	CHECK(vg_auth_detect_new(&none, &bad) < 0);
	bad.failures = 5;
	bad.window_s = 0;
	CHECK(vg_auth_detect_new(&none, &bad) < 0);

	CHECK_STR(vg_pam_result_name(0, buf, sizeof(buf)), "success");
	CHECK_STR(vg_pam_result_name(7, buf, sizeof(buf)), "auth_err");
	CHECK_STR(vg_pam_result_name(10, buf, sizeof(buf)), "user_unknown");
	CHECK_STR(vg_pam_result_name(13, buf, sizeof(buf)), "acct_expired");
	CHECK_STR(vg_pam_result_name(12, buf, sizeof(buf)), "new_authtok_reqd");
	CHECK_STR(vg_pam_result_name(6, buf, sizeof(buf)), "perm_denied");
	CHECK_STR(vg_pam_result_name(11, buf, sizeof(buf)), "maxtries");
	CHECK_STR(vg_pam_result_name(99, buf, sizeof(buf)), "pam_error_99");
	CHECK_STR(vg_pam_result_name(-3, buf, sizeof(buf)), "pam_error_-3");
	CHECK(vg_auth_is_failure(AUTH_EV_AUTHENTICATE, 7));
	CHECK(!vg_auth_is_failure(AUTH_EV_AUTHENTICATE, 0));
	CHECK(!vg_auth_is_failure(AUTH_EV_AUTHENTICATE, 31)); /* incomplete */
	CHECK(vg_auth_is_failure(AUTH_EV_ACCT_MGMT, 13));
	CHECK(!vg_auth_is_failure(AUTH_EV_ACCT_MGMT, 12));
	CHECK(!vg_auth_is_failure(AUTH_EV_OPEN_SESSION, 14));
	CHECK(vg_auth_kind_name(99) == NULL);
}

static void test_events_and_acct(void)
{
	struct vg_auth_detect *d = mk(2, 60, 16);
	struct seen s = { 0 };
	struct vg_auth_attempt a = { .time_ns = S, .mono_ns = S, .kind = AUTH_EV_OPEN_SESSION,
				     .pid = 1, .comm = "login", .service = "login",
				     .user = "root", .tty = "tty1" };

	/* with events, a session is a raw event and nothing else */
	CHECK_INT(vg_auth_detect_feed(d, &a, true, collect, &s), 0);
	CHECK_INT(s.n, 1);
	CHECK_STR(s.rule[0], "pam_open_session");
	CHECK_STR(s.priority[0], "Debug");
	CHECK(strstr(s.output[0], "auth.tty=tty1") != NULL);
	/* a refused account is a failure but not a password guess */
	memset(&s, 0, sizeof(s));
	a.kind = AUTH_EV_ACCT_MGMT;
	a.result = 13;
	for (int i = 0; i < 3; i++)
		CHECK_INT(vg_auth_detect_feed(d, &a, false, collect, &s), 1);
	CHECK_INT(count(&s, "Authentication failure"), 3);
	CHECK_INT(count(&s, "Password brute force"), 0);
	/* an unknown kind is ignored */
	a.kind = 77;
	CHECK_INT(vg_auth_detect_feed(d, &a, true, collect, &s), 0);
	vg_auth_detect_free(d);
}

int main(void)
{
	test_failure_and_burst();
	test_window_edges();
	test_per_key();
	test_login_after_failures();
	test_limits_and_names();
	test_events_and_acct();
	return check_report();
}
