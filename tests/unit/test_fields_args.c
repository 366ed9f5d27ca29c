/* Each syscall's arguments live in its row of the syscall table
 * (src/sensor/syscalls.c), as Falco's event table has them: names unique
 * per row, kinds known, Falco's order; records without a syscall row
 * (execve, clone, procexit) have theirs; a row without arguments takes its
 * record kind's. */
#include <string.h>

#include "check.h"
#include "sensor/syscalls.h"

static void test_rows(void)
{
	unsigned with_args = 0;

	for (unsigned i = 0; i < vg_syscalls_count; i++) {
		const struct vg_arg_def *a = vg_syscalls[i].args;

		for (unsigned k = 0; k < VG_SYSCALL_ARGS && a[k].name; k++) {
			CHECK(a[k].kind <= VG_A_LAST);
			CHECK(a[k].flags == 0 || a[k].flags == VG_ARG_ALIAS);
			for (unsigned j = 0; j < k; j++)
				CHECK(strcmp(a[j].name, a[k].name) != 0);
		}
		with_args += a[0].name != NULL;
	}
	CHECK(with_args >= 55);
}

static void test_lookup(void)
{
	const struct vg_arg_def *a = vg_args_by_name("openat");

	CHECK(a && !strcmp(a[0].name, "fd") && !strcmp(a[1].name, "dirfd") &&
	      !strcmp(a[2].name, "name") && !strcmp(a[3].name, "flags"));
	a = vg_args_by_name("execve");
	CHECK(a && !strcmp(a[0].name, "exe"));
	for (unsigned k = 0; a && k < VG_SYSCALL_ARGS && a[k].name; k++)
		if (!strcmp(a[k].name, "filename"))
			CHECK(a[k].flags == VG_ARG_ALIAS && a[k].kind == VG_A_FILENAME);
	a = vg_args_by_name("procexit");
	CHECK(a && !strcmp(a[1].name, "ret") && a[1].kind == VG_A_RET);
	CHECK(vg_args_by_name("clone") != NULL);
	/* sendto has no arguments of its own: its record kind's (connect) */
	CHECK(vg_args_by_name("sendto") == NULL);
	CHECK(vg_args_by_name("connect") != NULL);
	CHECK(vg_args_by_name("getppid") == NULL);
	CHECK(vg_args_by_name(NULL) == NULL);
}

int main(void)
{
	test_rows();
	test_lookup();
	return check_report();
}
