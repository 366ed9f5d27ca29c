/* Arguments read by meaning: decoders as they parse their options
 * (src/fields/decoders.c), grep's patterns as grep compiles them
 * (src/fields/grep_search.c), mount flags by name (src/fields/mount_args.c). */
#include <string.h>

#include "check.h"
#include "fields/decoders.h"
#include "fields/grep_search.h"
#include "fields/mount_args.h"

#define CMD(s) vg_command_decodes(s, strlen(s))
#define LINE(s) vg_shell_line_decodes_and_runs(s, strlen(s))
/* arguments NUL-separated, as the kernel gives them; sizeof counts the last NUL */
#define GREP(exe, a) vg_grep_credential_search(exe, a, sizeof(a))

static void test_decoders(void)
{
	CHECK(CMD("base64 -d"));
	CHECK(CMD("base64 -id"));
	CHECK(CMD("base64 -di"));
	CHECK(CMD("base64 -i -w0 -d"));
	CHECK(CMD("base64 --dec"));
	CHECK(CMD("base64 file -d"));		/* GNU getopt permutes */
	CHECK(!CMD("base64 -- -d"));		/* an operand after "--" */
	CHECK(!CMD("base64 -w d"));		/* "d" is -w's value */
	CHECK(!CMD("base64 -wd"));
	CHECK(!CMD("base64 --ignore-garbage"));
	CHECK(CMD("basenc --base64 --d"));
	CHECK(CMD("/usr/bin/base32 '-d'"));
	CHECK(CMD("xxd -r -p"));
	CHECK(CMD("xxd -rp"));
	CHECK(CMD("xxd --revert -p"));
	CHECK(CMD("xxd -p -r"));
	CHECK(!CMD("xxd -pr"));			/* xxd reads it as -p */
	CHECK(!CMD("xxd -c 8 file -r"));	/* xxd stops at its first operand */
	CHECK(CMD("openssl base64 --d"));
	CHECK(CMD("openssl enc -d -base64"));
	CHECK(CMD("openssl aes-256-cbc -d -k x"));
	CHECK(!CMD("openssl enc -base64"));
	CHECK(!CMD("openssl x509 -d"));
	CHECK(CMD("uudecode"));
	CHECK(!CMD("cat -d"));
	CHECK(vg_argv_decodes("/usr/bin/base64", "-id\0", 4));
	CHECK(!vg_argv_decodes("/usr/bin/base64", "-w0\0", 4));
}

static void test_shell_lines(void)
{
	CHECK(LINE("echo eA== | base64 -id | sh"));
	CHECK(LINE("echo eA== | base64 -id | /bin/bash -s"));
	CHECK(LINE("printf x | xxd -p | xxd --revert -p | python3.11"));
	CHECK(LINE("eval \"$(echo eA== | base64 --dec)\""));
	CHECK(LINE("eval `echo eA== | base64 -di`"));
	CHECK(LINE("base64 -d $f | sh"));
	CHECK(!LINE("echo eA== | base64 -id | wc -c"));
	CHECK(!LINE("echo eA== | base64 -id || sh"));
	CHECK(!LINE("echo $(base64 -d f)"));		/* printed, not run */
	CHECK(!LINE("echo eA== | base64 | sh"));	/* encoding is not decoding */
	CHECK(!LINE("xxd -pr f | sh"));
}

static void test_grep(void)
{
	CHECK(GREP("/usr/bin/grep", "-r\0pa[s]sword\0/srv"));
	CHECK(GREP("/usr/bin/grep", "-rE\0p(a|4)ssw(or)?d\0/srv"));
	CHECK(GREP("/usr/bin/grep", "-ri\0-e\0PA.SWORD\0/srv"));
	CHECK(GREP("/usr/bin/grep", "-rie\0PASSWD\0/srv"));
	CHECK(GREP("/usr/bin/grep", "--recursive\0--regexp=secr[e]t\0/srv"));
	CHECK(GREP("/usr/bin/grep", "tok.n\0/srv\0-r"));	  /* options after operands */
	CHECK(GREP("/usr/bin/grep", "-l\0BEGIN.*PRIVATE KEY\0f")); /* key headers need no -r */
	CHECK(GREP("/usr/bin/grep", "-rF\0password\0/srv"));
	CHECK(!GREP("/usr/bin/grep", "pa[s]sword\0f"));		  /* one file: not a search */
	CHECK(!GREP("/usr/bin/grep", "-r\0ss\0/srv"));		  /* a piece of a word */
	CHECK(!GREP("/usr/bin/grep", "-r\0.\0/srv"));		  /* everything */
	CHECK(!GREP("/usr/bin/grep", "-r\0[\0/srv"));		  /* grep refuses it */
	CHECK(!GREP("/usr/bin/grep", "-r\0--\0-e\0/srv"));	  /* "-e" is the pattern */
	CHECK(!GREP("/usr/bin/grep", "-rf\0pa[s]sword\0/srv"));	  /* a pattern file's name */
	CHECK(!GREP("/usr/bin/cat", "-r\0pa[s]sword\0/srv"));
	CHECK(GREP("/usr/bin/rgrep", "pa.sword\0/srv"));
	/* repetitions of repetitions: glibc would build an automaton of gigabytes */
	CHECK(!GREP("/usr/bin/egrep", "-r\0'++++++++++++++++++++++++++++++\0/srv"));
	CHECK(!GREP("/usr/bin/grep", "-rE\0(a{1,999}){999}\0/srv"));
}

static void test_mount_flags(void)
{
	char b[256];
	int64_t raw = 0;
	__u64 args[6] = { 0, 0, 0, 0x1000 | 0x4000, 0, 0 };

	CHECK_STR(vg_mount_call_flags(b, sizeof(b), "mount", args, &raw), "MS_BIND|MS_REC");
	CHECK_INT(raw, 0x5000);
	args[3] = 0xc0ed0000u | 0x1000;	/* the old magic number is dropped */
	CHECK_STR(vg_mount_call_flags(b, sizeof(b), "mount", args, &raw), "MS_BIND");
	args[2] = 1 | 0x8000;
	CHECK_STR(vg_mount_call_flags(b, sizeof(b), "open_tree", args, &raw),
		  "OPEN_TREE_CLONE|AT_RECURSIVE");
	args[4] = 4 | 0x400;
	CHECK_STR(vg_mount_call_flags(b, sizeof(b), "move_mount", args, &raw),
		  "MOVE_MOUNT_F_EMPTY_PATH|0x400");
	CHECK(vg_mount_call_flags(b, sizeof(b), "fsmount", args, &raw) == NULL);
}

int main(void)
{
	test_decoders();
	test_shell_lines();
	test_grep();
	test_mount_flags();
	return check_report();
}
