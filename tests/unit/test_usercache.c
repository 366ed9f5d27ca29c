/* uid/gid -> name cache: real lookups, unknown ids, expiry, bounds. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "proc/usercache.h"
#include "util/macros.h"

#define SEC NSEC_PER_SEC
#define UNKNOWN_ID 3999999u /* no distribution hands this out */

static void test_names(void)
{
	struct vg_usercache *uc;
	struct vg_uc_stats st;

	CHECK_INT(vg_uc_new(&uc, 0, 0), 0);
	CHECK_STR(vg_uc_user(uc, 0, SEC), "root");
	CHECK_STR(vg_uc_group(uc, 0, SEC), "root");
	CHECK_STR(vg_uc_user(uc, UNKNOWN_ID, SEC), "3999999");
	CHECK_STR(vg_uc_group(uc, UNKNOWN_ID, SEC), "3999999");
	CHECK_STR(vg_uc_user(uc, 4294967295u, SEC), "4294967295");

	/* whatever name service this machine uses, we agree with it */
	struct passwd *pw = getpwuid(getuid());
	struct vg_uc_account acct;
	if (pw) {
		char home[VG_UC_HOME_MAX], shell[VG_UC_SHELL_MAX];

		snprintf(home, sizeof(home), "%s", pw->pw_dir);
		snprintf(shell, sizeof(shell), "%s", pw->pw_shell);
		CHECK_STR(vg_uc_user(uc, getuid(), SEC), pw->pw_name);
		vg_uc_account(uc, getuid(), SEC, &acct);
		CHECK_STR(acct.name, pw->pw_name);
		CHECK_STR(acct.home, home);
		CHECK_STR(acct.shell, shell);
	}
	/* no passwd entry: a number for a name, no home, no shell */
	vg_uc_account(uc, UNKNOWN_ID, SEC, &acct);
	CHECK_STR(acct.name, "3999999");
	CHECK_STR(acct.home, "");
	CHECK_STR(acct.shell, "");
	struct passwd *nobody = getpwnam("nobody");
	if (nobody)
		CHECK_STR(vg_uc_user(uc, nobody->pw_uid, SEC), "nobody");

	vg_uc_get_stats(uc, &st);
	uint64_t misses = st.misses;
	/* answered from the cache now, unknown ids included */
	CHECK_STR(vg_uc_user(uc, 0, 2 * SEC), "root");
	CHECK_STR(vg_uc_user(uc, UNKNOWN_ID, 2 * SEC), "3999999");
	vg_uc_get_stats(uc, &st);
	CHECK_INT(st.misses, misses);
	CHECK(st.hits >= 2);

	/* now 0 reads the clock */
	CHECK_STR(vg_uc_user(uc, 0, 0), "root");
	vg_uc_free(uc);
	vg_uc_free(NULL);
}

static void test_expiry(void)
{
	struct vg_usercache *uc;
	struct vg_uc_stats st;

	CHECK_INT(vg_uc_new(&uc, 16, 10 * SEC), 0);
	CHECK_STR(vg_uc_user(uc, 0, 100 * SEC), "root");
	CHECK_STR(vg_uc_user(uc, 0, 109 * SEC), "root");
	vg_uc_get_stats(uc, &st);
	CHECK_INT(st.misses, 1);
	CHECK_INT(st.expired, 0);
	/* after the ttl the name service is asked again (a user added since shows) */
	CHECK_STR(vg_uc_user(uc, 0, 110 * SEC), "root");
	vg_uc_get_stats(uc, &st);
	CHECK_INT(st.misses, 2);
	CHECK_INT(st.expired, 1);
	CHECK_STR(vg_uc_user(uc, 0, 111 * SEC), "root");
	vg_uc_get_stats(uc, &st);
	CHECK_INT(st.misses, 2);
	vg_uc_free(uc);
}

static void test_bounded(void)
{
	struct vg_usercache *uc;
	struct vg_uc_stats st;
	char want[16];
	int wrong = 0;

	/* 4 entries: one set of four ways */
	CHECK_INT(vg_uc_new(&uc, 4, 60 * SEC), 0);
	for (uint32_t id = UNKNOWN_ID; id < UNKNOWN_ID + 100; id++) {
		snprintf(want, sizeof(want), "%u", id);
		if (strcmp(vg_uc_user(uc, id, SEC + id), want) != 0)
			wrong++;
	}
	CHECK_INT(wrong, 0);
	vg_uc_get_stats(uc, &st);
	CHECK_INT(st.evicted, 96);
	/* the most recent ones are still there */
	CHECK_STR(vg_uc_user(uc, UNKNOWN_ID + 99, 2 * SEC + UNKNOWN_ID), "4000098");
	vg_uc_get_stats(uc, &st);
	CHECK_INT(st.misses, 100);
	/* the oldest went */
	CHECK_STR(vg_uc_user(uc, UNKNOWN_ID, 2 * SEC + UNKNOWN_ID), "3999999");
	vg_uc_get_stats(uc, &st);
	CHECK_INT(st.misses, 101);
	vg_uc_free(uc);
}

int main(void)
{
	test_names();
	test_expiry();
	test_bounded();
	return check_report();
}
